import {
  MessageFlags,
  PermissionFlagsBits,
  type APIEmbed,
  type APIMessage,
  type APIModalInteractionResponseCallbackData,
} from "discord-api-types/v10";
import { beforeAll, describe, expect, it } from "vitest";
import type { InteractionHandle, UserDriver } from "../../src/emulator/index.js";
import { buttonsOf as buttonsWithState, useWorld, type World } from "./world.js";

/** The bot's clock: release dates more than a year after it are refused. */
const NOW = new Date("2026-11-24T12:00:00Z");

const REFUSED =
  "Only members with Manage Server can do this (a moderator role can be set with `/config moderator-role`).";

const K3 = {
  name: "Kimi K3",
  released: "2026-11-17",
  aliases: "k3, kimi 3",
  summary: "Moonshot's next open-weights reasoning model, added by a moderator.",
  source: "",
};
type Fields = typeof K3;

/** Buttons by id and label. */
const buttonsOf = (message: APIMessage) =>
  buttonsWithState(message).map(({ id, label }) => ({ id, label }));

const ADDED_K3 =
  "Added **Kimi K3** in this server's catalogue (version 1), released 17 Nov 2026. Members see it in /model and autocomplete now. Undo with `/entry revert`.";

/** The text inputs of a modal, by custom id, with the values they open with. */
function inputsOf(modal: APIModalInteractionResponseCallbackData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const row of modal.components)
    for (const c of (row as { components?: Array<{ custom_id: string; value?: string }> })
      .components ?? [])
      out[c.custom_id] = c.value ?? "";
  return out;
}

const isEphemeral = (message: APIMessage) =>
  ((message.flags ?? 0) & MessageFlags.Ephemeral) === MessageFlags.Ephemeral;
const embedOf = (message: APIMessage): APIEmbed => message.embeds[0]!;
const field = (message: APIMessage, name: string) =>
  (embedOf(message).fields ?? []).find((f) => f.name === name)?.value;

/** The modal an interaction was answered with (fails if it answered otherwise). */
async function modalOf(
  handle: InteractionHandle,
): Promise<APIModalInteractionResponseCallbackData> {
  await handle.settled();
  if (!handle.modal)
    throw new Error(`no modal; the bot said ${JSON.stringify(handle.original?.content)}`);
  return handle.modal;
}

/**
 * `/entry add kind:model lab:<lab>`, then the form, filled in and submitted. `unchecked` sends the
 * command past Discord's default hiding, as a server's integration settings can allow a role.
 */
async function addModel(
  as: UserDriver,
  fields: Partial<Fields> = {},
  { lab = "moonshot-ai", unchecked = false } = {},
): Promise<InteractionHandle> {
  const form = await as.runCommand("entry add", { kind: "model", lab }, { unchecked });
  await modalOf(form);
  return as.submitModal(form, { ...K3, ...fields });
}

async function lookUp(as: UserDriver, name: string, command = "model"): Promise<APIMessage> {
  return (await as.runCommand(command, { name })).reply();
}

interface Server {
  readonly id: string;
  readonly moderatorId: string;
  readonly memberId: string;
  /** Has Manage Server. */
  readonly moderator: UserDriver;
  readonly member: UserDriver;
}

let world: World;
useWorld((w) => (world = w), { now: () => NOW });

/** A new server with a channel, a moderator (Manage Server) and a member: a clean catalogue. */
function newServer(name = "AI Club"): Server {
  const guild = world.emu.addGuild({ name });
  world.emu.addChannel(guild.id, { name: "general" });
  const moderatorId = world.emu.addMember(guild.id, {
    username: "mod",
    permissions: PermissionFlagsBits.ManageGuild,
  }).id;
  const memberId = world.emu.addMember(guild.id, { username: "member" }).id;
  return {
    id: guild.id,
    moderatorId,
    memberId,
    moderator: world.emu.user(guild.id, moderatorId),
    member: world.emu.user(guild.id, memberId),
  };
}

async function settingsOf(server: Server): Promise<string> {
  const shown = await (await server.moderator.runCommand("config show")).reply();
  return embedOf(shown).description!;
}

