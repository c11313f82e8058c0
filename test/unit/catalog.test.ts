import fs from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { model } from "../../commands/model.js";
import type { AppContext } from "../../src/app/context.js";
import { buildCatalog, CatalogError, loadCatalog } from "../../src/catalog/load.js";
import { buildMatcher, findMentions } from "../../src/catalog/mentions.js";
import type { ModelEntry } from "../../src/catalog/schema.js";
import { LIMITS } from "../../src/discord/limits.js";
import { embedLength } from "../../src/discord/payload.js";
import { modelCard } from "../../src/replies/catalog.js";
import { buildKnowledge, lazyWords, loadCatalogKnowledge } from "../../src/catalog/knowledge.js";
import { contextFor, FIXTURE_DATA, tempDir } from "../helpers.js";

let ctx: AppContext;
beforeAll(async () => {
  ctx = await contextFor(FIXTURE_DATA);
});
afterAll(() => ctx.searchIndex.close());

const ids = (typed: string) => ctx.catalog.models.find(typed).map((h) => `${h.id}/${h.tier}`);

describe("model autocomplete", () => {
  it.each([
    [
      "",
      [
        "gpt-5-4-mini/prefix",
        "gpt-5-4-nano/prefix",
        "nemotron-cascade-2/prefix",
        "claude-opus-4-5/prefix",
        "o3/prefix",
        "o3-mini/prefix",
      ],
    ],
    ["o3", ["o3/exact", "o3-mini/prefix"]],
    [
      "o3 mini",
      [
        "o3-mini/exact",
        "gpt-5-4-mini/fuzzy",
        "gpt-5-4-nano/mentioned",
        "claude-opus-4-5/mentioned",
        "nemotron-cascade-2/mentioned",
        "o3/mentioned",
      ],
    ],
    ["gpt5.4", ["gpt-5-4-mini/prefix", "gpt-5-4-nano/prefix"]],
    ["gpt 5.4 mini", ["gpt-5-4-mini/exact", "gpt-5-4-nano/fuzzy"]],
    [
      "opus 4.5",
      [
        "claude-opus-4-5/exact",
        "nemotron-cascade-2/mentioned",
        "o3-mini/mentioned",
        "o3/mentioned",
      ],
    ],
    [
      "cascade",
      [
        "nemotron-cascade-2/prefix",
        "claude-opus-4-5/mentioned",
        "o3-mini/mentioned",
        "o3/mentioned",
      ],
    ],
    ["nemotrn cascade", ["nemotron-cascade-2/fuzzy"]],
    ["zzz", []],
  ])("GIVEN %j typed THEN the tiers come in this exact order", (typed, expected) => {
    expect(ids(typed)).toEqual(expected);
  });

  it("GIVEN any input THEN there are at most 25 choices, labelled with lab and month, within Discord's limits", async () => {
    const choices = await model.autocomplete!(
      {
        command: "model",
        options: {},
        userId: "1",
        guildId: "2",
        channelId: "3",
        focused: { name: "name", value: "o" },
      },
      ctx,
    );
    expect(choices.length).toBeLessThanOrEqual(25);
    expect(choices.slice(0, 2)).toEqual([
      { name: "o-series — family, OpenAI", value: "o-series" },
      { name: "o3 — OpenAI, Apr 2025", value: "o3" },
    ]);
    for (const c of choices) expect(c.name.length).toBeGreaterThan(0);
    const huge = await model.autocomplete!(
      {
        command: "model",
        options: {},
        userId: "1",
        guildId: "2",
        channelId: "3",
        focused: { name: "name", value: "x".repeat(10_000) },
      },
      ctx,
    );
    expect(huge).toEqual([]);
  });
});

