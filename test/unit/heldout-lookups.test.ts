import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";
import { SHIPPED_DATA, tempDir } from "../helpers.js";

/**
 * Lookups typed as members would (typos, missing hyphens, nicknames, other forms of a lab's
 * name), run through the CLI against the shipped catalogue: each must open the right card, and a
 * model's card must name the right lab.
 */
const MODELS: Array<[typed: string, title: string, lab: string]> = [
  ["opus 4.5", "Claude Opus 4.5", "Anthropic"],
  ["claude opus 4 6", "Claude Opus 4.6", "Anthropic"],
  ["nemotrn cascade", "Nemotron-Cascade 2", "NVIDIA"],
  ["k2 thinking", "Kimi K2 Thinking", "Moonshot AI"],
  ["kimi k2 thinkin", "Kimi K2 Thinking", "Moonshot AI"],
  ["gpt5.4 mini", "GPT-5.4 mini", "OpenAI"],
  ["gpt 5 4 nano", "GPT-5.4 nano", "OpenAI"],
  ["codex 5.3", "GPT-5.3-Codex", "OpenAI"],
  ["gpt oss 120b", "gpt-oss-120b", "OpenAI"],
  ["qwen 3.5", "Qwen3.5", "Qwen"],
  ["gemma4", "Gemma 4", "Google"],
  ["olmo3 think", "Olmo 3 Think", "Ai2"],
  ["trinity larg", "Trinity Large", "Arcee AI"],
  ["deepseek r1", "DeepSeek R1", "DeepSeek"],
  ["deepsek v3", "DeepSeek V3", "DeepSeek"],
  ["llama 4 maverik", "Llama 4 Maverick", "Meta"],
  ["llama 4 scout", "Llama 4 Scout", "Meta"],
  ["magma", "Magma", "Microsoft"],
  ["kimodo", "Kimodo", "NVIDIA"],
  ["glm 4.5", "GLM-4.5", "Zhipu AI"],
  ["minimax m2", "MiniMax-M2", "MiniMax"],
  ["grok 4", "Grok 4", "xAI"],
  ["gemini 2.5 pro", "Gemini 2.5 Pro", "Google"],
  ["sonnet 4.5", "Claude Sonnet 4.5", "Anthropic"],
];

const LABS: Array<[typed: string, name: string]> = [
  ["allen institute", "Ai2"],
  ["moonshot", "Moonshot AI"],
  ["nvida", "NVIDIA"],
  ["alibaba qwen", "Qwen"],
  ["zhipu", "Zhipu AI"],
  ["deep mind", "Google DeepMind"],
  ["arcee", "Arcee AI"],
  ["open ai", "OpenAI"],
];

async function cli(args: string[]) {
  const out: string[] = [];
  const code = await runCli([...args, "--json"], {
    stdout: (t) => out.push(t),
    stderr: () => undefined,
    env: { DATA_DIR: SHIPPED_DATA, STATE_DIR: await sharedState },
  });
  expect(code).toBe(0);
  return JSON.parse(out.join("")) as {
    content?: string;
    embeds?: Array<{ title: string; fields: Array<{ name: string; value: string }> }>;
  };
}

describe("held-out lookups through the CLI", () => {
  it.each(MODELS)("GIVEN /model %j THEN %j of %j opens", async (typed, title, lab) => {
    const payload = await cli(["model", `name:${typed}`]);
    expect(payload.embeds?.[0]?.title, payload.content).toBe(title);
    const labField = payload.embeds![0]!.fields.find((f) => f.name === "Lab")!;
    expect(labField.value.replace(/ \[\d+\]$/, "").split(", ")).toContain(lab);
  });

  it.each(LABS)("GIVEN /lab %j THEN %j opens", async (typed, name) => {
    const payload = await cli(["lab", `name:${typed}`]);
    expect(payload.embeds?.[0]?.title, payload.content).toBe(name);
  });
});

const sharedState = tempDir();
