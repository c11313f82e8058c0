import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findCandidates, knownNames } from "../../src/candidates/detect.js";
import type { CandidateRepository } from "../../src/candidates/repository.js";
import { openStorage, type Storage, type StorageConfig } from "../../src/store/storage.js";
import { freshDatabase } from "../postgres.js";
import { silentLogger, tempDir } from "../helpers.js";

const known = knownNames({
  models: [
    "GPT-5.4",
    "GPT-5.4 mini",
    "Claude Opus 4.5",
    "Opus 4.5",
    "Olmo 3",
    "Kimi K2 Thinking",
    "Qwen3",
    "Mistral Small 4",
    "DeepSeek-V3.2",
    "Gemini 3 Pro",
    "Llama 4 Scout",
  ],
  labs: [
    "OpenAI",
    "Anthropic",
    "Moonshot AI",
    "Mistral",
    "DeepSeek",
    "Google DeepMind",
    "Google",
    "Meta",
    "Nvidia",
    "Alibaba",
    "Ai2",
  ],
});

describe("finding names that may be new models", () => {
  it.each([
    // Versioned names, anywhere in a sentence.
    ["OpenAI released GPT-5.5 on Thursday, a week after GPT-5.4 mini.", ["GPT-5.5"]],
    ["Moonshot AI open-sourced Kimi K3 with weights on Hugging Face.", ["Kimi K3"]],
    ["Alibaba's Qwen team launched Qwen3.5-Max today.", ["Qwen3.5-Max"]],
    ["We released Tülu 4 and its weights last week.", ["Tülu 4"]],
    [
      "Google DeepMind launched Gemini 3.5 Flash and Gemini 3.5 Pro.",
      ["Gemini 3.5 Flash", "Gemini 3.5 Pro"],
    ],
    ["Last Thursday, February 5th, Anthropic released Claude Opus 4.6.", ["Claude Opus 4.6"]],
    ["DeepSeek-V4 weights appeared on Hugging Face overnight.", ["DeepSeek-V4"]],
    ["Olmo 3.1 Think was released under Apache 2.0.", ["Olmo 3.1 Think"]],
    ["Gemini 3 Pro Deep Think was released to subscribers.", ["Gemini 3 Pro Deep Think"]],
    ["Kimi K3 is out, and it is cheap.", ["Kimi K3"]],
    // A lab before a model is not part of its name; a model's own name is kept whole.
    ["OpenAI GPT-6 is rumoured; Anthropic Claude Opus 4.5 is known.", ["GPT-6"]],
    ["These GPT-4-class models now run on a laptop.", ["GPT-4"]],
    // Names without a version count right beside "released", "launched", "open-sourced", "weights".
    ["Mistral released Magistral, its first reasoning model.", ["Magistral"]],
    ["Zhipu launched GLM-5 with open weights.", ["Zhipu", "GLM-5"]],
    ["The weights for Hermes are on the hub.", ["Hermes"]],
    ["Magistral was quietly released on a Sunday.", ["Magistral"]],
    // Nothing new.
    ["Claude Opus 4.5 remains the model to beat.", []],
    ["GPT-5.4 mini is cheaper than GPT-5.4.", []],
    ["Figure 2 compares Olmo 3 with Llama 4 Scout.", []],
    ["In 2025, the lab shipped three models.", []],
    ["Table 3 shows results on SWE-bench Verified and Terminal-Bench 2.0.", []],
    ["The H100 and B200 GPUs remain scarce, and Nvidia H200 supply is tight.", []],
    ["It launched on Monday in the United States.", []],
    ["Sources say the company released nothing new in March 2026.", []],
    ["Section 4.2 covers the results from Q3 2025.", []],
    ["The model costs $2.50 per million tokens, about 40% less.", []],
    ["Over 90% of the work is post-training.", []],
    ["Training in FP8 and serving in INT4 is now routine.", []],
    ["The API launched with an LLM router.", []],
    ["Distillation attacks worry labs more than AIME 2025 scores do.", []],
    ["Gemini hasn’t released its Ultra variant.", []],
    ["Open models this month: Meta 11, Google 25, OpenAI 9.", []],
    ["Yeah.00:19:32 Nathan: So we released it.", []],
  ])("%s", (sentence, expected) => {
    expect(findCandidates(sentence, known).map((c) => c.name)).toEqual(expected);
  });

  it("GIVEN a name in several sentences THEN it is listed once, with the first sentence it appears in", () => {
    const text =
      "Zhipu launched GLM-5 on Monday.\nBenchmarks for GLM-5 followed a day later. Meanwhile, Kimi K3 shipped.";
    expect(findCandidates(text, known)).toEqual([
      { name: "Zhipu", sentence: "Zhipu launched GLM-5 on Monday." },
      { name: "GLM-5", sentence: "Zhipu launched GLM-5 on Monday." },
      { name: "Kimi K3", sentence: "Meanwhile, Kimi K3 shipped." },
    ]);
  });

  it("GIVEN a very long sentence THEN the quote is a verbatim window of it around the name", () => {
    const filler = "and the labs kept shipping ".repeat(40);
    const sentence = `${filler}until Kimi K3 arrived ${filler}without a pause.`;
    const [found] = findCandidates(sentence, known);
    expect(found!.name).toBe("Kimi K3");
    expect(found!.sentence.length).toBeLessThanOrEqual(600);
    expect(found!.sentence).toContain("until Kimi K3 arrived");
    expect(sentence).toContain(found!.sentence);
  });
});

