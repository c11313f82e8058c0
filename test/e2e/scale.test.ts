import { PermissionFlagsBits } from "discord-api-types/v10";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DiscordEmulator, shardOf, type UserDriver } from "../../src/emulator/index.js";
import { recapPageOf } from "../../src/replies/recap.js";
import { SHIPPED_DATA, tempDir } from "../helpers.js";
import { freshDatabase } from "../postgres.js";
import { BotProcess, type LogLine } from "./bot-process.js";

/**
 * The bot at scale: real bot processes on four gateway shards, one emulated Discord, and one real
 * Postgres, with 40 servers spread over the shards.
 */
const SHARDS = 4;
const SERVERS = 40;
/** Monday 9 February 2026, 09:00 in Berlin: the recap slot (it covers 2026-W06). */
const SLOT = Date.parse("2026-02-09T08:00:00Z");
const WEEK = "2026-W06";

const ready = (l: LogLine) => l.msg === "commands deployed" || l.msg === "commands up to date";

interface Server {
  readonly id: string;
  readonly shard: number;
  readonly channel: string;
  readonly moderator: UserDriver;
  readonly member: UserDriver;
  readonly memberId: string;
}

let emu: DiscordEmulator;
let storeUrl: string;
let db: pg.Pool;
let servers: Server[];
const bots = new Set<BotProcess>();
/** Each process's shards: three processes on four shards. */
const PLACEMENT = ["0,1", "2", "3"];

beforeAll(async () => {
  // Two identify buckets: shards 0 and 2 share one, across two processes.
  emu = await DiscordEmulator.start({ sharding: { maxConcurrency: 2 } });
  servers = Array.from({ length: SERVERS }, (_, i) => {
    const shard = i % SHARDS;
    const guild = emu.addGuild({ name: `server ${i}`, shard: { id: shard, count: SHARDS } });
    const channel = emu.addChannel(guild.id, { name: "general" }).id;
    const moderatorId = emu.addMember(guild.id, {
      username: `mod${i}`,
      permissions: PermissionFlagsBits.ManageGuild,
    }).id;
    const memberId = emu.addMember(guild.id, { username: `member${i}` }).id;
    return {
      id: guild.id,
      shard,
      channel,
      moderator: emu.user(guild.id, moderatorId, { channelId: channel }),
      member: emu.user(guild.id, memberId, { channelId: channel }),
      memberId,
    };
  });
  storeUrl = await freshDatabase();
  db = new pg.Pool({ connectionString: storeUrl, max: 2 });
});

afterAll(async () => {
  for (const bot of bots) await bot.stop();
  await db?.end();
  await emu?.stop();
});

/** A bot process for some shards, started at `clockAt`, resolved once it is ready. */
async function start(shardIds: string, clockAt: number): Promise<BotProcess> {
  const bot = await launch(shardIds, clockAt);
  await bot.waitForLog(ready, 90_000);
  return bot;
}

/** A bot process for some shards, started at `clockAt`, not waited for. */
async function launch(shardIds: string, clockAt: number): Promise<BotProcess> {
  const bot = BotProcess.start(
    {
      DISCORD_TOKEN: emu.token,
      DISCORD_API_URL: emu.apiUrl,
      STATE_DIR: await tempDir("scale-"),
      DATA_DIR: SHIPPED_DATA,
      STORE_URL: storeUrl,
      SHARD_COUNT: String(SHARDS),
      SHARD_IDS: shardIds,
    },
    { clockAt: new Date(clockAt) },
  );
  bots.add(bot);
  return bot;
}

async function crash(bot: BotProcess): Promise<void> {
  await bot.crash();
  bots.delete(bot);
}

async function stopCleanly(bot: BotProcess): Promise<void> {
  bot.signal("SIGTERM");
  expect(await bot.exitCode(15_000)).toBe(0);
  bots.delete(bot);
}

