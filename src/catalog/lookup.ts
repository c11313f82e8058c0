import Fuse from "fuse.js";
import { boundedDistance } from "../text/distance.js";
import { compactKey, foldAccents, tokenize } from "../text/tokens.js";
import type { Catalog, CatalogEntry, EntryKind } from "./load.js";
import type { MentionStats } from "./mentions.js";

export type LookupTier = "exact" | "prefix" | "fuzzy" | "mentioned";

export interface LookupHit {
  readonly id: string;
  readonly tier: LookupTier;
}

/**
 * What free text means. `found`: it identifies one entry. `ambiguous`: it fits several equally
 * well, in did-you-mean order. `missing`: nothing fits.
 */
export type Resolution =
  | { readonly status: "found"; readonly entry: CatalogEntry }
  | { readonly status: "ambiguous"; readonly entries: readonly CatalogEntry[] }
  | { readonly status: "missing" };

export const MAX_CHOICES = 25;
/** fuse.js scores run from 0 (perfect) to 1; past this a "match" is noise. */
const FUZZY_THRESHOLD = 0.4;
/** Text this short (letters and digits) matches whole words of names only, never typos. */
export const SHORT_QUERY = 4;

/**
 * Words that tell models of one family apart. A query that names one only matches names that
 * name it too: "gemini ultra" is never Gemini 3.5 Flash.
 */
export const TIER_WORDS: ReadonlySet<string> = new Set(
  (
    "mini nano micro flash lite light pro ultra max plus opus sonnet haiku scout maverick behemoth " +
    "thinking think instant turbo instruct base small medium large super coder codex vision vl " +
    "preview air zero"
  ).split(" "),
);

/** The version numbers, sizes and tier words of a name or a query. */
export interface NameTerms {
  /** "5.4" in "GPT-5.4 mini", "gpt 5 4" and "opus 4-5" alike; "2.0" is "2". */
  readonly versions: readonly string[];
  /** Parameter counts: "120b", "1t". */
  readonly sizes: readonly string[];
  readonly tiers: readonly string[];
}

const NUMBER = /\d+(?:\.\d+)*/g;

export function termsOf(text: string): NameTerms {
  const lower = foldAccents(text).toLowerCase();
  const versions: string[] = [];
  const sizes: string[] = [];
  let pending: string | undefined;
  let pendingEnd = -1;
  const flush = () => {
    if (pending !== undefined) versions.push(pending.replace(/(?:\.0+)+$/, ""));
    pending = undefined;
  };
  for (const m of lower.matchAll(NUMBER)) {
    const start = m.index;
    const end = start + m[0].length;
    const unit = lower[end];
    if (unit && "bmt".includes(unit) && !/\p{L}/u.test(lower[end + 1] ?? "")) {
      flush();
      sizes.push(m[0] + unit);
      continue;
    }
    // "gpt 5 4" and "opus 4-5" write one version in two numbers.
    const gap = lower.slice(pendingEnd, start);
    if (pending !== undefined && (gap === " " || gap === "-")) pending += `.${m[0]}`;
    else {
      flush();
      pending = m[0];
    }
    pendingEnd = end;
  }
  flush();
  const tiers = (lower.match(/\p{L}+/gu) ?? []).filter((w) => TIER_WORDS.has(w));
  return { versions, sizes, tiers };
}

/** Every version, size and tier word of the query is also in the name. */
function agrees(query: NameTerms, name: NameTerms): boolean {
  return (
    query.versions.every((v) => name.versions.includes(v)) &&
    query.sizes.every((s) => name.sizes.includes(s)) &&
    query.tiers.every((t) => name.tiers.includes(t))
  );
}

interface NameRow {
  readonly id: string;
  readonly text: string;
  readonly key: string;
  /** The key from each later word on: "cascade2" and "2" for "Nemotron-Cascade 2". */
  readonly wordKeys: readonly string[];
  /** Where the key's words end: 3, 4, 5 and 9 for "GPT-5.4 mini" ("gpt|5|4|mini"). */
  readonly wordEnds: ReadonlySet<number>;
  /** Words split where letters meet digits too: "qwen|3" for "Qwen3", "k|2" for "K2". */
  readonly parts: readonly string[];
  /** The key from each part on: "qwen3", "3" for "Qwen3". */
  readonly suffixes: readonly string[];
  /** Its words, whole and split: "o3", "o", "3" and "mini" for "o3-mini". */
  readonly words: ReadonlySet<string>;
  readonly terms: NameTerms;
}

