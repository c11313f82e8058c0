import { randomUUID } from "node:crypto";
import os from "node:os";
import cron from "node-cron";
import type { Logger } from "pino";
import { findCandidates, type KnownNames } from "../candidates/detect.js";
import type { CandidateRepository } from "../candidates/repository.js";
import type { FeedSource } from "./config.js";
import { DEFAULT_FETCH_LIMITS, fetchFeed, type FetchLimits } from "./fetch.js";
import { ingestFeedItems, syncStoredDocuments } from "./ingest.js";
import { readFeed, type SkippedItem } from "./parse.js";
import type { FeedRepository, FeedState } from "./repository.js";
import { afterPoll, type PollOutcome } from "./state.js";

export interface FeedPollerDeps {
  readonly feeds: readonly FeedSource[];
  readonly repository: FeedRepository;
  readonly candidates: CandidateRepository;
  /** The catalogue's names as they are now (they change on reload). */
  readonly knownNames: () => KnownNames;
  /** Where gathered documents are written. */
  readonly documentsDir: string;
  readonly now: () => Date;
  readonly logger: Logger;
  readonly limits?: FetchLimits;
  /**
   * Called after a round in which documents were added or changed, by this process or another
   * on the same store, with their ids; at the first round, with every stored document's. Their
   * files are in `documentsDir` by then.
   */
  readonly onChange?: (docIds: string[]) => Promise<void>;
}

export interface FeedPollReport {
  readonly url: string;
  /** "busy": not due, disabled, or being polled by another process. */
  readonly outcome: PollOutcome["kind"] | "busy";
  readonly added: string[];
  readonly changed: string[];
  readonly skipped: SkippedItem[];
  readonly reason?: string;
  /** Set when this poll disabled the feed. */
  readonly disabled?: string;
}

/** A poll that outlives this (a hung process) no longer keeps others from polling the feed. */
export const POLL_LEASE_MS = 10 * 60_000;
const PARALLEL_FEEDS = 4;

/** What fires the polls: node-cron in the bot. */
export interface PollTimer {
  schedule(expression: string, tick: () => void): { stop(): void };
}

export const cronPollTimer: PollTimer = {
  schedule(expression, tick) {
    const task = cron.schedule(expression, () => tick(), { noOverlap: true });
    return { stop: () => void task.stop() };
  },
};

/**
 * Polls every feed, turns new and changed items into documents, and records candidates found in
 * them. Each feed's poll is claimed in the store first, so instances sharing it poll a feed once.
 */
export class FeedPoller {
  /** Who holds this poller's claims in the store. */
  readonly owner = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly stopping = new AbortController();
  private job?: { stop(): void };
  private round?: Promise<FeedPollReport[]>;
  /** The newest stored version this process has announced. */
  private revision = 0;

  constructor(private readonly deps: FeedPollerDeps) {}

  /** Polls once now, then on every tick of `expression`. */
  async start(expression: string, timer: PollTimer = cronPollTimer): Promise<void> {
    this.job = timer.schedule(expression, () => void this.pollAll());
    await this.pollAll();
  }

  /** One round over every feed; a round already running is joined, not doubled. */
  pollAll(): Promise<FeedPollReport[]> {
    this.round ??= this.runRound().finally(() => (this.round = undefined));
    return this.round;
  }

  /** Stops the timer and any fetch in flight, and waits for the round to end. */
  async stop(): Promise<void> {
    this.job?.stop();
    this.stopping.abort();
    await this.round?.catch(() => undefined);
  }

  private async runRound(): Promise<FeedPollReport[]> {
    const reports: FeedPollReport[] = [];
    try {
      const queue = [...this.deps.feeds];
      const worker = async () => {
        for (let feed = queue.shift(); feed; feed = queue.shift()) {
          if (this.stopping.signal.aborted) return;
          reports.push(await this.pollFeed(feed));
        }
      };
      await Promise.all(Array.from({ length: PARALLEL_FEEDS }, worker));
      await this.announceChanges();
    } catch (error) {
      this.deps.logger.error({ err: error }, "feed poll failed");
    }
    return reports;
  }

  /**
   * Tells the bot about documents stored since the last round, here or by another process on
   * the store, after writing the ones the documents folder lacks. The first round goes through
   * every stored document, so a process that starts later, or on another machine, has them all.
   */
  private async announceChanges(): Promise<void> {
    const stored = await this.deps.repository.storedItemsSince(this.revision);
    if (!stored.length) return;
    const ids = await syncStoredDocuments(this.deps.documentsDir, stored, (doc, problem) =>
      this.deps.logger.warn({ doc }, `stored document not written: ${problem}`),
    );
    this.revision = stored.at(-1)!.revision;
    await this.deps.onChange?.(ids);
  }