/** What `/config show` says about the catalogue when this server has changed nothing. */
const UNTOUCHED = [
  "**Catalogue**: 0 entries added or edited here, 0 removed (`/entry history`)",
  "**Weekly recap**: not set up (`/recap-config set`)",
].join("\n");

describe("/entry add, through Discord", () => {
  it("GIVEN a moderator's /entry add with a lab picked from the list THEN the form opens, and once submitted a member finds the model at once by autocomplete and by /model", async () => {
    const server = newServer();
    const labs = await server.moderator.autocomplete(
      "entry add",
      { kind: "model", lab: "moonsh" },
      "lab",
    );
    expect(labs).toEqual([{ name: "Moonshot AI — company, China", value: "moonshot-ai" }]);

    const form = await server.moderator.runCommand("entry add", {
      kind: "model",
      lab: labs[0]!.value,
    });
    const modal = await modalOf(form);
    expect(modal.title).toBe("Add a model to this server");
    expect(modal.custom_id).toMatch(/^entry:form:[\w-]{16}$/);
    expect(inputsOf(modal)).toEqual({
      name: "",
      released: "",
      aliases: "",
      summary: "",
      source: "",
    });

    const saved = await server.moderator.submitModal(form, K3);
    const confirmation = await saved.reply();
    expect(saved.ephemeral).toBe(true);
    expect(confirmation.content).toBe(ADDED_K3);
    expect(embedOf(confirmation).title).toBe("Kimi K3");

    const choices = await server.member.autocomplete("model", { name: "kimi k3" }, "name");
    expect(choices[0]).toEqual({ name: "Kimi K3 — Moonshot AI, Nov 2026", value: "kimi-k3" });
    const picked = await lookUp(server.member, String(choices[0]!.value));
    expect(isEphemeral(picked)).toBe(false);
    expect(embedOf(picked).title).toBe("Kimi K3");
    expect(embedOf(picked).description).toBe(K3.summary);
    expect(field(picked, "Lab")).toBe("Moonshot AI");
    expect(field(picked, "Released")).toBe("17 Nov 2026");
    expect(buttonsOf(picked)).toEqual([
      { id: "model:mentions:kimi-k3:0", label: "Mentions" },
      { id: "lab:show:moonshot-ai", label: "Lab: Moonshot AI" },
    ]);
    // By an alias typed freely, and on its lab's card.
    expect(embedOf(await lookUp(server.member, "kimi 3")).title).toBe("Kimi K3");
    const lab = await lookUp(server.member, "moonshot", "lab");
    expect(field(lab, "Models (5, newest first)")).toMatch(/^Kimi K3 \(Nov 2026\) · /);
    expect(await settingsOf(server)).toContain(
      "**Catalogue**: 1 entry added or edited here, 0 removed",
    );
  });

  it("GIVEN a member without Manage Server THEN Discord hides /entry, the bot refuses every subcommand sent anyway, and nothing changes", async () => {
    const server = newServer();
    await expect(
      server.member.runCommand("entry add", { kind: "model", lab: "moonshot-ai" }),
    ).rejects.toThrow(/lacks default_member_permissions/);

    for (const [sub, options] of [
      ["add", { kind: "model", lab: "moonshot-ai" }],
      ["edit", { name: "o3" }],
      ["remove", { name: "o3" }],
      ["history", { name: "o3" }],
      ["revert", { name: "o3", version: 0 }],
    ] as const) {
      const handle = await server.member.runCommand(`entry ${sub}`, options, { unchecked: true });
      const refused = await handle.reply();
      expect(handle.ephemeral, sub).toBe(true);
      expect(refused.content, sub).toBe(REFUSED);
      expect(handle.modal, sub).toBeUndefined();
    }
    const config = await server.member.runCommand(
      "config moderator-role",
      { role: server.id },
      { unchecked: true },
    );
    expect((await config.reply()).content).toBe("Only members with Manage Server can do this.");

    // A form a moderator opened cannot be submitted by someone else.
    const form = await server.moderator.runCommand("entry add", {
      kind: "model",
      lab: "moonshot-ai",
    });
    await modalOf(form);
    const stolen = await server.member.submitModal(form, K3);
    expect((await stolen.reply()).content).toBe(REFUSED);

    expect(await settingsOf(server)).toBe(
      ["**Bookmark emoji**: 🔖", "**Moderator role**: none (Manage Server only)", UNTOUCHED].join(
        "\n",
      ),
    );
    expect(embedOf(await lookUp(server.member, "o3")).title).toBe("o3");
    expect((await lookUp(server.member, "kimi k3")).content).toMatch(
      /^No model called \*\*kimi k3\*\*/,
    );
  });

  it("GIVEN /config moderator-role THEN a member with that role curates (once the server lets the role see /entry), but cannot change the role", async () => {
    const server = newServer();
    const role = world.emu.addRole(server.id, { name: "Curators" });
    const curator = world.emu.user(
      server.id,
      world.emu.addMember(server.id, { username: "curator", roles: [role.id] }).id,
    );
    const before = await curator.runCommand(
      "entry add",
      { kind: "model", lab: "moonshot-ai" },
      { unchecked: true },
    );
    expect((await before.reply()).content).toBe(REFUSED);

    const set = await server.moderator.runCommand("config moderator-role", { role: role.id });
    expect((await set.reply()).content).toBe(
      `Members with <@&${role.id}> can now curate entries. Discord shows moderator commands only to Manage Server by default: in Server Settings → Integrations → modeldex, allow that role to use \`/entry\`.`,
    );

    // Past Discord's default hiding, as the server's integration settings allow.
    const saved = await addModel(curator, {}, { unchecked: true });
    expect((await saved.reply()).content).toBe(ADDED_K3);
    expect(embedOf(await lookUp(server.member, "k3")).title).toBe("Kimi K3");

    const change = await curator.runCommand("config moderator-role", {}, { unchecked: true });
    expect((await change.reply()).content).toBe("Only members with Manage Server can do this.");
    const plain = await server.member.runCommand(
      "entry remove",
      { name: "kimi k3" },
      { unchecked: true },
    );
    expect((await plain.reply()).content).toBe(
      `Only members with Manage Server or the <@&${role.id}> role can do this.`,
    );
    expect(await settingsOf(server)).toContain(`**Moderator role**: <@&${role.id}>`);
  });

  it("GIVEN two servers THEN each sees only its own entries, even for the same member, and a moderator of one is not a moderator of the other", async () => {
    const server = newServer();
    const other = newServer("Other Club");
    expect((await (await addModel(server.moderator)).reply()).content).toBe(ADDED_K3);

    const miss = await lookUp(other.member, "kimi k3");
    expect(miss.content).toMatch(/^No model called \*\*kimi k3\*\* in the catalogue\./);
    const choices = await other.member.autocomplete("model", { name: "kimi k3" }, "name");
    expect(choices.map((c) => c.value)).not.toContain("kimi-k3");

    // The other server adds its own Kimi K3, under another lab and summary.
    const theirs = await addModel(
      other.moderator,
      { summary: "The other server's own idea of what Kimi K3 is about." },
      { lab: "openai" },
    );
    expect((await theirs.reply()).content).toBe(ADDED_K3);
    const ours = await lookUp(server.member, "kimi k3");
    expect([field(ours, "Lab"), embedOf(ours).description]).toEqual(["Moonshot AI", K3.summary]);
    const there = await lookUp(other.member, "kimi k3");
    expect([field(there, "Lab"), embedOf(there).description]).toEqual([
      "OpenAI",
      "The other server's own idea of what Kimi K3 is about.",
    ]);

    // The same user, a member of both: each server shows its own version.
    world.emu.addMember(other.id, { username: "member", id: server.memberId });
    const sameUser = world.emu.user(other.id, server.memberId);
    expect(field(await lookUp(sameUser, "kimi k3"), "Lab")).toBe("OpenAI");

    // Manage Server in one server means nothing in the other.
    world.emu.addMember(other.id, { username: "mod", id: server.moderatorId });
    const visitor = world.emu.user(other.id, server.moderatorId);
    const refused = await visitor.runCommand(
      "entry remove",
      { name: "kimi k3" },
      { unchecked: true },
    );
    expect((await refused.reply()).content).toBe(REFUSED);
  });

  it("GIVEN the entry THEN it survives a restart, and a form opened before it can be submitted after", async () => {
    const server = newServer();
    expect((await (await addModel(server.moderator)).reply()).content).toBe(ADDED_K3);
    const form = await server.moderator.runCommand("entry edit", { name: "kimi-k3" });
    await modalOf(form);

    await world.stopBot();
    await world.start();

    expect(embedOf(await lookUp(server.member, "k3")).title).toBe("Kimi K3");
    const choices = await server.member.autocomplete("model", { name: "kimi k3" }, "name");
    expect(choices[0]).toEqual({ name: "Kimi K3 — Moonshot AI, Nov 2026", value: "kimi-k3" });
    const saved = await server.moderator.submitModal(form, {
      ...K3,
      summary: "Edited after the bot restarted, from a form opened before.",
    });
    expect((await saved.reply()).content).toBe(
      "Saved **Kimi K3** in this server's catalogue (version 2), released 17 Nov 2026. Members see it in /model and autocomplete now. Undo with `/entry revert`.",
    );
    expect(embedOf(await lookUp(server.member, "k3")).description).toBe(
      "Edited after the bot restarted, from a form opened before.",
    );
  });
});

