import { MessageFlags, type APIEmbed, type APIMessage } from "discord-api-types/v10";
import { describe, expect, it } from "vitest";
import { DISCORD_LIMITS } from "../../src/emulator/index.js";
import { buttonsOf, useWorld, type World } from "./world.js";

let world: World;
useWorld((w) => (world = w));

const isEphemeral = (message: APIMessage) =>
  ((message.flags ?? 0) & MessageFlags.Ephemeral) === MessageFlags.Ephemeral;

const embedOf = (message: APIMessage): APIEmbed => message.embeds[0]!;
const fieldNames = (message: APIMessage) => (embedOf(message).fields ?? []).map((f) => f.name);
const field = (message: APIMessage, name: string) =>
  (embedOf(message).fields ?? []).find((f) => f.name === name)?.value;

/** What Discord counts against the 6,000-character embed total. */
const embedTotal = (embed: APIEmbed) =>
  (embed.title?.length ?? 0) +
  (embed.description?.length ?? 0) +
  (embed.footer?.text.length ?? 0) +
  (embed.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);

const channelMessages = () => world.emu.messages(world.channelId);

async function lookUp(command: "model" | "lab", name: string): Promise<APIMessage> {
  return (await world.member.runCommand(command, { name })).reply();
}

/** The shipped catalogue's size: models, labs, families, products. */
const [MODELS, LABS, FAMILIES, PRODUCTS] = [179, 61, 26, 10];

const CARD_FOOTER = "Bracketed numbers cite the corpus; facts without one come from outside it.";

