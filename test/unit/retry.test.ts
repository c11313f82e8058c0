import { describe, expect, it } from "vitest";
import { isTransient, withRetries } from "../../src/retry.js";

const socketError = () => Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" });
const serverError = () => Object.assign(new Error("Service Unavailable"), { status: 503 });
const missingPermissions = () =>
  Object.assign(new Error("Missing Permissions"), { status: 403, code: 50013 });

/** A clock that only moves when the code under test sleeps. */
function fakeTime() {
  let now = 1_000_000;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleep: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
  };
}

describe("retrying requests to Discord", () => {
  it("GIVEN broken connections, timeouts and 5xx THEN they count as worth retrying; Discord's refusals and bugs do not", () => {
    expect(isTransient(socketError())).toBe(true);
    expect(isTransient(Object.assign(new Error("fetch failed"), { cause: socketError() }))).toBe(
      true,
    );
    expect(isTransient(Object.assign(new Error("aborted"), { name: "AbortError" }))).toBe(true);
    expect(isTransient(serverError())).toBe(true);
    expect(isTransient(Object.assign(new Error("slow down"), { status: 429 }))).toBe(true);
    expect(isTransient(missingPermissions())).toBe(false);
    expect(isTransient(new TypeError("x is undefined"))).toBe(false);
  });

  it("GIVEN two failures then success THEN it waits the given times between attempts and returns the result", async () => {
    const time = fakeTime();
    const failures = [socketError(), serverError()];
    const result = await withRetries(
      async () => {
        const failure = failures.shift();
        if (failure) throw failure;
        return "sent";
      },
      { delaysMs: [250, 1_000], sleep: time.sleep, now: time.now },
    );
    expect(result).toBe("sent");
    expect(time.waits).toEqual([250, 1_000]);
  });

  it("GIVEN a refusal THEN it fails at once, without waiting", async () => {
    const time = fakeTime();
    await expect(
      withRetries(() => Promise.reject(missingPermissions()), {
        delaysMs: [250],
        sleep: time.sleep,
        now: time.now,
      }),
    ).rejects.toThrow("Missing Permissions");
    expect(time.waits).toEqual([]);
  });

  it("GIVEN failures that never stop THEN the last wait repeats until the deadline, and the last failure is reported", async () => {
    const time = fakeTime();
    const until = time.now() + 15 * 60_000;
    let attempts = 0;
    await expect(
      withRetries(
        async () => {
          attempts++;
          throw serverError();
        },
        { delaysMs: [250, 1_000, 60_000], until, sleep: time.sleep, now: time.now },
      ),
    ).rejects.toThrow("Service Unavailable");
    // 250 ms, 1 s, then a minute at a time while another wait still ends before the deadline.
    expect(time.waits).toEqual([250, 1_000, ...Array<number>(14).fill(60_000)]);
    expect(attempts).toBe(17);
    expect(time.now()).toBeLessThan(until);
  });

  it("GIVEN the bot stopping during a wait THEN it gives up at once with the last failure", async () => {
    const stopping = new AbortController();
    let attempts = 0;
    await expect(
      withRetries(
        async () => {
          attempts++;
          throw socketError();
        },
        {
          delaysMs: [60_000],
          // A wait that would never end by itself.
          sleep: () => new Promise<void>(() => undefined),
          onRetry: () => stopping.abort(),
          signal: stopping.signal,
        },
      ),
    ).rejects.toThrow("other side closed");
    expect(attempts).toBe(1);
  });
});
