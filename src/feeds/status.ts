import { formatInstant } from "../text/dates.js";
import type { FeedSource } from "./config.js";
import type { FeedState } from "./repository.js";

export interface FeedStatus {
  readonly url: string;
  readonly source: string;
  /** "new": never polled yet. */
  readonly status: "new" | "ok" | "failing" | "disabled";
  readonly documents: number;
  readonly lastPolledAt: string | null;
  readonly nextPollAt: string | null;
  readonly failures: number;
  readonly failingSince: string | null;
  /** Why the last poll failed, or why the feed is disabled. */
  readonly reason: string | null;
}

/** Each configured feed with what the store recorded of it, in the configured order. */
export function feedStatuses(
  feeds: readonly FeedSource[],
  states: readonly FeedState[],
): FeedStatus[] {
  const byUrl = new Map(states.map((s) => [s.url, s]));
  const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null);
  return feeds.map((feed) => {
    const state = byUrl.get(feed.url);
    const status = state?.disabledAt
      ? "disabled"
      : !state?.lastPolledAt
        ? "new"
        : state.failures > 0
          ? "failing"
          : "ok";
    return {
      url: feed.url,
      source: feed.source,
      status,
      documents: state?.documents ?? 0,
      lastPolledAt: iso(state?.lastPolledAt),
      nextPollAt: status === "disabled" ? null : iso(state?.nextPollAt),
      failures: state?.failures ?? 0,
      failingSince: iso(state?.failingSince),
      reason: state?.disabledReason ?? state?.lastError ?? null,
    };
  });
}

/** The listing `npm run cli -- feeds` prints. */
export function describeFeeds(statuses: readonly FeedStatus[]): string {
  if (!statuses.length)
    return "No feeds are configured. Set FEEDS, or write feeds.json in the data folder.";
  const at = (iso: string | null) => (iso ? formatInstant(Date.parse(iso)) : "");
  const lines: string[] = [];
  for (const s of statuses) {
    lines.push(`${s.source} — ${s.url}`);
    const documents = `${s.documents} document${s.documents === 1 ? "" : "s"}`;
    switch (s.status) {
      case "new":
        lines.push("  not polled yet");
        break;
      case "ok":
        lines.push(`  ok · last polled ${at(s.lastPolledAt)} · ${documents}`);
        break;
      case "failing":
        lines.push(
          `  failing since ${at(s.failingSince)} (${s.failures} in a row): ${s.reason} · next try after ${at(s.nextPollAt)} · ${documents}`,
        );
        break;
      case "disabled":
        lines.push(`  disabled: ${s.reason} · ${documents}`);
        lines.push(`  to poll it again: npm run cli -- feeds enable ${s.url}`);
        break;
    }
  }
  return lines.join("\n");
}
