import type { KeyValueStore } from "../store/keyv.js";
import type { ProblemReporter } from "../store/records.js";
import { getAnswer } from "./answers.js";
import { emojiMatches, type ReactionEmoji } from "./emoji.js";
import type { Bookmark, BookmarkRepository, Staged } from "./repository.js";

export interface ReactionEvent {
  readonly type: "add" | "remove";
  readonly guildId: string;
  readonly channelId: string;
  readonly messageId: string;
  readonly userId: string;
  readonly emoji: ReactionEmoji;
}

export interface ReactionDeps {
  readonly bookmarks: BookmarkRepository;
  readonly store: KeyValueStore;
  readonly report: ProblemReporter;
  readonly now: () => Date;
  /** Most bookmarks a member may keep in one server. */
  readonly limit: number;
  /** The server's bookmark emoji. */
  readonly emojiFor: (guildId: string) => Promise<string>;
  /**
   * Who wrote a message that is not one of the bot's recorded answers, and its embed's title when
   * the bot wrote it; called only then, since it may cost a fetch.
   */
  readonly describeMessage: (event: ReactionEvent) => Promise<MessageFacts>;
}

export interface MessageFacts {
  readonly authorId?: string;
  readonly title?: string;
}

export type ReactionOutcome =
  "saved" | "already-saved" | "limit-reached" | "removed" | "not-saved" | "other-emoji";

/**
 * Applies one reaction event to the member's bookmarks. Call it as the event arrives: the work
 * joins the member's queue at once, so their adds and removes apply in arrival order, and the
 * last one decides.
 */
export async function applyReaction(
  event: ReactionEvent,
  deps: ReactionDeps,
): Promise<ReactionOutcome> {
  // The member's next event starts as soon as this one is staged; this one is acknowledged once
  // it and the member's earlier events are stored, so acknowledgements keep their order too.
  const key = `${event.guildId}:${event.userId}`;
  const acknowledged = acknowledgedOf(deps.bookmarks);
  const staged = await deps.bookmarks.forMember(event.guildId, event.userId, async () => {
    const change = await stage(event, deps);
    // An earlier event that failed was reported on its own; it does not fail this one.
    const stored = Promise.all([acknowledged.get(key)?.catch(() => undefined), change.stored]);
    acknowledged.set(key, stored);
    void stored
      .finally(() => {
        if (acknowledged.get(key) === stored) acknowledged.delete(key);
      })
      .catch(() => undefined);
    return { outcome: change.outcome, stored };
  });
  await staged.stored;
  return staged.outcome;
}

/** Per repository, each member's latest acknowledgement still waiting for the store. */
const acknowledgements = new WeakMap<object, Map<string, Promise<unknown>>>();

function acknowledgedOf(bookmarks: BookmarkRepository): Map<string, Promise<unknown>> {
  let map = acknowledgements.get(bookmarks);
  if (!map) acknowledgements.set(bookmarks, (map = new Map()));
  return map;
}

async function stage(event: ReactionEvent, deps: ReactionDeps): Promise<Staged<ReactionOutcome>> {
  if (!emojiMatches(await deps.emojiFor(event.guildId), event.emoji))
    return { outcome: "other-emoji", stored: Promise.resolve() };
  if (event.type === "remove") {
    const removal = await deps.bookmarks.stageRemove(event.guildId, event.userId, event.messageId);
    return { outcome: removal.outcome ? "removed" : "not-saved", stored: removal.stored };
  }
  const bookmark = await describe(event, deps);
  return deps.bookmarks.stageSave(event.userId, bookmark, deps.limit);
}

async function describe(event: ReactionEvent, deps: ReactionDeps): Promise<Bookmark> {
  const base = {
    messageId: event.messageId,
    channelId: event.channelId,
    guildId: event.guildId,
    savedAt: deps.now().toISOString(),
  };
  const answer = await getAnswer(deps.store, event.messageId, deps.report);
  if (answer) {
    return {
      ...base,
      kind: "answer",
      title: answer.title,
      ...(answer.entry ? { entry: answer.entry } : {}),
      ...(answer.query ? { query: answer.query } : {}),
    };
  }
  const facts = await deps.describeMessage(event).catch((): MessageFacts => ({}));
  return {
    ...base,
    kind: "message",
    title: facts.title?.slice(0, 300) || "Message",
    ...(facts.authorId ? { authorId: facts.authorId } : {}),
  };
}
