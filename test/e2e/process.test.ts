import { spawn } from "node:child_process";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { DiscordEmulator } from "../../src/emulator/index.js";
import { SHIPPED_DATA, tempDir } from "../helpers.js";
import { ensureBuilt } from "../build.js";
import { parsePrometheus } from "../prometheus.js";
import { BotProcess, isRunning } from "./bot-process.js";
import { World } from "./world.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const ready = (l: { msg: string }) =>
  l.msg === "commands deployed" || l.msg === "commands up to date";

/** A cold `tsc` build on a busy two-core machine. */
const BUILD_TIMEOUT_MS = 300_000;

const running: BotProcess[] = [];
let emu: DiscordEmulator | undefined;
afterEach(async () => {
  for (const bot of running.splice(0)) await bot.stop();
  emu?.assertClean();
  await emu?.stop();
  emu = undefined;
});

/** Runs a command in the project folder, and collects what it prints. */
function run(command: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("npm start as a process", () => {
  it("GIVEN no DISCORD_TOKEN in production THEN it stops with one line saying how to get one, and exit code 1", async () => {
    // Outside production, the same start opens the playground (see playground-process.test.ts).
    const bot = BotProcess.start({
      DISCORD_TOKEN: "",
      NODE_ENV: "production",
      STATE_DIR: await tempDir("proc-"),
    });
    running.push(bot);
    expect(await bot.exitCode()).toBe(1);
    expect(bot.errorOutput.trim().split("\n")).toEqual([
      "modeldex cannot start: DISCORD_TOKEN is not set: create an application at https://discord.com/developers/applications, open Bot, press Reset Token and put it in .env as DISCORD_TOKEN=... (`npm run cli` works without it).",
    ]);
  });

  it("GIVEN a malformed token or setting THEN the line names the variable and never prints the value", async () => {
    const secret = "not-a-token-but-a-secret-1234567890";
    const bot = BotProcess.start({ DISCORD_TOKEN: secret, STATE_DIR: await tempDir("proc-") });
    running.push(bot);
    expect(await bot.exitCode()).toBe(1);
    expect(bot.errorOutput).toMatch(
      /^modeldex cannot start: DISCORD_TOKEN is too short to be a bot token/,
    );
    expect(bot.errorOutput).not.toContain(secret);

    const limit = BotProcess.start({ BOOKMARK_LIMIT: "lots", STATE_DIR: await tempDir("proc-") });
    running.push(limit);
    expect(await limit.exitCode()).toBe(1);
    expect(limit.errorOutput).toMatch(
      /^modeldex cannot start: BOOKMARK_LIMIT .*: a whole number from 1 to 10000/,
    );

    // Every bad variable at once, one line each; LOG_LEVEL in capitals is fine.
    const several = BotProcess.start({
      BOOKMARK_LIMIT: "lots",
      DISCORD_GUILD_ID: "my-server",
      LOG_LEVEL: "INFO",
      STATE_DIR: await tempDir("proc-"),
    });
    running.push(several);
    expect(await several.exitCode()).toBe(1);
    expect(several.errorOutput.trim().split("\n")).toEqual([
      expect.stringMatching(/^modeldex cannot start: DISCORD_GUILD_ID must be a Discord id/),
      expect.stringMatching(/^modeldex cannot start: BOOKMARK_LIMIT .*: a whole number/),
    ]);
    expect(several.errorOutput).not.toMatch(/lots|my-server/);
  });

  it("GIVEN SIGTERM during a burst of reactions THEN every event received is written, and the process exits 0", async () => {
    emu = await DiscordEmulator.start();
    const guild = emu.addGuild({ name: "AI Club" });
    const channel = emu.addChannel(guild.id, { name: "general" });
    const stateDir = await tempDir("proc-");
    const env = {
      DISCORD_TOKEN: emu.token,
      DISCORD_API_URL: emu.apiUrl,
      STATE_DIR: stateDir,
      DATA_DIR: SHIPPED_DATA,
    };
    const bot = BotProcess.start(env);
    running.push(bot);
    await bot.waitForLog(ready);

    const members = Array.from({ length: 30 }, (_, i) =>
      emu!.user(guild.id, emu!.addMember(guild.id, { username: `m${i}` }).id, {
        channelId: channel.id,
      }),
    );
    const note = emu.postMessage(channel.id, guild.ownerId, "a message worth keeping");
    await Promise.all(members.map((m) => m.react(note, "🔖")));
    // Gateway events arrive in order: once this command is answered, every reaction is in.
    await (await members[0]!.runCommand("search", { query: "olmo" })).reply();
    bot.signal("SIGTERM");
    expect(await bot.exitCode()).toBe(0);
    expect(bot.logs.map((l) => l.msg)).toContain("stopped");
    expect(bot.errors()).toEqual([]);

    // The same store, read directly: all 30 bookmarks are there.
    const world = await World.create({ stateDir });
    try {
      const ctx = world.bot.context();
      for (const member of members)
        expect(await ctx.bookmarks.list(guild.id, member.userId), member.userId).toHaveLength(1);
    } finally {
      await world.close();
    }
  });
});

describe("npm run deploy-commands", () => {
  beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

  it("GIVEN DISCORD_GUILD_ID THEN every command is registered in that server with one bulk request", async () => {
    emu = await DiscordEmulator.start();
    const guild = emu.addGuild({ name: "Dev" });
    const result = await run("npm", ["run", "--silent", "deploy-commands"], {
      DISCORD_TOKEN: emu.token,
      DISCORD_API_URL: emu.apiUrl,
      DISCORD_GUILD_ID: guild.id,
      STATE_DIR: await tempDir("deploy-"),
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(
      `Deployed 11 command(s) to server ${guild.id} (available now).`,
    );
    expect(emu.commandPuts).toBe(1);
    expect(emu.commands(guild.id).map((c) => c.name)).toEqual([
      "model",
      "lab",
      "compare",
      "search",
      "recap",
      "bookmarks",
      "entry",
      "config",
      "recap-config",
      "help",
      "about",
    ]);
    expect(emu.commands()).toEqual([]);
  });

  it("GIVEN no token THEN it says what is missing and exits 1", async () => {
    const result = await run("npm", ["run", "--silent", "deploy-commands"], {
      STATE_DIR: await tempDir("deploy-"),
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^Could not deploy commands: DISCORD_TOKEN is not set:/);
  });
});

async function get(port: number, path: string) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    body: await response.text(),
  };
}

describe("npm run cli, built", () => {
  beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

  it("GIVEN the built CLI THEN it answers as the sources do, and exits 2 on a malformed call", async () => {
    const env = { DATA_DIR: SHIPPED_DATA, STATE_DIR: await tempDir("cli-") };
    const ok = await run(
      "npm",
      ["run", "--silent", "cli", "--", "model", "name:opus 4.5", "--json"],
      env,
    );
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).embeds[0].title).toBe("Claude Opus 4.5");
    const usage = await run("npm", ["run", "--silent", "cli", "--", "search"], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^search needs query:<value>\nusage:/);
  });
});