describe("/entry edit, history, revert and remove, through Discord", () => {
  it("GIVEN an edit THEN the form opens filled in, the change shows at once, history lists it and revert undoes it", async () => {
    const server = newServer();
    await (await addModel(server.moderator)).reply();
    const [picked] = await server.moderator.autocomplete("entry edit", { name: "kimi k3" }, "name");
    expect(picked).toEqual({ name: "Kimi K3 — Moonshot AI, Nov 2026", value: "kimi-k3" });

    const form = await server.moderator.runCommand("entry edit", { name: picked!.value });
    const modal = await modalOf(form);
    expect(modal.title).toBe("Edit Kimi K3");
    expect(inputsOf(modal)).toEqual(K3);

    const edited = "An edited summary for the Kimi K3 entry, typed in Discord.";
    const saved = await server.moderator.submitModal(form, { ...K3, summary: edited });
    expect((await saved.reply()).content).toBe(
      "Saved **Kimi K3** in this server's catalogue (version 2), released 17 Nov 2026. Members see it in /model and autocomplete now. Undo with `/entry revert`.",
    );
    expect(embedOf(await lookUp(server.member, "k3")).description).toBe(edited);

    const history = await (
      await server.moderator.runCommand("entry history", { name: "kimi k3" })
    ).reply();
    expect(isEphemeral(history)).toBe(true);
    expect(embedOf(history).title).toBe("History of Kimi K3 in this server");
    const when = `<t:${NOW.getTime() / 1000}:f>`;
    expect(embedOf(history).fields).toEqual([
      {
        name: "v2 · edited",
        value: `by <@${server.moderatorId}> · ${when}\n**Summary**: “${K3.summary}” → “${edited}”`,
      },
      {
        name: "v1 · added",
        value: [
          `by <@${server.moderatorId}> · ${when}`,
          "**Name**: — → “Kimi K3”",
          "**Other names**: — → “k3, kimi 3”",
          `**Summary**: — → “${K3.summary}”`,
          "**Lab**: — → “Moonshot AI”",
          "**Released**: — → “17 Nov 2026”",
        ].join("\n"),
      },
    ]);

    const reverted = await server.moderator.runCommand("entry revert", {
      name: "kimi k3",
      version: 1,
    });
    expect((await reverted.reply()).content).toBe(
      "Restored **Kimi K3** in this server's catalogue (version 3), released 17 Nov 2026. Members see it in /model and autocomplete now. Undo with `/entry revert`.",
    );
    expect(embedOf(await lookUp(server.member, "k3")).description).toBe(K3.summary);
    const missing = await server.moderator.runCommand("entry revert", {
      name: "kimi k3",
      version: 9,
    });
    expect((await missing.reply()).content).toBe(
      "**Kimi K3** has no version 9 in this server. Versions: 1, 2, 3.",
    );
  });

  it("GIVEN /entry remove on a shipped model THEN it asks with a button, hides the model in this server only, and revert version:0 brings it back", async () => {
    const server = newServer();
    const other = newServer("Other Club");
    const ask = await server.moderator.runCommand("entry remove", { name: "o3" });
    const question = await ask.reply();
    expect(ask.ephemeral).toBe(true);
    expect(question.content).toBe(
      "Remove the model **o3** from this server's catalogue? Other servers keep it, and `/entry revert` can bring it back.",
    );
    expect(buttonsOf(question)).toEqual([
      { id: "entry:remove:o3", label: "Remove o3" },
      { id: "entry:cancel", label: "Cancel" },
    ]);
    // Asking changes nothing.
    expect(embedOf(await lookUp(server.member, "o3")).title).toBe("o3");

    const confirm = await server.moderator.click(question, "entry:remove:o3");
    await confirm.settled();
    const removed = world.emu.message(question.id)!;
    expect(removed.content).toBe(
      "Removed **o3** from this server's catalogue (version 1). Bring it back with `/entry revert version:0`.",
    );
    expect(buttonsOf(removed)).toEqual([]);

    // "o3" names nothing here now (o3-pro is not o3), so only the member sees suggestions; the
    // other server keeps o3.
    const miss = await lookUp(server.member, "o3");
    expect(miss.embeds).toEqual([]);
    expect(miss.content).toBe(
      "No model called **o3** in the catalogue. Did you mean one of these?",
    );
    expect(
      buttonsOf(miss)
        .slice(0, 2)
        .map((b) => b.id),
    ).toEqual(["model:show:o3-pro", "model:show:o3-mini"]);
    const choices = await server.member.autocomplete("model", { name: "o3" }, "name");
    expect(choices.map((c) => c.value)).not.toContain("o3");
    expect(embedOf(await lookUp(other.member, "o3")).title).toBe("o3");

    const listed = await server.moderator.autocomplete("entry history", { name: "o3" }, "name");
    expect(listed[0]).toEqual({ name: "o3 — removed in this server", value: "o3" });
    const history = await (
      await server.moderator.runCommand("entry history", { name: "o3" })
    ).reply();
    expect(embedOf(history).fields!.map((f) => f.name)).toEqual(["v1 · removed"]);

    const restored = await server.moderator.runCommand("entry revert", { name: "o3", version: 0 });
    expect((await restored.reply()).content).toBe(
      "Restored **o3** in this server's catalogue (version 2), released Apr 2025. Members see it in /model and autocomplete now. Undo with `/entry revert`.",
    );
    expect(embedOf(await lookUp(server.member, "o3")).title).toBe("o3");
  });

  it("GIVEN Cancel on the question THEN nothing is removed", async () => {
    const server = newServer();
    const question = await (
      await server.moderator.runCommand("entry remove", { name: "gpt-4" })
    ).reply();
    const cancel = await server.moderator.click(question, "entry:cancel");
    await cancel.settled();
    expect(world.emu.message(question.id)!.content).toBe("Nothing was changed.");
    expect(buttonsOf(world.emu.message(question.id)!)).toEqual([]);
    expect(embedOf(await lookUp(server.member, "gpt-4")).title).toBe("GPT-4");
    expect(await settingsOf(server)).toContain(UNTOUCHED);
  });
});