describe("/model and /lab autocomplete", () => {
  it("GIVEN an alias typed ('opus 4.5') THEN the model it names comes first, then the other Opus versions", async () => {
    const choices = await world.member.autocomplete("model", { name: "opus 4.5" }, "name");
    expect(choices.slice(0, 4)).toEqual([
      { name: "Claude Opus 4.5 — Anthropic, Nov 2025", value: "claude-opus-4-5" },
      { name: "Claude Opus 4.6 — Anthropic, Feb 2026", value: "claude-opus-4-6" },
      { name: "Claude Opus 4.1 — Anthropic, Aug 2025", value: "claude-opus-4-1" },
      { name: "Claude Opus 4 — Anthropic, May 2025", value: "claude-opus-4" },
    ]);
    const orion = await world.member.autocomplete("model", { name: "orion" }, "name");
    expect(orion[0]).toEqual({ name: "GPT-4.5 — OpenAI, Feb 2025", value: "gpt-4-5" });
  });

  it("GIVEN a typo ('nemotrn', 'nemotrn cascade') THEN the near names come in this exact order", async () => {
    const nemotrn = await world.member.autocomplete("model", { name: "nemotrn" }, "name");
    expect(nemotrn.slice(0, 5).map((c) => c.name)).toEqual([
      "Nemotron — family, NVIDIA",
      "Minitron — NVIDIA, Jul 2024",
      "Nemotron 3 Nano — NVIDIA, Dec 2025",
      "Nemotron-4 340B — NVIDIA, Jun 2024",
      "Nemotron 3 — NVIDIA, Dec 2025",
    ]);
    const cascade = await world.member.autocomplete("model", { name: "nemotrn cascade" }, "name");
    expect(cascade).toEqual([
      { name: "Nemotron-Cascade 2 — NVIDIA, Mar 2026", value: "nemotron-cascade-2" },
      { name: "Nemotron 3 Super — NVIDIA", value: "nemotron-3-super" },
    ]);
  });

  it("GIVEN an empty box THEN 25 models, newest first", async () => {
    const choices = await world.member.autocomplete("model", { name: "" }, "name");
    expect(choices).toHaveLength(DISCORD_LIMITS.autocompleteChoices);
    expect(choices.slice(0, 5)).toEqual([
      { name: "Claude Mythos — Anthropic, Apr 2026", value: "claude-mythos" },
      { name: "Gemma 4 — Google, Apr 2026", value: "gemma-4" },
      { name: "GPT-5.4 — OpenAI, Mar 2026", value: "gpt-5-4" },
      { name: "GPT-5.4 mini — OpenAI, Mar 2026", value: "gpt-5-4-mini" },
      { name: "GPT-5.4 nano — OpenAI, Mar 2026", value: "gpt-5-4-nano" },
    ]);
  });

  it("GIVEN /lab autocomplete THEN a typo finds the lab alone and an empty box lists 25 labs by name", async () => {
    expect(await world.member.autocomplete("lab", { name: "antropic" }, "name")).toEqual([
      { name: "Anthropic — company, United States", value: "anthropic" },
    ]);
    expect(await world.member.autocomplete("lab", { name: "moonsh" }, "name")).toEqual([
      { name: "Moonshot AI — company, China", value: "moonshot-ai" },
    ]);
    const empty = await world.member.autocomplete("lab", { name: "" }, "name");
    expect(empty).toHaveLength(DISCORD_LIMITS.autocompleteChoices);
    expect(empty.slice(0, 5).map((c) => c.value)).toEqual([
      "01-ai",
      "ai2",
      "alibaba",
      "amazon",
      "ant-group",
    ]);
  });

  it("GIVEN a choice picked from the list THEN its value opens that card publicly, with Mentions and Lab buttons", async () => {
    const [picked] = await world.member.autocomplete("model", { name: "k2 thinking" }, "name");
    expect(picked).toEqual({
      name: "Kimi K2 Thinking — Moonshot AI, Nov 2025",
      value: "kimi-k2-thinking",
    });
    const handle = await world.member.runCommand("model", { name: picked!.value });
    const card = await handle.reply();
    expect(handle.ephemeral).toBe(false);
    expect(embedOf(card).title).toBe("Kimi K2 Thinking");
    expect(fieldNames(card)).toEqual([
      "Lab",
      "Released",
      "Access",
      "Parameters",
      "Architecture",
      "Family",
      "Predecessor",
      "Successor",
      "Highlights",
      "Related",
      "In the corpus",
      "Sources",
    ]);
    expect(field(card, "Lab")).toMatch(/^Moonshot AI/);
    expect(embedOf(card).footer!.text).toBe(`${CARD_FOOTER} id: kimi-k2-thinking`);
    expect(buttonsOf(card)).toEqual([
      { id: "model:mentions:kimi-k2-thinking:0", label: "Mentions", disabled: false },
      { id: "lab:show:moonshot-ai", label: "Lab: Moonshot AI", disabled: false },
    ]);

    const [lab] = await world.member.autocomplete("lab", { name: "moonsh" }, "name");
    const labCard = await lookUp("lab", String(lab!.value));
    expect(embedOf(labCard).title).toBe("Moonshot AI");
    expect(isEphemeral(labCard)).toBe(false);
  });
});

