import path from "node:path";
import type { Logger } from "pino";
import { loadCatalogKnowledge, type CatalogKnowledge } from "../catalog/knowledge.js";
import { keyvBookmarks } from "../bookmarks/repository.js";
import { GuildCatalogs } from "../entries/catalogs.js";
import { keyvEntries } from "../entries/repository.js";
import type { PassageRow } from "../search/index.js";
import { loadCorpus } from "../corpus/load.js";
import { feedDocumentsDir } from "../feeds/ingest.js";
import { openSearchIndex } from "../search/index.js";
import { storeKind, type KeyValueStore } from "../store/keyv.js";
import type { ProblemReporter, StoreProblem } from "../store/records.js";
import type { DomainRepositories } from "../store/storage.js";
import type { AppContext, AppHooks } from "./context.js";

export interface BootstrapOptions {
  readonly dataDir: string;
  readonly stateDir: string;
  readonly store: KeyValueStore;
  readonly logger: Logger;
  readonly skipInvalid?: boolean;
  readonly now?: () => Date;
  readonly bookmarkLimit?: number;
  readonly hooks?: AppHooks;
  /** Where bookmarks and entries live; the key-value store's own when it gives none. */
  readonly repositories?: (report: ProblemReporter) => DomainRepositories | undefined;
}

export function corpusDir(dataDir: string): string {
  return path.join(dataDir, "corpus");
}

/** Loads the corpus and opens (or builds) its search index: the knowledge every command reads. */
export async function createAppContext(options: BootstrapOptions): Promise<AppContext> {
  const corpus = await loadCorpus(corpusDir(options.dataDir), {
    skipInvalid: options.skipInvalid,
    gatheredDir: feedDocumentsDir(options.stateDir),
  });
  for (const problem of corpus.skipped) {
    options.logger.warn(
      { file: problem.file },
      `skipped invalid corpus document: ${problem.message}`,
    );
  }
  const searchIndex = await openSearchIndex(
    corpus,
    path.join(options.stateDir, "search-index.sqlite"),
  );
  let catalog: CatalogKnowledge;
  let passages: PassageRow[];
  try {
    passages = await searchIndex.allPassages();
    catalog = await loadCatalogKnowledge(
      options.dataDir,
      corpus,
      passages,
      path.join(options.stateDir, "catalog-cache.json"),
      ({ entry, field, doc, file }) =>
        options.logger.warn(
          { file, entry, field, doc },
          "catalogue fact set aside: it cites a skipped corpus document",
        ),
    );
  } catch (error) {
    await searchIndex.close();
    throw error;
  }
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
    catalogs: new GuildCatalogs(catalog, passages, entries),
    store: options.store,
    reportProblem,
    bookmarks,
    bookmarkLimit: options.bookmarkLimit ?? 500,
    now: options.now ?? (() => new Date()),
    logger: options.logger,
    hooks: options.hooks ?? {
      recapChanged: () => undefined,
      recapHistory: async () => [],
      reload: async () => ({ documents: corpus.documents.length }),
      isServerEmoji: async () => false,
      status: () => ({ storeKind: storeKind(options.store), shards: [], shardCount: 0 }),
    },
  };
}
