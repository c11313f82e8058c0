import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bookmarks as bookmarksCommand } from "../../commands/bookmarks.js";
import { config } from "../../commands/config.js";
import type { AppContext } from "../../src/app/context.js";
import { rememberAnswer } from "../../src/bookmarks/answers.js";
import { emojiMatches, parseEmoji } from "../../src/bookmarks/emoji.js";
import {
  applyReaction,
  type ReactionDeps,
  type ReactionEvent,
} from "../../src/bookmarks/reactions.js";
import { keyvBookmarks } from "../../src/bookmarks/repository.js";
import type { Reply } from "../../src/discord/payload.js";
import { answerSafely } from "../../src/interactions/boundary.js";
import type { Caller, OptionValue } from "../../src/interactions/types.js";
import { MANAGE_GUILD } from "../../src/settings/permissions.js";
import { memoryStore } from "../../src/store/keyv.js";
import type { StoreProblem } from "../../src/store/records.js";
import { contextFor, customIds, FIXTURE_DATA, silentLogger } from "../helpers.js";

const GUILD = "100000000000000001";
const CHANNEL = "400000000000000001";
const ALICE = "200000000000000001";

function harness(limit = 500) {
  const store = memoryStore();
  const problems: StoreProblem[] = [];
  let tick = 0;
  const deps: ReactionDeps = {
    bookmarks: keyvBookmarks(store, (p) => problems.push(p)),
    store,
    report: (p) => problems.push(p),
    // Each event a second later, so "newest first" is well defined.
    now: () => new Date(Date.UTC(2026, 10, 24, 12, 0, tick++)),
    limit,
    emojiFor: async () => "🔖",
    describeMessage: async () => ({ authorId: "200000000000000099" }),
  };
  const event = (over: Partial<ReactionEvent>): ReactionEvent => ({
    type: "add",
    guildId: GUILD,
    channelId: CHANNEL,
    messageId: "500000000000000001",
    userId: ALICE,
    emoji: { id: null, name: "🔖" },
    ...over,
  });
  const list = (userId = ALICE, guildId = GUILD) => deps.bookmarks.list(guildId, userId);
  return { store, deps, event, list, problems };
}

