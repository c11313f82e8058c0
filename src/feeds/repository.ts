import { z } from "zod";
import { SqliteDatabase } from "../store/sqlite.js";

/** What the store knows of one feed: its conditional-request validators, failures and status. */
export const FeedState = z.object({
  url: z.string(),
  source: z.string(),
  etag: z.string().nullable(),
  lastModified: z.string().nullable(),
  /** No poll before this instant (ms): the wait after a failure, or the pause after a poll. */
  nextPollAt: z.number(),
  /** Failed polls in a row. */
  failures: z.number().int(),
  failingSince: z.number().nullable(),
  /** The first of an unbroken run of answers saying the feed is gone (404, 410, not a feed). */
  goneSince: z.number().nullable(),
  lastPolledAt: z.number().nullable(),
  lastSuccessAt: z.number().nullable(),
  lastError: z.string().nullable(),
  disabledAt: z.number().nullable(),
  disabledReason: z.string().nullable(),
  /** Documents the feed added. */
  documents: z.number().int(),
});
export type FeedState = z.infer<typeof FeedState>;

/** An item to claim: its identity, what it holds now, and the document it is (or becomes). */
export interface FeedItemClaim {
  /** The item's identity: from its guid, else its link, else its content hash. */
  readonly key: string;
  readonly feedUrl: string;
  readonly link: string | null;
  readonly contentHash: string;
  readonly docId: string;
}

export const FeedItemRecord = z.object({
  key: z.string(),
  feedUrl: z.string(),
  link: z.string().nullable(),
  contentHash: z.string(),
  docId: z.string(),
  status: z.enum(["claimed", "stored"]),
  /** The content of the document as last written; null until its first version is. */
  storedHash: z.string().nullable(),
  /** Grows with every stored version, across processes: "what changed since revision n". */
  revision: z.number().int(),
  firstSeenAt: z.number(),
  updatedAt: z.number(),
  /**
   * The document as last written (its metadata file and its text), so a process whose state
   * folder lacks it can write it there; null for a version stored before the store kept it.
   */
  document: z.object({ meta: z.string(), text: z.string() }).nullable(),
});
export type FeedItemRecord = z.infer<typeof FeedItemRecord>;

/** A document's two files, as written: `<id>.json` and its text. */
export interface StoredDocument {
  readonly meta: string;
  readonly text: string;
}

export type ItemClaim =
  /**
   * This process writes the document: `key` is the item's record (an earlier one of the same
   * post, found by its link, keeps its own), `storedHash` null for a new document.
   */
  | {
      readonly won: true;
      readonly key: string;
      readonly docId: string;
      readonly storedHash: string | null;
      readonly firstSeenAt: number;
    }
  /** Stored already as it is, held by another process, or a duplicate of another item. */
  | { readonly won: false };

/**
 * The shared record of feeds and their items. Every process polling the same store sees one
 * record, and claims are single statements, so an item becomes a document once however many
 * processes poll. The SQLite implementation below keeps it in the store's file.
 */
export interface FeedRepository {
  /** Adds configured feeds that have no record yet, and keeps their source names current. */
  registerFeeds(feeds: ReadonlyArray<{ url: string; source: string }>): Promise<void>;
  listFeeds(): Promise<FeedState[]>;
  /**
   * Takes the feed's next poll for `owner` when it is enabled, due, and not being polled
   * elsewhere (or that poll's lease ran out). Its state when won, else undefined.
   */
  claimFeedPoll(
    url: string,
    owner: string,
    now: number,
    leaseMs: number,
  ): Promise<FeedState | undefined>;
  /** Records the poll's outcome and releases the claim; false when the claim was lost meanwhile. */
  finishFeedPoll(state: FeedState, owner: string): Promise<boolean>;
  /** Clears a feed's disabled status and waits; false when no such feed is recorded. */
  enableFeed(url: string): Promise<boolean>;

