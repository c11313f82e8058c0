import {
  changeRecord,
  GuildEntryState,
  HistoryRecord,
  revertRecord,
  type EntryChange,
  type EntryRepository,
  type RecordMaker,
  type ShippedEntry,
} from "../../entries/repository.js";
import type { ProblemReporter } from "../records.js";
import { valid } from "./bookmarks.js";
import type { PostgresDatabase, Sql } from "./database.js";

/**
 * A server's entries as rows: each entry's state, and its history a row per version. A change is
 * one transaction that holds the server's lock, so changes made through different processes
 * apply one after the other and none is lost.
 */
export class PostgresEntries implements EntryRepository {
  constructor(
    private readonly db: PostgresDatabase,
    private readonly report: ProblemReporter,
  ) {}

  async get(guildId: string, entryId: string): Promise<GuildEntryState | undefined> {
    return (await this.state(this.db, guildId, entryId))[0];
  }

  async list(guildId: string): Promise<GuildEntryState[]> {
    const rows = await this.db.query<{ entry_id: string; state: string }>(
      "entries.list",
      "SELECT entry_id, state FROM guild_entries WHERE guild_id = $1 ORDER BY position",
      [guildId],
    );
    return rows.flatMap((row) =>
      valid(GuildEntryState, row.state, `entry:${guildId}:${row.entry_id}`, this.report),
    );
  }

  history(guildId: string, entryId: string): Promise<HistoryRecord[]> {
    return this.records(this.db, guildId, entryId);
  }

  async save(change: EntryChange): Promise<GuildEntryState> {
    return (await this.commit(change.guildId, change.entryId, changeRecord(change)))!;
  }

  revert(
    guildId: string,
    entryId: string,
    toVersion: number,
    by: string,
    at: Date,
    original?: ShippedEntry,
  ): Promise<GuildEntryState | undefined> {
    return this.commit(guildId, entryId, revertRecord(entryId, toVersion, by, at, original));
  }

  /** Every change adds one to one entry's version, so their sum rises with each change. */
  async revision(guildId: string): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(
      "entries.revision",
      "SELECT coalesce(sum(version), 0)::bigint AS n FROM guild_entries WHERE guild_id = $1",
      [guildId],
    );
    return row?.n ?? 0;
  }

  private commit(
    guildId: string,
    entryId: string,
    make: RecordMaker,
  ): Promise<GuildEntryState | undefined> {
    return this.db.transaction("entries.save", async (tx) => {
      // Per server, as in the embedded store: a change reads what the one before it wrote.
      await tx.query("entries.save", "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [
        `entries:${guildId}`,
      ]);
      const records = await this.records(tx, guildId, entryId);
      const [current] = await this.state(tx, guildId, entryId);
      const record = make(records, current);
      if (!record) return undefined;
      await tx.query(
        "entries.save",
        "INSERT INTO entry_history (guild_id, entry_id, version, record) VALUES ($1, $2, $3, $4)",
        [guildId, entryId, record.version, JSON.stringify(HistoryRecord.parse(record))],
      );
      await tx.query(
        "entries.save",
        `INSERT INTO guild_entries (guild_id, entry_id, version, state) VALUES ($1, $2, $3, $4)
         ON CONFLICT (guild_id, entry_id) DO UPDATE SET version = excluded.version, state = excluded.state`,
        [guildId, entryId, record.version, JSON.stringify(GuildEntryState.parse(record.after))],
      );
      return record.after;
    });
  }

  private async state(sql: Sql, guildId: string, entryId: string) {
    const rows = await sql.query<{ state: string }>(
      "entries.get",
      "SELECT state FROM guild_entries WHERE guild_id = $1 AND entry_id = $2",
      [guildId, entryId],
    );
    return rows.flatMap((row) =>
      valid(GuildEntryState, row.state, `entry:${guildId}:${entryId}`, this.report),
    );
  }

  private async records(sql: Sql, guildId: string, entryId: string): Promise<HistoryRecord[]> {
    const rows = await sql.query<{ version: number; record: string }>(
      "entries.history",
      "SELECT version, record FROM entry_history WHERE guild_id = $1 AND entry_id = $2 ORDER BY version",
      [guildId, entryId],
    );
    return rows.flatMap((row) =>
      valid(
        HistoryRecord,
        row.record,
        `entry-history:${guildId}:${entryId}:${row.version}`,
        this.report,
      ),
    );
  }
}
