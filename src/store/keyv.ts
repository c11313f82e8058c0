import fs from "node:fs";
import path from "node:path";
import { Keyv } from "keyv";
import { timeStoreCall } from "../ops/metrics.js";
import { SqliteKeyv } from "./sqlite-keyv.js";

/** The durable key-value store every repository writes through. */
export type KeyValueStore = Keyv;

const TIMED_OPERATIONS = ["get", "getMany", "set", "delete", "deleteMany", "clear", "has"];

/**
 * Times every call into the adapter and counts its failures before keyv sees them: keyv answers
 * a failed read as "not found", so the failure would otherwise go unnoticed.
 */
export function timed<T extends object>(adapter: T): T {
  const methods = adapter as unknown as Record<string, unknown>;
  for (const operation of TIMED_OPERATIONS) {
    const original = methods[operation];
    if (typeof original !== "function") continue;
    methods[operation] = (...args: unknown[]) =>
      timeStoreCall(operation, () =>
        (original as (...a: unknown[]) => Promise<unknown>).apply(adapter, args),
      );
  }
  return adapter;
}

export function openStore(file: string): KeyValueStore {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // A write that failed must fail its caller, never be acknowledged.
  return new Keyv({
    store: timed(new SqliteKeyv(file)),
    namespace: "modeldex",
    throwOnErrors: true,
    // The adapter serializes at commit, in keyv's own format (see `SqliteKeyv`).
    serialize: undefined,
    deserialize: undefined,
  });
}

/** For tests and the offline CLI: nothing touches the disk. */
export function memoryStore(): KeyValueStore {
  return new Keyv({ namespace: "modeldex" });
}

/** What /about shows as the store. */
export function storeKind(store: KeyValueStore): string {
  if (store.store instanceof SqliteKeyv) return "SQLite";
  const dialect = (store.store as { opts?: { dialect?: unknown } }).opts?.dialect;
  return dialect === "postgres" ? "Postgres" : "memory";
}

/**
 * Asks the store itself for a key (keyv would hide a failure), within a deadline: resolves when
 * the store answers, rejects with the reason otherwise.
 */
export async function pingStore(store: KeyValueStore, timeoutMs = 1_000): Promise<void> {
  const adapter = store.store as { get(key: string): unknown };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve(adapter.get("modeldex:health-check")),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