  /**
   * Claims the item for `owner`, deciding and recording in one transaction, so that of several
   * processes ingesting the same post (in one feed or several) one wins. The item is looked up
   * by its key, else its link, else its content: a new item is won (`claim.docId` becomes its
   * document); a known one is won when its content changed, it came through this feed, and no
   * one else holds it (or their claim lapsed). Another feed's post, or another post's link or
   * content, is a duplicate.
   */
  claimFeedItem(
    claim: FeedItemClaim,
    owner: string,
    now: number,
    leaseMs: number,
  ): Promise<ItemClaim>;
  /** Marks the claimed version written, giving it the next revision, and keeps its document. */
  markFeedItemStored(
    key: string,
    owner: string,
    contentHash: string,
    now: number,
    document: StoredDocument,
  ): Promise<void>;
  /** Documents first seen in `[from, to)` (ms) and stored, newest first. */
  gatheredBetween(from: number, to: number): Promise<Array<{ docId: string; firstSeenAt: number }>>;
  /** Stored items whose latest version came after `revision`, oldest first. */
  storedItemsSince(revision: number): Promise<FeedItemRecord[]>;
  close(): Promise<void>;
}

export interface FeedRow {
  url: string;
  source: string;
  etag: string | null;
  last_modified: string | null;
  next_poll_at: number;
  failures: number;
  failing_since: number | null;
  gone_since: number | null;
  last_polled_at: number | null;
  last_success_at: number | null;
  last_error: string | null;
  disabled_at: number | null;
  disabled_reason: string | null;
  documents: number;
}

export interface ItemRow {
  key: string;
  feed_url: string;
  link: string | null;
  content_hash: string;
  doc_id: string;
  status: string;
  stored_hash: string | null;
  revision: number;
  first_seen_at: number;
  updated_at: number;
  document_meta: string | null;
  document_text: string | null;
}

export class SqliteFeedRepository implements FeedRepository {
  private constructor(private readonly db: SqliteDatabase) {}

  /** Opens the tables in the store's SQLite file (beside the recap claims). */
  static async open(file: string): Promise<SqliteFeedRepository> {
    const db = await SqliteDatabase.open(file);
    // IMMEDIATE takes the write lock first, so instances opening together wait for each other
    // instead of failing with SQLITE_BUSY.
    await db.exec(`
      PRAGMA busy_timeout = 5000;
      BEGIN IMMEDIATE;
      CREATE TABLE IF NOT EXISTS feeds (
        url TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        owner TEXT NOT NULL DEFAULT '',
        lease_until INTEGER NOT NULL DEFAULT 0,
        next_poll_at INTEGER NOT NULL DEFAULT 0,
        failures INTEGER NOT NULL DEFAULT 0,
        failing_since INTEGER,
        gone_since INTEGER,
        last_polled_at INTEGER,
        last_success_at INTEGER,
        last_error TEXT,
        disabled_at INTEGER,
        disabled_reason TEXT,
        documents INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE IF NOT EXISTS feed_items (
        key TEXT PRIMARY KEY,
        feed_url TEXT NOT NULL,
        link TEXT UNIQUE,
        content_hash TEXT NOT NULL UNIQUE,
        doc_id TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        owner TEXT NOT NULL,
        lease_until INTEGER NOT NULL,
        stored_hash TEXT,
        revision INTEGER NOT NULL DEFAULT 0,
        first_seen_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS feed_items_revision ON feed_items (revision);
      CREATE INDEX IF NOT EXISTS feed_items_first_seen ON feed_items (first_seen_at);`);
    try {
      // Documents are kept with their items since the index takes them in one by one.
      const columns = await db.all<{ name: string }>("PRAGMA table_info(feed_items)");
      if (!columns.some((c) => c.name === "document_meta"))
        await db.exec(`
          ALTER TABLE feed_items ADD COLUMN document_meta TEXT;
          ALTER TABLE feed_items ADD COLUMN document_text TEXT;`);
      await db.exec("COMMIT");
    } catch (error) {
      await db.exec("ROLLBACK").catch(() => undefined);
      await db.close();
      throw error;
    }
    return new SqliteFeedRepository(db);
  }

