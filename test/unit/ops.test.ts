import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config.js";
import { reply } from "../../src/discord/payload.js";
import { UserError } from "../../src/errors.js";
import { answerSafely } from "../../src/interactions/boundary.js";
import { startOpsServer } from "../../src/ops/http.js";
import { metricsText } from "../../src/ops/metrics.js";
import { openStore, pingStore } from "../../src/store/keyv.js";
import { parsePrometheus } from "../prometheus.js";
import { silentLogger, tempDir } from "../helpers.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

function capturingLogger() {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n"))
        if (line) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { logger: pino({ level: "debug" }, sink), lines };
}

describe("the error boundary", () => {
  it("GIVEN an unexpected error THEN it is logged with its stack and an id, and the member's message quotes the same id", async () => {
    const { logger, lines } = capturingLogger();
    const answer = await answerSafely(
      async () => {
        throw new Error("database is on fire");
      },
      logger,
      { command: "search", guild: "1", user: "2" },
    );
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatchObject({ level: 50, msg: "interaction failed", command: "search" });
    expect((line!.err as { stack: string }).stack).toMatch(/^Error: database is on fire\n\s+at /);
    expect(line!.errorId).toMatch(/^[0-9a-f]{8}$/);
    expect(answer.payload.content).toBe(
      `Something went wrong on our side. It has been logged as error \`${line!.errorId}\`; please try again in a moment, and quote that id to a moderator if it keeps happening.`,
    );
    expect(answer.payload.content).not.toContain("fire");
    expect(answer.failure).toEqual({ kind: "failed", errorId: line!.errorId });
  });

  it("GIVEN a UserError THEN the member sees its message, nothing is logged, and the outcome says refused", async () => {
    const { logger, lines } = capturingLogger();
    const answer = await answerSafely(
      async () => {
        throw new UserError("Give a `query`.");
      },
      logger,
      {},
    );
    expect(answer.payload.content).toBe("Give a `query`.");
    expect(answer.failure).toEqual({ kind: "rejected" });
    expect(lines).toEqual([]);
    const fine = await answerSafely(async () => reply({ content: "ok" }), logger, {});
    expect(fine.failure).toBeUndefined();
  });
});

describe("a crash", () => {
  it.each(["throw", "reject"])(
    "GIVEN an uncaught %s THEN it is logged at fatal with its stack, and the process exits 1",
    async (how) => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", path.join(ROOT, "test/fixtures/crash.ts"), how],
        { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
      );
      let stdout = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
      const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
      expect(code).toBe(1);
      const lines = stdout.trim().split("\n");
      expect(lines).toHaveLength(1);
      const line = JSON.parse(lines[0]!) as LogLine;
      expect(line.level).toBe(60);
      expect(line.msg).toBe(
        how === "throw" ? "uncaught exception; exiting" : "unhandled promise rejection; exiting",
      );
      expect((line.err as { stack: string }).stack).toContain(
        how === "throw" ? "thrown in a timer" : "rejected with no handler",
      );
    },
  );
});

async function get(port: number, route: string, method = "GET") {
  const response = await fetch(`http://127.0.0.1:${port}${route}`, { method });
  return { status: response.status, body: await response.text() };
}

describe("the health and metrics server", () => {
  it("GIVEN reasons not to be ready THEN /readyz is 503 listing them, /healthz stays 200, and only GET and HEAD are answered", async () => {
    let reasons = ["gateway: shard 0 is resuming", "store: no answer within 1000 ms"];
    const server = await startOpsServer({
      host: "127.0.0.1",
      port: 0,
      logger: silentLogger,
      readiness: async () => reasons,
    });
    try {
      expect(await get(server.port, "/readyz")).toEqual({
        status: 503,
        body: "not ready\n- gateway: shard 0 is resuming\n- store: no answer within 1000 ms\n",
      });
      expect(await get(server.port, "/healthz")).toEqual({ status: 200, body: "ok\n" });
      reasons = [];
      expect(await get(server.port, "/readyz?verbose=1")).toEqual({ status: 200, body: "ready\n" });
      expect(await get(server.port, "/healthz", "HEAD")).toEqual({ status: 200, body: "" });
      expect((await get(server.port, "/healthz", "POST")).status).toBe(405);
      expect((await get(server.port, "/metricz")).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it("GIVEN a port already taken THEN the bot cannot start, and the message names HTTP_PORT", async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const starting = startOpsServer({
        host: "127.0.0.1",
        port,
        logger: silentLogger,
        readiness: async () => [],
      });
      await expect(starting).rejects.toBeInstanceOf(ConfigError);
      await expect(starting).rejects.toThrow(
        `HTTP_PORT ${port} on HTTP_HOST 127.0.0.1 cannot be used (EADDRINUSE): pick a free port, or leave HTTP_PORT unset.`,
      );
    } finally {
      taken.close();
    }
  });
});

describe("the store's health", () => {
  it("GIVEN a store that fails THEN its callers see the failure, it is counted in the metrics and the readiness check says so", async () => {
    const store = openStore(path.join(await tempDir(), "store.sqlite"));
    await store.set("k", "v");
    await pingStore(store);
    const getErrors = async () =>
      parsePrometheus(await metricsText()).get('modeldex_store_errors_total{operation="get"}') ?? 0;
    const before = await getErrors();
    await store.disconnect();
    await expect(store.get("k")).rejects.toThrow(/SQLITE_MISUSE|closed/i);
    await expect(pingStore(store)).rejects.toThrow(/SQLITE_MISUSE|closed/i);
    // One for the read, one for the health check.
    expect(await getErrors()).toBe(before + 2);
    const timed = parsePrometheus(await metricsText());
    expect(timed.get('modeldex_store_operation_seconds_count{operation="set"}')).toBeGreaterThan(0);
  });
});
