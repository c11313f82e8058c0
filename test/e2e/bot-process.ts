import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** The node flags `npm start` gives the bot, so a bot started from the sources runs the same way. */
const START_FLAGS = (
  JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    scripts: { start: string };
  }
).scripts.start
  .split(/\s+/)
  .filter((word) => word.startsWith("--"));

/** A syntactically valid bot token for application 1234567890123456789; only the emulator sees it. */
export const TEST_TOKEN = `${Buffer.from("1234567890123456789").toString("base64").replace(/=+$/, "")}.GhIjKl.${"a".repeat(38)}`;
export const TEST_APPLICATION_ID = "1234567890123456789";

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

/**
 * The real bot in its own process, pointed at the emulator: from the sources (`start`, through
 * tsx), or exactly as an operator runs it (`npmStart`: `npm start`, the built bot in dist/, which
 * `ensureBuilt()` must have built). Its JSON log lines are collected so tests can wait for what
 * it says.
 */
export class BotProcess {
  readonly logs: LogLine[] = [];
  private stderr = "";
  private exited?: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      let newline: number;
      while ((newline = buffer.indexOf("\n")) !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          this.logs.push(JSON.parse(line) as LogLine);
        } catch {
          this.logs.push({ level: 30, msg: line });
        }
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => (this.stderr += chunk.toString("utf8")));
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  }

  /**
   * Starts the bot from the sources. With `clockAt`, the process's clock (`Date`) is the test's: it
   * starts at that time and runs on, so a test can crash a bot with `crash()` (kill -9) at one
   * moment of a recap's week and start the next one minutes or hours later in that week. `args`
   * are the bot's own (`--playground`, say).
   */
  static start(
    env: Record<string, string>,
    options: { clockAt?: Date; args?: readonly string[] } = {},
  ): BotProcess {
    const clock = options.clockAt
      ? ["--import", pathToFileURL(path.join(import.meta.dirname, "test-clock.ts")).href]
      : [];
    return BotProcess.spawn(
      process.execPath,
      [...START_FLAGS, "--import", "tsx", ...clock, "src/index.ts", ...(options.args ?? [])],
      {
        ...(options.clockAt ? { TEST_CLOCK_AT: options.clockAt.toISOString() } : {}),
        ...env,
      },
    );
  }

  /** `npm start`: the pid is npm's, which forwards SIGTERM and SIGINT to the bot. */
  static npmStart(env: Record<string, string>): BotProcess {
    return BotProcess.spawn("npm", ["start"], env);
  }

  private static spawn(command: string, args: string[], env: Record<string, string>) {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        LOG_LEVEL: "debug",
        DISCORD_TOKEN: TEST_TOKEN,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    return new BotProcess(child);
  }

  /** kill -9: the process ends at once, finishing nothing. */
  async crash(): Promise<void> {
    this.child.kill("SIGKILL");
    await this.exited;
  }

  /** The pid that was started (npm's, for `npmStart`). */
  get pid(): number {
    return this.child.pid!;
  }

  /** The bot's own pid, as its log lines give it. */
  get botPid(): number | undefined {
    return this.logs.find((l) => typeof l.pid === "number")?.pid as number | undefined;
  }

  get errorOutput(): string {
    return this.stderr;
  }

  /** Resolves with the first log line that matches, or fails with what the bot said. */
  async waitForLog(match: (line: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logs.find(match);
      if (found) return found;
      if (this.child.exitCode !== null) {
        throw new Error(
          `bot exited (${this.child.exitCode}) before the expected log line.\n${this.stderr}`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for a log line; last lines:\n${this.logs
            .slice(-10)
            .map((l) => l.msg)
            .join("\n")}\n${this.stderr}`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  errors(): LogLine[] {
    return this.logs.filter((l) => l.level >= 50);
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  /** The exit code, once the process has ended. */
  exitCode(timeoutMs = 10_000): Promise<number | null> {
    return Promise.race([
      this.exited!,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error("bot did not exit in time")), timeoutMs).unref(),
      ),
    ]);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGKILL");
      await this.exited;
    }
    // Killing npm does not kill the bot it started: a failed test must not leave it running.
    const bot = this.botPid;
    if (bot !== undefined && bot !== this.child.pid && isRunning(bot)) process.kill(bot, "SIGKILL");
  }
}

/** Whether a process with this pid exists. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
