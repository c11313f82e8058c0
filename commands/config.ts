import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord-api-types/v10";
import type { AppContext } from "../src/app/context.js";
import { customEmojiId, DEFAULT_BOOKMARK_EMOJI, parseEmoji } from "../src/bookmarks/emoji.js";
import { reply, type Reply } from "../src/discord/payload.js";
import { UserError } from "../src/errors.js";
import type { CommandCall, CommandModule } from "../src/interactions/types.js";
import { MANAGE_GUILD_PERMISSION } from "../src/settings/permissions.js";
import { getGuildSettings, saveGuildSettings } from "../src/settings/repository.js";
import { getRecapSettings } from "../src/recap/settings.js";
import { moderatorGuild, requireManageServer } from "./moderation.js";
import { recapLine } from "./recap-config.js";

export const definition = {
  name: "config",
  type: ApplicationCommandType.ChatInput,
  description: "This server's modeldex settings",
  default_member_permissions: MANAGE_GUILD_PERMISSION,
  contexts: [InteractionContextType.Guild],
  options: [
    {
      name: "show",
      description: "List this server's settings",
      type: ApplicationCommandOptionType.Subcommand,
    },
    {
      name: "bookmark-emoji",
      description: "The reaction that bookmarks a message (default 🔖)",
      type: ApplicationCommandOptionType.Subcommand,
      options: [
        {
          name: "emoji",
          description: "One emoji, unicode or this server's custom emoji; leave empty for 🔖",
          type: ApplicationCommandOptionType.String,
          max_length: 80,
        },
      ],
    },
    {
      name: "reload",
      description: "Read the corpus and catalogue again after documents were added (Manage Server)",
      type: ApplicationCommandOptionType.Subcommand,
    },
    {
      name: "moderator-role",
      description: "Who may curate entries besides Manage Server (Manage Server only)",
      type: ApplicationCommandOptionType.Subcommand,
      options: [
        {
          name: "role",
          description: "The moderator role; leave empty to clear it",
          type: ApplicationCommandOptionType.Role,
        },
      ],
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

async function show(call: CommandCall, ctx: AppContext): Promise<Reply> {
  const { guildId, settings } = await moderatorGuild(call, ctx);
  const states = await ctx.catalogs.entries.list(guildId);
  const active = states.filter((s) => s.status === "active").length;
  const removed = states.length - active;
  const lines = [
    `**Bookmark emoji**: ${settings.bookmarkEmoji ?? DEFAULT_BOOKMARK_EMOJI}`,
    `**Moderator role**: ${settings.moderatorRoleId ? `<@&${settings.moderatorRoleId}>` : "none (Manage Server only)"}`,
    `**Catalogue**: ${active} entr${active === 1 ? "y" : "ies"} added or edited here, ${removed} removed (\`/entry history\`)`,
    `**Weekly recap**: ${recapLine(await getRecapSettings(ctx.store, guildId, ctx.reportProblem))}`,
  ];
  if (settings.updatedAt && settings.updatedBy)
    lines.push(
      `Last changed by <@${settings.updatedBy}> <t:${Math.floor(Date.parse(settings.updatedAt) / 1000)}:R>`,
    );
  return reply({
    ephemeral: true,
    embeds: [{ title: "modeldex settings for this server", description: lines.join("\n") }],
  });
}

async function moderatorRole(call: CommandCall, ctx: AppContext): Promise<Reply> {
  const guildId = requireManageServer(call);
  const role = call.options.role;
  if (role !== undefined && (typeof role !== "string" || !/^\d{17,20}$/.test(role)))
    throw new UserError("That is not a role of this server.");
  if (role === guildId)
    throw new UserError("@everyone cannot be the moderator role: every member would moderate.");
  const settings = await getGuildSettings(ctx.store, guildId, ctx.reportProblem);
  await saveGuildSettings(ctx.store, guildId, {
    ...settings,
    moderatorRoleId: role,
    updatedAt: ctx.now().toISOString(),
    updatedBy: call.userId,
  });
  return reply({
    ephemeral: true,
    content: role
      ? `Members with <@&${role}> can now curate entries. Discord shows moderator commands only to Manage Server by default: in Server Settings → Integrations → modeldex, allow that role to use \`/entry\`.`
      : "The moderator role is cleared: only members with Manage Server can curate entries.",
  });
}

async function bookmarkEmoji(call: CommandCall, ctx: AppContext): Promise<Reply> {
  const { guildId, settings } = await moderatorGuild(call, ctx);
  const input = typeof call.options.emoji === "string" ? call.options.emoji.trim() : "";
  const emoji = input ? parseEmoji(input) : undefined;
  if (input && !emoji)
    throw new UserError(
      "That is not one emoji. Give a single emoji such as 🔖 or ⭐, or one of this server's custom emoji.",
    );
  const custom = emoji ? customEmojiId(emoji) : undefined;
  // The bot can react only with emoji it can use: another server's would fail on every answer.
  if (custom && !(await ctx.hooks.isServerEmoji(guildId, custom)))
    throw new UserError(
      "That custom emoji is not one of this server's. Give a unicode emoji such as 🔖 or ⭐, or one of this server's own custom emoji.",
    );
  await saveGuildSettings(ctx.store, guildId, {
    ...settings,
    bookmarkEmoji: emoji,
    updatedAt: ctx.now().toISOString(),
    updatedBy: call.userId,
  });
  const shown = emoji ?? DEFAULT_BOOKMARK_EMOJI;
  return reply({
    ephemeral: true,
    content: `Members now bookmark a message by reacting ${shown}. Bookmarks saved with the old emoji are kept; removing the old reaction no longer removes them.`,
  });
}

async function reload(call: CommandCall, ctx: AppContext): Promise<Reply> {
  requireManageServer(call);
  const { documents } = await ctx.hooks.reload();
  return reply({
    ephemeral: true,
    content: `Reloaded: ${documents} documents in the corpus. Search, cards and autocomplete use them now.`,
  });
}

export const config: CommandModule = {
  definition,
  examples: ["/config bookmark-emoji emoji:⭐", "/config show"],
  privateReplies: true,
  async execute(call, ctx) {
    switch (call.subcommand) {
      case "show":
        return show(call, ctx);
      case "moderator-role":
        return moderatorRole(call, ctx);
      case "bookmark-emoji":
        return bookmarkEmoji(call, ctx);
      case "reload":
        return reload(call, ctx);
      default:
        throw new UserError("Use `/config show`, `bookmark-emoji`, `moderator-role` or `reload`.");
    }
  },
};
