import { StoreUnavailableError } from "../errors.js";

/** How long any one store call may take unless STORE_TIMEOUT_MS says otherwise. */
export const DEFAULT_STORE_TIMEOUT_MS = 2_000;

/**
 * Errors that mean "the database is not there right now" rather than "this request is wrong":
 * refused or dropped connections, a server shutting down or starting, too many clients.
 */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Connection ended unexpectedly/i;

/** The store's own failure, told apart from bugs: those stay as they are. */
export function asStoreFailure(operation: string, error: unknown): unknown {
  if (error instanceof StoreUnavailableError) return error;
  const code = (error as { code?: unknown }).code;
  const message = (error as Error | undefined)?.message ?? String(error);
  if (
    (typeof code === "string" && (UNAVAILABLE_CODES.has(code) || code.startsWith("08"))) ||
    UNAVAILABLE_MESSAGES.test(message)
  )
    return new StoreUnavailableError(operation, message);
  return error;
}

/**
 * Runs one store call within a deadline: past it, the caller gets a StoreUnavailableError at once
 * (the call itself may still finish later; its result is dropped).
 */
export async function withDeadline<T>(
  operation: string,
  timeoutMs: number,
  work: () => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StoreUnavailableError(operation, `no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  const running = work();
  // A call that fails after its deadline has nobody left to tell.
  running.catch(() => undefined);
  try {
    return await Promise.race([running, late]);
  } catch (error) {
    throw asStoreFailure(operation, error);
  } finally {
    clearTimeout(timer);
  }
}
