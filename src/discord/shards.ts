import { setTimeout as sleep } from "node:timers/promises";
import { REST, Routes, type APIGatewayBotInfo } from "discord.js";
import type { IIdentifyThrottler } from "discord.js";
import type { Logger } from "pino";
import type { Config, ShardPlan } from "../config.js";
import { ConfigError } from "../config.js";
import type { Coordination } from "../store/coordination.js";

/** The shards of the whole bot, and the ones this process runs. */
export interface Shards {
  readonly count: number;
  readonly ids: readonly number[];
}

/**
 * Settles SHARD_COUNT and SHARD_IDS: `auto` asks Discord how many shards it recommends. Every
 * process of the bot must reach the same count, so a bot run on several machines is best given
 * a number.
 */
export async function resolveShards(
  plan: ShardPlan,
  fetchRecommended: () => Promise<number>,
): Promise<Shards> {
  const count = plan.count === "auto" ? await fetchRecommended() : plan.count;
  const ids = plan.ids ?? Array.from({ length: count }, (_, id) => id);
  const outside = ids.filter((id) => id >= count);
  if (outside.length)
    throw new ConfigError(
      `SHARD_IDS names shard ${outside.join(", ")}, but Discord recommends ${count} shards (SHARD_COUNT=auto): shards are numbered from 0 to ${count - 1}.`,
    );
  return { count, ids };
}

/** Discord's recommended shard count, from GET /gateway/bot. */
export function recommendedShards(config: Pick<Config, "apiUrl">, token: string) {
  return async (): Promise<number> => {
    const rest = new REST(config.apiUrl ? { api: config.apiUrl } : {}).setToken(token);
    const info = (await rest.get(Routes.gatewayBot())) as APIGatewayBotInfo;
    return info.shards;
  };
}

/**
 * Discord allows `max_concurrency` identifies per 5 seconds, one per rate-limit bucket
 * (`shard_id % max_concurrency`). A little more than that between turns, so a turn that starts
 * late on one machine still lands outside the previous one's window.
 */
export const IDENTIFY_SPACING_MS = 5_500;

/**
 * Gives each IDENTIFY a turn in its bucket, reserved in the store every process of the bot
 * shares, so processes starting together on several machines are never refused one. While the
 * store cannot be reached, turns are spaced within this process alone.
 */
export class SharedIdentifyThrottler implements IIdentifyThrottler {
  private readonly localNext = new Map<number, number>();

  constructor(
    private readonly coordination: Coordination,
    private readonly maxConcurrency: number,
    private readonly logger: Logger,
  ) {}

  async waitForIdentify(shardId: number, signal: AbortSignal): Promise<void> {
    const bucket = shardId % Math.max(1, this.maxConcurrency);
    let wait: number;
    try {
      wait = await this.coordination.reserveIdentify(bucket, IDENTIFY_SPACING_MS);
    } catch (error) {
      this.logger.warn(
        { err: error, shard: shardId },
        "could not reserve an identify turn in the store; spacing identifies in this process only",
      );
      const now = Date.now();
      const next = Math.max(now, this.localNext.get(bucket) ?? 0);
      this.localNext.set(bucket, next + IDENTIFY_SPACING_MS);
      wait = next - now;
    }
    if (wait > 0) {
      this.logger.debug({ shard: shardId, waitMs: wait }, "waiting for an identify turn");
      await sleep(wait, undefined, { signal });
    }
  }
}
