import {
  toFeedState,
  toItem,
  type FeedItemClaim,
  type FeedItemRecord,
  type FeedRepository,
  type FeedRow,
  type FeedState,
  type ItemClaim,
  type ItemRow,
} from "../../feeds/repository.js";
import type { PostgresDatabase } from "./database.js";

/** The feeds' record in Postgres: the same claims as SQLite's, one statement each. */
export class PostgresFeedRepository implements FeedRepository {
  constructor(private readonly db: PostgresDatabase) {}

  async registerFeeds(feeds: ReadonlyArray<{ url: string; source: string }>): Promise<void> {
    for (const feed of feeds) {
      await this.db.query(
        "feeds.register",
        `INSERT INTO feeds AS f (url, source) VALUES ($1, $2)
         ON CONFLICT (url) DO UPDATE SET source = excluded.source WHERE f.source <> excluded.source`,
        [feed.url, feed.source],
      );
    }
  }

  async listFeeds(): Promise<FeedState[]> {
    const rows = await this.db.query<FeedRow>(
      "feeds.list",
      `SELECT * FROM feeds ORDER BY url COLLATE "C"`,
    );
    return rows.map(toFeedState);
  }

  async claimFeedPoll(
    url: string,
    owner: string,
    now: number,
    leaseMs: number,
  ): Promise<FeedState | undefined> {
    const [row] = await this.db.query<FeedRow>(
      "feeds.claim",
      `UPDATE feeds SET owner = $2, lease_until = $3
       WHERE url = $1 AND disabled_at IS NULL AND next_poll_at <= $4 AND lease_until <= $4
       RETURNING *`,
      [url, owner, now + leaseMs, now],
    );
    return row ? toFeedState(row) : undefined;
  }

  async finishFeedPoll(state: FeedState, owner: string): Promise<boolean> {
    const rows = await this.db.query(
      "feeds.finish",
      `UPDATE feeds SET etag = $3, last_modified = $4, next_poll_at = $5, failures = $6,
         failing_since = $7, gone_since = $8, last_polled_at = $9, last_success_at = $10,
         last_error = $11, disabled_at = $12, disabled_reason = $13, documents = $14,
         owner = '', lease_until = 0
       WHERE url = $1 AND owner = $2
       RETURNING url`,
      [
        state.url,
        owner,
        state.etag,
        state.lastModified,
        state.nextPollAt,
        state.failures,
        state.failingSince,
        state.goneSince,
        state.lastPolledAt,
        state.lastSuccessAt,
        state.lastError,
        state.disabledAt,
        state.disabledReason,
        state.documents,
      ],
    );
    return rows.length > 0;
  }

  async enableFeed(url: string): Promise<boolean> {
    const rows = await this.db.query(
      "feeds.enable",
      `UPDATE feeds SET disabled_at = NULL, disabled_reason = NULL, failures = 0,
         failing_since = NULL, gone_since = NULL, last_error = NULL, next_poll_at = 0
       WHERE url = $1 RETURNING url`,
      [url],
    );
    return rows.length > 0;
  }

  async findFeedItem(
    key: string,
    link: string | null,
    contentHash: string,
  ): Promise<FeedItemRecord | undefined> {
    const [row] = await this.db.query<ItemRow>(
      "feeds.find-item",
      `SELECT * FROM feed_items WHERE key = $1 OR link = $2 OR content_hash = $3
       ORDER BY CASE WHEN key = $1 THEN 0 WHEN link = $2 THEN 1 ELSE 2 END LIMIT 1`,
      [key, link, contentHash],
    );
    return row ? toItem(row) : undefined;
  }

  async claimFeedItem(
    claim: FeedItemClaim,
    owner: string,
    now: number,
    leaseMs: number,
  ): Promise<ItemClaim> {
    try {
      const [row] = await this.db.query<{ doc_id: string; stored_hash: string | null }>(
        "feeds.claim-item",
        `INSERT INTO feed_items AS i (key, feed_url, link, content_hash, doc_id, status, owner,
           lease_until, first_seen_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'claimed', $6, $7, $8, $8)
         ON CONFLICT (key) DO UPDATE SET
           content_hash = excluded.content_hash, link = coalesce(excluded.link, i.link),
           status = 'claimed', owner = excluded.owner, lease_until = excluded.lease_until,
           updated_at = excluded.updated_at
         WHERE (i.status = 'stored' AND i.stored_hash <> excluded.content_hash)
            OR (i.status = 'claimed' AND i.lease_until <= excluded.updated_at)
         RETURNING doc_id, stored_hash`,
        [
          claim.key,
          claim.feedUrl,
          claim.link,
          claim.contentHash,
          claim.docId,
          owner,
          now + leaseMs,
          now,
        ],
      );
      return row ? { won: true, docId: row.doc_id, storedHash: row.stored_hash } : { won: false };
    } catch (error) {
      // Another item holds this link, content or document id: this one is a duplicate.
      if ((error as { code?: string }).code === "23505") return { won: false };
      throw error;
    }
  }

  async markFeedItemStored(
    key: string,
    owner: string,
    contentHash: string,
    now: number,
  ): Promise<void> {
    // Revisions are handed out one at a time, so a reader never sees a later one before an
    // earlier one is committed.
    await this.db.transaction("feeds.mark-stored", async (tx) => {
      await tx.query("feeds.mark-stored", "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [
        "feeds:revision",
      ]);
      await tx.query(
        "feeds.mark-stored",
        `UPDATE feed_items SET status = 'stored', stored_hash = content_hash, lease_until = 0,
           updated_at = $1, revision = (SELECT coalesce(max(revision), 0) + 1 FROM feed_items)
         WHERE key = $2 AND owner = $3 AND status = 'claimed' AND content_hash = $4`,
        [now, key, owner, contentHash],
      );
    });
  }

  async storedItemsSince(revision: number): Promise<FeedItemRecord[]> {
    const rows = await this.db.query<ItemRow>(
      "feeds.items-since",
      "SELECT * FROM feed_items WHERE revision > $1 AND status = 'stored' ORDER BY revision",
      [revision],
    );
    return rows.map(toItem);
  }

  async latestRevision(): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(
      "feeds.latest-revision",
      "SELECT coalesce(max(revision), 0) AS n FROM feed_items",
    );
    return row?.n ?? 0;
  }

  async close(): Promise<void> {}
}
