import { describe, expect, it } from "vitest";
import { broadAliases, unresolvedNames } from "../../src/catalog/gaps.js";
import { buildCatalog } from "../../src/catalog/load.js";
import { termsOf } from "../../src/catalog/lookup.js";
import type { LabEntry, ModelEntry } from "../../src/catalog/schema.js";

const lab = (id: string, name: string, aliases: string[] = []): LabEntry => ({
  id,
  name,
  aliases,
  kind: { value: "company", confidence: "external" },
  summary: "A lab made up for a coverage test.",
  highlights: [],
});
const model = (id: string, name: string, aliases: string[] = []): ModelEntry => ({
  id,
  name,
  aliases,
  labs: { value: ["google"], confidence: "external" },
  summary: "A model made up for a coverage test.",
  highlights: [],
});

const catalog = buildCatalog(
  [
    model("gemini-2-5-pro", "Gemini 2.5 Pro", ["Gemini 2.5 Pro Preview"]),
    model("gemini-3-pro", "Gemini 3 Pro", ["Gemini 3"]),
    model("qwen3", "Qwen3"),
  ],
  [lab("google", "Google"), lab("meta", "Meta")],
);

describe("names the corpus uses that match no entry", () => {
  it("GIVEN versioned, tiered and mixed-case names THEN those used twice without an entry are listed, most used first", () => {
    const documents = [
      {
        id: "a",
        text: "Google Gemini Ultra was big. Gemini 2.5 Pro is an entry. We ran Mamba2 twice: Mamba2.",
      },
      {
        id: "b",
        text: "The old Gemini Ultra and Gemini Ultra again. Qwen3 and Qwen 3 are known. Mamba 3 once.",
      },
    ];
    expect(unresolvedNames(documents, catalog)).toEqual([
      { name: "Gemini Ultra", count: 3, documents: ["a", "b"] },
      { name: "Mamba2", count: 2, documents: ["a"] },
    ]);
  });

  it("GIVEN plain capitalised words, sentence starts, quantities, chips and figures THEN none is a gap", () => {
    const documents = [
      {
        id: "a",
        text:
          "Nathan Lambert met Lucas Atkins. Figure 3 and Figure 3 again. It runs on H100s and H100s, " +
          "10x faster and 10x cheaper, at 4-bit and 4-bit. I think so. I think not.00:05:58 Yes.00:05:59",
      },
    ];
    expect(unresolvedNames(documents, catalog)).toEqual([]);
  });
});

describe("aliases broader than their entry", () => {
  it("GIVEN an alias that drops a version or tier word of the name THEN it is listed; codenames, sizes and dated versions are not", () => {
    const broad = buildCatalog(
      [
        model("gemini-2-5-pro", "Gemini 2.5 Pro", ["Gemini", "2.5 Pro", "Bard Pro"]),
        model("claude-3-7-sonnet", "Claude 3.7 Sonnet", ["Claude 3.7", "Sonnet 3.7"]),
        model("gpt-4-5", "GPT-4.5", ["Orion"]),
        model("llama-3-1", "Llama 3.1", ["Llama 405B"]),
        model("olmo-2-32b", "OLMo 2 32B", ["OLMo-2-0325-32B", "OLMo 32B"]),
      ],
      [],
    );
    expect(broadAliases(broad)).toEqual([
      { id: "gemini-2-5-pro", alias: "Gemini", drops: ["2.5", "pro"] },
      { id: "claude-3-7-sonnet", alias: "Claude 3.7", drops: ["sonnet"] },
      { id: "olmo-2-32b", alias: "OLMo 32B", drops: ["2"] },
    ]);
  });
});

describe("versions, sizes and tier words of a name", () => {
  it.each([
    ["GPT-5.4 mini", { versions: ["5.4"], sizes: [], tiers: ["mini"] }],
    ["gpt 5 4 nano", { versions: ["5.4"], sizes: [], tiers: ["nano"] }],
    ["opus 4-5", { versions: ["4.5"], sizes: [], tiers: ["opus"] }],
    ["Gemini 2.0 Flash", { versions: ["2"], sizes: [], tiers: ["flash"] }],
    ["Nemotron-4 340B", { versions: ["4"], sizes: ["340b"], tiers: [] }],
    ["AFM-4.5B", { versions: [], sizes: ["4.5b"], tiers: [] }],
    ["Qwen3-32B", { versions: ["3"], sizes: ["32b"], tiers: [] }],
    ["Kimi K2 Thinking", { versions: ["2"], sizes: [], tiers: ["thinking"] }],
  ])("GIVEN %j THEN %j", (text, terms) => {
    expect(termsOf(text)).toEqual(terms);
  });
});
