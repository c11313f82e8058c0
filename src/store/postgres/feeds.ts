import {
  mayTake,
  toFeedState,
  toItem,
  type FeedItemClaim,
  type FeedItemRecord,
  type FeedRepository,
  type FeedRow,
  type FeedState,
  type ItemClaim,
  type ItemRow,
  type StoredDocument,
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

  async claimFeedItem(
    claim: FeedItemClaim,
    owner: string,
    now: number,
    leaseMs: number,
  ): Promise<ItemClaim> {
    // Most polls see items stored as they are: no transaction for those.
    const [unchanged] = await this.db.query(
      "feeds.item-unchanged",
      "SELECT 1 AS one FROM feed_items WHERE key = $1 AND status = 'stored' AND stored_hash = $2",
      [claim.key, claim.contentHash],
    );
    if (unchanged) return { won: false };
    try {
      return await this.db.transaction("feeds.claim-item", async (tx) => {
        // The row found is locked until the claim commits, so a rival waits and then sees it.
        const [known] = await tx.query<ItemRow & { lease_until: number }>(
          "feeds.claim-item",
          `SELECT * FROM feed_items WHERE key = $1 OR link = $2 OR content_hash = $3
           ORDER BY CASE WHEN key = $1 THEN 0 WHEN link = $2 THEN 1 ELSE 2 END LIMIT 1
           FOR UPDATE`,
          [claim.key, claim.link, claim.contentHash],
        );
        if (!known) {
          await tx.query(
            "feeds.claim-item",
            `INSERT INTO feed_items (key, feed_url, link, content_hash, doc_id, status, owner,
               lease_until, first_seen_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'claimed', $6, $7, $8, $8)`,
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
          return {
            won: true,
            key: claim.key,
            docId: claim.docId,
            storedHash: null,
            firstSeenAt: now,
          };
        }
        if (!mayTake(known, claim, now)) return { won: false };
        await tx.query(
          "feeds.claim-item",
          `UPDATE feed_items SET content_hash = $1, link = coalesce($2, link), status = 'claimed',
             owner = $3, lease_until = $4, updated_at = $5
           WHERE key = $6`,
          [claim.contentHash, claim.link, owner, now + leaseMs, now, known.key],
        );
        return {
          won: true,
          key: known.key,
          docId: known.doc_id,
          storedHash: known.stored_hash,
          firstSeenAt: Number(known.first_seen_at),
        };
      });
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
    document: StoredDocument,
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
           updated_at = $1, revision = (SELECT coalesce(max(revision), 0) + 1 FROM feed_items),
           document_meta = $5, document_text = $6
         WHERE key = $2 AND owner = $3 AND status = 'claimed' AND content_hash = $4`,
        [now, key, owner, contentHash, document.meta, document.text],
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

  async gatheredBetween(
    from: number,
    to: number,
  ): Promise<Array<{ docId: string; firstSeenAt: number }>> {
    const rows = await this.db.query<{ doc_id: string; first_seen_at: number }>(
      "feeds.gathered",
      `SELECT doc_id, first_seen_at FROM feed_items
       WHERE status = 'stored' AND first_seen_at >= $1 AND first_seen_at < $2
       ORDER BY first_seen_at DESC, doc_id COLLATE "C"`,
      [from, to],
    );
    return rows.map((r) => ({ docId: r.doc_id, firstSeenAt: Number(r.first_seen_at) }));
  }

  async close(): Promise<void> {}
}
