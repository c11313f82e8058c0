import fs from "node:fs/promises";
import path from "node:path";
import { PermissionFlagsBits } from "discord-api-types/v10";
import { afterEach, describe, expect, it } from "vitest";
import { cronExpression, type RecapSchedule } from "../../src/recap/schedule.js";
import type { Timer } from "../../src/recap/scheduler.js";
import { DiscordEmulator } from "../../src/emulator/index.js";
import { SHIPPED_DATA, tempDir } from "../helpers.js";
import { BotProcess } from "./bot-process.js";
import { World, type WorldOptions } from "./world.js";

/** node-cron's stand-in: the test decides when a weekly job fires. */
class HandTimer implements Timer {
  readonly jobs = new Map<string, () => void>();
  weekly(schedule: RecapSchedule, tick: () => void) {
    const key = `${cronExpression(schedule)} ${schedule.timeZone}`;
    this.jobs.set(key, tick);
    return { stop: () => void this.jobs.delete(key) };
  }
  every() {
    return { stop: () => undefined };
  }
  fire(key: string) {
    const job = this.jobs.get(key);
    if (!job) throw new Error(`no job "${key}"; jobs: ${[...this.jobs.keys()].join(", ")}`);
    job();
  }
}

const MONDAY_BERLIN = "0 9 * * 1 Europe/Berlin";
// Monday 9 February 2026, 09:00 in Berlin (CET, UTC+1): the recap of 2–8 February, the week
// Anthropic and OpenAI both launched coding models.
const SLOT = Date.parse("2026-02-09T08:00:00Z");
const TITLE = "Weekly recap · 2026-W06 (2–8 Feb 2026)";

let world: World | undefined;
afterEach(async () => {
  world?.emu.assertClean();
  await world?.close();
  world = undefined;
});

async function setUp(startAt: number, options: WorldOptions = {}) {
  const clock = { now: startAt };
  const timer = new HandTimer();
  world = await World.create({ ...options, now: () => new Date(clock.now), timer });
  return { world, clock, timer };
}

/** The shipped data and 60 more models released in 2026-W06: a recap of three pages. */
async function busyWeek(): Promise<string> {
  const dataDir = await tempDir("data-");
  await fs.cp(SHIPPED_DATA, dataDir, { recursive: true });
  for (let i = 0; i < 60; i++) {
    const id = `busy-model-${i}`;
    const model = {
      id,
      name: `Busy Model ${i}`,
      aliases: [],
      labs: { value: ["openai"], confidence: "external" },
      released: {
        value: { date: `2026-02-0${2 + (i % 7)}`, precision: "day" },
        confidence: "external",
      },
      summary: `A model released in the busiest week of the year, number ${i}, described at length so that the recap needs several pages to list every release of the week.`,
      highlights: [],
    };
    await fs.writeFile(
      path.join(dataDir, "catalog", "models", `${id}.json`),
      JSON.stringify(model),
    );
  }
  return dataDir;
}

async function configure(w: World, channelId = w.channelId) {
  const handle = await w.moderator.runCommand("recap-config set", {
    channel: channelId,
    day: 1,
    time: "09:00",
    timezone: "Europe/Berlin",
  });
  return handle.reply();
}

/** A recap whose post Discord creates at once but answers only after `delayMs`. */
async function postingSlowly(delayMs: number, options: WorldOptions = {}) {
  const setup = await setUp(SLOT - 60 * 60_000, options);
  const { world: w, clock, timer } = setup;
  await configure(w);
  await w.emu.waitFor(() => timer.jobs.has(MONDAY_BERLIN));
  w.emu.faults.add({ method: "POST", path: /\/channels\/\d+\/messages$/, delayMs, times: 1 });
  clock.now = SLOT;
  timer.fire(MONDAY_BERLIN);
  await w.emu.waitFor(() => botPosts(w).length === 1);
  return setup;
}

const botPosts = (w: World, channelId = w.channelId) =>
  w.emu
    .messages(channelId)
    .filter((m) => m.author.id === w.emu.botUserId && !m.interaction_metadata);

