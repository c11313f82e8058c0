/** Discord's epoch (2015-01-01T00:00:00Z), as snowflakes count from it. */
const DISCORD_EPOCH = 1_420_070_400_000n;

/** Real-looking snowflakes: a millisecond timestamp, then an increment, so ids sort by creation. */
export class Snowflakes {
  private increment = 0n;
  private last = "0";

  get lastId(): string {
    return this.last;
  }

  next(now = Date.now()): string {
    this.increment = (this.increment + 1n) & 0xfffn;
    let id = ((BigInt(now) - DISCORD_EPOCH) << 22n) | (1n << 17n) | this.increment;
    // Never go backwards, even when several ids are made in the same millisecond.
    if (id <= BigInt(this.last)) id = BigInt(this.last) + 1n;
    this.last = id.toString();
    return this.last;
  }
}

/**
 * A snowflake Discord would put on `shard` of `count`: the timestamp decides the shard, so this
 * picks the next millisecond (at most `count` ahead) that lands there.
 */
export function nextOnShard(ids: Snowflakes, shard: number, count: number): string {
  const from = BigInt(Math.max(Date.now(), snowflakeTime(ids.lastId) + 1)) - DISCORD_EPOCH;
  const ahead = (BigInt(shard) - (from % BigInt(count)) + BigInt(count)) % BigInt(count);
  return ids.next(Number(from + ahead + DISCORD_EPOCH));
}

export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

export function compareSnowflakes(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
