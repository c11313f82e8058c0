import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "../../src/app/context.js";
import { searchCorpus } from "../../src/search/search.js";
import { Vocabulary } from "../../src/search/spelling.js";
import { boundedDistance } from "../../src/text/distance.js";
import { contextFor, FIXTURE_DATA } from "../helpers.js";

let ctx: AppContext;
beforeAll(async () => {
  ctx = await contextFor(FIXTURE_DATA);
});
afterAll(() => ctx.searchIndex.close());

async function titles(query: string, filter: { source?: string; from?: string; to?: string } = {}) {
  const result = await searchCorpus(ctx.searchIndex, ctx.corpus, { query, ...filter });
  return result.hits.map((h) => h.document.id);
}

describe("search ranking", () => {
  it("GIVEN an exact phrase THEN the phrase outranks all-words matches, which outrank some-words matches", async () => {
    expect(await titles("distillation attacks")).toEqual([
      "exact-phrase",
      "words-apart",
      "one-word",
    ]);
  });

  it("GIVEN the words in another order THEN the same passages are found", async () => {
    expect(await titles("attacks distillation")).toEqual([
      "exact-phrase",
      "words-apart",
      "one-word",
    ]);
  });

  it("GIVEN typos THEN they are corrected against the corpus and the ranking is unchanged", async () => {
    const result = await searchCorpus(ctx.searchIndex, ctx.corpus, { query: "Distilation atacks" });
    expect(result.corrections).toEqual([
      { from: "distilation", to: "distillation" },
      { from: "atacks", to: "attacks" },
    ]);
    expect(result.hits.map((h) => h.document.id)).toEqual([
      "exact-phrase",
      "words-apart",
      "one-word",
    ]);
  });

  it("GIVEN equal passages THEN the newer document wins the tie", async () => {
    expect(await titles("quantization")).toEqual(["newer-twin", "older-twin"]);
  });

  it.each(["gpt 5.4 mini", "GPT-5.4-Mini", "gpt5.4 mini", "Gpt 5.4 MINI"])(
    "GIVEN %s THEN case, hyphens and dots do not matter",
    async (query) => {
      expect((await titles(query))[0]).toBe("release-notes");
    },
  );

  it("GIVEN a plural or singular form THEN both forms match and nothing is 'corrected'", async () => {
    const result = await searchCorpus(ctx.searchIndex, ctx.corpus, { query: "model release" });
    expect(result.corrections).toEqual([]);
    expect(result.hits[0]?.document.id).toBe("release-notes");
  });

  it("GIVEN source and date filters THEN only matching documents are returned", async () => {
    expect(await titles("distillation", { source: "Weekly Radar" })).toEqual(["one-word"]);
    expect(await titles("distillation attacks", { from: "2025-04-01", to: "2025-04-30" })).toEqual([
      "words-apart",
    ]);
  });

  it("GIVEN nonsense or only stopwords THEN nothing is found", async () => {
    expect(await titles("zzqxj")).toEqual([]);
    expect(await titles("what is the")).toEqual([]);
    expect(await titles("")).toEqual([]);
  });

  it("GIVEN FTS syntax in the query THEN it is searched as words, not executed", async () => {
    expect(await titles('distillation" OR "x NEAR(')).toContain("exact-phrase");
    expect(await titles("*")).toEqual([]);
  });

  it("GIVEN a match THEN the snippet bolds the matched words and escapes markdown and mentions", async () => {
    const [hit] = (await searchCorpus(ctx.searchIndex, ctx.corpus, { query: "everyone pipe" }))
      .hits;
    expect(hit?.snippet).toContain("\\*stars\\*");
    expect(hit?.snippet).toContain("a ping to @**everyone**");
    expect(hit?.snippet).not.toMatch(/@everyone|<@/);
    expect(hit?.snippet).toContain("<\u200b@&123456789012345678>");
    expect(hit?.snippet).toContain("\\| **pipe**");
  });
});

describe("spelling", () => {
  const vocabulary = new Vocabulary(
    new Map([
      ["distillation", 5],
      ["nemotron", 3],
      ["nematode", 1],
      ["o3", 4],
      ["releases", 2],
    ]),
  );

  it("GIVEN a misspelling within the edit budget THEN the closest known word is chosen", () => {
    expect(vocabulary.correct("distilation")).toBe("distillation");
    expect(vocabulary.correct("nemotrn")).toBe("nemotron");
    expect(vocabulary.correct("nemtoron")).toBe("nemotron");
  });

  it("GIVEN a known form, a short word or a number-bearing word THEN nothing is corrected", () => {
    expect(vocabulary.correct("release")).toBeUndefined();
    expect(vocabulary.correct("o1")).toBeUndefined();
    expect(vocabulary.correct("xyz")).toBeUndefined();
  });

  it("counts a transposition as one edit", () => {
    expect(boundedDistance("ab", "ba", 2)).toBe(1);
    expect(boundedDistance("kitten", "sitting", 5)).toBe(3);
    expect(boundedDistance("kitten", "sitting", 1)).toBe(2);
  });
});
