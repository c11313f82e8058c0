import { SqliteDatabase } from "./sqlite.js";

/**
 * What the processes of one bot agree on through their shared store. Times come from the
 * database's own clock, so machines whose clocks differ still take turns.
 */
export interface Coordination {
  /**
   * Reserves the next identify turn of a rate-limit bucket, `spacingMs` after the one before it,
   * and says how long to wait for it (0 when it is now).
   */
  reserveIdentify(bucket: number, spacingMs: number): Promise<number>;
  /** Takes a named lease for `owner` (free, lapsed, or its own), for `ms`; true when it holds it. */
  claimLease(name: string, owner: string, ms: number): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;
  close(): Promise<void>;
}

/** SQLite's clock in milliseconds since 1970, read inside the statement. */
const SQLITE_NOW = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

/** The same, for processes that share one SQLite file on one machine. */
export class SqliteCoordination implements Coordination {
  private constructor(private readonly db: SqliteDatabase) {}

  static async open(file: string): Promise<SqliteCoordination> {
    const db = await SqliteDatabase.open(file);
    await db.exec(`
      PRAGMA busy_timeout = 5000;
      BEGIN IMMEDIATE;
      CREATE TABLE IF NOT EXISTS identify_slots (bucket INTEGER PRIMARY KEY, next_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, until_at INTEGER NOT NULL);
      COMMIT;`);
    return new SqliteCoordination(db);
  }

  async reserveIdentify(bucket: number, spacingMs: number): Promise<number> {
    const row = await this.db.transaction((tx) =>
      tx.get<{ wait: number }>(
        `INSERT INTO identify_slots AS s (bucket, next_at) VALUES (?1, ${SQLITE_NOW} + ?2)
       ON CONFLICT (bucket) DO UPDATE SET next_at = max(s.next_at, ${SQLITE_NOW}) + ?2
       RETURNING next_at - ?2 - ${SQLITE_NOW} AS wait`,
        [bucket, spacingMs],
      ),
    );
    return Math.max(0, row?.wait ?? 0);
  }

  async claimLease(name: string, owner: string, ms: number): Promise<boolean> {
    const row = await this.db.transaction((tx) =>
      tx.get(
        `INSERT INTO leases AS l (name, owner, until_at) VALUES (?1, ?2, ${SQLITE_NOW} + ?3)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until_at = excluded.until_at
       WHERE l.until_at <= ${SQLITE_NOW} OR l.owner = excluded.owner
       RETURNING owner`,
        [name, owner, ms],
      ),
    );
    return row !== undefined;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.db.run("DELETE FROM leases WHERE name = ? AND owner = ?", [name, owner]);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