describe("looking up by free text", () => {
  it("GIVEN 'nemotrn cascade' typed and sent without picking THEN Nemotron-Cascade 2 opens", async () => {
    const card = await lookUp("model", "nemotrn cascade");
    expect(isEphemeral(card)).toBe(false);
    expect(embedOf(card).title).toBe("Nemotron-Cascade 2");
    expect(buttonsOf(card).map((b) => b.id)).toEqual([
      "model:mentions:nemotron-cascade-2:0",
      "lab:show:nvidia",
    ]);
  });

  it("GIVEN a miss ('gpt 9.9 ultra') THEN only the member sees five did-you-mean buttons, and one opens its card publicly", async () => {
    const before = channelMessages().length;
    const handle = await world.member.runCommand("model", { name: "gpt 9.9 ultra" });
    const miss = await handle.reply();
    expect(handle.ephemeral).toBe(true);
    expect(miss.content).toBe(
      "No model called **gpt 9.9 ultra** in the catalogue. Did you mean one of these?",
    );
    // Entries named with the word "gpt": families first, then models newest first.
    expect(buttonsOf(miss)).toEqual([
      { id: "model:show:gpt", label: "GPT", disabled: false },
      { id: "model:show:gpt-5-series", label: "GPT-5 series", disabled: false },
      { id: "model:show:gpt-5-4", label: "GPT-5.4", disabled: false },
      { id: "model:show:gpt-5-4-mini", label: "GPT-5.4 mini", disabled: false },
      { id: "model:show:gpt-5-4-nano", label: "GPT-5.4 nano", disabled: false },
    ]);
    expect(channelMessages()).toHaveLength(before);

    const click = await world.member.click(miss, "model:show:gpt-5-4");
    const card = await click.reply();
    expect(click.ephemeral).toBe(false);
    expect(embedOf(card).title).toBe("GPT-5.4");
    const after = channelMessages();
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)!.id).toBe(card.id);
    // The private answer is left as it was.
    expect(world.emu.message(miss.id)!.content).toBe(miss.content);
  });

  it("GIVEN nothing near at all THEN a private answer points to /search, with no buttons", async () => {
    const handle = await world.member.runCommand("lab", { name: "zzqx vvbn" });
    const miss = await handle.reply();
    expect(handle.ephemeral).toBe(true);
    expect(miss.content).toBe(
      "No lab called **zzqx vvbn** in the catalogue. Try `/search` to look through the corpus.",
    );
    expect(buttonsOf(miss)).toEqual([]);
  });

  it("GIVEN 6,000 characters of markdown from a modified client THEN a short private miss, within limits", async () => {
    const junk = "**`<@&1>` @everyone ".repeat(300).slice(0, 6000);
    const handle = await world.member.runCommand("model", { name: junk }, { unchecked: true });
    const miss = await handle.reply();
    expect(handle.ephemeral).toBe(true);
    // Escaped and cut to 80 characters; a zero-width space defuses each mention.
    const unit = "\\*\\*\\`<\u200b@&1>\\` @\u200beveryone ";
    expect(miss.content).toBe(
      "No model called **" +
        unit.repeat(3) +
        "\\*\\*\\`<\u200b@&1>\\`…** in the catalogue. Did you mean one of these?",
    );
    expect(buttonsOf(miss).length).toBeLessThanOrEqual(5);
  });
});

describe("families, products and the no-guess rule", () => {
  it("GIVEN /model claude THEN the Claude family: member families, then models newest first, and a member opens in one click", async () => {
    const card = await lookUp("model", "claude");
    expect(isEphemeral(card)).toBe(false);
    expect(embedOf(card).title).toBe("Claude");
    const members = fieldNames(card).find((n) => n.startsWith("Members"))!;
    expect(members).toBe("Members (15, newest first)");
    expect(field(card, members)!.split(" · ").slice(0, 7)).toEqual([
      "Claude 4 (family)",
      "Claude Opus (family)",
      "Claude Sonnet (family)",
      "Claude 3.5 (family)",
      "Claude Haiku (family)",
      "Claude Mythos (Apr 2026)",
      "Claude Opus 4.6 (Feb 2026)",
    ]);
    expect(
      buttonsOf(card)
        .slice(0, 3)
        .map((b) => b.id),
    ).toEqual(["model:mentions:claude:0", "lab:show:anthropic", "model:show:claude-4"]);
    const click = await world.member.click(card, "model:show:claude-opus-4-6");
    const opened = await click.reply();
    expect(click.ephemeral).toBe(false);
    expect(embedOf(opened).title).toBe("Claude Opus 4.6");
  });

  it("GIVEN /model chatgpt THEN the ChatGPT product names OpenAI and the models behind it, newest first", async () => {
    const card = await lookUp("model", "chatgpt");
    expect(embedOf(card).title).toBe("ChatGPT");
    expect(field(card, "Lab")).toMatch(/^OpenAI/);
    expect(field(card, "Models behind it")!.split(" · ").slice(0, 2)).toEqual([
      "GPT-5.2 (Dec 2025)",
      "GPT-5 (Aug 2025)",
    ]);
  });

  it("GIVEN /model 4.5 THEN only the member sees one button per 4.5 model, newest first, and no card", async () => {
    const before = channelMessages().length;
    const handle = await world.member.runCommand("model", { name: "4.5" });
    const offer = await handle.reply();
    expect(handle.ephemeral).toBe(true);
    expect(offer.embeds).toEqual([]);
    expect(offer.content).toBe("**4.5** could mean any of 6 entries. Which one?");
    expect(buttonsOf(offer).map((b) => b.label)).toEqual([
      "Claude Opus 4.5",
      "Claude Sonnet 4.5",
      "GLM-4.5V",
      "GLM-4.5",
      "ERNIE 4.5",
      "GPT-4.5",
    ]);
    expect(channelMessages()).toHaveLength(before);
  });

  it("GIVEN /lab grok, glm and kimi THEN the lab that makes them opens", async () => {
    expect(embedOf(await lookUp("lab", "grok")).title).toBe("xAI");
    expect(embedOf(await lookUp("lab", "glm")).title).toBe("Zhipu AI");
    expect(embedOf(await lookUp("lab", "kimi")).title).toBe("Moonshot AI");
  });
});

