import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { config } from "../../commands/config.js";
import { entry } from "../../commands/entry.js";
import { model } from "../../commands/model.js";
import { search } from "../../commands/search.js";
import type { AppContext } from "../../src/app/context.js";
import type { Reply } from "../../src/discord/payload.js";
import { answerSafely } from "../../src/interactions/boundary.js";
import type { Caller, CommandCall, OptionValue } from "../../src/interactions/types.js";
import { MANAGE_GUILD } from "../../src/settings/permissions.js";
import { contextFor, customIds, FIXTURE_DATA, silentLogger } from "../helpers.js";

const GUILD = "100000000000000001";
const OTHER_GUILD = "100000000000000002";
const MOD_ROLE = "300000000000000001";

const admin: Caller = {
  userId: "200000000000000001",
  guildId: GUILD,
  channelId: "400000000000000001",
  permissions: MANAGE_GUILD,
  roleIds: [],
};
const member: Caller = { ...admin, userId: "200000000000000002", permissions: 0n };
const roleMember: Caller = { ...member, userId: "200000000000000003", roleIds: [MOD_ROLE] };

let ctx: AppContext;
beforeEach(async () => {
  ctx = await contextFor(FIXTURE_DATA);
});
afterEach(() => ctx.searchIndex.close());

const safely = (work: () => Promise<Reply>) => answerSafely(work, silentLogger, {});

function command(
  caller: Caller,
  name: string,
  subcommand: string | undefined,
  options: Record<string, OptionValue>,
): CommandCall {
  return { ...caller, command: name, subcommand, options };
}

const run = (caller: Caller, subcommand: string, options: Record<string, OptionValue> = {}) =>
  safely(() => entry.execute(command(caller, "entry", subcommand, options), ctx));

const submit = (caller: Caller, form: Reply, fields: Record<string, string>) =>
  safely(() => entry.modal!({ ...caller, customId: form.modal!.custom_id, fields }, ctx));

const click = (caller: Caller, customId: string) =>
  safely(() => entry.component!({ ...caller, customId, values: [] }, ctx));

const lookUpModel = (caller: Caller, name: string) =>
  safely(() => model.execute(command(caller, "model", undefined, { name }), ctx));

const K3 = {
  name: "Kimi K3",
  released: "2026-11-17",
  aliases: "k3, kimi 3",
  summary: "Moonshot's next open-weights reasoning model, added by a moderator.",
  source: "",
};

async function addK3(fields: Partial<typeof K3> = {}, caller = admin) {
  const form = await run(caller, "add", { kind: "model", lab: "openai" });
  expect(form.modal, form.payload.content).toBeDefined();
  return submit(caller, form, { ...K3, ...fields });
}

const storedEntries = async (guildId = GUILD) => ctx.catalogs.entries.list(guildId);

