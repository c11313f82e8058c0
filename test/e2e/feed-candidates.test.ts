import type { APIMessage } from "discord-api-types/v10";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InteractionRefused } from "../../src/emulator/index.js";
import { FeedServer } from "../feed-server.js";
import { FIXTURE_DATA } from "../helpers.js";
import { buttonsOf, World } from "./world.js";

/** The bot's clock: Wednesday of 2026-W48, running on from the test's start. */
const BOT_START = Date.parse("2026-11-25T12:00:00Z");

/** A week's briefing in the style of the corpus's publications, as its RSS feed serves it. */
const BRIEFING = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>Weekly model briefing</title>
    <link>https://briefing.example.com/</link>
    <description>What shipped, briefly.</description>
    <item>
      <title>Turbo season</title>
      <link>https://briefing.example.com/2026/turbo-season</link>
      <guid isPermaLink="false">briefing-2026-11-24</guid>
      <pubDate>Tue, 24 Nov 2026 08:00:00 GMT</pubDate>
      <description><![CDATA[<p>OpenAI released GPT-7 Turbo to paying users on Monday, a week after Claude Opus 4.5 took the coding crown.</p>
<p>Claude Opus 4.5 still leads most agent benchmarks, and the gap on long tasks is wide.</p>]]></description>
    </item>
    <item>
      <title>Small labs, open weights</title>
      <link>https://briefing.example.com/2026/small-labs</link>
      <guid isPermaLink="false">briefing-2026-11-23</guid>
      <pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate>
      <description><![CDATA[<p>Zephyr Labs open-sourced Breeze 3 this week, weights and all.</p>
<p>It is small, quick and meant for laptops.</p>]]></description>
    </item>
  </channel>
