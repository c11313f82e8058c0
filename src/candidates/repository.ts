import { z } from "zod";
import { SqliteDatabase } from "../store/sqlite.js";
import { compactKey } from "../text/tokens.js";
import type { FoundCandidate } from "./detect.js";

/** A possible new model or lab, as moderators see it: its newest sighting, and how many documents name it. */
export const Candidate = z.object({
  /** The name compared ignoring case and punctuation: what Dismiss hides. */
  key: z.string(),
  name: z.string(),
  sentence: z.string(),
  docId: z.string(),
  /** The document's date, "YYYY-MM-DD". */
  docDate: z.string(),
  /** When it was found (ms). */
  foundAt: z.number(),
  documents: z.number().int(),
});
export type Candidate = z.infer<typeof Candidate>;

/**
 * Candidates found in gathered documents, shared by every process on the store. Found once for
 * all servers; each server dismisses its own.
 */
export interface CandidateRepository {
  /** Records a document's candidates, replacing what an earlier version of it had. */
  replaceCandidates(
    docId: string,
    docDate: string,
    found: readonly FoundCandidate[],
    now: number,
  ): Promise<void>;
  /** The server's open candidates, one per name, newest first (then in the document's order). */
  listCandidates(guildId: string, page: { limit: number; offset?: number }): Promise<Candidate[]>;
  countCandidates(guildId: string): Promise<number>;
  /** The server's open candidate with this key (`Candidate.key`), if there is one. */
  getCandidate(guildId: string, key: string): Promise<Candidate | undefined>;
  /** Hides a name's candidates in one server; false when it was hidden already. */
  dismissCandidate(guildId: string, key: string, userId: string, now: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface CandidateRow {
  name_key: string;
  name: string;
  sentence: string;
  doc_id: string;
  doc_date: string;
  found_at: number;
  documents: number;
}

const OPEN = `
  SELECT c.*, row_number() OVER (
           PARTITION BY c.name_key ORDER BY c.found_at DESC, c.doc_date DESC, c.doc_id) AS nth,
         count(*) OVER (PARTITION BY c.name_key) AS documents
  FROM candidates c
  WHERE NOT EXISTS (
    SELECT 1 FROM candidate_dismissals d WHERE d.guild_id = $guild AND d.name_key = c.name_key)`;

export class SqliteCandidateRepository implements CandidateRepository {
  private constructor(private readonly db: SqliteDatabase) {}

  static async open(file: string): Promise<SqliteCandidateRepository> {
    const db = await SqliteDatabase.open(file);
    // IMMEDIATE takes the write lock first, so instances opening together wait for each other
    // instead of failing with SQLITE_BUSY.
    await db.exec(`
      PRAGMA busy_timeout = 5000;
      BEGIN IMMEDIATE;
      CREATE TABLE IF NOT EXISTS candidates (
        doc_id TEXT NOT NULL,
        name_key TEXT NOT NULL,
        name TEXT NOT NULL,
        sentence TEXT NOT NULL,
        doc_date TEXT NOT NULL,
        found_at INTEGER NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (doc_id, name_key)
      );
      CREATE INDEX IF NOT EXISTS candidates_by_name ON candidates (name_key, found_at);
      CREATE TABLE IF NOT EXISTS candidate_dismissals (
        guild_id TEXT NOT NULL,
        name_key TEXT NOT NULL,
        dismissed_by TEXT NOT NULL,
        dismissed_at INTEGER NOT NULL,
        PRIMARY KEY (guild_id, name_key)
      );
      COMMIT;`);
    return new SqliteCandidateRepository(db);
  }

  async replaceCandidates(
    docId: string,
    docDate: string,
    found: readonly FoundCandidate[],
    now: number,
  ): Promise<void> {
    const keys = found.map((c) => compactKey(c.name));
    // Names the new version no longer has go; the ones it still has keep when they were found.
    await this.db.run(
      `DELETE FROM candidates WHERE doc_id = ? AND name_key NOT IN (SELECT value FROM json_each(?))`,
      [docId, JSON.stringify(keys)],
    );
    for (const [i, candidate] of found.entries()) {
      await this.db.run(
        `INSERT INTO candidates (doc_id, name_key, name, sentence, doc_date, found_at, position)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (doc_id, name_key) DO UPDATE SET name = excluded.name,
           sentence = excluded.sentence, doc_date = excluded.doc_date, position = excluded.position`,
        [docId, keys[i]!, candidate.name, candidate.sentence, docDate, now, i],
      );
    }
  }

  async listCandidates(
    guildId: string,
    page: { limit: number; offset?: number },
  ): Promise<Candidate[]> {
    const rows = await this.db.all<CandidateRow>(
      `SELECT * FROM (${OPEN}) WHERE nth = 1
       ORDER BY found_at DESC, doc_date DESC, doc_id, position LIMIT $limit OFFSET $offset`,
      { $guild: guildId, $limit: page.limit, $offset: page.offset ?? 0 },
    );
    return rows.map(toCandidate);
  }

  async getCandidate(guildId: string, key: string): Promise<Candidate | undefined> {
    const row = await this.db.get<CandidateRow>(
      `SELECT * FROM (${OPEN}) WHERE nth = 1 AND name_key = $key`,
      {
        $guild: guildId,
        $key: key,
      },
    );
    return row ? toCandidate(row) : undefined;
  }

  async countCandidates(guildId: string): Promise<number> {
    const row = await this.db.get<{ n: number }>(
      `SELECT count(*) AS n FROM (${OPEN}) WHERE nth = 1`,
      { $guild: guildId },
    );
    return row?.n ?? 0;
  }

  async dismissCandidate(
    guildId: string,
    key: string,
    userId: string,
    now: number,
  ): Promise<boolean> {
    const row = await this.db.transaction((tx) =>
      tx.get<{ name_key: string }>(
        `INSERT INTO candidate_dismissals (guild_id, name_key, dismissed_by, dismissed_at)
       VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING name_key`,
        [guildId, key, userId, now],
      ),
    );
    return row !== undefined;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

export function toCandidate(row: CandidateRow): Candidate {
  return Candidate.parse({
    key: row.name_key,
    name: row.name,
    sentence: row.sentence,
    docId: row.doc_id,
    docDate: row.doc_date,
    foundAt: row.found_at,
    documents: row.documents,
  });
}
