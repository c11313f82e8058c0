import type { CatalogKnowledge } from "../catalog/knowledge.js";
import type { CorpusDocument } from "../corpus/schema.js";
import type { GuildEntryState } from "../entries/repository.js";
import { squashWhitespace } from "../text/markdown.js";
import { localDate, weekRange, type IsoWeek, type WeekRange } from "./week.js";

export const SUMMARY_MAX = 140;
export const TOP_MODELS = 3;
export const TOP_BOOKMARKS = 5;

export interface RecapBookmark {
  readonly title: string;
  readonly url?: string;
  readonly count: number;
}

export interface RecapInput {
  readonly week: IsoWeek;
  readonly timeZone: string;
  /** This server's view of the catalogue (shipped entries with its own changes applied). */
  readonly knowledge: CatalogKnowledge;
  /** This server's moderator changes (for "added this week"). */
  readonly guildEntries: readonly GuildEntryState[];
  /** The corpus documents. */
  readonly documents: readonly CorpusDocument[];
  /** The week's most bookmarked answers in that server, already counted by the caller. */
  readonly bookmarks: readonly RecapBookmark[];
  /** Documents gathered from feeds during the week, by id. */
  readonly gathered?: readonly string[];
  /** Candidate names from feeds waiting for the server's moderators. */
  readonly openCandidates?: number;
}

export interface RecapRelease {
  readonly id: string;
  readonly name: string;
  readonly kind: "model" | "lab";
  /** "YYYY-MM-DD", always day-precise. */
  readonly date: string;
  readonly precision: "day" | "month" | "year";
  /** The entry's summary on one line, at most 140 characters, cut on a word. */
  readonly summary: string;
  /** Names of the model's labs in the entry's order, leaving out labs the server hid. */
  readonly labs: string[];
}

export interface RecapReleaseGroup {
  /** The model's first lab that this server's catalogue has; null when it has none of them. */
  readonly lab: { readonly id: string; readonly name: string } | null;
  readonly items: RecapRelease[];
}

export interface RecapAdded {
  readonly id: string;
  readonly name: string;
  readonly kind: "model" | "lab";
  /** ISO instant. */
  readonly addedAt: string;
  readonly addedBy: string;
  /** For a model, its lab names; empty for a lab. */
  readonly labs: string[];
}

export interface RecapReading {
  readonly docId: string;
  readonly title: string;
  readonly date: string;
  readonly source: string;
  readonly url?: string;
  readonly topModels: Array<{ readonly id: string; readonly name: string; readonly count: number }>;
}

export interface Recap {
  readonly week: IsoWeek;
  readonly timeZone: string;
  readonly range: WeekRange;
  readonly releases: RecapReleaseGroup[];
  readonly added: RecapAdded[];
  /** Documents dated in the week, other than those in `gathered`. */
  readonly reading: RecapReading[];
  /** Documents gathered from feeds during the week, newest document first. */
  readonly gathered: RecapReading[];
  readonly bookmarks: RecapBookmark[];
  /** Candidate names from feeds waiting for the server's moderators (0 outside a server). */
  readonly openCandidates: number;
  /** Nothing in releases, added, reading, gathered or bookmarks. */
  readonly quiet: boolean;
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, "en");

/** One line of at most `max` characters, cut on a word with an ellipsis when too long. */
export function oneLine(text: string, max: number = SUMMARY_MAX): string {
  const flat = squashWhitespace(text);
  if (flat.length <= max) return flat;
  const room = flat.slice(0, max); // one character is left for the ellipsis below
  const space = room.lastIndexOf(" ");
  let cut = space > 0 ? room.slice(0, space) : room.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut.replace(/[\s,;:.\-–—]+$/, "") + "…";
}

/**
 * What happened in a server's week, from its own view of the catalogue. Pure: everything comes in
 * through `input`.
 *
 * A release is listed when its date is day-precise and falls in `[startDate, endDate)` of the week
 * in the server's zone (release dates are calendar dates and compare as strings). Month- and
 * year-precision releases are never listed: they would belong to every week of their month or
 * year. Documents follow the same rule with their `datePrecision`. Entries the server removed are
 * absent from its `knowledge`, so they never appear.
 */
