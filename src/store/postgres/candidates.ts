import {
  toCandidate,
  type Candidate,
  type CandidateRepository,
  type CandidateRow,
} from "../../candidates/repository.js";
import type { FoundCandidate } from "../../candidates/detect.js";
import { compactKey } from "../../text/tokens.js";
import type { PostgresDatabase } from "./database.js";

/** A name's open candidates in one server, newest sighting first (text in byte order, as SQLite). */
const OPEN = `
  SELECT c.*, row_number() OVER (
           PARTITION BY c.name_key
           ORDER BY c.found_at DESC, c.doc_date COLLATE "C" DESC, c.doc_id COLLATE "C") AS nth,
         count(*) OVER (PARTITION BY c.name_key) AS documents
  FROM candidates c
  WHERE NOT EXISTS (
    SELECT 1 FROM candidate_dismissals d WHERE d.guild_id = $1 AND d.name_key = c.name_key)`;

export class PostgresCandidateRepository implements CandidateRepository {
  constructor(private readonly db: PostgresDatabase) {}

  async replaceCandidates(
    docId: string,
    docDate: string,
    found: readonly FoundCandidate[],
    now: number,
  ): Promise<void> {
    const keys = found.map((c) => compactKey(c.name));
    await this.db.transaction("candidates.replace", async (tx) => {
      // Names the new version no longer has go; the ones it still has keep when they were found.
      await tx.query(
        "candidates.replace",
        "DELETE FROM candidates WHERE doc_id = $1 AND NOT (name_key = ANY($2::text[]))",
        [docId, keys],
      );
      for (const [i, candidate] of found.entries()) {
        await tx.query(
          "candidates.replace",
          `INSERT INTO candidates (doc_id, name_key, name, sentence, doc_date, found_at, position)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (doc_id, name_key) DO UPDATE SET name = excluded.name,
             sentence = excluded.sentence, doc_date = excluded.doc_date, position = excluded.position`,
          [docId, keys[i]!, candidate.name, candidate.sentence, docDate, now, i],
        );
      }
    });
  }

  async listCandidates(
    guildId: string,
    page: { limit: number; offset?: number },
  ): Promise<Candidate[]> {
    const rows = await this.db.query<CandidateRow>(
      "candidates.list",
      `SELECT * FROM (${OPEN}) open WHERE nth = 1
       ORDER BY found_at DESC, doc_date COLLATE "C" DESC, doc_id COLLATE "C", position
       LIMIT $2 OFFSET $3`,
      [guildId, page.limit, page.offset ?? 0],
    );
    return rows.map(toCandidate);
  }

  async getCandidate(guildId: string, key: string): Promise<Candidate | undefined> {
    const [row] = await this.db.query<CandidateRow>(
      "candidates.get",
      `SELECT * FROM (${OPEN}) open WHERE nth = 1 AND name_key = $2`,
      [guildId, key],
    );
    return row ? toCandidate(row) : undefined;
  }

  async countCandidates(guildId: string): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(
      "candidates.count",
      `SELECT count(*) AS n FROM (${OPEN}) open WHERE nth = 1`,
      [guildId],
    );
    return row?.n ?? 0;
  }

  async dismissCandidate(
    guildId: string,
    key: string,
    userId: string,
    now: number,
  ): Promise<boolean> {
    const rows = await this.db.query(
      "candidates.dismiss",
      `INSERT INTO candidate_dismissals (guild_id, name_key, dismissed_by, dismissed_at)
       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING name_key`,
      [guildId, key, userId, now],
    );
    return rows.length > 0;
  }

  async close(): Promise<void> {}
}