describe("/entry add with an unknown lab", () => {
  it("GIVEN a lab name that only looks like a known one ('Cohere') THEN no form opens: it says so and suggests, rather than saving under Cursor", async () => {
    const server = newServer();
    const handle = await server.moderator.runCommand("entry add", { kind: "model", lab: "Cohere" });
    const answer = await handle.reply();
    expect(handle.modal).toBeUndefined();
    expect(answer.content).toBe(
      "There is no lab called **Cohere** in this server's catalogue. Did you mean Cursor? Pick one from the list, or add the lab first.",
    );
    expect(buttonsOf(answer).map((b) => b.label)).toEqual(['Add lab "Cohere"']);
    // Typing the start of a known lab's name still finds it.
    const form = await server.moderator.runCommand("entry add", { kind: "model", lab: "moonshot" });
    expect((await modalOf(form)).title).toBe("Add a model to this server");
    expect(await settingsOf(server)).toContain(UNTOUCHED);
  });

  it("GIVEN a lab the catalogue does not have THEN it says so, and its Add lab button opens the lab form with the name filled in", async () => {
    const server = newServer();
    const handle = await server.moderator.runCommand("entry add", {
      kind: "model",
      lab: "Zeta Research",
    });
    const answer = await handle.reply();
    expect(handle.ephemeral).toBe(true);
    expect(handle.modal).toBeUndefined();
    expect(answer.content).toBe(
      "There is no lab called **Zeta Research** in this server's catalogue. Did you mean Ant Research, FAIR, Microsoft? Pick one from the list, or add the lab first.",
    );
    const [button] = buttonsOf(answer);
    expect(button!.id).toMatch(/^entry:newlab:[\w-]{16}$/);
    expect(button!.label).toBe('Add lab "Zeta Research"');
    expect(await settingsOf(server)).toContain(UNTOUCHED);

    const open = await server.moderator.click(answer, button!.id);
    const modal = await modalOf(open);
    expect(modal.title).toBe("Add a lab to this server");
    expect(inputsOf(modal)).toEqual({
      name: "Zeta Research",
      country: "",
      aliases: "",
      summary: "",
      source: "",
    });
    const saved = await server.moderator.submitModal(open, {
      name: "Zeta Research",
      country: "Japan",
      summary: "A research lab a moderator added so its models can be catalogued.",
    });
    expect((await saved.reply()).content).toBe(
      "Added **Zeta Research** in this server's catalogue (version 1). Members see it in /lab and autocomplete now. Undo with `/entry revert`.",
    );
    const card = await lookUp(server.member, "zeta research", "lab");
    expect([embedOf(card).title, field(card, "Kind"), field(card, "Country")]).toEqual([
      "Zeta Research",
      "Company",
      "Japan",
    ]);
    // Now the model can be added under it.
    const form = await server.moderator.runCommand("entry add", {
      kind: "model",
      lab: "zeta research",
    });
    expect((await modalOf(form)).title).toBe("Add a model to this server");
  });
});

