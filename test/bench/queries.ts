import { loadCorpus, readDocumentText } from "../../src/corpus/load.js";
import { splitPassages } from "../../src/corpus/passages.js";
import { tokenize, isStopword } from "../../src/text/tokens.js";

export interface BenchQuery {
  readonly text: string;
  /** `<docId>#<ordinal>` of the passage the words were taken from. */
  readonly expected: string;
  readonly typo: boolean;
}

/** Deterministic pseudo-random numbers, so every run asks the same questions. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function misspell(word: string, random: () => number): string {
  const i = 1 + Math.floor(random() * (word.length - 2));
  const kind = Math.floor(random() * 3);
  if (kind === 0) return word.slice(0, i) + word.slice(i + 1); // drop a letter
  if (kind === 1) return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2); // swap two
  return word.slice(0, i) + word[i] + word.slice(i); // double a letter
}

/**
 * Queries as members type them: two or three distinctive words of one passage, in any order,
 * a third of them with one word misspelt.
 */
export function makeQueries(
  passages: ReadonlyArray<{ docId: string; ordinal: number; text: string }>,
  documentFrequency: ReadonlyMap<string, number>,
  count: number,
): BenchQuery[] {
  const random = rng(42);
  const queries: BenchQuery[] = [];
  while (queries.length < count) {
    const p = passages[Math.floor(random() * passages.length)]!;
    const candidates = [...new Set(tokenize(p.text))].filter(
      (w) =>
        w.length >= 6 && !isStopword(w) && !/\d/.test(w) && (documentFrequency.get(w) ?? 0) <= 20,
    );
    if (candidates.length < 3) continue;
    const words = Array.from(
      { length: 2 + Math.floor(random() * 2) },
      () => candidates[Math.floor(random() * candidates.length)]!,
    );
    const typo = queries.length % 3 === 0;
    if (typo) words[0] = misspell(words[0]!, random);
    queries.push({
      text: [...new Set(words)].join(" "),
      expected: `${p.docId}#${p.ordinal}`,
      typo,
    });
  }
  return queries;
}

/** `count` queries made from the passages of the corpus in `corpusDir`. */
export async function corpusQueries(corpusDir: string, count: number): Promise<BenchQuery[]> {
  const corpus = await loadCorpus(corpusDir);
  const passages = [];
  for (const doc of corpus.documents)
    passages.push(...splitPassages(doc.id, await readDocumentText(corpus, doc)));
  const df = new Map<string, number>();
  for (const p of passages)
    for (const w of new Set(tokenize(p.text))) df.set(w, (df.get(w) ?? 0) + 1);
  return makeQueries(passages, df, count);
}
