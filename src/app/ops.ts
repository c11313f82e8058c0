import type { Logger } from "pino";
import type { Config } from "../config.js";
import { shardStates } from "../discord/gateway.js";
import { startOpsServer } from "../ops/http.js";
import { watchGateway } from "../ops/metrics.js";
import { pingStore } from "../store/keyv.js";
import type { RunningBot } from "./bot.js";

/** Why a running bot cannot serve members right now; empty when it can. */
export async function readinessOf(bot: RunningBot, started: boolean): Promise<string[]> {
  const reasons: string[] = [];
  if (!started) reasons.push("starting: deploying commands and the recap jobs");
  const shards = shardStates(bot.client);
  if (shards.length === 0) reasons.push("gateway: not connected");
  for (const shard of shards)
    if (!shard.ready) reasons.push(`gateway: shard ${shard.id} is ${shard.status}`);
  await pingStore(bot.store).catch((error: unknown) =>
    reasons.push(`store: ${(error as Error).message}`),
  );
  if (bot.context().corpus.documents.length === 0) reasons.push("data: no corpus documents loaded");
  return reasons;
}

export interface OpsHandle {
  /** From now on, readiness and the gateway metrics describe this bot. */
  attach(bot: RunningBot): void;
  close(): Promise<void>;
}

/**
 * The health and metrics server, started before the bot so /healthz answers while the corpus
 * loads; /readyz says "starting" until a bot is attached and ready. Undefined when HTTP_PORT is
 * unset.
 */
export async function serveOps(config: Config, logger: Logger): Promise<OpsHandle | undefined> {
  if (config.httpPort === undefined) return undefined;
  let bot: RunningBot | undefined;
  let started = false;
  const server = await startOpsServer({
    host: config.httpHost,
    port: config.httpPort,
    logger,
    readiness: async () =>
      bot ? readinessOf(bot, started) : ["starting: loading the corpus and logging in"],
  });
  return {
    attach(running) {
      bot = running;
      watchGateway(() => shardStates(running.client));
      void running.ready.then(() => (started = true));
    },
    close: () => server.close(),
  };
}
