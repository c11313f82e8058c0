import fs from "node:fs/promises";
import path from "node:path";
import { MessageFlags, type APIMessage } from "discord-api-types/v10";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ingestDocument } from "../../src/corpus/ingest.js";
import { BUSY_MESSAGE } from "../../src/discord/router.js";
import type { InteractionHandle, UserDriver } from "../../src/emulator/index.js";
import { SHIPPED_DATA, tempDir } from "../helpers.js";
import { World } from "./world.js";

const isEphemeral = (message: APIMessage) =>
  ((message.flags ?? 0) & MessageFlags.Ephemeral) === MessageFlags.Ephemeral;

/**
 * What the member sees: the response, or, when a private answer replaced a public "thinking…",
 * the follow-up that took its place.
 */
async function answerOf(handle: InteractionHandle): Promise<APIMessage> {
  await handle.settled(30_000);
  if (handle.record.originalDeleted) return (await handle.followUps())[0]!;
  return handle.reply();
}

function members(
  world: World,
  count: number,
  name: string,
  channelId = world.channelId,
): UserDriver[] {
  return Array.from({ length: count }, (_, i) => {
    const { id } = world.emu.addMember(world.guildId, { username: `${name}${i}` });
    return world.emu.user(world.guildId, id, { channelId });
  });
}

const SEARCHES = [
  "distillation attacks",
  "open models",
  "reasoning models",
  "reinforcement learning",
  "mixture of experts",
  "scaling laws",
];
const MODELS = ["Claude Opus 4.5", "DeepSeek R1", "Gemini 2.5 Pro", "Gemma 3", "GLM-4.5"];

describe("a burst of interactions", () => {
  let world: World;
  beforeAll(async () => {
    world = await World.create();
  });
  afterEach(() => {
    world.emu.assertClean();
    expect(world.errors()).toEqual([]);
  });
  afterAll(() => world.close());

  it("GIVEN 60 /search, 30 /model and 30 autocompletes at once THEN each is answered once, in time, with its own answer", async () => {
    const crowd = members(world, 30, "crowd");
    const searches: Array<[string, InteractionHandle]> = [];
    const cards: Array<[string, InteractionHandle]> = [];
    const typing: Array<[string, InteractionHandle]> = [];
    for (let i = 0; i < 60; i++) {
      const member = crowd[i % crowd.length]!;
      const query = SEARCHES[i % SEARCHES.length]!;
      searches.push([query, await member.runCommand("search", { query })]);
      if (i % 2 === 0) {
        const name = MODELS[i % MODELS.length]!;
        cards.push([name, await member.runCommand("model", { name })]);
        typing.push([name, await member.startAutocomplete("model", { name }, "name")]);
      }
    }
    for (const [query, handle] of searches) {
      const message = await answerOf(handle);
      expect(isEphemeral(message), query).toBe(false);
      expect(message.embeds[0]!.title).toBe(`Search: ${query}`);
    }
    for (const [name, handle] of cards)
      expect((await answerOf(handle)).embeds[0]!.title).toBe(name);
    for (const [name, handle] of typing) {
      await handle.settled();
      expect(handle.choices![0]!.name.startsWith(`${name} — `), name).toBe(true);
    }
    for (const [, handle] of [...searches, ...cards, ...typing])
      expect(handle.status).toBe("acknowledged");
  }, 60_000);

  it("GIVEN a dropped connection and a 5xx on a deferred answer's edit THEN the edit is sent again and the answer arrives", async () => {
    const edit = /^\/webhooks\/\d+\/[^/]+\/messages\/@original$/;
    const dropped = world.emu.faults.add({ method: "PATCH", path: edit, drop: true, times: 1 });
    const failed = world.emu.faults.add({ method: "PATCH", path: edit, status: 503, times: 1 });
    const since = world.logs.length;
    // More than run at once: the rest are deferred, and their answers are edits.
    const handles: Array<[string, InteractionHandle]> = [];
    for (const [i, member] of members(world, 12, "edit").entries()) {
      const query = SEARCHES[i % SEARCHES.length]!;
      handles.push([query, await member.runCommand("search", { query })]);
    }
    for (const [query, handle] of handles)
      expect((await answerOf(handle)).embeds[0]!.title).toBe(`Search: ${query}`);
    expect([dropped.hits, failed.hits]).toEqual([1, 1]);
    const retries = world.logs
      .slice(since)
      .filter((l) => l.msg === "could not send the edit; retrying");
    expect(retries).toHaveLength(2);
  }, 60_000);

  it("GIVEN 5xx and a dropped connection on bookmark reactions THEN all 20 answers get their reaction", async () => {
    const reaction = /^\/channels\/\d+\/messages\/\d+\/reactions\/[^/]+\/@me$/;
    const failing = world.emu.faults.add({ method: "PUT", path: reaction, status: 500, times: 3 });
    const dropped = world.emu.faults.add({ method: "PUT", path: reaction, drop: true, times: 1 });
    // A channel of its own: Discord takes one reaction a quarter second per channel, and the
    // bookmark reactions of the bursts above are still being added in theirs.
    const channel = world.emu.addChannel(world.guildId, { name: "reactions" }).id;
    await world.emu.waitFor(() => world.bot.client.channels.cache.has(channel));
    const answers: APIMessage[] = [];
    for (const [i, member] of members(world, 20, "react", channel).entries())
      answers.push(await answerOf(await member.runCommand("model", { name: MODELS[i % 5]! })));
    await world.emu.waitFor(
      () =>
        answers.every((a) =>
          world.emu
            .reactions(a.id)
            .some((r) => r.emoji === "🔖" && r.userIds.includes(world.emu.botUserId)),
        ),
      { timeoutMs: 20_000, what: "the bookmark reaction on all 20 answers" },
    );
    expect([failing.hits, dropped.hits]).toEqual([3, 1]);
  }, 60_000);
});