  async registerFeeds(feeds: ReadonlyArray<{ url: string; source: string }>): Promise<void> {
    for (const feed of feeds) {
      await this.db.run(
        `INSERT INTO feeds (url, source) VALUES (?, ?)
         ON CONFLICT (url) DO UPDATE SET source = excluded.source WHERE source <> excluded.source`,
        [feed.url, feed.source],
      );
    }
  }

  async listFeeds(): Promise<FeedState[]> {
    return (await this.db.all<FeedRow>("SELECT * FROM feeds ORDER BY url")).map(toFeedState);
  }

  async claimFeedPoll(
    url: string,
    owner: string,
    now: number,
    leaseMs: number,
  ): Promise<FeedState | undefined> {
    const row = await this.db.transaction((tx) =>
      tx.get<FeedRow>(
        `UPDATE feeds SET owner = ?, lease_until = ?
       WHERE url = ? AND disabled_at IS NULL AND next_poll_at <= ? AND lease_until <= ?
       RETURNING *`,
        [owner, now + leaseMs, url, now, now],
      ),
    );
    return row ? toFeedState(row) : undefined;
  }

  async finishFeedPoll(state: FeedState, owner: string): Promise<boolean> {
    const row = await this.db.transaction((tx) =>
      tx.get<{ url: string }>(
        `UPDATE feeds SET etag = $etag, last_modified = $lastModified, next_poll_at = $nextPollAt,
         failures = $failures, failing_since = $failingSince, gone_since = $goneSince,
         last_polled_at = $lastPolledAt, last_success_at = $lastSuccessAt, last_error = $lastError,
         disabled_at = $disabledAt, disabled_reason = $disabledReason, documents = $documents,
         owner = '', lease_until = 0
       WHERE url = $url AND owner = $owner
       RETURNING url`,
        {
          $url: state.url,
          $owner: owner,
          $etag: state.etag,
          $lastModified: state.lastModified,
          $nextPollAt: state.nextPollAt,
          $failures: state.failures,
          $failingSince: state.failingSince,
          $goneSince: state.goneSince,
          $lastPolledAt: state.lastPolledAt,
          $lastSuccessAt: state.lastSuccessAt,
          $lastError: state.lastError,
          $disabledAt: state.disabledAt,
          $disabledReason: state.disabledReason,
          $documents: state.documents,
        },
      ),
    );
    return row !== undefined;
  }

  async enableFeed(url: string): Promise<boolean> {
    const row = await this.db.transaction((tx) =>
      tx.get<{ url: string }>(
        `UPDATE feeds SET disabled_at = NULL, disabled_reason = NULL, failures = 0,
         failing_since = NULL, gone_since = NULL, last_error = NULL, next_poll_at = 0
       WHERE url = ? RETURNING url`,
        [url],
      ),
    );
    return row !== undefined;
  }

