import { tokenSpans, type Token } from "../text/tokens.js";
import type { Catalog } from "./load.js";

export interface PassageRef {
  readonly docId: string;
  readonly ordinal: number;
  readonly date: string;
  /** How many times the entry is named in this passage. */
  readonly count: number;
}

export interface MentionStats {
  readonly documents: number;
  readonly first?: string;
  readonly last?: string;
  /** Most relevant first: most mentions, then newest. */
  readonly passages: readonly PassageRef[];
}

interface TrieNode {
  readonly next: Map<string, TrieNode>;
  /** Entries whose name or alias ends here, and whether that form is one plain word. */
  readonly ends: Array<{ id: string; plainWord: boolean; exactCase?: string }>;
}

const node = (): TrieNode => ({ next: new Map(), ends: [] });

/**
 * Names and aliases as token sequences, so "GPT-5.4 mini" and "gpt 5.4 mini" are one path. Each
 * is also entered as one word ("ArtificialAnalysis" for "Artificial Analysis") and split where
 * letters meet digits ("SmolLM 3" for "SmolLM3"), the other spellings the corpus uses.
 */
export function buildMatcher(catalog: Pick<Catalog, "byId">): TrieNode {
  const root = node();
  const insert = (path: readonly string[], end: TrieNode["ends"][number]) => {
    let at = root;
    for (const norm of path) {
      let child = at.next.get(norm);
      if (!child) at.next.set(norm, (child = node()));
      at = child;
    }
    // Each spelling keeps its own case rule: "inclusionAI" and "InclusionAI" both count.
    const same = (e: TrieNode["ends"][number]) =>
      e.id === end.id && e.plainWord === end.plainWord && e.exactCase === end.exactCase;
    if (!at.ends.some(same)) at.ends.push(end);
  };
  for (const [id, { entry }] of catalog.byId) {
    for (const form of [entry.name, ...entry.aliases]) {
      const tokens = tokenSpans(form).map((t) => t.norm);
      if (tokens.length === 0) continue;
      const word = form.trim();
      const plainWord = tokens.length === 1 && /^\p{L}+$/u.test(word);
      // "MiMo" and "xAI" are names as written; "MIMO" in a text is an acronym for something else.
      const mixedCase = plainWord && /\p{Lu}/u.test(word.slice(1)) && /\p{Ll}/u.test(word);
      insert(tokens, { id, plainWord, ...(mixedCase ? { exactCase: word } : {}) });
      const joined = tokens.join("");
      if (tokens.length > 1) insert([joined], { id, plainWord: /^\p{L}+$/u.test(joined) });
      const split = tokens.flatMap((t) => t.match(/\p{L}+|\p{N}+/gu) ?? [t]);
      if (split.length > tokens.length) insert(split, { id, plainWord: false });
    }
  }
  return root;
}

/**
 * Names that mean something else in a known context: "Grok's LPU" is Groq's chip, not xAI's
 * model. Checked against the text right after the name.
 */
