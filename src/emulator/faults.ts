/** A fault to inject into REST answers. */
export interface FaultSpec {
  /** HTTP method to match (any when unset). */
  method?: string;
  /** Matched against the decoded route path without `/api/v10` and query, e.g. `/channels/1/messages`. */
  path: RegExp | string;
  /** Answer with this status instead of handling the request (unset with `delayMs`: just delay). */
  status?: number;
  /** Discord error code in the JSON body (defaults: 0, and 50013 for a 403). */
  code?: number;
  message?: string;
  /** For 429: seconds to wait (header `retry-after`, JSON `retry_after`). Default 0.1. */
  retryAfter?: number;
  /** For 429: a global rate limit. */
  global?: boolean;
  /**
   * Wait this long before answering. Without `status` the request is handled at once and only
   * the response is late (a slow Discord): a client that times out may retry and act twice.
   */
  delayMs?: number;
  /**
   * Close the connection without answering, as a dropped connection does: the client sees a
   * broken socket (undici's UND_ERR_SOCKET) and cannot know whether the request took effect.
   * The request is not handled.
   */
  drop?: boolean;
  /** How many matching requests it applies to (default: every one until removed). */
  times?: number;
  /** Let this many matching requests through first (default 0): "the second page fails". */
  skip?: number;
}

export interface Fault extends Readonly<FaultSpec> {
  readonly id: number;
  /** How many requests it has applied to so far. */
  readonly hits: number;
  remove(): void;
}

interface FaultEntry {
  spec: FaultSpec;
  id: number;
  hits: number;
  skipped: number;
}

export class Faults {
  private entries: FaultEntry[] = [];
  private nextId = 1;

  add(spec: FaultSpec): Fault {
    if (spec.status === undefined && spec.delayMs === undefined && !spec.drop) {
      throw new Error("emulator: a fault needs a status, a delayMs or drop");
    }
    const entry: FaultEntry = { spec: { ...spec }, id: this.nextId++, hits: 0, skipped: 0 };
    this.entries.push(entry);
    const remove = (): void => {
      this.entries = this.entries.filter((e) => e !== entry);
    };
    return new Proxy(entry.spec as Fault, {
      get: (target, prop) => {
        if (prop === "hits") return entry.hits;
        if (prop === "id") return entry.id;
        if (prop === "remove") return remove;
        return target[prop as keyof FaultSpec];
      },
    });
  }

  clear(): void {
    this.entries = [];
  }

  get size(): number {
    return this.entries.length;
  }

  /** The first live fault matching the request, counted as used. */
  take(method: string, path: string): FaultSpec | undefined {
    for (const entry of this.entries) {
      const { spec } = entry;
      if (spec.method && spec.method.toUpperCase() !== method.toUpperCase()) continue;
      if (typeof spec.path !== "string") spec.path.lastIndex = 0;
      const matches = typeof spec.path === "string" ? spec.path === path : spec.path.test(path);
      if (!matches) continue;
      if (entry.skipped < (spec.skip ?? 0)) {
        entry.skipped++;
        continue;
      }
      entry.hits++;
      if (spec.times !== undefined && entry.hits >= spec.times) {
        this.entries = this.entries.filter((e) => e !== entry);
      }
      return spec;
    }
    return undefined;
  }
}
