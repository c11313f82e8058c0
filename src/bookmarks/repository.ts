import { z } from "zod";
import { EntryRef } from "./answers.js";
import type { KeyValueStore } from "../store/keyv.js";
import {
  idSetType,
  keyOf,
  mutexFor,
  readIdSet,
  readRecord,
  stageIdSet,
  withId,
  withoutId,
  writeRecord,
  type KeyedMutex,
  type ProblemReporter,
  type RecordType,
} from "../store/records.js";

const Snowflake = z.string().regex(/^\d{1,20}$/);

/** One saved message. A bot answer keeps what it showed; any other message only where it is. */
export const Bookmark = z.object({
  messageId: Snowflake,
  channelId: Snowflake,
  guildId: Snowflake,
  savedAt: z.string(),
  kind: z.enum(["answer", "message"]),
  /** For an answer, its title ("Claude Opus 4.5", "Search: distillation"); for a message, a label. */
  title: z.string().max(300),
  /** What an answer showed: a catalogue entry or a search. */
  entry: EntryRef.optional(),
  query: z.string().max(300).optional(),
  authorId: Snowflake.optional(),
  /** Set when Discord reports the message deleted; the bookmark stays, saying so. */
  deletedAt: z.string().optional(),
});
export type Bookmark = z.infer<typeof Bookmark>;

/**
 * A member's bookmarks in one server, in one value: every change is one atomic write, so a
 * crash leaves the list as it was before or after an event, never half-applied.
 */
const LIST: RecordType<{ items: Bookmark[] }> = {
  prefix: "bookmarks",
  version: 1,
  schema: z.object({ items: z.array(Bookmark) }),
};

/**
 * Who bookmarked a message, so its deletion can be marked on their bookmarks. Written before a
 * save and after a removal, so it may name a member too many (harmless), never too few.
 */
const SAVERS = idSetType("bookmark-savers");

/** Members of a server who have saved anything there: the weekly recap counts their bookmarks. */
const MEMBERS = idSetType("bookmark-members");

export interface BookmarkStoreDeps {
  readonly store: KeyValueStore;
  readonly report: ProblemReporter;
  /** Per member: their events apply one at a time, in the order they arrived. */
  readonly mutex: KeyedMutex;
}

export function bookmarkStoreDeps(
  store: KeyValueStore,
  report: ProblemReporter,
): BookmarkStoreDeps {
  return {
    store,
    report,
    mutex: mutexFor(store, "bookmarks"),
  };
}

const memberKey = (guildId: string, userId: string) => `${guildId}:${userId}`;

/** Newest first. */
export async function listBookmarks(
  deps: BookmarkStoreDeps,
  guildId: string,
  userId: string,
): Promise<Bookmark[]> {
  const list = await readRecord(deps.store, LIST, keyOf(LIST, guildId, userId), deps.report);
  return [...(list?.items ?? [])].sort(newestFirst);
}

function writeList(deps: BookmarkStoreDeps, guildId: string, userId: string, items: Bookmark[]) {
  return writeRecord(deps.store, LIST, keyOf(LIST, guildId, userId), { items });
}

function savers(deps: BookmarkStoreDeps, guildId: string, messageId: string) {
  return readIdSet(deps.store, SAVERS, keyOf(SAVERS, guildId, messageId), deps.report);
}

function stageSavers(
  deps: BookmarkStoreDeps,
  guildId: string,
  messageId: string,
  change: (ids: string[]) => string[],
) {
  return stageIdSet(deps.store, SAVERS, keyOf(SAVERS, guildId, messageId), change, deps.report);
}

export type SaveOutcome = "saved" | "already-saved" | "limit-reached";

/**
 * A change applied as far as this process sees it (later reads start from it), and `stored`
 * once the store has it too: a member's next event need not wait for the commit.
 */
export interface Staged<T> {
  readonly outcome: T;
  readonly stored: Promise<unknown>;
}

const unchanged = <T>(outcome: T): Staged<T> => ({ outcome, stored: Promise.resolve() });

/** The outcome, once stored. */
async function once<T>(staging: Promise<Staged<T>>): Promise<T> {
  const staged = await staging;
  await staged.stored;
  return staged.outcome;
}

/** Runs work for one member after their earlier events; call it as soon as an event arrives. */
export function forMember<T>(
  deps: BookmarkStoreDeps,
  guildId: string,
  userId: string,
  work: () => Promise<T>,
): Promise<T> {
  return deps.mutex.run(memberKey(guildId, userId), work);
}

