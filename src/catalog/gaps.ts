import { compactKey } from "../text/tokens.js";
import type { Catalog } from "./load.js";
import { TIER_WORDS, termsOf } from "./lookup.js";
import { buildMatcher, mentionSpans } from "./mentions.js";

/**
 * Names in the corpus that look like models or products but match no entry, so the catalogue's
 * gaps show as documents arrive. The heuristic favours precision over recall:
 *
 * - A name is a run of words that starts with a capitalised word (not the first word of a
 *   sentence, unless the catalogue already uses that word to start a name), a word that mixes
 *   letters and digits ("Qwen3", "o4") or one with a capital inside ("ChatGPT", "xAI"); it goes on
 *   through versions ("3.5", "V3"), sizes ("70B"), tier words ("Ultra", "mini") and further
 *   capitalised words.
 * - It counts only when it carries a model-like mark: a word mixing letters and digits, a
 *   capital inside a word, a version after the first word, or a tier word. Plain capitalised
 *   phrases (people, places, titles) never count.
 * - Names a catalogue entry already covers, in whole or in the part that carries the mark, are
 *   not gaps; nor are labs or entries at the start of a longer run ("Google Gemini Ultra" is
 *   reported as "Gemini Ultra").
 * - Common words that take numbers ("Figure 3", "Part 2") and hardware ("H100") are left out.
 */

export interface NameGap {
  /** The spelling the corpus uses most. */
  readonly name: string;
  readonly count: number;
  readonly documents: readonly string[];
}

/** Words, kept whole across dots and hyphens (the same hyphens as the mention matcher's). */
const WORD = /[\p{L}\p{N}]+(?:[.\u2010\u2011-][\p{L}\p{N}]+)*/gu;
const VERSION = /^(?:[vrk]?\d+(?:\.\d+)*[a-z]?)$/i;
const SIZE = /^\d+(?:\.\d+)?[bmt]$/i;
const MIXED = /(?=.*\p{L})(?=.*\p{N})/u;
const INNER_CAPITAL = /\p{Ll}\p{Lu}/u;
/** Chips ("H100s", "B300"), not models. */
const HARDWARE = /^[A-Z]{1,2}\d{2,4}[A-Z]?s?$/;
/** A word that starts with a number is a quantity ("10x", "4-bit", "200k"), not a name. */
const QUANTITY = /^\d/;
/** Surnames with a capital inside: "McQuade", "LeCun". */
const SURNAME = /^(?:Mc|Mac|Le|De|Da|Di|Du|La|Van|Von|O)\p{Lu}\p{Ll}+$/u;
/** Words run together by a missing space: "modelsThe". */
const GLUED = /^\p{Ll}{4,}\p{Lu}/u;
/** Transcript timestamps ("00:05:58") glue onto the word before them. */
const TIMESTAMP = /\d{2}:\d{2}:\d{2}/g;
/** Words that take a number without naming a model. */
const NOT_NAMES = new Set(
  (
    "figure fig table chapter section part step page appendix version episode season day week " +
    "month year q1 q2 q3 q4 top level tier phase round series article item no number vol issue " +
    "lesson lecture exercise example rule point class grade stage act scene line note footnote " +
    "slide paper task problem question test case option plan model models llm llms gpu gpus ai " +
    "the a an in on of and or for to by with at from as is are was be it this that i we you"
  ).split(" "),
);

interface Word {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly sentenceStart: boolean;
}