describe("resolving free text", () => {
  it.each([
    ["nemotrn cascade", "nemotron-cascade-2"],
    ["opus 4.5", "claude-opus-4-5"],
    ["Claude 4.5 Opus", "claude-opus-4-5"],
    ["gpt-5-4-nano", "gpt-5-4-nano"],
    ["GPT5.4 Mini", "gpt-5-4-mini"],
  ])("GIVEN %j THEN it opens %s", (typed, id) => {
    expect(ctx.catalog.models.resolve(typed)?.entry.id).toBe(id);
  });

  it("GIVEN another version number or an unrelated word THEN nothing resolves", () => {
    expect(ctx.catalog.models.resolve("gpt 5.5")).toBeUndefined();
    expect(ctx.catalog.models.resolve("coding")).toBeUndefined();
  });

  it("GIVEN a miss THEN the reply is private and offers at most five did-you-mean buttons", async () => {
    const reply = await model.execute(
      { command: "model", options: { name: "gpt 5.5" }, userId: "1", guildId: "2", channelId: "3" },
      ctx,
    );
    expect(reply.payload.flags).toBe(64);
    expect(reply.payload.content).toBe(
      "No model called **gpt 5.5** in the catalogue. Did you mean one of these?",
    );
    const buttons = (reply.payload.components![0] as { components: Array<{ custom_id: string }> })
      .components;
    // Names sharing the word "gpt": families first, then products, then models newest first.
    expect(buttons.map((b) => b.custom_id)).toEqual([
      "model:show:gpt",
      "model:show:gpt-5-4",
      "model:show:chatgpt",
      "model:show:gpt-5-4-mini",
      "model:show:gpt-5-4-nano",
    ]);
  });
});