function wordEnds(text: string): Set<number> {
  const ends = new Set<number>();
  let length = 0;
  for (const word of tokenize(text)) ends.add((length += word.length));
  return ends;
}

function wordKeys(text: string): string[] {
  const words = tokenize(text);
  return words.slice(1).map((_, i) => words.slice(i + 1).join(""));
}

function partsOf(text: string): string[] {
  return tokenize(text).flatMap((w) => w.match(/\p{L}+|\p{N}+/gu) ?? []);
}

function wordsOf(text: string): Set<string> {
  return new Set([...tokenize(text), ...partsOf(text)]);
}

/** Numbers from `start` on, each maybe with one letter glued after it ("4.5V"); no words. */
function onlyNumbersAfter(parts: readonly string[], start: number): boolean {
  return parts
    .slice(start)
    .every(
      (p, i) => /^\d+$/.test(p) || (/^\p{L}$/u.test(p) && /^\d+$/.test(parts[start + i - 1] ?? "")),
    );
}

/**
 * Whole parts, from any part on, that spell the key exactly and leave at most numbers (or a
 * letter, as in "4.5V") after them: "glm" in "GLM-4.5", "45" in "GPT-4.5", "mini" in "GPT-5.4
 * mini"; not "open" in "Open Pretrained Transformer".
 */
function wholeParts(key: string, row: NameRow): boolean {
  for (let i = 0; i < row.parts.length; i++) {
    let joined = "";
    for (let j = i; j < row.parts.length && joined.length < key.length; j++) {
      joined += row.parts[j];
      if (joined === key && onlyNumbersAfter(row.parts, j + 1)) return true;
    }
  }
  return false;
}

/**
 * Where the key starts the name (from its first part or a later one), whether the rest of the
 * name adds a tier word: "o4" starts "o4-mini" but is not it. A word being typed ("larg" for
 * "Large") counts as typed.
 */
function addsTier(key: string, row: NameRow): boolean {
  let adds = true;
  for (let i = 0; i < row.parts.length && adds; i++) {
    let joined = "";
    let j = i;
    while (j < row.parts.length && joined.length < key.length) joined += row.parts[j++];
    if (!joined.startsWith(key)) continue;
    adds = row.parts.slice(j).some((part) => TIER_WORDS.has(part));
  }
  return adds;
}

/** What a text could mean, from the first lookup stage that found any entry. */
export interface Candidates {
  readonly stage: LookupTier;
  readonly ids: readonly string[];
  /** The names go on with tier words the text does not have: offer them, never open one. */
  readonly unsettled?: boolean;
}

/** Names and aliases of some entries, prepared for every tier of `EntryFinder`. */
export interface NameIndex {
  readonly own: ReadonlyMap<string, CatalogEntry>;
  readonly rows: NameRow[];
  readonly fuse: Fuse<NameRow>;
}

export function nameIndex(entries: readonly CatalogEntry[]): NameIndex {
  const rows = entries.flatMap(({ entry }) =>
    [entry.name, ...entry.aliases].map((text): NameRow => {
      const parts = partsOf(text);
      return {
        id: entry.id,
        text,
        key: compactKey(text),
        wordKeys: wordKeys(text),
        wordEnds: wordEnds(text),
        parts,
        suffixes: parts.map((_, i) => parts.slice(i).join("")),
        words: wordsOf(text),
        terms: termsOf(text),
      };
    }),
  );
  return {
    own: new Map(entries.map((e) => [e.entry.id, e])),
    rows,
    fuse: new Fuse<NameRow>(rows, {
      keys: ["text", "key"],
      includeScore: true,
      threshold: FUZZY_THRESHOLD,
      ignoreLocation: true,
    }),
  };
}

const KIND_ORDER: Record<EntryKind, number> = { family: 0, product: 1, model: 2, lab: 3 };

/** Entries with the catalogue they belong to, for dates and family membership. */
export interface FinderContext {
  readonly byId: ReadonlyMap<string, CatalogEntry>;
  readonly mentions: ReadonlyMap<string, MentionStats>;
  /** Entry ids named in passages that contain the given words; for the last tier. */
  readonly mentionedWith?: (words: readonly string[]) => readonly string[];
}

/**
 * Finds catalogue entries from what a member typed. `find` ranks autocomplete choices in tiers:
 * exact name or alias, then names that start with it, then fuzzy matches (fuse.js over names and
 * aliases), then entries the corpus mentions next to the words typed. `lookUp` decides what text
 * sent without a pick means, and never guesses. Pure: built once per catalogue.
 */
export class EntryFinder {
  private readonly rows: NameRow[];
  private readonly fuse: Fuse<NameRow>;
  private readonly own: ReadonlyMap<string, CatalogEntry>;

