import { z } from "zod";
import type { KeyValueStore } from "../store/keyv.js";
import {
  keyOf,
  readRecord,
  writeRecord,
  type ProblemReporter,
  type RecordType,
} from "../store/records.js";

export const GuildSettings = z.object({
  moderatorRoleId: z
    .string()
    .regex(/^\d{17,20}$/)
    .optional(),
  /** A unicode emoji or `<:name:id>`; unset means 🔖. */
  bookmarkEmoji: z.string().max(80).optional(),
  updatedAt: z.string().optional(),
  updatedBy: z.string().optional(),
});
export type GuildSettings = z.infer<typeof GuildSettings>;

const SETTINGS: RecordType<GuildSettings> = {
  prefix: "settings",
  version: 1,
  schema: GuildSettings,
};

/**
 * Every answer and every reaction reads its server's settings, so they are kept in memory a few
 * seconds after a read (a change made here shows at once; another process's within that time).
 */
const KEEP_READ_MS = 5_000;
const recent = new WeakMap<
  KeyValueStore,
  Map<string, { settings: GuildSettings; until: number }>
>();

/** Bumped by every save, so a read that a save overtook is not kept. */
const saves = new WeakMap<KeyValueStore, Map<string, number>>();

function recentOf(store: KeyValueStore) {
  let map = recent.get(store);
  if (!map) recent.set(store, (map = new Map()));
  return map;
}

function savesOf(store: KeyValueStore) {
  let map = saves.get(store);
  if (!map) saves.set(store, (map = new Map()));
  return map;
}

export async function getGuildSettings(
  store: KeyValueStore,
  guildId: string,
  report: ProblemReporter,
  now = Date.now(),
): Promise<GuildSettings> {
  const kept = recentOf(store).get(guildId);
  if (kept && kept.until > now) return kept.settings;
  const saved = savesOf(store).get(guildId);
  const settings = (await readRecord(store, SETTINGS, keyOf(SETTINGS, guildId), report)) ?? {};
  if (savesOf(store).get(guildId) === saved)
    recentOf(store).set(guildId, { settings, until: now + KEEP_READ_MS });
  return settings;
}

export async function saveGuildSettings(
  store: KeyValueStore,
  guildId: string,
  settings: GuildSettings,
): Promise<void> {
  savesOf(store).set(guildId, (savesOf(store).get(guildId) ?? 0) + 1);
  recentOf(store).delete(guildId);
  await writeRecord(store, SETTINGS, keyOf(SETTINGS, guildId), settings);
}