  async claimFeedItem(
    claim: FeedItemClaim,
    owner: string,
    now: number,
    leaseMs: number,
  ): Promise<ItemClaim> {
    // Most polls see items stored as they are: no write lock for those.
    const unchanged = await this.db.get(
      "SELECT 1 FROM feed_items WHERE key = ? AND status = 'stored' AND stored_hash = ?",
      [claim.key, claim.contentHash],
    );
    if (unchanged) return { won: false };
    try {
      return await this.db.transaction(async (tx) => {
        const known = await tx.get<ItemRow & { lease_until: number }>(
          `SELECT * FROM feed_items WHERE key = $key OR link = $link OR content_hash = $hash
           ORDER BY CASE WHEN key = $key THEN 0 WHEN link = $link THEN 1 ELSE 2 END LIMIT 1`,
          { $key: claim.key, $link: claim.link, $hash: claim.contentHash },
        );
        if (!known) {
          await tx.run(
            `INSERT INTO feed_items (key, feed_url, link, content_hash, doc_id, status, owner,
               lease_until, first_seen_at, updated_at)
             VALUES (?, ?, ?, ?, ?, 'claimed', ?, ?, ?, ?)`,
            [
              claim.key,
              claim.feedUrl,
              claim.link,
              claim.contentHash,
              claim.docId,
              owner,
              now + leaseMs,
              now,
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
        await tx.run(
          `UPDATE feed_items SET content_hash = ?, link = coalesce(?, link), status = 'claimed',
             owner = ?, lease_until = ?, updated_at = ?
           WHERE key = ?`,
          [claim.contentHash, claim.link, owner, now + leaseMs, now, known.key],
        );
        return {
          won: true,
          key: known.key,
          docId: known.doc_id,
          storedHash: known.stored_hash,
          firstSeenAt: known.first_seen_at,
        };
      });
    } catch (error) {
      // Another item holds this link, content or document id: this one is a duplicate.
      if ((error as { code?: string }).code === "SQLITE_CONSTRAINT") return { won: false };
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
    await this.db.run(
      `UPDATE feed_items SET status = 'stored', stored_hash = content_hash, lease_until = 0,
         updated_at = ?, revision = (SELECT coalesce(max(revision), 0) + 1 FROM feed_items),
         document_meta = ?, document_text = ?
       WHERE key = ? AND owner = ? AND status = 'claimed' AND content_hash = ?`,
      [now, document.meta, document.text, key, owner, contentHash],
    );
  }

  async gatheredBetween(
    from: number,
    to: number,
  ): Promise<Array<{ docId: string; firstSeenAt: number }>> {
    return this.db.all(
      `SELECT doc_id AS docId, first_seen_at AS firstSeenAt FROM feed_items
       WHERE status = 'stored' AND first_seen_at >= ? AND first_seen_at < ?
       ORDER BY first_seen_at DESC, doc_id`,
      [from, to],
    );
  }

  async storedItemsSince(revision: number): Promise<FeedItemRecord[]> {
    const rows = await this.db.all<ItemRow>(
      "SELECT * FROM feed_items WHERE revision > ? AND status = 'stored' ORDER BY revision",
      [revision],
    );
    return rows.map(toItem);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

/**
 * Whether a claim may take the item record found for it (by key, link or content): the same
 * post, through the feed that stored it, changed since, and held by no one (or their claim
 * lapsed). A post is updated only through the feed that first stored it: two feeds carrying it
 * with different text (a summary, the full post) would otherwise rewrite it every poll.
 */
export function mayTake(
  known: Pick<ItemRow, "key" | "link" | "feed_url" | "status" | "stored_hash"> & {
    lease_until: number | string;
  },
  claim: FeedItemClaim,
  now: number,
): boolean {
  const samePost = known.key === claim.key || (claim.link !== null && known.link === claim.link);
  if (!samePost || known.feed_url !== claim.feedUrl) return false;
  return known.status === "stored"
    ? known.stored_hash !== claim.contentHash
    : Number(known.lease_until) <= now;
}

export function toFeedState(row: FeedRow): FeedState {
  return FeedState.parse({
    url: row.url,
    source: row.source,
    etag: row.etag,
    lastModified: row.last_modified,
    nextPollAt: row.next_poll_at,
    failures: row.failures,
    failingSince: row.failing_since,
    goneSince: row.gone_since,
    lastPolledAt: row.last_polled_at,
    lastSuccessAt: row.last_success_at,
    lastError: row.last_error,
    disabledAt: row.disabled_at,
    disabledReason: row.disabled_reason,
    documents: row.documents,
  });
}

export function toItem(row: ItemRow): FeedItemRecord {
  return FeedItemRecord.parse({
    key: row.key,
    feedUrl: row.feed_url,
    link: row.link,
    contentHash: row.content_hash,
    docId: row.doc_id,
    status: row.status,
    storedHash: row.stored_hash,
    revision: row.revision,
    firstSeenAt: row.first_seen_at,
    updatedAt: row.updated_at,
    document:
      row.document_meta !== null && row.document_text !== null
        ? { meta: row.document_meta, text: row.document_text }
        : null,
  });
}
