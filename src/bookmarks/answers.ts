import { z } from "zod";
import type { KeyValueStore } from "../store/keyv.js";
import {
  keyOf,
  readRecord,
  writeRecord,
  type ProblemReporter,
  type RecordType,
} from "../store/records.js";

/** The catalogue card an answer showed. */
export const EntryRef = z.object({
  kind: z.enum(["model", "lab", "family", "product"]),
  id: z.string(),
});

/**
 * What a public answer of the bot showed, remembered by its message id when it is posted, so a
 * reaction on it (even months later, after restarts) saves what it showed without reading the
 * message.
 */
export const Answer = z.object({
  title: z.string().max(300),
  entry: EntryRef.optional(),
  query: z.string().max(300).optional(),
  guildId: z.string(),
  channelId: z.string(),
  postedAt: z.string(),
});
export type Answer = z.infer<typeof Answer>;

const ANSWER: RecordType<Answer> = { prefix: "answer", version: 1, schema: Answer };
const KEEP_MS = 400 * 24 * 60 * 60 * 1000;

/**
 * An answer's record never changes once written, and reactions come mostly on recent answers:
 * the latest are kept in memory, so a burst of reactions reads none of them from the store.
 */
const RECENT_ANSWERS = 10_000;
const recentByStore = new WeakMap<KeyValueStore, Map<string, Answer>>();

function recentOf(store: KeyValueStore): Map<string, Answer> {
  let recent = recentByStore.get(store);
  if (!recent) recentByStore.set(store, (recent = new Map()));
  return recent;
}

function keep(store: KeyValueStore, messageId: string, answer: Answer): void {
  const recent = recentOf(store);
  recent.delete(messageId);
  recent.set(messageId, answer);
  if (recent.size > RECENT_ANSWERS) recent.delete(recent.keys().next().value!);
}

export async function rememberAnswer(
  store: KeyValueStore,
  messageId: string,
  answer: Answer,
): Promise<void> {
  await writeRecord(store, ANSWER, keyOf(ANSWER, messageId), answer, KEEP_MS);
  keep(store, messageId, answer);
}

export async function getAnswer(
  store: KeyValueStore,
  messageId: string,
  report: ProblemReporter,
): Promise<Answer | undefined> {
  const kept = recentOf(store).get(messageId);
  if (kept) return kept;
  const answer = await readRecord(store, ANSWER, keyOf(ANSWER, messageId), report);
  if (answer) keep(store, messageId, answer);
  return answer;
}
