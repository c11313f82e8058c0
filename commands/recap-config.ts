import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ChannelType,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord-api-types/v10";
import type { AppContext } from "../src/app/context.js";
import { reply, type Reply } from "../src/discord/payload.js";
import { UserError } from "../src/errors.js";
import { requiredString, stringOption } from "../src/interactions/options.js";
import type { CommandCall, CommandModule } from "../src/interactions/types.js";
import { nextSlot, RecapSchedule } from "../src/recap/schedule.js";
import type { RecapPost } from "../src/recap/posts.js";
import { getRecapSettings, saveRecapSettings, type RecapSettings } from "../src/recap/settings.js";
import { MANAGE_GUILD_PERMISSION } from "../src/settings/permissions.js";
import { markdownLink } from "../src/text/links.js";
import { escapeMarkdown } from "../src/text/markdown.js";
import { truncate } from "../src/text/truncate.js";
import { moderatorGuild } from "./moderation.js";

const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

export const definition = {
  name: "recap-config",
  type: ApplicationCommandType.ChatInput,
  description: "Moderators: where and when the weekly recap of new releases is posted",
  default_member_permissions: MANAGE_GUILD_PERMISSION,
  contexts: [InteractionContextType.Guild],
  options: [
    {
      name: "set",
      description: "Post the recap every week in a channel, on a day, at a time",
      type: ApplicationCommandOptionType.Subcommand,
      options: [
        {
          name: "channel",
          description: "Where to post it",
          type: ApplicationCommandOptionType.Channel,
          required: true,
          channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement],
        },
        {
          name: "day",
          description: "The weekday (Monday covers the week that just ended)",
          type: ApplicationCommandOptionType.Integer,
          required: true,
          choices: DAYS.map((name, i) => ({ name, value: i + 1 })),
        },
        {
          name: "time",
          description: "The local time, 24-hour HH:MM, e.g. 09:00",
          type: ApplicationCommandOptionType.String,
          required: true,
          max_length: 5,
        },
        {
          name: "timezone",
          description: "An IANA time zone such as Europe/Berlin or America/New_York",
          type: ApplicationCommandOptionType.String,
          required: true,
          autocomplete: true,
          max_length: 64,
        },
        {
          name: "quiet-weeks",
          description: "In a week with nothing new: post one short line (default) or nothing",
          type: ApplicationCommandOptionType.String,
          choices: [
            { name: "Post one short line", value: "line" },
            { name: "Post nothing", value: "silent" },
          ],
        },
      ],
    },
    {
      name: "off",
      description: "Stop posting the weekly recap",
      type: ApplicationCommandOptionType.Subcommand,
    },
    {
      name: "status",
      description: "The next post, the last one, or why posting is paused",
      type: ApplicationCommandOptionType.Subcommand,
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const unix = (date: Date) => Math.floor(date.getTime() / 1000);

export function describeSchedule(settings: RecapSettings): string {
  const { day, time, timeZone } = settings.schedule;
  return `${DAYS[day - 1]}s at ${time} (${timeZone}) in <#${settings.channelId}>`;
}

async function set(call: CommandCall, ctx: AppContext): Promise<Reply> {
  const { guildId } = await moderatorGuild(call, ctx);
  const channelId = requiredString(call, "channel");
  const parsed = RecapSchedule.safeParse({
    day: call.options.day,
    time: requiredString(call, "time").replace(/^(\d):/, "0$1:"),
    timeZone: requiredString(call, "timezone"),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = { day: "`day`", time: "`time`", timeZone: "`timezone`" }[
      String(issue.path[0]) as "day" | "time" | "timeZone"
    ];
    throw new UserError(`${field ?? "The schedule"} ${issue.message}. Nothing was changed.`);
  }
  if (!/^\d{17,20}$/.test(channelId)) throw new UserError("Pick a text channel of this server.");
  const now = ctx.now().toISOString();
  const settings: RecapSettings = {
    channelId,
    schedule: parsed.data,
    quietMode: stringOption(call, "quiet-weeks") === "silent" ? "silent" : "line",
    status: "active",
    since: now,
    updatedAt: now,
    updatedBy: call.userId,
  };
  await saveRecapSettings(ctx.store, guildId, settings, ctx.reportProblem);
  ctx.hooks.recapChanged(guildId);
  const next = nextSlot(settings.schedule, ctx.now());
  return reply({
    ephemeral: true,
    content: `The weekly recap will be posted ${describeSchedule(settings)}. Next: <t:${unix(next.at)}:F> (<t:${unix(next.at)}:R>). The bot needs View Channel, Send Messages and Embed Links there.`,
  });
}

async function off(call: CommandCall, ctx: AppContext): Promise<Reply> {
  const { guildId } = await moderatorGuild(call, ctx);
  const settings = await getRecapSettings(ctx.store, guildId, ctx.reportProblem);
  if (!settings || settings.status === "off")
    return reply({ ephemeral: true, content: "The weekly recap is already off in this server." });
  await saveRecapSettings(
    ctx.store,
    guildId,
    { ...settings, status: "off", updatedAt: ctx.now().toISOString(), updatedBy: call.userId },
    ctx.reportProblem,
  );
  ctx.hooks.recapChanged(guildId);
  return reply({
    ephemeral: true,
    content: "The weekly recap is off. `/recap-config set` turns it on again.",
  });
}

/** One line for `/config show`. */
export function recapLine(settings: RecapSettings | undefined): string {
  if (!settings) return "not set up (`/recap-config set`)";
  if (settings.status === "off") return "off";
  const schedule = describeSchedule(settings);
  return settings.status === "paused"
    ? `paused (${schedule}); see \`/recap-config status\``
    : schedule;
}

const span = (from: number, to: number) => (from === to ? `page ${from}` : `pages ${from}–${to}`);

/** One week's record: what was posted (linked), what was not, and why. */
export function describePost(post: RecapPost): string {
  const reason = post.reason ? ` — ${escapeMarkdown(truncate(post.reason, 200))}` : "";
  const posted = post.messageIds.length;
  const link =
    posted && post.channelId
      ? `https://discord.com/channels/${post.guildId}/${post.channelId}/${post.messageIds[0]}`
      : undefined;
  if (post.status === "skipped") return `skipped${reason}`;
  if (post.status === "posted") {
    const pages = posted > 1 ? ` (${posted} pages)` : "";
    return `${markdownLink("posted", link)}${pages}${reason}`;
  }
  const total = post.pageCount;
  const parts = link
    ? [`${markdownLink(span(1, posted), link)}${total ? ` of ${total}` : ""} posted`]
    : [];
  if (!posted) parts.push("not posted");
  else if (!total) parts.push("the rest not posted");
  else if (total > posted) parts.push(`${span(posted + 1, total)} not posted`);
  if (post.status === "claimed") return link ? `being posted: ${parts[0]} so far` : "being posted";
  return `${parts.join("; ")}${reason}`;
}

async function status(call: CommandCall, ctx: AppContext): Promise<Reply> {
  const { guildId } = await moderatorGuild(call, ctx);
  const settings = await getRecapSettings(ctx.store, guildId, ctx.reportProblem);
  if (!settings)
    return reply({
      ephemeral: true,
      content: "No weekly recap is set up in this server. Start one with `/recap-config set`.",
    });
  const lines = [`**Schedule**: ${describeSchedule(settings)}`];
  if (settings.status === "active") {
    const next = nextSlot(settings.schedule, ctx.now());
    lines.push(`**Next post**: <t:${unix(next.at)}:F> (<t:${unix(next.at)}:R>)`);
  } else if (settings.status === "paused") {
    lines.push(
      `**Paused**: ${escapeMarkdown(settings.pausedReason ?? "unknown reason")}. Fix it, then run \`/recap-config set\` again.`,
    );
  } else {
    lines.push("**Off**: `/recap-config set` turns it on again.");
  }
  const history = await ctx.hooks.recapHistory(guildId);
  for (const post of history.slice(0, 3)) lines.push(`**${post.week}**: ${describePost(post)}`);
  if (history.length === 0) lines.push("Nothing posted yet.");
  return reply({
    ephemeral: true,
    embeds: [{ title: "Weekly recap", description: lines.join("\n") }],
  });
}

const TIME_ZONES = Intl.supportedValuesOf("timeZone");

export const recapConfig: CommandModule = {
  definition,
  examples: [
    "/recap-config set channel:#news day:Monday time:09:00 timezone:Europe/Berlin",
    "/recap-config status",
  ],
  privateReplies: true,
  async execute(call, ctx) {
    switch (call.subcommand) {
      case "set":
        return set(call, ctx);
      case "off":
        return off(call, ctx);
      case "status":
        return status(call, ctx);
      default:
        throw new UserError("Use `/recap-config set`, `off` or `status`.");
    }
  },
  async autocomplete(call) {
    const words = call.focused.value.toLowerCase().replace(/\s+/g, "_");
    return TIME_ZONES.filter((tz) => tz.toLowerCase().includes(words))
      .sort(
        (a, b) =>
          Number(!a.toLowerCase().startsWith(words)) - Number(!b.toLowerCase().startsWith(words)),
      )
      .slice(0, 25)
      .map((tz) => ({ name: tz, value: tz }));
  },
  autocompleteFallback() {
    return [
      "UTC",
      "Europe/London",
      "Europe/Berlin",
      "America/New_York",
      "America/Los_Angeles",
      "Asia/Tokyo",
    ].map((tz) => ({ name: tz, value: tz }));
  },
};
