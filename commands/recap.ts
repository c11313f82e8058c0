import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  MessageFlags,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord-api-types/v10";
import type { AppContext } from "../src/app/context.js";
import { buttonRows, fitEmbeds, pagerButtons, type Reply } from "../src/discord/payload.js";
import { StaleInteractionError, UserError } from "../src/errors.js";
import { stringOption } from "../src/interactions/options.js";
import type { Caller, Choice, CommandModule } from "../src/interactions/types.js";
import { recapFor } from "../src/recap/assemble.js";
import { getRecapSettings } from "../src/recap/settings.js";
import {
  formatWeek,
  parseWeek,
  parseWeekKey,
  shiftWeek,
  weekOf,
  weekOfDate,
  weekRange,
  type IsoWeek,
} from "../src/recap/week.js";
import { recapPages, recapSelect, weekSpan } from "../src/replies/recap.js";
import { cardFor, knowledgeFor } from "./catalog-shared.js";

export const definition = {
  name: "recap",
  type: ApplicationCommandType.ChatInput,
  description: "Preview the weekly recap of new releases and reading (only you see it)",
  options: [
    {
      name: "week",
      description: "A week like 2026-W06 or a date in it like 2026-02-04 (default: this week)",
      type: ApplicationCommandOptionType.String,
      autocomplete: true,
      max_length: 20,
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/** The server's recap time zone, or UTC where none is set (and in the CLI). */
async function timeZoneOf(caller: Caller, ctx: AppContext): Promise<string> {
  if (!caller.guildId) return "UTC";
  const settings = await getRecapSettings(ctx.store, caller.guildId, ctx.reportProblem);
  return settings?.schedule.timeZone ?? "UTC";
}

async function preview(
  caller: Caller,
  ctx: AppContext,
  week: IsoWeek,
  page: number,
): Promise<Reply> {
  const timeZone = await timeZoneOf(caller, ctx);
  const recap = await recapFor(ctx, caller.guildId, week, timeZone);
  const pages = recapPages(recap, { quietMode: "line" });
  const current = Math.min(Math.max(page, 0), pages.length - 1);
  const shown = pages[current]!;
  const key = formatWeek(week);
  const paging = buttonRows(pagerButtons((n) => `recap:page:${key}:${n}`, current, pages.length));
  return {
    payload: {
      ...shown,
      embeds: shown.embeds ? fitEmbeds(shown.embeds) : undefined,
      components: [...(current === 0 ? recapSelect(recap) : []), ...paging],
      flags: MessageFlags.Ephemeral,
    },
  };
}

/** This week, last week, and recent weeks that had releases, newest first. */
async function weekChoices(caller: Caller, ctx: AppContext, typed: string): Promise<Choice[]> {
  const timeZone = await timeZoneOf(caller, ctx);
  const now = weekOf(ctx.now(), timeZone);
  const counts = new Map<string, number>();
  for (const model of (await knowledgeFor(caller, ctx)).catalog.models) {
    const released = model.released?.value;
    if (released?.precision !== "day") continue;
    const key = formatWeek(weekOfDate(released.date));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const label = (week: IsoWeek, note: string) => {
    const key = formatWeek(week);
    const span = weekSpan(weekRange(week, timeZone).startDate);
    const releases = counts.get(key);
    const extra = [note, releases ? `${releases} release${releases === 1 ? "" : "s"}` : ""]
      .filter(Boolean)
      .join(", ");
    return { name: `${key} · ${span}${extra ? ` (${extra})` : ""}`, value: key };
  };
  const choices = [label(now, "this week"), label(shiftWeek(now, -1), "last week")];
  for (const key of [...counts.keys()].sort().reverse()) {
    const week = parseWeekKey(key);
    if (week && !choices.some((c) => c.value === key)) choices.push(label(week, ""));
  }
  const wanted = typed.trim().toLowerCase();
  return choices.filter((c) => c.name.toLowerCase().includes(wanted)).slice(0, 25);
}

export const recap: CommandModule = {
  definition,
  examples: ["/recap week:2026-W06"],
  privateReplies: true,
  heavy: true,
  async execute(call, ctx) {
    const typed = stringOption(call, "week");
    const timeZone = await timeZoneOf(call, ctx);
    const week = typed ? parseWeek(typed, timeZone, ctx.now()) : weekOf(ctx.now(), timeZone);
    return preview(call, ctx, week, 0);
  },
  async autocomplete(call, ctx) {
    return weekChoices(call, ctx, call.focused.value);
  },
  autocompleteFallback() {
    return [];
  },
  async component(call, ctx) {
    const [, action, key = "", pageText] = call.customId.split(":");
    if (action === "open") {
      const knowledge = await knowledgeFor(call, ctx);
      const entry = knowledge.get(call.values[0] ?? "");
      if (!entry) throw new UserError("That entry is no longer in this server's catalogue.");
      const card = cardFor(entry, knowledge, ctx);
      return { payload: { ...card.payload, flags: MessageFlags.Ephemeral } };
    }
    const week = parseWeekKey(key);
    const page = Number(pageText);
    if (action !== "page" || !week || !Number.isInteger(page) || page < 0)
      throw new StaleInteractionError(`recap button "${call.customId}" does not parse`);
    return { ...(await preview(call, ctx, week, page)), update: true };
  },
};
