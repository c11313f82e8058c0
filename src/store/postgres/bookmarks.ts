import type { z } from "zod";
import {
  Bookmark,
  mostSavedFirst,
  newestFirst,
  type BookmarkCount,
  type BookmarkRepository,
  type SaveOutcome,
  type Staged,
} from "../../bookmarks/repository.js";
import { KeyedMutex, schemaProblem, type ProblemReporter } from "../records.js";
import type { PostgresDatabase } from "./database.js";

/**
 * Bookmarks as rows, one per member and message: every change is one statement on its own rows,
 * so changes from several processes never overwrite each other. A save also takes the member's
 * lock for its transaction, so the limit holds when two processes save for one member at once.
 */
export class PostgresBookmarks implements BookmarkRepository {
  /** A member's events apply in arrival order in this process, as with the embedded store. */
  private readonly members_ = new KeyedMutex();

  constructor(
    private readonly db: PostgresDatabase,
    private readonly report: ProblemReporter,
  ) {}

  async list(guildId: string, userId: string): Promise<Bookmark[]> {
    const rows = await this.db.query<{ message_id: string; data: unknown }>(
      "bookmarks.list",
      "SELECT message_id, data FROM bookmarks WHERE guild_id = $1 AND user_id = $2",
      [guildId, userId],
    );
    return rows
      .flatMap((row) =>
        valid(Bookmark, row.data, `bookmarks:${guildId}:${userId}:${row.message_id}`, this.report),
      )
      .sort(newestFirst);
  }

  async save(userId: string, bookmark: Bookmark, limit: number): Promise<SaveOutcome> {
    const data = Bookmark.parse(bookmark);
    return this.db.transaction("bookmarks.save", async (tx) => {
      await tx.query("bookmarks.save", "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [
        `bookmarks:${data.guildId}:${userId}`,
      ]);
      const [row] = await tx.query<{ had: boolean; saved: boolean }>(
        "bookmarks.save",
        `WITH mine AS (
           SELECT count(*) AS n, coalesce(bool_or(message_id = $3), false) AS had
           FROM bookmarks WHERE guild_id = $1 AND user_id = $2
         ), added AS (
           INSERT INTO bookmarks (guild_id, user_id, message_id, saved_at, kind, data)
           SELECT $1, $2, $3, $4, $5, $6::jsonb FROM mine WHERE NOT had AND n < $7
           ON CONFLICT DO NOTHING
           RETURNING 1
         )
         SELECT (SELECT had FROM mine) AS had, EXISTS (SELECT 1 FROM added) AS saved`,
        [
          data.guildId,
          userId,
          data.messageId,
          data.savedAt,
          data.kind,
          JSON.stringify(data),
          limit,
        ],
      );
      if (row?.saved) return "saved";
      return row?.had ? "already-saved" : "limit-reached";
    });
  }

  async remove(guildId: string, userId: string, messageId: string): Promise<boolean> {
    const rows = await this.db.query(
      "bookmarks.remove",
      `DELETE FROM bookmarks WHERE guild_id = $1 AND user_id = $2 AND message_id = $3
       RETURNING 1 AS removed`,
      [guildId, userId, messageId],
    );
    return rows.length > 0;
  }

  async clear(guildId: string, userId: string): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(
      "bookmarks.clear",
      `WITH gone AS (DELETE FROM bookmarks WHERE guild_id = $1 AND user_id = $2 RETURNING 1)
       SELECT count(*) AS n FROM gone`,
      [guildId, userId],
    );
    return row?.n ?? 0;
  }

  async markMessageDeleted(guildId: string, messageId: string, at: Date): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(
      "bookmarks.mark-deleted",
      `WITH marked AS (
         UPDATE bookmarks SET deleted = true, data = data || jsonb_build_object('deletedAt', $3::text)
         WHERE guild_id = $1 AND message_id = $2 AND NOT deleted RETURNING 1
       ) SELECT count(*) AS n FROM marked`,
      [guildId, messageId, at.toISOString()],
    );
    return row?.n ?? 0;
  }

  async members(guildId: string): Promise<string[]> {
    const rows = await this.db.query<{ user_id: string }>(
      "bookmarks.members",
      "SELECT DISTINCT user_id FROM bookmarks WHERE guild_id = $1 ORDER BY user_id",
      [guildId],
    );
    return rows.map((row) => row.user_id);
  }

  async mostBookmarked(guildId: string, from: Date, to: Date): Promise<BookmarkCount[]> {
    const rows = await this.db.query<{
      message_id: string;
      channel_id: string;
      title: string;
      n: number;
    }>(
      "bookmarks.most",
      `SELECT message_id, min(data->>'channelId') AS channel_id, min(data->>'title') AS title,
              count(*) AS n
       FROM bookmarks
       WHERE guild_id = $1 AND kind = 'answer' AND NOT deleted AND saved_at >= $2 AND saved_at < $3
       GROUP BY message_id`,
      [guildId, from.toISOString(), to.toISOString()],
    );
    return rows
      .map((row) => ({
        messageId: row.message_id,
        channelId: row.channel_id,
        title: row.title,
        count: row.n,
      }))
      .sort(mostSavedFirst);
  }

  forMember<T>(guildId: string, userId: string, work: () => Promise<T>): Promise<T> {
    return this.members_.run(`${guildId}:${userId}`, work);
  }

  /** Each change is one statement already: staged is stored. */
  async stageSave(userId: string, bookmark: Bookmark, limit: number): Promise<Staged<SaveOutcome>> {
    return { outcome: await this.save(userId, bookmark, limit), stored: Promise.resolve() };
  }

  async stageRemove(guildId: string, userId: string, messageId: string): Promise<Staged<boolean>> {
    return { outcome: await this.remove(guildId, userId, messageId), stored: Promise.resolve() };
  }
}

/** A stored value that passes its schema, or nothing (reported, left in place). */
export function valid<T>(
  schema: z.ZodType<T>,
  raw: unknown,
  key: string,
  report: ProblemReporter,
): T[] {
  let value = raw;
  try {
    if (typeof raw === "string") value = JSON.parse(raw) as unknown;
  } catch {
    report({ key, message: "is not JSON" });
    return [];
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return [parsed.data];
  report({ key, message: schemaProblem(parsed.error) });
  return [];
}
