import { z } from "zod";
import type { KeyValueStore } from "./keyv.js";

/**
 * A kind of stored value: its key prefix, its current schema version, and how to bring older
 * versions up to date. Every value is stored as `{ v, data }`.
 */
export interface RecordType<T> {
  readonly prefix: string;
  readonly version: number;
  readonly schema: z.ZodType<T>;
  /** `migrations[n]` turns version n's data into version n + 1's. */
  readonly migrations?: Readonly<Record<number, (data: unknown) => unknown>>;
}

export interface StoreProblem {
  readonly key: string;
  readonly message: string;
}

/** Where unreadable values are reported. They are left in place, never silently dropped. */
export type ProblemReporter = (problem: StoreProblem) => void;

export function keyOf(type: RecordType<unknown>, ...parts: string[]): string {
  return [type.prefix, ...parts].join(":");
}

/** Validates (and migrates) a raw stored value; reports and returns undefined when it is unusable. */
export function decode<T>(
  type: RecordType<T>,
  key: string,
  raw: unknown,
  report: ProblemReporter,
): T | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "object" || !("v" in raw) || typeof raw.v !== "number" || !("data" in raw)) {
    report({ key, message: "is not a versioned record" });
    return undefined;
  }
  let { v, data } = raw as { v: number; data: unknown };
  if (v > type.version) {
    report({
      key,
      message: `was written by a newer version (v${v}; this build reads up to v${type.version})`,
    });
    return undefined;
  }
  while (v < type.version) {
    const migrate = type.migrations?.[v];
    if (!migrate) {
      report({ key, message: `has no migration from v${v}` });
      return undefined;
    }
    data = migrate(data);
    v++;
  }
  const parsed = type.schema.safeParse(data);
  if (!parsed.success) {
    report({ key, message: schemaProblem(parsed.error) });
    return undefined;
  }
  return parsed.data;
}

/**
 * Records written in this process and not yet stored, per store: a read sees them at once, so
 * the next change can build on one before the store has committed it.
 */
const stagedRecords = new WeakMap<object, Map<string, { raw: unknown }>>();

function stagedOf(store: KeyValueStore): Map<string, { raw: unknown }> {
  let staged = stagedRecords.get(store);
  if (!staged) stagedRecords.set(store, (staged = new Map()));
  return staged;
}

/** Makes `raw` what reads of `key` see until `write` settles. */
function stage(store: KeyValueStore, key: string, raw: unknown, write: () => Promise<unknown>) {
  const staged = stagedOf(store);
  const entry = { raw };
  staged.set(key, entry);
  return write()
    .then(() => undefined)
    .finally(() => {
      if (staged.get(key) === entry) staged.delete(key);
    });
}

/** A stored value's first problem with its schema, as a report says it. */
export function schemaProblem(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `field \`${issue.path.join(".") || "(root)"}\` ${issue.message}`;
}

export async function readRecord<T>(
  store: KeyValueStore,
  type: RecordType<T>,
  key: string,
  report: ProblemReporter,
): Promise<T | undefined> {
  const staged = stagedOf(store).get(key);
  return decode(type, key, staged ? staged.raw : await store.get(key), report);
}

/**
 * Writes a record. Reads in this process see it as soon as this is called; the promise resolves
 * once the store has it.
 */
export function writeRecord<T>(
  store: KeyValueStore,
  type: RecordType<T>,
  key: string,
  data: T,
  ttlMs?: number,
): Promise<void> {
  let raw: { v: number; data: T };
  try {
    raw = { v: type.version, data: type.schema.parse(data) };
  } catch (error) {
    return Promise.reject(error);
  }
  return stage(store, key, raw, () => store.set(key, raw, ttlMs));
}

function deleteRecord(store: KeyValueStore, key: string): Promise<void> {
  return stage(store, key, undefined, () => store.delete(key));
}

/** Takes a lock every process on a shared store respects, and resolves with its release. */
export type SharedLock = (name: string) => Promise<() => Promise<void>>;

