import { PermissionFlagsBits, type APIMessage } from "discord-api-types/v10";
import {
  Events,
  type MessageReaction,
  type PartialMessageReaction,
  type PartialUser,
  type User,
} from "discord.js";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { Bookmark } from "../../src/bookmarks/repository.js";
import { DiscordEmulator, type OptionValues, type UserDriver } from "../../src/emulator/index.js";
import { SHIPPED_DATA, tempDir } from "../helpers.js";
import { BotProcess } from "./bot-process.js";
import { buttonsOf as buttonsWithState, idsOf, useWorld, World } from "./world.js";

let world: World;
useWorld((w) => (world = w));

const EMPTY_LIST =
  "You have no bookmarks in this server yet. React 🔖 on one of my answers (or any message) to save it.";
const FOOTER = "newest first · remove one with /bookmarks remove";

let joined = 0;
/** A new member of a server (the world's by default): each test keeps its own bookmarks. */
function joiner(name: string, guildId = world.guildId, channelId = world.channelId): UserDriver {
  const { id } = world.emu.addMember(guildId, { username: `${name}-${++joined}` });
  return world.emu.user(guildId, id, { channelId });
}

/** A second server the bot is in, with a channel, a moderator and a member. */
async function newServer(name: string) {
  const emu = world.emu;
  const guild = emu.addGuild({ name });
  const channel = emu.addChannel(guild.id, { name: "general" });
  const moderator = emu.addMember(guild.id, {
    username: `${name}-mod`,
    permissions: PermissionFlagsBits.ManageGuild,
  });
  await emu.waitFor(() => world.bot.client.channels.cache.has(channel.id), {
    what: `the bot to see ${name}`,
  });
  return {
    guildId: guild.id,
    channelId: channel.id,
    moderator: emu.user(guild.id, moderator.id, { channelId: channel.id }),
  };
}

/** A public answer, once the bot has remembered it and added its bookmark reaction. */
async function answer(
  emu: DiscordEmulator,
  user: UserDriver,
  command: string,
  options: OptionValues,
  emoji = "🔖",
): Promise<APIMessage> {
  const handle = await user.runCommand(command, options);
  const message = await handle.reply();
  expect(handle.ephemeral).toBe(false);
  await emu.waitFor(
    () =>
      emu.reactions(message.id).some((r) => r.emoji === emoji && r.userIds.includes(emu.botUserId)),
    { what: `the bot's ${emoji} on the /${command} answer` },
  );
  return message;
}

interface Outcome {
  messageId: string;
  outcome: string;
}

/** What the bot did with a member's reaction events since a log position, in order. */
function outcomes(since: number, userId: string): Outcome[] {
  return world.logs
    .slice(since)
    .filter((l) => l.msg === "bookmark reaction" && l.userId === userId)
    .map((l) => ({ messageId: l.messageId as string, outcome: l.outcome as string }));
}

/** Waits until the bot has handled `count` reaction events of the member since `since`. */
async function handled(since: number, user: UserDriver, count: number): Promise<string[]> {
  await world.emu.waitFor(() => outcomes(since, user.userId).length >= count, {
    what: `${count} bookmark reaction(s) of ${user.userId}`,
  });
  return outcomes(since, user.userId).map((o) => o.outcome);
}

function bookmarksOf(user: UserDriver, guildId = world.guildId): Promise<Bookmark[]> {
  return world.bot.context().bookmarks.list(guildId, user.userId);
}

async function list(user: UserDriver): Promise<APIMessage> {
  const handle = await user.runCommand("bookmarks list");
  const message = await handle.reply();
  expect(handle.ephemeral).toBe(true);
  return message;
}

const linesOf = (message: APIMessage) => message.embeds[0]!.description!.split("\n");
const unix = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const link = (guildId: string, channelId: string, messageId: string) =>
  `https://discord.com/channels/${guildId}/${channelId}/${messageId}`;