describe("/entry add", () => {
  it("GIVEN a moderator THEN the form opens with five inputs and a modal custom id", async () => {
    const form = await run(admin, "add", { kind: "model", lab: "openai" });
    expect(form.modal!.title).toBe("Add a model to this server");
    expect(form.modal!.custom_id).toMatch(/^entry:form:[\w-]{16}$/);
    const ids = form.modal!.components.flatMap((row) =>
      "components" in row ? row.components.map((c) => ("custom_id" in c ? c.custom_id : "")) : [],
    );
    expect(ids).toEqual(["name", "released", "aliases", "summary", "source"]);
  });

  it("GIVEN a submitted form THEN members of that server find the model at once, by name, alias and autocomplete", async () => {
    const saved = await addK3();
    expect(saved.payload.content).toMatch(
      /^Added \*\*Kimi K3\*\* in this server's catalogue \(version 1\), released 17 Nov 2026\./,
    );
    expect(saved.payload.flags).toBe(64);

    const card = await lookUpModel(member, "k3");
    expect(card.payload.embeds![0]!.title).toBe("Kimi K3");
    expect(card.payload.embeds![0]!.fields!.find((f) => f.name === "Lab")!.value).toBe("OpenAI");

    const choices = await entry.autocomplete!(
      {
        ...command(member, "model", undefined, { name: "kimi" }),
        focused: { name: "name", value: "kimi" },
      },
      ctx,
    );
    expect(choices[0]).toEqual({ name: "Kimi K3 — OpenAI, Nov 2026", value: "kimi-k3" });

    const found = await safely(() =>
      search.execute(command(member, "search", undefined, { query: "kimi k3" }), ctx),
    );
    expect(customIds(found.payload)).toContain("model:show:kimi-k3");

    const [state] = await storedEntries();
    expect(state).toMatchObject({ entryId: "kimi-k3", addedBy: admin.userId, status: "active" });
  });

  it("GIVEN another server THEN it neither sees nor changes the first server's entry", async () => {
    await addK3();
    const elsewhere = { ...member, guildId: OTHER_GUILD };
    const miss = await lookUpModel(elsewhere, "kimi k3");
    expect(miss.payload.content).toMatch(/^No model called \*\*kimi k3\*\*/);
    expect(await storedEntries(OTHER_GUILD)).toEqual([]);
  });

  it("GIVEN a member without Manage Server or the moderator role THEN every subcommand is refused and nothing changes", async () => {
    for (const [sub, options] of [
      ["add", { kind: "model", lab: "openai" }],
      ["edit", { name: "o3" }],
      ["remove", { name: "o3" }],
      ["revert", { name: "o3", version: 0 }],
    ] as const) {
      const refused = await run(member, sub, options);
      expect(refused.payload.content).toBe(
        "Only members with Manage Server can do this (a moderator role can be set with `/config moderator-role`).",
      );
      expect(refused.payload.flags).toBe(64);
      expect(refused.modal).toBeUndefined();
    }
    // A form opened by a moderator cannot be submitted by someone else.
    const form = await run(admin, "add", { kind: "model", lab: "openai" });
    const stolen = await submit(member, form, K3);
    expect(stolen.payload.content).toMatch(/^Only members with Manage Server/);
    expect(await storedEntries()).toEqual([]);
  });

  it("GIVEN the moderator role THEN its members may curate, but only Manage Server may change the role", async () => {
    const set = await safely(() =>
      config.execute(command(admin, "config", "moderator-role", { role: MOD_ROLE }), ctx),
    );
    expect(set.payload.content).toMatch(
      /^Members with <@&300000000000000001> can now curate entries/,
    );
    const saved = await addK3({}, roleMember);
    expect(saved.payload.content).toMatch(/^Added \*\*Kimi K3\*\*/);
    const refused = await safely(() =>
      config.execute(command(roleMember, "config", "moderator-role", {}), ctx),
    );
    expect(refused.payload.content).toBe("Only members with Manage Server can do this.");
    const shown = await safely(() =>
      config.execute(command(roleMember, "config", "show", {}), ctx),
    );
    expect(shown.payload.embeds![0]!.description).toContain(
      "**Moderator role**: <@&300000000000000001>",
    );
    expect(shown.payload.embeds![0]!.description).toContain(
      "**Weekly recap**: not set up (`/recap-config set`)",
    );
  });

  it("GIVEN an unknown lab THEN it says so and offers to add the lab, with its name filled in", async () => {
    const answer = await run(admin, "add", { kind: "model", lab: "Moonshot AI" });
    expect(answer.modal).toBeUndefined();
    expect(answer.payload.content).toMatch(/^There is no lab called \*\*Moonshot AI\*\*/);
    const button = answer.payload.components![0]!;
    const customId =
      "components" in button ? (button.components[0] as { custom_id: string }).custom_id : "";
    expect(customId).toMatch(/^entry:newlab:/);
    const form = await click(admin, customId);
    expect(form.modal!.title).toBe("Add a lab to this server");
    const name = form.modal!.components[0]!;
    expect("components" in name && (name.components[0] as { value?: string }).value).toBe(
      "Moonshot AI",
    );
  });

  const badInputs: Array<[string, Partial<typeof K3>, string]> = [
    [
      "an impossible date",
      { released: "2026-02-30" },
      'Release date "2026-02-30" is not a date: write 2026-02-05, 2026-02 or 2026.',
    ],
    [
      "a date format nobody uses",
      { released: "next tuesday" },
      'Release date "next tuesday" is not a date',
    ],
    [
      "a name over 100 characters",
      { name: "K".repeat(101) },
      "Name is 101 characters; keep it to 100.",
    ],
    ["@everyone in the name", { name: "Kimi @everyone" }, "Name contains mention syntax"],
    [
      "a role mention in the summary",
      { summary: "Ping <@&123456789012345678> about this new model please." },
      "Summary contains mention syntax",
    ],
    ["markdown in the name", { name: "**Kimi**" }, "Name contains markdown or mention characters"],
    [
      "a code block in the summary",
      { summary: "```js\nalert(1)\n``` and more words here" },
      "Summary contains a code block",
    ],
    [
      "a masked link in the summary",
      { summary: "See [the announcement](https://evil.example) for details." },
      "Summary contains a masked link",
    ],
    [
      "a link that is not https",
      { source: "http://example.com/k3" },
      "Source link must be a full https:// address.",
    ],
    [
      "a javascript: link",
      { source: "javascript://alert(1)" },
      "Source link must be a full https:// address.",
    ],
    [
      "a name another entry uses",
      { name: "GPT 5.4 Mini" },
      'The name "GPT 5.4 Mini" is already used by GPT-5.4 mini (model)',
    ],
    [
      "an alias another entry uses",
      { aliases: "opus 4.5" },
      'The other name "opus 4.5" is already used by Claude Opus 4.5 (model)',
    ],
    [
      "a quote that is not in the corpus",
      { source: "This sentence appears nowhere in the corpus at all." },
      "The source quote is not in the corpus.",
    ],
    ["a short summary", { summary: "Too short" }, "Summary is 9 characters; write at least 20."],
  ];

  for (const [what, fields, message] of badInputs) {
    it(`GIVEN ${what} THEN one ephemeral message says what to fix and nothing is saved`, async () => {
      const answer = await addK3(fields);
      expect(answer.payload.flags).toBe(64);
      expect(answer.payload.content).toContain(message);
      expect(answer.payload.content).toMatch(/^Nothing was saved\./);
      expect(await storedEntries()).toEqual([]);
      // The typed values come back in the retry form, so nothing typed is lost.
      const retry = answer.payload.components![0]!;
      const retryId =
        "components" in retry ? (retry.components[0] as { custom_id: string }).custom_id : "";
      const again = await click(admin, retryId);
      const summary = again.modal!.components[3]!;
      expect("components" in summary && (summary.components[0] as { value?: string }).value).toBe(
        (fields.summary ?? K3.summary).slice(0, 700),
      );
    });
  }

  // Characters that change direction or render as nothing, one by one: names, other names and
  // summaries refuse each of them.
  const INVISIBLE: Array<[string, string]> = [
    ["U+2066 left-to-right isolate", "\u2066"],
    ["U+2067 right-to-left isolate", "\u2067"],
    ["U+2068 first strong isolate", "\u2068"],
    ["U+2069 pop directional isolate", "\u2069"],
    ["U+2060 word joiner", "\u2060"],
    ["U+FEFF zero-width no-break space", "\uFEFF"],
    ["U+00AD soft hyphen", "\u00AD"],
    ["U+061C Arabic letter mark", "\u061C"],
    ["U+180E Mongolian vowel separator", "\u180E"],
    ["U+034F combining grapheme joiner", "\u034F"],
    ["U+E0000 (a tag character)", "\u{E0000}"],
    ["U+E0041 tag latin capital A", "\u{E0041}"],
    ["U+E007F cancel tag", "\u{E007F}"],
    ["U+3164 Hangul filler", "\u3164"],
    ["U+115F Hangul choseong filler", "\u115F"],
    ["U+1160 Hangul jungseong filler", "\u1160"],
    ["U+FFA0 halfwidth Hangul filler", "\uFFA0"],
  ];

  for (const [what, char] of INVISIBLE) {
    it(`GIVEN ${what} in a name, in another name or in a summary THEN each is refused and nothing is saved`, async () => {
      const answers = [
        await addK3({ name: `Kimi${char} K3` }),
        await addK3({ aliases: `k3, kimi${char}3` }),
        await addK3({ summary: `Moonshot's next open-weights${char} reasoning model.` }),
      ];
      expect(answers.map((a) => a.payload.content)).toEqual([
        "Nothing was saved. Name must be one line of plain text, without control or invisible characters.",
        `Nothing was saved. The other name "kimi${char}3" must be one line of plain text, without control or invisible characters.`,
        "Nothing was saved. Summary contains control or invisible characters; paste it as plain text.",
      ]);
      expect(await storedEntries()).toEqual([]);
    });
  }

  it("GIVEN a name made only of Hangul fillers, which shows as blank THEN it is refused", async () => {
    for (const blank of ["\u3164\u3164\u3164", "\u115F\u1160", "\uFFA0"]) {
      const answer = await addK3({ name: blank });
      expect(answer.payload.content).toBe(
        "Nothing was saved. Name must be one line of plain text, without control or invisible characters.",
      );
    }
    expect(await storedEntries()).toEqual([]);
  });

  it("GIVEN Claude Opus 4.5 written with a Cyrillic С or a Greek Ο, or followed by U+3164 THEN it is refused as the model it imitates", async () => {
    const cyrillic = "\u0421laude Opus 4.5";
    const greek = "Claude \u039Fpus 4.5";
    expect((await addK3({ name: cyrillic })).payload.content).toBe(
      `Nothing was saved. The name "${cyrillic}" is already used by Claude Opus 4.5 (model); choose another or edit that entry.`,
    );
    expect((await addK3({ name: greek })).payload.content).toBe(
      `Nothing was saved. The name "${greek}" is already used by Claude Opus 4.5 (model); choose another or edit that entry.`,
    );
    // A lowercase Cyrillic о in another name, against the alias "opus 4.5".
    expect((await addK3({ aliases: "k3, \u043Epus 4.5" })).payload.content).toBe(
      'Nothing was saved. The other name "\u043Epus 4.5" is already used by Claude Opus 4.5 (model); choose another or edit that entry.',
    );
    expect((await addK3({ name: "Claude Opus 4.5\u3164" })).payload.content).toBe(
      "Nothing was saved. Name must be one line of plain text, without control or invisible characters.",
    );
    expect(await storedEntries()).toEqual([]);
    // Names that only look alike in other ways are still names of their own.
    expect((await addK3({ name: "Claude Opus 4.6 Lite" })).payload.content).toMatch(/^Added /);
  });

  /** The rule's own examples of mention syntax. */
  const MENTION_HELP = "(@everyone, <@…>, <@&…>)";

  it("GIVEN mention syntax in another name THEN the message repeats it defused", async () => {
    const answer = await addK3({ aliases: "k3, <@&123456789012345678>, @everyone" });
    expect(answer.payload.content).toBe(
      "Nothing was saved. Fix these:\n" +
        `• The other name "<\u200b@&123456789012345678>" contains mention syntax ${MENTION_HELP}; write it as plain text.\n` +
        `• The other name "@\u200beveryone" contains mention syntax ${MENTION_HELP}; write it as plain text.`,
    );
  });

  it("GIVEN a quote found in the corpus with other typography THEN the entry cites the document verbatim", async () => {
    const saved = await addK3({
      source: "OpenAI released GPT-5.4 mini and GPT-5.4 nano, smaller models for cheap workloads.",
    });
    expect(saved.payload.content).toMatch(/^Added/);
    const [state] = await storedEntries();
    const stored = state!.entry as {
      released: { confidence: string; source: { doc: string } };
      highlights: Array<{ source: { quote: string } }>;
    };
    expect(stored.released.confidence).toBe("inferred");
    expect(stored.released.source.doc).toBe("release-notes");
    expect(stored.highlights[0]!.source.quote).toBe(
      "OpenAI released GPT-5.4 mini and GPT-5.4 nano, smaller models for cheap workloads.",
    );
    const card = await lookUpModel(member, "kimi k3");
    expect(card.payload.embeds![0]!.fields!.find((f) => f.name === "Sources")!.value).toContain(
      "[1]",
    );
  });
});

