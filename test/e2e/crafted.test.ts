import { PermissionFlagsBits, type APIMessage } from "discord-api-types/v10";
import { describe, expect, it } from "vitest";
import {
  InteractionRefused,
  type InteractionHandle,
  type UserDriver,
} from "../../src/emulator/index.js";
import { idsOf, useWorld, type World } from "./world.js";

let world: World;
useWorld((w) => (world = w));

const STALE = "This button is no longer valid.";
const STALE_FORM = "This form is no longer valid. Run the command again.";

/** What everyone sees of a message: its text, embeds and components. */
const shown = (id: string) => {
  const { content, embeds, components } = world.emu.message(id)!;
  return { content, embeds, components };
};

/** The info lines the bot logged for refused interactions since a log position. */
const refusals = (since: number) =>
  world.logs
    .slice(since)
    .filter((l) => l.msg === "refused a stale or tampered interaction")
    .map((l) => ({ level: l.level, customId: l.customId, reason: l.reason }));

async function privately(handle: InteractionHandle): Promise<string> {
  const reply = await handle.reply();
  expect(handle.ephemeral).toBe(true);
  return reply.content;
}

let joined = 0;
function joiner(name: string): UserDriver {
  const { id } = world.emu.addMember(world.guildId, { username: `${name}-${++joined}` });
  return world.emu.user(world.guildId, id, { channelId: world.channelId });
}

/** A public answer the member can bookmark, once the bot has added its reaction. */
async function bookmarked(member: UserDriver, name: string): Promise<APIMessage> {
  const card = await (await member.runCommand("model", { name })).reply();
  await world.emu.waitFor(() => world.emu.reactions(card.id).some((r) => r.emoji === "🔖"));
  await member.react(card, "🔖");
  await world.emu.waitFor(() =>
    world.logs.some((l) => l.msg === "bookmark reaction" && l.userId === member.userId),
  );
  return card;
}

describe("buttons pressed where the bot did not put them", () => {
  it("GIVEN another command's custom id on a public /model card THEN Discord refuses the click, and a crafted one leaves the card as everyone sees it and tells only the presser", async () => {
    const member = world.member;
    const card = await (await member.runCommand("model", { name: "nemotron cascade 2" })).reply();
    const search = await (await member.runCommand("search", { query: "distillation" })).reply();
    const searchPage = idsOf(search).find((id) => id.startsWith("search:page:"))!;
    const before = shown(card.id);
    const since = world.logs.length;

    await expect(member.click(card, "bookmarks:page:0:-")).rejects.toMatchObject({
      code: "COMPONENT_VALIDATION_FAILED",
    });
    const crafted = ["bookmarks:page:0:-", searchPage, "recap:page:2026-W06:0", "zzz:unknown"];
    for (const customId of crafted) {
      expect(await privately(await member.rawComponent(card, customId)), customId).toBe(STALE);
      expect(shown(card.id), customId).toEqual(before);
    }
    expect(refusals(since)).toEqual(
      crafted.map((customId) => ({
        level: 30,
        customId,
        reason: `custom id "${customId}" is not on its message`,
      })),
    );
  });

  it("GIVEN a member's private /bookmarks clear question THEN Discord hides it from others, and another member's crafted press clears nothing and leaves it unchanged", async () => {
    const owner = joiner("owner");
    const other = joiner("other");
    await bookmarked(owner, "gpt 5.4 mini");
    await bookmarked(other, "o3");
    const question = await (await owner.runCommand("bookmarks clear")).reply();
    expect(idsOf(question)).toEqual(["bookmarks:clear", "bookmarks:cancel"]);
    const before = shown(question.id);

    await expect(other.click(question, "bookmarks:clear")).rejects.toBeInstanceOf(
      InteractionRefused,
    );
    const since = world.logs.length;
    expect(await privately(await other.rawComponent(question, "bookmarks:clear"))).toBe(STALE);
    expect(shown(question.id)).toEqual(before);
    const ctx = world.bot.context();
    expect(await ctx.bookmarks.list(world.guildId, owner.userId)).toHaveLength(1);
    expect(await ctx.bookmarks.list(world.guildId, other.userId)).toHaveLength(1);
    expect(refusals(since)).toEqual([
      {
        level: 30,
        customId: "bookmarks:clear",
        reason: `"bookmarks:clear" is on another member's private reply`,
      },
    ]);

    // The owner's own press still works.
    const cleared = await owner.click(question, "bookmarks:clear");
    expect((await cleared.reply()).content).toBe("Deleted 1 bookmark.");
  });

  it("GIVEN weeks that do not exist (2026-W99, 0000-W01) in a recap preview's page buttons THEN they are refused", async () => {
    const preview = await (await world.member.runCommand("recap", { week: "2026-W06" })).reply();
    const before = shown(preview.id);
    for (const customId of ["recap:page:2026-W99:0", "recap:page:0000-W01:0"]) {
      expect(await privately(await world.member.rawComponent(preview, customId))).toBe(STALE);
      expect(shown(preview.id)).toEqual(before);
    }
  });
});

