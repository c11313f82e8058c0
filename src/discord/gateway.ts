import { Status, type Client } from "discord.js";
import type { ShardState } from "../ops/metrics.js";

/** "WaitingForGuilds" → "waiting-for-guilds": readable in /readyz, /about and metric labels. */
const statusName = (status: Status) =>
  (Status[status] ?? "unknown").replace(/(?<=[a-z])(?=[A-Z])/g, "-").toLowerCase();

/** The gateway shards this process runs, as discord.js sees them now. */
export function shardStates(client: Client): ShardState[] {
  return [...client.ws.shards.values()].map((shard) => ({
    id: shard.id,
    status: statusName(shard.status),
    ready: shard.status === Status.Ready,
    pingMs: shard.ping >= 0 ? shard.ping : undefined,
  }));
}

/** How many shards the whole bot runs across all its processes. */
export function shardCount(client: Client): number {
  const count = client.options.shardCount;
  return typeof count === "number" && count > 0 ? count : 1;
}