describe("bookmark reactions", () => {
  it("GIVEN a reaction on a bot answer THEN it saves what the answer showed, and removing it un-saves", async () => {
    const { deps, event, list, store } = harness();
    await rememberAnswer(store, "500000000000000001", {
      title: "Claude Opus 4.5",
      entry: { kind: "model", id: "claude-opus-4-5" },
      guildId: GUILD,
      channelId: CHANNEL,
      postedAt: "2026-11-24T11:00:00.000Z",
    });
    expect(await applyReaction(event({}), deps)).toBe("saved");
    expect(await list()).toMatchObject([
      { kind: "answer", title: "Claude Opus 4.5", entry: { kind: "model", id: "claude-opus-4-5" } },
    ]);
    expect(await applyReaction(event({ type: "remove" }), deps)).toBe("removed");
    expect(await list()).toEqual([]);
  });

  it("GIVEN another member's message THEN it saves the link, channel, author and time, and no text", async () => {
    const { deps, event, list } = harness();
    await applyReaction(event({ messageId: "500000000000000002" }), deps);
    const [saved] = await list();
    expect(saved).toEqual({
      messageId: "500000000000000002",
      channelId: CHANNEL,
      guildId: GUILD,
      savedAt: "2026-11-24T12:00:00.000Z",
      kind: "message",
      title: "Message",
      authorId: "200000000000000099",
    });
  });

  it("GIVEN duplicate adds, removes of nothing and other emoji THEN nothing changes that should not", async () => {
    const { deps, event, list } = harness();
    expect(await applyReaction(event({}), deps)).toBe("saved");
    expect(await applyReaction(event({}), deps)).toBe("already-saved");
    expect(await applyReaction(event({ emoji: { id: null, name: "⭐" } }), deps)).toBe(
      "other-emoji",
    );
    expect(
      await applyReaction(event({ type: "remove", emoji: { id: null, name: "⭐" } }), deps),
    ).toBe("other-emoji");
    expect(await list()).toHaveLength(1);
    expect(
      await applyReaction(event({ type: "remove", messageId: "599999999999999999" }), deps),
    ).toBe("not-saved");
    expect(await list()).toHaveLength(1);
  });

  it("GIVEN a burst of 200 interleaved adds and removes from 20 members THEN each ends as their last event says", async () => {
    const { deps, event, list } = harness();
    const members = Array.from(
      { length: 20 },
      (_, i) => `2100000000000000${String(i).padStart(2, "0")}`,
    );
    const messages = ["500000000000000010", "500000000000000011", "500000000000000012"];
    const last = new Map<string, "add" | "remove">();
    // A fixed pseudo-random interleaving, fired without waiting, as gateway events arrive.
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const pending: Array<Promise<unknown>> = [];
    for (let i = 0; i < 200; i++) {
      const userId = members[Math.floor(random() * members.length)]!;
      const messageId = messages[Math.floor(random() * messages.length)]!;
      const type = random() < 0.55 ? "add" : "remove";
      last.set(`${userId}/${messageId}`, type);
      pending.push(applyReaction(event({ userId, messageId, type }), deps));
    }
    await Promise.all(pending);
    for (const userId of members) {
      const expected = messages.filter((m) => last.get(`${userId}/${m}`) === "add").sort();
      const actual = (await list(userId)).map((b) => b.messageId).sort();
      expect(actual, userId).toEqual(expected);
    }
  });

  it("GIVEN a member at the limit THEN the next reaction is refused and the list is unchanged", async () => {
    const { deps, event, list } = harness(2);
    await applyReaction(event({ messageId: "500000000000000001" }), deps);
    await applyReaction(event({ messageId: "500000000000000002" }), deps);
    expect(await applyReaction(event({ messageId: "500000000000000003" }), deps)).toBe(
      "limit-reached",
    );
    expect((await list()).map((b) => b.messageId)).toEqual([
      "500000000000000002",
      "500000000000000001",
    ]);
  });

  it("GIVEN a deleted message THEN its bookmarks keep their title and say it is gone", async () => {
    const { deps, event, list } = harness();
    await applyReaction(event({}), deps);
    await applyReaction(event({ userId: "200000000000000002" }), deps);
    expect(
      await deps.bookmarks.markMessageDeleted(
        GUILD,
        "500000000000000001",
        new Date("2026-11-25T00:00:00Z"),
      ),
    ).toBe(2);
    expect((await list())[0]).toMatchObject({
      title: "Message",
      deletedAt: "2026-11-25T00:00:00.000Z",
    });
  });

  it("GIVEN two servers THEN a member's bookmarks in one are not listed in the other", async () => {
    const { deps, event, list } = harness();
    await applyReaction(event({}), deps);
    expect(await list(ALICE, "100000000000000002")).toEqual([]);
  });

  it("GIVEN a corrupt stored list THEN it is reported and left in place, and reading does not crash", async () => {
    const { deps, list, store, problems } = harness();
    await store.set(`bookmarks:${GUILD}:${ALICE}`, { v: 1, data: { items: [{ nonsense: true }] } });
    expect(await list()).toEqual([]);
    expect(problems[0]!.key).toBe(`bookmarks:${GUILD}:${ALICE}`);
    expect(await store.get(`bookmarks:${GUILD}:${ALICE}`)).toBeDefined();
    expect(deps.limit).toBe(500);
  });
});

describe("bookmark emoji", () => {
  it("GIVEN unicode and custom emoji THEN each matches its own reaction only", () => {
    expect(parseEmoji(" 🔖 ")).toBe("🔖");
    expect(parseEmoji("⭐️")).toBe("⭐️");
    expect(parseEmoji("👍🏽")).toBe("👍🏽");
    expect(parseEmoji("<:pin:123456789012345678>")).toBe("<:pin:123456789012345678>");
    expect(parseEmoji("pin")).toBeUndefined();
    expect(parseEmoji("🔖🔖")).toBeUndefined();
    expect(parseEmoji("@everyone")).toBeUndefined();
    expect(emojiMatches("⭐️", { id: null, name: "⭐" })).toBe(true);
    expect(
      emojiMatches("<:pin:123456789012345678>", { id: "123456789012345678", name: "pin" }),
    ).toBe(true);
    expect(emojiMatches("<:pin:123456789012345678>", { id: null, name: "pin" })).toBe(false);
    expect(emojiMatches("🔖", { id: "123456789012345678", name: "🔖" })).toBe(false);
  });
});