/** The rule's own examples of mention syntax. */
const MENTION_HELP = "(@everyone, <@…>, <@&…>)";
const INVISIBLE_NAME =
  "Name must be one line of plain text, without control or invisible characters.";

describe("bad form input, through the real modal", () => {
  // One server for every case: that nothing accumulates proves nothing was saved.
  let server: Server;
  beforeAll(() => {
    server = newServer();
  });

  /** After a refused form: the answer, the retry form it offers, and that nothing was saved. */
  async function expectRefused(
    submitted: InteractionHandle,
    message: string,
    typed: Record<string, string>,
  ) {
    const answer = await submitted.reply();
    expect(submitted.ephemeral).toBe(true);
    expect(answer.content).toBe(message);
    const [retry] = buttonsOf(answer);
    expect(retry!.id).toMatch(/^entry:retry:[\w-]{16}$/);
    expect(retry!.label).toBe("Edit and try again");
    // Nothing typed is lost: the retry form opens with it.
    const again = await modalOf(await server.moderator.click(answer, retry!.id));
    expect(again.title).toBe("Add a model to this server");
    const shown = inputsOf(again);
    for (const [id, value] of Object.entries(typed))
      expect(shown[id], id).toBe(value.slice(0, id === "name" ? 100 : value.length));
    // Nothing was saved.
    expect((await lookUp(server.member, "kimi k3")).content).toMatch(
      /^No model called \*\*kimi k3\*\* in the catalogue\./,
    );
    expect(await settingsOf(server)).toContain(UNTOUCHED);
  }

  const cases: Array<[string, Partial<Fields>, string]> = [
    [
      "a name made only of Hangul fillers, which shows as blank",
      { name: "\u3164\u3164\u3164" },
      `Nothing was saved. ${INVISIBLE_NAME}`,
    ],
    [
      "direction isolates in the name",
      { name: "Kimi \u2067K3\u2069" },
      `Nothing was saved. ${INVISIBLE_NAME}`,
    ],
    [
      "a tag character in another name",
      { aliases: "k3, kimi\u{E0041}3" },
      'Nothing was saved. The other name "kimi\u{E0041}3" must be one line of plain text, without control or invisible characters.',
    ],
    [
      "a soft hyphen in the summary",
      { summary: "Moonshot's next open\u00ADweights reasoning model, added by a moderator." },
      "Nothing was saved. Summary contains control or invisible characters; paste it as plain text.",
    ],
    [
      "Claude Opus 4.5 written with a Cyrillic С",
      { name: "\u0421laude Opus 4.5" },
      'Nothing was saved. The name "\u0421laude Opus 4.5" is already used by Claude Opus 4.5 (model); choose another or edit that entry.',
    ],
    [
      "Claude Opus 4.5 written with a Greek Ο",
      { name: "Claude \u039Fpus 4.5" },
      'Nothing was saved. The name "Claude \u039Fpus 4.5" is already used by Claude Opus 4.5 (model); choose another or edit that entry.',
    ],
    [
      "Claude Opus 4.5 followed by U+3164",
      { name: "Claude Opus 4.5\u3164" },
      `Nothing was saved. ${INVISIBLE_NAME}`,
    ],
    [
      "mention syntax in other names",
      { aliases: "k3, <@&123456789012345678>, @everyone" },
      "Nothing was saved. Fix these:\n" +
        `• The other name "<\u200b@&123456789012345678>" contains mention syntax ${MENTION_HELP}; write it as plain text.\n` +
        `• The other name "@\u200beveryone" contains mention syntax ${MENTION_HELP}; write it as plain text.`,
    ],
    [
      "an impossible date",
      { released: "2026-02-30" },
      'Nothing was saved. Release date "2026-02-30" is not a date: write 2026-02-05, 2026-02 or 2026.',
    ],
    [
      "a date nobody writes",
      { released: "next week" },
      'Nothing was saved. Release date "next week" is not a date: write 2026-02-05, 2026-02 or 2026.',
    ],
    [
      "a date more than a year away",
      { released: "2028-01" },
      "Nothing was saved. Release date 2028-01 is more than a year away; add the entry once it ships.",
    ],
    [
      "@everyone in the name",
      { name: "Kimi @everyone" },
      "Nothing was saved. Name contains mention syntax (@everyone, <@…>, <@&…>); write it as plain text.",
    ],
    [
      "a role mention in the summary",
      { summary: "Ping <@&123456789012345678> about this new model please." },
      "Nothing was saved. Summary contains mention syntax (@everyone, <@…>, <@&…>); write names as plain text.",
    ],
    [
      "markdown in the name",
      { name: "**Kimi**" },
      "Nothing was saved. Name contains markdown or mention characters (* _ ~ ` | \\ < > [ ] # @); use plain text.",
    ],
    [
      "a masked link in the summary",
      { summary: "See [the announcement](https://evil.example) for details." },
      "Nothing was saved. Summary contains a masked link ([text](url)); put the link in the Source field.",
    ],
    [
      "a link that is not https",
      { source: "http://example.com/k3" },
      "Nothing was saved. Source link must be a full https:// address.",
    ],
    [
      "a javascript: link",
      { source: "javascript://alert(1)" },
      "Nothing was saved. Source link must be a full https:// address.",
    ],
    [
      "a name another entry uses",
      { name: "GPT 5.4 Mini" },
      'Nothing was saved. The name "GPT 5.4 Mini" is already used by GPT-5.4 mini (model); choose another or edit that entry.',
    ],
    [
      "an alias another entry uses",
      { aliases: "k3, opus 4.5" },
      'Nothing was saved. The other name "opus 4.5" is already used by Claude Opus 4.5 (model); choose another or edit that entry.',
    ],
    [
      "an alias over 100 characters",
      { aliases: `k3, ${"k".repeat(101)}` },
      `Nothing was saved. The other name "${"k".repeat(29)}…" is over 100 characters.`,
    ],
    [
      "a quote that is not in the corpus",
      { source: "This sentence appears nowhere in the corpus at all." },
      "Nothing was saved. The source quote is not in the corpus. Paste a sentence exactly as a document has it, or give an https link.",
    ],
    [
      "two problems at once",
      { released: "2026-13-01", source: "http://example.com/k3" },
      'Nothing was saved. Fix these:\n• Release date "2026-13-01" is not a date: write 2026-02-05, 2026-02 or 2026.\n• Source link must be a full https:// address.',
    ],
  ];

  for (const [what, fields, message] of cases) {
    it(`GIVEN ${what} THEN one private message says what to fix, the retry form keeps what was typed, and nothing is saved`, async () => {
      await expectRefused(await addModel(server.moderator, fields), message, { ...K3, ...fields });
    });
  }

  // The modal's own max_length / min_length stop these in a real client; a modified one can
  // send them anyway, and the bot checks again.
  const raw: Array<[string, Partial<Fields>, string]> = [
    [
      "a name over 100 characters",
      { name: "K".repeat(101) },
      "Nothing was saved. Name is 101 characters; keep it to 100.",
    ],
    [
      "a summary under 20 characters",
      { summary: "Too short" },
      "Nothing was saved. Summary is 9 characters; write at least 20.",
    ],
    [
      "a summary over 700 characters",
      { summary: "A very long summary. ".repeat(40).trim() },
      "Nothing was saved. Summary is 839 characters; keep it to 700.",
    ],
  ];

  for (const [what, fields, message] of raw) {
    it(`GIVEN ${what} from a modified client THEN the bot refuses it too, and nothing is saved`, async () => {
      const form = await server.moderator.runCommand("entry add", {
        kind: "model",
        lab: "moonshot-ai",
      });
      await modalOf(form);
      const typed = { ...K3, ...fields };
      await expectRefused(
        await server.moderator.submitModal(form, typed, { unchecked: true }),
        message,
        {
          name: typed.name,
          released: typed.released,
        },
      );
    });
  }
});