/**
 * Serialises async work per key inside this process, so two edits of one entry cannot
 * interleave their read-modify-write; with a shared lock, across processes too.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(private readonly shared?: SharedLock) {}

  /** What the last work on a key left for the work queued after it (see `runCarrying`). */
  private readonly carried = new Map<string, unknown>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.exclusive(key, work));
    this.tails.set(key, next);
    try {
      return await next;
    } finally {
      if (this.tails.get(key) === next) {
        this.tails.delete(key);
        this.carried.delete(key);
      }
    }
  }

  /**
   * `run` for a read-modify-write: each work is handed the value the work before it on the same
   * key left, while that one's successors wait in line, so a burst on one key reads the store
   * once instead of once per change. Never across processes (with a shared lock): another
   * process may write between two turns.
   */
  runCarrying<T, C>(
    key: string,
    work: (carried: C | undefined) => Promise<{ readonly result: T; readonly carry: C }>,
  ): Promise<T> {
    return this.run(key, async () => {
      const carried = this.shared ? undefined : (this.carried.get(key) as C | undefined);
      this.carried.delete(key);
      const { result, carry } = await work(carried);
      if (!this.shared) this.carried.set(key, carry);
      return result;
    });
  }

  private async exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    if (!this.shared) return work();
    const release = await this.shared(key);
    try {
      return await work();
    } finally {
      await release();
    }
  }
}

const sharedMutexes = new WeakMap<object, Map<string, KeyedMutex>>();
const sharedLocks = new WeakMap<object, SharedLock>();

/** From now on, `mutexFor(store, …)` also holds a lock shared by every process on the store. */
export function shareLocks(store: object, lock: SharedLock): void {
  sharedLocks.set(store, lock);
}

/**
 * One mutex per store and purpose, so work queued before a reload (SIGHUP builds a new app
 * context) and work queued after it still wait for each other.
 */
export function mutexFor(store: object, purpose: string): KeyedMutex {
  let byPurpose = sharedMutexes.get(store);
  if (!byPurpose) sharedMutexes.set(store, (byPurpose = new Map()));
  let mutex = byPurpose.get(purpose);
  if (!mutex) {
    const lock = sharedLocks.get(store);
    mutex = new KeyedMutex(lock && ((key) => lock(`${purpose}:${key}`)));
    byPurpose.set(purpose, mutex);
  }
  return mutex;
}

/** An index: the ids of the things of one kind under one key (a server's entries, say). */
export function idSetType(prefix: string): RecordType<{ ids: string[] }> {
  return { prefix, version: 1, schema: z.object({ ids: z.array(z.string()) }) };
}

export async function readIdSet(
  store: KeyValueStore,
  type: RecordType<{ ids: string[] }>,
  key: string,
  report: ProblemReporter,
): Promise<string[]> {
  return (await readRecord(store, type, key, report))?.ids ?? [];
}

/**
 * Changes an index one writer at a time (its readers and writers run concurrently otherwise, and
 * two adds would keep only one). An index left empty is deleted. Resolves once the change is
 * stored.
 */
export async function updateIdSet(
  store: KeyValueStore,
  type: RecordType<{ ids: string[] }>,
  key: string,
  change: (ids: string[]) => string[],
  report: ProblemReporter,
): Promise<void> {
  await (
    await stageIdSet(store, type, key, change, report)
  ).written;
}

/**
 * `updateIdSet`, resolving as soon as the next writer may start from this change (it reads the
 * staged value), with `written` for when the store has it: a burst of changes to one index is
 * then committed in groups rather than one commit after another.
 */
export function stageIdSet(
  store: KeyValueStore,
  type: RecordType<{ ids: string[] }>,
  key: string,
  change: (ids: string[]) => string[],
  report: ProblemReporter,
): Promise<{ written: Promise<void> }> {
  return mutexFor(store, `index:${type.prefix}`).runCarrying<{ written: Promise<void> }, string[]>(
    key,
    async (carried) => {
      const before = carried ?? (await readIdSet(store, type, key, report));
      const after = change(before);
      if (after.length === before.length && after.every((id, i) => id === before[i]))
        return { result: { written: Promise.resolve() }, carry: before };
      const written = after.length
        ? writeRecord(store, type, key, { ids: after })
        : deleteRecord(store, key);
      // Other processes see only what is stored: a shared lock is held until the write lands.
      if (sharedLocks.has(store)) await written;
      return { result: { written }, carry: after };
    },
  );
}

/** For `updateIdSet`: the ids with one more, kept in the order they came. */
export const withId = (id: string) => (ids: string[]) => (ids.includes(id) ? ids : [...ids, id]);
export const withoutId = (id: string) => (ids: string[]) => ids.filter((other) => other !== id);
