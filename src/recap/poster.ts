import { createHash } from "node:crypto";
import type { MessagePayload } from "../discord/payload.js";
import { withRetries } from "../retry.js";
import type { RecapPostRepository } from "./posts.js";
import { coveredWeek, dueSlot, lastSlot, DEFAULT_GRACE_MS } from "./schedule.js";
import type { RecapSettings } from "./settings.js";
import { formatWeek, type IsoWeek } from "./week.js";

/** How long a claim holds before another instance may take over a recap that never finished. */
export const LEASE_MS = 2 * 60 * 1000;
const RETRY_DELAYS_MS = [1_000, 4_000, 16_000];

/** What posting needs from Discord, as plain functions: the scheduler's adapter supplies them. */
export interface RecapPosterDeps {
  readonly posts: RecapPostRepository;
  /** Who is posting: one id per running process. */
  readonly owner: string;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  /** The pages for the week a slot covers. */
  pages(guildId: string, week: IsoWeek, settings: RecapSettings): Promise<MessagePayload[]>;
  /** Posts one message; `nonce` lets Discord drop a repeat of the same post. */
  send(channelId: string, payload: MessagePayload, nonce: string): Promise<{ id: string }>;
  /** The id of the newest message in the channel, or "0" when it is empty. */
  newestMessageId(channelId: string): Promise<string>;
  /**
   * The bot's own post of a page of the week's recap in the channel after `afterId`, if there is
   * one. Discord forgets a nonce after a few minutes, so a page sent by a run that crashed before
   * recording it is found this way instead of being sent again.
   */
  findPage(
    channelId: string,
    afterId: string,
    week: string,
    page: number,
  ): Promise<{ id: string } | undefined>;
  /** Stops the server's recap with a reason its moderators can read, and tells them. */
  pause(guildId: string, reason: string): Promise<void>;
}

export type RecapOutcome =
  | { kind: "posted"; week: string; messageIds: string[] }
  | { kind: "not-due" }
  | { kind: "already-handled"; week: string }
  /** Another run took the week over (this one's lease ran out while it was posting). */
  | { kind: "lost"; week: string }
  | { kind: "skipped"; week: string; reason: string }
  | { kind: "paused"; week: string; reason: string }
  | { kind: "failed"; week: string; reason: string };

/** Discord's error codes that no retry can fix: the bot must be given access again. */
const PAUSING_CODES: Record<number, string> = {
  10003: "the recap channel was deleted",
  50001: "the bot cannot see the recap channel (Missing Access)",
  50013: "the bot lacks permission to post in the recap channel (Missing Permissions)",
};

function errorCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" ? code : undefined;
}

/** Another run holds the week now: never retried (`isTransient` says no to it). */
class LostClaim extends Error {}

/** Discord nonces are at most 25 characters. */
export function pageNonce(guildId: string, week: string, page: number): string {
  return createHash("sha256").update(`${guildId}:${week}:${page}`).digest("base64url").slice(0, 25);
}

/**
 * Posts a server's recap for its latest slot, exactly once: the week is claimed durably first,
 * each page is recorded as it is posted (and carries a nonce Discord de-duplicates for a few
 * minutes), and the claim is completed last. A run that resumes an interrupted one first looks
 * in the channel for the page the other may have posted without recording it. A slot missed by
 * more than the grace period is recorded as skipped; a week begun but unfinished by then stays
 * unfinished, with the reason.
 */
