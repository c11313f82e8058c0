import { Events, type Client } from "discord.js";
import type { Logger } from "pino";
import { commandDefinitions, commandsByName } from "../../commands/index.js";
import { catalogNames } from "../candidates/detect.js";
import type { Config } from "../config.js";
import { isServerEmoji, listenForBookmarks, makeBookmarkable } from "../discord/bookmarks.js";
import { createClient } from "../discord/client.js";
import { recommendedShards, resolveShards, SharedIdentifyThrottler } from "../discord/shards.js";
import { shardOfGuild } from "../discord/shard-of.js";
import { deployIfChanged } from "../discord/deploy.js";
import { shardCount, shardStates } from "../discord/gateway.js";
import { InteractionFollowUps } from "../discord/followups.js";
import { createRouter } from "../discord/router.js";
import { recapPosterFor } from "../discord/recap.js";
import { feedDocumentsDir } from "../feeds/ingest.js";
import { FeedPoller, type PollTimer } from "../feeds/poller.js";
import { IndexReplacedError } from "../search/index.js";
import { cronTimer, RecapScheduler, type Timer } from "../recap/scheduler.js";
import type { KeyValueStore } from "../store/keyv.js";
import { openStorage, type FeedStores, type Storage } from "../store/storage.js";
import { createAppContext } from "./bootstrap.js";
import type { AppContext, AppHooks } from "./context.js";
import { KnowledgeThread } from "./knowledge-thread.js";
import { applyCorpusChanges, readChangedDocuments } from "./live-corpus.js";

/** A replaced index stays open this long for the work that started on it. */
const RETIRED_INDEX_OPEN_MS = 60_000;

export interface BotOptions {
  readonly config: Config;
  readonly token: string;
  readonly logger: Logger;
  readonly skipInvalid?: boolean;
  /** The clock; tests move it. */
  readonly now?: () => Date;
  /** What fires the weekly recap jobs (node-cron unless a test cranks it by hand). */
  readonly timer?: Timer;
  /** What fires the feed polls (node-cron on FEED_POLL unless a test cranks it by hand). */
  readonly feedTimer?: PollTimer;
}

export interface RunningBot {
  readonly client: Client;
  /** The key-value store (in `storage`). */
  readonly store: KeyValueStore;
  readonly storage: Storage;
  readonly recaps: RecapScheduler;
  /** Polls the configured feeds; undefined when there are none. */
  readonly feeds: FeedPoller | undefined;
  context(): AppContext;
  /** Resolves once logged in and the commands are deployed (or found up to date). */
  readonly ready: Promise<void>;
  /** Rebuilds the corpus, index and catalogue from disk without dropping the connection. */
  reload(): Promise<void>;
  /** Stops taking interactions, finishes the ones in flight, closes everything. */
  stop(): Promise<void>;
  /** Stops at once, finishing nothing, as a crash would: for tests of what survives one. */
  kill(): Promise<void>;
}

/**
 * The bot: config → store → corpus, search and catalogue → discord.js client → jobs. `npm start`
 * runs it (src/index.ts); the end-to-end tests run the same function against the emulator.
 */
