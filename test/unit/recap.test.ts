import { ComponentType, type APIEmbed } from "discord-api-types/v10";
import { describe, expect, it } from "vitest";
import { buildKnowledge, lazyWords, type CatalogKnowledge } from "../../src/catalog/knowledge.js";
import { buildCatalog } from "../../src/catalog/load.js";
import { indexMentions } from "../../src/catalog/mentions.js";
import type { LabEntry, ModelEntry } from "../../src/catalog/schema.js";
import type { CorpusDocument } from "../../src/corpus/schema.js";
import { LIMITS } from "../../src/discord/limits.js";
import { embedLength, type MessagePayload } from "../../src/discord/payload.js";
import { overlayCatalog } from "../../src/entries/overlay.js";
import type { GuildEntryState } from "../../src/entries/repository.js";
import { UserError } from "../../src/errors.js";
import { buildRecap, oneLine, type Recap, type RecapInput } from "../../src/recap/content.js";
import {
  classifySlot,
  coveredWeek,
  cronExpression,
  dueSlot,
  nextSlot,
  RecapSchedule,
  slotOf,
} from "../../src/recap/schedule.js";
import {
  formatWeek,
  isValidTimeZone,
  localDate,
  parseWeek,
  parseWeekKey,
  weekOf,
  weekRange,
  weeksInYear,
  zonedTime,
  type IsoWeek,
} from "../../src/recap/week.js";
import { recapPageOf, recapPages, recapSelect } from "../../src/replies/recap.js";

const HOUR = 3_600_000;
const W = (year: number, week: number): IsoWeek => ({ year, week });
const at = (iso: string) => new Date(iso);
const iso = (d: Date | undefined) => d?.toISOString();