export async function runRecapSlot(
  guildId: string,
  settings: RecapSettings,
  deps: RecapPosterDeps,
  graceMs = DEFAULT_GRACE_MS,
): Promise<RecapOutcome> {
  if (settings.status !== "active") return { kind: "not-due" };
  const now = deps.now();
  // The latest slot: due while within the grace period, too late to post after it.
  const due = dueSlot(settings.schedule, now, graceMs);
  const slot = due ?? lastSlot(settings.schedule, now);
  // Records are kept by the week a recap covers, the week members see in its title.
  const covered = coveredWeek(slot.at, settings.schedule.timeZone);
  const week = formatWeek(covered);
  const existing = await deps.posts.get(guildId, week);
  if (existing && existing.status !== "failed" && existing.status !== "claimed")
    return { kind: "already-handled", week };
  // A week begun before the schedule was set again (paused, fixed, `set`) is finished, not dropped.
  if (!existing && slot.at.getTime() < Date.parse(settings.since)) return { kind: "not-due" };
  const hoursLate = Math.round((now.getTime() - slot.at.getTime()) / 3_600_000);
  const window = `${graceMs / 3_600_000}-hour catch-up window`;
  if (!due && existing) {
    await deps.posts.expire(
      guildId,
      week,
      `not finished: the bot stopped while posting and came back ${hoursLate} hours later, past the ${window}`,
      now.getTime(),
    );
    return { kind: "already-handled", week };
  }
  if (!due) {
    const reason = `missed: the bot was not running at ${slot.at.toISOString()} and came back ${hoursLate} hours later, past the ${window}`;
    await deps.posts.skip(guildId, week, reason, now.getTime());
    return { kind: "skipped", week, reason };
  }
  const fence = await deps.posts.claim(
    guildId,
    week,
    deps.owner,
    settings.channelId,
    now.getTime(),
    LEASE_MS,
  );
  if (fence === undefined) return { kind: "already-handled", week };
  const lost: RecapOutcome = { kind: "lost", week };
  const record = await deps.posts.get(guildId, week);
  const done = [...(record?.messageIds ?? [])];
  // An anchor means an earlier run got as far as sending: its last page may be unrecorded.
  const earlierAnchor = record?.anchorId ?? null;
  const channelId = settings.channelId;
  const retryPolicy = { delaysMs: RETRY_DELAYS_MS, sleep: deps.sleep };
  try {
    const pages = await deps.pages(guildId, covered, settings);
    const anchor =
      earlierAnchor ?? (await withRetries(() => deps.newestMessageId(channelId), retryPolicy));
    if (!(await deps.posts.plan(guildId, week, fence, pages.length, anchor))) return lost;
    for (let page = done.length; page < pages.length; page++) {
      const unrecorded =
        earlierAnchor !== null && page === (record?.messageIds.length ?? 0)
          ? await withRetries(
              () => deps.findPage(channelId, done.at(-1) ?? earlierAnchor, week, page),
              retryPolicy,
            )
          : undefined;
      const sent =
        unrecorded ??
        (await withRetries(async () => {
          // Each attempt first renews the claim: a run that stalled past its lease (a long
          // pause, a retry's wait) stops here instead of posting what its successor posts.
          if (
            !(await deps.posts.progress(guildId, week, fence, done, deps.now().getTime(), LEASE_MS))
          )
            throw new LostClaim();
          return deps.send(channelId, pages[page]!, pageNonce(guildId, week, page));
        }, retryPolicy));
      done.push(sent.id);
      // Past a lost claim, another run posts the rest: this one stops here.
      if (!(await deps.posts.progress(guildId, week, fence, done, deps.now().getTime(), LEASE_MS)))
        return lost;
    }
    const finished = await deps.posts.finish(
      guildId,
      week,
      fence,
      "posted",
      pages.length ? null : "a quiet week: nothing to post",
      deps.now().getTime(),
    );
    if (!finished) return lost;
    return { kind: "posted", week, messageIds: done };
  } catch (error) {
    if (error instanceof LostClaim) return lost;
    const code = errorCode(error);
    const pausing = code !== undefined ? PAUSING_CODES[code] : undefined;
    const reason = pausing ?? `Discord kept failing: ${(error as Error).message.slice(0, 200)}`;
    if (!(await deps.posts.finish(guildId, week, fence, "failed", reason, deps.now().getTime())))
      return lost;
    if (pausing) {
      await deps.pause(guildId, pausing);
      return { kind: "paused", week, reason: pausing };
    }
    return { kind: "failed", week, reason };
  }
}
