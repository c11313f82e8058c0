import fs from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lab } from "../../commands/lab.js";
import { model } from "../../commands/model.js";
import type { AppContext } from "../../src/app/context.js";
import { buildKnowledge, lazyWords } from "../../src/catalog/knowledge.js";
import { buildCatalog, CatalogError, loadCatalog } from "../../src/catalog/load.js";
import type { Resolution } from "../../src/catalog/lookup.js";
import type { FamilyEntry, ModelEntry } from "../../src/catalog/schema.js";
import { LIMITS } from "../../src/discord/limits.js";
import { embedLength } from "../../src/discord/payload.js";
import { familyCard } from "../../src/replies/catalog.js";
import { contextFor, customIds, FIXTURE_DATA, tempDir } from "../helpers.js";

let ctx: AppContext;
beforeAll(async () => {
  ctx = await contextFor(FIXTURE_DATA);
});
afterAll(() => ctx.searchIndex.close());

const caller = { userId: "1", guildId: "2", channelId: "3" };
const open = (command: typeof model, name: string) =>
  command.execute({ command: "x", options: { name }, ...caller }, ctx);

/** A resolution as a short string: the card's id, "?a,b" for did-you-mean, "-" for none. */
function outcome(resolution: Resolution): string {
  if (resolution.status === "found") return resolution.entry.entry.id;
  if (resolution.status === "ambiguous")
    return `?${resolution.entries.map((e) => e.entry.id).join(",")}`;
  return "-";
}

describe("families and products as entries", () => {
  it("GIVEN a family's name THEN its card lists members newest first, each a button, with Mentions and Lab", async () => {
    const reply = await open(model, "gpt 5.4");
    const embed = reply.payload.embeds![0]!;
    expect(embed.title).toBe("GPT-5.4");
    expect(embed.fields!.map((f) => [f.name, f.value])).toEqual([
      ["Lab", "OpenAI [1]"],
      ["Part of", "GPT"],
      ["Highlights", "• Made for cheap workloads. [1]"],
      ["Members (2, newest first)", "GPT-5.4 mini (Mar 2026) · GPT-5.4 nano (Mar 2026)"],
      // Mentions count the family's own name: the corpus names only its members.
      ["In the corpus", "Not mentioned in the corpus."],
      ["Sources", "[1] GPT-5.4 mini and nano — Lab Notes, 5 Mar 2026"],
    ]);
    expect(customIds(reply.payload)).toEqual([
      "model:mentions:gpt-5-4:0",
      "lab:show:openai",
      "model:show:gpt-5-4-mini",
      "model:show:gpt-5-4-nano",
    ]);
    expect(reply.answer).toEqual({ title: "GPT-5.4", entry: { kind: "family", id: "gpt-5-4" } });
  });

  it("GIVEN a family holding another family THEN the member family is marked and opens its own card", async () => {
    const reply = await open(model, "gpt");
    const members = reply.payload.embeds![0]!.fields!.find((f) => f.name.startsWith("Members"));
    expect(members).toEqual({
      name: "Members (3, newest first)",
      value: "GPT-5.4 (family) · GPT-5.4 mini (Mar 2026) · GPT-5.4 nano (Mar 2026)",
    });
    const click = await model.component!(
      { customId: "model:show:gpt-5-4", values: [], ...caller },
      ctx,
    );
    expect(click.payload.embeds![0]!.title).toBe("GPT-5.4");
  });

  it("GIVEN a product's name THEN its card names its lab and the models behind it", async () => {
    const reply = await open(model, "chat gpt");
    const embed = reply.payload.embeds![0]!;
    expect(embed.title).toBe("ChatGPT");
    expect(embed.fields!.map((f) => [f.name, f.value])).toEqual([
      ["Lab", "OpenAI"],
      ["Released", "30 Nov 2022"],
      ["Models behind it", "GPT-5.4 (family) · o3 (Apr 2025)"],
      ["In the corpus", "Not mentioned in the corpus."],
    ]);
    expect(customIds(reply.payload)).toEqual([
      "model:mentions:chatgpt:0",
      "lab:show:openai",
      "model:show:gpt-5-4",
      "model:show:o3",
    ]);
  });

  it("GIVEN autocomplete THEN families and products are labelled as such", async () => {
    const choices = await model.autocomplete!(
      { command: "model", options: {}, ...caller, focused: { name: "name", value: "chat" } },
      ctx,
    );
    expect(choices).toEqual([{ name: "ChatGPT — product, OpenAI", value: "chatgpt" }]);
    const gpt = await model.autocomplete!(
      { command: "model", options: {}, ...caller, focused: { name: "name", value: "gpt" } },
      ctx,
    );
    expect(gpt.slice(0, 2)).toEqual([
      { name: "GPT — family, OpenAI", value: "gpt" },
      { name: "GPT-5.4 — family, OpenAI", value: "gpt-5-4" },
    ]);
  });

  it("GIVEN a family with more members than buttons THEN a menu opens any of them in one pick, and the card fits Discord", () => {
    const base = ctx.catalog.get("o3")!.entry as ModelEntry;
    const models: ModelEntry[] = Array.from({ length: 30 }, (_, i) => ({
      ...base,
      id: `m-${i}`,
      name: `Model ${i}`,
      aliases: [],
      released: {
        value: { date: `2025-01-${String(i + 1).padStart(2, "0")}`, precision: "day" as const },
        confidence: "external" as const,
      },
    }));
    const family: FamilyEntry = {
      id: "big",
      name: "Big",
      aliases: [],
      labs: { value: ["openai"], confidence: "external" },
      members: models.map((m) => m.id),
      summary: "A family with more members than a message has buttons.",
      highlights: [],
    };
    const catalog = buildCatalog(models, ctx.catalog.catalog.labs, [family]);
    const knowledge = buildKnowledge(catalog, new Map(), lazyWords([]));
    const { payload } = familyCard(family, knowledge, ctx.corpus);
    expect(payload.components).toHaveLength(2);
    const menu = (
      payload.components![1] as {
        components: Array<{ custom_id: string; options: Array<{ value: string }> }>;
      }
    ).components[0]!;
    expect(menu.custom_id).toBe("model:open:big");
    expect(menu.options).toHaveLength(LIMITS.selectOptions);
    expect(menu.options.slice(0, 3).map((o) => o.value)).toEqual(["m-29", "m-28", "m-27"]);
    const embed = payload.embeds![0]!;
    expect(embed.fields!.find((f) => f.name.startsWith("Members"))!.name).toBe(
      "Members (30, newest first)",
    );
    expect(embedLength(embed)).toBeLessThanOrEqual(LIMITS.embedTotal);
  });

  it("GIVEN a pick from a family's menu THEN that member's card opens", async () => {
    const reply = await model.component!(
      { customId: "model:open:gpt", values: ["gpt-5-4-nano"], ...caller },
      ctx,
    );
    expect(reply.payload.embeds![0]!.title).toBe("GPT-5.4 nano");
  });
});