describe("/entry edit, remove, history and revert", () => {
  it("GIVEN an edit THEN the form opens filled in and the change shows at once", async () => {
    await addK3();
    const form = await run(admin, "edit", { name: "kimi-k3" });
    expect(form.modal!.title).toBe("Edit Kimi K3");
    const saved = await submit(admin, form, {
      ...K3,
      summary: "An edited summary for the Kimi K3 entry.",
    });
    expect(saved.payload.content).toMatch(
      /^Saved \*\*Kimi K3\*\* in this server's catalogue \(version 2\)/,
    );
    const card = await lookUpModel(member, "kimi k3");
    expect(card.payload.embeds![0]!.description).toBe("An edited summary for the Kimi K3 entry.");
  });

  it("GIVEN two moderators editing different fields at once THEN both changes are kept; the same field is refused", async () => {
    await addK3();
    await safely(() =>
      config.execute(command(admin, "config", "moderator-role", { role: MOD_ROLE }), ctx),
    );
    const first = await run(admin, "edit", { name: "kimi k3" });
    const second = await run(roleMember, "edit", { name: "kimi k3" });
    await submit(admin, first, { ...K3, summary: "The first moderator rewrote this summary." });
    const merged = await submit(roleMember, second, { ...K3, aliases: "k3, kimi 3, kimi three" });
    expect(merged.payload.content).toMatch(/^Saved/);
    const card = await lookUpModel(member, "kimi three");
    expect(card.payload.embeds![0]!.description).toBe("The first moderator rewrote this summary.");

    const third = await run(roleMember, "edit", { name: "kimi k3" });
    await submit(admin, await run(admin, "edit", { name: "kimi k3" }), {
      ...K3,
      aliases: "k3",
      summary: "The first moderator rewrote this summary.",
    });
    const clash = await submit(roleMember, third, {
      ...K3,
      aliases: "k3, kimi drei",
      summary: "The first moderator rewrote this summary.",
    });
    expect(clash.payload.content).toBe(
      "Nothing was saved. Someone else changed Other names while your form was open. Reopen it with /entry edit to see their version.",
    );
  });

  it("GIVEN a removal THEN it asks first, hides the shipped entry in this server only, and revert brings it back", async () => {
    const ask = await run(admin, "remove", { name: "o3" });
    expect(ask.payload.content).toMatch(
      /^Remove the model \*\*o3\*\* from this server's catalogue\?/,
    );
    expect(await storedEntries()).toEqual([]);
    const removed = await click(admin, "entry:remove:o3");
    expect(removed.update).toBe(true);
    expect(removed.payload.content).toMatch(/^Removed \*\*o3\*\*/);
    // "o3" is gone here, and o3-mini is not o3: no card, and o3-mini is a suggestion.
    const offered = await lookUpModel(member, "o3");
    expect(offered.payload.embeds).toBeUndefined();
    expect(offered.payload.content).toBe(
      "No model called **o3** in the catalogue. Did you mean one of these?",
    );
    expect(customIds(offered.payload)).toEqual(["model:show:o3-mini"]);
    expect(
      (await lookUpModel({ ...member, guildId: OTHER_GUILD }, "o3")).payload.embeds![0]!.title,
    ).toBe("o3");

    const history = await run(admin, "history", { name: "o3" });
    expect(history.payload.embeds![0]!.fields!.map((f) => f.name)).toEqual(["v1 · removed"]);
    expect(history.payload.embeds![0]!.fields![0]!.value).toContain(`by <@${admin.userId}>`);

    const restored = await run(admin, "revert", { name: "o3", version: 0 });
    expect(restored.payload.content).toMatch(
      /^Restored \*\*o3\*\* in this server's catalogue \(version 2\)/,
    );
    expect((await lookUpModel(member, "o3")).payload.embeds![0]!.title).toBe("o3");
  });

  it("GIVEN edits THEN history lists who changed which field, newest first, and revert restores a version as a new one", async () => {
    await addK3();
    await submit(admin, await run(admin, "edit", { name: "kimi k3" }), {
      ...K3,
      released: "2026-11",
    });
    const history = await run(admin, "history", { name: "kimi k3" });
    const fields = history.payload.embeds![0]!.fields!;
    expect(fields.map((f) => f.name)).toEqual(["v2 · edited", "v1 · added"]);
    expect(fields[0]!.value).toContain("**Released**: “17 Nov 2026” → “Nov 2026”");

    const reverted = await run(admin, "revert", { name: "kimi k3", version: 1 });
    expect(reverted.payload.content).toMatch(
      /^Restored \*\*Kimi K3\*\* in this server's catalogue \(version 3\), released 17 Nov 2026\./,
    );
    const missing = await run(admin, "revert", { name: "kimi k3", version: 9 });
    expect(missing.payload.content).toBe(
      "**Kimi K3** has no version 9 in this server. Versions: 1, 2, 3.",
    );
  });

  it("GIVEN an unknown name THEN edit says so and opens nothing", async () => {
    const answer = await run(admin, "edit", { name: "no such model anywhere" });
    expect(answer.modal).toBeUndefined();
    expect(answer.payload.content).toBe(
      "No model or lab called **no such model anywhere** in this server's catalogue. Pick one from the list.",
    );
  });
});
