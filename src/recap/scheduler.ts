import cron from "node-cron";
import type { Logger } from "pino";
import { countRecap } from "../ops/metrics.js";
import type { KeyValueStore } from "../store/keyv.js";
import { KeyedMutex, type ProblemReporter } from "../store/records.js";
import { runRecapSlot, type RecapOutcome, type RecapPosterDeps } from "./poster.js";
import { cronExpression, type RecapSchedule } from "./schedule.js";
import { getRecapSettings, listRecapGuilds } from "./settings.js";

/** What fires a server's job at its weekly time: node-cron in the bot, a hand-cranked fake in tests. */
export interface Timer {
  weekly(schedule: RecapSchedule, tick: () => void): { stop(): void };
  /** A repeating check, for recaps a crash or a Discord outage left unposted. */
  every(ms: number, tick: () => void): { stop(): void };
}

export const cronTimer: Timer = {
  weekly(schedule, tick) {
    const task = cron.schedule(cronExpression(schedule), () => tick(), {
      timezone: schedule.timeZone,
      noOverlap: true,
    });
    return { stop: () => void task.stop() };
  },
  every(ms, tick) {
    const handle = setInterval(tick, ms);
    handle.unref();
    return { stop: () => clearInterval(handle) };
  },
};

/** Within a missed slot's catch-up window, unfinished recaps are retried this often. */
export const SWEEP_MS = 5 * 60 * 1000;

export interface SchedulerDeps {
  readonly store: KeyValueStore;
  readonly report: ProblemReporter;
  readonly timer: Timer;
  readonly logger: Logger;
  readonly poster: RecapPosterDeps;
  /**
   * Whether this process posts a server's recap: the process that runs the server's gateway
   * shard. Every server when unset (one process runs them all).
   */
  readonly ownsGuild?: (guildId: string) => boolean;
}

/**
 * One job per server with a recap, rescheduled at once when its settings change. A job (and the
 * start-up catch-up, and the sweep) only asks `runRecapSlot` to handle the latest slot, which is
 * idempotent, so cron firing twice, not at all, or on two instances never posts twice.
 */
export class RecapScheduler {
  private readonly jobs = new Map<string, { stop(): void }>();
  private readonly running = new KeyedMutex();
  private readonly inFlight = new Set<Promise<unknown>>();
  private sweep?: { stop(): void };
  private stopped = false;

  constructor(private readonly deps: SchedulerDeps) {}

  /** Schedules every configured server and catches up on slots missed while the bot was down. */
  async start(): Promise<void> {
    const guildIds = await this.ownGuilds();
    await Promise.all(guildIds.map((id) => this.reschedule(id)));
    this.sweep = this.deps.timer.every(SWEEP_MS, () => this.runAll());
    await this.runAll();
  }

  /** Picks up new settings for a server: a new time, a new channel, or off. */
  async reschedule(guildId: string): Promise<void> {
    this.jobs.get(guildId)?.stop();
    this.jobs.delete(guildId);
    if (this.stopped || !this.owns(guildId)) return;
    const settings = await getRecapSettings(this.deps.store, guildId, this.deps.report);
    if (settings?.status !== "active") return;
    this.jobs.set(
      guildId,
      this.deps.timer.weekly(settings.schedule, () => void this.run(guildId)),
    );
  }

  /** Runs one server's latest slot; one run per server at a time, failures reported, never thrown. */
  run(guildId: string): Promise<RecapOutcome | undefined> {
    const work = this.running.run(guildId, async () => {
      if (this.stopped) return undefined;
      try {
        const settings = await getRecapSettings(this.deps.store, guildId, this.deps.report);
        if (!settings) return undefined;
        const outcome = await runRecapSlot(guildId, settings, this.deps.poster);
        if (outcome.kind !== "not-due" && outcome.kind !== "already-handled") {
          this.deps.logger.info({ guild: guildId, ...outcome }, "weekly recap");
          countRecap(outcome.kind);
        }
        if (outcome.kind === "paused") await this.reschedule(guildId);
        return outcome;
      } catch (error) {
        this.deps.logger.error({ err: error, guild: guildId }, "weekly recap failed");
        countRecap("error");
        return undefined;
      }
    });
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return work;
  }

  /** Every server at once: one server's slow or failing post never delays another's. */
  async runAll(): Promise<void> {
    const guildIds = await this.ownGuilds();
    await Promise.all(guildIds.map((id) => this.run(id)));
  }

  private owns(guildId: string): boolean {
    return this.deps.ownsGuild?.(guildId) ?? true;
  }

  /**
   * The servers with a recap whose shard this process runs. When a shard moves to another
   * process, both may try a slot for a while: the durable claim lets only one post.
   */
  private async ownGuilds(): Promise<string[]> {
    const guildIds = await listRecapGuilds(this.deps.store, this.deps.report);
    return guildIds.filter((id) => this.owns(id));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.sweep?.stop();
    for (const job of this.jobs.values()) job.stop();
    this.jobs.clear();
    await Promise.allSettled([...this.inFlight]);
  }
}