  /**
   * @param names the entries' names as `nameIndex` prepares them: the costly part, which finders
   *   over the same entries can share (a corpus change relinks mentions, not names).
   */
  constructor(
    private readonly entries: readonly CatalogEntry[],
    private readonly context: FinderContext,
    names: NameIndex = nameIndex(entries),
  ) {
    this.own = names.own;
    this.rows = names.rows;
    this.fuse = names.fuse;
  }

  private entry(id: string): CatalogEntry | undefined {
    return this.own.get(id);
  }

  private readonly dates = new Map<string, string | undefined>();

  /** Release dates, worked out once: a family's walks its members. */
  private dateOf(id: string): string | undefined {
    if (!this.dates.has(id))
      this.dates.set(id, releaseDate(this.context.byId.get(id), this.context.byId));
    return this.dates.get(id);
  }

  /** Newest release first; entries without a date after, by name. */
  private byRecency = (a: string, b: string): number => {
    const da = this.dateOf(a);
    const db = this.dateOf(b);
    if (da !== db) return (db ?? "").localeCompare(da ?? "");
    return (this.entry(a)?.entry.name ?? a).localeCompare(this.entry(b)?.entry.name ?? b);
  };

  find(input: string, limit = MAX_CHOICES): LookupHit[] {
    const key = compactKey(input);
    const hits: LookupHit[] = [];
    const seen = new Set<string>();
    const add = (ids: Iterable<string>, tier: LookupTier) => {
      for (const id of ids) {
        if (seen.has(id) || hits.length >= limit) continue;
        seen.add(id);
        hits.push({ id, tier });
      }
    };
    if (!key) {
      // The newest releases; a family is not a release of its own.
      const released = [...this.own.values()].filter((e) => e.kind !== "family");
      add(released.map((e) => e.entry.id).sort(this.byRecency), "prefix");
      return hits;
    }
    add(new Set(this.rows.filter((r) => r.key === key).map((r) => r.id)), "exact");
    // Names whose words the text completes first ("llama 4" is Llama 4 Scout before Llama 405B),
    // then shorter names: "GPT-5" before "GPT-5.4 mini" for "gpt5". Then names with a later
    // word that starts so: "cascade" finds "Nemotron-Cascade 2".
    const cutsWord = (r: NameRow) => (r.wordEnds.has(key.length) ? 0 : 1);
    const byLength = (a: NameRow, b: NameRow) =>
      cutsWord(a) - cutsWord(b) || a.key.length - b.key.length || this.byRecency(a.id, b.id);
    add(
      this.rows
        .filter((r) => r.key.startsWith(key))
        .sort(byLength)
        .map((r) => r.id),
      "prefix",
    );
    add(
      this.rows
        .filter((r) => r.wordKeys.some((w) => w.startsWith(key)))
        .sort(byLength)
        .map((r) => r.id),
      "prefix",
    );
    if (hits.length < limit) {
      // fuse.js finds the candidates; they are ranked by how closely the text matches the start
      // of a name ("nemotrn" is Nemotron 3 before Llama-3.1-Nemotron-70B), then by fuse's score.
      const ranked = this.fuse.search(input.slice(0, 100)).map((r) => ({
        row: r.item,
        start: startDistance(key, r.item),
        score: Math.round((r.score ?? 1) * 100),
      }));
      ranked.sort(
        (a, b) =>
          a.start - b.start ||
          a.score - b.score ||
          a.row.key.length - b.row.key.length ||
          this.byRecency(a.row.id, b.row.id),
      );
      add(
        ranked.map((r) => r.row.id),
        "fuzzy",
      );
    }
    if (hits.length < limit && this.context.mentionedWith) {
      const words = tokenize(input).filter((w) => w.length >= 3);
      if (words.length > 0) {
        const mentioned = this.context.mentionedWith(words).filter((id) => this.entry(id));
        const documents = (id: string) => this.context.mentions.get(id)?.documents ?? 0;
        mentioned.sort((a, b) => documents(b) - documents(a));
        add(mentioned, "mentioned");
      }
    }
    return hits;
  }

