import {
  Events,
  Routes,
  type Client,
  type Message,
  type MessageReaction,
  type PartialMessage,
  type PartialMessageReaction,
  type PartialUser,
  type User,
} from "discord.js";
import type { Logger } from "pino";
import type { AppContext } from "../app/context.js";
import { rememberAnswer } from "../bookmarks/answers.js";
import { DEFAULT_BOOKMARK_EMOJI, reactionIdentifier } from "../bookmarks/emoji.js";
import { applyReaction, type ReactionEvent } from "../bookmarks/reactions.js";
import { countReaction, watchQueue } from "../ops/metrics.js";
import { limitNotice } from "../replies/bookmarks.js";
import { withRetries } from "../retry.js";
import { getGuildSettings } from "../settings/repository.js";
import type { AnswerMeta } from "./payload.js";

/** At most one "you are at your limit" message per member and server a day. */
const LIMIT_NOTICE_EVERY_MS = 24 * 60 * 60 * 1000;

export async function bookmarkEmojiOf(ctx: AppContext, guildId: string): Promise<string> {
  const settings = await getGuildSettings(ctx.store, guildId, ctx.reportProblem);
  return settings.bookmarkEmoji ?? DEFAULT_BOOKMARK_EMOJI;
}

/** Waits before each new attempt at adding the bookmark reaction, after @discordjs/rest's own. */
export const REACTION_RETRY_DELAYS_MS = [500, 2_000, 8_000, 30_000, 120_000];

/**
 * Whether a custom emoji belongs to a server. The bot does not ask for emoji updates (the Guild
 * Expressions intent), so one added since it connected is looked up.
 */
export async function isServerEmoji(
  client: Client,
  guildId: string,
  emojiId: string,
): Promise<boolean> {
  const guild = client.guilds.cache.get(guildId);
  if (!guild) return false;
  if (guild.emojis.cache.has(emojiId)) return true;
  return guild.emojis.fetch(emojiId).then(
    () => true,
    (error: unknown) => {
      if ((error as { code?: unknown }).code === 10014) return false;
      throw error;
    },
  );
}

/**
 * Makes a public answer bookmarkable: remembers what it shows under its message id, then adds
 * the server's bookmark reaction so saving it is one click.
 */
export async function makeBookmarkable(
  ctx: AppContext,
  client: Client,
  message: { id: string; channelId: string; guildId: string | null },
  answer: AnswerMeta,
  stopping?: AbortSignal,
): Promise<void> {
  if (!message.guildId) return;
  await rememberAnswer(ctx.store, message.id, {
    ...answer,
    guildId: message.guildId,
    channelId: message.channelId,
    postedAt: ctx.now().toISOString(),
  });
  await addBookmarkReaction(ctx, client, message.guildId, message.channelId, message.id, stopping);
}

/**
 * Adds the server's bookmark reaction to one of the bot's messages. @discordjs/rest retries a 5xx
 * at once, a few times, and never a broken connection; this waits and tries again, so a short
 * outage does not leave an answer without its reaction.
 */
async function addBookmarkReaction(
  ctx: AppContext,
  client: Client,
  guildId: string,
  channelId: string,
  messageId: string,
  stopping?: AbortSignal,
): Promise<void> {
  const identifier = reactionIdentifier(await bookmarkEmojiOf(ctx, guildId));
  // As discord.js does: a custom emoji goes as name:id, a unicode one URL-encoded.
  const emoji = /:\d+$/.test(identifier) ? identifier : encodeURIComponent(identifier);
  await withRetries(
    () => client.rest.put(Routes.channelMessageOwnReaction(channelId, messageId, emoji)),
    {
      delaysMs: REACTION_RETRY_DELAYS_MS,
      signal: stopping,
      onRetry: (error, attempt, delayMs) =>
        ctx.logger.warn(
          { err: error, message: messageId, attempt, delayMs },
          "could not add the bookmark reaction; retrying",
        ),
    },
  );
}

/**
 * Reaction and deletion events become bookmark changes. Each event joins its member's queue as
 * it arrives, so a burst of adds and removes ends as the member's last event says.
 */
export function listenForBookmarks(
  client: Client,
  context: () => AppContext,
  logger: Logger,
): { drain(): Promise<void> } {
  const inFlight = new Set<Promise<unknown>>();
  watchQueue("reactions", () => inFlight.size);
  const track = (work: Promise<unknown>) => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };
  const onReaction =
    (type: ReactionEvent["type"]) =>
    (reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser) => {
      const message = reaction.message;
      // The bot's own reaction, and other bots', change nothing.
      if (!message.guildId || user.id === client.user?.id || user.bot) return;
      const ctx = context();
      const event: ReactionEvent = {
        type,
        guildId: message.guildId,
        channelId: message.channelId,
        messageId: message.id,
        userId: user.id,
        emoji: { id: reaction.emoji.id, name: reaction.emoji.name },
      };
      const work = applyReaction(event, {
        bookmarks: ctx.bookmarks,
        store: ctx.store,
        report: ctx.reportProblem,
        now: ctx.now,
        limit: ctx.bookmarkLimit,
        emojiFor: (guildId) => bookmarkEmojiOf(ctx, guildId),
        describeMessage: () => describe(message, client),
      })
        .then(async (outcome) => {
          logger.debug({ ...event, outcome }, "bookmark reaction");
          countReaction(type, outcome);
          if (outcome === "limit-reached") await noticeLimit(ctx, event, user, logger);
        })
        .catch((error: unknown) =>
          logger.error({ err: error, ...event }, "could not apply a bookmark reaction"),
        );
      track(work);
    };
  client.on(Events.MessageReactionAdd, onReaction("add"));
  client.on(Events.MessageReactionRemove, onReaction("remove"));

  const onDelete = (message: Message | PartialMessage) => {
    if (!message.guildId) return;
    const ctx = context();
    track(
      ctx.bookmarks
        .markMessageDeleted(message.guildId, message.id, ctx.now())
        .catch((error: unknown) =>
          logger.error({ err: error, message: message.id }, "could not mark bookmarks deleted"),
        ),
    );
  };
  client.on(Events.MessageDelete, onDelete);
  client.on(Events.MessageBulkDelete, (messages) => messages.forEach(onDelete));
  return {
    /** Resolves once every event already received has been written. */
    async drain() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

/** Who wrote it, and its title when it is one of ours; fetched only for uncached messages. */
async function describe(message: Message | PartialMessage, client: Client) {
  const full = message.partial ? await message.fetch() : message;
  const ours = full.author?.id === client.user?.id;
  return {
    authorId: full.author?.id,
    title: ours ? (full.embeds[0]?.title ?? undefined) : undefined,
  };
}

async function noticeLimit(
  ctx: AppContext,
  event: ReactionEvent,
  user: User | PartialUser,
  logger: Logger,
): Promise<void> {
  const key = `bookmark-limit-notice:${event.guildId}:${event.userId}`;
  // Checked and set in the member's queue, so two refusals in a row send one message.
  const due = await ctx.bookmarks.forMember(event.guildId, event.userId, async () => {
    if (await ctx.store.get(key)) return false;
    await ctx.store.set(key, true, LIMIT_NOTICE_EVERY_MS);
    return true;
  });
  if (!due) return;
  const notice = limitNotice(ctx.bookmarkLimit, event);
  await user
    .send({ content: notice.content, allowedMentions: { parse: [] } })
    .catch((error: unknown) =>
      logger.info({ err: error, user: event.userId }, "could not send the bookmark limit notice"),
    );
}
