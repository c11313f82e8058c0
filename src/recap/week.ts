import { UserError } from "../errors.js";
import { parsePartialDate } from "../text/dates.js";
import { escapeMarkdown } from "../text/markdown.js";
import { truncate } from "../text/truncate.js";

/**
 * ISO 8601 weeks (Monday to Sunday; week 1 holds the year's first Thursday) as seen in a time
 * zone. Calendar arithmetic works on "YYYY-MM-DD" strings; only the conversion between a local
 * wall-clock time and an instant consults the zone, through `Intl.DateTimeFormat`.
 */
export interface IsoWeek {
  readonly year: number;
  readonly week: number;
}

export interface WeekRange {
  /** Monday 00:00 local time. */
  readonly start: Date;
  /** The next Monday 00:00 local time (exclusive). A week with a DST change is 167 or 169 hours. */
  readonly end: Date;
  /** The Monday, as a calendar date. */
  readonly startDate: string;
  /** The next Monday (exclusive): a date `d` is in the week when `startDate <= d < endDate`. */
  readonly endDate: string;
}

const DAY_MS = 86_400_000;
const MIN_YEAR = 1000;
const MAX_YEAR = 9999;

// ---------------------------------------------------------------------------------------------
// Calendar dates ("YYYY-MM-DD"), independent of any zone.

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function ymd(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** Days since 1970-01-01 of a calendar date. */
function dayNumber(date: string): number {
  const [y, m, d] = date.split("-").map(Number);
  return Math.floor(Date.UTC(y!, m! - 1, d!) / DAY_MS);
}

function fromDayNumber(days: number): string {
  const d = new Date(days * DAY_MS);
  return ymd(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** The calendar date `days` days after (or before) `date`. */
export function addDays(date: string, days: number): string {
  return fromDayNumber(dayNumber(date) + days);
}

/** 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  // 1970-01-01 was a Thursday (4).
  return ((((dayNumber(date) + 3) % 7) + 7) % 7) + 1;
}

/** The ISO week a calendar date belongs to (2027-01-01 → 2026-W53). */
export function weekOfDate(date: string): IsoWeek {
  const thursday = addDays(date, 4 - isoWeekday(date));
  const year = Number(thursday.slice(0, 4));
  const dayOfYear = dayNumber(thursday) - dayNumber(ymd(year, 1, 1));
  return { year, week: Math.floor(dayOfYear / 7) + 1 };
}

/** 52 or 53. */
export function weeksInYear(year: number): number {
  // 28 December is always in the year's last week.
  return weekOfDate(ymd(year, 12, 28)).week;
}

/** The Monday of a week, as a calendar date. */
export function mondayOf(w: IsoWeek): string {
  // 4 January is always in week 1.
  const jan4 = ymd(w.year, 1, 4);
  return addDays(jan4, 1 - isoWeekday(jan4) + (w.week - 1) * 7);
}

/** The week `n` weeks after (or before) `w`. */
export function shiftWeek(w: IsoWeek, n: number): IsoWeek {
  return weekOfDate(addDays(mondayOf(w), n * 7));
}

/** "2026-W06". */
export function formatWeek(w: IsoWeek): string {
  return `${pad(w.year, 4)}-W${pad(w.week)}`;
}

/** A week as `formatWeek` writes it, or undefined: "2026-W99" and "0000-W01" are no weeks. */
export function parseWeekKey(key: string): IsoWeek | undefined {
  const m = /^(\d{4})-W(\d{2})$/.exec(key);
  if (!m) return undefined;
  const year = Number(m[1]);
  const week = Number(m[2]);
  if (year < MIN_YEAR || year > MAX_YEAR || week < 1 || week > weeksInYear(year)) return undefined;
  return { year, week };
}

// ---------------------------------------------------------------------------------------------
// Zones.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** An IANA zone name Node's ICU knows ("Europe/Berlin", "UTC"). */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== "string" || timeZone.trim() === "" || timeZone.length > 64) return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

function wallClock(instant: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour! % 24,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** The local wall-clock time of an instant, written as if it were UTC (ms). */
function wallMs(instant: number, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

/** The zone's offset from UTC at an instant, in ms (whole seconds). */
function offsetAt(instant: number, timeZone: string): number {
  const seconds = Math.floor(instant / 1000) * 1000;
  return wallMs(seconds, timeZone) - seconds;
}

/** The local calendar date of an instant. */
export function localDate(instant: Date, timeZone: string): string {
  const w = wallClock(instant.getTime(), timeZone);
  return ymd(w.year, w.month, w.day);
}

/** The week containing the instant's local date. */
export function weekOf(instant: Date, timeZone: string): IsoWeek {
  return weekOfDate(localDate(instant, timeZone));
}

/**
 * The instant at which the local wall clock shows `time` ("HH:MM") on `date`. A time skipped by
 * a spring-forward gap gives the first instant after the gap (the moment the clocks jump, e.g.
 * 02:30 on Berlin's spring-forward day gives 03:00 CEST); a time that occurs twice in a fall-back
 * gives its first occurrence.
 */
export function zonedTime(date: string, time: string, timeZone: string): Date {
  const [h, mi] = time.split(":").map(Number);
  const [y, m, d] = date.split("-").map(Number);
  const target = Date.UTC(y!, m! - 1, d!, h!, mi!);
  // Offsets in force around the target: a transition within a day either side is covered.
  const offsets = [
    ...new Set([-DAY_MS, 0, DAY_MS].map((delta) => offsetAt(target + delta, timeZone))),
  ];
  const exact = offsets
    .map((o) => target - o)
    .filter((t) => wallMs(t, timeZone) === target)
    .sort((a, b) => a - b);
  if (exact[0] !== undefined) return new Date(exact[0]);
  // In a gap: the first instant whose wall clock is past the target. The wall clock only moves
  // forward across a gap, so bisect (in whole seconds) between the two candidate instants.
  let lo = Math.floor((target - Math.max(...offsets)) / 1000); // wall clock before the target
  let hi = Math.ceil((target - Math.min(...offsets)) / 1000); // wall clock past the target
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallMs(mid * 1000, timeZone) > target) hi = mid;
    else lo = mid;
  }
  return new Date(hi * 1000);
}

/** Monday 00:00 to the next Monday 00:00, local time. */
export function weekRange(w: IsoWeek, timeZone: string): WeekRange {
  const startDate = mondayOf(w);
  const endDate = addDays(startDate, 7);
  return {
    start: zonedTime(startDate, "00:00", timeZone),
    end: zonedTime(endDate, "00:00", timeZone),
    startDate,
    endDate,
  };
}

// ---------------------------------------------------------------------------------------------
// Parsing what a member typed.

const WEEK_INPUT = /^(\d{4})-?w(\d{1,2})(?:-?(\d))?$/i;
const DATE_INPUT = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const RELATIVE: Record<string, number> = {
  this: 0,
  "this week": 0,
  current: 0,
  last: -1,
  "last week": -1,
  previous: -1,
  "previous week": -1,
};

function shown(input: string): string {
  return escapeMarkdown(truncate(input.replace(/\s+/g, " ").trim(), 40), { atLineStart: false });
}

/**
 * Reads a week as a member writes it: `2026-W06`, `2026-w6`, `2026W06`, `2026-W06-3` (a day of
 * that week), or a date `2026-02-04` (the week containing it). With `now`, also "this week" and
 * "last week", in `timeZone`; the other forms are calendar notions the zone does not change.
 * Throws a `UserError` explaining the expected forms otherwise.
 */
export function parseWeek(input: string, timeZone: string, now?: Date): IsoWeek {
  const text = input.trim().toLowerCase().replace(/\s+/g, " ");
  const expected = "Write a week like 2026-W06 or a date like 2026-02-04";
  if (text.length === 0) throw new UserError(`${expected}.`);
  if (text.length > 20) throw new UserError(`${expected} (got "${shown(input)}").`);

  const relative = RELATIVE[text];
  if (relative !== undefined) {
    if (!now) throw new UserError(`${expected} (got "${shown(input)}").`);
    return shiftWeek(weekOf(now, timeZone), relative);
  }

  const week = WEEK_INPUT.exec(text);
  if (week) {
    const year = Number(week[1]);
    const n = Number(week[2]);
    checkYear(year, input);
    const max = weeksInYear(year);
    if (n < 1 || n > max)
      throw new UserError(`${year} has weeks 1 to ${max}: "${shown(input)}" is not one of them.`);
    if (week[3] !== undefined && (Number(week[3]) < 1 || Number(week[3]) > 7))
      throw new UserError(
        `The day of the week after the week number is 1 (Monday) to 7 (Sunday) (got "${shown(input)}").`,
      );
    return { year, week: n };
  }

  if (DATE_INPUT.test(text)) {
    checkYear(Number(text.slice(0, 4)), input);
    const date = parsePartialDate(text);
    if (!date) throw new UserError(`"${shown(input)}" is not a real date. ${expected}.`);
    return weekOfDate(date.date);
  }

  throw new UserError(`${expected} (got "${shown(input)}").`);
}

function checkYear(year: number, input: string): void {
  if (year < MIN_YEAR || year > MAX_YEAR)
    throw new UserError(
      `The year must be between ${MIN_YEAR} and ${MAX_YEAR} (got "${shown(input)}").`,
    );
}
