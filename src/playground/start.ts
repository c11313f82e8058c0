import { PlaygroundServer } from "./server.js";
import { Playground, type PlaygroundOptions } from "./world.js";

export interface RunningPlayground {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly playground: Playground;
  /** Reads the corpus and catalogue again (SIGHUP), as the bot does. */
  reload(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The bot in a Discord-like page: the page is served first (its address is the first log line),
 * then the emulator and the real bot start behind it.
 */
export async function startPlayground(options: PlaygroundOptions): Promise<RunningPlayground> {
  const { logger } = options;
  const playground = new Playground(options);
  const server = await PlaygroundServer.listen(playground, options.config.playgroundPort, logger);
  logger.info(
    { url: server.url },
    `modeldex playground: open ${server.url} (the bot runs against a built-in Discord emulator, not Discord)`,
  );
  try {
    await playground.start();
  } catch (error) {
    await server.close();
    throw error;
  }
  logger.info({ url: server.url, state: playground.stateDir }, "playground ready");
  return {
    url: server.url,
    playground,
    reload: () => playground.reload(),
    async stop() {
      await server.close();
      await playground.stop();
    },
  };
}