  /**
   * The entries free text could mean, from the first stage that has any: its id; an exact name
   * or alias; names it starts (or whose later words it starts); names it misspells. Every
   * version number and tier word typed must be in the name matched. Short queries match whole
   * words only and are never taken as typos.
   */
  candidates(input: string): Candidates {
    const none = { stage: "exact" as const, ids: [] };
    const byId = this.entry(input.trim());
    if (byId) return { stage: "exact", ids: [byId.entry.id] };
    const key = compactKey(input.slice(0, 200));
    if (!key) return none;
    const ids = (rows: NameRow[]) => [...new Set(rows.map((r) => r.id))];
    const exact = this.rows.filter((r) => r.key === key);
    if (exact.length > 0) return { stage: "exact", ids: ids(exact) };
    const query = termsOf(input);
    const fitting = this.rows.filter((r) => agrees(query, r.terms));
    const short = key.length <= SHORT_QUERY;
    const prefix = fitting.filter((r) =>
      short ? wholeParts(key, r) : r.suffixes.some((s) => s.startsWith(key)),
    );
    // Names that only go on with a tier word are what the text might mean, never what it names.
    const complete = prefix.filter((r) => !addsTier(key, r));
    if (complete.length > 0) return { stage: "prefix", ids: ids(complete) };
    if (prefix.length > 0) return { stage: "prefix", ids: ids(prefix), unsettled: true };
    if (short) return none;
    const budget = key.length >= 8 ? 2 : 1;
    // A misspelt whole name beats a misspelt start of one; the nearest names win.
    const whole = nearest(fitting, (r) =>
      Math.min(...r.suffixes.map((s) => boundedDistance(key, s, budget))),
    );
    if (whole.length > 0 && whole[0]!.distance <= budget)
      return { stage: "fuzzy", ids: ids(whole.map((w) => w.row)) };
    const start = nearest(fitting, (r) =>
      Math.min(
        ...r.suffixes.flatMap((s) =>
          [key.length - 1, key.length, key.length + 1].map((n) =>
            boundedDistance(key, s.slice(0, n), budget),
          ),
        ),
      ),
    );
    if (start.length > 0 && start[0]!.distance <= budget)
      return { stage: "fuzzy", ids: ids(start.map((w) => w.row)) };
    return none;
  }

  /**
   * What to offer when nothing fits: entries whose names share the most words and version
   * numbers with the text (families first, then newest), then the closest autocomplete matches.
   */
  suggest(input: string, limit = 5): string[] {
    const text = input.slice(0, 200);
    const words = [...wordsOf(text)].filter((w) => w.length >= 2 && !/^\d+$/.test(w));
    const { versions } = termsOf(text);
    const shared = new Map<string, number>();
    for (const row of this.rows) {
      // A shared word says more than a shared number: "llama 5" is nearer Llama than GPT-5.
      const count =
        2 * words.filter((w) => row.words.has(w)).length +
        versions.filter((v) => row.terms.versions.includes(v)).length;
      if (count > (shared.get(row.id) ?? 0)) shared.set(row.id, count);
    }
    const byWords = didYouMeanOrder(
      [...shared.keys()].map((id) => this.own.get(id)!),
      this.context.byId,
    ).sort((a, b) => shared.get(b.entry.id)! - shared.get(a.entry.id)!);
    const ids = byWords.map((e) => e.entry.id);
    for (const hit of this.find(input, limit)) if (hit.tier !== "mentioned") ids.push(hit.id);
    return [...new Set(ids)].slice(0, limit);
  }

  /** What text sent without a pick means: one entry, several to choose from, or none. */
  lookUp(input: string): Resolution {
    return this.decide(this.candidates(input));
  }

  /** The entry free text identifies, if it identifies exactly one. */
  resolve(input: string): CatalogEntry | undefined {
    const resolution = this.lookUp(input);
    return resolution.status === "found" ? resolution.entry : undefined;
  }

  /**
   * One entry, or several in did-you-mean order. A family that holds every other candidate is
   * what the text names: "claude op" is the Claude Opus family, not one of its models.
   */
  decide({ ids, unsettled }: Pick<Candidates, "ids" | "unsettled">): Resolution {
    const entries = ids
      .map((id) => this.context.byId.get(id))
      .filter((e): e is CatalogEntry => e !== undefined);
    if (entries.length === 0) return { status: "missing" };
    if (unsettled)
      return { status: "ambiguous", entries: didYouMeanOrder(entries, this.context.byId) };
    if (entries.length === 1) return { status: "found", entry: entries[0]! };
    const covering = entries.filter((e) => {
      if (e.kind !== "family") return false;
      const inside = familyMembers(e.entry.id, this.context.byId);
      return entries.every((other) => other === e || inside.has(other.entry.id));
    });
    if (covering.length === 1) return { status: "found", entry: covering[0]! };
    return { status: "ambiguous", entries: didYouMeanOrder(entries, this.context.byId) };
  }
}

