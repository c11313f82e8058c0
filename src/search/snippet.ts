import { escapeMarkdown, squashWhitespace } from "../text/markdown.js";
import { hasAsciiWords, lightStem, tokenSpans, type Token } from "../text/tokens.js";

export const SNIPPET_LENGTH = 320;

/**
 * A window of the passage centred on the densest cluster of query words, with those words in
 * bold and everything else escaped for Discord markdown.
 */
export function snippet(
  passage: string,
  queryTerms: readonly string[],
  length = SNIPPET_LENGTH,
): string {
  const text = squashWhitespace(passage);
  const spans = matchingSpans(text, new Set(queryTerms.map(lightStem)));

  let from = 0;
  if (text.length > length && spans.length > 0) {
    // Slide over the matches and keep the window that covers the most of them.
    let bestStart = spans[0]!.start;
    let bestCount = 0;
    let j = 0;
    for (let i = 0; i < spans.length; i++) {
      while (j < spans.length && spans[j]!.end - spans[i]!.start <= length * 0.8) j++;
      if (j - i > bestCount) {
        bestCount = j - i;
        bestStart = spans[i]!.start;
      }
    }
    from = Math.max(0, Math.min(bestStart - Math.floor(length * 0.2), text.length - length));
    // Start at a word boundary.
    if (from > 0) {
      const space = text.indexOf(" ", from);
      if (space !== -1 && space < bestStart) from = space + 1;
    }
  }
  let to = Math.min(text.length, from + length);
  if (to < text.length) {
    const space = text.lastIndexOf(" ", to);
    if (space > from) to = space;
  }

  let out = from > 0 ? "…" : "";
  let cursor = from;
  for (const span of spans) {
    if (span.start < from || span.end > to) continue;
    out +=
      escapeMarkdown(text.slice(cursor, span.start), {
        atLineStart: cursor === from && from === 0,
      }) +
      "**" +
      escapeMarkdown(text.slice(span.start, span.end), { atLineStart: false }) +
      "**";
    cursor = span.end;
  }
  out += escapeMarkdown(text.slice(cursor, to), { atLineStart: cursor === from && from === 0 });
  return out.replace(/\*\*(\s*)\*\*/g, "$1") + (to < text.length ? "…" : "");
}

/** The words of `text` whose stem is wanted, in order. */
export function matchingSpans(text: string, wanted: ReadonlySet<string>): Token[] {
  // A word is wanted only if it starts with a wanted stem's first three letters (a stem keeps
  // them), so text of ASCII words is searched for those alone rather than split into every word: this
  // runs for each passage shown.
  const heads = new Set([...wanted].map((w) => w.slice(0, 3)));
  if (!hasAsciiWords(text)) return tokenSpans(text).filter((t) => wanted.has(lightStem(t.norm)));
  const lower = text.toLowerCase();
  const spans: Token[] = [];
  for (const head of heads) {
    if (head.length === 0) continue;
    for (let at = lower.indexOf(head); at !== -1; at = lower.indexOf(head, at + 1)) {
      if (at > 0 && isWordCode(lower.charCodeAt(at - 1))) continue;
      let end = at + head.length;
      while (end < lower.length && isWordCode(lower.charCodeAt(end))) end++;
      const norm = lower.slice(at, end);
      if (wanted.has(lightStem(norm))) spans.push({ norm, start: at, end });
    }
  }
  return heads.size > 1 ? spans.sort((a, b) => a.start - b.start) : spans;
}

/** A lowercase ASCII letter or digit: what a word is made of in ASCII text. */
function isWordCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57);
}
