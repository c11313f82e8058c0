/**
 * Word handling shared by search, autocomplete and mention linking. Tokens follow SQLite's
 * unicode61 tokenizer (letters and digits, lowercased, accents removed) so that what we correct
 * and highlight is what the index sees.
 */

const TOKEN = /[\p{L}\p{N}]+/gu;
const ASCII = /^[\x20-\x7e\s]*$/;
const ASCII_WORD = /^[A-Za-z0-9]+$/;

/** A letter, digit or mark outside ASCII. */
const NON_ASCII_WORD_CHAR = /(?!\p{ASCII})[\p{L}\p{N}\p{M}]/u;

/**
 * Every word in the text is plain ASCII letters and digits (anything else in it, such as curly
 * quotes and dashes, only separates words), so its words are found with lowercasing alone, which
 * keeps every offset.
 */
export function hasAsciiWords(text: string): boolean {
  return ASCII.test(text) || !NON_ASCII_WORD_CHAR.test(text);
}

export function foldAccents(text: string): string {
  // Most text is plain ASCII, which has nothing to fold: skip the costly normalisation.
  if (ASCII.test(text)) return text;
  return text.normalize("NFKD").replace(/\p{M}+/gu, "");
}

export interface Token {
  /** Lowercased, accent-free form. */
  readonly norm: string;
  readonly start: number;
  readonly end: number;
}

/** Tokens with their offsets in the original text. */
export function tokenSpans(text: string): Token[] {
  const out: Token[] = [];
  if (hasAsciiWords(text)) {
    // Lowercasing ASCII keeps every offset, so one pass over the lowered text is enough (a loop
    // over character codes: this runs for every passage shown and indexed).
    const lower = text.toLowerCase();
    let start = -1;
    for (let i = 0; i <= lower.length; i++) {
      const c = i < lower.length ? lower.charCodeAt(i) : 0;
      if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
        if (start < 0) start = i;
      } else if (start >= 0) {
        out.push({ norm: lower.slice(start, i), start, end: i });
        start = -1;
      }
    }
    return out;
  }
  for (const m of text.matchAll(TOKEN)) {
    const word = m[0];
    const norm = ASCII_WORD.test(word) ? word.toLowerCase() : foldAccents(word).toLowerCase();
    out.push({ norm, start: m.index, end: m.index + word.length });
  }
  return out;
}

export function tokenize(text: string): string[] {
  return (foldAccents(text).toLowerCase().match(TOKEN) ?? []) as string[];
}

/** "GPT-5.4 mini", "gpt 5.4 Mini" and "gpt5.4mini" all become "gpt54mini": for comparing names. */
export function compactKey(text: string): string {
  return tokenize(text).join("");
}

const SUFFIXES = [
  ["ations", 5],
  ["ation", 5],
  ["ies", 4],
  ["ing", 5],
  ["ers", 4],
  ["er", 4],
  ["ed", 4],
  ["es", 4],
  ["s", 4],
  ["e", 5],
] as const;

/**
 * A light stemmer for matching words to query terms when highlighting: plurals and common verb
 * endings. The index itself uses Porter stemming; this only needs to agree on the frequent cases.
 */
export function lightStem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  for (const [suffix, keep] of SUFFIXES) {
    if (word.endsWith(suffix) && !word.endsWith("ss") && word.length - suffix.length >= keep - 1) {
      return word.slice(0, -suffix.length);
    }
  }
  return word;
}

const STOPWORDS = new Set(
  (
    "a an and are as at be but by can do does for from has have how i if in into is it its me my " +
    "of on or our so than that the their them then there these they this to was we were what when " +
    "where which who why will with you your about any all"
  ).split(" "),
);

export function isStopword(word: string): boolean {
  return STOPWORDS.has(word);
}
