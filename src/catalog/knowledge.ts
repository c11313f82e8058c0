import path from "node:path";
import type { Corpus } from "../corpus/load.js";
import { tokenize } from "../text/tokens.js";
import { loadCatalog, type Catalog, type CatalogEntry } from "./load.js";
import { EntryFinder, entriesOf } from "./lookup.js";
import { indexMentions, type MentionStats } from "./mentions.js";

/** The catalogue with what the corpus says about each entry, ready for lookups. */
export interface CatalogKnowledge {
  readonly catalog: Catalog;
  readonly mentions: ReadonlyMap<string, MentionStats>;
  readonly models: EntryFinder;
  readonly labs: EntryFinder;
  readonly any: EntryFinder;
  get(id: string): CatalogEntry | undefined;
}

export async function loadCatalogKnowledge(
  dataDir: string,
  corpus: Corpus,
  passages: ReadonlyArray<{ docId: string; ordinal: number; date: string; text: string }>,
): Promise<CatalogKnowledge> {
  const catalog = await loadCatalog(path.join(dataDir, "catalog"), {
    documentIds: new Set(corpus.byId.keys()),
  });
  return buildKnowledge(catalog, indexMentions(catalog, passages), passages);
}

export function buildKnowledge(
  catalog: Catalog,
  mentions: ReadonlyMap<string, MentionStats>,
  passages: ReadonlyArray<{ docId: string; ordinal: number; text: string }>,
): CatalogKnowledge {
  // For the autocomplete's last tier: which entries are named in passages holding every word
  // typed. Built on first use: most lookups never reach that tier, and start-up stays quick.
  let tokenSets: Map<string, Set<string>> | undefined;
  const passageWords = () => {
    if (!tokenSets) {
      tokenSets = new Map();
      for (const p of passages) tokenSets.set(`${p.docId}#${p.ordinal}`, new Set(tokenize(p.text)));
    }
    return tokenSets;
  };
  const namedIn = new Map<string, string[]>();
  for (const [id, stats] of mentions) {
    for (const ref of stats.passages) {
      const key = `${ref.docId}#${ref.ordinal}`;
      namedIn.set(key, [...(namedIn.get(key) ?? []), id]);
    }
  }
  const mentionedWith = (words: readonly string[]) => {
    const ids = new Set<string>();
    for (const [key, tokens] of passageWords()) {
      if (words.every((w) => tokens.has(w))) for (const id of namedIn.get(key) ?? []) ids.add(id);
    }
    return [...ids];
  };
  return {
    catalog,
    mentions,
    models: new EntryFinder(entriesOf(catalog, "model"), mentions, mentionedWith),
    labs: new EntryFinder(entriesOf(catalog, "lab"), mentions, mentionedWith),
    any: new EntryFinder(entriesOf(catalog), mentions, mentionedWith),
    get: (id) => catalog.byId.get(id),
  };
}
