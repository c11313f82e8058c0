import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** A syntactically valid bot token for application 1234567890123456789; only the emulator sees it. */
export const TEST_TOKEN = `${Buffer.from("1234567890123456789").toString("base64").replace(/=+$/, "")}.GhIjKl.${"a".repeat(38)}`;
export const TEST_APPLICATION_ID = "1234567890123456789";

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

/**
 * The real bot, started exactly as `npm start` starts it (tsx src/index.ts), pointed at the
 * emulator. Its JSON log lines are collected so tests can wait for what it says.
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

  static start(env: Record<string, string>, args: readonly string[] = []): BotProcess {
    const child = spawn(process.execPath, ["--import", "tsx", "src/index.ts", ...args], {
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

  get pid(): number {
    return this.child.pid!;
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
  }
}
