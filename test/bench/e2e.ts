/**
 * The whole command path under load: the real bot in its own process (`tsx src/index.ts`, as
 * `npm start` runs it) driven through the Discord emulator, every figure from one run.
 * `npm run bench` runs it after the index figures; `npm run bench:e2e` runs it alone.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PermissionFlagsBits, type APIMessage } from "discord-api-types/v10";
import { ingestDocument } from "../../src/corpus/ingest.js";
import { BotProcess, type LogLine } from "../e2e/bot-process.js";
import {
  DiscordEmulator,
  type InteractionHandle,
  type UserDriver,
} from "../../src/emulator/index.js";
import { corpusQueries, rng } from "./queries.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DEADLINE_MS = 3_000;

export interface Figures {
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

export interface ScenarioResult {
  readonly name: string;
  readonly total: number;
  /** First responses (or reactions applied) within Discord's 3 s. */
  readonly inTime: number;
  readonly first?: Figures;
  readonly final: Figures;
  /** Answers (or events applied) per second, from the first sent to the last answered. */
  readonly throughput: number;
  readonly lost: number;
  /** Rules the emulator saw broken (late or missing answers among them). */
  readonly violations: number;
  readonly note?: string;
}

function figures(values: number[]): Figures {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? 0 };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** When an interaction got its first response and when it was settled, as the emulator saw it. */
class Timing {
  firstAt?: number;
  settledAt?: number;
  constructor(readonly handle: InteractionHandle) {
    const record = handle.record;
    const look = () => {
      const now = Date.now();
      if (this.firstAt === undefined && record.callbacks.length > 0) this.firstAt = now;
      if (this.settledAt === undefined && record.settled) this.settledAt = now;
      if (this.settledAt !== undefined) record.events.off("change", look);
    };
    record.events.on("change", look);
    look();
  }
  get sentAt(): number {
    return this.handle.record.createdAt;
  }
}

async function settle(timings: Timing[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (timings.every((t) => t.settledAt !== undefined || t.handle.status === "expired")) return;
    await sleep(50);
  }
}

function summarise(name: string, timings: Timing[], violations: string[], note?: string) {
  const answered = timings.filter((t) => t.settledAt !== undefined);
  const firsts = timings.filter((t) => t.firstAt !== undefined).map((t) => t.firstAt! - t.sentAt);
  const start = Math.min(...timings.map((t) => t.sentAt));
  const end = Math.max(...answered.map((t) => t.settledAt!));
  return {
    name,
    total: timings.length,
    inTime: firsts.filter((ms) => ms <= DEADLINE_MS).length,
    first: figures(firsts),
    final: figures(answered.map((t) => t.settledAt! - t.sentAt)),
    throughput: answered.length / Math.max(0.001, (end - start) / 1000),
    lost: timings.length - answered.length,
    violations: violations.length,
    note,
  } satisfies ScenarioResult;
}