/** Saves a bookmark unless the member already has it or is at their limit. Not serialised: see `forMember`. */
export async function saveBookmark(
  deps: BookmarkStoreDeps,
  userId: string,
  bookmark: Bookmark,
  limit: number,
): Promise<SaveOutcome> {
  return once(stageSave(deps, userId, bookmark, limit));
}

/** `saveBookmark`, resolving once staged. */
export async function stageSave(
  deps: BookmarkStoreDeps,
  userId: string,
  bookmark: Bookmark,
  limit: number,
): Promise<Staged<SaveOutcome>> {
  const items = await listBookmarks(deps, bookmark.guildId, userId);
  if (items.some((b) => b.messageId === bookmark.messageId)) return unchanged("already-saved");
  if (items.length >= limit) return unchanged("limit-reached");
  // Savers first, then members, then the list: each is queued for the store in this order.
  const saver = await stageSavers(deps, bookmark.guildId, bookmark.messageId, withId(userId));
  // A member with a list is listed already: members are added before their first list is written.
  const member =
    items.length === 0
      ? await stageIdSet(
          deps.store,
          MEMBERS,
          keyOf(MEMBERS, bookmark.guildId),
          withId(userId),
          deps.report,
        )
      : undefined;
  const list = writeList(deps, bookmark.guildId, userId, [bookmark, ...items]);
  return { outcome: "saved", stored: Promise.all([saver.written, member?.written, list]) };
}

/** Removes the member's bookmark of a message; false when there was none. Not serialised: see `forMember`. */
export async function removeBookmark(
  deps: BookmarkStoreDeps,
  guildId: string,
  userId: string,
  messageId: string,
): Promise<boolean> {
  return once(stageRemove(deps, guildId, userId, messageId));
}

/** `removeBookmark`, resolving once staged. */
export async function stageRemove(
  deps: BookmarkStoreDeps,
  guildId: string,
  userId: string,
  messageId: string,
): Promise<Staged<boolean>> {
  const items = await listBookmarks(deps, guildId, userId);
  const kept = items.filter((b) => b.messageId !== messageId);
  if (kept.length === items.length) return unchanged(false);
  // The list first, then the savers: an index may name a member too many, never too few.
  const list = writeList(deps, guildId, userId, kept);
  const saver = await stageSavers(deps, guildId, messageId, withoutId(userId));
  return { outcome: true, stored: Promise.all([list, saver.written]) };
}

/** Removes all of a member's bookmarks in a server; returns how many there were. */
export async function clearBookmarks(
  deps: BookmarkStoreDeps,
  guildId: string,
  userId: string,
): Promise<number> {
  return forMember(deps, guildId, userId, async () => {
    const items = await listBookmarks(deps, guildId, userId);
    await writeList(deps, guildId, userId, []);
    return items.length;
  });
}

/** Marks every bookmark of a deleted message as gone; they keep their title. */
export async function markMessageDeleted(
  deps: BookmarkStoreDeps,
  guildId: string,
  messageId: string,
  at: Date,
): Promise<number> {
  const ids = await savers(deps, guildId, messageId);
  let marked = 0;
  for (const userId of ids) {
    await forMember(deps, guildId, userId, async () => {
      const items = await listBookmarks(deps, guildId, userId);
      let changed = false;
      const next = items.map((b) => {
        if (b.messageId !== messageId || b.deletedAt) return b;
        changed = true;
        return { ...b, deletedAt: at.toISOString() };
      });
      if (changed) {
        marked++;
        await writeList(deps, guildId, userId, next);
      }
    });
  }
  return marked;
}

export async function listBookmarkMembers(
  deps: BookmarkStoreDeps,
  guildId: string,
): Promise<string[]> {
  return readIdSet(deps.store, MEMBERS, keyOf(MEMBERS, guildId), deps.report);
}

/**
 * The answers members of a server saved in a time span, most saved first: what the weekly recap
 * calls the week's most bookmarked answers.
 */
export async function mostBookmarked(
  deps: BookmarkStoreDeps,
  guildId: string,
  from: Date,
  to: Date,
): Promise<BookmarkCount[]> {
  const counts = new Map<string, { -readonly [K in keyof BookmarkCount]: BookmarkCount[K] }>();
  for (const userId of await listBookmarkMembers(deps, guildId)) {
    for (const b of await listBookmarks(deps, guildId, userId)) {
      const at = Date.parse(b.savedAt);
      if (b.kind !== "answer" || b.deletedAt || at < from.getTime() || at >= to.getTime()) continue;
      const seen = counts.get(b.messageId);
      if (seen) seen.count++;
      else
        counts.set(b.messageId, {
          messageId: b.messageId,
          channelId: b.channelId,
          title: b.title,
          count: 1,
        });
    }
  }
  return [...counts.values()].sort(mostSavedFirst);
}

