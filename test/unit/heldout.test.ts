import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";
import { SHIPPED_DATA, tempDir } from "../helpers.js";

/**
 * Searches typed as members would (paraphrases, typos, missing hyphens), none of them copied
 * from the ranking fixtures: each must bring a passage of the right document into the top 5.
 */
const HELD_OUT: Array<[query: string, title: string]> = [
  ["distilation attacks by chinese labs", "The distillation panic"],
  ["nemotron cascade 2 active params", "The Three Races Happening in AI Right Now"],
  ["magma microsoft agent clicking buttons", "The Three Races Happening in AI Right Now"],
  ["olmo 3 fully open 32b think", "Olmo 3: America's truly open reasoning models"],
  ["kimi k2 thinking interleaved tool calls", "5 Thoughts on Kimi K2 Thinking"],
  [
    "gpt-oss open weight reasoning models",
    "gpt-oss: OpenAI validates the open ecosystem (finally)",
  ],
  [
    "white house action plan open models",
    "The White House's AI Action Plan on open models and AI research",
  ],
  ["llama 4 panic button", "Llama 4: Did Meta just push the panic button?"],
  ["gemini 2.5 pro googles second chance", "Gemini 2.5 Pro and Google's second AI chance"],
  ["dna origami molecular motors", "Why Are Our Nano Molecular Motors So Inefficient?"],
  ["neocognitorn fukushima", "Origins of the AI in Your Camera"],
  [
    "trinity large arcee training",
    "Arcee AI's Trinity Large release and the business of U.S. open models",
  ],
  [
    "claude code opus 4.5 software",
    "Claude Code with Opus 4.5 and the commodification of software",
  ],
  ["meta avocado model delayed", "AI's Rapid Evolution: Chips, Agents, Strategy, and Safety"],
  ["scaling laws for rl", "How to scale RL"],
  ["burnout 996 working hours", "Burning out"],
  [
    "atom project american truly open models",
    "The ATOM Project: Towards fully open models for US research & industry",
  ],
  ["grok chatbot xai", "Grok"],
  ["deepmind safety frontier framework", "AI Safety According to Google DeepMind"],
];

describe("held-out searches through the CLI", () => {
  it.each(HELD_OUT)("GIVEN %j THEN a passage of %j is in the top 5", async (query, title) => {
    const out: string[] = [];
    const code = await runCli(["search", `query:${query}`, "--json"], {
      stdout: (t) => out.push(t),
      stderr: () => undefined,
      env: { DATA_DIR: SHIPPED_DATA, STATE_DIR: await sharedState },
    });
    expect(code).toBe(0);
    const names: string[] = JSON.parse(out.join("")).embeds[0].fields.map(
      (f: { name: string }) => f.name,
    );
    expect(names.some((n) => n.replace(/^\d+\. /, "").startsWith(`${title} — `))).toBe(true);
  });
});

const sharedState = tempDir();