describe("buttons on a card", () => {
  it("GIVEN Mentions THEN Next and Prev page the same message, and Back returns it to the card", async () => {
    const card = await lookUp("model", "o3");
    const messagesBefore = channelMessages().length;

    await (await world.member.click(card, "model:mentions:o3:0")).settled();
    const first = world.emu.message(card.id)!;
    expect(embedOf(first).title).toBe("o3: mentions in the corpus");
    expect(embedOf(first).footer!.text).toBe("Page 1 of 12 · 48 passages");
    expect(fieldNames(first).map((n) => n.split(".")[0])).toEqual(["1", "2", "3", "4"]);
    expect(buttonsOf(first)).toEqual([
      { id: "model:mentions:o3:-1", label: "◀ Prev", disabled: true },
      { id: "model:mentions:o3:1", label: "Next ▶", disabled: false },
      { id: "model:back:o3", label: "Back to o3", disabled: false },
    ]);

    await (await world.member.click(first, "model:mentions:o3:1")).settled();
    const second = world.emu.message(card.id)!;
    expect(embedOf(second).footer!.text).toBe("Page 2 of 12 · 48 passages");
    expect(fieldNames(second).map((n) => n.split(".")[0])).toEqual(["5", "6", "7", "8"]);
    expect(buttonsOf(second).map((b) => [b.id, b.disabled])).toEqual([
      ["model:mentions:o3:0", false],
      ["model:mentions:o3:2", false],
      ["model:back:o3", false],
    ]);

    await (await world.member.click(second, "model:mentions:o3:0")).settled();
    expect(embedOf(world.emu.message(card.id)!).footer!.text).toBe("Page 1 of 12 · 48 passages");

    const back = await world.member.click(card.id, "model:back:o3");
    await back.settled();
    const restored = world.emu.message(card.id)!;
    expect(embedOf(restored)).toEqual(embedOf(card));
    expect(buttonsOf(restored)).toEqual(buttonsOf(card));
    expect(channelMessages()).toHaveLength(messagesBefore);
  });

  it("GIVEN the last page of mentions THEN Next is disabled", async () => {
    const card = await lookUp("model", "o3");
    await (await world.member.click(card, "model:mentions:o3:0")).settled();
    for (let page = 1; page <= 11; page++)
      await (await world.member.click(card.id, `model:mentions:o3:${page}`)).settled();
    const last = world.emu.message(card.id)!;
    expect(embedOf(last).footer!.text).toBe("Page 12 of 12 · 48 passages");
    expect(fieldNames(last).map((n) => n.split(".")[0])).toEqual(["45", "46", "47", "48"]);
    expect(buttonsOf(last).map((b) => [b.id, b.disabled])).toEqual([
      ["model:mentions:o3:10", false],
      ["model:mentions:o3:12", true],
      ["model:back:o3", false],
    ]);
  });

  it("GIVEN an entry with a single page of mentions THEN only Back is offered", async () => {
    const card = await lookUp("model", "nemotron-cascade-2");
    await (await world.member.click(card, "model:mentions:nemotron-cascade-2:0")).settled();
    const page = world.emu.message(card.id)!;
    expect(embedOf(page).footer!.text).toBe("Page 1 of 1 · 2 passages");
    expect(buttonsOf(page)).toEqual([
      {
        id: "model:back:nemotron-cascade-2",
        label: "Back to Nemotron-Cascade 2",
        disabled: false,
      },
    ]);
  });

  it("GIVEN the Lab button THEN the lab card opens as a new public message, and its Mentions page goes back to it", async () => {
    const card = await lookUp("model", "kimi k2 thinking");
    const click = await world.member.click(card, "lab:show:moonshot-ai");
    const lab = await click.reply();
    expect(click.ephemeral).toBe(false);
    expect(lab.id).not.toBe(card.id);
    expect(embedOf(lab).title).toBe("Moonshot AI");
    expect(fieldNames(lab)[0]).toBe("Kind");
    expect(buttonsOf(lab)).toEqual([
      { id: "lab:mentions:moonshot-ai:0", label: "Mentions", disabled: false },
    ]);
    // The model card is unchanged.
    expect(embedOf(world.emu.message(card.id)!).title).toBe("Kimi K2 Thinking");

    await (await world.member.click(lab, "lab:mentions:moonshot-ai:0")).settled();
    expect(embedOf(world.emu.message(lab.id)!).title).toBe("Moonshot AI: mentions in the corpus");
    await (await world.member.click(lab.id, "lab:back:moonshot-ai")).settled();
    expect(embedOf(world.emu.message(lab.id)!)).toEqual(embedOf(lab));
  });
});

