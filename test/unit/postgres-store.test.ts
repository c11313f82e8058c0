import net from "node:net";
import path from "node:path";
import pg from "pg";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  keyvBookmarks,
  type Bookmark,
  type BookmarkRepository,
} from "../../src/bookmarks/repository.js";
import { loadCatalog } from "../../src/catalog/load.js";
import { StoreUnavailableError } from "../../src/errors.js";
import {
  listRecapGuilds,
  saveRecapSettings,
  type RecapSettings,
} from "../../src/recap/settings.js";
import { memoryStore } from "../../src/store/keyv.js";
import { SCHEMA_VERSION, SchemaTooNewError } from "../../src/store/postgres/schema.js";
import { openStorage, type Storage } from "../../src/store/storage.js";
import { SHIPPED_DATA } from "../helpers.js";
import { freshDatabase } from "../postgres.js";

const silent = pino({ level: "silent" });
const GUILD = "100000000000000001";
const ALICE = "200000000000000001";
const noProblems = (problem: unknown) => {
  throw new Error(`unexpected problem: ${JSON.stringify(problem)}`);
};

const opened: Storage[] = [];
afterAll(async () => {
  for (const storage of opened) await storage.close();
});

/** Storage on a database, as one process of the bot opens it. */
async function open(url: string, timeoutMs = 5_000): Promise<Storage> {
  const storage = await openStorage(
    { storePath: "", postgresUrl: url, storeTimeoutMs: timeoutMs },
    silent,
  );
  opened.push(storage);
  return storage;
}

const bookmark = (n: number, over: Partial<Bookmark> = {}): Bookmark => ({
  messageId: `5000000000000${String(n).padStart(5, "0")}`,
  channelId: "400000000000000001",
  guildId: GUILD,
  savedAt: new Date(Date.UTC(2026, 1, 3, 12, 0, n)).toISOString(),
  kind: "answer",
  title: `Answer ${n}`,
  ...over,
});

describe("the Postgres store's deadline", () => {
  let server: net.Server;
  let port: number;
  const sockets = new Set<net.Socket>();
  beforeAll(async () => {
    // Accepts connections and never says a word: a database that hangs.
    server = net.createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it("GIVEN a database that never answers THEN opening the store fails with StoreUnavailableError instead of hanging", async () => {
    const failure = await openStorage(
      { storePath: "", postgresUrl: `postgres://u:p@127.0.0.1:${port}/db`, storeTimeoutMs: 300 },
      silent,
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect((failure as StoreUnavailableError).reason).toMatch(/no answer within 300 ms|timeout/);
  });

  it("GIVEN no database at the address THEN the failure is StoreUnavailableError too", async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer();
      probe.listen(0, "127.0.0.1", () => {
        const { port: free } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const failure = await openStorage(
      {
        storePath: "",
        postgresUrl: `postgres://u:p@127.0.0.1:${closed}/db`,
        storeTimeoutMs: 2_000,
      },
      silent,
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreUnavailableError);
  });
});

describe("the Postgres schema", () => {
  it("GIVEN several processes opening one database THEN the schema is made once, at this build's version", async () => {
    const url = await freshDatabase();
    await Promise.all([open(url), open(url), open(url)]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT version FROM modeldex_schema ORDER BY version");
      expect(rows).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })));
      // A database a newer build has migrated is refused, not written to.
      await client.query("INSERT INTO modeldex_schema (version) VALUES ($1)", [SCHEMA_VERSION + 1]);
    } finally {
      await client.end();
    }
    await expect(open(url)).rejects.toBeInstanceOf(SchemaTooNewError);
  });

  it("GIVEN records whose time ran out THEN the next process to open the store deletes them; the others stay", async () => {
    const url = await freshDatabase();
    const first = await open(url);
    await first.kv.set("stash:test:gone", { v: 1, data: "short" }, 1);
    await first.kv.set("stash:test:kept", { v: 1, data: "long" }, 60_000);
    await first.kv.set("settings:kept", { v: 1, data: {} });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await open(url);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      // The sweep runs as the store opens, without holding it up: wait for it.
      for (let i = 0; i < 50; i++) {
        const { rows } = await client.query("SELECT key FROM keyv ORDER BY key");
        if (rows.length === 2) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const { rows } = await client.query("SELECT key FROM keyv ORDER BY key");
      expect(rows.map((row: { key: string }) => row.key)).toEqual([
        "modeldex:settings:kept",
        "modeldex:stash:test:kept",
      ]);
    } finally {
      await client.end();
    }
  });

  it("GIVEN a key longer than 255 characters THEN the key-value table keeps it", async () => {
    const storage = await open(await freshDatabase());
    const key = `stash:test:${"k".repeat(400)}`;
    await storage.kv.set(key, { v: 1, data: "kept" });
    expect(await storage.kv.get(key)).toEqual({ v: 1, data: "kept" });
  });
});