describe("mention linking", () => {
  const matcher = () => buildMatcher(ctx.catalog.catalog);

  it("GIVEN 'meta-learning' and a lowercase 'meta' THEN only the capitalised lab name counts", () => {
    expect(
      findMentions(
        "Meta released weights; meta-learning is old; the meta point stands.",
        matcher(),
      ).get("meta"),
    ).toBe(1);
    expect(findMentions("Researchers like meta-learning.", matcher()).has("meta")).toBe(false);
  });

  it("GIVEN a name written in mixed case ('MiMo') THEN only that spelling counts, not the acronym 'MIMO'", () => {
    const mimo = buildCatalog(
      [
        {
          id: "mimo",
          name: "MiMo",
          aliases: [],
          labs: { value: ["openai"], confidence: "external" },
          summary: "A model whose name is also an acronym in other fields.",
          highlights: [],
        },
      ],
      [],
    );
    expect(
      findMentions("MiMo is out; MIMO antennas and mimo are not.", buildMatcher(mimo)),
    ).toEqual(new Map([["mimo", 1]]));
  });

  const named = (entries: Array<{ id: string; name: string; aliases?: string[] }>) =>
    buildMatcher(
      buildCatalog(
        entries.map((e) => ({
          id: e.id,
          name: e.name,
          aliases: e.aliases ?? [],
          labs: { value: ["openai"], confidence: "external" as const },
          summary: "An entry made up for a matching test.",
          highlights: [],
        })),
        [],
      ),
    );

  it("GIVEN a name that starts in lower case ('xAI') THEN it counts as written, and not in other cases", () => {
    const matcher = named([{ id: "xai", name: "xAI" }]);
    expect(findMentions("xAI ships Grok. XAI and xai are not it. (xAI)", matcher)).toEqual(
      new Map([["xai", 2]]),
    );
  });

  it("GIVEN a name spelt as one word or split at its number THEN it counts ('ArtificialAnalysis', 'SmolLM 3')", () => {
    const matcher = named([
      { id: "aa", name: "Artificial Analysis" },
      { id: "smol", name: "SmolLM3" },
    ]);
    expect(
      findMentions(
        "ArtificialAnalysis ranks SmolLM 3; Artificial Analysis ranks SmolLM3; artificialanalysis.ai is a link.",
        matcher,
      ),
    ).toEqual(
      new Map([
        ["aa", 2],
        ["smol", 2],
      ]),
    );
  });

  it("GIVEN two spellings in mixed case ('inclusionAI', 'InclusionAI') THEN each counts as written", () => {
    const matcher = named([
      { id: "ant", name: "Ant Group", aliases: ["inclusionAI", "InclusionAI"] },
    ]);
    expect(findMentions("inclusionAI, InclusionAI and INCLUSIONAI", matcher)).toEqual(
      new Map([["ant", 2]]),
    );
  });

  it("GIVEN a typeset hyphen (U+2011) THEN it joins a name as '-' does: 'Seed1.5\u2011VL' is not Seed1.5", () => {
    const matcher = named([
      { id: "seed", name: "Seed1.5" },
      { id: "seed-vl", name: "Seed1.5-VL" },
    ]);
    expect(findMentions("Seed1.5\u2011VL and Seed1.5-VL, then Seed1.5.", matcher)).toEqual(
      new Map([
        ["seed-vl", 2],
        ["seed", 1],
      ]),
    );
    expect(findMentions("Seed1.5\u2011Pro", matcher).size).toBe(0);
  });

  it("GIVEN 'Grok's LPU' THEN it is Groq's chip, not a mention of Grok; other uses still count", () => {
    const matcher = named([{ id: "grok", name: "Grok" }]);
    expect(findMentions("acquired technologies like Grok's LPU, and Grok LPUs", matcher).size).toBe(
      0,
    );
    expect(findMentions("Grok's answers and Grok 's tone", matcher)).toEqual(
      new Map([["grok", 2]]),
    );
  });

  it("GIVEN 'o3-mini' THEN it is o3-mini, not o3; and 'o3' alone is o3", () => {
    expect([...findMentions("We tried o3-mini first.", matcher()).keys()]).toEqual(["o3-mini"]);
    expect([...findMentions("Then o3, finally.", matcher()).keys()]).toEqual(["o3"]);
  });

  it("GIVEN an alias or another spelling THEN it counts for the entry", () => {
    expect(findMentions("Claude Opus 4.5 and opus 4.5 and GPT 5.4 mini", matcher())).toEqual(
      new Map([
        ["claude-opus-4-5", 2],
        ["gpt-5-4-mini", 1],
      ]),
    );
  });

  it("GIVEN a version that continues ('GPT-5.4' vs 'GPT-5.45') THEN it is not a mention", () => {
    expect(findMentions("GPT-5.45 and o3.5", matcher()).size).toBe(0);
  });

  it("GIVEN the fixture corpus THEN each entry knows its documents, first and last mention", () => {
    expect(ctx.catalog.mentions.get("openai")).toMatchObject({
      documents: 2,
      first: "2025-06-01",
      last: "2026-03-05",
    });
  });
});

