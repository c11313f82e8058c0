/** Fetching one feed over HTTP: conditional, bounded in time, size and redirects. */

export interface FetchLimits {
  /** For the whole exchange: every redirect and the body included. */
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly maxRedirects: number;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = {
  timeoutMs: 30_000,
  maxBytes: 5 * 1024 * 1024,
  maxRedirects: 5,
};

/** What the last successful fetch answered, sent back so an unchanged feed costs a 304. */
export interface Validators {
  readonly etag: string | null;
  readonly lastModified: string | null;
}

export type FetchResult =
  | {
      readonly kind: "fetched";
      readonly body: string;
      readonly etag: string | null;
      readonly lastModified: string | null;
    }
  | { readonly kind: "not-modified" }
  | { readonly kind: "http-error"; readonly status: number; readonly retryAfterMs?: number }
  | { readonly kind: "failed"; readonly reason: string };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const ACCEPT =
  "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5";
const USER_AGENT = "modeldex feed reader";

/**
 * Fetches a feed, following at most `maxRedirects` redirects by hand so a loop is caught, and
 * reading at most `maxBytes` of body. Never throws: every way it can go wrong is a result.
 */
export async function fetchFeed(
  url: string,
  validators: Validators,
  limits: FetchLimits = DEFAULT_FETCH_LIMITS,
  stop?: AbortSignal,
): Promise<FetchResult> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = stop ? AbortSignal.any([timeout, stop]) : timeout;
  const headers: Record<string, string> = { accept: ACCEPT, "user-agent": USER_AGENT };
  if (validators.etag) headers["if-none-match"] = validators.etag;
  if (validators.lastModified) headers["if-modified-since"] = validators.lastModified;
  const visited = new Set<string>();
  let current = url;
  try {
    for (;;) {
      visited.add(current);
      const response = await fetch(current, { headers, redirect: "manual", signal });
      if (REDIRECTS.has(response.status)) {
        await response.body?.cancel();
        const location = response.headers.get("location");
        if (!location)
          return { kind: "failed", reason: `redirect ${response.status} without a Location` };
        const next = new URL(location, current);
        if (next.protocol !== "http:" && next.protocol !== "https:")
          return { kind: "failed", reason: `redirected to a ${next.protocol} address` };
        if (visited.has(next.href)) return { kind: "failed", reason: "redirect loop" };
        if (visited.size > limits.maxRedirects)
          return { kind: "failed", reason: `more than ${limits.maxRedirects} redirects` };
        current = next.href;
        continue;
      }
      if (response.status === 304) {
        await response.body?.cancel();
        return { kind: "not-modified" };
      }
      if (response.status < 200 || response.status > 299) {
        await response.body?.cancel();
        const retryAfterMs = retryAfter(response.headers.get("retry-after"));
        return {
          kind: "http-error",
          status: response.status,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        };
      }
      const bytes = await readBounded(response, limits.maxBytes);
      if (!bytes) return { kind: "failed", reason: `larger than ${formatBytes(limits.maxBytes)}` };
      return {
        kind: "fetched",
        body: decode(bytes, response.headers.get("content-type")),
        etag: response.headers.get("etag"),
        lastModified: response.headers.get("last-modified"),
      };
    }
  } catch (error) {
    if (timeout.aborted)
      return { kind: "failed", reason: `no answer within ${limits.timeoutMs / 1000} s` };
    if (stop?.aborted) return { kind: "failed", reason: "stopped" };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return {
      kind: "failed",
      reason: `could not fetch (${cause?.code ?? cause?.message ?? (error as Error).message})`,
    };
  }
}

/** The body, or undefined once it passes `max` bytes (the rest is never read). */
async function readBounded(response: Response, max: number): Promise<Uint8Array | undefined> {
  const declared = Number(response.headers.get("content-length"));
  if (declared > max) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.body) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** The charset the server names, else the XML declaration's, else UTF-8. */
function decode(bytes: Uint8Array, contentType: string | null): string {
  const head = Buffer.from(bytes.subarray(0, 200)).toString("latin1");
  const label =
    /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? "")?.[1] ??
    /^\s*<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)/i.exec(head)?.[1] ??
    "utf-8";
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    return new TextDecoder("utf-8").decode(bytes);
  }
}

/** Retry-After in seconds or as an HTTP date. */
function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${bytes} bytes`;
}
