import type { Coordination } from "../coordination.js";
import type { PostgresDatabase } from "./database.js";

/** The database server's clock in milliseconds since 1970: one clock for every machine. */
const NOW = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

export class PostgresCoordination implements Coordination {
  constructor(private readonly db: PostgresDatabase) {}

  async reserveIdentify(bucket: number, spacingMs: number): Promise<number> {
    const [row] = await this.db.query<{ wait: number }>(
      "identify.reserve",
      `INSERT INTO identify_slots AS s (bucket, next_at) VALUES ($1, ${NOW} + $2)
       ON CONFLICT (bucket) DO UPDATE SET next_at = greatest(s.next_at, ${NOW}) + $2
       RETURNING next_at - $2 - ${NOW} AS wait`,
      [bucket, spacingMs],
    );
    return Math.max(0, row?.wait ?? 0);
  }

  async claimLease(name: string, owner: string, ms: number): Promise<boolean> {
    const rows = await this.db.query(
      "lease.claim",
      `INSERT INTO leases AS l (name, owner, until_at) VALUES ($1, $2, ${NOW} + $3)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until_at = excluded.until_at
       WHERE l.until_at <= ${NOW} OR l.owner = excluded.owner
       RETURNING owner`,
      [name, owner, ms],
    );
    return rows.length > 0;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.db.query("lease.release", "DELETE FROM leases WHERE name = $1 AND owner = $2", [
      name,
      owner,
    ]);
  }

  async close(): Promise<void> {}
}
