import type { Logger } from "pino";

/**
 * An error nothing caught leaves the process in an unknown state: log it with its stack, then
 * exit 1 so the supervisor restarts a clean process. Stored state survives; a recap claim left
 * behind lapses after two minutes.
 */
export function exitOnCrash(logger: Logger): void {
  const crash = (what: string) => (error: unknown) => {
    logger.fatal({ err: error }, `${what}; exiting`);
    logger.flush();
    process.exit(1);
  };
  process.on("uncaughtException", crash("uncaught exception"));
  process.on("unhandledRejection", crash("unhandled promise rejection"));
}
