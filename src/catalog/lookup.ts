import Fuse from "fuse.js";
import { compactKey, tokenize } from "../text/tokens.js";
import type { Catalog, CatalogEntry } from "./load.js";
import type { MentionStats } from "./mentions.js";

export type LookupTier = "exact" | "prefix" | "fuzzy" | "mentioned";

export interface LookupHit {
  readonly id: string;
  readonly tier: LookupTier;
}

export const MAX_CHOICES = 25;
/** fuse.js scores run from 0 (perfect) to 1; past this a "match" is noise. */
const FUZZY_THRESHOLD = 0.4;

interface NameRow {
  readonly id: string;
  readonly text: string;
  readonly key: string;
  /** The key from each later word on: "cascade2" and "2" for "Nemotron-Cascade 2". */
  readonly wordKeys: readonly string[];
  /** Where the key's words end: 3, 4, 5 and 9 for "GPT-5.4 mini" ("gpt|5|4|mini"). */
  readonly wordEnds: ReadonlySet<number>;
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

/**
 * Finds catalogue entries from what a member typed, in tiers: exact name or alias, then names
 * that start with it, then fuzzy matches (fuse.js over names and aliases), then entries the
 * corpus mentions next to the words typed. Pure: built once per catalogue, queried per keystroke.
 */
export class EntryFinder {
  private readonly rows: NameRow[];
  private readonly fuse: Fuse<NameRow>;
  private readonly byId = new Map<string, CatalogEntry>();

  constructor(
    private readonly entries: readonly CatalogEntry[],
    private readonly mentions: ReadonlyMap<string, MentionStats>,
    /** Entry ids named in passages that contain the given words; for the last tier. */
    private readonly mentionedWith: (words: readonly string[]) => readonly string[] = () => [],
  ) {
    this.rows = entries.flatMap(({ entry }) =>
      [entry.name, ...entry.aliases].map((text) => ({
        id: entry.id,
        text,
        key: compactKey(text),
        wordKeys: wordKeys(text),
        wordEnds: wordEnds(text),
      })),
    );
    for (const e of entries) if (!this.byId.has(e.entry.id)) this.byId.set(e.entry.id, e);
    this.fuse = new Fuse(this.rows, {
      keys: ["text", "key"],
      includeScore: true,
      threshold: FUZZY_THRESHOLD,
      ignoreLocation: true,
    });
  }

  private entry(id: string): CatalogEntry | undefined {
    return this.byId.get(id);
  }

  /** Newest release first; entries without a date after, by name. */
  private byRecency = (a: string, b: string): number => {
    const da = releaseDate(this.entry(a));
    const db = releaseDate(this.entry(b));
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
      add([...new Set(this.entries.map((e) => e.entry.id))].sort(this.byRecency), "prefix");
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
    if (hits.length < limit) {
      const words = tokenize(input).filter((w) => w.length >= 3);
      if (words.length > 0) {
        const mentioned = this.mentionedWith(words).filter((id) => this.entry(id));
        mentioned.sort(
          (a, b) => (this.mentions.get(b)?.documents ?? 0) - (this.mentions.get(a)?.documents ?? 0),
        );
        add(mentioned, "mentioned");
      }
    }
    return hits;
  }

  /**
   * What free text means: the best exact, prefix or fuzzy hit. Mentions alone are not enough,
   * and a fuzzy hit must carry the same version numbers: "gpt 5.5" is not GPT-5.4.
   */
  resolve(input: string): CatalogEntry | undefined {
    const byId = this.entry(input.trim());
    if (byId) return byId;
    const [best] = this.find(input, 1);
    if (!best || best.tier === "mentioned") return undefined;
    if (best.tier === "fuzzy") {
      const wanted = numbersIn(input);
      const forms = this.rows.filter((r) => r.id === best.id);
      if (!forms.some((r) => wanted.every((n) => numbersIn(r.text).includes(n)))) return undefined;
    }
    return this.entry(best.id);
  }
}

/** Edit distance between two short strings (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
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
        .map((n) => editDistance(key, target.slice(0, n))),
    );
  return Math.min(near(row.key), ...row.wordKeys.map((w) => near(w) + 1));
}

/** Version numbers as written: "5.4" in "gpt5.4 mini", "4.5" in "opus 4-5". */
function numbersIn(text: string): string[] {
  return (text.match(/\d+(?:[.-]\d+)*/g) ?? []).map((n) => n.replace(/-/g, "."));
}

export function releaseDate(entry: CatalogEntry | undefined): string | undefined {
  return entry?.kind === "model" ? entry.entry.released?.value.date : undefined;
}

export function entriesOf(catalog: Catalog, kind?: "model" | "lab"): CatalogEntry[] {
  return [...catalog.byId.values()].filter((e) => !kind || e.kind === kind);
}
