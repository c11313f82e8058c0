/** Splitting documents into passages of roughly 100–250 words that never cut a sentence. */

export interface Passage {
  readonly docId: string;
  /** 0-based position within the document. */
  readonly ordinal: number;
  /** Character offsets into the document text: `text === docText.slice(start, end)`. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export const PASSAGE_MIN_WORDS = 100;
export const PASSAGE_MAX_WORDS = 250;

interface Segment {
  start: number;
  end: number;
  words: number;
  /** The segment ends a paragraph (a line break follows it). */
  paragraphEnd: boolean;
}

/**
 * Sentence ends: terminal punctuation with optional closing quotes or brackets, then whitespace
 * and something that can start a sentence. Some sources glue bullets (`:* `) to the previous
 * sentence; those count as breaks too.
 */
const SENTENCE_BREAK = /(?<=[.!?…]["'”’)\]]*)[ \t]+(?=["'“‘([*]?[\p{Lu}\p{N}])|(?<=:)(?=\* )/gu;

function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/** Lines, then sentences within lines, as trimmed spans of the original text. */
function segments(text: string): Segment[] {
  const out: Segment[] = [];
  const lineRe = /[^\n]+/g;
  for (const line of text.matchAll(lineRe)) {
    const lineStart = line.index;
    const lineText = line[0];
    let cursor = 0;
    const push = (from: number, to: number, paragraphEnd: boolean) => {
      const chunk = lineText.slice(from, to);
      const lead = chunk.length - chunk.trimStart().length;
      const trimmed = chunk.trim();
      if (!trimmed) return;
      const start = lineStart + from + lead;
      out.push({ start, end: start + trimmed.length, words: countWords(trimmed), paragraphEnd });
    };
    for (const m of lineText.matchAll(SENTENCE_BREAK)) {
      push(cursor, m.index, false);
      cursor = m.index + m[0].length;
    }
    push(cursor, lineText.length, true);
  }
  return out;
}

/** The sentences of a text (a line without end punctuation counts as one), as offsets. */
export function sentenceSpans(text: string): Array<{ start: number; end: number }> {
  return segments(text).map(({ start, end }) => ({ start, end }));
}

/**
 * Packs sentences greedily: a passage closes at a paragraph end once it has the minimum, and
 * before any sentence that would take it past the maximum. A sentence longer than the maximum
 * stands alone. A short tail joins the passage before it when that stays near the maximum.
 */
export function splitPassages(docId: string, text: string): Passage[] {
  const segs = segments(text);
  const groups: Segment[][] = [];
  let current: Segment[] = [];
  let words = 0;
  for (const seg of segs) {
    if (current.length > 0 && words + seg.words > PASSAGE_MAX_WORDS) {
      groups.push(current);
      current = [];
      words = 0;
    }
    current.push(seg);
    words += seg.words;
    if (words >= PASSAGE_MIN_WORDS && seg.paragraphEnd) {
      groups.push(current);
      current = [];
      words = 0;
    }
  }
  if (current.length > 0) {
    const previous = groups.at(-1);
    const previousWords = previous?.reduce((n, s) => n + s.words, 0) ?? 0;
    if (previous && words < PASSAGE_MIN_WORDS && previousWords + words <= PASSAGE_MAX_WORDS * 1.2) {
      previous.push(...current);
    } else {
      groups.push(current);
    }
  }
  return groups.map((group, ordinal) => {
    const start = group[0]!.start;
    const end = group.at(-1)!.end;
    return { docId, ordinal, start, end, text: text.slice(start, end) };
  });
}