/** Families first, then products, models, labs; each newest first, then by name. */
export function didYouMeanOrder(
  entries: readonly CatalogEntry[],
  byId: ReadonlyMap<string, CatalogEntry>,
): CatalogEntry[] {
  return [...entries].sort((a, b) => {
    const da = releaseDate(a, byId) ?? "";
    const db = releaseDate(b, byId) ?? "";
    return (
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      db.localeCompare(da) ||
      a.entry.name.localeCompare(b.entry.name, "en")
    );
  });
}

function nearest(rows: NameRow[], distance: (row: NameRow) => number) {
  const scored = rows.map((row) => ({ row, distance: distance(row) }));
  const best = Math.min(...scored.map((s) => s.distance));
  return scored.filter((s) => s.distance === best);
}

/**
 * What a lab name typed into /lab means. A lab's own name or alias comes first; then the name of
 * something it makes ("grok" is xAI, "claude code" is Anthropic). Names that several labs' entries
 * fit equally well offer those labs; a short text must be a whole name or alias.
 */
export function lookUpLab(input: string, labs: EntryFinder, makers: EntryFinder): Resolution {
  let own = labs.candidates(input);
  let made = makers.candidates(input);
  // A short text names a lab, or what it makes, only exactly: "ai" is not Ai2.
  if (compactKey(input).length <= SHORT_QUERY) {
    if (own.stage !== "exact") own = { ...own, ids: [] };
    if (made.stage !== "exact") made = { ...made, ids: [] };
  }
  const rank = (stage: LookupTier) => ["exact", "prefix", "fuzzy"].indexOf(stage);
  const labIds = (ids: readonly string[]) => {
    const out = new Set<string>();
    for (const id of ids) for (const lab of labsOf(makers, id)) out.add(lab);
    return [...out];
  };
  if (own.ids.length === 0 && made.ids.length === 0) return { status: "missing" };
  if (made.ids.length === 0 || (own.ids.length > 0 && rank(own.stage) < rank(made.stage)))
    return labs.decide(own);
  // Which lab makes it is settled even where the model is not: "o4" is OpenAI's either way.
  if (own.ids.length === 0 || rank(made.stage) < rank(own.stage))
    return labs.decide({ ids: labIds(made.ids) });
  return labs.decide({ ids: [...new Set([...own.ids, ...labIds(made.ids)])] });
}

function labsOf(finder: EntryFinder, id: string): readonly string[] {
  const entry = finder.decide({ ids: [id] });
  if (entry.status !== "found" || entry.entry.kind === "lab") return [];
  return entry.entry.entry.labs.value;
}

/** Every model and family inside a family, through its member families. */
export function familyMembers(id: string, byId: ReadonlyMap<string, CatalogEntry>): Set<string> {
  const out = new Set<string>();
  const queue = [id];
  while (queue.length > 0) {
    const found = byId.get(queue.shift()!);
    if (found?.kind !== "family") continue;
    for (const member of found.entry.members) {
      if (out.has(member) || member === id) continue;
      out.add(member);
      queue.push(member);
    }
  }
  return out;
}

/**
 * How far the typed key is from the start of the name: the fewest edits to the name's first
 * characters (one more or fewer than typed, for a missing or extra letter). A later word counts
 * one edit more.
 */
function startDistance(key: string, row: NameRow): number {
  const near = (target: string) =>
    Math.min(
      ...[key.length - 1, key.length, key.length + 1]
        .filter((n) => n > 0)
        .map((n) => boundedDistance(key, target.slice(0, n), Infinity)),
    );
  return Math.min(near(row.key), ...row.wordKeys.map((w) => near(w) + 1));
}

/**
 * When an entry came out: a model's or product's release date, a family's newest member's.
 * Labs have none.
 */
export function releaseDate(
  entry: CatalogEntry | undefined,
  byId?: ReadonlyMap<string, CatalogEntry>,
): string | undefined {
  if (!entry) return undefined;
  if (entry.kind === "model" || entry.kind === "product") return entry.entry.released?.value.date;
  if (entry.kind !== "family" || !byId) return undefined;
  let newest: string | undefined;
  for (const id of familyMembers(entry.entry.id, byId)) {
    const found = byId.get(id);
    const date = found?.kind === "model" ? found.entry.released?.value.date : undefined;
    if (date && (!newest || date > newest)) newest = date;
  }
  return newest;
}

export function entriesOf(catalog: Catalog, ...kinds: EntryKind[]): CatalogEntry[] {
  return [...catalog.byId.values()].filter((e) => kinds.length === 0 || kinds.includes(e.kind));
}
