/** Failures of the network below a request: the request may well succeed if sent again. */
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/**
 * 5xx, 429, timeouts and broken connections are worth retrying. Anything else (a Discord error
 * code such as Missing Permissions, a bad request, a bug) would only fail again.
 */
export function isTransient(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { status, code, name, cause } = error as {
    status?: unknown;
    code?: unknown;
    name?: unknown;
    cause?: { code?: unknown };
  };
  if (typeof status === "number") return status >= 500 || status === 429;
  if (typeof code === "number") return false;
  return (
    name === "AbortError" ||
    NETWORK_CODES.has(String(code)) ||
    NETWORK_CODES.has(String(cause?.code))
  );
}

export interface RetryPolicy {
  /** The wait before each retry; the last one repeats until `until`, or, without it, ends the retries. */
  readonly delaysMs: readonly number[];
  /** No retry starts after this time (ms since the epoch): an interaction token lasts 15 minutes. */
  readonly until?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  /** Told about each failure that will be retried. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Once aborted (the bot is stopping), the last failure is reported instead of retried. */
  readonly signal?: AbortSignal;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Waits, or less if the signal aborts meanwhile. */
async function pause(
  ms: number,
  sleep: (ms: number) => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (!signal) return sleep(ms);
  if (signal.aborted) return;
  let onAbort = (): void => undefined;
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms), aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** Runs `work`, retrying transient failures with growing waits. */
export async function withRetries<T>(work: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  const sleep = policy.sleep ?? sleepFor;
  const now = policy.now ?? Date.now;
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const delay =
        policy.delaysMs[attempt] ??
        (policy.until !== undefined ? policy.delaysMs.at(-1) : undefined);
      const late = policy.until !== undefined && now() + (delay ?? 0) >= policy.until;
      if (delay === undefined || late || !isTransient(error) || policy.signal?.aborted) throw error;
      policy.onRetry?.(error, attempt + 1, delay);
      await pause(delay, sleep, policy.signal);
      if (policy.signal?.aborted) throw error;
    }
  }
}
