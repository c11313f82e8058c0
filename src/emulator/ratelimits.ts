import { createHash } from "node:crypto";

/** One rate limit: `limit` requests per `windowMs`, counted per top-level resource. */
export interface BucketRule {
  /** Shared by every route in the bucket; its hash is the `X-RateLimit-Bucket` header. */
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
}

export interface RateLimitOptions {
  /** Answer 429 when a limit is exceeded (default true). Headers are sent either way. */
  enabled?: boolean;
  /** Requests per second across every authorised route (default 50, Discord's global limit). */
  globalPerSecond?: number;
  /** Replaces the built-in rule for a bucket name (e.g. `{ "channel-messages": {...} }`). */
  rules?: Record<string, { limit: number; windowMs: number }>;
}

/** A request the emulator refused with 429. */
export interface RateLimitHit {
  readonly method: string;
  readonly path: string;
  readonly bucket: string;
  readonly global: boolean;
  readonly retryAfterMs: number;
  readonly at: number;
}

/** The answer to "may this request go ahead": headers to send, and a 429 body when it may not. */
export interface RateLimitDecision {
  readonly headers: Record<string, string>;
  readonly refused?: { retryAfterMs: number; global: boolean };
}

interface RouteRule {
  readonly methods: readonly string[];
  readonly pattern: RegExp;
  readonly rule: BucketRule;
}

/**
 * Discord's limits for the routes a bot uses most, as its responses report them. Discord does
 * not publish per-route numbers and they change; these are the ones bots observe.
 */
const ROUTE_RULES: readonly RouteRule[] = [
  {
    // Adding or removing reactions: one per quarter second in a channel.
    methods: ["PUT", "DELETE"],
    pattern: /^\/channels\/(\d+)\/messages\/\d+\/reactions(?:\/.*)?$/,
    rule: { name: "reactions", limit: 1, windowMs: 250 },
  },
  {
    methods: ["POST"],
    pattern: /^\/channels\/(\d+)\/messages$/,
    rule: { name: "channel-messages", limit: 5, windowMs: 5_000 },
  },
  {
    methods: ["PATCH", "DELETE"],
    pattern: /^\/channels\/(\d+)\/messages\/\d+$/,
    rule: { name: "message-changes", limit: 5, windowMs: 5_000 },
  },
  {
    // Follow-ups and edits of an interaction's answer, per interaction token.
    methods: ["GET", "POST", "PATCH", "DELETE"],
    pattern: /^\/webhooks\/(\d+\/[^/]+)(?:\/.*)?$/,
    rule: { name: "interaction-webhook", limit: 5, windowMs: 2_000 },
  },
];

/** Every other route: generous, so only the global limit usually matters. */
const DEFAULT_RULE: Omit<BucketRule, "name"> = { limit: 50, windowMs: 1_000 };

const MAJOR = /^\/(?:channels|guilds)\/(\d+)/;

interface Window {
  start: number;
  count: number;
}

const hashOf = (name: string): string =>
  createHash("sha1").update(`emulator:${name}`).digest("hex").slice(0, 32);

/**
 * Per-route buckets (counted per channel, server or interaction token) and the global limit,
 * as fixed windows. Interaction callbacks are not limited, as on Discord.
 */
export class RateLimiter {
  readonly hits: RateLimitHit[] = [];
  private readonly windows = new Map<string, Window>();
  private readonly global: Window = { start: 0, count: 0 };
  private readonly enabled: boolean;
  private readonly globalPerSecond: number;
  private readonly overrides: Record<string, { limit: number; windowMs: number }>;

  constructor(options: RateLimitOptions = {}) {
    this.enabled = options.enabled ?? true;
    this.globalPerSecond = options.globalPerSecond ?? 50;
    this.overrides = options.rules ?? {};
  }

  /** The bucket a request falls in, or undefined for routes without limits. */
  bucketOf(method: string, path: string): { rule: BucketRule; major: string } | undefined {
    if (/^\/interactions\/\d+\/[^/]+\/callback$/.test(path)) return undefined;
    for (const { methods, pattern, rule } of ROUTE_RULES) {
      const m = pattern.exec(path);
      if (m && methods.includes(method)) return { rule: this.override(rule), major: m[1]! };
    }
    const route = path.replace(/\d{17,20}/g, ":id");
    const major = MAJOR.exec(path)?.[1] ?? "global";
    return { rule: this.override({ name: `${method} ${route}`, ...DEFAULT_RULE }), major };
  }

  private override(rule: BucketRule): BucketRule {
    const over = this.overrides[rule.name];
    return over ? { name: rule.name, ...over } : rule;
  }

  /** Counts a request and says whether it may go ahead. `authorised`: it carries a bot token. */
  take(method: string, path: string, authorised: boolean, now = Date.now()): RateLimitDecision {
    const bucket = this.bucketOf(method, path);
    if (!bucket) return { headers: {} };
    const { rule, major } = bucket;
    const key = `${rule.name}:${major}`;
    const window = this.windows.get(key) ?? { start: now, count: 0 };
    if (now - window.start >= rule.windowMs) {
      window.start = now;
      window.count = 0;
    }
    this.windows.set(key, window);
    const resetAt = window.start + rule.windowMs;
    const headers = (remaining: number): Record<string, string> => ({
      "x-ratelimit-limit": String(rule.limit),
      "x-ratelimit-remaining": String(Math.max(0, remaining)),
      "x-ratelimit-reset": (resetAt / 1000).toFixed(3),
      "x-ratelimit-reset-after": ((resetAt - now) / 1000).toFixed(3),
      "x-ratelimit-bucket": hashOf(rule.name),
    });

    // Interaction webhooks are not counted against the global limit.
    const globalApplies = authorised && rule.name !== "interaction-webhook";
    if (globalApplies) {
      if (now - this.global.start >= 1_000) {
        this.global.start = now;
        this.global.count = 0;
      }
      if (this.enabled && this.global.count >= this.globalPerSecond) {
        const retryAfterMs = this.global.start + 1_000 - now;
        this.hits.push({ method, path, bucket: "global", global: true, retryAfterMs, at: now });
        return {
          headers: {
            ...headers(rule.limit - window.count),
            "x-ratelimit-global": "true",
            "x-ratelimit-scope": "global",
            "retry-after": (retryAfterMs / 1000).toFixed(3),
          },
          refused: { retryAfterMs, global: true },
        };
      }
    }
    if (this.enabled && window.count >= rule.limit) {
      const retryAfterMs = resetAt - now;
      this.hits.push({ method, path, bucket: rule.name, global: false, retryAfterMs, at: now });
      return {
        headers: {
          ...headers(0),
          "x-ratelimit-scope": "user",
          "retry-after": (retryAfterMs / 1000).toFixed(3),
        },
        refused: { retryAfterMs, global: false },
      };
    }
    window.count++;
    if (globalApplies) this.global.count++;
    return { headers: headers(rule.limit - window.count) };
  }
}
