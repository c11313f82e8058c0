import { startBot, type RunningBot } from "./app/bot.js";
import { serveOps } from "./app/ops.js";
import { ConfigError, loadConfig, requireToken } from "./config.js";
import { CorpusError } from "./corpus/load.js";
import { CatalogError } from "./catalog/load.js";
import { createLogger } from "./logger.js";
import { exitOnCrash } from "./ops/crash.js";

/** A shutdown that hangs (a store that never closes, say) still ends, with exit code 1. */
const SHUTDOWN_DEADLINE_MS = 10_000;

async function main(): Promise<void> {
  const config = loadConfig();
  // Without a token `npm start` opens the playground, except in production, where a missing
  // token must stop a misconfigured deployment. `npm run playground` asks for it explicitly.
  const playground =
    process.argv.includes("--playground") ||
    (!config.discordToken && process.env.NODE_ENV !== "production");
  const token = playground ? undefined : requireToken(config);
  const logger = createLogger(config.logLevel);
  exitOnCrash(logger);

  // Filled in once started; the signal handlers are installed before, and read it then.
  const running: { bot?: Pick<RunningBot, "reload" | "stop"> } = {};
  let stopping = false;
  const ops = await serveOps(config, logger);
  const shutdown = async (signal: string) => {
    // Ctrl-C in a terminal reaches both npm (which forwards it) and the bot: one shutdown.
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    setTimeout(() => {
      logger.error({ signal }, `shutdown took over ${SHUTDOWN_DEADLINE_MS} ms; exiting anyway`);
      logger.flush();
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    await running.bot?.stop();
    await ops?.close();
    logger.info("stopped");
    logger.flush();
    process.exit(0);
  };
  // Listening from the start: a signal while the corpus loads also ends the process cleanly.
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  // SIGHUP reloads the corpus (after `npm run cli -- ingest …`) without dropping the connection.
  process.on("SIGHUP", () => {
    if (!running.bot) return logger.info("SIGHUP while starting: the corpus is being read already");
    running.bot.reload().catch((error: unknown) => {
      logger.error({ err: error }, "reload failed; keeping the corpus already loaded");
    });
  });

  const skipInvalid = process.argv.includes("--skip-invalid");
  if (token === undefined) {
    // The playground answers on its own page; it has no health server of its own.
    running.bot = await (
      await import("./playground/start.js")
    ).startPlayground({ config, logger, skipInvalid });
    return;
  }
  const bot = await startBot({ config, token, logger, skipInvalid }).catch(
    async (error: unknown) => {
      await ops?.close();
      throw error;
    },
  );
  running.bot = bot;
  ops?.attach(bot);
}

main().catch((error: unknown) => {
  const known =
    error instanceof ConfigError || error instanceof CorpusError || error instanceof CatalogError;
  // An invalid token is the operator's to fix; its message never contains the token.
  const login = (error as { code?: string }).code === "TokenInvalid";
  // A configuration problem per line, each saying what stops the bot.
  const lines =
    error instanceof ConfigError
      ? error.problems
      : [known || login ? (error as Error).message : ((error as Error).stack ?? String(error))];
  process.stderr.write(lines.map((line) => `modeldex cannot start: ${line}\n`).join(""));
  process.exit(1);
});