/** Polls until the answer is as expected, or fails with the last one. */
async function eventually(port: number, path: string, status: number, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await get(port, path);
    if (answer.status === status) return answer;
    if (Date.now() > deadline)
      throw new Error(`${path} stayed ${answer.status} (wanted ${status}): ${answer.body}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("npm start in production", () => {
  beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

  async function startWorld(extra: Record<string, string> = {}) {
    emu = await DiscordEmulator.start();
    const guild = emu.addGuild({ name: "AI Club" });
    const channel = emu.addChannel(guild.id, { name: "general" });
    const member = emu.addMember(guild.id, { username: "ada" });
    const bot = BotProcess.npmStart({
      DISCORD_TOKEN: emu.token,
      DISCORD_API_URL: emu.apiUrl,
      STATE_DIR: await tempDir("prod-"),
      DATA_DIR: SHIPPED_DATA,
      ...extra,
    });
    running.push(bot);
    await bot.waitForLog(ready, 60_000);
    return { bot, guild, ada: emu.user(guild.id, member.id, { channelId: channel.id }) };
  }

  it("GIVEN HTTP_PORT THEN /healthz, /readyz (503 while the gateway is down) and /metrics answer, each command logs one info line with its latency, and SIGTERM to npm's pid exits 0 within 5 s leaving nothing running", async () => {
    const { bot, guild, ada } = await startWorld({ HTTP_PORT: "0" });
    const port = (await bot.waitForLog((l) => l.msg.startsWith("serving /healthz"))).port as number;

    expect(await get(port, "/healthz")).toMatchObject({ status: 200, body: "ok\n" });
    expect((await eventually(port, "/readyz", 200)).body).toBe("ready\n");
    expect((await get(port, "/nothing")).status).toBe(404);

    await (await ada.runCommand("search", { query: "distillation attacks" })).reply();
    await (await ada.runCommand("help", {})).reply();
    await ada.autocomplete("model", { name: "opus" }, "name");
    const lines = await bot
      .waitForLog(() => bot.logs.filter((l) => l.msg === "interaction").length >= 3)
      .then(() => bot.logs.filter((l) => l.msg === "interaction"));
    const info = lines.filter((l) => l.level === 30);
    expect(info.map((l) => [l.kind, l.command, l.outcome, l.guild, l.user])).toEqual([
      ["command", "search", "ok", guild.id, ada.userId],
      ["command", "help", "ok", guild.id, ada.userId],
    ]);
    for (const line of info) {
      expect(line.firstResponseMs).toEqual(expect.any(Number));
      expect(line.totalMs as number).toBeGreaterThanOrEqual(line.firstResponseMs as number);
    }
    // Autocomplete is logged too, at debug, so a busy server's info log is one line per command.
    expect(lines.filter((l) => l.level === 20).map((l) => [l.kind, l.command])).toEqual([
      ["autocomplete", "model"],
    ]);

    const metrics = await get(port, "/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parsePrometheus(metrics.body);
    expect(
      samples.get('modeldex_commands_total{command="search",kind="command",outcome="ok"}'),
    ).toBe(1);
    expect(samples.get('modeldex_commands_total{command="help",kind="command",outcome="ok"}')).toBe(
      1,
    );
    expect(
      samples.get('modeldex_command_first_response_seconds_count{command="search",kind="command"}'),
    ).toBe(1);
    expect(
      samples.get('modeldex_command_duration_seconds_count{command="help",kind="command"}'),
    ).toBe(1);
    expect(
      samples.get('modeldex_autocomplete_duration_seconds_count{command="model",outcome="ok"}'),
    ).toBe(1);
    expect(samples.get('modeldex_gateway_shard_ready{shard="0"}')).toBe(1);
    expect(samples.get('modeldex_gateway_shard_status{shard="0",status="ready"}')).toBe(1);
    expect(samples.get('modeldex_queue_depth{queue="interactions"}')).toBe(0);
    expect(samples.get('modeldex_store_operation_seconds_count{operation="set"}')).toBeGreaterThan(
      0,
    );
    expect(samples.get("process_resident_memory_bytes")).toBeGreaterThan(0);

    const outage = emu!.gatewayOutage();
    const down = await eventually(port, "/readyz", 503);
    expect(down.body).toMatch(/^not ready\n- gateway: shard 0 is [a-z-]+\n$/);
    const during = parsePrometheus((await get(port, "/metrics")).body);
    expect(during.get('modeldex_gateway_shard_ready{shard="0"}')).toBe(0);
    expect((await get(port, "/healthz")).status).toBe(200);
    await outage.restore();
    await eventually(port, "/readyz", 200);

    const botPid = bot.botPid!;
    expect(botPid).not.toBe(bot.pid);
    const signalled = Date.now();
    bot.signal("SIGTERM");
    expect(await bot.exitCode(5_000)).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(5_000);
    expect(bot.logs.map((l) => l.msg)).toContain("stopped");
    expect(isRunning(botPid)).toBe(false);
    expect(bot.errors()).toEqual([]);
  }, 120_000);

  it("GIVEN SIGINT to npm's pid (Ctrl-C) THEN the bot stops cleanly and npm exits 0 within 5 s", async () => {
    const { bot } = await startWorld();
    const botPid = bot.botPid!;
    bot.signal("SIGINT");
    expect(await bot.exitCode(5_000)).toBe(0);
    expect(bot.logs.filter((l) => l.msg === "shutting down").map((l) => l.signal)).toEqual([
      "SIGINT",
    ]);
    expect(isRunning(botPid)).toBe(false);
  }, 90_000);
});

describe("the built bot with its shards in worker threads", () => {
  beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

  it("GIVEN SHARD_COUNT=2 and SHARD_WORKERS=1 under npm start THEN each shard connects from its worker and answers its servers, and SIGTERM stops it cleanly", async () => {
    emu = await DiscordEmulator.start({ sharding: { maxConcurrency: 2 } });
    const servers = [0, 1].map((shard) => {
      const guild = emu!.addGuild({ shard: { id: shard, count: 2 } });
      const channel = emu!.addChannel(guild.id, { name: "general" });
      const member = emu!.addMember(guild.id, { username: `m${shard}` });
      return { shard, user: emu!.user(guild.id, member.id, { channelId: channel.id }) };
    });
    const bot = BotProcess.npmStart({
      DISCORD_TOKEN: emu.token,
      DISCORD_API_URL: emu.apiUrl,
      STATE_DIR: await tempDir("proc-"),
      DATA_DIR: SHIPPED_DATA,
      SHARD_COUNT: "2",
      SHARD_WORKERS: "1",
    });
    running.push(bot);
    await bot.waitForLog(ready, 60_000);
    expect(emu.gatewayShards).toEqual([
      { shard: [0, 2], connected: true },
      { shard: [1, 2], connected: true },
    ]);
    for (const { shard, user } of servers) {
      const about = await (await user.runCommand("about")).reply();
      expect(about.embeds[0]?.fields?.find((f) => f.name === "Shard")?.value).toBe(
        `${shard} of 2, ready`,
      );
    }
    bot.signal("SIGTERM");
    expect(await bot.exitCode(10_000)).toBe(0);
    expect(bot.errors()).toEqual([]);
  }, 120_000);
});