/** Waits until the bot has sent nothing for `quietMs` (its bookmark reactions trail the answers). */
async function quiet(emu: DiscordEmulator, quietMs = 1_000, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = emu.requests.length;
  let since = Date.now();
  while (Date.now() < deadline) {
    await sleep(100);
    if (emu.requests.length !== seen) {
      seen = emu.requests.length;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
  }
}

/**
 * Waits until the bot is idle: nothing sent for a second, and an autocomplete answered within
 * 300 ms. A bot still working through an earlier burst would spoil the next measurement.
 */
async function idle(emu: DiscordEmulator, probe: UserDriver, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await quiet(emu);
  while (Date.now() < deadline) {
    const handle = await probe.startAutocomplete("model", { name: "opus" }, "name");
    const sent = Date.now();
    await handle.settled(5_000).catch(() => undefined);
    if (handle.record.settled && Date.now() - sent <= 300) break;
    await sleep(1_000);
  }
  await quiet(emu);
  emu.takeViolations();
}

async function modelNames(dataDir: string): Promise<string[]> {
  const folder = path.join(dataDir, "catalog", "models");
  const names: string[] = [];
  for (const file of (await fs.readdir(folder)).sort()) {
    const entry = JSON.parse(await fs.readFile(path.join(folder, file), "utf8")) as {
      name: string;
      aliases: string[];
    };
    names.push(entry.name, ...entry.aliases);
  }
  return names;
}

/** What members type: names and aliases, lower case, some cut short, some with a dropped letter. */
function asTyped(names: string[], count: number, seed: number): string[] {
  const random = rng(seed);
  return Array.from({ length: count }, () => {
    const name = names[Math.floor(random() * names.length)]!.toLowerCase();
    const roll = random();
    if (roll < 0.3 && name.length > 4) return name.slice(0, 2 + Math.floor(random() * 3));
    if (roll < 0.5 && name.length > 5) return name.slice(0, 3) + name.slice(4);
    return name;
  });
}

/**
 * The emulator shares one event loop with the members it plays: between two sends it lets the
 * loop take in what the bot sent back, so the bot's answers are timed when they arrive, not when
 * the emulator is done sending.
 */
const breathe = () => new Promise((resolve) => setImmediate(resolve));

/** `count` interactions sent back to back, as members acting at the same moment. */
async function burst(
  members: UserDriver[],
  start: (member: UserDriver, i: number) => Promise<InteractionHandle>,
  count: number,
): Promise<Timing[]> {
  const timings: Timing[] = [];
  for (let i = 0; i < count; i++) {
    timings.push(new Timing(await start(members[i % members.length]!, i)));
    await breathe();
  }
  return timings;
}

export async function runEndToEnd(log: (line: string) => void = console.log) {
  const results: ScenarioResult[] = [];
  const record = (result: ScenarioResult) => {
    results.push(result);
    printEndToEnd([result], log);
  };
  const work = await fs.mkdtemp(path.join(os.tmpdir(), "modeldex-bench-e2e-"));
  const dataDir = path.join(work, "data");
  await fs.cp(path.join(ROOT, "data"), dataDir, { recursive: true });
  const emu = await DiscordEmulator.start();
  const guild = emu.addGuild({ name: "AI Club" });
  const channel = emu.addChannel(guild.id, { name: "general" });
  const moderator = emu.user(
    guild.id,
    emu.addMember(guild.id, { username: "mod", permissions: PermissionFlagsBits.ManageGuild }).id,
    { channelId: channel.id },
  );
  const members = Array.from({ length: 200 }, (_, i) =>
    emu.user(guild.id, emu.addMember(guild.id, { username: `member${i}` }).id, {
      channelId: channel.id,
    }),
  );
  const bot = BotProcess.start({
    DISCORD_TOKEN: emu.token,
    DISCORD_API_URL: emu.apiUrl,
    STATE_DIR: path.join(work, "state"),
    DATA_DIR: dataDir,
    LOG_LEVEL: "debug",
  });
  try {
    await bot.waitForLog(
      (l) => l.msg === "commands deployed" || l.msg === "commands up to date",
      60_000,
    );
    const queries = (await corpusQueries(path.join(dataDir, "corpus"), 2_000)).map((q) => q.text);
    let next = 0;
    const query = () => queries[next++ % queries.length]!;
    // Warm up: what a bot that has run for a while has already compiled and cached. A bookmark
    // saved and removed again leaves no bookmark behind.
    for (let i = 0; i < 20; i++) {
      await (await members[i]!.runCommand("search", { query: query() })).settled(10_000);
      const answer = await (
        await members[i]!.runCommand("model", { name: "opus 4.5" })
      ).reply({
        timeoutMs: 10_000,
      });
      await members[i]!.autocomplete("model", { name: "gpt" }, "name");
      await members[i]!.react(answer, "🔖");
      await members[i]!.unreact(answer, "🔖");
    }
    await idle(emu, moderator);

    for (const size of [200, 1_000]) {
      const timings = await burst(members, (m) => m.runCommand("search", { query: query() }), size);
      await settle(timings, 120_000);
      record(summarise(`/search ×${size}`, timings, emu.takeViolations()));
      await idle(emu, moderator);
    }

    const names = await modelNames(dataDir);
    {
      const typed = asTyped(names, 200, 3);
      const timings = await burst(
        members,
        (m, i) => m.runCommand("model", { name: typed[i]! }),
        200,
      );
      await settle(timings, 60_000);
      record(summarise("/model ×200", timings, emu.takeViolations()));
      await idle(emu, moderator);
    }
    {
      const typed = asTyped(names, 200, 5);
      const timings = await burst(
        members,
        (m, i) => m.startAutocomplete("model", { name: typed[i]! }, "name"),
        200,
      );
      await settle(timings, 60_000);
      record(summarise("autocomplete ×200", timings, emu.takeViolations()));
      await idle(emu, moderator);
    }

    record(await reactions(emu, bot, members));
    await idle(emu, moderator);

    record(await reloadMidBurst(emu, bot, members, moderator, dataDir, query));
  } finally {
    await bot.stop();
    await emu.stop();
    await fs.rm(work, { recursive: true, force: true });
  }
  return results;
}

/**
 * 1,000 reaction events from 200 members on three answers, sent back to back: each member adds
 * A, adds B, removes A, adds C and adds A again. Applied means the bot logged the outcome, which
 * it does once the change is stored.
 */
async function reactions(
  emu: DiscordEmulator,
  bot: BotProcess,
  members: UserDriver[],
): Promise<ScenarioResult> {
  const asker = members[0]!;
  const answers: APIMessage[] = [];
  for (const name of ["opus 4.5", "k2 thinking", "gpt 5.4 mini"]) {
    // A busy bot may miss the deadline (the emulator then expires the interaction): ask again.
    for (let attempt = 1; ; attempt++) {
      const handle = await asker.runCommand("model", { name });
      const message = await handle.reply({ timeoutMs: 10_000 }).catch((error: unknown) => {
        if (attempt === 5) throw error;
      });
      if (message) {
        answers.push(message);
        break;
      }
      await idle(emu, asker);
    }
  }
  await idle(emu, asker);
  const [a, b, c] = answers as [APIMessage, APIMessage, APIMessage];
  const plan: Array<["add" | "remove", APIMessage, string]> = [
    ["add", a, "saved"],
    ["add", b, "saved"],
    ["remove", a, "removed"],
    ["add", c, "saved"],
    ["add", a, "saved"],
  ];
  const since = bot.logs.length;
  const sent = new Map<string, number[]>();
  const start = Date.now();
  for (const [type, message] of plan) {
    for (const member of members) {
      sent.set(member.userId, [...(sent.get(member.userId) ?? []), Date.now()]);
      if (type === "add") await member.react(message, "🔖");
      else await member.unreact(message, "🔖");
      await breathe();
    }
  }
  const total = plan.length * members.length;
  const applied = () => bot.logs.slice(since).filter((l) => l.msg === "bookmark reaction");
  const deadline = Date.now() + 120_000;
  while (applied().length < total && Date.now() < deadline) await sleep(100);
  const byMember = new Map<string, LogLine[]>();
  for (const line of applied())
    byMember.set(line.userId as string, [...(byMember.get(line.userId as string) ?? []), line]);
  const delays: number[] = [];
  let lost = 0;
  let last = start;
  for (const member of members) {
    const lines = byMember.get(member.userId) ?? [];
    plan.forEach(([, message, outcome], k) => {
      const line = lines[k];
      if (!line || line.messageId !== message.id || line.outcome !== outcome) {
        lost++;
        return;
      }
      const at = line.time as number;
      delays.push(at - sent.get(member.userId)![k]!);
      last = Math.max(last, at);
    });
  }
  const violations = emu.takeViolations();
  return {
    name: "reaction events ×1,000",
    total,
    inTime: delays.filter((ms) => ms <= DEADLINE_MS).length,
    final: figures(delays),
    throughput: (total - lost) / Math.max(0.001, (last - start) / 1000),
    lost,
    violations: violations.length,
    note: "final = event sent → change stored",
  };
}

/**
 * 200 searches, one every 10 ms, with `/config reload` sent halfway after a document was added:
 * the bot rebuilds its index and catalogue while it answers.
 */
async function reloadMidBurst(
  emu: DiscordEmulator,
  bot: BotProcess,
  members: UserDriver[],
  moderator: UserDriver,
  dataDir: string,
  query: () => string,
): Promise<ScenarioResult> {
  const text = path.join(path.dirname(dataDir), "reload-notes.txt");
  await fs.writeFile(
    text,
    "The Zanzibar tokamak reached first plasma with a learned controller.\n",
  );
  await ingestDocument(path.join(dataDir, "corpus"), {
    file: text,
    title: "Reload notes",
    date: "2026-11-20",
    source: "Lab Notes",
  });
  const timings: Timing[] = [];
  let reload: Timing | undefined;
  for (let i = 0; i < 200; i++) {
    if (i === 100) reload = new Timing(await moderator.runCommand("config reload"));
    timings.push(new Timing(await members[i]!.runCommand("search", { query: query() })));
    await sleep(10);
  }
  await settle([...timings, reload!], 120_000);
  const reloaded = reload!.handle.original?.content ?? "";
  const violations = emu.takeViolations();
  const result = summarise("/config reload in a /search ×200 burst", timings, violations);
  const took = reload!.settledAt !== undefined ? reload!.settledAt - reload!.sentAt : NaN;
  void bot;
  return {
    ...result,
    note: `reload answered in ${took.toFixed(0)} ms: "${reloaded.slice(0, 60)}"`,
  };
}

const ms = (n: number) => `${n.toFixed(0)} ms`;

export function printEndToEnd(results: readonly ScenarioResult[], log = console.log): void {
  for (const r of results) {
    log(`\n${r.name}`);
    log(`  in time (3 s)      ${r.inTime}/${r.total}`);
    if (r.first)
      log(
        `  first response     p50 ${ms(r.first.p50)}   p95 ${ms(r.first.p95)}   max ${ms(r.first.max)}`,
      );
    log(
      `  final              p50 ${ms(r.final.p50)}   p95 ${ms(r.final.p95)}   max ${ms(r.final.max)}`,
    );
    log(`  throughput         ${r.throughput.toFixed(0)}/s`);
    log(`  lost               ${r.lost}   emulator violations ${r.violations}`);
    if (r.note) log(`  ${r.note}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  console.log(`# modeldex end to end (node ${process.version}, ${os.cpus().length} cores)`);
  await runEndToEnd();
}
