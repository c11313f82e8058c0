import {
  Client,
  GatewayIntentBits,
  Partials,
  WorkerShardingStrategy,
  type ClientOptions,
  type IIdentifyThrottler,
  type WebSocketOptions,
} from "discord.js";
import type { Config } from "../config.js";
import type { Shards } from "./shards.js";

/** @discordjs/ws's manager (discord.js exports its own class under the same name). */
type GatewayManager = Parameters<NonNullable<WebSocketOptions["buildIdentifyThrottler"]>>[0];

/** How this process connects to the gateway. */
export interface GatewayPlan {
  readonly shards: Shards;
  /** Each shard in a worker thread (discord.js's WorkerShardingStrategy). */
  readonly workers: boolean;
  /** Who decides when a shard may IDENTIFY; discord.js's own, per process, when unset. */
  readonly throttler?: (manager: GatewayManager) => Promise<IIdentifyThrottler>;
}

/**
 * Only the intents the features need, none privileged: Guilds (servers, channels, roles),
 * GuildMessageReactions (bookmarks), GuildMessages (to learn that a bookmarked message was
 * deleted; without Message Content it carries no text). Partials let reactions on messages the
 * bot never cached (older ones, or from before a restart) still arrive.
 */
export function createClient(config: Pick<Config, "apiUrl">, gateway?: GatewayPlan): Client {
  const options: ClientOptions = {
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessageReactions,
      GatewayIntentBits.GuildMessages,
    ],
    partials: [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User],
    allowedMentions: { parse: [] },
    // A timed-out POST that discord.js retries must not post twice.
    enforceNonce: true,
  };
  if (gateway) {
    options.shards = [...gateway.shards.ids];
    options.shardCount = gateway.shards.count;
    options.ws = {
      ...(gateway.throttler ? { buildIdentifyThrottler: gateway.throttler } : {}),
      ...(gateway.workers
        ? {
            buildStrategy: (manager) => new WorkerShardingStrategy(manager, { shardsPerWorker: 1 }),
          }
        : {}),
    };
  }
  if (config.apiUrl) {
    options.rest = { api: config.apiUrl, timeout: 5_000, retries: 2 };
    options.waitGuildTimeout = 1_000;
  }
  return new Client(options);
}
