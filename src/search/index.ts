import fs from "node:fs/promises";
import path from "node:path";
import { readDocumentText, type Corpus } from "../corpus/load.js";
import { splitPassages } from "../corpus/passages.js";
import sqlite3 from "sqlite3";
import { SqliteDatabase } from "../store/sqlite.js";
import { tokenize } from "../text/tokens.js";
import { Vocabulary } from "./spelling.js";

/** Bumped whenever the index layout or the passage splitter changes, so old files are rebuilt. */
const INDEX_FORMAT = 1;

export interface PassageRow {
  readonly docId: string;
  readonly ordinal: number;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly date: string;
  /** bm25: lower is better. */
  readonly score: number;
}

/** A ranked passage before its text is read. */
export type PassageMatch = Omit<PassageRow, "text"> & { readonly rowid: number };

export interface PassageFilter {
  readonly source?: string;
  /** Inclusive ISO dates. */
  readonly from?: string;
  readonly to?: string;
}

export interface SearchIndex {
  readonly vocabulary: Vocabulary;
  readonly passageCount: number;
  /** Whether this open built the index (true) or reused one from disk (false). */
  readonly built: boolean;
  /** Ranked matches without their text, which is read for the few shown (`texts`). */
  match(ftsQuery: string, filter: PassageFilter, limit: number): Promise<PassageMatch[]>;
  texts(rowids: readonly number[]): Promise<Map<number, string>>;
  passagesOf(docId: string): Promise<PassageRow[]>;
  passage(docId: string, ordinal: number): Promise<PassageRow | undefined>;
  /** Every passage, in document order: for linking the catalogue to the corpus at start-up. */
  allPassages(): Promise<PassageRow[]>;
  close(): Promise<void>;
}

/**
 * Opens the passage index for this corpus, building it when the file is missing or was built
 * from another version of the corpus. Builds go to a temporary file renamed into place, so a
 * crash mid-build or a second instance never sees half an index.
 */
export async function openSearchIndex(corpus: Corpus, file: string): Promise<SearchIndex> {
  const stamp = `${INDEX_FORMAT}:${corpus.fingerprint}`;
  let db = await openIfCurrent(file, stamp);
  let built = false;
  if (!db) {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
    const building = await SqliteDatabase.open(temp);
    try {
      await buildInto(building, corpus, stamp);
    } finally {
      await building.close();
    }
    await fs.rename(temp, file);
    db = await SqliteDatabase.open(file);
    built = true;
  }
  const vocabRows = await db.all<{ term: string; df: number }>("SELECT term, df FROM vocab");
  const count = await db.get<{ n: number }>("SELECT count(*) AS n FROM passages");
  await db.close();
  return openCheckedIndex(file, {
    vocabulary: new Vocabulary(new Map(vocabRows.map((r) => [r.term, r.df]))),
    passageCount: count?.n ?? 0,
    built,
  });
}

/**
 * Queries of concurrent searches run side by side on this many connections (one connection runs
 * one query at a time).
 */
export const INDEX_CONNECTIONS = 2;

/**
 * Opens an index file another thread just built or checked (see `openSearchIndex`), with the
 * vocabulary and count it read from it.
 */
export async function openCheckedIndex(
  file: string,
  known: { vocabulary: Vocabulary; passageCount: number; built: boolean },
): Promise<SearchIndex> {
  const readers = await Promise.all(
    Array.from({ length: INDEX_CONNECTIONS }, () =>
      SqliteDatabase.open(file, sqlite3.OPEN_READONLY),
    ),
  );
  return new SqliteSearchIndex(readers, known.vocabulary, known.passageCount, known.built);
}

async function openIfCurrent(file: string, stamp: string): Promise<SqliteDatabase | undefined> {
  try {
    await fs.access(file);
  } catch {
    return undefined;
  }
  const db = await SqliteDatabase.open(file);
  try {
    const row = await db.get<{ value: string }>("SELECT value FROM meta WHERE key = 'stamp'");
    if (row?.value === stamp) return db;
  } catch {
    // Not an index we understand: rebuild.
  }
  await db.close();
  return undefined;
}