function wordsOf(raw: string): Word[] {
  const text = raw.replace(TIMESTAMP, (t) => " ".repeat(t.length));
  const out: Word[] = [];
  for (const m of text.matchAll(WORD)) {
    const before = text.slice(Math.max(0, m.index - 3), m.index).trimEnd();
    const sentenceStart = before === "" || /[.!?:;"“”(\n#*>|-]$/.test(before);
    out.push({ text: m[0], start: m.index, end: m.index + m[0].length, sentenceStart });
  }
  return out;
}

const isCapitalised = (w: string) => /^\p{Lu}/u.test(w);
const isTier = (w: string) => TIER_WORDS.has(w.toLowerCase());
const isMarked = (w: string) =>
  !QUANTITY.test(w) &&
  !HARDWARE.test(w) &&
  !SURNAME.test(w) &&
  !GLUED.test(w) &&
  (MIXED.test(w) || INNER_CAPITAL.test(w));

/** Runs of words that could be one name. */
function runsOf(text: string, brands: ReadonlySet<string>): Word[][] {
  const words = wordsOf(text);
  const runs: Word[][] = [];
  let run: Word[] = [];
  const close = () => {
    if (run.length > 0) runs.push(run);
    run = [];
  };
  for (const word of words) {
    const w = word.text;
    const previous = run.at(-1);
    const joined = previous && text.slice(previous.end, word.start) === " " && !word.sentenceStart;
    if (previous && joined) {
      if (VERSION.test(w) || SIZE.test(w) || isTier(w) || isMarked(w) || isCapitalised(w)) {
        run.push(word);
        continue;
      }
    }
    close();
    const lower = w.toLowerCase();
    if (NOT_NAMES.has(lower) || HARDWARE.test(w) || QUANTITY.test(w)) continue;
    const starts =
      isMarked(w) ||
      (isCapitalised(w) && (!word.sentenceStart || brands.has(lower.split(/[.-]/)[0]!)));
    if (starts) run.push(word);
  }
  close();
  return runs;
}

/** The part of a run that carries a model-like mark, or nothing when it has none. */
function markedSpan(run: Word[]): Word[] | undefined {
  let last = -1;
  run.forEach((word, i) => {
    const w = word.text;
    if (isMarked(w) || (i > 0 && (VERSION.test(w) || SIZE.test(w) || isTier(w)))) last = i;
  });
  if (last === -1) return undefined;
  return run.slice(0, last + 1);
}

/** Names the corpus uses at least `minimum` times that no entry covers, most used first. */
export function unresolvedNames(
  documents: Iterable<{ readonly id: string; readonly text: string }>,
  catalog: Pick<Catalog, "byId">,
  minimum = 2,
): NameGap[] {
  const matcher = buildMatcher(catalog);
  const brands = new Set<string>();
  for (const { entry } of catalog.byId.values())
    for (const form of [entry.name, ...entry.aliases]) {
      const first = form.toLowerCase().match(/^[\p{L}\p{N}]+/u)?.[0];
      if (first) brands.add(first);
    }
  const found = new Map<string, { spellings: Map<string, number>; documents: Set<string> }>();
  for (const doc of documents) {
    for (const run of runsOf(doc.text, brands)) {
      let words = markedSpan(run);
      if (!words) continue;
      const start = words[0]!.start;
      const end = words.at(-1)!.end;
      const named = mentionSpans(doc.text.slice(start, end), matcher);
      // Covered when a catalogue name reaches the last marked word.
      if (named.some((s) => s.end === end - start)) continue;
      // Drop names at the start that the catalogue knows ("Google" in "Google Gemini Ultra").
      for (const span of named) {
        if (span.start !== words[0]!.start - start) break;
        words = words.filter((w) => w.start - start >= span.end);
      }
      if (words.length === 0 || !markedSpan(words)) continue;
      const name = doc.text.slice(words[0]!.start, words.at(-1)!.end);
      const key = compactKey(name);
      if (!key || /^\d+$/.test(key)) continue;
      const seen = found.get(key) ?? { spellings: new Map(), documents: new Set() };
      seen.spellings.set(name, (seen.spellings.get(name) ?? 0) + 1);
      seen.documents.add(doc.id);
      found.set(key, seen);
    }
  }
  const gaps: NameGap[] = [];
  for (const { spellings, documents: docs } of found.values()) {
    const count = [...spellings.values()].reduce((a, b) => a + b, 0);
    if (count < minimum) continue;
    const [name] = [...spellings].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!;
    gaps.push({ name, count, documents: [...docs].sort() });
  }
  return gaps.sort((a, b) => b.count - a.count || a.name.localeCompare(b.name, "en"));
}

/**
 * Aliases broader than the entry's name: they keep a word of the name but drop one of its
 * version numbers or tier words ("Gemini" for Gemini 2.5 Pro, "Claude 3.7" for Claude 3.7
 * Sonnet), so they read as the name of a family. A codename sharing no word ("Orion") is fine.
 */
export function broadAliases(
  catalog: Pick<Catalog, "byId">,
): Array<{ id: string; alias: string; drops: string[] }> {
  const out: Array<{ id: string; alias: string; drops: string[] }> = [];
  const plainWords = (text: string) =>
    (text.toLowerCase().match(/\p{L}+/gu) ?? []).filter((w) => !TIER_WORDS.has(w));
  for (const { kind, entry } of catalog.byId.values()) {
    if (kind === "lab") continue;
    const name = termsOf(entry.name);
    const nameWords = plainWords(entry.name);
    for (const alias of entry.aliases) {
      const terms = termsOf(alias);
      const drops = [
        // "OLMo-2-0325-32B" keeps the 2 of "OLMo 2 32B", dated.
        ...name.versions.filter(
          (v) => !terms.versions.some((a) => a === v || a.startsWith(`${v}.`)),
        ),
        ...name.tiers.filter((t) => !terms.tiers.includes(t)),
      ];
      // A size the name lacks makes an alias specific again: "Llama 405B".
      const sized = terms.sizes.some((size) => !name.sizes.includes(size));
      if (drops.length > 0 && !sized && plainWords(alias).some((w) => nameWords.includes(w)))
        out.push({ id: entry.id, alias, drops });
    }
  }
  return out;
}