describe("/compare", () => {
  it("GIVEN two models typed freely THEN one public embed side by side, with a button to each card", async () => {
    const handle = await world.member.runCommand("compare", { a: "opus 4.5", b: "gpt 5.4" });
    const compared = await handle.reply();
    expect(handle.ephemeral).toBe(false);
    expect(embedOf(compared).title).toBe("Claude Opus 4.5 vs GPT-5.4");
    const rows = embedOf(compared).fields!;
    expect(rows.length % 3).toBe(0);
    const table = [];
    for (let i = 0; i < rows.length; i += 3)
      table.push([rows[i]!.name, rows[i + 1]!.value, rows[i + 2]!.value]);
    expect(table.map((r) => r[0])).toEqual([
      "\u200b",
      "Lab",
      "Released",
      "Access",
      "Modalities",
      "Family",
      "Documents mentioning",
    ]);
    expect(table[1]).toEqual(["Lab", "Anthropic", "OpenAI"]);
    expect(buttonsOf(compared)).toEqual([
      { id: "model:show:claude-opus-4-5", label: "Claude Opus 4.5", disabled: false },
      { id: "model:show:gpt-5-4", label: "GPT-5.4", disabled: false },
    ]);
    const opened = await (await world.member.click(compared, "model:show:gpt-5-4")).reply();
    expect(embedOf(opened).title).toBe("GPT-5.4");
    expect(embedOf(world.emu.message(compared.id)!).title).toBe("Claude Opus 4.5 vs GPT-5.4");
  });

  it("GIVEN autocomplete on the second model THEN it offers models; a lab on either side answers privately", async () => {
    const choices = await world.member.autocomplete("compare", { a: "o3", b: "opus 4.5" }, "b");
    expect(choices[0]).toEqual({
      name: "Claude Opus 4.5 — Anthropic, Nov 2025",
      value: "claude-opus-4-5",
    });
    const handle = await world.member.runCommand("compare", { a: "o3", b: "anthropic" });
    const miss = await handle.reply();
    expect(handle.ephemeral).toBe(true);
    expect(miss.content).toBe(
      "No model called **anthropic** in the catalogue. Did you mean one of these?",
    );
    expect(buttonsOf(miss)[0]).toEqual({
      id: "lab:show:anthropic",
      label: "Anthropic",
      disabled: false,
    });
  });
});

