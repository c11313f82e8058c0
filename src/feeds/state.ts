import { formatInstant } from "../text/dates.js";
import type { FeedState } from "./repository.js";

/** How a poll ended, as far as the feed's record is concerned. */
export type PollOutcome =
  | {
      readonly kind: "fetched";
      readonly etag: string | null;
      readonly lastModified: string | null;
      readonly added: number;
    }
  | { readonly kind: "not-modified" }
  /** 404, 410, or an answer that is not a feed: disables the feed once it lasts a day. */
  | { readonly kind: "gone"; readonly reason: string }
  /** Anything else (timeout, size, redirects, broken XML, 5xx): retried with growing waits. */
  | { readonly kind: "failed"; readonly reason: string; readonly retryAfterMs?: number };

/** A feed is not polled again for this long after any poll, so instances firing together poll once. */
export const POLL_PAUSE_MS = 60_000;
/** A feed gone this long is disabled. */
export const GONE_LIMIT_MS = 24 * 60 * 60_000;
const FIRST_BACKOFF_MS = 30 * 60_000;
const MAX_BACKOFF_MS = 24 * 60 * 60_000;

/** The wait after `failures` failed polls in a row: 30 min, doubling, at most a day. */
export function backoffMs(failures: number): number {
  return Math.min(FIRST_BACKOFF_MS * 2 ** Math.max(0, failures - 1), MAX_BACKOFF_MS);
}

/** The feed's record after a poll that ended with `outcome` at `now`. */
export function afterPoll(state: FeedState, outcome: PollOutcome, now: number): FeedState {
  const polled = { ...state, lastPolledAt: now };
  switch (outcome.kind) {
    case "fetched":
    case "not-modified":
      return {
        ...polled,
        ...(outcome.kind === "fetched"
          ? {
              etag: outcome.etag,
              lastModified: outcome.lastModified,
              documents: state.documents + outcome.added,
            }
          : {}),
        nextPollAt: now + POLL_PAUSE_MS,
        failures: 0,
        failingSince: null,
        goneSince: null,
        lastSuccessAt: now,
        lastError: null,
      };
    case "gone": {
      const failures = state.failures + 1;
      const goneSince = state.goneSince ?? now;
      const disable = now - goneSince >= GONE_LIMIT_MS;
      return {
        ...polled,
        nextPollAt: now + backoffMs(failures),
        failures,
        failingSince: state.failingSince ?? now,
        goneSince,
        lastError: outcome.reason,
        ...(disable
          ? {
              disabledAt: now,
              disabledReason: `${outcome.reason}, on every poll since ${formatInstant(goneSince)}`,
            }
          : {}),
      };
    }
    case "failed": {
      const failures = state.failures + 1;
      return {
        ...polled,
        nextPollAt:
          now + Math.min(Math.max(backoffMs(failures), outcome.retryAfterMs ?? 0), MAX_BACKOFF_MS),
        failures,
        failingSince: state.failingSince ?? now,
        lastError: outcome.reason,
      };
    }
  }
}