async function buildInto(db: SqliteDatabase, corpus: Corpus, stamp: string): Promise<void> {
  await db.exec(`
    PRAGMA journal_mode = OFF;
    PRAGMA synchronous = OFF;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE passages (
      rowid INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, ordinal INTEGER NOT NULL,
      start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL,
      date TEXT NOT NULL, source TEXT NOT NULL);
    CREATE INDEX passages_doc ON passages (doc_id, ordinal);
    CREATE VIRTUAL TABLE passage_fts USING fts5(
      text, content='passages', content_rowid='rowid',
      tokenize='porter unicode61 remove_diacritics 2');
    CREATE TABLE vocab (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
  `);
  const df = new Map<string, number>();
  let rowid = 0;
  async function* rows() {
    for (const doc of corpus.documents) {
      const text = await readDocumentText(corpus, doc);
      for (const p of splitPassages(doc.id, text)) {
        for (const term of new Set(tokenize(p.text))) df.set(term, (df.get(term) ?? 0) + 1);
        yield [++rowid, p.docId, p.ordinal, p.start, p.end, p.text, doc.date, doc.source];
      }
    }
  }
  const buffered: Array<Array<string | number>> = [];
  for await (const row of rows()) buffered.push(row);
  await db.insertMany("INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?, ?)", buffered);
  await db.exec(
    "INSERT INTO passage_fts (passage_fts) VALUES ('rebuild'); INSERT INTO passage_fts (passage_fts) VALUES ('optimize');",
  );
  await db.insertMany(
    "INSERT INTO vocab VALUES (?, ?)",
    [...df].map(([t, n]) => [t, n]),
  );
  await db.run("INSERT INTO meta VALUES ('stamp', ?)", [stamp]);
}

class SqliteSearchIndex implements SearchIndex {
  /** Queries running on each connection. */
  private readonly busy: number[];

  constructor(
    private readonly readers: readonly SqliteDatabase[],
    readonly vocabulary: Vocabulary,
    readonly passageCount: number,
    readonly built: boolean,
  ) {
    this.busy = readers.map(() => 0);
  }

  /** Runs a query on the least busy connection. */
  private async query<T>(run: (db: SqliteDatabase) => Promise<T>): Promise<T> {
    const i = this.busy.indexOf(Math.min(...this.busy));
    this.busy[i]!++;
    try {
      return await run(this.readers[i]!);
    } finally {
      this.busy[i]!--;
    }
  }

  match(ftsQuery: string, filter: PassageFilter, limit: number): Promise<PassageMatch[]> {
    const where = ["passage_fts MATCH $q"];
    const params: Record<string, string | number> = { $q: ftsQuery, $limit: limit };
    if (filter.source) {
      where.push("p.source = $source");
      params.$source = filter.source;
    }
    if (filter.from) {
      where.push("p.date >= $from");
      params.$from = filter.from;
    }
    if (filter.to) {
      where.push("p.date <= $to");
      params.$to = filter.to;
    }
    // Scores within a hundredth are a tie, and ties go to the newer document.
    return this.query((db) =>
      db.all<PassageMatch>(
        `SELECT p.rowid AS rowid, p.doc_id AS docId, p.ordinal, p.start, p."end", p.date, bm25(passage_fts) AS score
       FROM passage_fts JOIN passages p ON p.rowid = passage_fts.rowid
       WHERE ${where.join(" AND ")}
       ORDER BY round(bm25(passage_fts), 2), p.date DESC, p.doc_id, p.ordinal
       LIMIT $limit`,
        params,
      ),
    );
  }

  async texts(rowids: readonly number[]): Promise<Map<number, string>> {
    if (rowids.length === 0) return new Map();
    const rows = await this.query((db) =>
      db.all<{ rowid: number; text: string }>(
        "SELECT rowid, text FROM passages WHERE rowid IN (SELECT value FROM json_each(?))",
        [JSON.stringify(rowids)],
      ),
    );
    return new Map(rows.map((r) => [r.rowid, r.text]));
  }

  passagesOf(docId: string): Promise<PassageRow[]> {
    return this.query((db) =>
      db.all<PassageRow>(
        `SELECT doc_id AS docId, ordinal, start, "end", text, date, 0 AS score
         FROM passages WHERE doc_id = ? ORDER BY ordinal`,
        [docId],
      ),
    );
  }

  passage(docId: string, ordinal: number): Promise<PassageRow | undefined> {
    return this.query((db) =>
      db.get<PassageRow>(
        `SELECT doc_id AS docId, ordinal, start, "end", text, date, 0 AS score
         FROM passages WHERE doc_id = ? AND ordinal = ?`,
        [docId, ordinal],
      ),
    );
  }

  allPassages(): Promise<PassageRow[]> {
    return this.query((db) =>
      db.all<PassageRow>(
        `SELECT doc_id AS docId, ordinal, start, "end", text, date, 0 AS score FROM passages ORDER BY rowid`,
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.readers.map((db) => db.close()));
  }
}
