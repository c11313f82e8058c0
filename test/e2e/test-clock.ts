/**
 * Loaded with `--import` into a bot process a test starts (see `BotProcess.start`): `Date` reads
 * the test's clock, which starts at `TEST_CLOCK_AT` and runs on from there. Timers are untouched.
 */
const RealDate = Date;
const offset = RealDate.parse(process.env.TEST_CLOCK_AT ?? "") - RealDate.now();

if (!Number.isNaN(offset)) {
  function TestDate(this: unknown, ...args: unknown[]): unknown {
    if (!new.target) return new RealDate(RealDate.now() + offset).toString();
    if (args.length === 0) return new RealDate(RealDate.now() + offset);
    return new (RealDate as unknown as new (...a: unknown[]) => Date)(...args);
  }
  TestDate.prototype = RealDate.prototype;
  TestDate.now = () => RealDate.now() + offset;
  TestDate.parse = RealDate.parse;
  TestDate.UTC = RealDate.UTC;
  globalThis.Date = TestDate as unknown as DateConstructor;
}
