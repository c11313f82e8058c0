import sqlite3 from "sqlite3";

export type SqlParams = Record<string, string | number | null> | Array<string | number | null>;

/** A promise-shaped view of one sqlite3 connection: just what the project uses. */
export class SqliteDatabase {
  private constructor(private readonly db: sqlite3.Database) {}

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

  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => this.db.exec(sql, (e) => (e ? reject(e) : resolve())));
  }

  run(sql: string, params: SqlParams = []): Promise<void> {
    return new Promise((resolve, reject) =>
      this.db.run(sql, params, (e) => (e ? reject(e) : resolve())),
    );
  }

  all<T>(sql: string, params: SqlParams = []): Promise<T[]> {
    return new Promise((resolve, reject) =>
      this.db.all(sql, params, (e, rows) => (e ? reject(e) : resolve(rows as T[]))),
    );
  }

  get<T>(sql: string, params: SqlParams = []): Promise<T | undefined> {
    return new Promise((resolve, reject) =>
      this.db.get(sql, params, (e, row) => (e ? reject(e) : resolve(row as T | undefined))),
    );
  }

  /** Inserts many rows through one prepared statement inside one transaction. */
  async insertMany(sql: string, rows: Iterable<SqlParams>): Promise<void> {
    await this.exec("BEGIN");
    const statement = this.db.prepare(sql);
    try {
      for (const row of rows) {
        await new Promise<void>((resolve, reject) =>
          statement.run(row, (e) => (e ? reject(e) : resolve())),
        );
      }
      await new Promise<void>((resolve, reject) =>
        statement.finalize((e) => (e ? reject(e) : resolve())),
      );
      await this.exec("COMMIT");
    } catch (error) {
      await this.exec("ROLLBACK").catch(() => undefined);
      throw error;
    }
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.db.close((e) => (e ? reject(e) : resolve())));
  }
}
