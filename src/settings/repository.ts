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

export async function getGuildSettings(
  store: KeyValueStore,
  guildId: string,
  report: ProblemReporter,
): Promise<GuildSettings> {
  return (await readRecord(store, SETTINGS, keyOf(SETTINGS, guildId), report)) ?? {};
}

export async function saveGuildSettings(
  store: KeyValueStore,
  guildId: string,
  settings: GuildSettings,
): Promise<void> {
  await writeRecord(store, SETTINGS, keyOf(SETTINGS, guildId), settings);
}
