import path from "node:path";
import type { Logger } from "pino";
import { keyvBookmarks } from "../bookmarks/repository.js";
import { CorpusChanges } from "../catalog/corpus-changes.js";
import {
  buildKnowledge,
  holdingIn,
  lazyWords,
  loadLinkedCatalog,
  passageWords,
  type PassagesHolding,
  type PassageWords,
} from "../catalog/knowledge.js";
import { buildCatalog, type Catalog, type CatalogLists } from "../catalog/load.js";
import { indexMentions, type MentionStats } from "../catalog/mentions.js";
import type { SetAsideFact } from "../catalog/set-aside.js";
import { loadCorpus, type Corpus } from "../corpus/load.js";
import { GuildCatalogs, type MentionIndexer } from "../entries/catalogs.js";
import { keyvEntries } from "../entries/repository.js";
import { feedDocumentsDir } from "../feeds/ingest.js";
import { openCheckedIndex, openSearchIndex, type SearchIndex } from "../search/index.js";
import { Vocabulary } from "../search/spelling.js";
import { storeKind, type KeyValueStore } from "../store/keyv.js";
import type { ProblemReporter, StoreProblem } from "../store/records.js";
import type { DomainRepositories } from "../store/storage.js";
import type { AppContext, AppHooks, FeedRecords } from "./context.js";

/** Where the knowledge comes from: the data folder, and the state folder for its index. */
export interface KnowledgeSource {
  readonly dataDir: string;
  readonly stateDir: string;
  readonly skipInvalid?: boolean;
}

export interface BootstrapOptions extends KnowledgeSource {
  readonly store: KeyValueStore;
  readonly logger: Logger;
  readonly now?: () => Date;
  readonly bookmarkLimit?: number;
  readonly hooks?: AppHooks;
  /** Builds the knowledge on another thread (the bot); without it, on this one (the CLI, tests). */
  readonly builder?: KnowledgeBuilder;
  /** Where bookmarks and entries live; the key-value store's own when it gives none. */
  readonly repositories?: (report: ProblemReporter) => DomainRepositories | undefined;
  readonly feedRecords?: FeedRecords;
}

/** The corpus, its index and the linked catalogue as plain data, to hand across threads. */
export interface LoadedKnowledge {
  readonly corpus: Omit<Corpus, "byId">;
  readonly index: {
    readonly file: string;
    /** The vocabulary's words, one per line, and how many passages hold each. */
    readonly terms: string;
    readonly frequencies: Int32Array;
    readonly passageCount: number;
    readonly lastChange: number;
    readonly built: boolean;
  };
  readonly catalog: CatalogLists;
  /** Catalogue facts left out because they cite a skipped document, for the log. */
  readonly setAside: readonly SetAsideFact[];
  readonly mentions: ReadonlyMap<string, MentionStats>;
  /** `PassageWords` with its string lists joined by newlines: cloned far faster than arrays. */
  readonly words: Omit<PassageWords, "keys" | "words"> & { keys: string; words: string };
  /** Which load this is: `indexMentions` links a server's catalogue to its passages. */
  readonly generation: number;
}

/** Does the CPU-heavy loading away from the thread that answers members. */
export interface KnowledgeBuilder {
  load(source: KnowledgeSource): Promise<LoadedKnowledge>;
  indexMentions(
    generation: number,
    catalog: CatalogLists,
  ): Promise<ReadonlyMap<string, MentionStats>>;
}

const lines = (text: string) => (text === "" ? [] : text.split("\n"));

/** Lets interactions that arrived meanwhile run before the next piece of work. */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export function corpusDir(dataDir: string): string {
  return path.join(dataDir, "corpus");
}

const indexFile = (stateDir: string) => path.join(stateDir, "search-index.sqlite");

/**
 * Reads the corpus, opens (or builds) its search index and links the checked catalogue to the
 * passages: everything but the store that commands read.
 */
export async function loadParts(source: KnowledgeSource) {
  const corpus = await loadCorpus(corpusDir(source.dataDir), {
    skipInvalid: source.skipInvalid,
    gatheredDir: feedDocumentsDir(source.stateDir),
  });
  const searchIndex = await openSearchIndex(corpus, indexFile(source.stateDir));
  try {
    const passages = await searchIndex.allPassages();
    const setAside: SetAsideFact[] = [];
    const { catalog, mentions } = await loadLinkedCatalog(
      source.dataDir,
      corpus,
      passages,
      path.join(source.stateDir, "catalog-cache.json"),
      (fact) => setAside.push(fact),
    );
    return { corpus, searchIndex, passages, catalog, mentions, setAside };
  } catch (error) {
    await searchIndex.close();
    throw error;
  }
}

/** Loads the corpus and opens (or builds) its search index: the knowledge every command reads. */
export async function createAppContext(options: BootstrapOptions): Promise<AppContext> {
  if (options.builder) return fromBuilder(options.builder, options);
  const { corpus, searchIndex, passages, catalog, mentions, setAside } = await loadParts(options);
  return assemble(options, {
    corpus,
    searchIndex,
    catalog,
    setAside,
    mentions,
    words: lazyWords(passages),
    indexMentions: async (overlay) => indexMentions(overlay, passages),
  });
}

