import type { Logger } from "pino";
import type { BookmarkRepository } from "../bookmarks/repository.js";
import { SqliteCandidateRepository, type CandidateRepository } from "../candidates/repository.js";
import type { EntryRepository } from "../entries/repository.js";
import { SqliteFeedRepository, type FeedRepository } from "../feeds/repository.js";
import { SqliteRecapPosts, type RecapPostRepository } from "../recap/posts.js";
import { SqliteCoordination, type Coordination } from "./coordination.js";
import { openStore, type KeyValueStore } from "./keyv.js";
import { PostgresBookmarks } from "./postgres/bookmarks.js";
import { PostgresCandidateRepository } from "./postgres/candidates.js";
import { PostgresCoordination } from "./postgres/coordination.js";
import { PostgresDatabase } from "./postgres/database.js";
import { PostgresEntries } from "./postgres/entries.js";
import { PostgresFeedRepository } from "./postgres/feeds.js";
import { openPostgresKeyv } from "./postgres/keyv.js";
import { PostgresRecapPosts } from "./postgres/recap-posts.js";
import { migrate } from "./postgres/schema.js";
import { shareLocks, type ProblemReporter } from "./records.js";

/** The data that needs more than key-value records: Postgres keeps them in tables of their own. */
export interface DomainRepositories {
  readonly bookmarks: BookmarkRepository;
  readonly entries: EntryRepository;
}

export interface FeedStores {
  readonly items: FeedRepository;
  readonly candidates: CandidateRepository;
}

/**
 * Everything the bot keeps at run time, in one place: the embedded SQLite file (the default), or
 * one Postgres database that every process of the bot shares. The domain sees the same
 * interfaces either way.
 */
export interface Storage {
  readonly kind: "SQLite" | "Postgres";
  /** Key-value records: settings, recap settings, answers, stashes, the deployed commands. */
  readonly kv: KeyValueStore;
  readonly recapPosts: RecapPostRepository;
  readonly coordination: Coordination;
  /** Bookmarks and entries in tables; undefined where the key-value store keeps them. */
  repositories(report: ProblemReporter): DomainRepositories | undefined;
  openFeeds(): Promise<FeedStores>;
  close(): Promise<void>;
}

export interface StorageConfig {
  readonly storePath: string;
  readonly postgresUrl: string | undefined;
  readonly storeTimeoutMs: number;
}

/** Expired key-value records are deleted this often (Postgres deletes them only on reads). */
const SWEEP_EVERY_MS = 60 * 60 * 1000;

export async function openStorage(config: StorageConfig, logger: Logger): Promise<Storage> {
  return config.postgresUrl
    ? openPostgres(config.postgresUrl, config.storeTimeoutMs, logger)
    : openSqlite(config.storePath);
}

async function openSqlite(file: string): Promise<Storage> {
  const kv = openStore(file);
  const opened: Array<{ close(): Promise<void> }> = [];
  try {
    const recapPosts = await SqliteRecapPosts.open(file);
    opened.push(recapPosts);
    const coordination = await SqliteCoordination.open(file);
    opened.push(coordination);
    return {
      kind: "SQLite",
      kv,
      recapPosts,
      coordination,
      repositories: () => undefined,
      async openFeeds() {
        const items = await SqliteFeedRepository.open(file);
        opened.push(items);
        const candidates = await SqliteCandidateRepository.open(file);
        opened.push(candidates);
        return { items, candidates };
      },
      async close() {
        for (const closable of opened) await closable.close().catch(() => undefined);
        await kv.disconnect().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const closable of opened) await closable.close().catch(() => undefined);
    await kv.disconnect().catch(() => undefined);
    throw error;
  }
}

async function openPostgres(url: string, timeoutMs: number, logger: Logger): Promise<Storage> {
  const db = new PostgresDatabase({ url, timeoutMs, logger });
  try {
    const { from, to } = await migrate(db);
    if (from !== to) logger.info({ from, to }, "Postgres schema migrated");
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  const kv = openPostgresKeyv(db, logger);
  // Read-modify-write of key-value records (the recap's list of servers, say) takes a lock that
  // every process respects, not only this one's.
  shareLocks(kv, (name) => db.lock(name));
  const sweep = async () => {
    await db
      .query(
        "keyv.sweep",
        `DELETE FROM keyv WHERE substring(value from '"expires":(\\d+)\\}$')::bigint < $1`,
        [Date.now()],
      )
      .catch((error: unknown) => logger.warn({ err: error }, "could not delete expired records"));
  };
  void sweep();
  const sweeper = setInterval(() => void sweep(), SWEEP_EVERY_MS);
  sweeper.unref();
  let repositories: DomainRepositories | undefined;
  return {
    kind: "Postgres",
    kv,
    recapPosts: new PostgresRecapPosts(db),
    coordination: new PostgresCoordination(db),
    // Built once, so a reload's new context keeps each member's queue of events.
    repositories: (report) =>
      (repositories ??= {
        bookmarks: new PostgresBookmarks(db, report),
        entries: new PostgresEntries(db, report),
      }),
    openFeeds: async () => ({
      items: new PostgresFeedRepository(db),
      candidates: new PostgresCandidateRepository(db),
    }),
    async close() {
      clearInterval(sweeper);
      await kv.disconnect().catch(() => undefined);
      await db.close();
    },
  };
}
