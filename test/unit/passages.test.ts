import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadCorpus, readDocumentText } from "../../src/corpus/load.js";
import { PASSAGE_MAX_WORDS, splitPassages } from "../../src/corpus/passages.js";
import { SHIPPED_DATA } from "../helpers.js";

const words = (n: number, word = "word") => Array.from({ length: n }, () => word).join(" ");

describe("passage splitting", () => {
  it("GIVEN paragraphs THEN a passage closes at a paragraph end once it has 100 words", () => {
    const text = `${words(60)}.\n\n${words(60)}.\n\n${words(120)}.`;
    const passages = splitPassages("d", text);
    expect(passages.map((p) => p.text.split(/\s+/).length)).toEqual([120, 120]);
    expect(passages.map((p) => p.ordinal)).toEqual([0, 1]);
  });

  it("GIVEN one long line of sentences THEN passages break between sentences and stay under the maximum", () => {
    const sentence = `Start ${words(28)} end.`;
    const text = Array.from({ length: 30 }, () => sentence).join(" ");
    const passages = splitPassages("d", text);
    for (const p of passages) {
      expect(p.text.endsWith("end.")).toBe(true);
      expect(p.text.split(/\s+/).length).toBeLessThanOrEqual(PASSAGE_MAX_WORDS);
    }
    expect(passages.map((p) => p.text).join(" ")).toBe(text);
  });

  it("GIVEN a sentence longer than the maximum THEN it is kept whole", () => {
    const text = `Short start here. ${words(300)} long. Tail.`;
    expect(splitPassages("d", text).some((p) => p.text.includes(words(300)))).toBe(true);
  });

  it("GIVEN the shipped corpus THEN offsets are exact and no passage cuts a sentence", async () => {
    const corpus = await loadCorpus(path.join(SHIPPED_DATA, "corpus"));
    for (const doc of corpus.documents) {
      const text = await readDocumentText(corpus, doc);
      const passages = splitPassages(doc.id, text);
      expect(passages.length).toBeGreaterThan(0);
      for (const p of passages) {
        expect(text.slice(p.start, p.end)).toBe(p.text);
        const next = text.slice(p.end, p.end + 2);
        // A passage ends at the end of the text, a line, or a sentence.
        expect(next === "" || /^\s/.test(next) || /[.!?…"'”’)\]:]$/.test(p.text)).toBe(true);
      }
    }
  });

  it("GIVEN a document file THEN the text is kept byte for byte", async () => {
    const corpus = await loadCorpus(path.join(SHIPPED_DATA, "corpus"));
    const doc = corpus.documents[0]!;
    expect(await readDocumentText(corpus, doc)).toBe(
      await fs.readFile(path.join(corpus.dir, doc.file), "utf8"),
    );
  });
});