describe("the no-guess rule", () => {
  it.each([
    // Exact names and aliases, of any kind.
    ["gpt", "gpt"],
    ["GPT-5.4", "gpt-5-4"],
    ["o series", "o-series"],
    ["chatgpt", "chatgpt"],
    ["gpt 5.4 mini", "gpt-5-4-mini"],
    // A version alone that one family settles: its members go on with a tier word.
    ["5.4", "gpt-5-4"],
    // A tier word alone that fits two models of different families: offered, newest first.
    ["mini", "?gpt-5-4-mini,o3-mini"],
    // The start of a name that goes on with a tier word is offered, never opened; a tier word
    // being typed counts as typed.
    ["claude", "?claude-opus-4-5"],
    ["o3 min", "o3-mini"],
    ["cascade", "nemotron-cascade-2"],
    // Typos, when every number agrees.
    ["nemotrn cascade", "nemotron-cascade-2"],
    ["claude opus 4.6", "-"],
    ["gpt 5.5", "-"],
    ["gpt 5.4 ultra", "-"],
    // A lab typed exactly opens its card; short text is never a typo.
    ["openai", "openai"],
    ["gtp", "-"],
  ])("GIVEN /model %j THEN %s", (typed, expected) => {
    expect(outcome(ctx.catalog.lookUpModel(typed))).toBe(expected);
  });

  it("GIVEN text that fits several entries THEN only the member sees buttons for each, and no card", async () => {
    const reply = await open(model, "mini");
    expect(reply.payload.flags).toBe(64);
    expect(reply.payload.embeds).toBeUndefined();
    expect(reply.payload.content).toBe("**mini** could mean any of 2 entries. Which one?");
    expect(customIds(reply.payload)).toEqual(["model:show:gpt-5-4-mini", "model:show:o3-mini"]);
  });
});