describe("catalogue validation", () => {
  async function brokenCopy(edit: (dir: string) => Promise<void>): Promise<string> {
    const dir = path.join(await tempDir(), "catalog");
    await fs.cp(path.join(FIXTURE_DATA, "catalog"), dir, { recursive: true });
    await edit(dir);
    return dir;
  }
  const documents = async () => {
    const dir = path.join(FIXTURE_DATA, "corpus");
    const map = new Map<string, string>();
    for (const f of (await fs.readdir(dir)).filter((n) => n.endsWith(".txt")))
      map.set(f.slice(0, -4), await fs.readFile(path.join(dir, f), "utf8"));
    return map;
  };
  const patch = (dir: string, file: string, change: (json: Record<string, unknown>) => void) =>
    fs.readFile(path.join(dir, file), "utf8").then((text) => {
      const json = JSON.parse(text);
      change(json);
      return fs.writeFile(path.join(dir, file), JSON.stringify(json));
    });

  it("GIVEN the fixture catalogue THEN it loads with every quote verbatim", async () => {
    const catalog = await loadCatalog(path.join(FIXTURE_DATA, "catalog"), {
      documents: await documents(),
    });
    expect([
      catalog.models.length,
      catalog.labs.length,
      catalog.families.length,
      catalog.products.length,
    ]).toEqual([6, 4, 3, 1]);
  });

  it("GIVEN a quote that is not verbatim THEN the error names file, entry and field", async () => {
    const dir = await brokenCopy((d) =>
      patch(
        d,
        "models/o3.json",
        (j) =>
          ((j.labs as { source: { quote: string } }).source.quote = "OpenAI shipped o3 in May"),
      ),
    );
    await expect(loadCatalog(dir, { documents: await documents() })).rejects.toThrowError(
      /models\/o3\.json \(o3\) labs\.source\.quote: is not found verbatim in mentions-edge/,
    );
  });

  it("GIVEN an alias another entry already uses, in another spelling THEN it is rejected", async () => {
    const dir = await brokenCopy((d) =>
      patch(d, "models/o3-mini.json", (j) => (j.aliases = ["Opus-4.5"])),
    );
    await expect(loadCatalog(dir)).rejects.toThrowError(
      /models\/o3-mini\.json \(o3-mini\) aliases\.0: "Opus-4\.5" clashes with a name or alias of claude-opus-4-5/,
    );
  });

  it.each([
    ["a Cyrillic С", "\u0421laude Opus 4.5"],
    ["a Greek Ο", "Claude \u039Fpus 4.5"],
    ["a trailing U+3164", "Claude Opus 4.5\u3164"],
    ["a zero-width joiner", "Claude Op\u200Dus 4.5"],
  ])(
    "GIVEN an alias that imitates another entry's name with %s THEN it is rejected as a clash",
    async (_, alias) => {
      const dir = await brokenCopy((d) =>
        patch(d, "models/o3-mini.json", (j) => (j.aliases = [alias])),
      );
      await expect(loadCatalog(dir)).rejects.toThrowError(
        `models/o3-mini.json (o3-mini) aliases.0: "${alias}" clashes with a name or alias of claude-opus-4-5`,
      );
    },
  );

  it("GIVEN references to a missing lab, model or document THEN each is reported", async () => {
    const dir = await brokenCopy(async (d) => {
      await patch(d, "models/o3.json", (j) => {
        (j.labs as { value: string[] }).value = ["openai", "deepmind"];
        (j.successor as { value: string }).value = "o5";
      });
      await patch(
        d,
        "labs/meta.json",
        (j) => (j.parent = { value: "alphabet", confidence: "external" }),
      );
    });
    const error = await loadCatalog(dir, { documentIds: new Set(["release-notes"]) }).catch(
      (e: CatalogError) => e,
    );
    expect(error).toBeInstanceOf(CatalogError);
    const messages = (error as CatalogError).problems.map(
      (p) => `${p.entry}.${p.field}: ${p.message}`,
    );
    expect(messages).toEqual(
      expect.arrayContaining([
        'o3.labs: names no lab "deepmind"',
        'o3.successor: names no model "o5"',
        'meta.parent: names no lab "alphabet"',
        'o3.labs.source.doc: names no corpus document ("mentions-edge")',
      ]),
    );
  });

  it("GIVEN a corrupt file or a field of the wrong shape THEN the file and field are named", async () => {
    const dir = await brokenCopy(async (d) => {
      await fs.writeFile(path.join(d, "labs/nvidia.json"), "{");
      await patch(
        d,
        "models/o3-mini.json",
        (j) =>
          (j.released = {
            value: { date: "2025-13-01", precision: "day" },
            confidence: "external",
          }),
      );
    });
    const error = (await loadCatalog(dir).catch((e: CatalogError) => e)) as CatalogError;
    expect(error.problems.map((p) => `${p.file} ${p.field}`)).toEqual([
      "models/o3-mini.json released.value.date",
      "labs/nvidia.json (file)",
      "models/nemotron-cascade-2.json labs",
      "families/o-series.json members.0",
    ]);
  });
});

