import { z } from "zod";
import type { KeyValueStore } from "../store/keyv.js";
import {
  idSetType,
  keyOf,
  readIdSet,
  readRecord,
  updateIdSet,
  withId,
  writeRecord,
  type ProblemReporter,
  type RecordType,
} from "../store/records.js";
import { RecapSchedule } from "./schedule.js";

/** A server's weekly recap: where and when it posts, and whether it is posting. */
export const RecapSettings = z.object({
  channelId: z.string().regex(/^\d{17,20}$/),
  schedule: RecapSchedule,
  /** A quiet week posts one short line, or nothing. */
  quietMode: z.enum(["line", "silent"]).default("line"),
  status: z.enum(["active", "paused", "off"]),
  /** Why posting stopped (missing permissions, a deleted channel), shown by status. */
  pausedReason: z.string().optional(),
  /** Slots before this instant are never posted: the schedule did not exist yet. */
  since: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});
export type RecapSettings = z.infer<typeof RecapSettings>;

const SETTINGS: RecordType<RecapSettings> = { prefix: "recap", version: 1, schema: RecapSettings };
/** The servers that have ever configured a recap: the scheduler's list at start-up. */
const INDEX = idSetType("recap-guilds");

export function getRecapSettings(
  store: KeyValueStore,
  guildId: string,
  report: ProblemReporter,
): Promise<RecapSettings | undefined> {
  return readRecord(store, SETTINGS, keyOf(SETTINGS, guildId), report);
}

/** Index first, then the settings: a crash between leaves an index entry with nothing to run. */
export async function saveRecapSettings(
  store: KeyValueStore,
  guildId: string,
  settings: RecapSettings,
  report: ProblemReporter,
): Promise<void> {
  await updateIdSet(store, INDEX, keyOf(INDEX), withId(guildId), report);
  await writeRecord(store, SETTINGS, keyOf(SETTINGS, guildId), settings);
}

export async function listRecapGuilds(
  store: KeyValueStore,
  report: ProblemReporter,
): Promise<string[]> {
  return readIdSet(store, INDEX, keyOf(INDEX), report);
}