export interface BookmarkCount {
  readonly messageId: string;
  readonly channelId: string;
  readonly title: string;
  readonly count: number;
}

/**
 * Members' bookmarks as the bot uses them, whatever keeps them: the embedded store (one value per
 * member, the functions above) or Postgres (a row per bookmark, each change one statement).
 */
export interface BookmarkRepository {
  /** Newest first. */
  list(guildId: string, userId: string): Promise<Bookmark[]>;
  /** Saves a bookmark unless the member already has it or is at their limit. See `forMember`. */
  save(userId: string, bookmark: Bookmark, limit: number): Promise<SaveOutcome>;
  /** Removes the member's bookmark of a message; false when there was none. See `forMember`. */
  remove(guildId: string, userId: string, messageId: string): Promise<boolean>;
  /** Removes all of a member's bookmarks in a server; returns how many there were. */
  clear(guildId: string, userId: string): Promise<number>;
  /** Marks every bookmark of a deleted message as gone; they keep their title. */
  markMessageDeleted(guildId: string, messageId: string, at: Date): Promise<number>;
  /** Members of a server who have saved anything there. */
  members(guildId: string): Promise<string[]>;
  /** The answers members saved in a time span, most saved first. */
  mostBookmarked(guildId: string, from: Date, to: Date): Promise<BookmarkCount[]>;
  /** Runs work for one member after their earlier events; call it as soon as an event arrives. */
  forMember<T>(guildId: string, userId: string, work: () => Promise<T>): Promise<T>;
  /**
   * `save` and `remove`, resolving once the member's next event may start from the change, with
   * `stored` for when the store has it: a burst of one member's reactions is committed in groups.
   */
  stageSave(userId: string, bookmark: Bookmark, limit: number): Promise<Staged<SaveOutcome>>;
  stageRemove(guildId: string, userId: string, messageId: string): Promise<Staged<boolean>>;
}

/**
 * The member's bookmarks once every reaction of theirs already received is applied: a list asked
 * for right after clicking 🔖 shows that bookmark.
 */
export function currentBookmarks(
  bookmarks: BookmarkRepository,
  guildId: string,
  userId: string,
): Promise<Bookmark[]> {
  return bookmarks.forMember(guildId, userId, () => bookmarks.list(guildId, userId));
}

/** One repository per store, so a reload's new context shares the members' queues. */
const keyvRepositories = new WeakMap<KeyValueStore, BookmarkRepository>();

/** Bookmarks in the embedded key-value store (SQLite, or memory offline). */
export function keyvBookmarks(store: KeyValueStore, report: ProblemReporter): BookmarkRepository {
  const known = keyvRepositories.get(store);
  if (known) return known;
  const deps = bookmarkStoreDeps(store, report);
  const repository: BookmarkRepository = {
    list: (guildId, userId) => listBookmarks(deps, guildId, userId),
    save: (userId, bookmark, limit) => saveBookmark(deps, userId, bookmark, limit),
    remove: (guildId, userId, messageId) => removeBookmark(deps, guildId, userId, messageId),
    clear: (guildId, userId) => clearBookmarks(deps, guildId, userId),
    markMessageDeleted: (guildId, messageId, at) =>
      markMessageDeleted(deps, guildId, messageId, at),
    members: (guildId) => listBookmarkMembers(deps, guildId),
    mostBookmarked: (guildId, from, to) => mostBookmarked(deps, guildId, from, to),
    forMember: (guildId, userId, work) => forMember(deps, guildId, userId, work),
    stageSave: (userId, bookmark, limit) => stageSave(deps, userId, bookmark, limit),
    stageRemove: (guildId, userId, messageId) => stageRemove(deps, guildId, userId, messageId),
  };
  keyvRepositories.set(store, repository);
  return repository;
}

/** The order `list` gives: newest first, then by message id. */
export function newestFirst(a: Bookmark, b: Bookmark): number {
  return b.savedAt.localeCompare(a.savedAt) || b.messageId.localeCompare(a.messageId);
}

/** The order `mostBookmarked` gives: most saved first, then by title. */
export function mostSavedFirst(a: BookmarkCount, b: BookmarkCount): number {
  return b.count - a.count || a.title.localeCompare(b.title);
}