describe("every card within Discord's limits", () => {
  it("GIVEN the entry with the most highlights and fields, the longest card and the lab with the most models THEN each is accepted whole", async () => {
    const kimi = await lookUp("model", "kimi-k2");
    expect(fieldNames(kimi)).toHaveLength(12);
    expect(field(kimi, "Highlights")!.split("\n")).toHaveLength(6);
    const deepseek = await lookUp("model", "deepseek-v3");
    expect(embedTotal(embedOf(deepseek))).toBeGreaterThan(2000);
    const openai = await lookUp("lab", "openai");
    expect(fieldNames(openai)).toEqual([
      "Kind",
      "Country",
      "Highlights",
      "Models (37, newest first)",
      "Families and products",
      "In the corpus",
      "Sources",
    ]);
    expect(field(openai, "Models (37, newest first)")!.split(" · ")).toHaveLength(37);
    for (const card of [kimi, deepseek, openai]) {
      expect(embedTotal(embedOf(card))).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
      expect(embedOf(card).fields!.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedFields);
    }
    // The lab with the most mentions: every page fits too.
    await (await world.member.click(openai, "lab:mentions:openai:0")).settled();
    const pages = Number(/of (\d+)/.exec(embedOf(world.emu.message(openai.id)!).footer!.text)![1]);
    expect(pages).toBe(45);
    for (let page = 1; page < pages; page++)
      await (await world.member.click(openai.id, `lab:mentions:openai:${page}`)).settled();
    expect(embedOf(world.emu.message(openai.id)!).footer!.text).toBe(
      "Page 45 of 45 · 179 passages",
    );
  });

  it("GIVEN every model, lab, family and product in the shipped catalogue THEN its card and first page of mentions are accepted by Discord", async () => {
    const { catalog } = world.bot.context().catalog;
    const entries = [
      ...catalog.models.map((m) => ["model", m.id, m.name] as const),
      ...catalog.labs.map((l) => ["lab", l.id, l.name] as const),
      ...catalog.families.map((f) => ["model", f.id, f.name] as const),
      ...catalog.products.map((p) => ["model", p.id, p.name] as const),
    ];
    expect([
      catalog.models.length,
      catalog.labs.length,
      catalog.families.length,
      catalog.products.length,
    ]).toEqual([MODELS, LABS, FAMILIES, PRODUCTS]);
    // Discord takes one reaction a quarter second per channel: over ten channels, the bot's
    // bookmark reactions keep up with the answers instead of trailing them by a minute.
    const channels = Array.from(
      { length: 10 },
      (_, i) => world.emu.addChannel(world.guildId, { name: `cards-${i}` }).id,
    );
    await world.emu.waitFor(() => channels.every((c) => world.bot.client.channels.cache.has(c)));
    for (const [i, [command, id, name]] of entries.entries()) {
      const member = world.member.in(channels[i % channels.length]!);
      const handle = await member.runCommand(command, { name: id });
      await handle.settled();
      const card = handle.original!;
      expect(isEphemeral(card), id).toBe(false);
      expect(embedOf(card).title, id).toBe(name);
      await (await member.click(card, `${command}:mentions:${id}:0`)).settled();
    }
    expect(world.emu.violations).toEqual([]);
  }, 90_000);
});
