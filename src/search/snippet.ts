import { escapeMarkdown, squashWhitespace } from "../text/markdown.js";
import { lightStem, tokenSpans } from "../text/tokens.js";

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
  const wanted = new Set(queryTerms.map(lightStem));
  // A stem keeps at least a word's first three letters: most words are ruled out by those alone.
  const heads = new Set([...wanted].map((w) => w.slice(0, 3)));
  const spans = tokenSpans(text).filter(
    (t) => heads.has(t.norm.slice(0, 3)) && wanted.has(lightStem(t.norm)),
  );

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