describe("embeds", () => {
  it("GIVEN the largest entry the schema allows THEN the /model card fits every Discord limit", () => {
    const long = (n: number) => "Long text with [brackets] and *stars* ".repeat(30).slice(0, n);
    const huge: ModelEntry = {
      ...(ctx.catalog.get("gpt-5-4-mini")!.entry as ModelEntry),
      name: "N".repeat(100),
      aliases: Array.from({ length: 20 }, (_, i) => `alias ${i} ${"x".repeat(80)}`),
      summary: long(700),
      highlights: Array.from({ length: 6 }, (_, i) => ({
        text: long(300),
        confidence: "stated" as const,
        source: { doc: i % 2 ? "release-notes" : "mentions-edge", quote: "OpenAI" },
      })),
    };
    const catalog = buildCatalog(
      [huge, ...ctx.catalog.catalog.models.filter((m) => m.id !== huge.id)],
      ctx.catalog.catalog.labs,
    );
    const knowledge = buildKnowledge(catalog, ctx.catalog.mentions, lazyWords([]));
    const { payload } = modelCard(huge, knowledge, ctx.corpus);
    const embed = payload.embeds![0]!;
    expect(embed.title!.length).toBeLessThanOrEqual(LIMITS.embedTitle);
    expect(embed.fields!.length).toBeLessThanOrEqual(LIMITS.embedFields);
    for (const f of embed.fields!) expect(f.value.length).toBeLessThanOrEqual(LIMITS.fieldValue);
    expect(embedLength(embed)).toBeLessThanOrEqual(LIMITS.embedTotal);
    expect(payload.allowed_mentions).toEqual({ parse: [] });
  });

  it("GIVEN the Mentions button THEN it pages through the passages that name the entry", async () => {
    const reply = await model.component!(
      {
        customId: "model:mentions:openai:0",
        values: [],
        userId: "1",
        guildId: "2",
        channelId: "3",
      },
      ctx,
    );
    expect(reply.update).toBe(true);
    expect(reply.payload.embeds![0]!.title).toBe("OpenAI: mentions in the corpus");
    expect(reply.payload.embeds![0]!.fields!.map((f) => f.name)).toEqual([
      "1. GPT-5.4 mini and nano — 5 Mar 2026",
      "2. Names in the wild — Jun 2025",
    ]);
    await expect(
      model.component!(
        { customId: "model:show:nope", values: [], userId: "1", guildId: "2", channelId: "3" },
        ctx,
      ),
    ).rejects.toThrowError(/no longer in the catalogue/);
  });
});

describe("the catalogue cache", () => {
  it("GIVEN an unchanged catalogue THEN the cache gives back what a fresh load gives; a change or a corrupt cache rebuilds it", async () => {
    const data = await tempDir("cache-data-");
    await fs.cp(FIXTURE_DATA, data, { recursive: true });
    const cache = path.join(await tempDir("cache-"), "catalog-cache.json");
    const passages = await ctx.searchIndex.allPassages();
    const load = () => loadCatalogKnowledge(data, ctx.corpus, passages, cache);

    const fresh = await load();
    const written = (await fs.stat(cache)).mtimeMs;
    const cached = await load();
    expect((await fs.stat(cache)).mtimeMs).toBe(written);
    expect(cached.catalog.models).toEqual(fresh.catalog.models);
    expect([...cached.mentions]).toEqual([...fresh.mentions]);

    const file = path.join(data, "catalog", "models", "o3.json");
    const entry = JSON.parse(await fs.readFile(file, "utf8")) as ModelEntry;
    await fs.writeFile(file, JSON.stringify({ ...entry, summary: "A summary changed on disk." }));
    expect((await load()).get("o3")!.entry.summary).toBe("A summary changed on disk.");

    await fs.writeFile(cache, "{ not json");
    expect((await load()).get("o3")!.entry.summary).toBe("A summary changed on disk.");
    await fs.writeFile(file, JSON.stringify({ ...entry, summary: 3 }));
    await expect(load()).rejects.toThrow(CatalogError);
  });
});
