import path from "node:path";
import cron from "node-cron";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MessagePayload } from "../../src/discord/payload.js";
import { pageNonce, runRecapSlot, type RecapPosterDeps } from "../../src/recap/poster.js";
import { SqliteRecapPosts, type RecapPostRepository } from "../../src/recap/posts.js";
import type { Storage } from "../../src/store/storage.js";
import { postgresStorage } from "../postgres.js";
import { cronExpression, slotOf, type RecapSchedule } from "../../src/recap/schedule.js";
import { RecapScheduler, type Timer } from "../../src/recap/scheduler.js";
import { saveRecapSettings, type RecapSettings } from "../../src/recap/settings.js";
import { memoryStore } from "../../src/store/keyv.js";
import { contextFor, SHIPPED_DATA, silentLogger, tempDir } from "../helpers.js";
import { recapFor } from "../../src/recap/assemble.js";
import { parseWeek } from "../../src/recap/week.js";

const GUILD = "100000000000000001";
const CHANNEL = "400000000000000001";
// Mondays at 09:00 in Berlin; 2026-11-23 is a Monday (09:00 CET = 08:00Z).
const SCHEDULE: RecapSchedule = { day: 1, time: "09:00", timeZone: "Europe/Berlin" };
const SLOT = new Date("2026-11-23T08:00:00Z");

const settings = (over: Partial<RecapSettings> = {}): RecapSettings => ({
  channelId: CHANNEL,
  schedule: SCHEDULE,
  quietMode: "line",
  status: "active",
  since: "2026-11-01T00:00:00.000Z",
  updatedAt: "2026-11-01T00:00:00.000Z",
  updatedBy: "200000000000000001",
  ...over,
});

const page = (n: number): MessagePayload => ({
  content: `page ${n}`,
  allowed_mentions: { parse: [] },
});

/** A channel that keeps what was posted; it forgets nonces, as Discord does after a few minutes. */
class FakeDiscord {
  readonly posted: Array<{ id: string; channelId: string; content?: string; nonce: string }> = [];
  failures: unknown[] = [];
  lookups = 0;
  /** Creates the message, then fails the call: a crash or a lost answer after Discord acted. */
  lostAnswers = 0;
  send = async (channelId: string, payload: MessagePayload, nonce: string) => {
    const failure = this.failures.shift();
    if (failure) throw failure;
    const id = `6000000000000000${String(this.posted.length + 1).padStart(2, "0")}`;
    this.posted.push({ id, channelId, content: payload.content, nonce });
    if (this.lostAnswers > 0) {
      this.lostAnswers--;
      return new Promise<never>(() => undefined);
    }
    return { id };
  };
  newestMessageId = async (channelId: string) =>
    this.posted.filter((p) => p.channelId === channelId).at(-1)?.id ?? "0";
  /** The bot's post of that page after `afterId` (the real adapter reads the page's marker). */
  findPage = async (channelId: string, afterId: string, week: string, page: number) => {
    this.lookups++;
    const found = this.posted.find(
      (p) =>
        p.channelId === channelId &&
        BigInt(p.id) > BigInt(afterId) &&
        p.nonce === pageNonce(GUILD, week, page),
    );
    return found ? { id: found.id } : undefined;
  };
}

let posts: RecapPostRepository;
beforeEach(async () => {
  posts = await SqliteRecapPosts.open(path.join(await tempDir("posts-"), "store.sqlite"));
});
afterEach(() => posts.close());

function deps(
  discord: FakeDiscord,
  now: Date,
  owner = "instance-a",
  pages = 3,
): RecapPosterDeps & { paused: string[]; slept: number[] } {
  const paused: string[] = [];
  const slept: number[] = [];
  return {
    posts,
    owner,
    now: () => now,
    sleep: async (ms) => void slept.push(ms),
    pages: async () => Array.from({ length: pages }, (_, i) => page(i + 1)),
    send: discord.send,
    newestMessageId: discord.newestMessageId,
    findPage: discord.findPage,
    pause: async (_guild, reason) => void paused.push(reason),
    paused,
    slept,
  };
}

