import fs from "node:fs";
import path from "node:path";
import { MessageFlags, type APIEmbed } from "discord-api-types/v10";
import { describe, expect, it } from "vitest";
import { commands } from "../../commands/index.js";
import { formatDate } from "../../src/text/dates.js";
import { useWorld, type World } from "./world.js";

let world: World;
useWorld((w) => (world = w));

const ROOT = path.resolve(import.meta.dirname, "../..");
const EVERYONE = ["model", "lab", "compare", "search", "recap", "bookmarks", "help", "about"];
const MODERATORS = ["entry", "config", "recap-config"];

/** The commands a /help list names, in order, and the example under each. */
function listed(embed: APIEmbed): Array<[string, string]> {
  return [...embed.description!.matchAll(/^\*\*\/([a-z-]+)\*\* — .+\n`(.+)`$/gm)].map((m) => [
    m[1]!,
    m[2]!,
  ]);
}

async function helpAs(user: World["member"], options: Record<string, string> = {}) {
  const handle = await user.runCommand("help", options);
  const message = await handle.reply();
  expect(handle.ephemeral).toBe(true);
  return message;
}

describe("/help", () => {
  it("GIVEN a member THEN it lists only the commands members can use, each with its first example", async () => {
    const message = await helpAs(world.member);
    const embed = message.embeds[0]!;
    expect(listed(embed)).toEqual(
      EVERYONE.map((name) => [name, commands.find((c) => c.definition.name === name)!.examples[0]]),
    );
    expect(embed.description).not.toContain("moderators");
    expect(embed.footer!.text).toBe(
      "/help command:<name> shows a command's options and more examples.",
    );
  });

  it("GIVEN a moderator THEN the moderator commands follow, under their own heading", async () => {
    const embed = (await helpAs(world.moderator)).embeds[0]!;
    expect(listed(embed).map(([name]) => name)).toEqual([...EVERYONE, ...MODERATORS]);
    expect(embed.description).toMatch(/\n\n__For moderators__\n\*\*\/entry\*\*/);
  });

  it("GIVEN a member with the server's moderator role THEN they are listed the moderator commands too", async () => {
    const role = world.emu.addRole(world.guildId, { name: "Curators" });
    const curator = world.emu.user(
      world.guildId,
      world.emu.addMember(world.guildId, { username: "curator", roles: [role.id] }).id,
    );
    expect(listed((await helpAs(curator)).embeds[0]!).map(([name]) => name)).toEqual(EVERYONE);
    await (await world.moderator.runCommand("config moderator-role", { role: role.id })).reply();
    expect(listed((await helpAs(curator)).embeds[0]!).map(([name]) => name)).toEqual([
      ...EVERYONE,
      ...MODERATORS,
    ]);
    await (await world.moderator.runCommand("config moderator-role", {})).reply();
  });

  it("GIVEN command:search THEN its options, which are required, and its examples", async () => {
    const embed = (await helpAs(world.member, { command: "search" })).embeds[0]!;
    expect(embed.title).toBe("/search");
    expect(embed.description).toBe(
      "Search the newsletters, essays and podcast notes modeldex has read\n\nFor everyone.",
    );
    expect(embed.fields!.map((f) => f.name)).toEqual(["Options", "Examples"]);
    expect(embed.fields![0]!.value.split("\n").map((l) => l.split(" — ")[0])).toEqual([
      "`query` (required)",
      "`source`",
      "`from`",
      "`to`",
    ]);
    expect(embed.fields![1]!.value).toBe(
      "`/search query:distillation attacks from:2026`\n`/search query:olmo 3 license source:Interconnects`",
    );
  });

  it("GIVEN command:entry THEN a moderator gets every subcommand with its options, and a member is told it is for moderators", async () => {
    const embed = (await helpAs(world.moderator, { command: "/entry" })).embeds[0]!;
    expect(embed.fields!.map((f) => f.name)).toEqual([
      "/entry add",
      "/entry edit",
      "/entry remove",
      "/entry history",
      "/entry revert",
      "/entry candidates",
      "Examples",
    ]);
    expect(embed.fields![5]!.value).toBe(
      "Possible new models and labs found in documents from feeds: add or dismiss them\nNo options.",
    );
    expect(embed.fields![6]!.value).toContain("/entry candidates");
    expect(embed.fields![0]!.value).toMatch(
      /^`kind` \(required\) — Model or lab\. One of: Model, Lab\.$/m,
    );

    const refused = await helpAs(world.member, { command: "entry" });
    expect(refused.content).toBe(
      "`/entry` is for moderators: members with Manage Server, or the server's moderator role.",
    );
    const unknown = await helpAs(world.member, { command: "ban" });
    expect(unknown.content).toBe(
      `There is no command called "ban". Commands: ${EVERYONE.map((n) => `/${n}`).join(", ")}.`,
    );
  });

  it("GIVEN autocomplete on command THEN names that start with the text come first, and only usable ones", async () => {
    const asMember = await world.member.autocomplete("help", { command: "re" }, "command");
    expect(asMember.map((c) => c.value)).toEqual(["recap", "compare"]);
    const asModerator = await world.moderator.autocomplete("help", { command: "re" }, "command");
    expect(asModerator.map((c) => c.value)).toEqual(["recap", "recap-config", "compare"]);
    expect(asModerator[0]!.name).toBe(
      "/recap — Preview the weekly recap of new releases and reading (only you see it)",
    );
  });
});

describe("/about", () => {
  it("GIVEN /about THEN the version, uptime, corpus, catalogue, store, shard and gateway ping", async () => {
    const handle = await world.member.runCommand("about");
    const message = await handle.reply();
    expect(message.flags! & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    const fields = Object.fromEntries(message.embeds[0]!.fields!.map((f) => [f.name, f.value]));
    const ctx = world.bot.context();
    const newest = ctx.corpus.documents[0]!;
    const version = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version;
    expect(fields.Version).toBe(version);
    expect(fields["Up since"]).toMatch(/^<t:\d+:R>$/);
    const since = Number(/\d+/.exec(fields["Up since"]!)![0]);
    expect(since).toBeLessThanOrEqual(Date.now() / 1000);
    expect(fields.Store).toBe("SQLite");
    expect(fields.Corpus).toBe(
      `${ctx.corpus.documents.length} documents, ${ctx.searchIndex.passageCount.toLocaleString("en-US")} passages\n` +
        `Newest: ${newest.title} (${newest.source}, ${formatDate(newest.date, newest.datePrecision)})`,
    );
    expect(fields.Catalogue).toBe(
      `${ctx.catalog.catalog.models.length} models, ${ctx.catalog.catalog.labs.length} labs shipped`,
    );
    expect(fields.Shard).toBe("0 of 1, ready");
    // The emulator's first heartbeat is 41 s away.
    expect(fields["Gateway ping"]).toBe("not measured yet");
  });
});