export async function startBot(options: BotOptions): Promise<RunningBot> {
  const { config, logger } = options;
  const storage = await openStorage(config, logger);
  const store = storage.kv;
  const posts = storage.recapPosts;
  // Loading and indexing run on their own thread, so members are answered meanwhile.
  const builder = new KnowledgeThread();
  const hooks: AppHooks = {
    // Replaced once the scheduler exists; commands only run after that.
    recapChanged: () => undefined,
    recapHistory: (guildId) => posts.latest(guildId),
    reload: async () => {
      await bot.reload();
      return { documents: ctx.corpus.documents.length };
    },
    // Replaced once the client exists.
    isServerEmoji: async () => false,
    status: () => ({
      storeKind: storage.kind,
      shards: shardStates(client),
      shardCount: shardCount(client),
    }),
  };
  const boot = () =>
    createAppContext({
      dataDir: config.dataDir,
      stateDir: config.stateDir,
      store,
      logger,
      skipInvalid: options.skipInvalid,
      bookmarkLimit: config.bookmarkLimit,
      now: options.now,
      hooks,
      builder,
      repositories: (report) => storage.repositories(report),
      feedRecords: feedStores,
    });
  let ctx: AppContext;
  let feedStores: FeedStores | undefined;
  let shards: Awaited<ReturnType<typeof resolveShards>>;
  try {
    // Opened with or without feeds: moderators see candidates and the recap its documents from
    // whichever process gathered them.
    feedStores = await storage.openFeeds();
    ctx = await boot();
    shards = await resolveShards(config.shards, recommendedShards(config, options.token));
  } catch (error) {
    await builder.close();
    await storage.close().catch(() => undefined);
    throw error;
  }
  logger.info(
    {
      documents: ctx.corpus.documents.length,
      passages: ctx.searchIndex.passageCount,
      indexBuilt: ctx.searchIndex.built,
      models: ctx.catalog.catalog.models.length,
      labs: ctx.catalog.catalog.labs.length,
    },
    "corpus ready",
  );

  const client = createClient(config, {
    shards,
    workers: config.shards.workers,
    throttler: async (manager) =>
      new SharedIdentifyThrottler(
        storage.coordination,
        (await manager.fetchGatewayInformation()).session_start_limit.max_concurrency,
        logger,
      ),
  });
  if (shards.count > 1 || config.shards.workers)
    logger.info(
      { shards: shards.ids, shardCount: shards.count, workers: config.shards.workers },
      "gateway shards",
    );
  // Stopping cuts short the retries of failed replies and reactions, so shutdown does not wait
  // out an outage.
  const stopping = new AbortController();
  const router = createRouter({
    registry: commandsByName,
    context: () => ctx,
    logger,
    followUps: new InteractionFollowUps(client, logger, stopping.signal),
    queueLimit: config.queueLimit,
    onAnswer: (message, answer) => makeBookmarkable(ctx, client, message, answer, stopping.signal),
  });
  client.on(Events.InteractionCreate, (interaction) => router.handle(interaction));
  const reactions = listenForBookmarks(client, () => ctx, logger);
  const scheduler = new RecapScheduler({
    store,
    report: (problem) => ctx.reportProblem(problem),
    timer: options.timer ?? cronTimer,
    logger,
    poster: recapPosterFor(client, () => ctx, posts, logger),
    // Each process posts the recaps of the servers on its own shards.
    ownsGuild: (guildId) => shards.ids.includes(shardOfGuild(guildId, shards.count)),
  });
  hooks.isServerEmoji = (guildId, emojiId) => isServerEmoji(client, guildId, emojiId);
  // A new schedule also finishes a week left half-posted (a pause, fixed, then `set` again).
  hooks.recapChanged = (guildId) =>
    void scheduler.reschedule(guildId).then(() => scheduler.run(guildId));
  const feeds =
    config.feeds.length > 0 && feedStores
      ? new FeedPoller({
          feeds: config.feeds,
          repository: feedStores.items,
          candidates: feedStores.candidates,
          knownNames: () => catalogNames(ctx.catalog.catalog),
          documentsDir: feedDocumentsDir(config.stateDir),
          now: () => (options.now ?? (() => new Date()))(),
          logger,
          // New and changed documents go into the index and the catalogues' mentions as they are.
          onChange: async (docIds) => {
            if (stopped) return;
            await takeIn(docIds).catch((error: unknown) => {
              logger.error(
                { err: error },
                "could not take in the documents gathered from feeds; keeping the corpus loaded",
              );
            });
          },
        })
      : undefined;
  client.on(Events.Error, (error) => logger.error({ err: error }, "discord client error"));
  client.on(Events.Warn, (message) => logger.warn(message));

  const ready = new Promise<void>((resolve) => {
    client.once(Events.ClientReady, async (readyClient) => {
      logger.info(
        { user: readyClient.user.tag, guilds: readyClient.guilds.cache.size },
        "logged in",
      );
      try {
        const target = {
          applicationId: config.applicationId ?? readyClient.application.id,
          guildId: config.guildId,
        };
        const outcome = await deployIfChanged(
          client.rest,
          target,
          commandDefinitions(),
          store,
          storage.coordination,
        );
        logger.info(
          { scope: target.guildId ?? "global", deployed: outcome === "deployed", outcome },
          outcome === "deployed" ? "commands deployed" : "commands up to date",
        );
      } catch (error) {
        logger.error({ err: error }, "could not deploy commands; run `npm run deploy-commands`");
      }
      await scheduler
        .start()
        .catch((error: unknown) => logger.error({ err: error }, "could not start the recap jobs"));
      // The first poll runs in the background: commands do not wait for the feeds.
      feeds
        ?.start(config.feedPoll, options.feedTimer)
        .catch((error: unknown) => logger.error({ err: error }, "could not start the feed polls"));
      resolve();
    });
  });

  let stopped = false;
  let reloading: Promise<void> | undefined;
  /** Changes to the loaded knowledge, one at a time: documents taken in, or a reload. */
  let changing: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const run = changing.then(work, work);
    changing = run.catch(() => undefined);
    return run;
  };
  const documentsDir = feedDocumentsDir(config.stateDir);
  const takeIn = (docIds: readonly string[]) =>
    serially(async () => {
      const changes = await readChangedDocuments(documentsDir, docIds, (doc, problem) =>
        logger.warn({ doc }, `gathered document skipped: ${problem}`),
      );
      try {
        const next = await applyCorpusChanges(ctx, documentsDir, changes);
        if (next === ctx) return;
        ctx = next;
        logger.info(
          { documents: ctx.corpus.documents.length, changed: changes.map((c) => c.docId) },
          "corpus updated",
        );
      } catch (error) {
        // Another process rebuilt the index file: read everything again, as on SIGHUP.
        if (!(error instanceof IndexReplacedError)) throw error;
        await reloadNow();
      }
    });
  const retired = new Set<AppContext>();
  const closeIndex = (old: AppContext) => {
    retired.delete(old);
    return old.searchIndex.close().catch(() => undefined);
  };
  // Members are answered from the loaded data until the new data is ready, then it replaces it
  // at once.
  async function reloadNow(): Promise<void> {
    const next = await boot();
    const previous = ctx;
    ctx = next;
    retired.add(previous);
    setTimeout(() => void closeIndex(previous), RETIRED_INDEX_OPEN_MS).unref();
    logger.info({ documents: next.corpus.documents.length }, "corpus reloaded");
  }
  const bot: RunningBot = {
    client,
    store,
    storage,
    recaps: scheduler,
    feeds,
    context: () => ctx,
    ready,
    reload() {
      // One reload at a time: a second request while one runs waits for it.
      reloading ??= serially(reloadNow).finally(() => (reloading = undefined));
      return reloading;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      client.removeAllListeners(Events.InteractionCreate);
      stopping.abort();
      await scheduler.stop();
      await feeds?.stop();
      await router.drain();
      // No more events after this; then what was already received is written before closing.
      await client.destroy();
      await reactions.drain();
      await builder.close();
      await Promise.all([...retired].map(closeIndex));
      await ctx.searchIndex.close().catch(() => undefined);
      await storage.close().catch(() => undefined);
    },
    async kill() {
      if (stopped) return;
      stopped = true;
      client.removeAllListeners();
      stopping.abort();
      void scheduler.stop();
      void feeds?.stop();
      await builder.close();
      await client.destroy();
      await storage.close().catch(() => undefined);
    },
  };
  try {
    await client.login(options.token);
  } catch (error) {
    await bot.stop();
    throw error;
  }
  return bot;
}
