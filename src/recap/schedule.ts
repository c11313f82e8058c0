import { z } from "zod";
import {
  addDays,
  isValidTimeZone,
  localDate,
  mondayOf,
  shiftWeek,
  weekOf,
  weekOfDate,
  zonedTime,
  type IsoWeek,
} from "./week.js";

/** "HH:MM", 00:00 to 23:59. */
export const RecapTime = z
  .string()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, "must be a time like 09:00 (24-hour HH:MM)");

/** When a server's weekly recap is posted: an ISO weekday (Monday = 1) and a local time. */
export const RecapSchedule = z.object({
  day: z.literal([1, 2, 3, 4, 5, 6, 7]),
  time: RecapTime,
  timeZone: z
    .string()
    .refine(isValidTimeZone, "is not a time zone (use a name like Europe/Berlin)"),
});
export type RecapSchedule = z.infer<typeof RecapSchedule>;

export interface Slot {
  /** The week the slot falls in (not the week its recap covers: see `coveredWeek`). */
  readonly week: IsoWeek;
  readonly at: Date;
}

export const DEFAULT_GRACE_MS = 24 * 60 * 60 * 1000;

/**
 * The instant of the configured weekday and time in a week, local to the schedule's zone. A time
 * skipped by a spring-forward gap moves to the moment the clocks jump; a time that occurs twice
 * takes the first occurrence (see `zonedTime`).
 */
export function slotOf(week: IsoWeek, schedule: RecapSchedule): Date {
  return zonedTime(addDays(mondayOf(week), schedule.day - 1), schedule.time, schedule.timeZone);
}

/** The slots of the weeks around an instant, in order. */
function slotsAround(schedule: RecapSchedule, instant: Date): Slot[] {
  const here = weekOf(instant, schedule.timeZone);
  return [-1, 0, 1, 2].map((n) => {
    const week = shiftWeek(here, n);
    return { week, at: slotOf(week, schedule) };
  });
}

/** The first slot strictly after `after`. */
export function nextSlot(schedule: RecapSchedule, after: Date): Slot {
  return slotsAround(schedule, after).find((s) => s.at.getTime() > after.getTime())!;
}

/** The most recent slot at or before `now`, however long ago. */
export function lastSlot(schedule: RecapSchedule, now: Date): Slot {
  return slotsAround(schedule, now).findLast((s) => s.at.getTime() <= now.getTime())!;
}

/**
 * Where a slot stands at `now`: `future` before it; `due` from it until `graceMs` later
 * (exclusive); `too-late` after that, when posting would be stale.
 */
export function classifySlot(
  at: Date,
  now: Date,
  graceMs: number = DEFAULT_GRACE_MS,
): "due" | "too-late" | "future" {
  const late = now.getTime() - at.getTime();
  if (late < 0) return "future";
  return late < graceMs ? "due" : "too-late";
}

/**
 * The slot to post now, if any: the most recent slot at or before `now`, when less than `graceMs`
 * has passed since it. A bot restarting after its slot thus still posts the missed recap within
 * the grace period; the caller's durable claim on (server, week) keeps it from posting twice.
 */
export function dueSlot(
  schedule: RecapSchedule,
  now: Date,
  graceMs: number = DEFAULT_GRACE_MS,
): Slot | undefined {
  const slot = lastSlot(schedule, now);
  return classifySlot(slot.at, now, graceMs) === "due" ? slot : undefined;
}

/**
 * The node-cron 4 expression ("m h * * dow", Sunday = 0) for the schedule, to be run with
 * node-cron's `timezone` option set to `schedule.timeZone`.
 *
 * Cron is only the alarm clock. Around DST changes it may fire twice (a fall-back repeats the
 * hour) or not at all (a spring-forward skips it), so the job must not trust the tick: it calls
 * `dueSlot(schedule, new Date())` and posts only when that returns a slot whose (server, week)
 * it can claim durably. A skipped tick is covered the same way by the restart/catch-up check.
 */
export function cronExpression(schedule: RecapSchedule): string {
  const [hour, minute] = schedule.time.split(":").map(Number);
  return `${minute} ${hour} * * ${schedule.day % 7}`;
}

/**
 * The week a recap posted at `slotAt` covers: the ISO week containing the local calendar date
 * one day before the slot (calendar days, so DST does not matter). A Monday post covers the week
 * that just ended; a post on any other day covers the current week as known so far (a Friday
 * 17:00 post covers the current week, with whatever is dated up to then). Items dated later in
 * that week are never posted, since the next slot covers the next week: servers that want
 * complete weeks should schedule their recap on a Monday.
 */
export function coveredWeek(slotAt: Date, timeZone: string): IsoWeek {
  return weekOfDate(addDays(localDate(slotAt, timeZone), -1));
}