/** The same context from knowledge built on another thread: only the swap-in happens here. */
async function fromBuilder(builder: KnowledgeBuilder, options: BootstrapOptions) {
  const { dataDir, stateDir, skipInvalid } = options;
  const loaded = await builder.load({ dataDir, stateDir, skipInvalid });
  const corpus: Corpus = {
    ...loaded.corpus,
    byId: new Map(loaded.corpus.documents.map((d) => [d.id, d])),
  };
  const terms = lines(loaded.index.terms);
  const frequencies = new Map(terms.map((term, i) => [term, loaded.index.frequencies[i]!]));
  await yieldToLoop();
  const searchIndex = await openCheckedIndex(loaded.index.file, {
    vocabulary: new Vocabulary(frequencies),
    passageCount: loaded.index.passageCount,
    lastChange: loaded.index.lastChange,
    built: loaded.index.built,
  });
  await yieldToLoop();
  const words: PassageWords = {
    ...loaded.words,
    keys: lines(loaded.words.keys),
    words: lines(loaded.words.words),
  };
  return assemble(options, {
    corpus,
    searchIndex,
    catalog: buildCatalog(
      loaded.catalog.models,
      loaded.catalog.labs,
      loaded.catalog.families,
      loaded.catalog.products,
    ),
    setAside: loaded.setAside,
    mentions: loaded.mentions,
    words: holdingIn(() => words),
    indexMentions: (overlay) => builder.indexMentions(loaded.generation, overlay),
  });
}

function assemble(
  options: BootstrapOptions,
  parts: {
    corpus: Corpus;
    searchIndex: SearchIndex;
    catalog: Catalog;
    setAside: readonly SetAsideFact[];
    mentions: ReadonlyMap<string, MentionStats>;
    words: PassagesHolding;
    indexMentions: MentionIndexer;
  },
): AppContext {
  const { corpus, searchIndex } = parts;
  for (const problem of corpus.skipped) {
    options.logger.warn(
      { file: problem.file },
      `skipped invalid corpus document: ${problem.message}`,
    );
  }
  for (const { entry, field, doc, file } of parts.setAside) {
    options.logger.warn(
      { file, entry, field, doc },
      "catalogue fact set aside: it cites a skipped corpus document",
    );
  }
  const changes = new CorpusChanges(parts.words);
  const catalog = buildKnowledge(parts.catalog, parts.mentions, changes.holding);
  const reportProblem = (problem: StoreProblem) =>
    options.logger.warn(problem, "unreadable stored value skipped");
  const { bookmarks, entries } = options.repositories?.(reportProblem) ?? {
    bookmarks: keyvBookmarks(options.store, reportProblem),
    entries: keyvEntries(options.store, reportProblem),
  };
  options.logger.debug(
    {
      documents: corpus.documents.length,
      passages: searchIndex.passageCount,
      built: searchIndex.built,
      models: catalog.catalog.models.length,
      labs: catalog.catalog.labs.length,
    },
    "corpus loaded",
  );
  return {
    corpus,
    searchIndex,
    catalog,
    catalogs: new GuildCatalogs(catalog, parts.indexMentions, changes, entries),
    corpusChanges: changes,
    store: options.store,
    reportProblem,
    bookmarks,
    bookmarkLimit: options.bookmarkLimit ?? 500,
    now: options.now ?? (() => new Date()),
    logger: options.logger,
    ...(options.feedRecords ? { feedRecords: options.feedRecords } : {}),
    hooks: options.hooks ?? {
      recapChanged: () => undefined,
      recapHistory: async () => [],
      reload: async () => ({ documents: corpus.documents.length }),
      isServerEmoji: async () => false,
      status: () => ({ storeKind: storeKind(options.store), shards: [], shardCount: 0 }),
    },
  };
}

/**
 * What a builder thread runs: the loading, then plain data for `fromBuilder`. The passages stay
 * with the caller, for linking servers' catalogues later.
 */
export async function loadKnowledge(source: KnowledgeSource, generation: number) {
  const { corpus, searchIndex, passages, catalog, mentions, setAside } = await loadParts(source);
  await searchIndex.close();
  const { byId: _byId, ...plainCorpus } = corpus;
  const frequencies = searchIndex.vocabulary.frequencies;
  const words = passageWords(passages);
  const loaded: LoadedKnowledge = {
    corpus: plainCorpus,
    index: {
      file: indexFile(source.stateDir),
      terms: [...frequencies.keys()].join("\n"),
      frequencies: Int32Array.from(frequencies.values()),
      passageCount: searchIndex.passageCount,
      lastChange: searchIndex.lastChange,
      built: searchIndex.built,
    },
    catalog: {
      models: catalog.models,
      labs: catalog.labs,
      families: catalog.families,
      products: catalog.products,
    },
    setAside,
    mentions,
    words: { ...words, keys: words.keys.join("\n"), words: words.words.join("\n") },
    generation,
  };
  return { loaded, passages };
}