const saved = (b: Bookmark) => `in <#${b.channelId}> · saved <t:${unix(b.savedAt)}:R>`;

/** Each button of a message: custom id, label and whether it is disabled. */
const buttonsOf = (message: APIMessage) =>
  buttonsWithState(message).map((b) => `${b.id} ${b.label}${b.disabled ? " (off)" : ""}`);

describe("reaction bookmarks against a Discord emulator", () => {
  it("GIVEN a member reacts 🔖 on a /model answer THEN /bookmarks list shows its title with a jump link; removing the reaction removes it", async () => {
    const reader = joiner("reader");
    const card = await answer(world.emu, reader, "model", { name: "opus 4.5" });
    expect(card.embeds[0]!.title).toBe("Claude Opus 4.5");
    const since = world.logs.length;

    await reader.react(card, "🔖");
    expect(await handled(since, reader, 1)).toEqual(["saved"]);
    const [bookmark] = await bookmarksOf(reader);
    expect(bookmark).toEqual({
      messageId: card.id,
      channelId: world.channelId,
      guildId: world.guildId,
      savedAt: expect.any(String),
      kind: "answer",
      title: "Claude Opus 4.5",
      entry: { kind: "model", id: "claude-opus-4-5" },
    });
    const shown = await list(reader);
    expect(shown.embeds[0]!.title).toBe("Your bookmarks in this server");
    expect(linesOf(shown)).toEqual([
      `**1.** [Claude Opus 4.5](${link(world.guildId, world.channelId, card.id)}) · model card · ${saved(bookmark!)}`,
    ]);
    expect(shown.embeds[0]!.footer!.text).toBe(`1–1 of 1 · ${FOOTER}`);
    expect(idsOf(shown)).toEqual([]);

    await reader.unreact(card, "🔖");
    expect(await handled(since, reader, 2)).toEqual(["saved", "removed"]);
    expect(await bookmarksOf(reader)).toEqual([]);
    expect((await list(reader)).content).toBe(EMPTY_LIST);
    expect(world.emu.reactions(card.id)).toEqual([{ emoji: "🔖", userIds: [world.emu.botUserId] }]);
  });

  it("GIVEN a member reacts 🔖 and at once asks for /bookmarks list THEN the list already shows it, and after un-reacting no longer does", async () => {
    const reader = joiner("quick");
    const card = await answer(world.emu, reader, "model", { name: "opus 4.5" });
    await reader.react(card, "🔖");
    expect(linesOf(await list(reader))).toEqual([
      expect.stringContaining(
        `[Claude Opus 4.5](${link(world.guildId, world.channelId, card.id)})`,
      ),
    ]);
    await reader.unreact(card, "🔖");
    expect((await list(reader)).content).toBe(EMPTY_LIST);
  });

  it("GIVEN an answer posted before a restart (no longer cached) THEN a reaction saves it with the answer's title, without fetching the message", async () => {
    const reader = joiner("reader");
    const card = await answer(world.emu, reader, "model", { name: "k2 thinking" });
    await world.stopBot();
    await world.start();
    const since = world.logs.length;
    const requestsBefore = world.emu.requests.length;

    await reader.react(card, "🔖");
    expect(await handled(since, reader, 1)).toEqual(["saved"]);
    const bookmarks = await bookmarksOf(reader);
    expect(bookmarks).toEqual([
      {
        messageId: card.id,
        channelId: world.channelId,
        guildId: world.guildId,
        savedAt: expect.any(String),
        kind: "answer",
        title: "Kimi K2 Thinking",
        entry: { kind: "model", id: "kimi-k2-thinking" },
      },
    ]);
    // What the answer showed came from the store, not from reading the message again.
    expect(
      world.emu.requests.slice(requestsBefore).filter((r) => r.path.includes(card.id)),
    ).toEqual([]);
    expect(linesOf(await list(reader))).toEqual([
      `**1.** [Kimi K2 Thinking](${link(world.guildId, world.channelId, card.id)}) · model card · ${saved(bookmarks[0]!)}`,
    ]);
  });

  it("GIVEN a reaction on another member's plain message THEN it is saved as a message by its author, without its text", async () => {
    const author = joiner("author");
    const reader = joiner("reader");
    const note = author.say("Secret plans: the eval harness lives in /srv/evals");
    const since = world.logs.length;

    await reader.react(note, "🔖");
    expect(await handled(since, reader, 1)).toEqual(["saved"]);
    const bookmarks = await bookmarksOf(reader);
    expect(bookmarks).toEqual([
      {
        messageId: note.id,
        channelId: world.channelId,
        guildId: world.guildId,
        savedAt: expect.any(String),
        kind: "message",
        title: "Message",
        authorId: author.userId,
      },
    ]);
    const shown = await list(reader);
    expect(linesOf(shown)).toEqual([
      `**1.** [Message](${link(world.guildId, world.channelId, note.id)}) · message by <@${author.userId}> · ${saved(bookmarks[0]!)}`,
    ]);
    expect(JSON.stringify(shown)).not.toContain("Secret plans");
  });

  it("GIVEN the bot's own reaction and another bot's reaction and un-reaction THEN no bookmark changes", async () => {
    const asker = joiner("asker");
    const other = world.emu.addMember(world.guildId, { username: "otherbot", bot: true });
    const otherBot = world.emu.user(world.guildId, other.id, { channelId: world.channelId });
    // Registered after the bookmark listener, so once this sees an event the bookmark listener
    // has seen it too (and started any work, which stopping the bot then waits for).
    const seen: string[] = [];
    const spy =
      (kind: string) =>
      (reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser) =>
        seen.push(`${kind} ${reaction.message.id} ${user.id}`);
    const onAdd = spy("add");
    const onRemove = spy("remove");
    world.bot.client.on(Events.MessageReactionAdd, onAdd);
    world.bot.client.on(Events.MessageReactionRemove, onRemove);
    let card: APIMessage;
    try {
      card = await answer(world.emu, asker, "lab", { name: "moonshot" });
      await otherBot.react(card, "🔖");
      await otherBot.unreact(card, "🔖");
      await otherBot.react(card, "🔖");
      await world.emu.waitFor(() => seen.length === 4, { what: "four reaction events" });
    } finally {
      world.bot.client.off(Events.MessageReactionAdd, onAdd);
      world.bot.client.off(Events.MessageReactionRemove, onRemove);
    }
    expect(seen).toEqual([
      `add ${card.id} ${world.emu.botUserId}`,
      `add ${card.id} ${other.id}`,
      `remove ${card.id} ${other.id}`,
      `add ${card.id} ${other.id}`,
    ]);
    await world.stopBot();
    await world.start();

    const ctx = world.bot.context();
    expect(await ctx.bookmarks.list(world.guildId, world.emu.botUserId)).toEqual([]);
    expect(await ctx.bookmarks.list(world.guildId, other.id)).toEqual([]);
    expect(
      world.logs.filter(
        (l) =>
          l.msg === "bookmark reaction" &&
          (l.userId === other.id || l.userId === world.emu.botUserId),
      ),
    ).toEqual([]);
    expect(world.emu.reactions(card.id)).toEqual([
      { emoji: "🔖", userIds: [world.emu.botUserId, other.id] },
    ]);
  });

  it("GIVEN a burst of 200 interleaved reactions and un-reactions from 20 members on 3 answers THEN each member ends as their last event says", async () => {
    const asker = joiner("asker");
    const answers = [
      await answer(world.emu, asker, "model", { name: "opus 4.5" }),
      await answer(world.emu, asker, "lab", { name: "moonshot" }),
      await answer(world.emu, asker, "search", { query: "distillation attacks" }),
    ];
    const titles = new Map(answers.map((a) => [a.id, a.embeds[0]!.title!]));
    expect([...titles.values()]).toEqual([
      "Claude Opus 4.5",
      "Moonshot AI",
      "Search: distillation attacks",
    ]);
    const members = Array.from({ length: 20 }, (_, i) => joiner(`burst${i}`));
    // A fixed pseudo-random interleaving. Discord sends an add only when the member has not
    // reacted yet and a remove only when they have, so each event flips that member's reaction.
    let seed = 11;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const reacted = new Set<string>();
    const expected = new Map<string, Outcome[]>(members.map((m) => [m.userId, []]));
    const since = world.logs.length;
    const sent: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      const member = members[Math.floor(random() * members.length)]!;
      const message = answers[Math.floor(random() * answers.length)]!;
      const key = `${member.userId}/${message.id}`;
      const adding = !reacted.has(key);
      if (adding) reacted.add(key);
      else reacted.delete(key);
      expected
        .get(member.userId)!
        .push({ messageId: message.id, outcome: adding ? "saved" : "removed" });
      // Not awaited one by one: the events go out back to back, as the gateway delivers them.
      sent.push(adding ? member.react(message, "🔖") : member.unreact(message, "🔖"));
    }
    await Promise.all(sent);
    await world.emu.waitFor(
      () => members.reduce((n, m) => n + outcomes(since, m.userId).length, 0) >= 200,
      { timeoutMs: 20_000, what: "the bot to handle 200 reaction events" },
    );

    const ctx = world.bot.context();
    for (const member of members) {
      // Every event applied in the order it arrived…
      expect(outcomes(since, member.userId), member.userId).toEqual(expected.get(member.userId));
      // …so the stored list matches the member's reactions as Discord shows them.
      const want = answers
        .filter((a) => reacted.has(`${member.userId}/${a.id}`))
        .map((a) => a.id)
        .sort();
      const stored = await ctx.bookmarks.list(world.guildId, member.userId);
      expect(stored.map((b) => b.messageId).sort(), member.userId).toEqual(want);
      const onDiscord = answers
        .filter((a) =>
          world.emu
            .reactions(a.id)
            .some((r) => r.emoji === "🔖" && r.userIds.includes(member.userId)),
        )
        .map((a) => a.id)
        .sort();
      expect(onDiscord, member.userId).toEqual(want);
    }
    // As the members see it, for a few of them.
    for (const member of members.slice(0, 4)) {
      const want = answers
        .filter((a) => reacted.has(`${member.userId}/${a.id}`))
        .map((a) => `[${titles.get(a.id)}](${link(world.guildId, world.channelId, a.id)})`)
        .sort();
      const shown = await list(member);
      const listed =
        shown.content === EMPTY_LIST
          ? []
          : linesOf(shown)
              .map((l) => /\[[^\]]+\]\([^)]+\)/.exec(l)![0])
              .sort();
      expect(listed, member.userId).toEqual(want);
    }
  });

  it("GIVEN 12 bookmarks THEN /bookmarks list shows 10, newest first, and Next and Prev page through them in place", async () => {
    const author = joiner("author");
    const reader = joiner("reader");
    const notes = Array.from({ length: 12 }, (_, i) => author.say(`note ${i + 1}`));
    const since = world.logs.length;
    await Promise.all(notes.map((note) => reader.react(note, "🔖")));
    expect(await handled(since, reader, 12)).toEqual(Array(12).fill("saved"));
    const bookmarks = await bookmarksOf(reader);
    expect(bookmarks.map((b) => b.messageId)).toEqual(notes.map((n) => n.id).reverse());
    const line = (b: Bookmark, n: number) =>
      `**${n}.** [Message](${link(b.guildId, b.channelId, b.messageId)}) · message by <@${author.userId}> · ${saved(b)}`;

    const first = await list(reader);
    expect(linesOf(first)).toEqual(bookmarks.slice(0, 10).map((b, i) => line(b, i + 1)));
    expect(first.embeds[0]!.footer!.text).toBe(`1–10 of 12 · ${FOOTER}`);
    expect(buttonsOf(first)).toEqual([
      "bookmarks:page:-1:- ◀ Prev (off)",
      "bookmarks:page:1:- Next ▶",
    ]);

    await (await reader.click(first, "bookmarks:page:1:-")).settled();
    const second = world.emu.message(first.id)!;
    expect(linesOf(second)).toEqual([line(bookmarks[10]!, 11), line(bookmarks[11]!, 12)]);
    expect(second.embeds[0]!.footer!.text).toBe(`11–12 of 12 · ${FOOTER}`);
    expect(buttonsOf(second)).toEqual([
      "bookmarks:page:0:- ◀ Prev",
      "bookmarks:page:2:- Next ▶ (off)",
    ]);

    await (await reader.click(second, "bookmarks:page:0:-")).settled();
    const back = world.emu.message(first.id)!;
    expect(linesOf(back)).toEqual(linesOf(first));
    expect(back.embeds[0]!.footer!.text).toBe(`1–10 of 12 · ${FOOTER}`);
  });

  it("GIVEN /bookmarks remove with an autocompleted item THEN that bookmark alone is removed", async () => {
    const reader = joiner("reader");
    const card = await answer(world.emu, reader, "model", { name: "opus 4.5" });
    const lab = await answer(world.emu, reader, "lab", { name: "moonshot" });
    const since = world.logs.length;
    await reader.react(card, "🔖");
    await reader.react(lab, "🔖");
    expect(await handled(since, reader, 2)).toEqual(["saved", "saved"]);
    const [labMark, cardMark] = await bookmarksOf(reader);
    expect([labMark!.messageId, cardMark!.messageId]).toEqual([lab.id, card.id]);

    const all = await reader.autocomplete("bookmarks remove", { item: "" }, "item");
    expect(all).toEqual([
      { name: `Moonshot AI · ${labMark!.savedAt.slice(0, 10)}`, value: lab.id },
      { name: `Claude Opus 4.5 · ${cardMark!.savedAt.slice(0, 10)}`, value: card.id },
    ]);
    const picked = await reader.autocomplete("bookmarks remove", { item: "opus" }, "item");
    expect(picked).toEqual([
      { name: `Claude Opus 4.5 · ${cardMark!.savedAt.slice(0, 10)}`, value: card.id },
    ]);

    const handle = await reader.runCommand("bookmarks remove", { item: picked[0]!.value });
    expect((await handle.reply()).content).toBe("Removed the bookmark **Claude Opus 4.5**.");
    expect(handle.ephemeral).toBe(true);
    expect(await bookmarksOf(reader)).toEqual([labMark]);
    expect(linesOf(await list(reader))).toEqual([
      `**1.** [Moonshot AI](${link(world.guildId, world.channelId, lab.id)}) · lab card · ${saved(labMark!)}`,
    ]);
  });

  it("GIVEN /bookmarks clear THEN it asks first; Cancel keeps them and the confirm button deletes them all", async () => {
    const author = joiner("author");
    const reader = joiner("reader");
    const notes = [author.say("one"), author.say("two")];
    const since = world.logs.length;
    for (const note of notes) await reader.react(note, "🔖");
    expect(await handled(since, reader, 2)).toEqual(["saved", "saved"]);
    const question =
      "Delete all 2 of your bookmarks in this server? This cannot be undone; `/bookmarks export` keeps a copy.";

    const ask = await reader.runCommand("bookmarks clear");
    const asked = await ask.reply();
    expect(ask.ephemeral).toBe(true);
    expect(asked.content).toBe(question);
    expect(buttonsOf(asked)).toEqual([
      "bookmarks:clear Delete 2 bookmarks",
      "bookmarks:cancel Cancel",
    ]);
    await (await reader.click(asked, "bookmarks:cancel")).settled();
    expect(world.emu.message(asked.id)!.content).toBe("Nothing was deleted.");
    expect(world.emu.message(asked.id)!.components).toEqual([]);
    expect(await bookmarksOf(reader)).toHaveLength(2);

    const again = await (await reader.runCommand("bookmarks clear")).reply();
    expect(again.content).toBe(question);
    await (await reader.click(again, "bookmarks:clear")).settled();
    expect(world.emu.message(again.id)!.content).toBe("Deleted 2 bookmarks.");
    expect(world.emu.message(again.id)!.components).toEqual([]);
    expect(await bookmarksOf(reader)).toEqual([]);
    expect((await list(reader)).content).toBe(EMPTY_LIST);
  });

  it("GIVEN /bookmarks export THEN a private reply carries bookmarks.json with every bookmark and its link", async () => {
    const author = joiner("author");
    const reader = joiner("reader");
    const card = await answer(world.emu, reader, "model", { name: "opus 4.5" });
    const note = author.say("worth keeping");
    const since = world.logs.length;
    await reader.react(card, "🔖");
    await reader.react(note, "🔖");
    expect(await handled(since, reader, 2)).toEqual(["saved", "saved"]);
    const bookmarks = await bookmarksOf(reader);

    const handle = await reader.runCommand("bookmarks export");
    const exported = await handle.reply();
    expect(handle.ephemeral).toBe(true);
    expect(exported.content).toBe("Your 2 bookmarks in this server, newest first.");
    expect(exported.attachments.map((a) => a.filename)).toEqual(["bookmarks.json"]);
    expect(bookmarks.map((b) => [b.messageId, b.kind])).toEqual([
      [note.id, "message"],
      [card.id, "answer"],
    ]);
    const file = world.emu.attachment(exported.id, "bookmarks.json")!;
    expect(JSON.parse(file.toString("utf8"))).toEqual([
      { ...bookmarks[0], link: link(world.guildId, world.channelId, note.id) },
      { ...bookmarks[1], link: link(world.guildId, world.channelId, card.id) },
    ]);
  });

  it("GIVEN a member at the bookmark limit THEN further reactions save nothing and one DM tells them why", async () => {
    const limited = await World.create({ env: { BOOKMARK_LIMIT: "3" } });
    try {
      const emu = limited.emu;
      const author = emu.user(limited.guildId, limited.moderatorId);
      const reader = limited.member;
      const notes = Array.from({ length: 5 }, (_, i) => author.say(`note ${i + 1}`));
      // Back to back: the fourth and fifth both find the member at the limit.
      await Promise.all(notes.map((note) => reader.react(note, "🔖")));
      const dm = emu.dmChannel(reader.userId);
      await emu.waitFor(
        () =>
          limited.logs.filter((l) => l.msg === "bookmark reaction" && l.userId === reader.userId)
            .length === 5,
        { what: "five reaction events handled" },
      );
      await emu.waitFor(() => emu.messages(dm).length > 0, { what: "the limit DM" });
      // Stopping waits for the work already started, so a second notice would be sent by now.
      await limited.stopBot();
      expect(
        limited.logs
          .filter((l) => l.msg === "bookmark reaction" && l.userId === reader.userId)
          .map((l) => l.outcome),
      ).toEqual(["saved", "saved", "saved", "limit-reached", "limit-reached"]);
      expect(emu.messages(dm).map((m) => m.content)).toEqual([
        `I could not bookmark ${link(limited.guildId, limited.channelId, notes[3]!.id)}: you already have 3 bookmarks in that server, the most one member can keep. Remove some with \`/bookmarks remove\` or \`/bookmarks clear\` (export them first with \`/bookmarks export\`), then react again.`,
      ]);
      await limited.start();
      const kept = await limited.bot.context().bookmarks.list(limited.guildId, reader.userId);
      expect(kept.map((b) => b.messageId)).toEqual(
        notes
          .slice(0, 3)
          .map((n) => n.id)
          .reverse(),
      );
      emu.assertClean();
      expect(limited.errors()).toEqual([]);
    } finally {
      await limited.close();
    }
  });

  it("GIVEN a bookmarked answer is deleted THEN the list keeps it, struck through, saying the message was deleted", async () => {
    const reader = joiner("reader");
    const friend = joiner("friend");
    const card = await answer(world.emu, reader, "model", { name: "opus 4.5" });
    const since = world.logs.length;
    await reader.react(card, "🔖");
    await friend.react(card, "🔖");
    expect(await handled(since, reader, 1)).toEqual(["saved"]);
    expect(await handled(since, friend, 1)).toEqual(["saved"]);

    world.emu.deleteMessage(card.id);
    expect(world.emu.message(card.id)).toBeUndefined();
    for (const user of [reader, friend]) {
      await vi.waitFor(
        async () => expect((await bookmarksOf(user))[0]!.deletedAt).toEqual(expect.any(String)),
        { timeout: 5_000, interval: 20 },
      );
    }

    const [bookmark] = await bookmarksOf(reader);
    expect(bookmark).toMatchObject({ messageId: card.id, title: "Claude Opus 4.5" });
    expect(linesOf(await list(reader))).toEqual([
      `**1.** ~~Claude Opus 4.5~~ · model card · the message was deleted · ${saved(bookmark!)}`,
    ]);
    expect(await reader.autocomplete("bookmarks remove", { item: "opus" }, "item")).toEqual([
      {
        name: `Claude Opus 4.5 · ${bookmark!.savedAt.slice(0, 10)} · deleted`,
        value: card.id,
      },
    ]);
  });

  it("GIVEN a member in two servers THEN each server's /bookmarks shows only the bookmarks saved there", async () => {
    const reader = joiner("reader");
    const other = await newServer("Other Club");
    world.emu.addMember(other.guildId, { username: "reader-elsewhere", id: reader.userId });
    const elsewhere = world.emu.user(other.guildId, reader.userId, { channelId: other.channelId });
    const here = await answer(world.emu, reader, "model", { name: "opus 4.5" });
    const there = await answer(world.emu, elsewhere, "lab", { name: "moonshot" });
    const since = world.logs.length;
    await reader.react(here, "🔖");
    await elsewhere.react(there, "🔖");
    expect(await handled(since, reader, 2)).toEqual(["saved", "saved"]);
    const [mine] = await bookmarksOf(reader);
    const [theirs] = await bookmarksOf(elsewhere, other.guildId);

    expect(linesOf(await list(reader))).toEqual([
      `**1.** [Claude Opus 4.5](${link(world.guildId, world.channelId, here.id)}) · model card · ${saved(mine!)}`,
    ]);
    expect(linesOf(await list(elsewhere))).toEqual([
      `**1.** [Moonshot AI](${link(other.guildId, other.channelId, there.id)}) · lab card · ${saved(theirs!)}`,
    ]);
    expect(await elsewhere.autocomplete("bookmarks remove", { item: "" }, "item")).toEqual([
      { name: `Moonshot AI · ${theirs!.savedAt.slice(0, 10)}`, value: there.id },
    ]);
    const crossRemove = await elsewhere.runCommand("bookmarks remove", { item: here.id });
    expect((await crossRemove.reply()).content).toBe(
      `You have no bookmark **${here.id}** here. Pick one from the list.`,
    );
    expect(await bookmarksOf(reader)).toEqual([mine]);
    const exported = await (await elsewhere.runCommand("bookmarks export")).reply();
    expect(exported.content).toBe("Your 1 bookmark in this server, newest first.");
  });

  it("GIVEN /config bookmark-emoji emoji:⭐ THEN new answers get ⭐, reacting ⭐ saves, 🔖 no longer does, and older bookmarks stay", async () => {
    const star = await newServer("Star Club");
    const fan = joiner("fan", star.guildId, star.channelId);
    const before = await answer(world.emu, fan, "model", { name: "opus 4.5" });
    const since = world.logs.length;
    await fan.react(before, "🔖");
    expect(await handled(since, fan, 1)).toEqual(["saved"]);

    // A member without Manage Server, through a client that skips Discord's check, is refused.
    const sneaky = await fan.runCommand(
      "config bookmark-emoji",
      { emoji: "🙂" },
      { unchecked: true },
    );
    expect((await sneaky.reply()).content).toBe(
      "Only members with Manage Server can do this (a moderator role can be set with `/config moderator-role`).",
    );
    const set = await star.moderator.runCommand("config bookmark-emoji", { emoji: "⭐" });
    expect((await set.reply()).content).toBe(
      "Members now bookmark a message by reacting ⭐. Bookmarks saved with the old emoji are kept; removing the old reaction no longer removes them.",
    );
    expect(set.ephemeral).toBe(true);

    const after = await answer(world.emu, fan, "lab", { name: "moonshot" }, "⭐");
    expect(world.emu.reactions(after.id)).toEqual([
      { emoji: "⭐", userIds: [world.emu.botUserId] },
    ]);
    await fan.react(after, "🔖");
    await fan.react(after, "⭐");
    await fan.unreact(before, "🔖");
    expect(await handled(since, fan, 4)).toEqual(["saved", "other-emoji", "saved", "other-emoji"]);
    expect((await bookmarksOf(fan, star.guildId)).map((b) => [b.messageId, b.title])).toEqual([
      [after.id, "Moonshot AI"],
      [before.id, "Claude Opus 4.5"],
    ]);
    expect((await list(star.moderator)).content).toBe(
      "You have no bookmarks in this server yet. React ⭐ on one of my answers (or any message) to save it.",
    );
    // The world's own server keeps 🔖.
    const home = await answer(world.emu, joiner("home"), "model", { name: "k2 thinking" });
    expect(world.emu.reactions(home.id)).toEqual([{ emoji: "🔖", userIds: [world.emu.botUserId] }]);
  });
});

