import { z } from "zod";
import { EntryRef } from "./answers.js";
import type { KeyValueStore } from "../store/keyv.js";
import {
  idSetType,
  keyOf,
  mutexFor,
  readIdSet,
  readRecord,
  updateIdSet,
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

async function writeList(
  deps: BookmarkStoreDeps,
  guildId: string,
  userId: string,
  items: Bookmark[],
) {
  await writeRecord(deps.store, LIST, keyOf(LIST, guildId, userId), { items });
}

function savers(deps: BookmarkStoreDeps, guildId: string, messageId: string) {
  return readIdSet(deps.store, SAVERS, keyOf(SAVERS, guildId, messageId), deps.report);
}

function updateSavers(
  deps: BookmarkStoreDeps,
  guildId: string,
  messageId: string,
  change: (ids: string[]) => string[],
): Promise<void> {
  return updateIdSet(deps.store, SAVERS, keyOf(SAVERS, guildId, messageId), change, deps.report);
}

export type SaveOutcome = "saved" | "already-saved" | "limit-reached";

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
  const items = await listBookmarks(deps, bookmark.guildId, userId);
  if (items.some((b) => b.messageId === bookmark.messageId)) return "already-saved";
  if (items.length >= limit) return "limit-reached";
  await updateSavers(deps, bookmark.guildId, bookmark.messageId, withId(userId));
  await updateIdSet(
    deps.store,
    MEMBERS,
    keyOf(MEMBERS, bookmark.guildId),
    withId(userId),
    deps.report,
  );
  await writeList(deps, bookmark.guildId, userId, [bookmark, ...items]);
  return "saved";
}

/** Removes the member's bookmark of a message; false when there was none. Not serialised: see `forMember`. */
export async function removeBookmark(
  deps: BookmarkStoreDeps,
  guildId: string,
  userId: string,
  messageId: string,
): Promise<boolean> {
  const items = await listBookmarks(deps, guildId, userId);
  const kept = items.filter((b) => b.messageId !== messageId);
  if (kept.length === items.length) return false;
  await writeList(deps, guildId, userId, kept);
  await updateSavers(deps, guildId, messageId, withoutId(userId));
  return true;
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
}

/** Bookmarks in the embedded key-value store (SQLite, or memory offline). */
export function keyvBookmarks(store: KeyValueStore, report: ProblemReporter): BookmarkRepository {
  const deps = bookmarkStoreDeps(store, report);
  return {
    list: (guildId, userId) => listBookmarks(deps, guildId, userId),
    save: (userId, bookmark, limit) => saveBookmark(deps, userId, bookmark, limit),
    remove: (guildId, userId, messageId) => removeBookmark(deps, guildId, userId, messageId),
    clear: (guildId, userId) => clearBookmarks(deps, guildId, userId),
    markMessageDeleted: (guildId, messageId, at) =>
      markMessageDeleted(deps, guildId, messageId, at),
    members: (guildId) => listBookmarkMembers(deps, guildId),
    mostBookmarked: (guildId, from, to) => mostBookmarked(deps, guildId, from, to),
    forMember: (guildId, userId, work) => forMember(deps, guildId, userId, work),
  };
}

/** The order `list` gives: newest first, then by message id. */
export function newestFirst(a: Bookmark, b: Bookmark): number {
  return b.savedAt.localeCompare(a.savedAt) || b.messageId.localeCompare(a.messageId);
}

/** The order `mostBookmarked` gives: most saved first, then by title. */
export function mostSavedFirst(a: BookmarkCount, b: BookmarkCount): number {
  return b.count - a.count || a.title.localeCompare(b.title);
}
