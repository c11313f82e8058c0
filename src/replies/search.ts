import type { APIEmbed } from "discord-api-types/v10";
import type { EntryKind } from "../catalog/load.js";
import { buttonRows, pagerButtons, reply, type Reply } from "../discord/payload.js";
import { commandFor, KIND_LABEL } from "./catalog.js";
import { pageWindow, type SearchResult } from "../search/search.js";
import { formatDate } from "../text/dates.js";
import { markdownLink } from "../text/links.js";
import { defuseMentions, escapeMarkdown } from "../text/markdown.js";
import { truncate } from "../text/truncate.js";

export const SEARCH_PAGE_SIZE = 5;
const EMBED_COLOUR = 0x5865f2;

export interface SearchPageInput {
  readonly result: SearchResult;
  /** 0-based. */
  readonly page: number;
  readonly sessionId: string;
  readonly filters: { source?: string; from?: string; to?: string };
  readonly ephemeral?: boolean;
  /** Catalogue entries the query names, offered as buttons beside the passages. */
  readonly entries?: ReadonlyArray<{ id: string; kind: EntryKind; name: string }>;
}

function entryButtons(entries: SearchPageInput["entries"]) {
  return buttonRows(
    (entries ?? []).slice(0, 3).map((e) => ({
      customId: `${commandFor(e.kind)}:show:${e.id}`,
      label: `${KIND_LABEL[e.kind].replace(/^./, (c) => c.toUpperCase())}: ${e.name}`,
    })),
  );
}

function correctionLine(result: SearchResult): string {
  if (result.corrections.length === 0) return "";
  const fixed = result.corrections.map(
    (c) => `~~${escapeMarkdown(c.from)}~~ → **${escapeMarkdown(c.to)}**`,
  );
  return `Spelling corrected: ${fixed.join(", ")}\n`;
}

function filterLine(filters: SearchPageInput["filters"]): string {
  const parts = [
    filters.source ? `source: ${filters.source}` : "",
    filters.from ? `from ${filters.from}` : "",
    filters.to ? `to ${filters.to}` : "",
  ].filter(Boolean);
  return parts.length ? ` · ${parts.join(" · ")}` : "";
}

/** One page of results: an embed with a field per passage, and Prev/Next buttons. */
export function searchPage({
  result,
  page,
  sessionId,
  filters,
  ephemeral,
  entries,
}: SearchPageInput): Reply {
  const shownQuery = truncate(result.query.replace(/\s+/g, " "), 200);
  if (result.hits.length === 0) {
    const suggestion = result.corrections.length
      ? ` Did you mean **${escapeMarkdown(result.terms.join(" "))}**?`
      : "";
    const catalogue = entries?.length ? " It is in the catalogue, though:" : "";
    return reply({
      ephemeral: true,
      content: `Nothing in the corpus matches **${escapeMarkdown(shownQuery)}**${filterLine(filters)}.${suggestion} Try fewer or broader words.${catalogue}`,
      components: entryButtons(entries),
    });
  }
  const {
    page: current,
    pages,
    from: first,
    to,
  } = pageWindow(result.hits.length, page, SEARCH_PAGE_SIZE);
  const shown = result.hits.slice(first, to);
  const embed: APIEmbed = {
    title: `Search: ${defuseMentions(shownQuery)}`,
    color: EMBED_COLOUR,
    description: correctionLine(result) || undefined,
    fields: shown.map((hit, i) => {
      const doc = hit.document;
      const link = doc.url
        ? `\n${markdownLink(`Read on ${escapeMarkdown(doc.source)}`, doc.url)}`
        : "";
      return {
        name: `${first + i + 1}. ${doc.title} — ${formatDate(doc.date, doc.datePrecision)}`,
        value:
          truncate(hit.snippet, 1024 - link.length - 40) +
          `\n*${escapeMarkdown(doc.source)}*` +
          link,
      };
    }),
    footer: {
      text: `Results ${first + 1}–${first + shown.length} of ${result.hits.length}${filterLine(filters)}`,
    },
  };
  if (!embed.description) delete embed.description;
  const components = buttonRows(
    pagerButtons((n) => `search:page:${sessionId}:${n}`, current, pages),
  );
  return {
    ...reply({ embeds: [embed], components: [...components, ...entryButtons(entries)], ephemeral }),
    answer: { title: truncate(`Search: ${shownQuery}`, 300), query: result.query.slice(0, 300) },
  };
}
