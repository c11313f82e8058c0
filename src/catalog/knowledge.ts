import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { Corpus } from "../corpus/load.js";
import { compactKey, tokenize } from "../text/tokens.js";
import {
  buildCatalog,
  KIND_FOLDERS,
  loadCatalog,
  type Catalog,
  type CatalogEntry,
  type EntryKind,
} from "./load.js";
import {
  EntryFinder,
  entriesOf,
  lookUpLab,
  nameIndex,
  type LookupHit,
  type NameIndex,
  type Resolution,
} from "./lookup.js";
import {
  buildMatcher,
  findMentions,
  indexMentions,
  type MentionMatcher,
  type MentionStats,
} from "./mentions.js";
import { FamilyEntry, LabEntry, ModelEntry, ProductEntry } from "./schema.js";
import type { SetAsideFact } from "./set-aside.js";

/** The catalogue with what the corpus says about each entry, ready for lookups. */
export interface CatalogKnowledge {
  readonly catalog: Catalog;
  readonly mentions: ReadonlyMap<string, MentionStats>;
  /** Finds the catalogue's names in text: for linking new documents to it. */
  readonly matcher: MentionMatcher;
  /** Models only, for /compare. */
  readonly models: EntryFinder;
  /** What /model opens: models, families and products. */
  readonly lineup: EntryFinder;
  readonly labs: EntryFinder;
  /** Models and labs: what a server's moderators edit. */
  readonly editable: EntryFinder;
  readonly any: EntryFinder;
  /** What /model opens: a model, family or product, or a lab named exactly. */
  lookUpModel(input: string): Resolution;
  /** A lab by its name or by the name of something it makes. */
  lookUpLab(input: string): Resolution;
  get(id: string): CatalogEntry | undefined;
  /**
   * Entries a search names: the whole text as a name or alias, then each name found in it as
   * the corpus is linked (whole words; a one-word name capitalised). From indexes built once.
   */
  named(text: string): string[];
}

/** Which passages hold each word, for autocomplete's last tier. Plain arrays: cheap to hand across threads. */
export interface PassageWords {
  /** `docId#ordinal` of each passage, in corpus order. */
  readonly keys: readonly string[];
  /** Every word of the passages, sorted. */
  readonly words: readonly string[];
  /** Word i's passages are `passages[starts[i]]` up to `passages[starts[i + 1]]`, ascending. */
  readonly starts: Int32Array;
  readonly passages: Int32Array;
}

export function passageWords(
  passages: ReadonlyArray<{ docId: string; ordinal: number; text: string }>,
): PassageWords {
  const lists = new Map<string, number[]>();
  passages.forEach((p, i) => {
    for (const word of new Set(tokenize(p.text))) {
      const list = lists.get(word);
      if (list) list.push(i);
      else lists.set(word, [i]);
    }
  });
  const words = [...lists.keys()].sort();
  const starts = new Int32Array(words.length + 1);
  const holding = new Int32Array(words.reduce((n, w) => n + lists.get(w)!.length, 0));
  words.forEach((word, i) => {
    holding.set(lists.get(word)!, starts[i]!);
    starts[i + 1] = starts[i]! + lists.get(word)!.length;
  });
  return { keys: passages.map((p) => `${p.docId}#${p.ordinal}`), words, starts, passages: holding };
}

function holdingWord(index: PassageWords, word: string): Int32Array {
  let low = 0;
  let high = index.words.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (index.words[mid]! < word) low = mid + 1;
    else high = mid;
  }
  if (index.words[low] !== word) return new Int32Array(0);
  return index.passages.subarray(index.starts[low]!, index.starts[low + 1]!);
}

/**
 * The passages (by key, `docId#ordinal`) that hold every one of the words: what autocomplete's
 * last tier reads.
 */
export type PassagesHolding = (words: readonly string[]) => readonly string[];

/** Lookups in a word index, built when first needed. */
export function holdingIn(words: () => PassageWords): PassagesHolding {
  return (typed) => {
    const index = words();
    return holdingAll(index, typed).map((n) => index.keys[n]!);
  };
}

