import { pino, type Logger } from "pino";

export type { Logger };

const REDACT = {
  paths: [
    "token",
    "*.token",
    "discordToken",
    "*.discordToken",
    "headers.authorization",
    "*.headers.authorization",
  ],
  censor: "[redacted]",
};

/**
 * JSON logs by default (for log shippers); human-readable when a person is watching a terminal.
 * `fd` 2 sends logs to stderr, which the CLI uses so its stdout stays the reply alone.
 */
export function createLogger(
  level: string,
  options: { pretty?: boolean; fd?: 1 | 2 } = {},
): Logger {
  const fd = options.fd ?? 1;
  const pretty = options.pretty ?? (fd === 1 ? process.stdout.isTTY : process.stderr.isTTY);
  if (pretty) {
    return pino({
      level,
      redact: REDACT,
      transport: {
        target: "pino-pretty",
        options: { colorize: true, translateTime: "SYS:HH:MM:ss", destination: fd },
      },
    });
  }
  return pino({ level, redact: REDACT }, pino.destination({ fd, sync: true }));
}
