import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SHIPPED_DATA, tempDir } from "../helpers.js";
import { BotProcess, TEST_TOKEN } from "./bot-process.js";

const running: BotProcess[] = [];
afterEach(async () => {
  for (const bot of running.splice(0)) await bot.stop();
});

const URL_LINE = /^modeldex playground: open (http:\/\/127\.0\.0\.1:\d+) \(/;

/** Starts `npm start` as a process and waits until its playground is ready. */
async function startPlayground(env: Record<string, string>, args: string[] = []) {
  const bot = BotProcess.start(
    {
      PLAYGROUND_PORT: "0",
      STATE_DIR: await tempDir("playground-"),
      DATA_DIR: SHIPPED_DATA,
      ...env,
    },
    { args },
  );
  running.push(bot);
  await bot.waitForLog((l) => l.msg === "playground ready");
  const url = URL_LINE.exec(bot.logs[0]!.msg)?.[1];
  return { bot, url };
}

describe("npm start without a token", () => {
  it("GIVEN no DISCORD_TOKEN THEN it serves the playground on 127.0.0.1, says where in its first log line, and stops cleanly", async () => {
    const { bot, url } = await startPlayground({ DISCORD_TOKEN: "" });
    expect(bot.logs[0]!.msg).toMatch(URL_LINE);
    expect(url).toBeDefined();
    const page = await fetch(url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>modeldex playground</title>");
    const world = (await (await fetch(`${url}/api/world`)).json()) as {
      ready: boolean;
      servers: { name: string; channels: unknown[] }[];
      people: { role: string }[];
    };
    expect(world.ready).toBe(true);
    expect(world.servers.map((s) => s.name)).toEqual(["AI Club", "Open Weights"]);
    expect(world.people.map((p) => p.role)).toEqual(["member", "moderator"]);
    // A page reached under another name (DNS rebinding) is refused.
    const rebound = await new Promise<number>((resolve, reject) =>
      http
        .get(`${url}/api/world`, { headers: { host: "attacker.example" } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on("error", reject),
    );
    expect(rebound).toBe(403);

    bot.signal("SIGTERM");
    expect(await bot.exitCode()).toBe(0);
    expect(bot.errors()).toEqual([]);
  });

  it("GIVEN a token and `npm run playground` THEN the playground starts anyway, touching neither Discord nor the real store", async () => {
    const stateDir = await tempDir("playground-");
    const realStore = path.join(stateDir, "real.sqlite");
    const { bot, url } = await startPlayground(
      {
        DISCORD_TOKEN: TEST_TOKEN,
        // Where a real deployment's API and store would be: neither is used.
        DISCORD_API_URL: "http://127.0.0.1:9/api",
        STORE_URL: `sqlite://${realStore}`,
        STATE_DIR: stateDir,
      },
      ["--playground"],
    );
    expect(url).toBeDefined();
    expect(bot.logs.map((l) => l.msg)).toContain("commands deployed");
    bot.signal("SIGTERM");
    expect(await bot.exitCode()).toBe(0);
    expect(fs.existsSync(realStore)).toBe(false);
    expect(fs.existsSync(path.join(stateDir, "playground", "store", "modeldex.sqlite"))).toBe(true);
  });
});