describe("ISO weeks in a time zone", () => {
  it.each([
    ["UTC", W(2026, 6), "2026-02-02T00:00:00.000Z", "2026-02-09T00:00:00.000Z", 168],
    ["America/New_York", W(2026, 6), "2026-02-02T05:00:00.000Z", "2026-02-09T05:00:00.000Z", 168],
    ["Asia/Tokyo", W(2026, 6), "2026-02-01T15:00:00.000Z", "2026-02-08T15:00:00.000Z", 168],
    ["Pacific/Auckland", W(2026, 6), "2026-02-01T11:00:00.000Z", "2026-02-08T11:00:00.000Z", 168],
    ["Asia/Kolkata", W(2026, 6), "2026-02-01T18:30:00.000Z", "2026-02-08T18:30:00.000Z", 168],
    // Spring forward on Sunday 29 March (02:00 CET → 03:00 CEST): one hour short.
    ["Europe/Berlin", W(2026, 13), "2026-03-22T23:00:00.000Z", "2026-03-29T22:00:00.000Z", 167],
    // Fall back on Sunday 25 October (03:00 CEST → 02:00 CET): one hour long.
    ["Europe/Berlin", W(2026, 43), "2026-10-18T22:00:00.000Z", "2026-10-25T23:00:00.000Z", 169],
    // Spring forward on Sunday 8 March (02:00 EST → 03:00 EDT).
    ["America/New_York", W(2026, 10), "2026-03-02T05:00:00.000Z", "2026-03-09T04:00:00.000Z", 167],
    ["America/New_York", W(2026, 44), "2026-10-26T04:00:00.000Z", "2026-11-02T05:00:00.000Z", 169],
    // New Zealand leaves daylight time on Sunday 5 April (NZDT +13 → NZST +12).
    ["Pacific/Auckland", W(2026, 14), "2026-03-29T11:00:00.000Z", "2026-04-05T12:00:00.000Z", 169],
    ["UTC", W(2026, 53), "2026-12-28T00:00:00.000Z", "2027-01-04T00:00:00.000Z", 168],
    ["Asia/Tokyo", W(2026, 1), "2025-12-28T15:00:00.000Z", "2026-01-04T15:00:00.000Z", 168],
  ])(
    "GIVEN %s and week %o THEN it runs from Monday 00:00 to the next Monday 00:00 local (%s to %s, %i hours)",
    (tz, week, start, end, hours) => {
      const range = weekRange(week, tz);
      expect(iso(range.start)).toBe(start);
      expect(iso(range.end)).toBe(end);
      expect((range.end.getTime() - range.start.getTime()) / HOUR).toBe(hours);
    },
  );

  it("GIVEN a week THEN its calendar dates are its Monday and the next Monday, across a year boundary too", () => {
    expect(weekRange(W(2026, 6), "Pacific/Auckland")).toMatchObject({
      startDate: "2026-02-02",
      endDate: "2026-02-09",
    });
    expect(weekRange(W(2026, 1), "UTC")).toMatchObject({
      startDate: "2025-12-29",
      endDate: "2026-01-05",
    });
    expect(weekRange(W(2026, 53), "UTC")).toMatchObject({
      startDate: "2026-12-28",
      endDate: "2027-01-04",
    });
  });

  it.each([
    // Sunday 8 Feb 20:00 UTC is already Monday 9 Feb east of UTC+4.
    ["2026-02-08T20:00:00Z", "UTC", "2026-02-08", "2026-W06"],
    ["2026-02-08T20:00:00Z", "America/New_York", "2026-02-08", "2026-W06"],
    ["2026-02-08T20:00:00Z", "Asia/Tokyo", "2026-02-09", "2026-W07"],
    ["2026-02-08T20:00:00Z", "Pacific/Auckland", "2026-02-09", "2026-W07"],
    ["2026-02-08T18:29:59Z", "Asia/Kolkata", "2026-02-08", "2026-W06"],
    ["2026-02-08T18:30:00Z", "Asia/Kolkata", "2026-02-09", "2026-W07"],
    ["2026-12-31T23:30:00Z", "Asia/Tokyo", "2027-01-01", "2026-W53"],
    ["2027-01-03T23:30:00Z", "Asia/Tokyo", "2027-01-04", "2027-W01"],
    ["2027-01-03T23:30:00Z", "America/New_York", "2027-01-03", "2026-W53"],
    ["2025-12-29T00:00:00Z", "UTC", "2025-12-29", "2026-W01"],
    ["2021-01-03T12:00:00Z", "UTC", "2021-01-03", "2020-W53"],
  ])(
    "GIVEN the instant %s in %s THEN its local date is %s, in week %s",
    (instant, tz, date, week) => {
      expect(localDate(at(instant), tz)).toBe(date);
      expect(formatWeek(weekOf(at(instant), tz))).toBe(week);
    },
  );

  it("GIVEN years THEN 2026 and 2020 have 53 weeks, 2025 and 2027 have 52", () => {
    expect([2020, 2025, 2026, 2027].map(weeksInYear)).toEqual([53, 52, 53, 52]);
  });

  it.each([
    // A time skipped by spring forward: the moment the clocks jump.
    ["2026-03-29", "02:30", "Europe/Berlin", "2026-03-29T01:00:00.000Z"],
    ["2026-03-08", "02:30", "America/New_York", "2026-03-08T07:00:00.000Z"],
    ["2026-09-27", "02:15", "Pacific/Auckland", "2026-09-26T14:00:00.000Z"],
    // A time that happens twice in a fall back: the first occurrence (still daylight time).
    ["2026-10-25", "02:30", "Europe/Berlin", "2026-10-25T00:30:00.000Z"],
    ["2026-11-01", "01:30", "America/New_York", "2026-11-01T05:30:00.000Z"],
    // Ordinary times, half-hour zone included.
    ["2026-03-29", "03:00", "Europe/Berlin", "2026-03-29T01:00:00.000Z"],
    ["2026-02-04", "09:15", "Asia/Kolkata", "2026-02-04T03:45:00.000Z"],
    ["2026-02-04", "00:00", "Pacific/Auckland", "2026-02-03T11:00:00.000Z"],
  ])("GIVEN %s %s in %s THEN the instant is %s", (date, time, tz, expected) => {
    expect(iso(zonedTime(date, time, tz))).toBe(expected);
  });

  it("GIVEN zone names THEN only real IANA zones are valid", () => {
    expect(["UTC", "Europe/Berlin", "Asia/Kolkata"].map(isValidTimeZone)).toEqual([
      true,
      true,
      true,
    ]);
    expect(["Mars/Olympus", "", "Europe/Berlin ", "x".repeat(200)].map(isValidTimeZone)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

describe("parseWeekKey", () => {
  it("GIVEN week keys as the bot writes them THEN only real weeks parse", () => {
    expect(parseWeekKey("2026-W06")).toEqual(W(2026, 6));
    expect(parseWeekKey("2026-W53")).toEqual(W(2026, 53));
    for (const key of ["2026-W99", "0000-W01", "2025-W53", "2026-W00", "2026-w06", "2026-W6"])
      expect(parseWeekKey(key), key).toBeUndefined();
  });
});

describe("parseWeek", () => {
  it.each([
    ["2026-W06", "2026-W06"],
    ["2026-w6", "2026-W06"],
    ["2026W06", "2026-W06"],
    [" 2026-W06-3 ", "2026-W06"],
    ["2026-02-04", "2026-W06"],
    ["2026-2-8", "2026-W06"],
    ["2026-W53", "2026-W53"],
    ["2027-01-01", "2026-W53"],
    ["2025-12-29", "2026-W01"],
    ["2024-02-29", "2024-W09"],
  ])("GIVEN %j THEN it reads as %s", (input, expected) => {
    expect(formatWeek(parseWeek(input, "Europe/Berlin"))).toBe(expected);
  });

  it("GIVEN 'this week' or 'last week' and the time now THEN the weeks are read in the server's zone", () => {
    const now = at("2026-02-08T20:00:00Z"); // Sunday in Berlin, Monday in Tokyo
    expect(formatWeek(parseWeek("this week", "Europe/Berlin", now))).toBe("2026-W06");
    expect(formatWeek(parseWeek("This Week", "Asia/Tokyo", now))).toBe("2026-W07");
    expect(formatWeek(parseWeek("last week", "Asia/Tokyo", now))).toBe("2026-W06");
    expect(formatWeek(parseWeek("last", "UTC", at("2026-01-01T12:00:00Z")))).toBe("2025-W52");
  });

  it.each([
    ["2026-W54", /2026 has weeks 1 to 53/],
    ["2025-W53", /2025 has weeks 1 to 52/],
    ["2026-W00", /2026 has weeks 1 to 53/],
    ["2026-W06-8", /1 \(Monday\) to 7 \(Sunday\)/],
    ["2026-13-01", /is not a real date/],
    ["2026-02-30", /is not a real date/],
    ["2025-02-29", /is not a real date/],
    ["0999-W01", /year must be between 1000 and 9999/],
    ["junk", /Write a week like 2026-W06 or a date like 2026-02-04 \(got "junk"\)/],
    ["", /Write a week like 2026-W06/],
    ["2026-W6x", /Write a week like 2026-W06/],
    ["this week", /Write a week like 2026-W06/], // no clock given
    ["x".repeat(200), /Write a week like 2026-W06/],
  ])("GIVEN %j THEN it is refused with a UserError matching %s", (input, message) => {
    expect(() => parseWeek(input, "UTC")).toThrow(UserError);
    expect(() => parseWeek(input, "UTC")).toThrow(message);
  });

  it("GIVEN 200 characters or markdown THEN the error message quotes at most 40 of them, inert", () => {
    const long = (() => {
      try {
        parseWeek("y".repeat(200), "UTC");
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(long!.length).toBeLessThan(120);
    const pinging = (() => {
      try {
        parseWeek("@everyone **", "UTC");
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(pinging).toBe(
      'Write a week like 2026-W06 or a date like 2026-02-04 (got "@\u200beveryone \\*\\*").',
    );
  });
});

describe("the weekly slot", () => {
  const mondayBerlin: RecapSchedule = { day: 1, time: "09:00", timeZone: "Europe/Berlin" };
  const fridayNewYork: RecapSchedule = { day: 5, time: "17:00", timeZone: "America/New_York" };
  const sundayGap: RecapSchedule = { day: 7, time: "02:30", timeZone: "Europe/Berlin" };

  it("GIVEN schedules THEN the slot is the local weekday and time of the week", () => {
    expect(iso(slotOf(W(2026, 6), mondayBerlin))).toBe("2026-02-02T08:00:00.000Z");
    expect(iso(slotOf(W(2026, 6), fridayNewYork))).toBe("2026-02-06T22:00:00.000Z");
    expect(iso(slotOf(W(2026, 14), mondayBerlin))).toBe("2026-03-30T07:00:00.000Z"); // CEST
    expect(iso(slotOf(W(2026, 53), fridayNewYork))).toBe("2027-01-01T22:00:00.000Z");
  });

  it("GIVEN a slot inside the spring-forward gap THEN it moves to the moment the clocks jump", () => {
    expect(iso(slotOf(W(2026, 13), sundayGap))).toBe("2026-03-29T01:00:00.000Z");
    expect(nextSlot(sundayGap, at("2026-03-28T12:00:00Z"))).toEqual({
      week: W(2026, 13),
      at: at("2026-03-29T01:00:00Z"),
    });
    expect(nextSlot(sundayGap, at("2026-03-29T01:00:00Z"))).toEqual({
      week: W(2026, 14),
      at: at("2026-04-05T00:30:00Z"),
    });
    expect(dueSlot(sundayGap, at("2026-03-29T05:00:00Z"))).toEqual({
      week: W(2026, 13),
      at: at("2026-03-29T01:00:00Z"),
    });
  });

  it.each([
    ["2026-02-02T07:59:59.999Z", W(2026, 6), "2026-02-02T08:00:00.000Z"],
    // Strictly after: at the slot itself, the next one is a week later.
    ["2026-02-02T08:00:00.000Z", W(2026, 7), "2026-02-09T08:00:00.000Z"],
    ["2026-02-08T22:59:00.000Z", W(2026, 7), "2026-02-09T08:00:00.000Z"],
    ["2026-12-31T12:00:00.000Z", W(2027, 1), "2027-01-04T08:00:00.000Z"],
    // Across the spring forward: 09:00 CET then 09:00 CEST.
    ["2026-03-23T08:00:00.000Z", W(2026, 14), "2026-03-30T07:00:00.000Z"],
  ])(
    "GIVEN the time %s THEN the next Monday 09:00 Berlin slot is %o at %s",
    (after, week, expected) => {
      expect(nextSlot(mondayBerlin, at(after))).toEqual({ week, at: at(expected) });
    },
  );

  it.each([
    ["2026-02-02T08:00:00.000Z", { week: W(2026, 6), at: at("2026-02-02T08:00:00Z") }],
    ["2026-02-03T07:59:59.999Z", { week: W(2026, 6), at: at("2026-02-02T08:00:00Z") }],
    ["2026-02-03T08:00:00.000Z", undefined],
    ["2026-02-02T07:59:59.999Z", undefined],
  ])("GIVEN the time %s THEN the due slot with a 24-hour grace is %o", (now, expected) => {
    expect(dueSlot(mondayBerlin, at(now))).toEqual(expected);
  });

  it("GIVEN a longer grace THEN a restart a week late still finds the missed slot", () => {
    expect(dueSlot(mondayBerlin, at("2026-02-02T07:59:00Z"), 8 * 24 * HOUR)).toEqual({
      week: W(2026, 5),
      at: at("2026-01-26T08:00:00Z"),
    });
  });

  it.each([
    ["2026-02-02T07:59:59.999Z", "future"],
    ["2026-02-02T08:00:00.000Z", "due"],
    ["2026-02-02T20:00:00.000Z", "due"],
    ["2026-02-03T07:59:59.999Z", "due"],
    ["2026-02-03T08:00:00.000Z", "too-late"],
  ])("GIVEN the time %s and a slot at 08:00Z on 2 Feb THEN it is %s", (now, expected) => {
    expect(classifySlot(at("2026-02-02T08:00:00Z"), at(now), 24 * HOUR)).toBe(expected);
  });

  it("GIVEN schedules THEN the cron expression has minute, hour and a Sunday-0 weekday", () => {
    expect(cronExpression(mondayBerlin)).toBe("0 9 * * 1");
    expect(cronExpression(sundayGap)).toBe("30 2 * * 0");
    expect(cronExpression({ day: 6, time: "23:05", timeZone: "UTC" })).toBe("5 23 * * 6");
  });

  it.each([
    // A Monday post covers the week that just ended.
    ["2026-02-09T08:00:00Z", "Europe/Berlin", "2026-W06"],
    ["2027-01-04T08:00:00Z", "Europe/Berlin", "2026-W53"],
    // A Friday post covers the current week.
    ["2026-02-06T22:00:00Z", "America/New_York", "2026-W06"],
    // Tuesday 00:30 in Tokyo is Monday 15:30 UTC: the zone decides.
    ["2026-02-09T15:30:00Z", "Asia/Tokyo", "2026-W07"],
    ["2026-02-09T15:30:00Z", "UTC", "2026-W06"],
  ])("GIVEN a slot at %s in %s THEN its recap covers %s", (slot, tz, week) => {
    expect(formatWeek(coveredWeek(at(slot), tz))).toBe(week);
  });

  it("GIVEN stored schedules THEN the schema accepts only weekdays 1–7, HH:MM and real zones", () => {
    expect(RecapSchedule.safeParse(mondayBerlin).success).toBe(true);
    for (const bad of [
      { ...mondayBerlin, day: 0 },
      { ...mondayBerlin, day: 8 },
      { ...mondayBerlin, time: "24:00" },
      { ...mondayBerlin, time: "9:00" },
      { ...mondayBerlin, timeZone: "Mars/Olympus" },
    ])
      expect(RecapSchedule.safeParse(bad).success).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Recap content, on a small hand-made catalogue.

const lab = (id: string, name: string): LabEntry => ({
  id,
  name,
  aliases: [],
  kind: { value: "company", confidence: "external" },
  summary: `${name} is a lab used by the recap tests.`,
  highlights: [],
});

const model = (
  id: string,
  name: string,
  labs: string[],
  date: string,
  precision: "day" | "month" | "year" = "day",
  summary = `${name} is a model used by the recap tests.`,
): ModelEntry => ({
  id,
  name,
  aliases: [],
  labs: { value: labs, confidence: "external" },
  released: { value: { date, precision }, confidence: "external" },
  summary,
  highlights: [],
});

const doc = (
  id: string,
  title: string,
  date: string,
  datePrecision: "day" | "month" | "year" = "day",
  url?: string,
): CorpusDocument => ({
  id,
  title,
  source: "Lab Notes",
  date,
  datePrecision,
  dateBasis: "stated",
  kind: "essay",
  format: "text",
  file: `${id}.txt`,
  ...(url ? { url } : {}),
});

const LONG_SUMMARY =
  "Claude Opus 4.6 is Anthropic's flagship model of early 2026, with a million-token context window, stronger agentic coding and a new effort setting that trades speed for depth.";

const shippedLabs = [
  lab("anthropic", "Anthropic"),
  lab("openai", "OpenAI"),
  lab("meta", "Meta"),
  lab("ghost-lab", "Ghost Lab"),
];
const shippedModels = [
  model("claude-opus-4-6", "Claude Opus 4.6", ["anthropic"], "2026-02-05", "day", LONG_SUMMARY),
  model("claude-haiku-5", "Claude Haiku 5", ["anthropic"], "2026-02-05"),
  model("claude-sonnet-5", "Claude Sonnet 5", ["anthropic"], "2026-02-03"),
  model("gpt-5-3", "GPT-5.3", ["openai"], "2026-02-08"),
  model("joint-model", "Joint Model", ["meta", "anthropic"], "2026-02-04"),
  model("mystery", "Mystery", ["ghost-lab"], "2026-02-02"),
  model("llama-month", "Llama Month", ["meta"], "2026-02-01", "month"),
  model("old-model", "Old Model", ["openai"], "2026-02-01"),
  model("next-week", "Next Week", ["openai"], "2026-02-09"),
  model("withdrawn", "Withdrawn", ["anthropic"], "2026-02-06"),
];

const state = (over: Partial<GuildEntryState> & Pick<GuildEntryState, "entryId">) =>
  ({
    kind: "model",
    version: 1,
    status: "active",
    updatedAt: "2026-02-03T10:00:00.000Z",
    updatedBy: "111111111111111111",
    ...over,
  }) as GuildEntryState;

const guildEntries: GuildEntryState[] = [
  state({
    entryId: "local-model",
    entry: model("local-model", "Local Model", ["openai"], "2025-12-01"),
    addedAt: "2026-02-03T10:00:00.000Z",
    addedBy: "123456789012345678",
  }),
  // Sunday 23:30 in Berlin: still this week.
  state({
    entryId: "new-lab",
    kind: "lab",
    entry: lab("new-lab", "New Lab"),
    addedAt: "2026-02-08T22:30:00.000Z",
    addedBy: "mod-2",
  }),
  // Monday 00:00 in Berlin: next week.
  state({
    entryId: "late-model",
    entry: model("late-model", "Late Model", ["openai"], "2025-12-01"),
    addedAt: "2026-02-08T23:00:00.000Z",
    addedBy: "mod-2",
  }),
  // Added this week, then removed.
  state({ entryId: "gone-model", status: "removed", addedAt: "2026-02-04T10:00:00.000Z" }),
  // A shipped entry the server hid; a shipped lab the server hid.
  state({ entryId: "withdrawn", status: "removed" }),
  state({ entryId: "ghost-lab", kind: "lab", status: "removed" }),
  // A shipped entry the server edited (never added).
  state({
    entryId: "claude-sonnet-5",
    entry: model("claude-sonnet-5", "Claude Sonnet 5", ["anthropic"], "2026-02-03"),
  }),
];

const documents = [
  doc("opus-week", "The Opus week", "2026-02-06", "day", "https://example.com/opus-(week)"),
  doc("quiet-note", "A note with no models", "2026-02-02"),
  doc("monday-next", "Next Monday", "2026-02-09"),
  doc("february", "February in review", "2026-02-01", "month"),
  doc("sunday", "Sunday reading", "2026-02-08"),
];

const passages = [
  {
    docId: "opus-week",
    ordinal: 0,
    date: "2026-02-06",
    text: "Claude Opus 4.6 leads. Claude Opus 4.6 again, then Claude Opus 4.6 once more. Anthropic says so.",
  },
  {
    docId: "opus-week",
    ordinal: 1,
    date: "2026-02-06",
    text: "Compared with GPT-5.3, Joint Model and Claude Sonnet 5, it wins.",
  },
  { docId: "sunday", ordinal: 0, date: "2026-02-08", text: "Joint Model and Mystery, briefly." },
  { docId: "monday-next", ordinal: 0, date: "2026-02-09", text: "Claude Opus 4.6 everywhere." },
  { docId: "february", ordinal: 0, date: "2026-02-01", text: "Claude Haiku 5 in February." },
];

function knowledgeFor(models: ModelEntry[], labs: LabEntry[], states: GuildEntryState[]) {
  const catalog = overlayCatalog(buildCatalog(models, labs), states);
  return buildKnowledge(catalog, indexMentions(catalog, passages), lazyWords(passages));
}

const knowledge: CatalogKnowledge = knowledgeFor(shippedModels, shippedLabs, guildEntries);

const input = (over: Partial<RecapInput> = {}): RecapInput => ({
  week: W(2026, 6),
  timeZone: "Europe/Berlin",
  knowledge,
  guildEntries,
  documents,
  bookmarks: [
    { title: "Which model for code?", url: "https://example.com/a", count: 3 },
    { title: "Alpha", count: 3 },
    { title: "Context windows", count: 5 },
    { title: "Zero", count: 0 },
    { title: "Beta", count: 1 },
    { title: "Gamma", count: 2 },
    { title: "Delta", count: 1 },
  ],
  ...over,
});

describe("buildRecap", () => {
  const recap = buildRecap(input());

  it("GIVEN the week THEN releases are grouped by first lab, groups by newest release, items newest first then by name", () => {
    expect(
      recap.releases.map((g) => [g.lab?.name ?? null, g.items.map((i) => `${i.name} ${i.date}`)]),
    ).toEqual([
      ["OpenAI", ["GPT-5.3 2026-02-08"]],
      [
        "Anthropic",
        ["Claude Haiku 5 2026-02-05", "Claude Opus 4.6 2026-02-05", "Claude Sonnet 5 2026-02-03"],
      ],
      ["Meta", ["Joint Model 2026-02-04"]],
      // Its only lab is hidden in this server.
      [null, ["Mystery 2026-02-02"]],
    ]);
    expect(recap.releases[2]!.items[0]!.labs).toEqual(["Meta", "Anthropic"]);
    expect(recap.range.startDate).toBe("2026-02-02");
  });

  it("GIVEN month precision, other weeks, removed entries and a hidden lab THEN none of them is listed", () => {
    const ids = recap.releases.flatMap((g) => g.items.map((i) => i.id));
    for (const id of ["llama-month", "old-model", "next-week", "withdrawn"])
      expect(ids).not.toContain(id);
  });

  it("GIVEN a model whose only lab the server hid THEN it is listed under no lab, last", () => {
    const visible = knowledgeFor(
      shippedModels,
      shippedLabs,
      guildEntries.filter((s) => s.entryId !== "ghost-lab"),
    );
    const withGhost = buildRecap(input({ knowledge: visible }));
    expect(withGhost.releases.map((g) => g.lab?.id ?? null)).toEqual([
      "openai",
      "anthropic",
      "meta",
      "ghost-lab",
    ]);
    const hidden = knowledgeFor(
      shippedModels.filter((m) => m.id === "mystery"),
      [],
      [],
    );
    expect(buildRecap(input({ knowledge: hidden })).releases).toEqual([
      {
        lab: null,
        items: [
          {
            id: "mystery",
            name: "Mystery",
            kind: "model",
            date: "2026-02-02",
            precision: "day",
            summary: "Mystery is a model used by the recap tests.",
            labs: [],
          },
        ],
      },
    ]);
  });

  it("GIVEN a long summary THEN it is one line of at most 140 characters, cut on a word", () => {
    const opus = recap.releases[1]!.items[1]!;
    expect(opus.summary).toBe(
      "Claude Opus 4.6 is Anthropic's flagship model of early 2026, with a million-token context window, stronger agentic coding and a new effort…",
    );
    expect(opus.summary.length).toBeLessThanOrEqual(140);
    expect(oneLine("word ".repeat(100), 20)).toBe("word word word word…");
    expect(oneLine("x".repeat(300), 10)).toBe("xxxxxxxxx…");
    expect(oneLine("two\nlines  here")).toBe("two lines here");
  });

  it("GIVEN moderator changes THEN 'added' lists entries added in the week and still active, newest first", () => {
    expect(recap.added).toEqual([
      {
        id: "new-lab",
        name: "New Lab",
        kind: "lab",
        addedAt: "2026-02-08T22:30:00.000Z",
        addedBy: "mod-2",
        labs: [],
      },
      {
        id: "local-model",
        name: "Local Model",
        kind: "model",
        addedAt: "2026-02-03T10:00:00.000Z",
        addedBy: "123456789012345678",
        labs: ["OpenAI"],
      },
    ]);
  });

  it("GIVEN the corpus THEN the reading is the week's day-dated documents, newest first, with their top models", () => {
    expect(recap.reading).toEqual([
      {
        docId: "sunday",
        title: "Sunday reading",
        date: "2026-02-08",
        source: "Lab Notes",
        topModels: [
          { id: "joint-model", name: "Joint Model", count: 1 },
          { id: "mystery", name: "Mystery", count: 1 },
        ],
      },
      {
        docId: "opus-week",
        title: "The Opus week",
        date: "2026-02-06",
        source: "Lab Notes",
        url: "https://example.com/opus-(week)",
        topModels: [
          { id: "claude-opus-4-6", name: "Claude Opus 4.6", count: 3 },
          { id: "claude-sonnet-5", name: "Claude Sonnet 5", count: 1 },
          { id: "gpt-5-3", name: "GPT-5.3", count: 1 },
        ],
      },
      {
        docId: "quiet-note",
        title: "A note with no models",
        date: "2026-02-02",
        source: "Lab Notes",
        topModels: [],
      },
    ]);
  });

  it("GIVEN bookmark counts THEN the top five by count then title are kept, zero counts dropped", () => {
    expect(recap.bookmarks.map((b) => `${b.title} ${b.count}`)).toEqual([
      "Context windows 5",
      "Alpha 3",
      "Which model for code? 3",
      "Gamma 2",
      "Beta 1",
    ]);
    expect(recap.quiet).toBe(false);
  });

  it("GIVEN a week with nothing in it THEN the recap is quiet and every list empty", () => {
    const quiet = buildRecap(input({ week: W(2026, 20), bookmarks: [] }));
    expect(quiet).toMatchObject({
      releases: [],
      added: [],
      reading: [],
      bookmarks: [],
      quiet: true,
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Pages.

function checkLimits(payload: MessagePayload): void {
  const embeds = payload.embeds ?? [];
  expect(embeds.length).toBeLessThanOrEqual(LIMITS.embedsPerMessage);
  expect(payload.content?.length ?? 0).toBeLessThanOrEqual(LIMITS.content);
  expect(payload.allowed_mentions).toEqual({ parse: [] });
  let total = 0;
  for (const e of embeds) {
    expect(e.title?.length ?? 0).toBeLessThanOrEqual(LIMITS.embedTitle);
    expect(e.description?.length ?? 0).toBeLessThanOrEqual(LIMITS.embedDescription);
    expect(e.footer?.text.length ?? 0).toBeLessThanOrEqual(LIMITS.footerText);
    expect(e.fields?.length ?? 0).toBeLessThanOrEqual(LIMITS.embedFields);
    for (const f of e.fields ?? []) {
      expect(f.name.length).toBeLessThanOrEqual(LIMITS.fieldName);
      expect(f.value.length).toBeLessThanOrEqual(LIMITS.fieldValue);
    }
    total += embedLength(e);
  }
  expect(total).toBeLessThanOrEqual(LIMITS.embedTotal);
}

const embedOf = (p: MessagePayload | undefined): APIEmbed => p!.embeds![0]!;

describe("recapPages", () => {
  it("GIVEN the week THEN one page lays out every section, escaped and linked", () => {
    const pages = recapPages(buildRecap(input()), { quietMode: "line" });
    expect(pages).toHaveLength(1);
    checkLimits(pages[0]!);
    const embed = embedOf(pages[0]);
    expect(embed.title).toBe("Weekly recap · 2026-W06 (2–8 Feb 2026)");
    expect(embed.footer).toBeUndefined();
    expect(embed.description).toBe(
      [
        "### New releases",
        "**OpenAI** — GPT-5.3 (8 Feb): GPT-5.3 is a model used by the recap tests.",
        "**Anthropic**",
        "• Claude Haiku 5 (5 Feb): Claude Haiku 5 is a model used by the recap tests.",
        "• Claude Opus 4.6 (5 Feb): Claude Opus 4.6 is Anthropic's flagship model of early 2026, with a million-token context window, stronger agentic coding and a new effort…",
        "• Claude Sonnet 5 (3 Feb): Claude Sonnet 5 is a model used by the recap tests.",
        "**Meta** — Joint Model (4 Feb): Joint Model is a model used by the recap tests.",
        "**Other** — Mystery (2 Feb): Mystery is a model used by the recap tests.",
        "",
        "### Added by moderators",
        "• New Lab (lab) — by mod-2, 8 Feb",
        "• Local Model (model, OpenAI) — by <@123456789012345678>, 3 Feb",
        "",
        "### What the reading covered",
        "• Sunday reading — Lab Notes, 8 Feb · names Joint Model (1), Mystery (1)",
        "• [The Opus week](https://example.com/opus-%28week%29) — Lab Notes, 6 Feb · names Claude Opus 4.6 (3), Claude Sonnet 5 (1), GPT-5.3 (1)",
        "• A note with no models — Lab Notes, 2 Feb",
        "",
        "### Most bookmarked",
        "• Context windows — 5 bookmarks",
        "• Alpha — 3 bookmarks",
        "• [Which model for code?](https://example.com/a) — 3 bookmarks",
        "• Gamma — 2 bookmarks",
        "• Beta — 1 bookmark",
      ].join("\n"),
    );
  });

  it.each([
    [W(2026, 5), "Weekly recap · 2026-W05 (26 Jan – 1 Feb 2026)"],
    [W(2026, 53), "Weekly recap · 2026-W53 (28 Dec 2026 – 3 Jan 2027)"],
  ])("GIVEN week %o THEN the title spells its dates as %s", (week, title) => {
    const recap = buildRecap(input({ week, bookmarks: [{ title: "x", count: 1 }] }));
    expect(embedOf(recapPages(recap, { quietMode: "line" })[0]).title).toBe(title);
  });

  it("GIVEN a quiet week THEN one short line, or nothing in silent mode", () => {
    const quiet = buildRecap(input({ week: W(2026, 20), bookmarks: [] }));
    expect(recapPages(quiet, { quietMode: "line" })).toEqual([
      {
        content: "A quiet week: no new releases or reading in 2026-W20.",
        allowed_mentions: { parse: [] },
      },
    ]);
    expect(recapPageOf(recapPages(quiet, { quietMode: "line" })[0]!)).toEqual({
      week: "2026-W20",
      page: 0,
    });
    expect(recapPageOf({ content: "A quiet week, they say" })).toBeUndefined();
    expect(recapPages(quiet, { quietMode: "silent" })).toEqual([]);
    expect(recapSelect(quiet)).toEqual([]);
  });

  it("GIVEN 200 releases in a week THEN they spread over pages within every limit, all present in order", () => {
    const labs = Array.from({ length: 7 }, (_, i) => lab(`lab-${i}`, `Laboratory Number ${i}`));
    const models = Array.from({ length: 200 }, (_, i) =>
      model(
        `model-${String(i).padStart(3, "0")}`,
        `Model ${String(i).padStart(3, "0")} ${"with a rather long name ".repeat(2).trim()}`,
        [`lab-${i % 7}`, `lab-${(i + 1) % 7}`],
        `2026-02-0${2 + (i % 7)}`,
        "day",
        `This model, number ${i}, has a summary that goes on and on ${"about *many* things ".repeat(30)}`,
      ),
    );
    const recap = buildRecap(
      input({ knowledge: knowledgeFor(models, labs, []), guildEntries: [], documents: [] }),
    );
    const pages = recapPages(recap, { quietMode: "line" });
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) checkLimits(page);
    expect(pages.map((p) => embedOf(p).footer?.text)).toEqual(
      pages.map((_, i) => `Page ${i + 1}/${pages.length}`),
    );
    expect(pages.map((p) => recapPageOf(p))).toEqual(
      pages.map((_, page) => ({ week: formatWeek(recap.week), page })),
    );
    const text = pages.map((p) => embedOf(p).description!).join("\n");
    const shown = [...text.matchAll(/Model (\d{3}) with/g)].map((m) => m[1]);
    const expected = recap.releases.flatMap((g) => g.items.map((i) => i.id.slice(6)));
    expect(shown).toHaveLength(200);
    expect(shown).toEqual(expected);
    expect(new Set(shown).size).toBe(200);
    // A group cut by a page break says so on the next page.
    expect(
      pages
        .slice(1)
        .every((p) => /^### New releases \(continued\)\n/.test(embedOf(p).description!)),
    ).toBe(true);
    const select = recapSelect(recap);
    expect(select).toHaveLength(1);
    const menu = select[0]!.components[0]!;
    expect(menu.type).toBe(ComponentType.StringSelect);
    if (menu.type === ComponentType.StringSelect) {
      expect(menu.options).toHaveLength(25);
      for (const o of menu.options) {
        expect(o.label.length).toBeLessThanOrEqual(100);
        expect(o.description!.length).toBeLessThanOrEqual(100);
      }
    }
  });

  it("GIVEN markdown and mentions in a moderator's entry THEN the recap shows them as inert text", () => {
    const evil = model(
      "evil",
      "@everyone **Boss** <@&123>",
      ["anthropic"],
      "2026-02-04",
      "day",
      "Pings <@123> and @here with __underline__ and [a link](https://evil.example).",
    );
    const states = [
      state({ entryId: "evil", entry: evil, addedAt: "2026-02-04T10:00:00Z", addedBy: "<@1>" }),
    ];
    const recap = buildRecap(
      input({
        knowledge: knowledgeFor([], [lab("anthropic", "Anthropic")], states),
        guildEntries: states,
        documents: [],
        bookmarks: [{ title: "@everyone look", count: 1 }],
      }),
    );
    const [page] = recapPages(recap, { quietMode: "line" });
    const description = embedOf(page).description!;
    expect(description).toBe(
      [
        "### New releases",
        "**Anthropic** — @\u200beveryone \\*\\*Boss\\*\\* <\u200b@&123> (4 Feb): Pings <\u200b@123> and @\u200bhere with \\_\\_underline\\_\\_ and \\[a link\\](https://evil.example).",
        "",
        "### Added by moderators",
        "• @\u200beveryone \\*\\*Boss\\*\\* <\u200b@&123> (model, Anthropic) — by <\u200b@1>, 4 Feb",
        "",
        "### Most bookmarked",
        "• @\u200beveryone look — 1 bookmark",
      ].join("\n"),
    );
    expect(description).not.toMatch(/@everyone|@here|<@/);
  });

  it("GIVEN the week THEN the select opens released and added entries, newest first, once each", () => {
    const recap: Recap = buildRecap(input());
    expect(recapSelect(recap)).toEqual([
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.StringSelect,
            custom_id: "recap:open",
            placeholder: "Open a card",
            options: [
              { label: "GPT-5.3", value: "gpt-5-3", description: "Model · OpenAI" },
              { label: "New Lab", value: "new-lab", description: "Lab" },
              {
                label: "Claude Haiku 5",
                value: "claude-haiku-5",
                description: "Model · Anthropic",
              },
              {
                label: "Claude Opus 4.6",
                value: "claude-opus-4-6",
                description: "Model · Anthropic",
              },
              {
                label: "Joint Model",
                value: "joint-model",
                description: "Model · Meta, Anthropic",
              },
              {
                label: "Claude Sonnet 5",
                value: "claude-sonnet-5",
                description: "Model · Anthropic",
              },
              { label: "Local Model", value: "local-model", description: "Model · OpenAI" },
              { label: "Mystery", value: "mystery", description: "Model" },
            ],
          },
        ],
      },
    ]);
  });
});