export const HOMOGRAPHS: ReadonlyArray<{ name: string; before: RegExp; means: string }> = [
  { name: "grok", before: /^(?:['’]s)?\s+LPUs?\b/u, means: "Groq, the chip maker" },
];

function isHomograph(text: string, start: number, end: number): boolean {
  const written = text.slice(start, end).toLowerCase();
  return HOMOGRAPHS.some((h) => h.name === written && h.before.test(text.slice(end, end + 40)));
}

const ALNUM = /[\p{L}\p{N}]/u;
/** The hyphen, and the Unicode hyphens typeset text uses in names ("Seed1.5‑VL"). */
const HYPHENS = "-\u2010\u2011";

/**
 * A match must be a whole name: not glued by a hyphen to more of a word ("meta-learning",
 * "o3-mini") nor followed by a version (".5"). A one-word name made of letters only must be
 * capitalised in the text, as a proper noun is ("Meta", not "meta"), and one written in mixed
 * case must appear exactly so ("MiMo", not "MIMO"; "xAI" though it starts in lower case).
 */
function isWholeName(
  text: string,
  first: Token,
  last: Token,
  plainWord: boolean,
  exactCase?: string,
): boolean {
  const before = text[first.start - 1];
  const after = text[last.end];
  const hyphen = (c: string | undefined) => c !== undefined && HYPHENS.includes(c);
  if (hyphen(before) && ALNUM.test(text[first.start - 2] ?? "")) return false;
  if ((hyphen(after) || after === ".") && ALNUM.test(text[last.end + 1] ?? "")) {
    if (hyphen(after) || /\d/.test(text[last.end + 1]!)) return false;
  }
  if (exactCase !== undefined) return text.slice(first.start, last.end) === exactCase;
  if (plainWord) {
    const initial = text[first.start]!;
    if (initial === initial.toLowerCase()) return false;
  }
  return true;
}

export interface MentionSpan {
  readonly ids: readonly string[];
  /** Offsets in the text: the name as written is `text.slice(start, end)`. */
  readonly start: number;
  readonly end: number;
}

/** Where the text names entries; the longest name wins where names overlap. */
export function mentionSpans(text: string, matcher: TrieNode): MentionSpan[] {
  const tokens = tokenSpans(text);
  const spans: MentionSpan[] = [];
  let i = 0;
  while (i < tokens.length) {
    let at: TrieNode | undefined = matcher;
    let best: { length: number; ids: string[] } | undefined;
    for (let j = i; j < tokens.length && at; j++) {
      at = at.next.get(tokens[j]!.norm);
      if (!at || at.ends.length === 0) continue;
      const ids = at.ends
        .filter((e) => isWholeName(text, tokens[i]!, tokens[j]!, e.plainWord, e.exactCase))
        .map((e) => e.id)
        .filter((id, k, all) => all.indexOf(id) === k);
      if (ids.length > 0 && !isHomograph(text, tokens[i]!.start, tokens[j]!.end))
        best = { length: j - i + 1, ids };
    }
    if (best) {
      spans.push({ ids: best.ids, start: tokens[i]!.start, end: tokens[i + best.length - 1]!.end });
      i += best.length;
    } else {
      i++;
    }
  }
  return spans;
}

/** Entry ids named in the text, with counts. */
export function findMentions(text: string, matcher: TrieNode): Map<string, number> {
  const found = new Map<string, number>();
  for (const span of mentionSpans(text, matcher))
    for (const id of span.ids) found.set(id, (found.get(id) ?? 0) + 1);
  return found;
}

export type MentionMatcher = TrieNode;

interface LinkablePassage {
  readonly docId: string;
  readonly ordinal: number;
  readonly date: string;
  readonly text: string;
}

/** Each entry's references in these passages. */
function referencesIn(
  passages: Iterable<LinkablePassage>,
  matcher: TrieNode,
): Map<string, PassageRef[]> {
  const refs = new Map<string, PassageRef[]>();
  for (const p of passages) {
    for (const [id, count] of findMentions(p.text, matcher)) {
      const list = refs.get(id) ?? [];
      list.push({ docId: p.docId, ordinal: p.ordinal, date: p.date, count });
      refs.set(id, list);
    }
  }
  return refs;
}

/** Most relevant first: most mentions, then newest. */
const byRelevance = (a: PassageRef, b: PassageRef) =>
  b.count - a.count ||
  b.date.localeCompare(a.date) ||
  a.docId.localeCompare(b.docId) ||
  a.ordinal - b.ordinal;

function summarize(list: readonly PassageRef[]): MentionStats {
  const dates = list.map((r) => r.date).sort();
  return {
    documents: new Set(list.map((r) => r.docId)).size,
    first: dates[0],
    last: dates.at(-1),
    passages: [...list].sort(byRelevance),
  };
}

/**
 * An entry's figures with some documents' references replaced: one pass over what it had, so a
 * new document costs little even for an entry the corpus names thousands of times.
 */
function restate(
  stats: MentionStats,
  docIds: ReadonlySet<string>,
  added: readonly PassageRef[],
): MentionStats {
  const kept: PassageRef[] = [];
  const dropped = new Set<string>();
  for (const ref of stats.passages) {
    if (docIds.has(ref.docId)) dropped.add(ref.docId);
    else kept.push(ref);
  }
  const fresh = [...added].sort(byRelevance);
  const passages: PassageRef[] = [];
  let i = 0;
  let j = 0;
  while (i < kept.length || j < fresh.length) {
    if (j >= fresh.length || (i < kept.length && byRelevance(kept[i]!, fresh[j]!) <= 0))
      passages.push(kept[i++]!);
    else passages.push(fresh[j++]!);
  }
  let first: string | undefined;
  let last: string | undefined;
  if (dropped.size === 0) {
    // Nothing dropped: the dates can only widen.
    first = stats.first;
    last = stats.last;
    for (const ref of fresh) {
      if (first === undefined || ref.date < first) first = ref.date;
      if (last === undefined || ref.date > last) last = ref.date;
    }
  } else {
    for (const ref of passages) {
      if (first === undefined || ref.date < first) first = ref.date;
      if (last === undefined || ref.date > last) last = ref.date;
    }
  }
  return {
    documents: stats.documents - dropped.size + new Set(fresh.map((r) => r.docId)).size,
    first,
    last,
    passages,
  };
}

/** Links every passage to the entries it names, and sums that up per entry. */
export function indexMentions(
  catalog: Pick<Catalog, "byId">,
  passages: Iterable<LinkablePassage>,
): Map<string, MentionStats> {
  const refs = referencesIn(passages, buildMatcher(catalog));
  const stats = new Map<string, MentionStats>();
  for (const id of catalog.byId.keys()) stats.set(id, summarize(refs.get(id) ?? []));
  return stats;
}

/**
 * The mentions after documents changed, without reading the rest of the corpus: what the
 * documents' earlier passages named goes, and what their passages now name (`passages`, of
 * those documents only) comes in. Entries the change does not touch keep their figures.
 */
export function relinkMentions(
  matcher: TrieNode,
  mentions: ReadonlyMap<string, MentionStats>,
  docIds: ReadonlySet<string>,
  passages: Iterable<LinkablePassage>,
): Map<string, MentionStats> {
  const found = referencesIn(passages, matcher);
  const next = new Map<string, MentionStats>();
  for (const [id, stats] of mentions) {
    const touched = found.has(id) || stats.passages.some((r) => docIds.has(r.docId));
    next.set(id, touched ? restate(stats, docIds, found.get(id) ?? []) : stats);
  }
  return next;
}