/** Passages holding every word, in corpus order. */
function holdingAll(index: PassageWords, words: readonly string[]): readonly number[] {
  const lists = words.map((w) => holdingWord(index, w)).sort((a, b) => a.length - b.length);
  let common: readonly number[] = Array.from(lists[0] ?? []);
  for (const list of lists.slice(1)) {
    const next: number[] = [];
    let j = 0;
    for (const n of common) {
      while (j < list.length && list[j]! < n) j++;
      if (list[j] === n) next.push(n);
    }
    common = next;
  }
  return common;
}

/** What a cache file holds: the catalogue as validated and its mentions, for one fingerprint. */
const Cached = z.object({
  fingerprint: z.string(),
  models: z.array(ModelEntry),
  labs: z.array(LabEntry),
  families: z.array(FamilyEntry),
  products: z.array(ProductEntry),
  mentions: z.array(z.tuple([z.string(), z.custom<MentionStats>()])),
});

/** Changes whenever a catalogue file or the corpus changes. */
async function catalogFingerprint(dir: string, corpus: Corpus): Promise<string> {
  const hash = createHash("sha256").update(corpus.fingerprint);
  for (const kind of Object.values(KIND_FOLDERS)) {
    const folder = path.join(dir, kind);
    const names = (await fs.readdir(folder).catch(() => [])).filter((n) => n.endsWith(".json"));
    for (const name of names.sort())
      hash.update(`${kind}/${name}\0`).update(await fs.readFile(path.join(folder, name)));
  }
  return hash.digest("hex");
}

type Passage = { docId: string; ordinal: number; date: string; text: string };

/**
 * Loads and checks the catalogue, then links it to the passages that mention it. With a cache
 * file, a catalogue and corpus unchanged since the last start are read back instead (the CLI
 * starts faster); any change to either rebuilds it.
 */
export async function loadCatalogKnowledge(
  dataDir: string,
  corpus: Corpus,
  passages: readonly Passage[],
  cachePath?: string,
  reportSetAside: (fact: SetAsideFact) => void = () => undefined,
): Promise<CatalogKnowledge> {
  const { catalog, mentions } = await loadLinkedCatalog(
    dataDir,
    corpus,
    passages,
    cachePath,
    reportSetAside,
  );
  return buildKnowledge(catalog, mentions, lazyWords(passages));
}

/** The checked catalogue and its mentions, as plain data (what a worker thread hands back). */
export async function loadLinkedCatalog(
  dataDir: string,
  corpus: Corpus,
  passages: readonly Passage[],
  cachePath?: string,
  reportSetAside: (fact: SetAsideFact) => void = () => undefined,
): Promise<{ catalog: Catalog; mentions: Map<string, MentionStats> }> {
  const dir = path.join(dataDir, "catalog");
  const leftOut = new Set(corpus.skipped.map((p) => p.file.replace(/\.json$/, "")));
  // What was set aside is reported at every start, so a corpus with skipped files is not cached.
  const cacheFile = leftOut.size > 0 ? undefined : cachePath;
  const fingerprint = cacheFile ? await catalogFingerprint(dir, corpus) : "";
  if (cacheFile) {
    const cached = await fs
      .readFile(cacheFile, "utf8")
      .then((text) => Cached.safeParse(JSON.parse(text)))
      .catch(() => undefined);
    if (cached?.success && cached.data.fingerprint === fingerprint) {
      const { models, labs, families, products } = cached.data;
      const catalog = buildCatalog(models, labs, families, products);
      return { catalog, mentions: new Map(cached.data.mentions) };
    }
  }
  const catalog = await loadCatalog(dir, {
    documentIds: new Set(corpus.byId.keys()),
    leftOut: { documents: leftOut, report: reportSetAside },
  });
  const mentions = indexMentions(catalog, passages);
  if (cacheFile) {
    const data = {
      fingerprint,
      models: catalog.models,
      labs: catalog.labs,
      families: catalog.families,
      products: catalog.products,
      mentions: [...mentions],
    };
    // Written aside and renamed, so a reader never sees half a file.
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    await fs
      .mkdir(path.dirname(cacheFile), { recursive: true })
      .then(() => fs.writeFile(temporary, JSON.stringify(data)))
      .then(() => fs.rename(temporary, cacheFile))
      .catch(() => fs.rm(temporary, { force: true }));
  }
  return { catalog, mentions };
}

