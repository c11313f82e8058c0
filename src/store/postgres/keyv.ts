import { KeyvPostgres } from "@keyv/postgres";
import { Keyv } from "keyv";
import type { Logger } from "pino";
import { timed, type KeyValueStore } from "../keyv.js";
import type { PostgresDatabase } from "./database.js";

/**
 * @keyv/postgres, on this database's pool instead of the one it keeps per connection string for
 * the whole process (which its `disconnect` would end for every user): every call then has the
 * database's deadline. Its table is created by the schema migrations (with a TEXT key, where the
 * adapter would make a VARCHAR(255)), so the adapter's own CREATE finds it there.
 */
class PooledKeyvPostgres extends KeyvPostgres {
  override async connect() {
    const db = (this.opts as { database?: PostgresDatabase }).database!;
    return (sql: string, values?: unknown[]) =>
      db.untimed<Record<string, unknown>>("keyv", sql, values);
  }

  /** The pool belongs to the database, which closes it. */
  override async disconnect(): Promise<void> {}
}

export function openPostgresKeyv(db: PostgresDatabase, logger: Logger): KeyValueStore {
  const adapter = new PooledKeyvPostgres({ database: db } as never);
  const store = new Keyv({
    store: timed(adapter),
    namespace: "modeldex",
    // A failed read must fail its caller: "not found" would hide an outage behind wrong answers.
    throwOnErrors: true,
  });
  store.on("error", (error: unknown) => logger.warn({ err: error }, "key-value store error"));
  return store;
}
