import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * Every metric the bot exports, in one registry served at /metrics. Callers use the small
 * functions below and never touch prom-client. Label values come from fixed sets (command names,
 * outcomes, store operations), so the number of series stays bounded.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export type InteractionKind = "command" | "component" | "modal";
/** ok; rejected: bad input, told to the member; failed: an unexpected error; undelivered: Discord refused the reply; busy: the queue was full, the member was asked to retry. */
export type InteractionOutcome = "ok" | "rejected" | "failed" | "undelivered" | "busy";
/** ok; fallback: ran out of time and offered the fallback list; failed: threw, offered the fallback list. */
export type AutocompleteOutcome = "ok" | "fallback" | "failed";

/** What one gateway shard reports: its id, discord.js status, and heartbeat round trip. */
export interface ShardState {
  readonly id: number;
  readonly status: string;
  readonly ready: boolean;
  /** Undefined until the first heartbeat is acknowledged. */
  readonly pingMs: number | undefined;
}

const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 3, 5, 10];
const FAST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3];

const interactions = new Counter({
  name: "modeldex_commands_total",
  help: "Commands, button clicks and form submissions answered, by command and outcome",
  labelNames: ["command", "kind", "outcome"] as const,
  registers: [registry],
});
const firstResponse = new Histogram({
  name: "modeldex_command_first_response_seconds",
  help: "Time from receiving an interaction to its first response (reply, deferral, form or update)",
  labelNames: ["command", "kind"] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});
const finalAnswer = new Histogram({
  name: "modeldex_command_duration_seconds",
  help: "Time from receiving an interaction to its final answer",
  labelNames: ["command", "kind"] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});
const autocomplete = new Histogram({
  name: "modeldex_autocomplete_duration_seconds",
  help: "Time from receiving an autocomplete request to sending its choices, by outcome",
  labelNames: ["command", "outcome"] as const,
  buckets: FAST_BUCKETS,
  registers: [registry],
});
const reactions = new Counter({
  name: "modeldex_bookmark_reactions_total",
  help: "Bookmark reaction events applied, by event (add, remove) and outcome",
  labelNames: ["event", "outcome"] as const,
  registers: [registry],
});
const recapRuns = new Counter({
  name: "modeldex_recap_posts_total",
  help: "Weekly recap runs that did something, by outcome (posted, skipped, paused, failed, error)",
  labelNames: ["outcome"] as const,
  registers: [registry],
});
const storeCalls = new Histogram({
  name: "modeldex_store_operation_seconds",
  help: "Store calls (get, set, delete, …) and how long they took",
  labelNames: ["operation"] as const,
  buckets: FAST_BUCKETS,
  registers: [registry],
});
const storeErrors = new Counter({
  name: "modeldex_store_errors_total",
  help: "Store calls that failed, by operation",
  labelNames: ["operation"] as const,
  registers: [registry],
});

let gateway: () => readonly ShardState[] = () => [];
const queues = new Map<string, () => number>();

new Gauge({
  name: "modeldex_gateway_ping_seconds",
  help: "Round trip of the last gateway heartbeat, per shard (absent until the first one)",
  labelNames: ["shard"] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const shard of gateway())
      if (shard.pingMs !== undefined) this.set({ shard: String(shard.id) }, shard.pingMs / 1000);
  },
});
new Gauge({
  name: "modeldex_gateway_shard_ready",
  help: "1 when the shard's gateway session is ready, 0 otherwise",
  labelNames: ["shard"] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const shard of gateway()) this.set({ shard: String(shard.id) }, shard.ready ? 1 : 0);
  },
});
new Gauge({
  name: "modeldex_gateway_shard_status",
  help: "1 for the shard's current gateway status (ready, connecting, resuming, …)",
  labelNames: ["shard", "status"] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const shard of gateway()) this.set({ shard: String(shard.id), status: shard.status }, 1);
  },
});
new Gauge({
  name: "modeldex_queue_depth",
  help: "Work received and not yet finished: interactions, bookmark reaction events",
  labelNames: ["queue"] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const [queue, depth] of queues) this.set({ queue }, depth());
  },
});

const seconds = (ms: number) => Math.max(0, ms) / 1000;

export function observeInteraction(
  command: string,
  kind: InteractionKind,
  outcome: InteractionOutcome,
  firstMs: number | undefined,
  totalMs: number,
): void {
  interactions.inc({ command, kind, outcome });
  if (firstMs !== undefined) firstResponse.observe({ command, kind }, seconds(firstMs));
  finalAnswer.observe({ command, kind }, seconds(totalMs));
}

export function observeAutocomplete(command: string, outcome: AutocompleteOutcome, ms: number) {
  autocomplete.observe({ command, outcome }, seconds(ms));
}

export function countReaction(event: "add" | "remove", outcome: string): void {
  reactions.inc({ event, outcome });
}

export function countRecap(outcome: string): void {
  recapRuns.inc({ outcome });
}

export function observeStoreCall(operation: string, ms: number, failed: boolean): void {
  storeCalls.observe({ operation }, seconds(ms));
  if (failed) storeErrors.inc({ operation });
}

/** Runs one store call, timing it and counting its failure. */
export async function timeStoreCall<T>(operation: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  let failed = false;
  try {
    return await work();
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    observeStoreCall(operation, performance.now() - started, failed);
  }
}

/** Where the gateway gauges read from; the last bot to start in this process. */
export function watchGateway(shards: () => readonly ShardState[]): void {
  gateway = shards;
}

/** Registers (or replaces) a queue whose depth /metrics reports. */
export function watchQueue(queue: string, depth: () => number): void {
  queues.set(queue, depth);
}

export function metricsText(): Promise<string> {
  return registry.metrics();
}

export const METRICS_CONTENT_TYPE = registry.contentType;
