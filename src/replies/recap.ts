import {
  ComponentType,
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type APISelectMenuOption,
} from "discord-api-types/v10";
import { LIMITS } from "../discord/limits.js";
import { message, type MessagePayload } from "../discord/payload.js";
import {
  addedDate,
  type Recap,
  type RecapAdded,
  type RecapReading,
  type RecapRelease,
} from "../recap/content.js";
import { addDays, formatWeek } from "../recap/week.js";
import { formatDate } from "../text/dates.js";
import { markdownLink } from "../text/links.js";
import { escapeMarkdown, squashWhitespace } from "../text/markdown.js";
import { truncate } from "../text/truncate.js";

const RECAP_COLOUR = 0x5865f2;
export const RECAP_SELECT_ID = "recap:open";
/** A page's description stops here; title and footer keep the embed far below 6000 in total. */
const PAGE_BUDGET = LIMITS.embedDescription;
/** No single line may approach a page on its own. */
const LINE_MAX = 1000;

export interface RecapPageOptions {
  /** A quiet week: one short line (`line`), or nothing at all (`silent`). */
  readonly quietMode: "line" | "silent";
}

/** Data text (names, titles, summaries, sources: some come from moderators) made inert. */
function text(value: string, max = 200): string {
  return escapeMarkdown(truncate(squashWhitespace(value), max), { atLineStart: false });
}

/** "5 Feb". */
function dayMonth(date: string): string {
  return formatDate(date, "day").replace(/ \d+$/, "");
}

/** "2–8 Feb 2026", "26 Jan – 1 Feb 2026" or "29 Dec 2025 – 4 Jan 2026". */
export function weekSpan(startDate: string): string {
  const last = addDays(startDate, 6);
  if (startDate.slice(0, 4) !== last.slice(0, 4))
    return `${formatDate(startDate)} – ${formatDate(last)}`;
  if (startDate.slice(0, 7) !== last.slice(0, 7))
    return `${dayMonth(startDate)} – ${formatDate(last)}`;
  return `${Number(startDate.slice(8))}–${formatDate(last)}`;
}

export function recapTitle(recap: Pick<Recap, "week" | "range">): string {
  return `Weekly recap · ${formatWeek(recap.week)} (${weekSpan(recap.range.startDate)})`;
}

/** A run of lines under an optional bold header, repeated with "(continued)" on a new page. */
interface Group {
  readonly header?: string;
  readonly lines: string[];
}

interface Section {
  readonly heading: string;
  readonly groups: Group[];
}

function releaseLine(item: RecapRelease): string {
  return `${text(item.name, 100)} (${dayMonth(item.date)}): ${text(item.summary, 160)}`;
}

function addedBy(id: string): string {
  // A user id shows as the member's name; embeds never ping, and replies allow no mentions.
  return /^\d{15,22}$/.test(id) ? `<@${id}>` : text(id, 60);
}

function addedLine(recap: Recap, item: RecapAdded): string {
  const what = [item.kind === "model" ? "model" : "lab", ...item.labs.map((l) => text(l, 60))];
  return `• ${text(item.name, 100)} (${what.join(", ")}) — by ${addedBy(item.addedBy)}, ${dayMonth(addedDate(recap, item))}`;
}

function sections(recap: Recap): Section[] {
  const out: Section[] = [];
  if (recap.releases.length) {
    out.push({
      heading: "New releases",
      groups: recap.releases.map((g): Group => {
        const lab = g.lab ? `**${text(g.lab.name, 100)}**` : "**Other**";
        return g.items.length === 1
          ? { lines: [`${lab} — ${releaseLine(g.items[0]!)}`] }
          : { header: lab, lines: g.items.map((i) => `• ${releaseLine(i)}`) };
      }),
    });
  }
  if (recap.added.length) {
    out.push({
      heading: "Added by moderators",
      groups: [{ lines: recap.added.map((a) => addedLine(recap, a)) }],
    });
  }
  const readingLine = (doc: RecapReading) => {
    const models = doc.topModels.map((m) => `${text(m.name, 100)} (${m.count})`);
    return (
      `• ${markdownLink(text(doc.title), doc.url)} — ${text(doc.source, 100)}, ${dayMonth(doc.date)}` +
      (models.length ? ` · names ${models.join(", ")}` : "")
    );
  };
  if (recap.gathered.length) {
    out.push({
      heading: "New from feeds",
      groups: [{ lines: recap.gathered.map(readingLine) }],
    });
  }
  if (recap.reading.length) {
    out.push({
      heading: "What the reading covered",
      groups: [{ lines: recap.reading.map(readingLine) }],
    });
  }
  if (recap.bookmarks.length) {
    out.push({
      heading: "Most bookmarked",
      groups: [
        {
          lines: recap.bookmarks.map(
            (b) =>
              `• ${markdownLink(text(b.title), b.url)} — ${b.count} bookmark${b.count === 1 ? "" : "s"}`,
          ),
        },
      ],
    });
  }
  if (recap.openCandidates > 0) {
    const n = recap.openCandidates;
    out.push({
      heading: "For moderators",
      groups: [
        {
          lines: [
            `${n.toLocaleString("en")} possible new model${n === 1 ? "" : "s"} or lab${n === 1 ? "" : "s"} from feeds ${n === 1 ? "waits" : "wait"} to be added or dismissed: \`/entry candidates\`.`,
          ],
        },
      ],
    });
  }
  return out;
}

