import pg from "pg";
import type { Logger } from "pino";
import { timeStoreCall as timed } from "../../ops/metrics.js";
import { withDeadline } from "../deadline.js";

export type SqlValue = string | number | boolean | null | readonly string[] | readonly number[];

/** What repositories run statements on: the pool, or one transaction's connection. */
export interface Sql {
  query<T extends object>(
    operation: string,
    text: string,
    values?: readonly SqlValue[],
  ): Promise<T[]>;
}

export interface PostgresOptions {
  readonly url: string;
  /** Every call's deadline, ms. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** Connections for statements and transactions. */
  readonly poolSize?: number;
}

/**
 * One Postgres database, through `pg` pools, where every call has a deadline: a database that is
 * slow or gone fails the call with StoreUnavailableError within `timeoutMs`, never a hang. The
 * server enforces the same limit on statements and lock waits, so nothing it runs outlives the
 * caller's interest in it.
 */
export class PostgresDatabase implements Sql {
  readonly timeoutMs: number;
  private readonly pool: pg.Pool;
  /** Connections that hold a cross-process lock while work runs on the main pool. */
  private readonly lockPool: pg.Pool;

  constructor(options: PostgresOptions) {
    this.timeoutMs = options.timeoutMs;
    const config: pg.PoolConfig = {
      connectionString: options.url,
      connectionTimeoutMillis: options.timeoutMs,
      query_timeout: options.timeoutMs,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      options: [
        `-c statement_timeout=${options.timeoutMs}`,
        `-c lock_timeout=${options.timeoutMs}`,
        // A transaction abandoned by a crashed caller must not hold its locks for long.
        "-c idle_in_transaction_session_timeout=60000",
      ].join(" "),
      application_name: "modeldex",
      // BIGINT columns hold millisecond times and counts, all well within a JS number.
      types: {
        getTypeParser: ((oid: number, format?: "text" | "binary") =>
          oid === pg.types.builtins.INT8
            ? (value: string) => Number(value)
            : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    };
    this.pool = new pg.Pool({ ...config, max: options.poolSize ?? 10 });
    this.lockPool = new pg.Pool({ ...config, max: 4 });
    // An idle connection the server dropped (a restart, say) is replaced on next use; without a
    // listener its error would end the process.
    for (const pool of [this.pool, this.lockPool])
      pool.on("error", (error) =>
        options.logger.warn(
          { err: error },
          "a Postgres connection was lost; it is replaced on next use",
        ),
      );
  }

  query<T extends object>(
    operation: string,
    text: string,
    values: readonly SqlValue[] = [],
  ): Promise<T[]> {
    return timed(operation, () => this.untimed(operation, text, values));
  }

  /** A statement with its deadline, for callers that time their calls themselves (keyv's). */
  async untimed<T extends object>(
    operation: string,
    text: string,
    values: readonly unknown[] = [],
  ): Promise<T[]> {
    return withDeadline(operation, this.timeoutMs, async () => {
      const result = await this.pool.query<T>(text, values as unknown[]);
      return result.rows;
    });
  }

  /**
   * Runs `work` in one transaction on one connection; commits when it resolves, rolls back when it
   * throws. Each statement inside has the usual deadline, or `timeoutMs`.
   */
  async transaction<T>(
    operation: string,
    work: (tx: Sql) => Promise<T>,
    timeoutMs = this.timeoutMs,
  ): Promise<T> {
    const client = await withDeadline(`${operation} (connect)`, this.timeoutMs, () =>
      this.pool.connect(),
    );
    const tx: Sql = {
      query: <R extends object>(step: string, text: string, values: readonly SqlValue[] = []) =>
        timed(step, () =>
          withDeadline(step, timeoutMs, async () => {
            const result = await client.query<R>(text, values as unknown[]);
            return result.rows;
          }),
        ),
    };
    let broken: unknown;
    try {
      await tx.query(operation, "BEGIN");
      const result = await work(tx);
      await tx.query(operation, "COMMIT");
      return result;
    } catch (error) {
      broken = error;
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      // A connection that failed mid-transaction is closed rather than handed to the next caller.
      client.release(broken ? true : undefined);
    }
  }

  /**
   * Takes a lock every process on this database respects, named by `name`, and resolves with its
   * release. It is held by its own connection, so a process that dies releases it at once.
   */
  async lock(name: string): Promise<() => Promise<void>> {
    const operation = "lock";
    const client = await withDeadline(`${operation} (connect)`, this.timeoutMs, () =>
      this.lockPool.connect(),
    );
    try {
      await timed(operation, () =>
        withDeadline(operation, this.timeoutMs, () =>
          client.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [name]),
        ),
      );
    } catch (error) {
      // Closing the connection drops the lock too, if the server granted it after all.
      client.release(true);
      throw error;
    }
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      try {
        await client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [name]);
        client.release();
      } catch {
        client.release(true);
      }
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.end(), this.lockPool.end()]);
  }
}