</rss>`;

let server: FeedServer;
let world: World;
const started = Date.now();
beforeAll(async () => {
  server = await FeedServer.start();
  server.serve("/briefing.xml", { body: BRIEFING });
  world = await World.create({
    dataDir: FIXTURE_DATA,
    env: {
      FEEDS: JSON.stringify([
        { url: server.url("/briefing.xml"), source: "Model briefing", kind: "briefing" },
      ]),
    },
    now: () => new Date(BOT_START + (Date.now() - started)),
    // Polls run when the test asks, never on the clock.
    feedTimer: { schedule: () => ({ stop: () => undefined }) },
  });
});
afterEach(() => world.emu.assertClean());
afterAll(async () => {
  await world.close();
  await server.close();
});

const field = (message: APIMessage, name: string) =>
  message.embeds[0]!.fields!.find((f) => f.name === name)?.value;

async function card(): Promise<APIMessage> {
  return (await world.member.runCommand("model", { name: "claude opus 4.5" })).reply();
}

async function candidates(): Promise<APIMessage> {
  return (await world.moderator.runCommand("entry candidates", {})).reply();
}

describe("documents from feeds, live", () => {
  it("GIVEN a new post naming a model THEN its card's corpus count and Mentions pages include it at once, with no reload", async () => {
    const before = await card();
    const countBefore = field(before, "In the corpus");

    await world.bot.feeds!.pollAll();

    const after = await card();
    expect(countBefore).toBe("Mentioned in 1 document, in Jun 2025.");
    expect(field(after, "In the corpus")).toBe(
      "Mentioned in 2 documents, first Jun 2025, latest Nov 2026.",
    );
    const mentionsId = buttonsOf(after).find((b) => b.label === "Mentions")!.id;
    await (await world.member.click(after, mentionsId)).settled();
    const mentions = world.emu.message(after.id)!;
    // Two mentions in one passage: the new post leads the list.
    expect(mentions.embeds[0]!.fields![0]!.name).toContain("Turbo season");
    const msgs = world.logs.map((l) => l.msg);
    expect(msgs).toContain("corpus updated");
    expect(msgs).not.toContain("corpus reloaded");
    expect(world.errors()).toEqual([]);
  });

  it("GIVEN names no entry has THEN /entry candidates lists them newest first, each with its sentence and its document", async () => {
    const list = await candidates();

    expect(list.flags! & 64).toBe(64);
    expect(list.embeds[0]!.fields!.map((f) => f.name)).toEqual([
      "GPT-7 Turbo",
      "Zephyr Labs",
      "Breeze 3",
    ]);
    expect(list.embeds[0]!.fields![0]!.value).toBe(
      "> OpenAI released GPT-7 Turbo to paying users on Monday, a week after Claude Opus 4.5 took the coding crown.\n" +
        "[Turbo season](https://briefing.example.com/2026/turbo-season) · Model briefing · 24 Nov 2026",
    );
    expect(buttonsOf(list).map((b) => `${b.id} ${b.label}`)).toEqual([
      "entry:cand-add:gpt7turbo Add GPT-7 Turbo",
      "entry:cand-dismiss:0:gpt7turbo Dismiss",
      "entry:cand-add:zephyrlabs Add Zephyr Labs",
      "entry:cand-dismiss:0:zephyrlabs Dismiss",
      "entry:cand-add:breeze3 Add Breeze 3",
      "entry:cand-dismiss:0:breeze3 Dismiss",
    ]);
    // Members do not get the list, even past Discord's hiding of the command.
    const refused = await (
      await world.member.runCommand("entry candidates", {}, { unchecked: true })
    ).reply();
    expect(refused.content).toMatch(/moderator/i);
  });

  it("GIVEN Add THEN the entry form opens with the name, the document's date and the sentence as source, and the saved entry leaves the list", async () => {
    const list = await candidates();

    const form = await world.moderator.click(list, "entry:cand-add:gpt7turbo");
    await form.settled();

    const values = Object.fromEntries(
      form.modal!.components.flatMap((row) =>
        (
          (row as { components?: Array<{ custom_id: string; value?: string }> }).components ?? []
        ).map((c) => [c.custom_id, c.value ?? ""]),
      ),
    );
    expect(form.modal!.title).toBe("Add a model to this server");
    expect(values).toMatchObject({
      name: "GPT-7 Turbo",
      released: "2026-11-24",
      source:
        "OpenAI released GPT-7 Turbo to paying users on Monday, a week after Claude Opus 4.5 took the coding crown.",
    });
    const saved = await (
      await world.moderator.submitModal(form, {
        ...values,
        summary: "OpenAI's faster GPT-7 variant, for paying users first.",
      })
    ).reply();
    expect(saved.content).toContain("Added **GPT-7 Turbo**");
    const model = await (await world.member.runCommand("model", { name: "gpt-7 turbo" })).reply();
    expect(model.embeds[0]!.title).toContain("GPT-7 Turbo");
    expect((await candidates()).embeds[0]!.fields!.map((f) => f.name)).toEqual([
      "Zephyr Labs",
      "Breeze 3",
    ]);
  });

  it("GIVEN Add for a name whose sentence names no known lab THEN the moderator is told how to add it, and nothing changes", async () => {
    const list = await candidates();

    const answer = await (await world.moderator.click(list, "entry:cand-add:breeze3")).reply();

    expect(answer.content).toContain("names no lab in this server's catalogue");
    expect(answer.flags! & 64).toBe(64);
  });

  it("GIVEN Dismiss THEN the name is hidden in this server, across a restart; a forged button changes nothing", async () => {
    const list = await candidates();

    await (await world.moderator.click(list, "entry:cand-dismiss:0:zephyrlabs")).settled();

    const updated = world.emu.message(list.id)!;
    expect(updated.content).toBe("Dismissed **Zephyr Labs** in this server.");
    expect(updated.embeds[0]!.fields!.map((f) => f.name)).toEqual(["Breeze 3"]);
    await expect(world.moderator.click(updated, "entry:cand-dismiss:0:gpt7turbo")).rejects.toThrow(
      InteractionRefused,
    );
    const forged = await (
      await world.moderator.rawComponent(updated, "entry:cand-dismiss:0:breeze3:x")
    ).reply();
    expect(forged.content).toBe("This button is no longer valid.");

    await world.stopBot();
    await world.start();
    expect((await candidates()).embeds[0]!.fields!.map((f) => f.name)).toEqual(["Breeze 3"]);
  });

  it("GIVEN the week's recap THEN it lists the documents feeds brought in and the open candidates for moderators", async () => {
    const recap = await (await world.moderator.runCommand("recap", { week: "2026-W48" })).reply();
    const text = recap.embeds.map((e) => e.description).join("\n");

    // GPT-7 Turbo was added from its candidate meanwhile: a release, and named in its post.
    expect(text).toContain(
      "### New from feeds\n• [Turbo season](https://briefing.example.com/2026/turbo-season) — Model briefing, 24 Nov · names Claude Opus 4.5 (2), GPT-7 Turbo (1)\n" +
        "• [Small labs, open weights](https://briefing.example.com/2026/small-labs) — Model briefing, 23 Nov\n",
    );
    expect(text).not.toContain("What the reading covered");
    expect(text).toContain(
      "### For moderators\n1 possible new model or lab from feeds waits to be added or dismissed: `/entry candidates`.",
    );
  });
});
