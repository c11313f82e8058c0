import { createHash } from "node:crypto";
import type { z } from "zod";
import type { KeyValueStore } from "./keyv.js";

/**
 * Keeps a value a button or form needs later (a search, a pending source) under a short id
 * that fits in a custom id. The id is a hash of the value, so stashing twice writes once.
 */
export async function stash<T>(
  store: KeyValueStore,
  kind: string,
  value: T,
  ttlMs: number,
): Promise<string> {
  const id = stashId(value);
  await store.set(`stash:${kind}:${id}`, { v: 1, data: value }, ttlMs);
  return id;
}

/** The id `stash` keeps a value under. */
export function stashId(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("base64url").slice(0, 16);
}

export async function unstash<T>(
  store: KeyValueStore,
  kind: string,
  id: string,
  schema: z.ZodType<T>,
): Promise<T | undefined> {
  const raw = (await store.get(`stash:${kind}:${id}`)) as { data?: unknown } | undefined;
  const parsed = schema.safeParse(raw?.data);
  return parsed.success ? parsed.data : undefined;
}
