import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FeedServer, fixtureFeed } from "../feed-server.js";
import { FIXTURE_DATA } from "../helpers.js";
import { World } from "./world.js";

let server: FeedServer;
let world: World;
/** The bot's clock runs ahead of the real one by this much. */
let ahead = 0;
beforeAll(async () => {
  server = await FeedServer.start();
  server.serve("/lab-notes.xml", { body: fixtureFeed("lab-notes.rss.xml"), etag: '"w47"' });
  world = await World.create({
    dataDir: FIXTURE_DATA,
    env: {
      FEEDS: JSON.stringify([
        { url: server.url("/lab-notes.xml"), source: "Lab Notes", kind: "newsletter" },
      ]),
    },
    now: () => new Date(Date.now() + ahead),
    // Polls run when the test asks, never on the clock.
    feedTimer: { schedule: () => ({ stop: () => undefined }) },
  });
});
afterEach(() => world.emu.assertClean());
afterAll(async () => {
  await world.close();
  await server.close();
});

describe("the bot with feeds", () => {
  it("GIVEN a feed THEN its items are polled at start-up and answer /search and the week's recap", async () => {
    await world.bot.feeds!.pollAll();

    const search = await (
      await world.member.runCommand("search", { query: "kimi k3 open-sourced" })
    ).reply();
    expect(search.embeds[0]!.fields![0]!.name).toBe(
      "1. Kimi K3 and the open-weight autumn — 16 Nov 2026",
    );
    const recap = await (await world.member.runCommand("recap", { week: "2026-W47" })).reply();
    const text = JSON.stringify(recap.embeds);
    expect(text).toContain("Kimi K3 and the open-weight autumn");
    expect(text).toContain("Distillation, again");
    expect(world.logs.map((l) => l.msg)).toContain("corpus updated");
    expect(world.logs.map((l) => l.msg)).not.toContain("corpus reloaded");
    expect(world.errors()).toEqual([]);
  });

  it("GIVEN a restart THEN the documents are loaded from the state folder and the feed answers 304", async () => {
    await world.stopBot();
    ahead += 60 * 60_000;
    await world.start();
    await world.bot.feeds!.pollAll();

    expect(server.hits("/lab-notes.xml").map((h) => h.status)).toEqual([200, 304]);
    const search = await (
      await world.member.runCommand("search", { query: "post-training budgets" })
    ).reply();
    expect(search.embeds[0]!.fields![0]!.name).toBe(
      "1. Notes on post-training budgets — 23 Nov 2026",
    );
  });
});