describe.each([
  ["the embedded store", async () => keyvBookmarks(memoryStore(), noProblems)],
  ["Postgres", async () => (await open(await freshDatabase())).repositories(noProblems)!.bookmarks],
] as Array<[string, () => Promise<BookmarkRepository>]>)("bookmarks in %s", (_name, make) => {
  let repo: BookmarkRepository;
  afterEach(() => undefined);

  it("GIVEN saves, a repeat, the limit, a removal and a deleted message THEN each says what happened, and lists stay newest first", async () => {
    repo = await make();
    expect(await repo.save(ALICE, bookmark(1), 3)).toBe("saved");
    expect(await repo.save(ALICE, bookmark(1), 3)).toBe("already-saved");
    expect(await repo.save(ALICE, bookmark(2), 3)).toBe("saved");
    expect(await repo.save(ALICE, bookmark(3, { kind: "message", title: "Message" }), 3)).toBe(
      "saved",
    );
    expect(await repo.save(ALICE, bookmark(4), 3)).toBe("limit-reached");
    expect((await repo.list(GUILD, ALICE)).map((b) => b.title)).toEqual([
      "Message",
      "Answer 2",
      "Answer 1",
    ]);
    expect(await repo.remove(GUILD, ALICE, bookmark(2).messageId)).toBe(true);
    expect(await repo.remove(GUILD, ALICE, bookmark(2).messageId)).toBe(false);
    const bob = "200000000000000002";
    expect(await repo.save(bob, bookmark(1), 3)).toBe("saved");
    expect(await repo.members(GUILD)).toEqual([ALICE, bob]);
    expect(
      await repo.mostBookmarked(GUILD, new Date("2026-02-01"), new Date("2026-02-08")),
    ).toEqual([
      {
        messageId: bookmark(1).messageId,
        channelId: "400000000000000001",
        title: "Answer 1",
        count: 2,
      },
    ]);
    const at = new Date("2026-02-04T00:00:00Z");
    expect(await repo.markMessageDeleted(GUILD, bookmark(1).messageId, at)).toBe(2);
    expect(await repo.markMessageDeleted(GUILD, bookmark(1).messageId, at)).toBe(0);
    expect((await repo.list(GUILD, bob))[0]).toMatchObject({
      title: "Answer 1",
      deletedAt: at.toISOString(),
    });
    expect(await repo.clear(GUILD, ALICE)).toBe(2);
    expect(await repo.list(GUILD, ALICE)).toEqual([]);
  });
});

describe("two processes on one Postgres", () => {
  it("GIVEN 40 saves for one member from two processes at once THEN exactly the limit is kept", async () => {
    const url = await freshDatabase();
    const [a, b] = [await open(url), await open(url)].map(
      (storage) => storage.repositories(noProblems)!.bookmarks,
    );
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, n) => (n % 2 ? a! : b!).save(ALICE, bookmark(n), 10)),
    );
    expect(outcomes.filter((o) => o === "saved")).toHaveLength(10);
    expect(outcomes.filter((o) => o === "limit-reached")).toHaveLength(30);
    expect(await a!.list(GUILD, ALICE)).toHaveLength(10);
  });

  it("GIVEN entries changed through both processes at once THEN no change is lost, and each sees the other's at once", async () => {
    const url = await freshDatabase();
    const [a, b] = [await open(url), await open(url)].map(
      (storage) => storage.repositories(noProblems)!.entries,
    );
    const shipped = (await loadCatalog(path.join(SHIPPED_DATA, "catalog"))).models[0]!;
    expect(await b!.revision(GUILD)).toBe(0);
    await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        (n % 2 ? a! : b!).save({
          guildId: GUILD,
          entryId: shipped.id,
          kind: "model",
          action: n === 0 ? "add" : "edit",
          entry: { ...shipped, summary: `${shipped.summary} (edit ${n})` },
          by: `mod-${n}`,
          at: new Date(Date.UTC(2026, 1, 5, 12, n)),
        }),
      ),
    );
    expect((await b!.history(GUILD, shipped.id)).map((r) => r.version)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    expect(await b!.revision(GUILD)).toBe(10);
    expect((await a!.get(GUILD, shipped.id))?.version).toBe(10);
  });

  it("GIVEN recap settings saved for 30 servers through two processes at once THEN the list of servers has all 30", async () => {
    const url = await freshDatabase();
    const [a, b] = [await open(url), await open(url)];
    const settings: RecapSettings = {
      channelId: "400000000000000001",
      schedule: { day: 1, time: "09:00", timeZone: "Europe/Berlin" },
      quietMode: "line",
      status: "active",
      since: "2026-02-01T00:00:00.000Z",
      updatedAt: "2026-02-01T00:00:00.000Z",
      updatedBy: ALICE,
    };
    const guilds = Array.from(
      { length: 30 },
      (_, n) => `1000000000000${String(n).padStart(5, "0")}`,
    );
    await Promise.all(
      guilds.map((id, n) => saveRecapSettings((n % 2 ? a! : b!).kv, id, settings, noProblems)),
    );
    expect((await listRecapGuilds(a!.kv, noProblems)).sort()).toEqual(guilds);
  });

  it("GIVEN two processes asking for identify turns in one bucket THEN the second waits a whole turn", async () => {
    const url = await freshDatabase();
    const [a, b] = [await open(url), await open(url)];
    const waits = [
      await a!.coordination.reserveIdentify(0, 5_500),
      await b!.coordination.reserveIdentify(0, 5_500),
      await b!.coordination.reserveIdentify(1, 5_500),
    ];
    expect(waits[0]).toBe(0);
    expect(waits[1]).toBeGreaterThan(5_000);
    expect(waits[2]).toBe(0);
  });
});
