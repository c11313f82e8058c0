import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadCorpus, readDocumentText } from "../../src/corpus/load.js";
import { findGluedBreaks, restoreParagraphs } from "../../src/corpus/paragraphs.js";
import { findQuote, quotePattern } from "../../src/corpus/quotes.js";
import { SHIPPED_DATA } from "../helpers.js";

/** Glued text as the sources had it, and the text with its breaks restored. */
const GLUED: Array<[string, string]> = [
  // A sentence's end run into the next sentence.
  [
    "broadly through academic and economic activities.We went through this sort of language",
    "broadly through academic and economic activities.\n\nWe went through this sort of language",
  ],
  ["you research credits!).All together, it", "you research credits!).\n\nAll together, it"],
  ["work at Ant.Also joining are two leads", "work at Ant.\n\nAlso joining are two leads"],
  ["made Llama 3.OpenAI is already making", "made Llama 3.\n\nOpenAI is already making"],
  ["we wish it was.I think automating", "we wish it was.\n\nI think automating"],
  ["a subscriber.AI is going down the path", "a subscriber.\n\nAI is going down the path"],
  ["right now.TLDR: Kimi K2 Thinking", "right now.\n\nTLDR: Kimi K2 Thinking"],
  ["finish your Ph.D.The little reason", "finish your Ph.D.\n\nThe little reason"],
  [
    "the environment, etc.This slight inclination",
    "the environment, etc.\n\nThis slight inclination",
  ],
  ["particle colliders…I'm exaggerating", "particle colliders…\n\nI'm exaggerating"],
  ["from Jasmine.” […]Continuing from", "from Jasmine.” […]\n\nContinuing from"],
  // Quotes and parentheses at the seam.
  ["worry about AI safety?”“We don’t think", "worry about AI safety?”\n\n“We don’t think"],
  [
    'an "open-source DeepMind."Little did I know',
    'an "open-source DeepMind."\n\nLittle did I know',
  ],
  ['It ended."The next one" began', 'It ended.\n\n"The next one" began'],
  ["than “what is open”The biggest stories", "than “what is open”\n\nThe biggest stories"],
  ["(hint, no)This is a question", "(hint, no)\n\nThis is a question"],
  [
    "the paper’s introduction, emphasis mine:Past theoretical work",
    "the paper’s introduction, emphasis mine:\n\nPast theoretical work",
  ],
  ["you can watch on YouTube:Listen on Apple", "you can watch on YouTube:\n\nListen on Apple"],
  // Headings run into their first sentence.
  [
    "highlighted below).The journey to post-training Olmo HybridMost of the experience",
    "highlighted below).\n\nThe journey to post-training Olmo Hybrid\n\nMost of the experience",
  ],
  [
    "Introducing Olmo Hybrid and its pretraining efficiencyOlmo Hybrid is a 7B base model",
    "Introducing Olmo Hybrid and its pretraining efficiency\n\nOlmo Hybrid is a 7B base model",
  ],
  [
    "even more roles.Building MomentumThe best thing",
    "even more roles.\n\nBuilding Momentum\n\nThe best thing",
  ],
  [
    "what may come next.1. Open models haven’t had their true agent moment like Opus 4.5The time gap",
    "what may come next.\n\n1. Open models haven’t had their true agent moment like Opus 4.5\n\nThe time gap",
  ],
  [
    "1. Automatable research is too narrowFirst, it is clear",
    "1. Automatable research is too narrow\n\nFirst, it is clear",
  ],
  [
    "Claude 4 gut checkIn AI, model version numbers",
    "Claude 4 gut check\n\nIn AI, model version numbers",
  ],
  ["Related writingFor more reading", "Related writing\n\nFor more reading"],
  [
    "🤗 rednote-hilabThe Chinese version of Instagram",
    "🤗 rednote-hilab\n\nThe Chinese version of Instagram",
  ],
  ["Governance BodiesA large number of bodies", "Governance Bodies\n\nA large number of bodies"],
  ["Cached Input: $0.025And their old models", "Cached Input: $0.025\n\nAnd their old models"],
  // Lists.
  [
    "the sequence is as follows:* OPT – Released May 3, 2022: A foundational open model.* LLaMA – Released February 24, 2023",
    "the sequence is as follows:\n* OPT – Released May 3, 2022: A foundational open model.\n* LLaMA – Released February 24, 2023",
  ],
  [
    "This would involve:* changing the learning algorithms somewhat* generating some terrain",
    "This would involve:\n* changing the learning algorithms somewhat\n* generating some terrain",
  ],
  // Show notes and transcripts.
  [
    "A metaphor for our moment in LLMsTranscriptA frontier lab contender in 8 monthsNathan Lambert (00:05)Hey everybody.",
    "A metaphor for our moment in LLMs\n\nTranscript\n\nA frontier lab contender in 8 months\n\nNathan Lambert (00:05)\nHey everybody.",
  ],
  [
    "Lightning Round & ConclusionsTranscriptTranscript generated with",
    "Lightning Round & Conclusions\n\nTranscript\n\nTranscript generated with",
  ],
  [
    "Chapters00:00 2025 so far05:53 China takes the lead",
    "Chapters\n00:00 2025 so far\n05:53 China takes the lead",
  ],
  [
    "how stoked are you?00:01:29 Lucas Atkins: So to- yeah.00:01:29 Nathan Lambert: Like",
    "how stoked are you?\n00:01:29 Lucas Atkins: So to- yeah.\n00:01:29 Nathan Lambert: Like",
  ],
  ["the ti-00:14:00 Lucas Atkins: Muon?", "the ti-\n00:14:00 Lucas Atkins: Muon?"],
  [
    "OpenAI, Google, andRoss Taylor: Yep, I mean",
    "OpenAI, Google, and\n\nRoss Taylor: Yep, I mean",
  ],
];