/**
 * Splits the sections into page descriptions of at most `budget` characters, whole lines only.
 * A heading always comes with at least one of its lines; a section or group cut by a page break
 * repeats its heading with "(continued)" on the next page.
 */
function paginate(all: Section[], budget: number): string[] {
  const pages: string[][] = [];
  let page: string[] = [];
  let length = 0;
  let shownSection: Section | undefined;
  let shownGroup: Group | undefined;
  const flush = () => {
    if (page.length) pages.push(page);
    page = [];
    length = 0;
    shownSection = undefined;
    shownGroup = undefined;
  };
  for (const section of all) {
    let sectionStarted = false;
    for (const group of section.groups) {
      let groupStarted = false;
      for (const raw of group.lines) {
        const line = truncate(raw, LINE_MAX);
        const needed = (): string[] => {
          const lines: string[] = [];
          if (shownSection !== section) {
            if (page.length) lines.push("");
            lines.push(`### ${section.heading}${sectionStarted ? " (continued)" : ""}`);
          }
          if (group.header && shownGroup !== group)
            lines.push(`${group.header}${groupStarted ? " (continued)" : ""}`);
          lines.push(line);
          return lines;
        };
        const cost = (lines: string[]) =>
          lines.reduce((n, l) => n + l.length, 0) + lines.length - (page.length ? 0 : 1);
        let lines = needed();
        if (page.length && length + cost(lines) > budget) {
          flush();
          lines = needed();
        }
        page.push(...lines);
        length += cost(lines);
        shownSection = section;
        shownGroup = group;
        sectionStarted = true;
        groupStarted = true;
      }
    }
  }
  flush();
  return pages.map((p) => p.join("\n"));
}

/**
 * The recap as messages, one per page, each within every Discord limit. Long weeks are split
 * over several messages rather than cut; each page then says "Page 2/3" in its footer. A quiet
 * week gives one short line (`line`) or no message at all (`silent`).
 */
export function recapPages(recap: Recap, options: RecapPageOptions): MessagePayload[] {
  if (recap.quiet) {
    return options.quietMode === "silent"
      ? []
      : [
          message({
            content: `A quiet week: no new releases or reading in ${formatWeek(recap.week)}.`,
          }),
        ];
  }
  const title = recapTitle(recap);
  const pages = paginate(sections(recap), PAGE_BUDGET);
  return pages.map((description, i) => {
    const embed: APIEmbed = { title, color: RECAP_COLOUR, description };
    if (pages.length > 1) embed.footer = { text: `Page ${i + 1}/${pages.length}` };
    return message({ embeds: [embed] });
  });
}

/**
 * Which page of which week's recap a posted message is (the reverse of `recapPages`), read from
 * what every page shows: the week in the title (or the quiet line) and "Page n/m" in the footer.
 */
export function recapPageOf(message: {
  content?: string | null;
  embeds?: readonly APIEmbed[] | null;
}): { week: string; page: number } | undefined {
  const quiet = /^A quiet week: no new releases or reading in (\d{4}-W\d{2})\.$/.exec(
    message.content ?? "",
  );
  if (quiet) return { week: quiet[1]!, page: 0 };
  const embed = message.embeds?.[0];
  const week = /^Weekly recap · (\d{4}-W\d{2}) \(/.exec(embed?.title ?? "");
  if (!week) return undefined;
  const footer = /^Page (\d+)\/\d+$/.exec(embed?.footer?.text ?? "");
  return { week: week[1]!, page: footer ? Number(footer[1]) - 1 : 0 };
}

/**
 * A select menu to open the card of any entry released or added that week, newest first (up to
 * 25), or no row at all when there is none. The caller attaches it to the first page; the value
 * is the entry id, to be resolved in the server's view of the catalogue.
 */
export function recapSelect(recap: Recap): APIActionRowComponent<APIComponentInMessageActionRow>[] {
  const candidates: Array<{
    id: string;
    name: string;
    kind: "model" | "lab";
    labs: string[];
    date: string;
    order: number;
  }> = [];
  for (const group of recap.releases)
    for (const item of group.items) candidates.push({ ...item, order: 0 });
  for (const item of recap.added)
    candidates.push({ ...item, date: addedDate(recap, item), order: 1 });
  candidates.sort(
    (a, b) =>
      b.date.localeCompare(a.date) || a.order - b.order || a.name.localeCompare(b.name, "en"),
  );
  const seen = new Set<string>();
  const options: APISelectMenuOption[] = [];
  for (const c of candidates) {
    if (seen.has(c.id) || options.length >= LIMITS.selectOptions) continue;
    seen.add(c.id);
    const kind = c.kind === "model" ? "Model" : "Lab";
    options.push({
      label: truncate(squashWhitespace(c.name), 100),
      value: c.id,
      description: truncate(c.labs.length ? `${kind} · ${c.labs.join(", ")}` : kind, 100),
    });
  }
  if (options.length === 0) return [];
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.StringSelect,
          custom_id: RECAP_SELECT_ID,
          placeholder: "Open a card",
          options,
        },
      ],
    },
  ];
}
