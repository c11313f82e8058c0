import fs from "node:fs/promises";
import path from "node:path";
import {
  EMPTY_FINGERPRINT,
  readDocumentText,
  shiftFingerprint,
  type Corpus,
} from "../corpus/load.js";
import { splitPassages } from "../corpus/passages.js";
import { DocumentMeta } from "../corpus/schema.js";
import sqlite3 from "sqlite3";
import { SqliteDatabase, type SqlStatements } from "../store/sqlite.js";
import { tokenize } from "../text/tokens.js";
import { Vocabulary } from "./spelling.js";

/** Bumped whenever the index layout or the passage splitter changes, so old files are rebuilt. */
const INDEX_FORMAT = 2;

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

/** One document to put in the index (replacing the version it holds), or to take out of it. */
export type DocumentChange =
  | {
      readonly docId: string;
      readonly meta: DocumentMeta;
      readonly text: string;
      readonly digest: string;
    }
  | { readonly docId: string; readonly removed: true };

/** A document as the index holds it now, after changes: its passages, or none when removed. */
export interface ChangedDocument {
  readonly docId: string;
  /** Undefined when the document was removed. */
  readonly meta: DocumentMeta | undefined;
  readonly digest: string | undefined;
  readonly passages: readonly PassageRow[];
}

export interface IndexCatchUp {
  /** The documents changed since the last catch-up, each once, as they are now. */
  readonly documents: readonly ChangedDocument[];
  /** The corpus fingerprint of the index as it is now. */
  readonly fingerprint: string;
}

export interface SearchIndex {
  readonly vocabulary: Vocabulary;
  readonly passageCount: number;
  /** The last change to the index file (by any process) this index has taken in. */
  readonly lastChange: number;
  /** Whether this open built the index (true) or reused one from disk (false). */
  readonly built: boolean;
  /** Ranked matches without their text, which is read for the few shown (`texts`). */
  match(ftsQuery: string, filter: PassageFilter, limit: number): Promise<PassageMatch[]>;
  texts(rowids: readonly number[]): Promise<Map<number, string>>;
  passagesOf(docId: string): Promise<PassageRow[]>;
  passage(docId: string, ordinal: number): Promise<PassageRow | undefined>;
  /** Every passage, in document order: for linking the catalogue to the corpus at start-up. */
  allPassages(): Promise<PassageRow[]>;
  /**
   * Writes documents into the index file in one transaction, without rebuilding it: their
   * passages, the full-text index and the vocabulary. A document the file already holds in the
   * same version (another process put it there) is left alone. Each change is recorded in the
   * file, for every process that reads it (`catchUp`).
   */
  applyDocuments(changes: readonly DocumentChange[]): Promise<void>;
  /**
   * Takes in the changes recorded in the file since the last catch-up (by this process or
   * another): the vocabulary and count follow, and the changed documents are returned.
   */
  catchUp(): Promise<IndexCatchUp>;
  close(): Promise<void>;
}

/** The index file at this path is no longer the one this index opened (another build replaced it). */
export class IndexReplacedError extends Error {
  override readonly name = "IndexReplacedError";
}

/**
 * Opens the passage index for this corpus, building it when the file is missing or was built
 * from another version of the corpus. Builds go to a temporary file renamed into place, so a
 * crash mid-build or a second instance never sees half an index.
 */
