import type { PostgresDatabase } from "./database.js";

/**
 * The store's tables, one migration per schema version: `MIGRATIONS[n]` takes a database from
 * version n to n + 1. Add a migration at the end; never edit one that has shipped.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE IF NOT EXISTS keyv (key TEXT PRIMARY KEY, value TEXT);

  CREATE TABLE recap_posts (
    guild_id TEXT NOT NULL,
    week TEXT NOT NULL,
    status TEXT NOT NULL,
    owner TEXT NOT NULL,
    fence BIGINT NOT NULL DEFAULT 0,
    lease_until BIGINT NOT NULL,
    message_ids TEXT NOT NULL DEFAULT '[]',
    channel_id TEXT,
    reason TEXT,
    updated_at BIGINT NOT NULL,
    page_count INTEGER,
    anchor_id TEXT,
    PRIMARY KEY (guild_id, week)
  );

  CREATE TABLE bookmarks (
    guild_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    deleted BOOLEAN NOT NULL DEFAULT false,
    data JSONB NOT NULL,
    PRIMARY KEY (guild_id, user_id, message_id)
  );
  CREATE INDEX bookmarks_by_message ON bookmarks (guild_id, message_id);
  CREATE INDEX bookmarks_by_time ON bookmarks (guild_id, saved_at);

  CREATE TABLE guild_entries (
    guild_id TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    position BIGINT GENERATED ALWAYS AS IDENTITY,
    version INTEGER NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (guild_id, entry_id)
  );
  CREATE TABLE entry_history (
    guild_id TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (guild_id, entry_id, version)
  );

  CREATE TABLE feeds (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    owner TEXT NOT NULL DEFAULT '',
    lease_until BIGINT NOT NULL DEFAULT 0,
    next_poll_at BIGINT NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    failing_since BIGINT,
    gone_since BIGINT,
    last_polled_at BIGINT,
    last_success_at BIGINT,
    last_error TEXT,
    disabled_at BIGINT,
    disabled_reason TEXT,
    documents INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE feed_items (
    key TEXT PRIMARY KEY,
    feed_url TEXT NOT NULL,
    link TEXT UNIQUE,
    content_hash TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    owner TEXT NOT NULL,
    lease_until BIGINT NOT NULL,
    stored_hash TEXT,
    revision BIGINT NOT NULL DEFAULT 0,
    first_seen_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE INDEX feed_items_revision ON feed_items (revision);

  CREATE TABLE candidates (
    doc_id TEXT NOT NULL,
    name_key TEXT NOT NULL,
    name TEXT NOT NULL,
    sentence TEXT NOT NULL,
    doc_date TEXT NOT NULL,
    found_at BIGINT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (doc_id, name_key)
  );
  CREATE INDEX candidates_by_name ON candidates (name_key, found_at);
  CREATE TABLE candidate_dismissals (
    guild_id TEXT NOT NULL,
    name_key TEXT NOT NULL,
    dismissed_by TEXT NOT NULL,
    dismissed_at BIGINT NOT NULL,
    PRIMARY KEY (guild_id, name_key)
  );

  CREATE TABLE identify_slots (bucket INTEGER PRIMARY KEY, next_at BIGINT NOT NULL);
  CREATE TABLE leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, until_at BIGINT NOT NULL);
  `,
  // Each stored post keeps its document, so a process on another machine can write it.
  `
  ALTER TABLE feed_items ADD COLUMN document_meta TEXT;
  ALTER TABLE feed_items ADD COLUMN document_text TEXT;
  CREATE INDEX feed_items_first_seen ON feed_items (first_seen_at);
  `,
];

/** The schema version this build reads and writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

export class SchemaTooNewError extends Error {
  override readonly name = "SchemaTooNewError";
}

/** A migration may rewrite large tables: it is not held to a command's deadline. */
const MIGRATION_TIMEOUT_MS = 10 * 60_000;

/**
 * Brings the database up to this build's schema, one transaction for all steps. Processes that
 * start together take turns (an advisory lock), so each step runs once.
 */
export async function migrate(db: PostgresDatabase): Promise<{ from: number; to: number }> {
  return db.transaction(
    "migrate",
    async (tx) => {
      await tx.query(
        "migrate",
        `SET LOCAL statement_timeout = ${MIGRATION_TIMEOUT_MS}; SET LOCAL lock_timeout = ${MIGRATION_TIMEOUT_MS}`,
      );
      await tx.query(
        "migrate",
        "SELECT pg_advisory_xact_lock(hashtextextended('modeldex:schema', 0))",
      );
      await tx.query(
        "migrate",
        "CREATE TABLE IF NOT EXISTS modeldex_schema (version INTEGER NOT NULL)",
      );
      const [row] = await tx.query<{ version: number | null }>(
        "migrate",
        "SELECT max(version) AS version FROM modeldex_schema",
      );
      const from = row?.version ?? 0;
      if (from > SCHEMA_VERSION)
        throw new SchemaTooNewError(
          `the database's schema is version ${from}, written by a newer modeldex (this build knows up to ${SCHEMA_VERSION}): run that version, or point STORE_URL at another database`,
        );
      for (let version = from; version < SCHEMA_VERSION; version++) {
        await tx.query("migrate", MIGRATIONS[version]!);
        await tx.query("migrate", "INSERT INTO modeldex_schema (version) VALUES ($1)", [
          version + 1,
        ]);
      }
      return { from, to: SCHEMA_VERSION };
    },
    MIGRATION_TIMEOUT_MS,
  );
}
