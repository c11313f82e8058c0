/**
 * Discord's rule for which gateway shard receives a server's events: `(guild_id >> 22) %
 * shard_count`. Events outside any server (DMs) go to shard 0.
 */
export function shardOfGuild(guildId: string | null, count: number): number {
  return guildId ? Number((BigInt(guildId) >> 22n) % BigInt(count)) : 0;
}
