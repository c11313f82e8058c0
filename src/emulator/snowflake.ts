/** Discord's epoch (2015-01-01T00:00:00Z), as snowflakes count from it. */
const DISCORD_EPOCH = 1_420_070_400_000n;

/** Real-looking snowflakes: a millisecond timestamp, then an increment, so ids sort by creation. */
export class Snowflakes {
  private increment = 0n;
  private last = "0";

  next(now = Date.now()): string {
    this.increment = (this.increment + 1n) & 0xfffn;
    let id = ((BigInt(now) - DISCORD_EPOCH) << 22n) | (1n << 17n) | this.increment;
    // Never go backwards, even when several ids are made in the same millisecond.
    if (id <= BigInt(this.last)) id = BigInt(this.last) + 1n;
    this.last = id.toString();
    return this.last;
  }
}

export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

export function compareSnowflakes(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
