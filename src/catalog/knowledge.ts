import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { Corpus } from "../corpus/load.js";
import { tokenize } from "../text/tokens.js";
import {
  buildCatalog,
  KIND_FOLDERS,
  loadCatalog,
  type Catalog,
  type CatalogEntry,
} from "./load.js";
import { EntryFinder, entriesOf, lookUpLab, type Resolution } from "./lookup.js";
import { indexMentions, type MentionStats } from "./mentions.js";
import { FamilyEntry, LabEntry, ModelEntry, ProductEntry } from "./schema.js";
import type { SetAsideFact } from "./set-aside.js";

/** The catalogue with what the corpus says about each entry, ready for lookups. */
export interface CatalogKnowledge {
  readonly catalog: Catalog;
  readonly mentions: ReadonlyMap<string, MentionStats>;
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

/**
 * Loads and checks the catalogue, then links it to the passages that mention it. With a cache
 * file, a catalogue and corpus unchanged since the last start are read back instead (the CLI
 * starts faster); any change to either rebuilds it.
 */
export async function loadCatalogKnowledge(
  dataDir: string,
  corpus: Corpus,
  passages: ReadonlyArray<{ docId: string; ordinal: number; date: string; text: string }>,
  cachePath?: string,
  reportSetAside: (fact: SetAsideFact) => void = () => undefined,
): Promise<CatalogKnowledge> {
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
      return buildKnowledge(catalog, new Map(cached.data.mentions), passages);
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
  return buildKnowledge(catalog, mentions, passages);
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
  const context = { byId: catalog.byId, mentions, mentionedWith };
  const lineup = new EntryFinder(entriesOf(catalog, "model", "family", "product"), context);
  const labs = new EntryFinder(entriesOf(catalog, "lab"), context);
  return {
    catalog,
    mentions,
    models: new EntryFinder(entriesOf(catalog, "model"), context),
    lineup,
    labs,
    editable: new EntryFinder(entriesOf(catalog, "model", "lab"), context),
    any: new EntryFinder(entriesOf(catalog), context),
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
  };
}
