import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord-api-types/v10";
import { z } from "zod";
import type { AppContext } from "../src/app/context.js";
import { DEFAULT_BOOKMARK_EMOJI } from "../src/bookmarks/emoji.js";
import { currentBookmarks } from "../src/bookmarks/repository.js";
import { reply, type Reply } from "../src/discord/payload.js";
import { StaleInteractionError, UserError } from "../src/errors.js";
import { requiredString, stringOption } from "../src/interactions/options.js";
import type { Caller, Choice, CommandModule } from "../src/interactions/types.js";
import {
  bookmarksPage,
  clearConfirmation,
  exportReply,
  matchesFilter,
} from "../src/replies/bookmarks.js";
import { requireGuild } from "../src/settings/permissions.js";
import { getGuildSettings } from "../src/settings/repository.js";
import { stash, unstash } from "../src/store/stash.js";
import { escapeMarkdown } from "../src/text/markdown.js";
import { truncate } from "../src/text/truncate.js";

export const definition = {
  name: "bookmarks",
  type: ApplicationCommandType.ChatInput,
  description: "The answers you saved by reacting with the bookmark emoji",
  contexts: [InteractionContextType.Guild],
  options: [
    {
      name: "list",
      description: "Your bookmarks in this server, newest first (only you see them)",
      type: ApplicationCommandOptionType.Subcommand,
      options: [
        {
          name: "filter",
          description: "Only bookmarks whose title contains this",
          type: ApplicationCommandOptionType.String,
          max_length: 100,
        },
      ],
    },
    {
      name: "remove",
      description: "Remove one bookmark",
      type: ApplicationCommandOptionType.Subcommand,
      options: [
        {
          name: "item",
          description: "The bookmark to remove",
          type: ApplicationCommandOptionType.String,
          required: true,
          autocomplete: true,
          max_length: 100,
        },
      ],
    },
    {
      name: "clear",
      description: "Remove all your bookmarks in this server (asks first)",
      type: ApplicationCommandOptionType.Subcommand,
    },
    {
      name: "export",
      description: "Your bookmarks as a file",
      type: ApplicationCommandOptionType.Subcommand,
      options: [
        {
          name: "format",
          description: "JSON (default) or Markdown",
          type: ApplicationCommandOptionType.String,
          choices: [
            { name: "JSON", value: "json" },
            { name: "Markdown", value: "markdown" },
          ],
        },
      ],
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const FILTER_TTL_MS = 24 * 60 * 60 * 1000;

async function emojiOf(ctx: AppContext, guildId: string): Promise<string> {
  const settings = await getGuildSettings(ctx.store, guildId, ctx.reportProblem);
  return settings.bookmarkEmoji ?? DEFAULT_BOOKMARK_EMOJI;
}

async function page(
  caller: Caller,
  ctx: AppContext,
  pageNumber: number,
  filter: string | undefined,
  filterId: string | undefined,
): Promise<Reply> {
  const guildId = requireGuild(caller);
  const items = await currentBookmarks(ctx.bookmarks, guildId, caller.userId);
  return bookmarksPage(items, pageNumber, { filter, filterId, emoji: await emojiOf(ctx, guildId) });
}

export const bookmarks: CommandModule = {
  definition,
  examples: ["/bookmarks list filter:opus", "/bookmarks export format:Markdown"],
  privateReplies: true,
  async execute(call, ctx) {
    const guildId = requireGuild(call);
    switch (call.subcommand) {
      case "list": {
        const filter = stringOption(call, "filter")?.trim() || undefined;
        const filterId = filter
          ? await stash(ctx.store, "bookmark-filter", filter, FILTER_TTL_MS)
          : undefined;
        return page(call, ctx, 0, filter, filterId);
      }
      case "remove": {
        const item = requiredString(call, "item");
        const items = await currentBookmarks(ctx.bookmarks, guildId, call.userId);
        const target =
          items.find((b) => b.messageId === item) ??
          items.find((b) => b.title.toLowerCase() === item.toLowerCase());
        if (!target)
          throw new UserError(
            `You have no bookmark **${escapeMarkdown(truncate(item, 60))}** here. Pick one from the list.`,
          );
        await ctx.bookmarks.forMember(guildId, call.userId, () =>
          ctx.bookmarks.remove(guildId, call.userId, target.messageId),
        );
        return reply({
          ephemeral: true,
          content: `Removed the bookmark **${escapeMarkdown(truncate(target.title, 80))}**.`,
        });
      }
      case "clear": {
        const items = await currentBookmarks(ctx.bookmarks, guildId, call.userId);
        return clearConfirmation(items.length);
      }
      case "export": {
        const format = stringOption(call, "format") === "markdown" ? "markdown" : "json";
        return exportReply(await currentBookmarks(ctx.bookmarks, guildId, call.userId), format);
      }
      default:
        throw new UserError("Use `/bookmarks list`, `remove`, `clear` or `export`.");
    }
  },

  async autocomplete(call, ctx): Promise<Choice[]> {
    if (!call.guildId) return [];
    const items = await ctx.bookmarks.list(call.guildId, call.userId);
    return items
      .filter((b) => matchesFilter(b, call.focused.value))
      .slice(0, 25)
      .map((b) => ({
        name: truncate(
          `${b.title.replace(/\s+/g, " ")} · ${b.savedAt.slice(0, 10)}${b.deletedAt ? " · deleted" : ""}`,
          100,
        ),
        value: b.messageId,
      }));
  },

  autocompleteFallback() {
    return [];
  },

  async component(call, ctx) {
    const [, action, pageText, filterId] = call.customId.split(":");
    if (action === "cancel")
      return {
        update: true,
        payload: reply({ content: "Nothing was deleted.", components: [] }).payload,
      };
    if (action === "clear") {
      const guildId = requireGuild(call);
      const count = await ctx.bookmarks.clear(guildId, call.userId);
      return {
        update: true,
        payload: reply({
          content: `Deleted ${count} bookmark${count === 1 ? "" : "s"}.`,
          components: [],
        }).payload,
      };
    }
    if (action === "page") {
      const pageNumber = Number(pageText);
      if (!Number.isInteger(pageNumber) || pageNumber < 0)
        throw new StaleInteractionError(`bookmarks button "${call.customId}" does not parse`);
      const filter =
        filterId && filterId !== "-"
          ? await unstash(ctx.store, "bookmark-filter", filterId, z.string())
          : undefined;
      if (filterId && filterId !== "-" && filter === undefined)
        return reply({
          ephemeral: true,
          content: "This list has expired. Run `/bookmarks list` again.",
        });
      return { ...(await page(call, ctx, pageNumber, filter, filterId)), update: true };
    }
    throw new StaleInteractionError(`bookmarks button "${call.customId}" does not parse`);
  },
};
