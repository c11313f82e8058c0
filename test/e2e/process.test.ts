import { spawn } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { listBookmarks } from "../../src/bookmarks/repository.js";
import { DiscordEmulator } from "../emulator/index.js";
import { SHIPPED_DATA, tempDir } from "../helpers.js";
import { BotProcess } from "./bot-process.js";
import { World } from "./world.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const ready = (l: { msg: string }) =>
  l.msg === "commands deployed" || l.msg === "commands up to date";

const running: BotProcess[] = [];
let emu: DiscordEmulator | undefined;
afterEach(async () => {
  for (const bot of running.splice(0)) await bot.stop();
  emu?.assertClean();
  await emu?.stop();
  emu = undefined;
});

/** Runs an npm script's command the way `npm run` does, and collects what it prints. */
function run(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", ...args], {
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
        expect(
          await listBookmarks(ctx.bookmarks, guild.id, member.userId),
          member.userId,
        ).toHaveLength(1);
    } finally {
      await world.close();
    }
  });
});

describe("npm run deploy-commands", () => {
  it("GIVEN DISCORD_GUILD_ID THEN every command is registered in that server with one bulk request", async () => {
    emu = await DiscordEmulator.start();
    const guild = emu.addGuild({ name: "Dev" });
    const result = await run(["src/deploy.ts"], {
      DISCORD_TOKEN: emu.token,
      DISCORD_API_URL: emu.apiUrl,
      DISCORD_GUILD_ID: guild.id,
      STATE_DIR: await tempDir("deploy-"),
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(
      `Deployed 9 command(s) to server ${guild.id} (available now).`,
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
    ]);
    expect(emu.commands()).toEqual([]);
  });

  it("GIVEN no token THEN it says what is missing and exits 1", async () => {
    const result = await run(["src/deploy.ts"], { STATE_DIR: await tempDir("deploy-") });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^Could not deploy commands: DISCORD_TOKEN is not set:/);
  });
});
