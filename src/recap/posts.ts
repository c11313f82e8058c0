import { z } from "zod";
import { SqliteDatabase } from "../store/sqlite.js";

/** One server's recap for one week's slot: claimed before posting, completed after. */
export const RecapPost = z.object({
  guildId: z.string(),
  /** The ISO week the slot falls in, "2026-W06". */
  week: z.string(),
  status: z.enum(["claimed", "posted", "skipped", "failed"]),
  owner: z.string(),
  leaseUntil: z.number(),
  /** Messages already posted, page by page, so a retry resumes instead of repeating. */
  messageIds: z.array(z.string()),
  channelId: z.string().nullable(),
  reason: z.string().nullable(),
  updatedAt: z.number(),
  /** How many pages the week's recap has, once known. */
  pageCount: z.number().int().nullable(),
  /**
   * The newest message in the channel before the first page was sent ("0" for an empty channel):
   * a page posted after it but never recorded (a crash in between) is found there, not sent twice.
   */
  anchorId: z.string().nullable(),
});
export type RecapPost = z.infer<typeof RecapPost>;

interface Row {
  guild_id: string;
  week: string;
  status: string;
  owner: string;
  lease_until: number;
  message_ids: string;
  channel_id: string | null;
  reason: string | null;
  updated_at: number;
  page_count: number | null;
  anchor_id: string | null;
}

/**
 * The durable record of which recaps were posted, shared by every process on the same store file.
 * Claims are single SQL statements, which SQLite serialises, so two instances can never both own
 * one server's week: that is what makes a recap post exactly once.
 */
export class RecapPosts {
  private constructor(private readonly db: SqliteDatabase) {}

  static async open(file: string): Promise<RecapPosts> {
    const db = await SqliteDatabase.open(file);
    await db.exec(`
      PRAGMA busy_timeout = 5000;
      CREATE TABLE IF NOT EXISTS recap_posts (
        guild_id TEXT NOT NULL,
        week TEXT NOT NULL,
        status TEXT NOT NULL,
        owner TEXT NOT NULL,
        lease_until INTEGER NOT NULL,
        message_ids TEXT NOT NULL DEFAULT '[]',
        channel_id TEXT,
        reason TEXT,
        updated_at INTEGER NOT NULL,
        page_count INTEGER,
        anchor_id TEXT,
        PRIMARY KEY (guild_id, week)
      );`);
    // Stores made before these columns existed get them empty.
    const columns = await db.all<{ name: string }>("PRAGMA table_info(recap_posts)");
    for (const column of ["page_count INTEGER", "anchor_id TEXT"])
      if (!columns.some((c) => c.name === column.split(" ")[0]))
        await db.exec(`ALTER TABLE recap_posts ADD COLUMN ${column}`);
    return new RecapPosts(db);
  }

  /**
   * Takes the week for `owner` unless it is posted, skipped, or claimed by someone whose lease is
   * still running. A failed week may be claimed again. True when `owner` holds it afterwards.
   */
  async claim(
    guildId: string,
    week: string,
    owner: string,
    channelId: string,
    now: number,
    leaseMs: number,
  ): Promise<boolean> {
    await this.db.run(
      `INSERT INTO recap_posts (guild_id, week, status, owner, lease_until, channel_id, updated_at)
       VALUES (?, ?, 'claimed', ?, ?, ?, ?)
       ON CONFLICT (guild_id, week) DO UPDATE SET
         status = 'claimed', owner = excluded.owner, lease_until = excluded.lease_until,
         channel_id = excluded.channel_id, updated_at = excluded.updated_at, reason = NULL
       WHERE recap_posts.status = 'failed'
          OR (recap_posts.status = 'claimed' AND recap_posts.lease_until <= excluded.updated_at)`,
      [guildId, week, owner, now + leaseMs, channelId, now],
    );
    const post = await this.get(guildId, week);
    return post?.status === "claimed" && post.owner === owner;
  }

  /**
   * Records how many pages the week has, and where the channel stood before its first page (kept
   * from an earlier attempt when there was one).
   */
  async plan(
    guildId: string,
    week: string,
    owner: string,
    pageCount: number,
    anchorId: string,
  ): Promise<void> {
    await this.db.run(
      `UPDATE recap_posts SET page_count = ?, anchor_id = COALESCE(anchor_id, ?)
       WHERE guild_id = ? AND week = ? AND owner = ? AND status = 'claimed'`,
      [pageCount, anchorId, guildId, week, owner],
    );
  }

  /** Records a posted page and extends the lease; false if the claim was lost meanwhile. */
  async progress(
    guildId: string,
    week: string,
    owner: string,
    messageIds: readonly string[],
    now: number,
    leaseMs: number,
  ): Promise<void> {
    await this.db.run(
      `UPDATE recap_posts SET message_ids = ?, lease_until = ?, updated_at = ?
       WHERE guild_id = ? AND week = ? AND owner = ? AND status = 'claimed'`,
      [JSON.stringify(messageIds), now + leaseMs, now, guildId, week, owner],
    );
  }

  async finish(
    guildId: string,
    week: string,
    owner: string,
    status: "posted" | "failed",
    reason: string | null,
    now: number,
  ): Promise<void> {
    await this.db.run(
      `UPDATE recap_posts SET status = ?, reason = ?, updated_at = ?
       WHERE guild_id = ? AND week = ? AND owner = ? AND status = 'claimed'`,
      [status, reason, now, guildId, week, owner],
    );
  }

  /**
   * A week begun but left unfinished past its catch-up window: a claim whose holder crashed
   * becomes failed, so status reports it. Failed weeks keep their reason.
   */
  async expire(guildId: string, week: string, reason: string, now: number): Promise<void> {
    await this.db.run(
      `UPDATE recap_posts SET status = 'failed', reason = COALESCE(reason, ?), updated_at = ?
       WHERE guild_id = ? AND week = ? AND status = 'claimed' AND lease_until <= ?`,
      [reason, now, guildId, week, now],
    );
  }

  /** Records a week that will not be posted (a missed slot), unless it has a record already. */
  async skip(guildId: string, week: string, reason: string, now: number): Promise<boolean> {
    await this.db.run(
      `INSERT OR IGNORE INTO recap_posts (guild_id, week, status, owner, lease_until, reason, updated_at)
       VALUES (?, ?, 'skipped', '', 0, ?, ?)`,
      [guildId, week, reason, now],
    );
    const post = await this.get(guildId, week);
    return post?.status === "skipped" && post.updatedAt === now;
  }

  async get(guildId: string, week: string): Promise<RecapPost | undefined> {
    const row = await this.db.get<Row>(
      "SELECT * FROM recap_posts WHERE guild_id = ? AND week = ?",
      [guildId, week],
    );
    return row ? toPost(row) : undefined;
  }

  /** The server's latest records, newest week first. */
  async latest(guildId: string, limit = 5): Promise<RecapPost[]> {
    const rows = await this.db.all<Row>(
      "SELECT * FROM recap_posts WHERE guild_id = ? ORDER BY week DESC LIMIT ?",
      [guildId, limit],
    );
    return rows.map(toPost);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

function toPost(row: Row): RecapPost {
  return RecapPost.parse({
    guildId: row.guild_id,
    week: row.week,
    status: row.status,
    owner: row.owner,
    leaseUntil: row.lease_until,
    messageIds: JSON.parse(row.message_ids) as unknown,
    channelId: row.channel_id,
    reason: row.reason,
    updatedAt: row.updated_at,
    pageCount: row.page_count,
    anchorId: row.anchor_id,
  });
}