describe("/bookmarks", () => {
  let ctx: AppContext;
  beforeEach(async () => {
    ctx = await contextFor(FIXTURE_DATA);
  });
  afterEach(() => ctx.searchIndex.close());

  const alice: Caller = { userId: ALICE, guildId: GUILD, channelId: CHANNEL, permissions: 0n };
  const run = (caller: Caller, subcommand: string, options: Record<string, OptionValue> = {}) =>
    answerSafely(
      () => bookmarksCommand.execute({ ...caller, command: "bookmarks", subcommand, options }, ctx),
      silentLogger,
      {},
    );
  const click = (caller: Caller, customId: string): Promise<Reply> =>
    answerSafely(
      () => bookmarksCommand.component!({ ...caller, customId, values: [] }, ctx),
      silentLogger,
      {},
    );

  async function save(count: number) {
    for (let i = 1; i <= count; i++) {
      const messageId = `5000000000000001${String(i).padStart(2, "0")}`;
      await rememberAnswer(ctx.store, messageId, {
        title: i % 2 ? `Search: query ${i}` : `Model ${i}`,
        ...(i % 2
          ? { query: `query ${i}` }
          : { entry: { kind: "model" as const, id: `model-${i}` } }),
        guildId: GUILD,
        channelId: CHANNEL,
        postedAt: "2026-11-24T00:00:00.000Z",
      });
      await applyReaction(
        {
          type: "add",
          guildId: GUILD,
          channelId: CHANNEL,
          messageId,
          userId: ALICE,
          emoji: { id: null, name: "🔖" },
        },
        {
          bookmarks: ctx.bookmarks,
          store: ctx.store,
          report: ctx.reportProblem,
          now: () => new Date(Date.UTC(2026, 10, 24, 0, 0, i)),
          limit: ctx.bookmarkLimit,
          emojiFor: async () => "🔖",
          describeMessage: async () => ({}),
        },
      );
    }
  }

  it("GIVEN no bookmarks THEN the list says how to make one, privately", async () => {
    const empty = await run(alice, "list");
    expect(empty.payload.flags).toBe(64);
    expect(empty.payload.content).toBe(
      "You have no bookmarks in this server yet. React 🔖 on one of my answers (or any message) to save it.",
    );
  });

  it("GIVEN 23 bookmarks THEN the list pages newest first with jump links, and Next and Prev move between pages", async () => {
    await save(23);
    const first = await run(alice, "list");
    const lines = first.payload.embeds![0]!.description!.split("\n");
    expect(lines).toHaveLength(10);
    expect(lines[0]).toMatch(
      /^\*\*1\.\*\* \[Search: query 23\]\(https:\/\/discord\.com\/channels\/100000000000000001\/400000000000000001\/500000000000000123\) · search · in <#400000000000000001> · saved <t:\d+:R>$/,
    );
    expect(lines[1]).toMatch(/^\*\*2\.\*\* \[Model 22\]\(.*\) · model card ·/);
    expect(customIds(first.payload)).toEqual(["bookmarks:page:-1:-", "bookmarks:page:1:-"]);
    const third = await click(alice, "bookmarks:page:2:-");
    expect(third.update).toBe(true);
    expect(third.payload.embeds![0]!.footer!.text).toMatch(/^21–23 of 23/);
    expect(third.payload.embeds![0]!.description!.split("\n")[2]).toMatch(
      /^\*\*23\.\*\* \[Search: query 1\]/,
    );
  });

  it("GIVEN a filter THEN only matching bookmarks are listed, and its pages keep the filter", async () => {
    await save(23);
    const filtered = await run(alice, "list", { filter: "model" });
    expect(filtered.payload.embeds![0]!.title).toBe("Your bookmarks matching “model”");
    expect(filtered.payload.embeds![0]!.footer!.text).toMatch(/^1–10 of 11/);
    const next = customIds(filtered.payload)[1]!;
    const second = await click(alice, next);
    expect(second.payload.embeds![0]!.description!.split("\n")).toEqual([
      expect.stringMatching(/^\*\*11\.\*\* \[Model 2\]/),
    ]);
  });

  it("GIVEN remove with a picked item THEN only that bookmark goes", async () => {
    await save(3);
    const choices = await bookmarksCommand.autocomplete!(
      {
        ...alice,
        command: "bookmarks",
        subcommand: "remove",
        options: {},
        focused: { name: "item", value: "model" },
      },
      ctx,
    );
    expect(choices).toEqual([{ name: "Model 2 · 2026-11-24", value: "500000000000000102" }]);
    const removed = await run(alice, "remove", { item: "500000000000000102" });
    expect(removed.payload.content).toBe("Removed the bookmark **Model 2**.");
    expect((await ctx.bookmarks.list(GUILD, ALICE)).map((b) => b.title)).toEqual([
      "Search: query 3",
      "Search: query 1",
    ]);
    const unknown = await run(alice, "remove", { item: "nothing like this" });
    expect(unknown.payload.content).toBe(
      "You have no bookmark **nothing like this** here. Pick one from the list.",
    );
  });

  it("GIVEN clear THEN it asks first; cancel keeps everything and confirm deletes all", async () => {
    await save(3);
    const ask = await run(alice, "clear");
    expect(ask.payload.content).toMatch(/^Delete all 3 of your bookmarks in this server\?/);
    expect(customIds(ask.payload)).toEqual(["bookmarks:clear", "bookmarks:cancel"]);
    await click(alice, "bookmarks:cancel");
    expect(await ctx.bookmarks.list(GUILD, ALICE)).toHaveLength(3);
    const done = await click(alice, "bookmarks:clear");
    expect(done.payload.content).toBe("Deleted 3 bookmarks.");
    expect(await ctx.bookmarks.list(GUILD, ALICE)).toEqual([]);
  });

  it("GIVEN export THEN the bookmarks come as a JSON or Markdown file", async () => {
    await save(2);
    const json = await run(alice, "export");
    const file = json.payload.files![0]!;
    expect(file.name).toBe("bookmarks.json");
    expect(
      JSON.parse(file.data).map((b: { title: string; link: string }) => [b.title, b.link]),
    ).toEqual([
      [
        "Model 2",
        "https://discord.com/channels/100000000000000001/400000000000000001/500000000000000102",
      ],
      [
        "Search: query 1",
        "https://discord.com/channels/100000000000000001/400000000000000001/500000000000000101",
      ],
    ]);
    const markdown = await run(alice, "export", { format: "markdown" });
    expect(markdown.payload.files![0]!.data.split("\n")[2]).toBe(
      "- [Model 2](https://discord.com/channels/100000000000000001/400000000000000001/500000000000000102) · model card · saved 2026-11-24",
    );
  });

  it("GIVEN another member THEN they see none of Alice's bookmarks", async () => {
    await save(2);
    const bob = await run({ ...alice, userId: "200000000000000002" }, "list");
    expect(bob.payload.content).toMatch(/^You have no bookmarks in this server yet\./);
  });

  it("GIVEN /config bookmark-emoji THEN a moderator sets one emoji and junk is refused", async () => {
    const admin = { ...alice, permissions: MANAGE_GUILD };
    const configure = (emoji: string) =>
      answerSafely(
        () =>
          config.execute(
            { ...admin, command: "config", subcommand: "bookmark-emoji", options: { emoji } },
            ctx,
          ),
        silentLogger,
        {},
      );
    expect((await configure("not an emoji")).payload.content).toMatch(/^That is not one emoji\./);
    expect((await configure("⭐")).payload.content).toMatch(
      /^Members now bookmark a message by reacting ⭐\./,
    );
    const empty = await run(alice, "list");
    expect(empty.payload.content).toContain("React ⭐ on one of my answers");
  });
});
