import { createHash } from "node:crypto";
import { z } from "zod";
import type { KeyValueStore } from "../store/keyv.js";

/** A search remembered so its Prev/Next buttons work after a restart. */
export const SearchSession = z.object({
  v: z.literal(1),
  query: z.string(),
  source: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
});
export type SearchSession = z.infer<typeof SearchSession>;

const TTL_MS = 30 * 24 * 60 * 60 * 1000;
const key = (id: string) => `search-session:${id}`;

/** The id is a hash of the request, so saving the same search twice writes the same record. */
export async function saveSearchSession(
  store: KeyValueStore,
  session: Omit<SearchSession, "v">,
): Promise<string> {
  const record: SearchSession = { v: 1, ...session };
  const id = createHash("sha256").update(JSON.stringify(record)).digest("base64url").slice(0, 16);
  await store.set(key(id), record, TTL_MS);
  return id;
}

export async function getSearchSession(
  store: KeyValueStore,
  id: string,
): Promise<SearchSession | undefined> {
  const parsed = SearchSession.safeParse(await store.get(key(id)));
  return parsed.success ? parsed.data : undefined;
}
