import { Events } from "discord.js";
import { commandDefinitions, commandsByName } from "../commands/index.js";
import { createAppContext } from "./app/bootstrap.js";
import type { AppContext } from "./app/context.js";
import { ConfigError, loadConfig, requireToken } from "./config.js";
import { CorpusError } from "./corpus/load.js";
import { makeBookmarkable, listenForBookmarks } from "./discord/bookmarks.js";
import { createClient } from "./discord/client.js";
import { deployIfChanged } from "./discord/deploy.js";
import { createRouter } from "./discord/router.js";
import { createLogger } from "./logger.js";
import { openStore } from "./store/keyv.js";

const skipInvalid = process.argv.includes("--skip-invalid");

async function main(): Promise<void> {
  const config = loadConfig();
  const token = requireToken(config);
  const logger = createLogger(config.logLevel);
  const store = openStore(config.storePath);
  const boot = () =>
    createAppContext({
      dataDir: config.dataDir,
      stateDir: config.stateDir,
      store,
      logger,
      skipInvalid,
      bookmarkLimit: config.bookmarkLimit,
    });
  let ctx: AppContext = await boot();
  logger.info(
    {
      documents: ctx.corpus.documents.length,
      passages: ctx.searchIndex.passageCount,
      indexBuilt: ctx.searchIndex.built,
    },
    "corpus ready",
  );

  const client = createClient(config);
  const router = createRouter({
    registry: commandsByName,
    context: () => ctx,
    logger,
    onAnswer: (message, answer) => makeBookmarkable(ctx, message, answer),
  });
  client.on(Events.InteractionCreate, (interaction) => router.handle(interaction));
  listenForBookmarks(client, () => ctx, logger);
  client.on(Events.Error, (error) => logger.error({ err: error }, "discord client error"));
  client.on(Events.Warn, (message) => logger.warn(message));
  client.once(Events.ClientReady, async (ready) => {
    logger.info({ user: ready.user.tag, guilds: ready.guilds.cache.size }, "logged in");
    try {
      const target = {
        applicationId: config.applicationId ?? ready.application.id,
        guildId: config.guildId,
      };
      const deployed = await deployIfChanged(client.rest, target, commandDefinitions(), store);
      logger.info(
        { scope: target.guildId ?? "global", deployed },
        deployed ? "commands deployed" : "commands up to date",
      );
    } catch (error) {
      logger.error({ err: error }, "could not deploy commands; run `npm run deploy-commands`");
    }
  });

  // SIGHUP reloads the corpus (after `npm run cli -- ingest …`) without dropping the connection.
  process.on("SIGHUP", () => {
    void (async () => {
      try {
        const next = await boot();
        const previous = ctx;
        ctx = next;
        await previous.searchIndex.close();
        logger.info({ documents: next.corpus.documents.length }, "corpus reloaded");
      } catch (error) {
        logger.error({ err: error }, "reload failed; keeping the corpus already loaded");
      }
    })();
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    client.removeAllListeners(Events.InteractionCreate);
    await router.drain();
    await client.destroy();
    await ctx.searchIndex.close().catch(() => undefined);
    await store.disconnect().catch(() => undefined);
    logger.info("stopped");
    logger.flush();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));

  await client.login(token);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof CorpusError) {
    process.stderr.write(`modeldex cannot start: ${error.message}\n`);
  } else {
    process.stderr.write(`modeldex cannot start: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
});
