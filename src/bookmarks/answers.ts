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

export function rememberAnswer(
  store: KeyValueStore,
  messageId: string,
  answer: Answer,
): Promise<void> {
  return writeRecord(store, ANSWER, keyOf(ANSWER, messageId), answer, KEEP_MS);
}

export function getAnswer(
  store: KeyValueStore,
  messageId: string,
  report: ProblemReporter,
): Promise<Answer | undefined> {
  return readRecord(store, ANSWER, keyOf(ANSWER, messageId), report);
}