/** Built on first use: most lookups never reach the tier that reads it, and start-up stays quick. */
export function lazyWords(
  passages: ReadonlyArray<{ docId: string; ordinal: number; text: string }>,
): PassagesHolding {
  let words: PassageWords | undefined;
  return holdingIn(() => (words ??= passageWords(passages)));
}

/** How many recent lookups each finder remembers. */
const REMEMBERED_LOOKUPS = 1_000;

/**
 * The same lookups, remembering the latest answers: members type the same prefixes over and over,
 * and a catalogue never changes once built (a server's change builds a new one).
 */
class RememberingFinder extends EntryFinder {
  private readonly recent = new Map<string, readonly LookupHit[]>();

  override find(input: string, limit?: number): LookupHit[] {
    const key = `${limit ?? ""}\u0000${input}`;
    let hits = this.recent.get(key);
    if (hits) this.recent.delete(key);
    else hits = super.find(input, limit);
    this.recent.set(key, hits);
    if (this.recent.size > REMEMBERED_LOOKUPS) this.recent.delete(this.recent.keys().next().value!);
    return [...hits];
  }
}

/** What a catalogue's names give, kept per catalogue: new documents relink it often. */
const derived = new WeakMap<
  Catalog,
  { byKey: Map<string, string[]>; matcher: MentionMatcher; names: Map<string, NameIndex> }
>();

function namesOf(catalog: Catalog) {
  let known = derived.get(catalog);
  if (known) return known;
  const byKey = new Map<string, string[]>();
  for (const { entry } of catalog.byId.values()) {
    for (const key of new Set([entry.name, ...entry.aliases].map(compactKey))) {
      byKey.set(key, [...(byKey.get(key) ?? []), entry.id]);
    }
  }
  known = { byKey, matcher: buildMatcher(catalog), names: new Map() };
  derived.set(catalog, known);
  return known;
}

export function buildKnowledge(
  catalog: Catalog,
  mentions: ReadonlyMap<string, MentionStats>,
  holding: PassagesHolding,
): CatalogKnowledge {
  // Built when autocomplete's last tier first needs it: a corpus change builds knowledge anew.
  let namedIn: Map<string, string[]> | undefined;
  const entriesNamedIn = () => {
    if (namedIn) return namedIn;
    namedIn = new Map<string, string[]>();
    for (const [id, stats] of mentions) {
      for (const ref of stats.passages) {
        const key = `${ref.docId}#${ref.ordinal}`;
        const ids = namedIn.get(key);
        if (ids) ids.push(id);
        else namedIn.set(key, [id]);
      }
    }
    return namedIn;
  };
  // For autocomplete's last tier: which entries are named in passages holding every word typed.
  const mentionedWith = (typed: readonly string[]) => {
    const named = entriesNamedIn();
    const ids = new Set<string>();
    for (const key of holding(typed)) for (const id of named.get(key) ?? []) ids.add(id);
    return [...ids];
  };
  const { byKey, matcher, names } = namesOf(catalog);
  const context = { byId: catalog.byId, mentions, mentionedWith };
  const finder = (...kinds: EntryKind[]) => {
    const key = kinds.join(",");
    let index = names.get(key);
    if (!index) names.set(key, (index = nameIndex(entriesOf(catalog, ...kinds))));
    return new RememberingFinder(entriesOf(catalog, ...kinds), context, index);
  };
  const lineup = finder("model", "family", "product");
  const labs = finder("lab");
  return {
    catalog,
    mentions,
    matcher,
    models: finder("model"),
    lineup,
    labs,
    editable: finder("model", "lab"),
    any: finder(),
    lookUpModel: (input) => {
      const own = lineup.candidates(input);
      if (own.stage === "exact" && own.ids.length > 0) return lineup.decide(own);
      // A brand that is a lab ("qwen", "mistral") opens the lab card, which lists its models.
      const lab = labs.candidates(input);
      if (lab.stage === "exact" && lab.ids.length > 0) return labs.decide(lab);
      return lineup.decide(own);
    },
    lookUpLab: (input) => lookUpLab(input, labs, lineup),
    get: (id) => catalog.byId.get(id),
    named: (text) => [
      ...new Set([...(byKey.get(compactKey(text)) ?? []), ...findMentions(text, matcher).keys()]),
    ],
  };
}
