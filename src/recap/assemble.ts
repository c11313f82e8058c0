import type { AppContext } from "../app/context.js";
import { openCandidates } from "../candidates/open.js";
import { jumpLink } from "../replies/bookmarks.js";
import { buildRecap, type Recap } from "./content.js";
import { weekRange, type IsoWeek } from "./week.js";

/** A server's recap of a week from everything the bot knows; without a server, the shipped catalogue. */
export async function recapFor(
  ctx: AppContext,
  guildId: string | null,
  week: IsoWeek,
  timeZone: string,
): Promise<Recap> {
  const range = weekRange(week, timeZone);
  const knowledge = await ctx.catalogs.for(guildId);
  const guildEntries = guildId ? await ctx.catalogs.entries.list(guildId) : [];
  const bookmarks = guildId
    ? (await ctx.bookmarks.mostBookmarked(guildId, range.start, range.end)).map((b) => ({
        title: b.title,
        count: b.count,
        url: jumpLink({ guildId, channelId: b.channelId, messageId: b.messageId }),
      }))
    : [];
  const records = ctx.feedRecords;
  const gathered = records
    ? (await records.items.gatheredBetween(range.start.getTime(), range.end.getTime())).map(
        (g) => g.docId,
      )
    : [];
  const openCount =
    records && guildId ? (await openCandidates(records.candidates, knowledge, guildId)).length : 0;
  return buildRecap({
    week,
    timeZone,
    knowledge,
    guildEntries,
    documents: ctx.corpus.documents,
    bookmarks,
    gathered,
    openCandidates: openCount,
  });
}
