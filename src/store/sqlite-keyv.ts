import { EventEmitter } from "node:events";
import { defaultDeserialize, defaultSerialize } from "@keyv/serialize";
import type { KeyvStoreAdapter, StoredData } from "keyv";
import sqlite3 from "sqlite3";
import { SqliteDatabase } from "./sqlite.js";

/** What keyv hands the adapter to keep: the value and when it expires. */
type Entry = { readonly value: unknown; readonly expires?: number };
type Pending = { readonly entry: Entry } | { readonly deleted: true };

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * keyv's storage on one SQLite file, with group commit: writes that arrive while a commit is
 * running are gathered and committed together in one transaction, so a burst costs a few disk
 * syncs instead of one per write. A write's promise resolves only once its transaction is
 * committed, so whatever a caller acknowledges after awaiting it survives a crash. Reads see
 * writes not yet committed. Values are serialized (in keyv's own format) when their commit runs,
 * so a value changed many times in a burst is serialized once per commit: a caller hands over
 * what it sets and does not change it afterwards. The table is the one `@keyv/sqlite` used, so existing stores open
 * unchanged; the file is switched to write-ahead logging, which makes each commit one sync and
 * lets reads run beside commits.
 */
export class SqliteKeyv extends EventEmitter implements KeyvStoreAdapter {
  readonly opts = { dialect: "sqlite" };
  namespace?: string;
  /** Writes waiting for the next commit, the last one per key. */
  private queued = new Map<string, Pending>();
  private queuedWaiters: Waiter[] = [];
  /** Writes in the commit now running. */
  private committing = new Map<string, Pending>();
  private flushing: Promise<void> | undefined;
  private readonly db: Promise<SqliteDatabase>;
  /** Reads go through their own connection: on the write-ahead log they never wait for a commit. */
  private readonly reader: Promise<SqliteDatabase>;

  constructor(file: string) {
    super();
    this.db = SqliteDatabase.open(file).then(async (db) => {
      await db.exec("PRAGMA busy_timeout = 5000");
      // Switching to the write-ahead log needs the file to itself for a moment: another
      // connection opening it at the same time makes it fail at once, so try again.
      for (let attempt = 1; ; attempt++) {
        try {
          await db.exec(`
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS keyv (key VARCHAR(255) PRIMARY KEY, value TEXT);`);
          return db;
        } catch (error) {
          if ((error as { code?: string }).code !== "SQLITE_BUSY" || attempt === 50) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    });
    this.reader = this.db.then(async () => {
      const reader = await SqliteDatabase.open(file, sqlite3.OPEN_READONLY);
      await reader.exec("PRAGMA busy_timeout = 5000");
      return reader;
    });
    // Reported on first use; keep an unawaited failure from crashing the process first.
    this.db.catch(() => undefined);
    this.reader.catch(() => undefined);
  }

  private latest(key: string): Pending | undefined {
    return this.queued.get(key) ?? this.committing.get(key);
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const pending = this.latest(key);
    if (pending) return "entry" in pending ? (pending.entry as StoredData<Value>) : undefined;
    const row = await (
      await this.reader
    ).get<{ value: string }>("SELECT value FROM keyv WHERE key = ?", [key]);
    return row ? (defaultDeserialize(row.value) as StoredData<Value>) : undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    return Promise.all(keys.map((key) => this.get<Value>(key)));
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  set(key: string, entry: Entry): Promise<void> {
    return this.enqueue(key, { entry });
  }

  async delete(key: string): Promise<boolean> {
    const existed = (await this.get(key)) !== undefined;
    await this.enqueue(key, { deleted: true });
    return existed;
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    const results = await Promise.all(keys.map((key) => this.delete(key)));
    return results.some(Boolean);
  }

  async clear(): Promise<void> {
    await this.settle();
    const prefix = this.namespace ? `${this.namespace}:` : "";
    await (
      await this.db
    ).run("DELETE FROM keyv WHERE substr(key, 1, ?) = ?", [prefix.length, prefix]);
  }

  /** Commits what is queued, then closes the file. */
  async disconnect(): Promise<void> {
    await this.settle();
    await (await this.reader).close();
    await (await this.db).close();
  }

  private enqueue(key: string, change: Pending): Promise<void> {
    this.queued.set(key, change);
    const done = new Promise<void>((resolve, reject) =>
      this.queuedWaiters.push({ resolve, reject }),
    );
    this.flushing ??= this.flush();
    return done;
  }

  /** Resolves once nothing is queued or committing. */
  private async settle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** Commits batch after batch until the queue is empty; one runs at a time. */
  private async flush(): Promise<void> {
    // Let the writes of this turn of the event loop join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while (this.queued.size > 0) {
        this.committing = this.queued;
        const waiters = this.queuedWaiters;
        this.queued = new Map();
        this.queuedWaiters = [];
        try {
          await this.commit(this.committing);
          for (const w of waiters) w.resolve();
        } catch (error) {
          this.emit("error", error);
          for (const w of waiters) w.reject(error);
        } finally {
          this.committing = new Map();
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async commit(batch: ReadonlyMap<string, Pending>): Promise<void> {
    const db = await this.db;
    const upserts: Array<[string, string]> = [];
    const deletes: string[] = [];
    for (const [key, change] of batch) {
      if ("entry" in change) upserts.push([key, defaultSerialize(change.entry)]);
      else deletes.push(key);
    }
    // One statement list, so a commit costs one trip to SQLite's thread instead of four: under a
    // burst each trip waits for the event loop. Values go in as one JSON string literal (quotes
    // doubled; JSON has no raw control characters), which SQLite reads with json_each.
    const statements = ["BEGIN IMMEDIATE;"];
    if (upserts.length > 0)
      statements.push(`INSERT INTO keyv (key, value)
        SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(${sqlString(JSON.stringify(upserts))}) WHERE true
        ON CONFLICT (key) DO UPDATE SET value = excluded.value;`);
    if (deletes.length > 0)
      statements.push(
        `DELETE FROM keyv WHERE key IN (SELECT value FROM json_each(${sqlString(JSON.stringify(deletes))}));`,
      );
    statements.push("COMMIT;");
    try {
      await db.exec(statements.join("\n"));
    } catch (error) {
      // Whatever stopped the list left the transaction open, or never began it.
      await db.exec("ROLLBACK").catch(() => undefined);
      throw error;
    }
  }
}

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
