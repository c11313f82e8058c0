import sqlite3 from "sqlite3";

export type SqlParams = Record<string, string | number | null> | Array<string | number | null>;

/** The statements a transaction runs (see `SqliteDatabase.transaction`). */
export interface SqlStatements {
  exec(sql: string): Promise<void>;
  run(sql: string, params?: SqlParams): Promise<void>;
  all<T>(sql: string, params?: SqlParams): Promise<T[]>;
  get<T>(sql: string, params?: SqlParams): Promise<T | undefined>;
}

/** A promise-shaped view of one sqlite3 connection: just what the project uses. */
export class SqliteDatabase implements SqlStatements {
  /** Settles when the transaction running on this connection ends. */
  private transactionEnd: Promise<void> | undefined;
  private readonly raw: SqlStatements;

  private constructor(private readonly db: sqlite3.Database) {
    this.raw = {
      exec: (sql) =>
        new Promise((resolve, reject) => db.exec(sql, (e) => (e ? reject(e) : resolve()))),
      run: (sql, params = []) =>
        new Promise((resolve, reject) => db.run(sql, params, (e) => (e ? reject(e) : resolve()))),
      all: <T>(sql: string, params: SqlParams = []) =>
        new Promise<T[]>((resolve, reject) =>
          db.all(sql, params, (e, rows) => (e ? reject(e) : resolve(rows as T[]))),
        ),
      get: <T>(sql: string, params: SqlParams = []) =>
        new Promise<T | undefined>((resolve, reject) =>
          db.get(sql, params, (e, row) => (e ? reject(e) : resolve(row as T | undefined))),
        ),
    };
  }

  static open(
    file: string,
    mode = sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE,
  ): Promise<SqliteDatabase> {
    return new Promise((resolve, reject) => {
      const db = new sqlite3.Database(file, mode, (error) =>
        error ? reject(error) : resolve(new SqliteDatabase(db)),
      );
      // One statement at a time, in order: a connection runs one anyway, and queued statements
      // would otherwise each hold a thread of libuv's small pool while they wait for it.
      db.serialize();
    });
  }

  /**
   * Statements wait for a transaction in progress, so none joins it by accident. `op` is
   * called in the same turn as the last check, before another transaction can begin.
   */
  private async whenIdle<T>(op: () => Promise<T>): Promise<T> {
    while (this.transactionEnd) await this.transactionEnd;
    return op();
  }

  exec(sql: string): Promise<void> {
    return this.whenIdle(() => this.raw.exec(sql));
  }

  run(sql: string, params: SqlParams = []): Promise<void> {
    return this.whenIdle(() => this.raw.run(sql, params));
  }

  all<T>(sql: string, params: SqlParams = []): Promise<T[]> {
    return this.whenIdle(() => this.raw.all<T>(sql, params));
  }

  get<T>(sql: string, params: SqlParams = []): Promise<T | undefined> {
    return this.whenIdle(() => this.raw.get<T>(sql, params));
  }

  /**
   * Runs `work` in one write transaction (`BEGIN IMMEDIATE`, so writers from other processes
   * take turns) and commits it, or rolls it back when anything fails. Writes that must be seen
   * to have happened go through here: an `INSERT … RETURNING` read with `get` hands back its row
   * before SQLite commits, and a commit that fails then (a lock held too long under load) is
   * otherwise lost without a word, leaving the caller sure of a write that never happened.
   */
  async transaction<T>(work: (tx: SqlStatements) => Promise<T>): Promise<T> {
    while (this.transactionEnd) await this.transactionEnd;
    let end!: () => void;
    this.transactionEnd = new Promise((resolve) => (end = resolve));
    try {
      await this.raw.exec("BEGIN IMMEDIATE");
      try {
        const result = await work(this.raw);
        await this.raw.exec("COMMIT");
        return result;
      } catch (error) {
        await this.raw.exec("ROLLBACK").catch(() => undefined);
        throw error;
      }
    } finally {
      this.transactionEnd = undefined;
      end();
    }
  }

  /** Inserts many rows through one prepared statement inside one transaction. */
  insertMany(sql: string, rows: Iterable<SqlParams>): Promise<void> {
    return this.transaction(async () => {
      const statement = this.db.prepare(sql);
      for (const row of rows) {
        await new Promise<void>((resolve, reject) =>
          statement.run(row, (e) => (e ? reject(e) : resolve())),
        );
      }
      await new Promise<void>((resolve, reject) =>
        statement.finalize((e) => (e ? reject(e) : resolve())),
      );
    });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.db.close((e) => (e ? reject(e) : resolve())));
  }
}
