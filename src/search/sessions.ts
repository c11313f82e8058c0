import { z } from "zod";
import type { KeyValueStore } from "../store/keyv.js";
import { stash, stashId, unstash } from "../store/stash.js";

/** A search remembered so its Prev/Next buttons work after a restart. */
export const SearchSession = z.object({
  query: z.string(),
  source: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
});
export type SearchSession = z.infer<typeof SearchSession>;

const TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** The latest searches are kept in memory too, so paging through them reads nothing. */
const RECENT_LIMIT = 5_000;

const recentByStore = new WeakMap<
  KeyValueStore,
  Map<string, { session: SearchSession; at: number }>
>();

function recentOf(store: KeyValueStore) {
  let recent = recentByStore.get(store);
  if (!recent) recentByStore.set(store, (recent = new Map()));
  return recent;
}

/**
 * Remembers a search and returns its id at once. The store write is not waited for: the store
 * commits it with others in a batch, so a search costs no disk sync of its own. A crash can lose
 * the last moment's searches, whose buttons then say the search expired.
 */
export function saveSearchSession(
  store: KeyValueStore,
  session: SearchSession,
  now = Date.now(),
): string {
  const id = stashId(session);
  const recent = recentOf(store);
  recent.delete(id);
  recent.set(id, { session, at: now });
  if (recent.size > RECENT_LIMIT) recent.delete(recent.keys().next().value!);
  // A failed write only costs the buttons after a restart; the search is answered regardless.
  stash(store, "search", session, TTL_MS).catch(() => undefined);
  return id;
}

export async function getSearchSession(
  store: KeyValueStore,
  id: string,
  now = Date.now(),
): Promise<SearchSession | undefined> {
  const kept = recentOf(store).get(id);
  if (kept && now - kept.at < TTL_MS) return kept.session;
  return unstash(store, "search", id, SearchSession);
}