export async function openSearchIndex(corpus: Corpus, file: string): Promise<SearchIndex> {
  const stamp = stampOf(corpus.fingerprint);
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
  // One read transaction: the vocabulary, the count and the last change agree.
  await db.exec("BEGIN");
  const vocabRows = await db.all<{ term: string; df: number }>("SELECT term, df FROM vocab");
  const count = await db.get<{ n: number }>("SELECT count(*) AS n FROM passages");
  const last = await db.get<{ n: number }>("SELECT coalesce(max(seq), 0) AS n FROM changes");
  await db.exec("COMMIT");
  await db.close();
  return openCheckedIndex(file, {
    vocabulary: new Vocabulary(new Map(vocabRows.map((r) => [r.term, r.df]))),
    passageCount: count?.n ?? 0,
    lastChange: last?.n ?? 0,
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
  known: { vocabulary: Vocabulary; passageCount: number; lastChange: number; built: boolean },
): Promise<SearchIndex> {
  const inode = (await fs.stat(file)).ino;
  const readers = await Promise.all(
    Array.from({ length: INDEX_CONNECTIONS }, () =>
      SqliteDatabase.open(file, sqlite3.OPEN_READONLY),
    ),
  );
  return new SqliteSearchIndex(file, inode, readers, known);
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

const stampOf = (fingerprint: string) => `${INDEX_FORMAT}:${fingerprint}`;

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
    CREATE TABLE documents (doc_id TEXT PRIMARY KEY, digest TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE changes (
      seq INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, meta TEXT, terms TEXT NOT NULL,
      passages INTEGER NOT NULL);
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
  await db.insertMany(
    "INSERT INTO documents VALUES (?, ?)",
    [...corpus.digests].map(([id, digest]) => [id, digest]),
  );
  await db.run("INSERT INTO meta VALUES ('stamp', ?), ('fingerprint', ?)", [
    stamp,
    corpus.fingerprint,
  ]);
}

/** How many passages hold each word, counted once per passage. */
function termCounts(
  passages: ReadonlyArray<{ text: string }>,
  sign: 1 | -1,
  into: Map<string, number>,
) {
  for (const p of passages)
    for (const term of new Set(tokenize(p.text))) into.set(term, (into.get(term) ?? 0) + sign);
}

class SqliteSearchIndex implements SearchIndex {
  /** Queries running on each connection. */
  private readonly busy: number[];
  readonly vocabulary: Vocabulary;
  readonly built: boolean;
  passageCount: number;
  lastChange: number;
  /** Opened on the first change: most indexes are only read. */
  private writer: Promise<SqliteDatabase> | undefined;
  /** Changes and catch-ups, one at a time. */
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly inode: number,
    private readonly readers: readonly SqliteDatabase[],
    known: { vocabulary: Vocabulary; passageCount: number; lastChange: number; built: boolean },
  ) {
    this.busy = readers.map(() => 0);
    this.vocabulary = known.vocabulary;
    this.passageCount = known.passageCount;
    this.lastChange = known.lastChange;
    this.built = known.built;
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

  applyDocuments(changes: readonly DocumentChange[]): Promise<void> {
    return this.serially(async () => {
      const db = await this.openWriter();
      // One write transaction: processes sharing the file take turns, and each sees the other's
      // changes.
      await db.transaction(async (tx) => {
        for (const change of changes) await this.writeDocument(tx, change);
      });
    });
  }

  private async writeDocument(db: SqlStatements, change: DocumentChange): Promise<void> {
    const held = await db.get<{ digest: string }>("SELECT digest FROM documents WHERE doc_id = ?", [
      change.docId,
    ]);
    if ("removed" in change ? !held : held?.digest === change.digest) return;
    const terms = new Map<string, number>();
    const old = await db.all<{ rowid: number; text: string }>(
      "SELECT rowid, text FROM passages WHERE doc_id = ?",
      [change.docId],
    );
    termCounts(old, -1, terms);
    for (const row of old)
      await db.run("INSERT INTO passage_fts (passage_fts, rowid, text) VALUES ('delete', ?, ?)", [
        row.rowid,
        row.text,
      ]);
    await db.run("DELETE FROM passages WHERE doc_id = ?", [change.docId]);
    let added = 0;
    if (!("removed" in change)) {
      const passages = splitPassages(change.docId, change.text);
      termCounts(passages, 1, terms);
      for (const p of passages) {
        const row = await db.get<{ rowid: number }>(
          `INSERT INTO passages (doc_id, ordinal, start, "end", text, date, source)
           VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING rowid`,
          [p.docId, p.ordinal, p.start, p.end, p.text, change.meta.date, change.meta.source],
        );
        await db.run("INSERT INTO passage_fts (rowid, text) VALUES (?, ?)", [row!.rowid, p.text]);
      }
      added = passages.length;
    }
    const delta = Object.fromEntries([...terms].filter(([, n]) => n !== 0));
    await db.run(
      `INSERT INTO vocab (term, df) SELECT key, value FROM json_each(?) WHERE true
       ON CONFLICT (term) DO UPDATE SET df = df + excluded.df`,
      [JSON.stringify(delta)],
    );
    await db.run("DELETE FROM vocab WHERE df <= 0 AND term IN (SELECT key FROM json_each(?))", [
      JSON.stringify(delta),
    ]);
    const fingerprint = await db.get<{ value: string }>(
      "SELECT value FROM meta WHERE key = 'fingerprint'",
    );
    const next = shiftFingerprint(fingerprint?.value ?? EMPTY_FINGERPRINT, {
      remove: held ? [held.digest] : [],
      add: "removed" in change ? [] : [change.digest],
    });
    if ("removed" in change) await db.run("DELETE FROM documents WHERE doc_id = ?", [change.docId]);
    else
      await db.run(
        "INSERT INTO documents VALUES (?, ?) ON CONFLICT (doc_id) DO UPDATE SET digest = excluded.digest",
        [change.docId, change.digest],
      );
    await db.run(
      "UPDATE meta SET value = CASE key WHEN 'stamp' THEN ? ELSE ? END WHERE key IN ('stamp', 'fingerprint')",
      [stampOf(next), next],
    );
    await db.run("INSERT INTO changes (doc_id, meta, terms, passages) VALUES (?, ?, ?, ?)", [
      change.docId,
      "removed" in change ? null : JSON.stringify(change.meta),
      JSON.stringify(delta),
      added - old.length,
    ]);
  }

  catchUp(): Promise<IndexCatchUp> {
    return this.serially(async () => {
      const writer = await this.openWriter();
      // One transaction: the changes and the passages they leave agree.
      return writer.transaction(async (db) => {
        const rows = await db.all<{
          seq: number;
          doc_id: string;
          meta: string | null;
          terms: string;
          passages: number;
        }>("SELECT * FROM changes WHERE seq > ? ORDER BY seq", [this.lastChange]);
        const latest = new Map<string, DocumentMeta | undefined>();
        for (const row of rows) {
          this.vocabulary.apply(JSON.parse(row.terms) as Record<string, number>);
          this.passageCount += row.passages;
          this.lastChange = row.seq;
          latest.set(
            row.doc_id,
            row.meta === null ? undefined : DocumentMeta.parse(JSON.parse(row.meta)),
          );
        }
        const documents: ChangedDocument[] = [];
        for (const [docId, meta] of latest)
          documents.push({
            docId,
            meta,
            digest: (
              await db.get<{ digest: string }>("SELECT digest FROM documents WHERE doc_id = ?", [
                docId,
              ])
            )?.digest,
            passages: await db.all<PassageRow>(
              `SELECT doc_id AS docId, ordinal, start, "end", text, date, 0 AS score
               FROM passages WHERE doc_id = ? ORDER BY ordinal`,
              [docId],
            ),
          });
        const fingerprint = await db.get<{ value: string }>(
          "SELECT value FROM meta WHERE key = 'fingerprint'",
        );
        return { documents, fingerprint: fingerprint?.value ?? EMPTY_FINGERPRINT };
      });
    });
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.writing.then(work, work);
    this.writing = run.catch(() => undefined);
    return run;
  }

  private async openWriter(): Promise<SqliteDatabase> {
    // Writing to a file another build renamed over this one would change nobody's index.
    const now = await fs.stat(this.file).catch(() => undefined);
    if (now?.ino !== this.inode)
      throw new IndexReplacedError(`${this.file} was replaced since this index opened it`);
    this.writer ??= SqliteDatabase.open(this.file).then(async (db) => {
      await db.exec("PRAGMA busy_timeout = 5000");
      return db;
    });
    return this.writer;
  }

  async close(): Promise<void> {
    await this.writing;
    const writer = this.writer;
    this.writer = undefined;
    await Promise.all([...this.readers, ...(writer ? [await writer] : [])].map((db) => db.close()));
  }
}
