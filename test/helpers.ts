import fsSync from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { createAppContext } from "../src/app/bootstrap.js";
import type { AppContext } from "../src/app/context.js";
import { customIdsIn } from "../src/interactions/origin.js";
import { memoryStore } from "../src/store/keyv.js";

export const FIXTURE_DATA = path.resolve(import.meta.dirname, "fixtures");
export const SHIPPED_DATA = path.resolve(import.meta.dirname, "..", "data");
export const silentLogger = pino({ level: "silent" });

/** Under the run's folder (see global-setup.ts), so nothing is left behind. */
const TEMP_ROOT =
  process.env.MODELDEX_TEST_TMP ?? fsSync.mkdtempSync(path.join(os.tmpdir(), "modeldex-test-"));

export async function tempDir(prefix = "t-"): Promise<string> {
  return fs.mkdtemp(path.join(TEMP_ROOT, prefix));
}

/** A full application context over a data folder, with its own index file and a memory store. */
export async function contextFor(dataDir: string): Promise<AppContext> {
  return createAppContext({
    dataDir,
    stateDir: await tempDir(),
    store: memoryStore(),
    logger: silentLogger,
    now: () => new Date("2026-11-24T12:00:00Z"),
  });
}

/** Every custom id on a message's buttons and menus, in order. */
export function customIds(payload: { components?: readonly unknown[] }): string[] {
  return customIdsIn(payload.components ?? []);
}
