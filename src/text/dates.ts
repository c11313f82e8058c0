import { z } from "zod";
import { UserError } from "../errors.js";
import { escapeMarkdown } from "./markdown.js";
import { truncate } from "./truncate.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export type DatePrecision = "day" | "month" | "year";

/** A date known to the day, the month or the year: its first day and how precisely it is known. */
export interface PartialDate {
  readonly date: string;
  readonly precision: DatePrecision;
}

/** zod's ISO date knows month lengths and leap years: 2026-02-29 and 2026-02-30 fail it. */
const CALENDAR_DAY = z.iso.date();

/** Whether `text` is a `YYYY-MM-DD` day that exists. */
export function isCalendarDate(text: string): boolean {
  return CALENDAR_DAY.safeParse(text).success;
}

const PARTIAL_DATE = /^\s*(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?\s*$/;
const pad = (n: string) => n.padStart(2, "0");

/**
 * The one reader of dates people type: "2026", "2026-02" or "2026-02-05" (one-digit months and
 * days, and `/` or `.` between them, are fine). Undefined for anything else, including days the
 * calendar does not have.
 */
export function parsePartialDate(input: string): PartialDate | undefined {
  const m = PARTIAL_DATE.exec(input);
  if (!m) return undefined;
  const date = `${m[1]}-${pad(m[2] ?? "1")}-${pad(m[3] ?? "1")}`;
  if (!isCalendarDate(date)) return undefined;
  return { date, precision: m[3] ? "day" : m[2] ? "month" : "year" };
}

/** The last day a partial date covers: 2025-02 → 2025-02-28. */
export function lastDayOf({ date, precision }: PartialDate): string {
  if (precision === "day") return date;
  const year = date.slice(0, 4);
  if (precision === "year") return `${year}-12-31`;
  const month = Number(date.slice(5, 7));
  const days = new Date(Date.UTC(Number(year), month, 0)).getUTCDate();
  return `${date.slice(0, 7)}-${pad(String(days))}`;
}

/**
 * Reads "2025", "2025-06" or "2025-06-14" as the first (`from`) or last (`to`) day it covers.
 */
export function parseDateBound(input: string, edge: "from" | "to", option: string): string {
  const parsed = parsePartialDate(input);
  if (!parsed)
    throw new UserError(
      `\`${option}\` must be a date like 2025, 2025-06 or 2025-06-14 (got "${escapeMarkdown(truncate(input, 40), { atLineStart: false })}").`,
    );
  return edge === "from" ? parsed.date : lastDayOf(parsed);
}

/** "5 Feb 2026", "Feb 2026" or "2026", as precise as the date is known. */
export function formatDate(iso: string, precision: DatePrecision = "day"): string {
  const [y, m, d] = iso.split("-");
  const month = MONTHS[Number(m) - 1] ?? "";
  if (precision === "year") return y!;
  if (precision === "month") return `${month} ${y}`;
  return `${Number(d)} ${month} ${y}`;
}

/** "2 Mar 2026 09:05 UTC": an instant, for operators' logs and listings. */
export function formatInstant(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${formatDate(iso.slice(0, 10))} ${iso.slice(11, 16)} UTC`;
}