/** Text that looks glued but is not: every one must come back unchanged. */
const UNTOUCHED: string[] = [
  // Abbreviations and initials.
  "open models built in the U.S.A. They’re a group",
  "the U.S.’s lead and the U.S.Army",
  "a Ph.D. in AI",
  "models, e.g.GPT-4 and i.e.the rest",
  "Dean W.Ball wrote",
  "Dr.Smith and Mr.Jones",
  "GPT-4 vs.Claude",
  "as Fig.3 shows, the No.1 model",
  "AWS re:Invent",
  // Names with dots, capitals and digits.
  "Node.js and Z.ai, also written Z.AI, like 01.AI",
  "SpeechMap.AI is a public research project",
  "as the TechPolicy.Press analysis notes, on Latent.Space)",
  "Claude Opus 4.X or GPT Thinking 5.X.",
  "GPT-5.4 costs $0.50 per million; Llama 3.1 405B and AFM-4.5B; v1.5 is out",
  "ChatGPT, DeepSeek, OpenAI, GitHub, xAI, iPhone, LLaMA, MiniMax, YouTube, HuggingFace, PyTorch",
  "LinkedIn, ServiceNow, LightOn, LlamaCon, NeurIPS, a PhD, macOS, nanoGPT, vLLM, olmOCR",
  "on arXiv, bioRxiv and chemRxiv",
  "Polyglot, SWE-benchVerified, SimpleQA",
  "the SmolLM3 and Qwen3-Next and K2 models",
  // Web addresses, handles and code.
  "https://x.com/OpenAI.The and https://huggingface.co/OpenGVLab/InternVL see",
  "www.interconnects.ai/p/llama-4The",
  "X @Kimi_MoonshotMoonshot AI and @StepFun_aiStepFun",
  "call `useState` or model.generate() or tokenizer.apply_chat_template(messages)",
  "document.getElementById('x') and addEventListener; useState, forEach, maxTokens, setTimeout",
  "open index.php?Id=3",
  "call readFile, then readFile again; fastText and spaCy",
  // Stars that are no bullets.
  "a *really* good model and **bold** text",
  "the Q* rumors and A* search",
  "a s**t show",
  "GPT-4* scored best",
  // Times, ratios and emoticons.
  "at 10:30 The meeting, a 3:1 GDN hybrid, 16:9 aspect, UTC-05:00 Tokyo",
  "Thinking Machine’s Tinker :D – please",
  // Parentheses inside words.
  "(s)He said f(x)Then",
  // Already readable.
  "activities. We went",
  "activities.\n\nWe went",
];

describe("restoring lost paragraph breaks", () => {
  it.each(GLUED)("GIVEN glued text THEN its breaks are restored: %j", (glued, restored) => {
    expect(restoreParagraphs(glued)).toBe(restored);
  });

  it.each(UNTOUCHED)("GIVEN a look-alike THEN it is left as it is: %j", (text) => {
    expect(findGluedBreaks(text)).toEqual([]);
  });

  it("GIVEN the shipped corpus THEN its breaks were restored when it was built, and nothing else changed", async () => {
    const corpus = await loadCorpus(path.join(SHIPPED_DATA, "corpus"));
    for (const doc of corpus.documents) {
      const text = await readDocumentText(corpus, doc);
      expect(findGluedBreaks(text), doc.id).toEqual([]);
    }
    const panic = await readDocumentText(corpus, corpus.byId.get("the-distillation-panic")!);
    expect(panic).toContain("economic activities.\n\nWe went through this sort of language");
  });
});

describe("finding a quote a moderator typed", () => {
  it("GIVEN a quote typed as the glued source had it THEN it matches the restored text, and the glued one", () => {
    const pattern = quotePattern("“economic activities.We went through this”");
    expect(pattern.exec("and economic activities.\n\nWe went through this sort")?.[0]).toBe(
      "economic activities.\n\nWe went through this",
    );
    expect(pattern.test("and economic activities.We went through this sort")).toBe(true);
    expect(pattern.test("and economic activitiesWe went through this sort")).toBe(false);
  });

  it("GIVEN the shipped corpus THEN a quote typed glued, or with a space, is cited as the document has it", async () => {
    const corpus = await loadCorpus(path.join(SHIPPED_DATA, "corpus"));
    const expected = {
      doc: "olmo-hybrid-future-llm-architectures",
      quote: "post-training Olmo Hybrid\n\nMost of the experience",
    };
    expect(await findQuote(corpus, "post-training Olmo HybridMost of the experience")).toEqual(
      expected,
    );
    expect(await findQuote(corpus, '"post-training Olmo Hybrid Most of the experience"')).toEqual(
      expected,
    );
  });
});
