import {
  toPost,
  type RecapPost,
  type RecapPostRepository,
  type RecapPostRow,
} from "../../recap/posts.js";
import type { PostgresDatabase } from "./database.js";

/** The recap records in Postgres: the same statements as SQLite's, one per call. */
export class PostgresRecapPosts implements RecapPostRepository {
  constructor(private readonly db: PostgresDatabase) {}

  async claim(
    guildId: string,
    week: string,
    owner: string,
    channelId: string,
    now: number,
    leaseMs: number,
  ): Promise<number | undefined> {
    const [row] = await this.db.query<{ fence: number }>(
      "recap.claim",
      `INSERT INTO recap_posts AS p
         (guild_id, week, status, owner, fence, lease_until, channel_id, updated_at)
       VALUES ($1, $2, 'claimed', $3, 1, $4, $5, $6)
       ON CONFLICT (guild_id, week) DO UPDATE SET
         status = 'claimed', owner = excluded.owner, fence = p.fence + 1,
         lease_until = excluded.lease_until, channel_id = excluded.channel_id,
         updated_at = excluded.updated_at, reason = NULL
       WHERE p.status = 'failed' OR (p.status = 'claimed' AND p.lease_until <= excluded.updated_at)
       RETURNING fence`,
      [guildId, week, owner, now + leaseMs, channelId, now],
    );
    return row?.fence;
  }

  plan(
    guildId: string,
    week: string,
    fence: number,
    pageCount: number,
    anchorId: string,
  ): Promise<boolean> {
    return this.held(
      "recap.plan",
      `UPDATE recap_posts SET page_count = $3, anchor_id = COALESCE(anchor_id, $4)
       WHERE guild_id = $1 AND week = $2 AND fence = $5 AND status = 'claimed' RETURNING fence`,
      [guildId, week, pageCount, anchorId, fence],
    );
  }

  progress(
    guildId: string,
    week: string,
    fence: number,
    messageIds: readonly string[],
    now: number,
    leaseMs: number,
  ): Promise<boolean> {
    return this.held(
      "recap.progress",
      `UPDATE recap_posts SET message_ids = $3, lease_until = $4, updated_at = $5
       WHERE guild_id = $1 AND week = $2 AND fence = $6 AND status = 'claimed' RETURNING fence`,
      [guildId, week, JSON.stringify(messageIds), now + leaseMs, now, fence],
    );
  }

  finish(
    guildId: string,
    week: string,
    fence: number,
    status: "posted" | "failed",
    reason: string | null,
    now: number,
  ): Promise<boolean> {
    return this.held(
      "recap.finish",
      `UPDATE recap_posts SET status = $3, reason = $4, updated_at = $5
       WHERE guild_id = $1 AND week = $2 AND fence = $6 AND status = 'claimed' RETURNING fence`,
      [guildId, week, status, reason, now, fence],
    );
  }

  private async held(
    operation: string,
    sql: string,
    values: Array<string | number | null>,
  ): Promise<boolean> {
    return (await this.db.query(operation, sql, values)).length > 0;
  }

  async expire(guildId: string, week: string, reason: string, now: number): Promise<void> {
    await this.db.query(
      "recap.expire",
      `UPDATE recap_posts SET status = 'failed', reason = COALESCE(reason, $3), updated_at = $4
       WHERE guild_id = $1 AND week = $2 AND status = 'claimed' AND lease_until <= $4`,
      [guildId, week, reason, now],
    );
  }

  async skip(guildId: string, week: string, reason: string, now: number): Promise<boolean> {
    const rows = await this.db.query(
      "recap.skip",
      `INSERT INTO recap_posts (guild_id, week, status, owner, lease_until, reason, updated_at)
       VALUES ($1, $2, 'skipped', '', 0, $3, $4) ON CONFLICT DO NOTHING RETURNING week`,
      [guildId, week, reason, now],
    );
    return rows.length > 0;
  }

  async get(guildId: string, week: string): Promise<RecapPost | undefined> {
    const [row] = await this.db.query<RecapPostRow>(
      "recap.get",
      "SELECT * FROM recap_posts WHERE guild_id = $1 AND week = $2",
      [guildId, week],
    );
    return row ? toPost(row) : undefined;
  }

  async latest(guildId: string, limit = 5): Promise<RecapPost[]> {
    const rows = await this.db.query<RecapPostRow>(
      "recap.latest",
      "SELECT * FROM recap_posts WHERE guild_id = $1 ORDER BY week DESC LIMIT $2",
      [guildId, limit],
    );
    return rows.map(toPost);
  }

  /** The database belongs to the store, which closes it. */
  async close(): Promise<void> {}
}