describe("the weekly recap", () => {
  it("GIVEN a schedule THEN the recap is posted when its time comes, once, and status links to it", async () => {
    const { world: w, clock, timer } = await setUp(SLOT - 60 * 60_000);
    const set = await configure(w);
    expect(set.content).toMatch(
      /^The weekly recap will be posted Mondays at 09:00 \(Europe\/Berlin\) in <#\d+>\. Next: <t:\d+:F>/,
    );
    await w.emu.waitFor(() => timer.jobs.has(MONDAY_BERLIN));

    clock.now = SLOT;
    const arrived = w.emu.nextMessage(w.channelId);
    timer.fire(MONDAY_BERLIN);
    const post = await arrived;
    expect(post.embeds[0]!.title).toBe(TITLE);
    expect(post.embeds[0]!.description).toContain("**Anthropic** — Claude Opus 4.6 (5 Feb)");
    expect(post.embeds[0]!.description).toContain("**OpenAI** — GPT-5.3-Codex (5 Feb)");
    // Cron firing again (or another instance's tick) posts nothing more.
    timer.fire(MONDAY_BERLIN);
    await w.bot.recaps.runAll();
    expect(botPosts(w).map((m) => m.id)).toEqual([post.id]);
    await w.emu.waitFor(() => w.emu.reactions(post.id).some((r) => r.emoji === "🔖"));

    const status = await (await w.moderator.runCommand("recap-config status")).reply();
    expect(status.embeds[0]!.description).toContain(
      `**2026-W06**: [posted](https://discord.com/channels/${w.guildId}/${w.channelId}/${post.id})`,
    );
  });

  it("GIVEN a member without Manage Server THEN recap-config is refused and nothing is scheduled", async () => {
    const { world: w, timer } = await setUp(SLOT - 60 * 60_000);
    const handle = await w.member.runCommand(
      "recap-config set",
      { channel: w.channelId, day: 1, time: "09:00", timezone: "Europe/Berlin" },
      { unchecked: true },
    );
    expect((await handle.reply()).content).toMatch(/^Only members with Manage Server can do this/);
    expect(timer.jobs.size).toBe(0);
  });

  it("GIVEN a graceful restart in the middle of posting THEN the post completes first and is not repeated", async () => {
    const { world: w } = await postingSlowly(1_000);
    await w.stopBot();
    await w.start();
    await w.bot.recaps.runAll();
    expect(botPosts(w)).toHaveLength(1);
  });

  it("GIVEN a crash after Discord created the post but before the bot heard back THEN the next start completes it without a second message", async () => {
    const { world: w, clock } = await postingSlowly(3_000, { emulator: { nonceWindowMs: 300 } });
    await w.crashBot();
    // Discord has forgotten the nonce by the time the claim lapses.
    await new Promise((resolve) => setTimeout(resolve, 400));

    clock.now = SLOT + 3 * 60_000; // the crashed run's claim has lapsed
    await w.start();
    await w.bot.recaps.runAll();
    expect(botPosts(w)).toHaveLength(1);
    const status = await (await w.moderator.runCommand("recap-config status")).reply();
    expect(status.embeds[0]!.description).toContain(
      `**2026-W06**: [posted](https://discord.com/channels/${w.guildId}/${w.channelId}/${botPosts(w)[0]!.id})`,
    );
  });

  it("GIVEN the bot down at the slot THEN a restart within 24 hours posts the missed recap, and later than that records why it did not", async () => {
    const { world: w, clock } = await setUp(SLOT - 60 * 60_000);
    await configure(w);
    await w.stopBot();
    clock.now = SLOT + 2 * 60 * 60_000;
    // The restart waits for its identify turn: Discord allows one per five seconds.
    const arrived = w.emu.nextMessage(w.channelId, { timeoutMs: 15_000 });
    await w.start();
    expect((await arrived).embeds[0]!.title).toBe(TITLE);

    await w.stopBot();
    clock.now = SLOT + 7 * 24 * 60 * 60_000 + 30 * 60 * 60_000;
    await w.start();
    await w.bot.recaps.runAll();
    expect(botPosts(w)).toHaveLength(1);
    const status = await (await w.moderator.runCommand("recap-config status")).reply();
    expect(status.embeds[0]!.description).toContain(
      "**2026-W07**: skipped — missed: the bot was not running at 2026-02-16T08:00:00.000Z and came back 30 hours later, past the 24-hour catch-up window",
    );
  });

  it("GIVEN no permission to post (50013) THEN the recap pauses, status says why, and the moderator is told", async () => {
    const { world: w, clock, timer } = await setUp(SLOT - 60 * 60_000);
    await configure(w);
    await w.emu.waitFor(() => timer.jobs.has(MONDAY_BERLIN));
    w.emu.setBotPermissions(w.channelId, { deny: PermissionFlagsBits.SendMessages });
    clock.now = SLOT;
    timer.fire(MONDAY_BERLIN);
    const dm = await w.emu.nextMessage(w.emu.dmChannel(w.moderatorId));
    expect(dm.content).toMatch(
      /^The weekly recap in \*\*AI Club\*\* is paused: the bot lacks permission to post in the recap channel \(Missing Permissions\)\./,
    );
    await w.emu.waitFor(() => !timer.jobs.has(MONDAY_BERLIN));
    const status = await (await w.moderator.runCommand("recap-config status")).reply();
    expect(status.embeds[0]!.description).toContain(
      "**Paused**: the bot lacks permission to post in the recap channel (Missing Permissions). Fix it, then run `/recap-config set` again.",
    );
    expect(botPosts(w)).toEqual([]);
  });

  it("GIVEN page 2 of 3 refused (50013) THEN status says what was and was not posted, and setting it again finishes the week", async () => {
    const {
      world: w,
      clock,
      timer,
    } = await setUp(SLOT - 60 * 60_000, {
      dataDir: await busyWeek(),
    });
    await configure(w);
    await w.emu.waitFor(() => timer.jobs.has(MONDAY_BERLIN));
    w.emu.faults.add({
      method: "POST",
      path: `/channels/${w.channelId}/messages`,
      status: 403,
      code: 50013,
      skip: 1,
      times: 1,
    });
    clock.now = SLOT;
    const dm = w.emu.nextMessage(w.emu.dmChannel(w.moderatorId), { timeoutMs: 10_000 });
    timer.fire(MONDAY_BERLIN);
    await dm;
    const [first] = botPosts(w);
    expect(botPosts(w)).toHaveLength(1);
    expect(first!.embeds[0]!.footer?.text).toBe("Page 1/3");
    const link = `https://discord.com/channels/${w.guildId}/${w.channelId}/${first!.id}`;
    const paused = await (await w.moderator.runCommand("recap-config status")).reply();
    expect(paused.embeds[0]!.description).toContain(
      `**2026-W06**: [page 1](${link}) of 3 posted; pages 2–3 not posted — the bot lacks permission to post in the recap channel (Missing Permissions)`,
    );

    // The permission is fixed and the schedule set again an hour later: the week is finished.
    clock.now = SLOT + 60 * 60_000;
    await configure(w);
    await w.emu.waitFor(() => w.logs.some((l) => l.msg === "weekly recap" && l.kind === "posted"), {
      what: "the rest of the week posted",
    });
    expect(botPosts(w).map((m) => m.embeds[0]!.footer?.text)).toEqual([
      "Page 1/3",
      "Page 2/3",
      "Page 3/3",
    ]);
    const status = await (await w.moderator.runCommand("recap-config status")).reply();
    expect(status.embeds[0]!.description).toContain(`**2026-W06**: [posted](${link}) (3 pages)`);
    expect(status.embeds[0]!.description).toContain("**Next post**");
  });

  it("GIVEN a deleted channel (10003) THEN the recap pauses with that reason", async () => {
    const { world: w, clock, timer } = await setUp(SLOT - 60 * 60_000);
    const other = w.emu.addChannel(w.guildId, { name: "recaps" });
    await configure(w, other.id);
    await w.emu.waitFor(() => timer.jobs.has(MONDAY_BERLIN));
    w.emu.deleteChannel(other.id);
    clock.now = SLOT;
    timer.fire(MONDAY_BERLIN);
    await w.emu.waitFor(() => !timer.jobs.has(MONDAY_BERLIN));
    const status = await (await w.moderator.runCommand("recap-config status")).reply();
    expect(status.embeds[0]!.description).toContain("**Paused**: the recap channel was deleted.");
  });

  it("GIVEN two servers with different schedules THEN each gets its own post at its own time", async () => {
    const { world: w, clock, timer } = await setUp(SLOT - 4 * 24 * 60 * 60_000); // Thursday
    const second = w.emu.addGuild({ name: "Second" });
    const secondChannel = w.emu.addChannel(second.id, { name: "news" });
    const secondMod = w.emu.addMember(second.id, {
      username: "mod2",
      permissions: PermissionFlagsBits.ManageGuild,
    });
    await configure(w);
    await (
      await w.emu.user(second.id, secondMod.id).runCommand("recap-config set", {
        channel: secondChannel.id,
        day: 5,
        time: "17:30",
        timezone: "America/New_York",
      })
    ).reply();
    await w.emu.waitFor(() => timer.jobs.size === 2);

    clock.now = Date.parse("2026-02-06T22:30:00Z"); // Friday 17:30 in New York
    const friday = w.emu.nextMessage(secondChannel.id);
    timer.fire("30 17 * * 5 America/New_York");
    expect((await friday).embeds[0]!.title).toBe(TITLE);
    expect(botPosts(w)).toEqual([]);

    clock.now = SLOT;
    const monday = w.emu.nextMessage(w.channelId);
    timer.fire(MONDAY_BERLIN);
    await monday;
    expect(botPosts(w)).toHaveLength(1);
    expect(botPosts(w, secondChannel.id)).toHaveLength(1);
  });
});