export function buildRecap(input: RecapInput): Recap {
  const { knowledge } = input;
  const range = weekRange(input.week, input.timeZone);
  const inWeek = (date: string) => date >= range.startDate && date < range.endDate;
  const nameOf = (id: string) => knowledge.get(id)?.entry.name ?? id;
  /** Names of the labs the server's catalogue has: a lab it hid is not shown. */
  const labNames = (ids: readonly string[]) =>
    ids.filter((id) => knowledge.get(id)?.kind === "lab").map(nameOf);

  // Releases, grouped by the first lab the server's catalogue has.
  const groups = new Map<string, RecapReleaseGroup>();
  for (const model of knowledge.catalog.models) {
    const released = model.released?.value;
    if (!released || released.precision !== "day" || !inWeek(released.date)) continue;
    const labIds = model.labs.value;
    const labId = labIds.find((id) => knowledge.get(id)?.kind === "lab");
    const key = labId ?? "";
    let group = groups.get(key);
    if (!group) {
      group = { lab: labId ? { id: labId, name: nameOf(labId) } : null, items: [] };
      groups.set(key, group);
    }
    group.items.push({
      id: model.id,
      name: model.name,
      kind: "model",
      date: released.date,
      precision: released.precision,
      summary: oneLine(model.summary),
      labs: labNames(labIds),
    });
  }
  const releases = [...groups.values()];
  for (const g of releases) g.items.sort((a, b) => b.date.localeCompare(a.date) || byName(a, b));
  releases.sort(
    (a, b) =>
      b.items[0]!.date.localeCompare(a.items[0]!.date) ||
      (a.lab === null ? 1 : 0) - (b.lab === null ? 1 : 0) ||
      (a.lab?.name ?? "").localeCompare(b.lab?.name ?? "", "en"),
  );

  // Entries a moderator added during the week that are still active in the server's view.
  const start = range.start.getTime();
  const end = range.end.getTime();
  const added: RecapAdded[] = [];
  for (const state of input.guildEntries) {
    if (state.status !== "active" || !state.addedAt) continue;
    const at = Date.parse(state.addedAt);
    if (!(at >= start && at < end)) continue;
    const current = knowledge.get(state.entryId);
    if (!current || current.kind !== state.kind) continue;
    added.push({
      id: state.entryId,
      name: current.entry.name,
      kind: current.kind,
      addedAt: state.addedAt,
      addedBy: state.addedBy ?? state.updatedBy,
      labs: current.kind === "model" ? labNames(current.entry.labs.value) : [],
    });
  }
  added.sort((a, b) => Date.parse(b.addedAt) - Date.parse(a.addedAt) || byName(a, b));

  // The week's reading, with the models each document names most. What feeds brought in that
  // week is listed on its own, whatever its date.
  const byId = new Map(input.documents.map((d) => [d.id, d]));
  const gatheredDocs = (input.gathered ?? [])
    .map((id) => byId.get(id))
    .filter((d): d is CorpusDocument => d !== undefined);
  const gatheredIds = new Set(gatheredDocs.map((d) => d.id));
  const weekDocs = input.documents.filter(
    (d) => d.datePrecision === "day" && inWeek(d.date) && !gatheredIds.has(d.id),
  );
  const wanted = new Set([...weekDocs, ...gatheredDocs].map((d) => d.id));
  const counts = new Map<string, Map<string, number>>();
  for (const model of knowledge.catalog.models) {
    for (const ref of knowledge.mentions.get(model.id)?.passages ?? []) {
      if (!wanted.has(ref.docId)) continue;
      const perDoc = counts.get(ref.docId) ?? new Map<string, number>();
      perDoc.set(model.id, (perDoc.get(model.id) ?? 0) + ref.count);
      counts.set(ref.docId, perDoc);
    }
  }
  const readingOf = (doc: CorpusDocument): RecapReading => ({
    docId: doc.id,
    title: doc.title,
    date: doc.date,
    source: doc.source,
    ...(doc.url ? { url: doc.url } : {}),
    topModels: [...(counts.get(doc.id) ?? [])]
      .map(([id, count]) => ({ id, name: nameOf(id), count }))
      .sort((a, b) => b.count - a.count || byName(a, b))
      .slice(0, TOP_MODELS),
  });
  const newestFirst = (a: RecapReading, b: RecapReading) =>
    b.date.localeCompare(a.date) ||
    a.title.localeCompare(b.title, "en") ||
    a.docId.localeCompare(b.docId);
  const gathered = gatheredDocs.map(readingOf).sort(newestFirst);
  const reading: RecapReading[] = weekDocs.map(readingOf).sort(newestFirst);

  const bookmarks = input.bookmarks
    .filter((b) => b.count > 0)
    .map((b) => ({ ...b }))
    .sort((a, b) => b.count - a.count || a.title.localeCompare(b.title, "en"))
    .slice(0, TOP_BOOKMARKS);

  return {
    week: input.week,
    timeZone: input.timeZone,
    range,
    releases,
    added,
    reading,
    gathered,
    bookmarks,
    openCandidates: input.openCandidates ?? 0,
    quiet:
      releases.length === 0 &&
      added.length === 0 &&
      reading.length === 0 &&
      gathered.length === 0 &&
      bookmarks.length === 0,
  };
}

/** The local calendar date an entry was added, in the recap's zone (for display and ordering). */
export function addedDate(recap: Pick<Recap, "timeZone">, added: Pick<RecapAdded, "addedAt">) {
  return localDate(new Date(added.addedAt), recap.timeZone);
}
