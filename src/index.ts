import { startBot } from "./app/bot.js";
import { ConfigError, loadConfig, requireToken } from "./config.js";
import { CorpusError } from "./corpus/load.js";
import { CatalogError } from "./catalog/load.js";
import { createLogger } from "./logger.js";

async function main(): Promise<void> {
  const config = loadConfig();
  // Without a token `npm start` opens the playground, except in production, where a missing
  // token must stop a misconfigured deployment. `npm run playground` asks for it explicitly.
  const playground =
    process.argv.includes("--playground") ||
    (!config.discordToken && process.env.NODE_ENV !== "production");
  const token = playground ? undefined : requireToken(config);
  const logger = createLogger(config.logLevel);
  const skipInvalid = process.argv.includes("--skip-invalid");
  const bot =
    token === undefined
      ? await (
          await import("./playground/start.js")
        ).startPlayground({ config, logger, skipInvalid })
      : await startBot({ config, token, logger, skipInvalid });

  // SIGHUP reloads the corpus (after `npm run cli -- ingest …`) without dropping the connection.
  process.on("SIGHUP", () => {
    bot.reload().catch((error: unknown) => {
      logger.error({ err: error }, "reload failed; keeping the corpus already loaded");
    });
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    await bot.stop();
    logger.info("stopped");
    logger.flush();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
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