/** Waits (at most 2 s) for something a run started in the background has done. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(done()).toBe(true);
}

const minutesAfter = (date: Date, minutes: number) => new Date(date.getTime() + minutes * 60_000);

describe.each(["SQLite", "Postgres"] as const)("posting a recap exactly once (%s)", (kind) => {
  let postgres: Storage | undefined;
  beforeEach(async () => {
    if (kind !== "Postgres") return;
    await posts.close();
    postgres = await postgresStorage();
    posts = postgres.recapPosts;
  });
  afterEach(async () => {
    await postgres?.close();
    postgres = undefined;
  });

  it("GIVEN a due slot THEN every page is posted once with its own nonce, and a second run posts nothing", async () => {
    const discord = new FakeDiscord();
    const first = await runRecapSlot(GUILD, settings(), deps(discord, minutesAfter(SLOT, 1)));
    expect(first).toEqual({
      kind: "posted",
      week: "2026-W47",
      messageIds: ["600000000000000001", "600000000000000002", "600000000000000003"],
    });
    expect(discord.posted.map((p) => [p.content, p.nonce])).toEqual([
      ["page 1", pageNonce(GUILD, "2026-W47", 0)],
      ["page 2", pageNonce(GUILD, "2026-W47", 1)],
      ["page 3", pageNonce(GUILD, "2026-W47", 2)],
    ]);
    expect(pageNonce(GUILD, "2026-W47", 0).length).toBeLessThanOrEqual(25);
    const again = await runRecapSlot(GUILD, settings(), deps(discord, minutesAfter(SLOT, 5)));
    expect(again).toEqual({ kind: "already-handled", week: "2026-W47" });
    expect(discord.posted).toHaveLength(3);
  });

  it("GIVEN two instances racing for the same week THEN exactly one posts", async () => {
    const discord = new FakeDiscord();
    const now = minutesAfter(SLOT, 1);
    const outcomes = await Promise.all([
      runRecapSlot(GUILD, settings(), deps(discord, now, "instance-a")),
      runRecapSlot(GUILD, settings(), deps(discord, now, "instance-b")),
    ]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(["already-handled", "posted"]);
    expect(discord.posted).toHaveLength(3);
  });

  it("GIVEN a crash after page 1 THEN the next run, once the lease ends, posts pages 2 and 3 only", async () => {
    const discord = new FakeDiscord();
    discord.failures = [undefined];
    const crashed = deps(discord, minutesAfter(SLOT, 1), "instance-a");
    // Page 2's post never returns: the process died.
    const sendOnce = crashed.send;
    let calls = 0;
    crashed.send = async (...args) => {
      if (++calls === 2) return new Promise<never>(() => undefined);
      return sendOnce(...args);
    };
    void runRecapSlot(GUILD, settings(), crashed);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(discord.posted.map((p) => p.content)).toEqual(["page 1"]);

    const tooSoon = await runRecapSlot(
      GUILD,
      settings(),
      deps(discord, minutesAfter(SLOT, 2), "instance-b"),
    );
    expect(tooSoon.kind).toBe("already-handled");
    const resumed = await runRecapSlot(
      GUILD,
      settings(),
      deps(discord, minutesAfter(SLOT, 4), "instance-b"),
    );
    expect(resumed.kind).toBe("posted");
    expect(discord.posted.map((p) => p.content)).toEqual(["page 1", "page 2", "page 3"]);
  });

  it("GIVEN a run stalled past its lease THEN the takeover posts the rest, and the stalled run, when it wakes, posts and records nothing", async () => {
    const discord = new FakeDiscord();
    // Page 2 fails once, and the wait before its retry outlasts the lease.
    discord.failures = [
      undefined,
      Object.assign(new Error("Service Unavailable"), { status: 503 }),
    ];
    let wake: (() => void) | undefined;
    const stalled = {
      ...deps(discord, minutesAfter(SLOT, 1), "instance-a"),
      sleep: () => new Promise<void>((resolve) => (wake = resolve)),
    };
    const first = runRecapSlot(GUILD, settings(), stalled);
    await until(() => wake !== undefined);
    expect(discord.posted.map((p) => p.content)).toEqual(["page 1"]);

    const takeover = await runRecapSlot(
      GUILD,
      settings(),
      deps(discord, minutesAfter(SLOT, 4), "instance-b"),
    );
    expect(takeover.kind).toBe("posted");
    wake!();
    expect(await first).toEqual({ kind: "lost", week: "2026-W47" });
    expect(discord.posted.map((p) => p.content)).toEqual(["page 1", "page 2", "page 3"]);
    expect(await posts.get(GUILD, "2026-W47")).toMatchObject({
      status: "posted",
      owner: "instance-b",
      fence: 2,
      messageIds: discord.posted.map((p) => p.id),
    });
  });

  it("GIVEN a crash after Discord created page 2 but before it was recorded THEN the resumed run finds it in the channel and sends only page 3", async () => {
    const discord = new FakeDiscord();
    const crashed = deps(discord, minutesAfter(SLOT, 1), "instance-a");
    const sendOnce = crashed.send;
    let calls = 0;
    crashed.send = async (...args) => {
      if (++calls === 2) discord.lostAnswers = 1;
      return sendOnce(...args);
    };
    void runRecapSlot(GUILD, settings(), crashed);
    await until(() => discord.posted.length === 2);
    expect(discord.posted.map((p) => p.content)).toEqual(["page 1", "page 2"]);
    expect((await posts.get(GUILD, "2026-W47"))!.messageIds).toEqual(["600000000000000001"]);

    const resumed = await runRecapSlot(
      GUILD,
      settings(),
      deps(discord, minutesAfter(SLOT, 30), "instance-b"),
    );
    expect(resumed).toEqual({
      kind: "posted",
      week: "2026-W47",
      messageIds: ["600000000000000001", "600000000000000002", "600000000000000003"],
    });
    expect(discord.posted.map((p) => p.content)).toEqual(["page 1", "page 2", "page 3"]);
    expect(discord.lookups).toBe(1);
  });

  it("GIVEN page 2 of 3 refused (50013) THEN setting the schedule again within 24 hours posts pages 2 and 3", async () => {
    const discord = new FakeDiscord();
    const missing = Object.assign(new Error("Missing Permissions"), { code: 50013, status: 403 });
    discord.failures = [undefined, missing];
    const first = deps(discord, minutesAfter(SLOT, 1));
    expect((await runRecapSlot(GUILD, settings(), first)).kind).toBe("paused");
    expect(await posts.get(GUILD, "2026-W47")).toMatchObject({
      status: "failed",
      messageIds: ["600000000000000001"],
      pageCount: 3,
      reason: "the bot lacks permission to post in the recap channel (Missing Permissions)",
    });

    // The moderator fixes the permission and runs /recap-config set an hour later.
    const again = settings({ since: minutesAfter(SLOT, 60).toISOString() });
    const resumed = await runRecapSlot(GUILD, again, deps(discord, minutesAfter(SLOT, 61)));
    expect(resumed.kind).toBe("posted");
    expect(discord.posted.map((p) => p.content)).toEqual(["page 1", "page 2", "page 3"]);
    expect(await posts.get(GUILD, "2026-W47")).toMatchObject({
      status: "posted",
      pageCount: 3,
      reason: null,
    });
  });

  it("GIVEN a week left half-posted past the 24-hour window THEN nothing more is posted and the record says why", async () => {
    const discord = new FakeDiscord();
    const crashed = deps(discord, minutesAfter(SLOT, 1), "instance-a");
    let calls = 0;
    const sendOnce = crashed.send;
    crashed.send = async (...args) =>
      ++calls === 2 ? new Promise<never>(() => undefined) : sendOnce(...args);
    void runRecapSlot(GUILD, settings(), crashed);
    await until(() => calls === 2);

    const late = await runRecapSlot(
      GUILD,
      settings(),
      deps(discord, minutesAfter(SLOT, 25 * 60), "instance-b"),
    );
    expect(late).toEqual({ kind: "already-handled", week: "2026-W47" });
    expect(discord.posted.map((p) => p.content)).toEqual(["page 1"]);
    expect(await posts.get(GUILD, "2026-W47")).toMatchObject({
      status: "failed",
      messageIds: ["600000000000000001"],
      reason:
        "not finished: the bot stopped while posting and came back 25 hours later, past the 24-hour catch-up window",
    });
  });

  it("GIVEN a restart less than 24 hours after a missed slot THEN the recap is posted late; after that it is skipped with a reason", async () => {
    const discord = new FakeDiscord();
    const late = await runRecapSlot(GUILD, settings(), deps(discord, minutesAfter(SLOT, 23 * 60)));
    expect(late.kind).toBe("posted");

    const next = new Date("2026-11-30T08:00:00Z");
    const skipped = await runRecapSlot(
      GUILD,
      settings(),
      deps(discord, minutesAfter(next, 25 * 60)),
    );
    expect(skipped).toEqual({
      kind: "skipped",
      week: "2026-W48",
      reason:
        "missed: the bot was not running at 2026-11-30T08:00:00.000Z and came back 25 hours later, past the 24-hour catch-up window",
    });
    expect((await posts.get(GUILD, "2026-W48"))!.status).toBe("skipped");
    expect(discord.posted).toHaveLength(3);
  });

  it("GIVEN a schedule set up after this week's slot THEN nothing is posted for it", async () => {
    const discord = new FakeDiscord();
    const outcome = await runRecapSlot(
      GUILD,
      settings({ since: minutesAfter(SLOT, 60).toISOString() }),
      deps(discord, minutesAfter(SLOT, 120)),
    );
    expect(outcome).toEqual({ kind: "not-due" });
    expect(discord.posted).toEqual([]);
  });

  it.each([
    [50013, "the bot lacks permission to post in the recap channel (Missing Permissions)"],
    [10003, "the recap channel was deleted"],
  ])(
    "GIVEN Discord error %i THEN the recap pauses with a reason and is not retried",
    async (code, reason) => {
      const discord = new FakeDiscord();
      discord.failures = [
        Object.assign(new Error("refused"), { code, status: code === 10003 ? 404 : 403 }),
      ];
      const d = deps(discord, minutesAfter(SLOT, 1));
      expect(await runRecapSlot(GUILD, settings(), d)).toEqual({
        kind: "paused",
        week: "2026-W47",
        reason,
      });
      expect(d.paused).toEqual([reason]);
      expect(d.slept).toEqual([]);
      expect(await posts.get(GUILD, "2026-W47")).toMatchObject({ status: "failed", reason });
    },
  );

  it("GIVEN 5xx and 429 failures THEN each page is retried with growing waits and then posted", async () => {
    const discord = new FakeDiscord();
    discord.failures = [
      Object.assign(new Error("Internal Server Error"), { status: 500 }),
      Object.assign(new Error("rate limited"), { status: 429 }),
    ];
    const d = deps(discord, minutesAfter(SLOT, 1), "instance-a", 1);
    expect((await runRecapSlot(GUILD, settings(), d)).kind).toBe("posted");
    expect(d.slept).toEqual([1000, 4000]);
    expect(discord.posted).toHaveLength(1);
  });

  it("GIVEN Discord failing every retry THEN the week is marked failed, and a later run takes it again", async () => {
    const discord = new FakeDiscord();
    const outage = () => Object.assign(new Error("Service Unavailable"), { status: 503 });
    discord.failures = [outage(), outage(), outage(), outage()];
    const d = deps(discord, minutesAfter(SLOT, 1), "instance-a", 1);
    expect(await runRecapSlot(GUILD, settings(), d)).toEqual({
      kind: "failed",
      week: "2026-W47",
      reason: "Discord kept failing: Service Unavailable",
    });
    expect(
      (await runRecapSlot(GUILD, settings(), deps(discord, minutesAfter(SLOT, 10)))).kind,
    ).toBe("posted");
  });
});

describe("the recap scheduler", () => {
  class HandTimer implements Timer {
    readonly weeklyJobs = new Map<string, () => void>();
    weekly(schedule: RecapSchedule, tick: () => void) {
      const key = cronExpression(schedule) + " " + schedule.timeZone;
      this.weeklyJobs.set(key, tick);
      return { stop: () => this.weeklyJobs.delete(key) };
    }
    every() {
      return { stop: () => undefined };
    }
  }

  it("GIVEN two servers with different schedules THEN each job fires its own server, and a failing one does not stop the other", async () => {
    const store = memoryStore();
    const timer = new HandTimer();
    let now = new Date("2026-11-20T00:00:00Z");
    const sent: string[] = [];
    const otherGuild = "100000000000000002";
    const scheduler = new RecapScheduler({
      store,
      report: () => undefined,
      timer,
      logger: silentLogger,
      poster: {
        posts,
        owner: "instance-a",
        now: () => now,
        sleep: async () => undefined,
        pages: async (guildId) => [page(Number(guildId.slice(-1)))],
        send: async (channelId) => {
          if (channelId === "broken-channel")
            throw Object.assign(new Error("Unknown Channel"), { code: 10003 });
          sent.push(channelId);
          return { id: "700000000000000001" };
        },
        newestMessageId: async () => "0",
        findPage: async () => undefined,
        pause: async (guildId, reason) => {
          await saveRecapSettings(
            store,
            guildId,
            settings({ channelId: "400000000000000009", status: "paused", pausedReason: reason }),
            () => undefined,
          );
        },
      },
    });
    await saveRecapSettings(store, GUILD, settings(), () => undefined);
    await saveRecapSettings(
      store,
      otherGuild,
      settings({
        channelId: "400000000000000002",
        schedule: { day: 5, time: "17:30", timeZone: "America/New_York" },
      }),
      () => undefined,
    );
    await scheduler.start();
    expect([...timer.weeklyJobs.keys()].sort()).toEqual([
      "0 9 * * 1 Europe/Berlin",
      "30 17 * * 5 America/New_York",
    ]);
    // Friday 17:30 in New York is 22:30Z.
    now = new Date("2026-11-20T22:30:00Z");
    timer.weeklyJobs.get("30 17 * * 5 America/New_York")!();
    timer.weeklyJobs.get("0 9 * * 1 Europe/Berlin")!();
    await scheduler.runAll();
    expect(sent).toEqual(["400000000000000002"]);
    now = minutesAfter(SLOT, 0);
    timer.weeklyJobs.get("0 9 * * 1 Europe/Berlin")!();
    await scheduler.runAll();
    expect(sent).toEqual(["400000000000000002", CHANNEL]);
    await scheduler.stop();
  });

  it("GIVEN node-cron with the schedule's expression and zone THEN it fires at the slots we compute, on both sides of DST changes", () => {
    const cases: Array<[RecapSchedule, string[]]> = [
      [SCHEDULE, ["2026-W43", "2026-W44", "2026-W13", "2026-W14"]],
      [
        { day: 5, time: "17:30", timeZone: "America/New_York" },
        ["2026-W10", "2026-W11", "2026-W44", "2026-W45"],
      ],
      [{ day: 3, time: "23:45", timeZone: "Asia/Kolkata" }, ["2026-W47"]],
    ];
    for (const [schedule, weeks] of cases) {
      const task = cron.createTask(cronExpression(schedule), () => undefined, {
        timezone: schedule.timeZone,
      });
      for (const week of weeks) {
        const at = slotOf(parseWeek(week, "UTC"), schedule);
        const where = `${JSON.stringify(schedule)} ${week} ${at.toISOString()}`;
        expect(task.match(at), where).toBe(true);
        expect(task.match(new Date(at.getTime() - 3_600_000)), where).toBe(false);
        expect(task.match(new Date(at.getTime() + 3_600_000)), where).toBe(false);
      }
      void task.destroy();
    }
  });
});

describe("the shipped corpus", () => {
  it("GIVEN the week of 2 February 2026 THEN the recap shows the OpenAI and Anthropic coding-model launches", async () => {
    const ctx = await contextFor(SHIPPED_DATA);
    try {
      const recap = await recapFor(ctx, null, parseWeek("2026-02-02", "UTC"), "UTC");
      expect(recap.releases.map((g) => [g.lab?.name, g.items.map((i) => i.name)])).toEqual([
        ["Anthropic", ["Claude Opus 4.6"]],
        ["OpenAI", ["GPT-5.3-Codex"]],
      ]);
    } finally {
      await ctx.searchIndex.close();
    }
  });
});
