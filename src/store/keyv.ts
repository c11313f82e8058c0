import fs from "node:fs";
import path from "node:path";
import { Keyv } from "keyv";
import { SqliteKeyv } from "./sqlite-keyv.js";

/** The durable key-value store every repository writes through. */
export type KeyValueStore = Keyv;

export function openStore(file: string): KeyValueStore {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // A write that failed must fail its caller, never be acknowledged.
  return new Keyv({ store: new SqliteKeyv(file), namespace: "modeldex", throwOnErrors: true });
}

/** For tests and the offline CLI: nothing touches the disk. */
export function memoryStore(): KeyValueStore {
  return new Keyv({ namespace: "modeldex" });
}
