import type { Logger } from "pino";
import type { CandidateRepository } from "../candidates/repository.js";
import type { CorpusChanges } from "../catalog/corpus-changes.js";
import type { FeedRepository } from "../feeds/repository.js";
import type { CatalogKnowledge } from "../catalog/knowledge.js";
import type { BookmarkRepository } from "../bookmarks/repository.js";
import type { GuildCatalogs } from "../entries/catalogs.js";
import type { Corpus } from "../corpus/load.js";
import type { RecapPost } from "../recap/posts.js";
import type { SearchIndex } from "../search/index.js";
import type { ShardState } from "../ops/metrics.js";
import type { KeyValueStore } from "../store/keyv.js";
import type { ProblemReporter } from "../store/records.js";

/** What the running bot does when a command changes something it acts on; no-ops offline. */
export interface AppHooks {
  /** A server's recap settings changed: reschedule its job. */
  recapChanged(guildId: string): void;
  /** A server's latest recap records, newest first. */
  recapHistory(guildId: string): Promise<RecapPost[]>;
  /** Reads the corpus and catalogue from disk again (after `npm run cli -- ingest`). */
  reload(): Promise<{ documents: number }>;
  /** Whether a custom emoji is one of this server's own (offline, none is). */
  isServerEmoji(guildId: string, emojiId: string): Promise<boolean>;
  /** The process as /about shows it: store, gateway shards. */
  status(): RuntimeStatus;
}

export interface RuntimeStatus {
  /** "SQLite", or "memory" offline. */
  readonly storeKind: string;
  /** The shards this process runs; none offline. */
  readonly shards: readonly ShardState[];
  /** Shards across every process of the bot. */
  readonly shardCount: number;
}

/** What the store records of feeds: their documents and the candidate names found in them. */
export interface FeedRecords {
  readonly items: Pick<FeedRepository, "gatheredBetween">;
  readonly candidates: CandidateRepository;
}

/** Everything a command handler may use, passed in: no handler reaches for a global. */
export interface AppContext {
  readonly corpus: Corpus;
  readonly searchIndex: SearchIndex;
  /** The shipped catalogue. */
  readonly catalog: CatalogKnowledge;
  /** Each server's view of it, with its moderators' entries. */
  readonly catalogs: GuildCatalogs;
  /** The documents changed since the corpus was loaded (see `applyCorpusChanges`). */
  readonly corpusChanges: CorpusChanges;
  readonly store: KeyValueStore;
  /** Where unreadable stored values are reported (logged, left in place). */
  readonly reportProblem: ProblemReporter;
  /** Members' bookmarks, and how many each may keep per server. */
  readonly bookmarks: BookmarkRepository;
  readonly bookmarkLimit: number;
  readonly now: () => Date;
  readonly logger: Logger;
  readonly hooks: AppHooks;
  /** Absent offline (the CLI answers outside any server). */
  readonly feedRecords?: FeedRecords;
}