/** Waits (at most `timeoutMs`) until `check` holds. */
async function eventually(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The interactions a process logged, by interaction id. */
const interactionsOf = (bot: BotProcess) =>
  bot.logs.filter((l) => l.msg === "interaction").map((l) => String(l.interaction));

describe("several bot processes on four shards sharing one Postgres", () => {
  let processes: BotProcess[];

  it("GIVEN three processes starting together THEN none is refused an IDENTIFY, and the commands are deployed once", async () => {
    processes = await Promise.all(PLACEMENT.map((ids) => start(ids, SLOT - 60 * 60_000)));
    expect(emu.gatewayShards).toEqual(
      [0, 1, 2, 3].map((id) => ({ shard: [id, SHARDS], connected: true })),
    );
    expect(emu.gatewayStats.refusedIdentifies).toBe(0);
    const deploys = emu.requests.filter(
      (r) => r.method === "PUT" && /^\/applications\/\d+\/commands$/.test(r.path),
    );
    expect(deploys).toHaveLength(1);
    // One deployed; the others found the deployment done, or waited for it.
    const outcomes = processes.map((p) => String(p.logs.find(ready)?.outcome));
    expect(outcomes.filter((o) => o === "deployed")).toHaveLength(1);
  }, 120_000);

  it("GIVEN a command in each of the 40 servers THEN the process running its shard answers it, and only that one", async () => {
    for (const server of servers) {
      const handle = await server.member.runCommand("about");
      const about = await handle.reply();
      const shard = (about.embeds[0]?.fields ?? []).find((f) => f.name === "Shard")?.value ?? "";
      expect(shard).toBe(`${server.shard} of ${SHARDS}, ready`);
      const owner = PLACEMENT.findIndex((ids) => ids.split(",").includes(String(server.shard)));
      await eventually("the interaction log line", () =>
        interactionsOf(processes[owner]!).includes(handle.id),
      );
      for (const [i, bot] of processes.entries())
        expect(interactionsOf(bot).includes(handle.id)).toBe(i === owner);
    }
    emu.assertClean();
  }, 120_000);

  it("GIVEN a burst of bookmark reactions from 20 members on four shards THEN none is lost, and each member ends as their last reaction says", async () => {
    // One server per shard, five members in each, reacting on a bot answer.
    const targets = servers.slice(0, SHARDS);
    const answers = await Promise.all(
      targets.map(async (server) =>
        (await server.member.runCommand("model", { name: "opus 4.5" })).reply(),
      ),
    );
    const reacting = targets.flatMap((server, s) =>
      Array.from({ length: 5 }, (_, i) => {
        const id = emu.addMember(server.id, { username: `reader${s}-${i}` }).id;
        return {
          server,
          id,
          user: emu.user(server.id, id, { channelId: server.channel }),
          answer: answers[s]!,
          // 1 to 4 events: add, remove, add, remove. An odd count ends saved.
          events: 1 + ((s * 5 + i) % 4),
        };
      }),
    );
    const seen = () =>
      processes.reduce(
        (n, bot) => n + bot.logs.filter((l) => l.msg === "bookmark reaction").length,
        0,
      );
    const before = seen();
    await Promise.all(
      reacting.map(async (r) => {
        for (let e = 0; e < r.events; e++)
          await (e % 2 === 0 ? r.user.react(r.answer, "🔖") : r.user.unreact(r.answer, "🔖"));
      }),
    );
    const total = reacting.reduce((n, r) => n + r.events, 0);
    await eventually("every reaction applied", () => seen() - before === total);
    for (const r of reacting) {
      const { rows } = await db.query(
        "SELECT message_id FROM bookmarks WHERE guild_id = $1 AND user_id = $2",
        [r.server.id, r.id],
      );
      expect(rows.map((row: { message_id: string }) => row.message_id)).toEqual(
        r.events % 2 === 1 ? [r.answer.id] : [],
      );
    }
    // Each reaction was applied by the process that runs its server's shard.
    for (const [i, bot] of processes.entries()) {
      const shards = PLACEMENT[i]!.split(",").map(Number);
      for (const line of bot.logs.filter((l) => l.msg === "bookmark reaction"))
        expect(shards).toContain(shardOf(String(line.guildId), SHARDS));
    }
  }, 120_000);

  it("GIVEN a moderator's new entry made through another process while this one was away THEN this one shows it at once", async () => {
    const server = servers.find((s) => s.shard === 3)!;
    const owner = processes[2]!;
    const lookUp = async () =>
      (await server.member.runCommand("model", { name: "Orbit 7" })).reply();
    // The owner answers, and keeps this server's catalogue in memory.
    expect((await lookUp()).embeds[0]?.title).not.toBe("Orbit 7");

    // It stops answering (paused), and another process takes its shard over.
    owner.signal("SIGSTOP");
    const standIn = await start("3", SLOT - 60 * 60_000);
    const form = await server.moderator.runCommand("entry add", {
      kind: "model",
      lab: "moonshot-ai",
    });
    await form.settled();
    const saved = await server.moderator.submitModal(form, {
      name: "Orbit 7",
      released: "2026-02-05",
      aliases: "",
      summary: "A model added by a moderator through the stand-in.",
      source: "",
    });
    expect((await saved.reply()).content).toMatch(/^Added \*\*Orbit 7\*\*/);
    await stopCleanly(standIn);

    // Back, the owner takes its shard again and finds the entry without a restart.
    const identifies = emu.gatewayStats.identifies;
    owner.signal("SIGCONT");
    await eventually(
      "the owner back on shard 3",
      () =>
        emu.gatewayStats.identifies > identifies &&
        emu.gatewayShards.some((s) => s.shard[0] === 3 && s.connected),
    );
    const card = await lookUp();
    expect(card.embeds[0]?.title).toBe("Orbit 7");
    expect(interactionsOf(owner)).toContain(card.interaction_metadata?.id);
  }, 120_000);

  it("GIVEN every server's recap due while processes are killed with kill -9 mid-posting and restarted THEN each server's recap is posted exactly once", async () => {
    for (const server of servers) {
      const set = await server.moderator.runCommand("recap-config set", {
        channel: server.channel,
        day: 1,
        time: "09:00",
        timezone: "Europe/Berlin",
      });
      expect((await set.reply()).content).toMatch(/^The weekly recap will be posted/);
    }
    for (const bot of processes) await stopCleanly(bot);

    // A slow Discord: each page is created at once and answered late, so kills land mid-post.
    const slow = emu.faults.add({
      method: "POST",
      path: /^\/channels\/\d+\/messages$/,
      delayMs: 400,
    });
    const recapPages = (server: Server) =>
      emu
        .messages(server.channel)
        .filter((m) => m.author.id === emu.botUserId && !m.interaction_metadata)
        .map((m) => ({ id: m.id, page: recapPageOf(m) }));
    const posting = await Promise.all(PLACEMENT.map((ids) => launch(ids, SLOT + 60_000)));
    // Kill the processes of shards 0-1 and 2 as soon as each has posted a page of its own.
    await Promise.all(
      [0, 1].map(async (victim) => {
        const shards = PLACEMENT[victim]!.split(",").map(Number);
        await eventually(
          `a recap page on shard ${PLACEMENT[victim]}`,
          () => servers.some((s) => shards.includes(s.shard) && recapPages(s).length > 0),
          90_000,
        );
        await crash(posting[victim]!);
      }),
    );
    const posted = async (onShards = [0, 1, 2, 3]) => {
      const ids = servers.filter((s) => onShards.includes(s.shard)).map((s) => s.id);
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM recap_posts
         WHERE week = $1 AND status = 'posted' AND guild_id = ANY($2)`,
        [WEEK, ids],
      );
      return (rows[0] as { n: number }).n;
    };
    // The kills landed mid-post: some weeks of the killed processes' servers are not finished
    // (pages may be in the channel that no record holds yet).
    const onVictims = servers.filter((s) => s.shard <= 2).length;
    expect(await posted([0, 1, 2])).toBeLessThan(onVictims);
    // After their claims' leases ran out, new processes take over.
    const resumed = await Promise.all([0, 1].map((i) => start(PLACEMENT[i]!, SLOT + 4 * 60_000)));

    await eventually("every recap posted", async () => (await posted()) === SERVERS, 90_000);
    slow.remove();

    for (const server of servers) {
      const pages = recapPages(server);
      const { rows } = await db.query(
        "SELECT message_ids, page_count FROM recap_posts WHERE guild_id = $1 AND week = $2",
        [server.id, WEEK],
      );
      const record = rows[0] as { message_ids: string; page_count: number };
      expect(pages.map((p) => p.page)).toEqual(
        Array.from({ length: record.page_count }, (_, page) => ({ week: WEEK, page })),
      );
      expect(JSON.parse(record.message_ids)).toEqual(pages.map((p) => p.id));
    }
    for (const bot of [...resumed, posting[2]!]) expect(bot.errors()).toEqual([]);
    emu.assertClean();
  }, 240_000);
});
