import { UserError } from "../errors.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * Reads "2025", "2025-06" or "2025-06-14" as the first (`from`) or last (`to`) day it covers.
 */
export function parseDateBound(input: string, edge: "from" | "to", option: string): string {
  const m = /^\s*(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?\s*$/.exec(input);
  const bad = () =>
    new UserError(
      `\`${option}\` must be a date like 2025, 2025-06 or 2025-06-14 (got "${input.slice(0, 40)}").`,
    );
  if (!m) throw bad();
  const year = Number(m[1]);
  const month = m[2] ? Number(m[2]) : edge === "from" ? 1 : 12;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = m[3] ? Number(m[3]) : edge === "from" ? 1 : lastDay;
  if (month < 1 || month > 12 || day < 1 || day > lastDay) throw bad();
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** "5 Feb 2026", "Feb 2026" or "2026", as precise as the date is known. */
export function formatDate(iso: string, precision: "day" | "month" | "year" = "day"): string {
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
