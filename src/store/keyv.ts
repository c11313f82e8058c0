import fs from "node:fs";
import path from "node:path";
import KeyvSqlite from "@keyv/sqlite";
import { Keyv } from "keyv";

/** The durable key-value store every repository writes through. */
export type KeyValueStore = Keyv;

export function openStore(file: string): KeyValueStore {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const store = new Keyv({
    store: new KeyvSqlite({ uri: `sqlite://${file}` }),
    namespace: "modeldex",
  });
  return store;
}

/** For tests and the offline CLI: nothing touches the disk. */
export function memoryStore(): KeyValueStore {
  return new Keyv({ namespace: "modeldex" });
}