describe("/lab through what a lab makes", () => {
  it.each([
    ["openai", "openai"],
    ["open ai", "openai"],
    ["chatgpt", "openai"],
    ["o series", "openai"],
    ["gpt", "openai"],
    ["o3", "openai"],
    ["cascade", "nvidia"],
    ["nvida", "nvidia"],
    ["opus 4.5", "anthropic"],
    // Short text must be a whole name or alias: "meta" and "o3" are, "opus", "met" and "ope" are not.
    ["opus", "-"],
    ["meta", "meta"],
    ["met", "-"],
    ["ope", "-"],
    ["zzqx", "-"],
  ])("GIVEN /lab %j THEN %s", (typed, expected) => {
    expect(outcome(ctx.catalog.lookUpLab(typed))).toBe(expected);
  });

  it("GIVEN /lab autocomplete with a model's name THEN the lab that makes it comes first", async () => {
    const choices = await lab.autocomplete!(
      { command: "lab", options: {}, ...caller, focused: { name: "name", value: "chatgpt" } },
      ctx,
    );
    expect(choices[0]).toEqual({ name: "OpenAI — company, United States", value: "openai" });
  });
});

describe("validating families and products", () => {
  async function brokenCopy(edit: (dir: string) => Promise<void>): Promise<string> {
    const dir = path.join(await tempDir(), "catalog");
    await fs.cp(path.join(FIXTURE_DATA, "catalog"), dir, { recursive: true });
    await edit(dir);
    return dir;
  }
  const patch = (dir: string, file: string, change: (json: Record<string, unknown>) => void) =>
    fs.readFile(path.join(dir, file), "utf8").then((text) => {
      const json = JSON.parse(text) as Record<string, unknown>;
      change(json);
      return fs.writeFile(path.join(dir, file), JSON.stringify(json));
    });

  it("GIVEN members, parents and models that name nothing or loop THEN each is reported with file and field", async () => {
    const dir = await brokenCopy(async (d) => {
      await patch(d, "families/gpt-5-4.json", (j) => {
        j.members = ["gpt-5-4-mini", "gpt-9"];
      });
      await patch(d, "families/o-series.json", (j) => {
        j.members = ["o3", "o-series"];
        j.parent = { value: "gpt", confidence: "external" };
      });
      await patch(d, "products/chatgpt.json", (j) => {
        (j.models as { value: string[] }).value = ["o3", "openai"];
        (j.labs as { value: string[] }).value = ["closedai"];
      });
    });
    const error = (await loadCatalog(dir).catch((e: unknown) => e)) as CatalogError;
    expect(error).toBeInstanceOf(CatalogError);
    expect(error.problems.map((p) => `${p.file} ${p.field}: ${p.message}`)).toEqual([
      'products/chatgpt.json labs: names no lab "closedai"',
      'families/gpt-5-4.json members.1: names no model or family "gpt-9"',
      'products/chatgpt.json models.value.1: names no model or family "openai"',
      "families/o-series.json members: contains the family itself",
      "families/o-series.json parent: gpt does not list o-series among its members",
    ]);
  });

  it("GIVEN a stated link whose quote names none of the entries it links THEN it is reported; inferred, it passes", async () => {
    const documents = new Map<string, string>();
    const corpus = path.join(FIXTURE_DATA, "corpus");
    for (const f of (await fs.readdir(corpus)).filter((n) => n.endsWith(".txt")))
      documents.set(f.slice(0, -4), await fs.readFile(path.join(corpus, f), "utf8"));
    const quote = "smaller models for cheap workloads";
    const stated = await brokenCopy((d) =>
      patch(d, "families/gpt-5-4.json", (j) => {
        j.labs = {
          value: ["openai"],
          confidence: "stated",
          source: { doc: "release-notes", quote },
        };
      }),
    );
    await expect(loadCatalog(stated, { documents })).rejects.toThrowError(
      'families/gpt-5-4.json (gpt-5-4) labs.source.quote: is "stated" but names none of OpenAI',
    );
    const inferred = await brokenCopy((d) =>
      patch(d, "families/gpt-5-4.json", (j) => {
        j.labs = {
          value: ["openai"],
          confidence: "inferred",
          source: { doc: "release-notes", quote },
        };
      }),
    );
    expect((await loadCatalog(inferred, { documents })).families).toHaveLength(3);
  });

  it("GIVEN a family named like a model's alias THEN the clash is reported", async () => {
    const dir = await brokenCopy((d) =>
      patch(d, "families/o-series.json", (j) => {
        j.aliases = ["OpenAI o3"];
      }),
    );
    await expect(loadCatalog(dir)).rejects.toThrowError(
      /families\/o-series\.json \(o-series\) aliases\.0: "OpenAI o3" clashes with a name or alias of o3/,
    );
  });
});