describe("the weekly recap across a kill -9", () => {
  let emu: DiscordEmulator | undefined;
  const bots: BotProcess[] = [];
  afterEach(async () => {
    for (const bot of bots.splice(0)) await bot.stop();
    emu?.assertClean();
    await emu?.stop();
    emu = undefined;
  });

  const ready = (l: { msg: string }) =>
    l.msg === "commands deployed" || l.msg === "commands up to date";

  it("GIVEN a bot process killed after Discord created the page but before it was recorded, and Discord's nonce forgotten THEN the next start finds the page instead of posting it again", async () => {
    emu = await DiscordEmulator.start({ nonceWindowMs: 1_000 });
    const guild = emu.addGuild({ name: "AI Club" });
    const channel = emu.addChannel(guild.id, { name: "news" });
    const mod = emu.addMember(guild.id, {
      username: "mod",
      permissions: PermissionFlagsBits.ManageGuild,
    });
    const env = {
      DISCORD_TOKEN: emu.token,
      DISCORD_API_URL: emu.apiUrl,
      STATE_DIR: await tempDir("proc-"),
      DATA_DIR: SHIPPED_DATA,
    };
    const start = async (at: number) => {
      const bot = BotProcess.start(env, { clockAt: new Date(at) });
      bots.push(bot);
      await bot.waitForLog(ready);
      return bot;
    };
    const posts = () =>
      emu!
        .messages(channel.id)
        .filter((m) => m.author.id === emu!.botUserId && !m.interaction_metadata);

    const setter = await start(SLOT - 60 * 60_000);
    await (
      await emu.user(guild.id, mod.id).runCommand("recap-config set", {
        channel: channel.id,
        day: 1,
        time: "09:00",
        timezone: "Europe/Berlin",
      })
    ).reply();
    setter.signal("SIGTERM");
    expect(await setter.exitCode()).toBe(0);

    // Started a minute after the slot, it posts; Discord creates the page but answers late.
    emu.faults.add({
      method: "POST",
      path: `/channels/${channel.id}/messages`,
      delayMs: 10_000,
      times: 1,
    });
    const poster = await start(SLOT + 60_000);
    await emu.waitFor(() => posts().length === 1, { timeoutMs: 15_000, what: "the recap page" });
    await poster.crash();
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the nonce window

    // Four minutes after the slot (the crashed claim lapsed after two), a new process resumes.
    const resumed = await start(SLOT + 4 * 60_000);
    await resumed.waitForLog((l) => l.msg === "weekly recap" && l.kind === "posted");
    expect(posts()).toHaveLength(1);
    const [page] = posts();
    expect(page!.embeds[0]!.title).toBe(TITLE);
    // Members can bookmark it, though the process that posted it died before reacting.
    await emu.waitFor(() => emu!.reactions(page!.id).some((r) => r.emoji === "🔖"));
    expect(resumed.errors()).toEqual([]);
  }, 90_000);
});
