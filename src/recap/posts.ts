import { z } from "zod";
import { SqliteDatabase } from "../store/sqlite.js";

/** One server's recap for one week's slot: claimed before posting, completed after. */
export const RecapPost = z.object({
  guildId: z.string(),
  /** The ISO week the slot falls in, "2026-W06". */
  week: z.string(),
  status: z.enum(["claimed", "posted", "skipped", "failed"]),
  owner: z.string(),
  /**
   * Rises with every claim of the week: only the run holding the latest fence may record pages
   * or finish, so a run that lost its claim (a long pause, then a takeover) changes nothing.
   */
  fence: z.number().int(),
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

/**
 * The durable record of which recaps were posted, shared by every process on the same store. A
 * claim is one statement, so two processes can never both hold one server's week, and it returns
 * a fencing number that every later write must present: that is what makes a recap post exactly
 * once. SQLite (below) and Postgres (store/postgres) keep it.
 */
export interface RecapPostRepository {
  /**
   * Takes the week for `owner` unless it is posted, skipped, or claimed by someone whose lease is
   * still running. A failed week may be claimed again. The claim's fence when won.
   */
  claim(
    guildId: string,
    week: string,
    owner: string,
    channelId: string,
    now: number,
    leaseMs: number,
  ): Promise<number | undefined>;
  /**
   * Records how many pages the week has, and where the channel stood before its first page (kept
   * from an earlier attempt when there was one). False when the claim was lost.
   */
  plan(
    guildId: string,
    week: string,
    fence: number,
    pageCount: number,
    anchorId: string,
  ): Promise<boolean>;
  /** Records the pages posted so far and extends the lease; false when the claim was lost. */
  progress(
    guildId: string,
    week: string,
    fence: number,
    messageIds: readonly string[],
    now: number,
    leaseMs: number,
  ): Promise<boolean>;
  /** Completes the claim; false when it was lost meanwhile. */
  finish(
    guildId: string,
    week: string,
    fence: number,
    status: "posted" | "failed",
    reason: string | null,
    now: number,
  ): Promise<boolean>;
  /**
   * A week begun but left unfinished past its catch-up window: a claim whose holder crashed
   * becomes failed, so status reports it. Failed weeks keep their reason.
   */
  expire(guildId: string, week: string, reason: string, now: number): Promise<void>;
  /** Records a week that will not be posted (a missed slot), unless it has a record already. */
  skip(guildId: string, week: string, reason: string, now: number): Promise<boolean>;
  get(guildId: string, week: string): Promise<RecapPost | undefined>;
  /** The server's latest records, newest week first. */
  latest(guildId: string, limit?: number): Promise<RecapPost[]>;
  close(): Promise<void>;
}

/** A recap_posts row, as both SQL stores return it. */
export interface RecapPostRow {
  guild_id: string;
  week: string;
  status: string;
  owner: string;
  fence: number;
  lease_until: number;
  message_ids: string;
  channel_id: string | null;
  reason: string | null;
  updated_at: number;
  page_count: number | null;
  anchor_id: string | null;
}

/** The recap records in the store's SQLite file, shared by every process on that file. */
export class SqliteRecapPosts implements RecapPostRepository {
  private constructor(private readonly db: SqliteDatabase) {}

  static async open(file: string): Promise<SqliteRecapPosts> {
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
        fence INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (guild_id, week)
      );`);
    // Stores made before these columns existed get them empty.
    const columns = await db.all<{ name: string }>("PRAGMA table_info(recap_posts)");
    for (const column of [
      "page_count INTEGER",
      "anchor_id TEXT",
      "fence INTEGER NOT NULL DEFAULT 0",
    ])
      if (!columns.some((c) => c.name === column.split(" ")[0]))
        // Another process opening the same file may have added it a moment ago.
        await db.exec(`ALTER TABLE recap_posts ADD COLUMN ${column}`).catch((error: Error) => {
          if (!/duplicate column name/.test(error.message)) throw error;
        });
    return new SqliteRecapPosts(db);
  }

  async claim(
    guildId: string,
    week: string,
    owner: string,
    channelId: string,
    now: number,
    leaseMs: number,
  ): Promise<number | undefined> {
    // In a transaction of its own: the returned fence then means the claim is committed.
    const row = await this.db.transaction((tx) =>
      tx.get<{ fence: number }>(
        `INSERT INTO recap_posts (guild_id, week, status, owner, fence, lease_until, channel_id, updated_at)
       VALUES (?, ?, 'claimed', ?, 1, ?, ?, ?)
       ON CONFLICT (guild_id, week) DO UPDATE SET
         status = 'claimed', owner = excluded.owner, fence = recap_posts.fence + 1,
         lease_until = excluded.lease_until, channel_id = excluded.channel_id,
         updated_at = excluded.updated_at, reason = NULL
       WHERE recap_posts.status = 'failed'
          OR (recap_posts.status = 'claimed' AND recap_posts.lease_until <= excluded.updated_at)
       RETURNING fence`,
        [guildId, week, owner, now + leaseMs, channelId, now],
      ),
    );
    return row?.fence;
  }

  async plan(
    guildId: string,
    week: string,
    fence: number,
    pageCount: number,
    anchorId: string,
  ): Promise<boolean> {
    return this.held(
      `UPDATE recap_posts SET page_count = ?, anchor_id = COALESCE(anchor_id, ?)
       WHERE guild_id = ? AND week = ? AND fence = ? AND status = 'claimed' RETURNING fence`,
      [pageCount, anchorId, guildId, week, fence],
    );
  }

  async progress(
    guildId: string,
    week: string,
    fence: number,
    messageIds: readonly string[],
    now: number,
    leaseMs: number,
  ): Promise<boolean> {
    return this.held(
      `UPDATE recap_posts SET message_ids = ?, lease_until = ?, updated_at = ?
       WHERE guild_id = ? AND week = ? AND fence = ? AND status = 'claimed' RETURNING fence`,
      [JSON.stringify(messageIds), now + leaseMs, now, guildId, week, fence],
    );
  }

  async finish(
    guildId: string,
    week: string,
    fence: number,
    status: "posted" | "failed",
    reason: string | null,
    now: number,
  ): Promise<boolean> {
    return this.held(
      `UPDATE recap_posts SET status = ?, reason = ?, updated_at = ?
       WHERE guild_id = ? AND week = ? AND fence = ? AND status = 'claimed' RETURNING fence`,
      [status, reason, now, guildId, week, fence],
    );
  }

  /** Runs a write that only the fence's holder may make; true when it was made. */
  private async held(sql: string, params: Array<string | number | null>): Promise<boolean> {
    return (await this.db.transaction((tx) => tx.get(sql, params))) !== undefined;
  }

  async expire(guildId: string, week: string, reason: string, now: number): Promise<void> {
    await this.db.run(
      `UPDATE recap_posts SET status = 'failed', reason = COALESCE(reason, ?), updated_at = ?
       WHERE guild_id = ? AND week = ? AND status = 'claimed' AND lease_until <= ?`,
      [reason, now, guildId, week, now],
    );
  }

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
    const row = await this.db.get<RecapPostRow>(
      "SELECT * FROM recap_posts WHERE guild_id = ? AND week = ?",
      [guildId, week],
    );
    return row ? toPost(row) : undefined;
  }

  async latest(guildId: string, limit = 5): Promise<RecapPost[]> {
    const rows = await this.db.all<RecapPostRow>(
      "SELECT * FROM recap_posts WHERE guild_id = ? ORDER BY week DESC LIMIT ?",
      [guildId, limit],
    );
    return rows.map(toPost);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

export function toPost(row: RecapPostRow): RecapPost {
  return RecapPost.parse({
    guildId: row.guild_id,
    week: row.week,
    status: row.status,
    owner: row.owner,
    fence: row.fence,
    leaseUntil: row.lease_until,
    messageIds: JSON.parse(row.message_ids) as unknown,
    channelId: row.channel_id,
    reason: row.reason,
    updatedAt: row.updated_at,
    pageCount: row.page_count,
    anchorId: row.anchor_id,
  });
}
