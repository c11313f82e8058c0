import { z } from "zod";
import { LabEntry, ModelEntry } from "../catalog/schema.js";
import type { KeyValueStore } from "../store/keyv.js";
import {
  idSetType,
  keyOf,
  mutexFor,
  readIdSet,
  readRecord,
  updateIdSet,
  withId,
  writeRecord,
  type KeyedMutex,
  type ProblemReporter,
  type RecordType,
} from "../store/records.js";

/** A server's own version of one catalogue entry: added, edited or hidden there. */
export const GuildEntryState = z.object({
  entryId: z.string(),
  kind: z.enum(["model", "lab"]),
  version: z.number().int().positive(),
  status: z.enum(["active", "removed"]),
  /** The whole entry as the server sees it; absent when removed. */
  entry: z.union([ModelEntry, LabEntry]).optional(),
  addedAt: z.string().optional(),
  addedBy: z.string().optional(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});
export type GuildEntryState = z.infer<typeof GuildEntryState>;

export const HistoryRecord = z.object({
  version: z.number().int().positive(),
  action: z.enum(["add", "edit", "remove", "revert"]),
  at: z.string(),
  by: z.string(),
  revertedTo: z.number().int().nonnegative().optional(),
  /** The state after this change: history alone can rebuild the entry. */
  after: GuildEntryState,
});
export type HistoryRecord = z.infer<typeof HistoryRecord>;

const ENTRY: RecordType<GuildEntryState> = { prefix: "entry", version: 1, schema: GuildEntryState };
const HISTORY: RecordType<{ records: HistoryRecord[] }> = {
  prefix: "entry-history",
  version: 1,
  schema: z.object({ records: z.array(HistoryRecord) }),
};
const INDEX = idSetType("entry-index");
/** Counts a server's changes, so other processes know their cached catalogue is out of date. */
const REVISION: RecordType<{ revision: number }> = {
  prefix: "entry-revision",
  version: 1,
  schema: z.object({ revision: z.number().int().nonnegative() }),
};

export interface EntryStoreDeps {
  readonly store: KeyValueStore;
  readonly report: ProblemReporter;
  readonly mutex: KeyedMutex;
}

export function entryStoreDeps(store: KeyValueStore, report: ProblemReporter): EntryStoreDeps {
  return { store, report, mutex: mutexFor(store, "entries") };
}

async function history(
  deps: EntryStoreDeps,
  guildId: string,
  entryId: string,
): Promise<HistoryRecord[]> {
  return (
    (await readRecord(deps.store, HISTORY, keyOf(HISTORY, guildId, entryId), deps.report))
      ?.records ?? []
  );
}

/**
 * The server's state of an entry. History is written before the entry itself, so when a crash
 * fell between the two, the newer history record wins and the entry is repaired here.
 */
export async function getGuildEntry(
  deps: EntryStoreDeps,
  guildId: string,
  entryId: string,
): Promise<GuildEntryState | undefined> {
  const key = keyOf(ENTRY, guildId, entryId);
  const stored = await readRecord(deps.store, ENTRY, key, deps.report);
  const last = (await history(deps, guildId, entryId)).at(-1);
  if (last && (!stored || last.version > stored.version)) {
    await writeRecord(deps.store, ENTRY, key, last.after);
    return last.after;
  }
  return stored;
}

export async function listGuildEntries(
  deps: EntryStoreDeps,
  guildId: string,
): Promise<GuildEntryState[]> {
  const ids = await readIdSet(deps.store, INDEX, keyOf(INDEX, guildId), deps.report);
  const states: GuildEntryState[] = [];
  for (const id of ids) {
    const state = await getGuildEntry(deps, guildId, id);
    if (state) states.push(state);
  }
  return states;
}

export async function listEntryHistory(
  deps: EntryStoreDeps,
  guildId: string,
  entryId: string,
): Promise<HistoryRecord[]> {
  return history(deps, guildId, entryId);
}

export interface EntryChange {
  readonly guildId: string;
  readonly entryId: string;
  readonly kind: "model" | "lab";
  readonly action: "add" | "edit" | "remove";
  /** The entry after the change; omitted for a removal. */
  readonly entry?: ModelEntry | LabEntry;
  readonly by: string;
  readonly at: Date;
}

/**
 * Records one change. Writes go index → history → entry, each one atomic, so a crash at any
 * point leaves either the old state or a state `getGuildEntry` completes.
 */
export async function saveGuildEntry(
  deps: EntryStoreDeps,
  change: EntryChange,
): Promise<GuildEntryState> {
  return (await commit(deps, change.guildId, change.entryId, changeRecord(change)))!;
}

/**
 * Restores the state of an earlier version, as a new version of its own. Version 0 is the
 * shipped entry, when there is one (`original`).
 */
export async function revertGuildEntry(
  deps: EntryStoreDeps,
  guildId: string,
  entryId: string,
  toVersion: number,
  by: string,
  at: Date,
  original?: ShippedEntry,
): Promise<GuildEntryState | undefined> {
  return commit(deps, guildId, entryId, revertRecord(entryId, toVersion, by, at, original));
}

/** Makes the history record of a change from the entry's records so far and its state. */
export type RecordMaker = (
  records: readonly HistoryRecord[],
  current: GuildEntryState | undefined,
) => HistoryRecord | undefined;

/** The catalogue's own version of an entry: what version 0 restores. */
export type ShippedEntry = { kind: "model" | "lab"; entry: ModelEntry | LabEntry };

/** The record of an add, edit or removal. */
export function changeRecord(change: EntryChange): RecordMaker {
  return (records, current) => {
    const at = change.at.toISOString();
    const after: GuildEntryState = {
      entryId: change.entryId,
      kind: change.kind,
      version: (records.at(-1)?.version ?? 0) + 1,
      status: change.action === "remove" ? "removed" : "active",
      entry: change.action === "remove" ? undefined : change.entry,
      // Adding again after a removal starts the entry afresh, as the weekly recap sees it.
      addedAt: change.action === "add" ? at : current?.addedAt,
      addedBy: change.action === "add" ? change.by : current?.addedBy,
      updatedAt: at,
      updatedBy: change.by,
    };
    return { version: after.version, action: change.action, at, by: change.by, after };
  };
}

/** The record of a revert to `toVersion`; none when there is no such version. */
export function revertRecord(
  entryId: string,
  toVersion: number,
  by: string,
  at: Date,
  original?: ShippedEntry,
): RecordMaker {
  return (records, current) => {
    const shipped =
      toVersion === 0 && original
        ? {
            after: {
              entryId,
              kind: original.kind,
              version: 0,
              status: "active" as const,
              entry: original.entry,
              addedAt: current?.addedAt,
              addedBy: current?.addedBy,
              updatedAt: at.toISOString(),
              updatedBy: by,
            },
          }
        : undefined;
    const target = shipped ?? records.find((r) => r.version === toVersion);
    if (!target) return undefined;
    const version = (records.at(-1)?.version ?? 0) + 1;
    const when = at.toISOString();
    return {
      version,
      action: "revert",
      at: when,
      by,
      revertedTo: toVersion,
      after: { ...target.after, version, updatedAt: when, updatedBy: by },
    };
  };
}

/** Commits the record `make` returns, if any; the entry's state after it. */
async function commit(
  deps: EntryStoreDeps,
  guildId: string,
  entryId: string,
  make: RecordMaker,
): Promise<GuildEntryState | undefined> {
  // Per server, not per entry: changes to two entries share the server's index.
  return deps.mutex.run(guildId, async () => {
    const current = await getGuildEntry(deps, guildId, entryId);
    const records = await history(deps, guildId, entryId);
    const record = make(records, current);
    if (!record) return undefined;
    await updateIdSet(deps.store, INDEX, keyOf(INDEX, guildId), withId(entryId), deps.report);
    await writeRecord(deps.store, HISTORY, keyOf(HISTORY, guildId, entryId), {
      records: [...records, record],
    });
    await writeRecord(deps.store, ENTRY, keyOf(ENTRY, guildId, entryId), record.after);
    // Last: a process that sees the new revision finds the change in place.
    const revision = (await entryRevision(deps, guildId)) + 1;
    await writeRecord(deps.store, REVISION, keyOf(REVISION, guildId), { revision });
    return record.after;
  });
}

async function entryRevision(deps: EntryStoreDeps, guildId: string): Promise<number> {
  return (
    (await readRecord(deps.store, REVISION, keyOf(REVISION, guildId), deps.report))?.revision ?? 0
  );
}

/**
 * A server's entries as the bot uses them, whatever keeps them: the embedded store (the functions
 * above) or Postgres (rows, each change one transaction).
 */
export interface EntryRepository {
  get(guildId: string, entryId: string): Promise<GuildEntryState | undefined>;
  list(guildId: string): Promise<GuildEntryState[]>;
  history(guildId: string, entryId: string): Promise<HistoryRecord[]>;
  save(change: EntryChange): Promise<GuildEntryState>;
  /** See `revertGuildEntry`: undefined when there is no such version. */
  revert(
    guildId: string,
    entryId: string,
    toVersion: number,
    by: string,
    at: Date,
    original?: ShippedEntry,
  ): Promise<GuildEntryState | undefined>;
  /**
   * A number that changes whenever the server's entries change, in this process or another: a
   * cached view of the server's catalogue is current while it is the same.
   */
  revision(guildId: string): Promise<number>;
}

/** Entries in the embedded key-value store (SQLite, or memory offline). */
export function keyvEntries(store: KeyValueStore, report: ProblemReporter): EntryRepository {
  const deps = entryStoreDeps(store, report);
  return {
    get: (guildId, entryId) => getGuildEntry(deps, guildId, entryId),
    list: (guildId) => listGuildEntries(deps, guildId),
    history: (guildId, entryId) => listEntryHistory(deps, guildId, entryId),
    save: (change) => saveGuildEntry(deps, change),
    revert: (guildId, entryId, toVersion, by, at, original) =>
      revertGuildEntry(deps, guildId, entryId, toVersion, by, at, original),
    revision: (guildId) => entryRevision(deps, guildId),
  };
}