describe("saved forms belong to their server and member", () => {
  it("GIVEN a moderator of two servers whose form was refused in one THEN its Edit and try again button and its form, sent in the other, open and save nothing there", async () => {
    const emu = world.emu;
    const other = emu.addGuild({ name: "Other club" });
    const otherChannel = emu.addChannel(other.id, { name: "general" });
    emu.addMember(other.id, {
      username: "mod",
      id: world.moderatorId,
      permissions: PermissionFlagsBits.ManageGuild,
    });
    await emu.waitFor(() => world.bot.client.channels.cache.has(otherChannel.id));
    const there = emu.user(other.id, world.moderatorId, { channelId: otherChannel.id });

    const form = await there.runCommand("entry add", { kind: "model", lab: "openai" });
    await form.settled();
    const formId = form.modal!.custom_id;
    const typed = {
      name: "Secret Model",
      released: "2026-13-01",
      aliases: "",
      summary: "A model this other server is drafting and nobody else should see.",
      source: "",
    };
    const refused = await (await there.submitModal(form, typed)).reply();
    const retryId = idsOf(refused).find((id) => id.startsWith("entry:retry:"))!;
    expect(retryId).toBeDefined();

    // Back in the world's server, the same moderator sends that server's ids.
    const here = world.moderator;
    const retry = await here.rawComponent(refused, retryId);
    expect(await privately(retry)).toBe(STALE);
    expect(retry.modal).toBeUndefined();
    const submitted = await here.rawModalSubmit(formId, { ...typed, released: "2026-02-05" });
    expect(await privately(submitted)).toBe(STALE_FORM);
    const saved = await world.bot.context().catalogs.entries.list(world.guildId);
    expect(saved.map((s) => s.entryId)).not.toContain("secret-model");

    // In its own server the button still reopens the form with what was typed.
    const reopened = await there.click(refused, retryId);
    await reopened.settled();
    expect(reopened.modal?.title).toBe("Add a model to this server");
  });
});

describe("/config bookmark-emoji", () => {
  it("GIVEN a custom emoji of another server, animated or not THEN it is refused and answers keep 🔖; one of this server's own is taken and the bot reacts with it", async () => {
    const emu = world.emu;
    const elsewhere = emu.addGuild({ name: "Elsewhere" });
    const dance = emu.addEmoji(elsewhere.id, { name: "dance", animated: true });
    const pin = emu.addEmoji(world.guildId, { name: "pin" });
    const set = async (emoji: string) =>
      privately(await world.moderator.runCommand("config bookmark-emoji", { emoji }));

    const foreign =
      "That custom emoji is not one of this server's. Give a unicode emoji such as 🔖 or ⭐, or one of this server's own custom emoji.";
    expect(await set("<:notours:123456789012345678>")).toBe(foreign);
    expect(await set(`<a:dance:${dance.id}>`)).toBe(foreign);
    const card = await (await world.member.runCommand("model", { name: "o3" })).reply();
    await emu.waitFor(() => emu.reactions(card.id).some((r) => r.emoji === "🔖"));

    expect(await set(`<:pin:${pin.id}>`)).toBe(
      `Members now bookmark a message by reacting <:pin:${pin.id}>. Bookmarks saved with the old emoji are kept; removing the old reaction no longer removes them.`,
    );
    const next = await (await world.member.runCommand("model", { name: "o3-mini" })).reply();
    await emu.waitFor(() =>
      emu.reactions(next.id).some((r) => r.emoji === `pin:${pin.id}` && r.userIds.length === 1),
    );
    expect(await set("🔖")).toMatch(/^Members now bookmark a message by reacting 🔖\./);
  });
});
