import type { KeyValueStore } from "../store/keyv.js";
import type { ProblemReporter } from "../store/records.js";
import { getAnswer } from "./answers.js";
import { emojiMatches, type ReactionEmoji } from "./emoji.js";
import type { Bookmark, BookmarkRepository } from "./repository.js";

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
export function applyReaction(event: ReactionEvent, deps: ReactionDeps): Promise<ReactionOutcome> {
  return deps.bookmarks.forMember(event.guildId, event.userId, async () => {
    if (!emojiMatches(await deps.emojiFor(event.guildId), event.emoji)) return "other-emoji";
    if (event.type === "remove") {
      const removed = await deps.bookmarks.remove(event.guildId, event.userId, event.messageId);
      return removed ? "removed" : "not-saved";
    }
    const bookmark = await describe(event, deps);
    return deps.bookmarks.save(event.userId, bookmark, deps.limit);
  });
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
