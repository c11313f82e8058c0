import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger };

const CENSOR = "[redacted]";
/** Keys whose value is a secret, in a log line or in any object directly in it. */
const SECRET_KEYS = ["token", "discordToken"] as const;

/**
 * The object with its secrets censored: `token`, `discordToken` and `headers.authorization`, in
 * the line itself and in any object directly in it (an error, a request). Untouched, and not
 * copied, when there is none, which is almost always: it runs for every line. (pino's `redact`
 * with wildcard paths did the same at about 40 µs a line.)
 */
export function censorSecrets(object: Record<string, unknown>): Record<string, unknown> {
  let censored: Record<string, unknown> | undefined;
  for (const key of Object.keys(object)) {
    const value = object[key];
    const replaced =
      (SECRET_KEYS as readonly string[]).includes(key) && value !== undefined
        ? CENSOR
        : key === "headers"
          ? censorHeaders(value)
          : censorOneLevel(value);
    if (replaced === value) continue;
    censored ??= { ...object };
    censored[key] = replaced;
  }
  return censored ?? object;
}

function censorOneLevel(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  const secret = SECRET_KEYS.filter((key) => record[key] !== undefined);
  const headers = censorHeaders(record.headers);
  if (secret.length === 0 && headers === record.headers) return value;
  // A copy that keeps what pino's error serializer reads (message, stack, type).
  const copy: Record<string, unknown> = Object.create(Object.getPrototypeOf(value) as object);
  Object.assign(copy, record);
  if (value instanceof Error) {
    copy.message = value.message;
    copy.stack = value.stack;
  }
  for (const key of secret) copy[key] = CENSOR;
  if (headers !== record.headers) copy.headers = headers;
  return copy;
}

function censorHeaders(headers: unknown): unknown {
  if (typeof headers !== "object" || headers === null) return headers;
  const record = headers as Record<string, unknown>;
  return record.authorization === undefined ? headers : { ...record, authorization: CENSOR };
}

/**
 * JSON logs by default (for log shippers); human-readable when a person is watching a terminal.
 * `fd` 2 sends logs to stderr, which the CLI uses so its stdout stays the reply alone.
 */
export function createLogger(
  level: string,
  options: { pretty?: boolean; fd?: 1 | 2; destination?: DestinationStream } = {},
): Logger {
  const fd = options.fd ?? 1;
  const pretty = options.pretty ?? (fd === 1 ? process.stdout.isTTY : process.stderr.isTTY);
  if (pretty) {
    return pino({
      level,
      formatters: { log: censorSecrets },
      transport: {
        target: "pino-pretty",
        options: { colorize: true, translateTime: "SYS:HH:MM:ss", destination: fd },
      },
    });
  }
  // Written in the background: a synchronous write to a pipe whose reader lags (a log shipper,
  // a busy terminal) would stall every member's command while it waits. What is still buffered
  // is written out when the process exits, crash or not (pino flushes on exit).
  return pino(
    { level, formatters: { log: censorSecrets } },
    options.destination ?? pino.destination({ fd, sync: false }),
  );
}