describe("a full queue", () => {
  let world: World;
  beforeAll(async () => {
    world = await World.create({ env: { QUEUE_LIMIT: "0" } });
  });
  afterAll(() => world.close());

  it("GIVEN more searches than may run or wait THEN the others are told privately to try again, and every one is answered once", async () => {
    const handles: Array<[string, InteractionHandle]> = [];
    for (const [i, member] of members(world, 40, "queue").entries()) {
      const query = SEARCHES[i % SEARCHES.length]!;
      handles.push([query, await member.runCommand("search", { query })]);
    }
    let busy = 0;
    for (const [query, handle] of handles) {
      const message = await answerOf(handle);
      if (message.content === BUSY_MESSAGE) {
        expect(isEphemeral(message)).toBe(true);
        busy++;
      } else {
        expect(message.embeds[0]!.title).toBe(`Search: ${query}`);
      }
    }
    expect(busy).toBeGreaterThan(0);
    world.emu.assertClean();
    expect(world.errors()).toEqual([]);
  }, 60_000);
});

describe("a reload in the middle of a burst", () => {
  it("GIVEN /config reload while searches keep coming THEN each is answered, from the old corpus until the new one is in and from the new one after", async () => {
    const dataDir = await tempDir("data-");
    await fs.cp(SHIPPED_DATA, dataDir, { recursive: true });
    const world = await World.create({ dataDir });
    try {
      const text = path.join(await tempDir("doc-"), "fusion.txt");
      await fs.writeFile(
        text,
        "The Zanzibar tokamak reached first plasma with a learned controller.\n",
      );
      await ingestDocument(path.join(dataDir, "corpus"), {
        file: text,
        title: "Fusion notes",
        date: "2026-11-20",
        source: "Lab Notes",
      });
      const crowd = members(world, 20, "reload");
      const asked: Array<[string, InteractionHandle]> = [];
      let reload: InteractionHandle | undefined;
      // Searches every 25 ms; the reload after 20 of them; then 20 more once it has answered.
      let after = 0;
      for (let i = 0; i < 400 && after < 20; i++) {
        if (i === 20) reload = await world.moderator.runCommand("config reload");
        if (reload?.record.settled) after++;
        const query = i % 2 === 0 ? "zanzibar tokamak" : "distillation attacks";
        asked.push([query, await crowd[i % crowd.length]!.runCommand("search", { query })]);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect((await reload!.reply({ timeoutMs: 30_000 })).content).toBe(
        "Reloaded: 70 documents in the corpus. Search, cards and autocomplete use them now.",
      );
      const found: boolean[] = [];
      for (const [query, handle] of asked) {
        const message = await answerOf(handle);
        if (query === "distillation attacks") {
          expect(message.embeds[0]!.title).toBe("Search: distillation attacks");
        } else {
          const hit = message.embeds[0]?.fields?.[0]?.name === "1. Fusion notes — 20 Nov 2026";
          if (!hit) {
            expect(message.content).toMatch(/^Nothing in the corpus matches/);
            expect(isEphemeral(message)).toBe(true);
          }
          found.push(hit);
        }
      }
      // Old answers, then new ones: once the new corpus answered, the old one never did again.
      expect(found[0]).toBe(false);
      expect(found.at(-1)).toBe(true);
      expect(found.slice(found.indexOf(true)).every(Boolean)).toBe(true);
      world.emu.assertClean();
      expect(world.errors()).toEqual([]);
    } finally {
      await world.close();
    }
  }, 90_000);
});
