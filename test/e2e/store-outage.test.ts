import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORE_UNAVAILABLE } from "../../src/errors.js";
import { freshDatabase, TestPostgres } from "../postgres.js";
import { World } from "./world.js";

/** Its own Postgres server, which the test stops and starts again. */
let postgres: TestPostgres;
let world: World;
beforeAll(async () => {
  postgres = await TestPostgres.start();
  world = await World.create({
    env: { STORE_URL: await freshDatabase(postgres.url), STORE_TIMEOUT_MS: "1000" },
  });
});
afterAll(async () => {
  await world?.close();
  await postgres?.stop();
});

/** Waits (at most 20 s) until `check` holds. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 80; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(await check()).toBe(true);
}

describe("the bot on Postgres when Postgres stops", () => {
  it("GIVEN Postgres stopped THEN members get a clear private error within Discord's deadline, and once it is back the bot answers and saves again", async () => {
    const card = await (await world.member.runCommand("model", { name: "opus 4.5" })).reply();
    expect(card.embeds[0]?.title).toBe("Claude Opus 4.5");

    await postgres.pause();
    for (const [command, options] of [
      ["bookmarks list", {}],
      ["model", { name: "opus 4.5" }],
      ["config show", {}],
    ] as const) {
      const as = command === "config show" ? world.moderator : world.member;
      const handle = await as.runCommand(command, options);
      expect((await handle.reply()).content).toBe(STORE_UNAVAILABLE);
      expect(handle.ephemeral).toBe(true);
    }
    // Every interaction was answered, and in time: the emulator holds the bot to 3 s.
    world.emu.assertClean();
    expect(world.logs.filter((l) => l.msg === "store unavailable").length).toBeGreaterThanOrEqual(
      3,
    );

    await postgres.resume();
    const list = async () =>
      JSON.stringify(await (await world.member.runCommand("bookmarks list")).reply());
    await eventually(async () => !(await list()).includes(STORE_UNAVAILABLE));
    await world.member.react(card, "🔖");
    await eventually(async () => (await list()).includes("Claude Opus 4.5"));
    world.emu.assertClean();
  }, 60_000);
});
