import { z } from "zod";
import type { KeyValueStore } from "../store/keyv.js";
import { stash, unstash } from "../store/stash.js";

/** A search remembered so its Prev/Next buttons work after a restart. */
export const SearchSession = z.object({
  query: z.string(),
  source: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
});
export type SearchSession = z.infer<typeof SearchSession>;

const TTL_MS = 30 * 24 * 60 * 60 * 1000;

export function saveSearchSession(store: KeyValueStore, session: SearchSession): Promise<string> {
  return stash(store, "search", session, TTL_MS);
}

export function getSearchSession(
  store: KeyValueStore,
  id: string,
): Promise<SearchSession | undefined> {
  return unstash(store, "search", id, SearchSession);
}