describe.each(["SQLite", "Postgres"] as const)("the candidates store on %s", (kind) => {
  let config: StorageConfig;
  let opened: Storage[];
  let store: CandidateRepository;
  /** The candidates through a connection of their own, as another process has. */
  const connect = async () => {
    const storage = await openStorage(config, silentLogger);
    opened.push(storage);
    return (await storage.openFeeds()).candidates;
  };
  beforeEach(async () => {
    opened = [];
    config = {
      storePath: path.join(await tempDir("candidates-"), "modeldex.sqlite"),
      postgresUrl: kind === "Postgres" ? await freshDatabase() : undefined,
      storeTimeoutMs: 5_000,
    };
    store = await connect();
  });
  afterEach(async () => {
    for (const storage of opened) await storage.close();
  });

  const kimi = { name: "Kimi K3", sentence: "Moonshot AI open-sourced Kimi K3." };
  const aurora = { name: "Aurora 2", sentence: "Zephyr Labs released Aurora 2." };

  it("GIVEN candidates from several documents THEN each name is listed once, newest sighting first, with how many documents name it", async () => {
    await store.replaceCandidates("doc-a", "2026-11-16", [kimi], 1_000);
    await store.replaceCandidates(
      "doc-b",
      "2026-11-20",
      [aurora, { ...kimi, sentence: "Kimi K3 again." }],
      2_000,
    );

    const listed = await store.listCandidates("guild-1", { limit: 10 });

    expect(listed.map((c) => [c.name, c.docId, c.sentence, c.documents])).toEqual([
      ["Aurora 2", "doc-b", "Zephyr Labs released Aurora 2.", 1],
      ["Kimi K3", "doc-b", "Kimi K3 again.", 2],
    ]);
    expect(await store.countCandidates("guild-1")).toBe(2);
    expect(
      (await store.listCandidates("guild-1", { limit: 1, offset: 1 })).map((c) => c.name),
    ).toEqual(["Kimi K3"]);
  });

  it("GIVEN a dismissed name THEN it is hidden in that server only, and dismissing twice says so", async () => {
    await store.replaceCandidates("doc-b", "2026-11-20", [aurora, kimi], 2_000);
    const [first] = await store.listCandidates("guild-1", { limit: 10 });

    expect(await store.dismissCandidate("guild-1", first!.key, "mod-1", 3_000)).toBe(true);
    expect(await store.dismissCandidate("guild-1", first!.key, "mod-2", 3_001)).toBe(false);

    expect((await store.listCandidates("guild-1", { limit: 10 })).map((c) => c.name)).toEqual([
      "Kimi K3",
    ]);
    expect(await store.countCandidates("guild-1")).toBe(1);
    expect((await store.listCandidates("guild-2", { limit: 10 })).map((c) => c.name)).toEqual([
      "Aurora 2",
      "Kimi K3",
    ]);
  });

  it("GIVEN a changed document THEN its candidates are replaced, and ones it still names keep when they were found", async () => {
    await store.replaceCandidates("doc-a", "2026-11-16", [kimi, aurora], 1_000);
    await store.replaceCandidates(
      "doc-a",
      "2026-11-16",
      [{ ...kimi, sentence: "Kimi K3, revised." }],
      5_000,
    );

    const listed = await store.listCandidates("guild-1", { limit: 10 });
    expect(listed.map((c) => [c.name, c.sentence, c.foundAt])).toEqual([
      ["Kimi K3", "Kimi K3, revised.", 1_000],
    ]);
  });

  it("GIVEN another connection to the same file THEN it sees the same candidates and dismissals", async () => {
    const other = await connect();
    await store.replaceCandidates("doc-a", "2026-11-16", [kimi], 1_000);
    const [candidate] = await other.listCandidates("guild-1", { limit: 10 });
    await other.dismissCandidate("guild-1", candidate!.key, "mod-1", 2_000);
    expect(await store.countCandidates("guild-1")).toBe(0);
  });
});