/** The masked links Discord would make clickable in a text: `[label](https://…)`. */
function maskedLinks(text: string): Array<{ label: string; url: string }> {
  return [...text.matchAll(/\[((?:\\.|[^\]\\])+)\]\((<?https?:\/\/[^)\s]+>?)\)/g)].map((m) => ({
    label: m[1]!,
    url: m[2]!,
  }));
}

describe("crafted input that must not reach a public card", () => {
  it("GIVEN a moderator's source link crafted to close its link and open another THEN the public card shows one link, to the whole address", async () => {
    const server = newServer();
    const crafted = "https://evil.example/x)[Official-weights-download](https://evil.example/phish";
    const encoded =
      "https://evil.example/x%29%5BOfficial-weights-download%5D%28https://evil.example/phish";
    const saved = await (await addModel(server.moderator, { source: crafted })).reply();
    expect(saved.content).toMatch(/^Added \*\*Kimi K3\*\*/);
    const card = await lookUp(server.member, "kimi k3");
    expect(isEphemeral(card)).toBe(false);
    expect(maskedLinks(field(card, "Links")!)).toEqual([{ label: "evil.example", url: encoded }]);
    const history = await (
      await server.moderator.runCommand("entry history", { name: "kimi k3" })
    ).reply();
    const shown = (embedOf(history).fields ?? []).map((f) => f.value).join("\n");
    expect(shown).toContain(encoded);
    expect(maskedLinks(shown)).toEqual([]);
  });

  it("GIVEN a look-alike of Claude Opus 4.5 refused THEN autocomplete lists only the real one", async () => {
    const server = newServer();
    for (const name of ["\u0421laude Opus 4.5", "Claude \u039Fpus 4.5", "Claude Opus 4.5\u3164"])
      expect((await (await addModel(server.moderator, { name })).reply()).content).toMatch(
        /^Nothing was saved\./,
      );
    const choices = await server.member.autocomplete("model", { name: "opus 4.5" }, "name");
    expect(choices.filter((c) => /opus 4\.5/i.test(c.name.normalize("NFKD")))).toEqual([
      { name: "Claude Opus 4.5 — Anthropic, Nov 2025", value: "claude-opus-4-5" },
    ]);
  });
});