describe("a bookmark survives a crash", () => {
  let emu: DiscordEmulator | undefined;
  const bots: BotProcess[] = [];
  afterAll(async () => {
    for (const bot of bots) await bot.stop();
    await emu?.stop();
  });

  const ready = (l: { msg: string }) =>
    l.msg === "commands deployed" || l.msg === "commands up to date";

  it("GIVEN the bot acknowledged a bookmark THEN after kill -9 and a start on the same state it is listed", async () => {
    emu = await DiscordEmulator.start();
    const guild = emu.addGuild({ name: "AI Club" });
    const channel = emu.addChannel(guild.id, { name: "general" });
    const member = emu.addMember(guild.id, { username: "member" });
    const reader = emu.user(guild.id, member.id, { channelId: channel.id });
    const env = {
      DISCORD_TOKEN: emu.token,
      DISCORD_API_URL: emu.apiUrl,
      STATE_DIR: await tempDir("e2e-crash-"),
      DATA_DIR: SHIPPED_DATA,
    };

    const first = BotProcess.start(env);
    bots.push(first);
    await first.waitForLog(ready);
    const card = await answer(emu, reader, "model", { name: "opus 4.5" });
    await reader.react(card, "🔖");
    await first.waitForLog(
      (l) => l.msg === "bookmark reaction" && l.messageId === card.id && l.outcome === "saved",
    );
    first.signal("SIGKILL");
    expect(await first.exitCode()).toBeNull();

    const second = BotProcess.start(env);
    bots.push(second);
    await second.waitForLog(ready);
    const handle = await reader.runCommand("bookmarks list");
    const shown = await handle.reply();
    expect(handle.ephemeral).toBe(true);
    expect(linesOf(shown)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^\\*\\*1\\.\\*\\* \\[Claude Opus 4\\.5\\]\\(${link(guild.id, channel.id, card.id).replace(/\./g, "\\.")}\\) · model card · in <#${channel.id}> · saved <t:\\d+:R>$`,
        ),
      ),
    ]);
    emu.assertClean();
    expect([...first.errors(), ...second.errors()]).toEqual([]);
  }, 60_000);
});