  /** Polls one feed if it is due and no one else is polling it. */
  async pollFeed(feed: FeedSource): Promise<FeedPollReport> {
    const { repository, logger } = this.deps;
    await repository.registerFeeds([feed]);
    const claimedAt = this.deps.now().getTime();
    const state = await repository.claimFeedPoll(feed.url, this.owner, claimedAt, POLL_LEASE_MS);
    if (!state) return { url: feed.url, outcome: "busy", added: [], changed: [], skipped: [] };
    const items = { added: [] as string[], changed: [] as string[], skipped: [] as SkippedItem[] };
    let outcome: PollOutcome;
    try {
      outcome = await this.fetchAndStore(feed, state, items);
    } catch (error) {
      outcome = {
        kind: "failed",
        reason: `could not store its items (${(error as Error).message})`,
      };
    }
    if (this.stopping.signal.aborted && outcome.kind === "failed") {
      // Shutting down is not the feed's failure: release the claim and leave the record be.
      await repository.finishFeedPoll(state, this.owner);
      return { url: feed.url, outcome: "busy", ...items };
    }
    const next = afterPoll(state, outcome, this.deps.now().getTime());
    if (!(await repository.finishFeedPoll(next, this.owner)))
      logger.warn({ feed: feed.url }, "feed poll outlived its lease; another poll may overlap");
    this.log(feed, state, next, items);
    return {
      url: feed.url,
      outcome: outcome.kind,
      ...items,
      ...("reason" in outcome ? { reason: outcome.reason } : {}),
      ...(next.disabledReason && !state.disabledReason ? { disabled: next.disabledReason } : {}),
    };
  }

  /** Fetches the feed and stores its new and changed items; `items` collects what happened. */
  private async fetchAndStore(
    feed: FeedSource,
    state: FeedState,
    items: { added: string[]; changed: string[]; skipped: SkippedItem[] },
  ): Promise<PollOutcome> {
    const limits = this.deps.limits ?? DEFAULT_FETCH_LIMITS;
    const fetched = await fetchFeed(feed.url, state, limits, this.stopping.signal);
    switch (fetched.kind) {
      case "not-modified":
      case "failed":
        return fetched;
      case "http-error": {
        const reason = `the server answered ${fetched.status}`;
        if (fetched.status === 404 || fetched.status === 410) return { kind: "gone", reason };
        return fetched.retryAfterMs === undefined
          ? { kind: "failed", reason }
          : { kind: "failed", reason, retryAfterMs: fetched.retryAfterMs };
      }
      case "fetched":
        break;
    }
    const read = readFeed(fetched.body);
    if (read.kind === "not-a-feed") return { kind: "gone", reason: read.reason };
    if (read.kind === "broken") return { kind: "failed", reason: read.reason };
    items.skipped.push(...read.skipped);
    const result = await ingestFeedItems(feed, read.items, {
      repository: this.deps.repository,
      documentsDir: this.deps.documentsDir,
      owner: this.owner,
      now: this.deps.now(),
    });
    items.added.push(...result.added);
    items.changed.push(...result.changed);
    items.skipped.push(...result.skipped);
    await this.recordCandidates(result.documents);
    return {
      kind: "fetched",
      etag: fetched.etag,
      lastModified: fetched.lastModified,
      added: result.added.length,
    };
  }

  private async recordCandidates(
    documents: ReadonlyArray<{ meta: { id: string; date: string }; text: string }>,
  ): Promise<void> {
    if (!documents.length) return;
    const known = this.deps.knownNames();
    // One time for the poll: its documents then list newest document first.
    const foundAt = this.deps.now().getTime();
    for (const { meta, text } of documents) {
      const found = findCandidates(text, known);
      await this.deps.candidates.replaceCandidates(meta.id, meta.date, found, foundAt);
      if (found.length)
        this.deps.logger.info(
          { doc: meta.id, candidates: found.map((c) => c.name) },
          "possible new models found",
        );
    }
  }

  private log(
    feed: FeedSource,
    before: FeedState,
    after: FeedState,
    items: { added: string[]; changed: string[]; skipped: SkippedItem[] },
  ): void {
    const { logger } = this.deps;
    for (const skip of items.skipped)
      logger.warn({ feed: feed.url, item: skip.item }, `feed item skipped: ${skip.reason}`);
    if (after.disabledReason && !before.disabledReason)
      logger.error({ feed: feed.url }, `feed disabled: ${after.disabledReason}`);
    else if (after.lastError)
      logger.warn(
        {
          feed: feed.url,
          failures: after.failures,
          nextPollAt: new Date(after.nextPollAt).toISOString(),
        },
        `feed poll failed: ${after.lastError}`,
      );
    if (items.added.length || items.changed.length)
      logger.info(
        { feed: feed.url, added: items.added, changed: items.changed },
        "feed documents stored",
      );
  }
}
