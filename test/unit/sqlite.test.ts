import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteRecapPosts } from "../../src/recap/posts.js";
import { openStore } from "../../src/store/keyv.js";
import {
  idSetType,
  readIdSet,
  stageIdSet,
  updateIdSet,
  withId,
  withoutId,
} from "../../src/store/records.js";
import { SqliteDatabase } from "../../src/store/sqlite.js";
import { tempDir } from "../helpers.js";

const open: SqliteDatabase[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.close();
});

async function connect(file: string): Promise<SqliteDatabase> {
  const db = await SqliteDatabase.open(file);
  open.push(db);
  return db;
}

describe("writes that must be seen to have happened", () => {
  it("GIVEN another process reading all along THEN a claim whose commit cannot happen fails, and is not reported won", async () => {
    const file = path.join(await tempDir("sqlite-"), "store.sqlite");
    const writer = await connect(file);
    const reader = await connect(file);
    await writer.exec("CREATE TABLE claims (key TEXT PRIMARY KEY); PRAGMA busy_timeout = 50;");
    // The reader's transaction holds the file's shared lock, so no commit can finish meanwhile.
    await reader.exec("BEGIN");
    await reader.all("SELECT * FROM claims");

    const claim = writer.transaction((tx) =>
      tx.get<{ key: string }>("INSERT INTO claims VALUES ('post') RETURNING key"),
    );

    await expect(claim).rejects.toMatchObject({ code: "SQLITE_BUSY" });
    await reader.exec("COMMIT");
    expect(await writer.all("SELECT * FROM claims")).toEqual([]);
    // The connection is usable again, and the same claim now goes through.
    await expect(
      writer.transaction((tx) => tx.get("INSERT INTO claims VALUES ('post') RETURNING key")),
    ).resolves.toEqual({ key: "post" });
    expect(await reader.all("SELECT * FROM claims")).toEqual([{ key: "post" }]);
  });

  it("GIVEN statements sent while a transaction runs THEN they wait for it and are not rolled back with it", async () => {
    const file = path.join(await tempDir("sqlite-"), "store.sqlite");
    const db = await connect(file);
    await db.exec("CREATE TABLE t (k TEXT PRIMARY KEY)");

    const failing = db.transaction(async (tx) => {
      await tx.run("INSERT INTO t VALUES ('inside')");
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error("the work failed");
    });
    const outside = db.run("INSERT INTO t VALUES ('outside')");

    await expect(failing).rejects.toThrow("the work failed");
    await outside;
    expect(await db.all("SELECT k FROM t")).toEqual([{ k: "outside" }]);
  });

  it("GIVEN another process reading all along THEN a recap claim whose commit cannot happen fails, and the week stays free for the next try", async () => {
    const file = path.join(await tempDir("sqlite-"), "store.sqlite");
    const posts = await SqliteRecapPosts.open(file);
    const reader = await connect(file);
    try {
      await reader.exec("BEGIN");
      await reader.all("SELECT * FROM recap_posts");

      const claim = posts.claim("1", "2026-W48", "process-a", "2", 0, 120_000);

      await expect(claim).rejects.toMatchObject({ code: "SQLITE_BUSY" });
      await reader.exec("COMMIT");
      expect(await posts.get("1", "2026-W48")).toBeUndefined();
      await expect(posts.claim("1", "2026-W48", "process-b", "2", 0, 120_000)).resolves.toBe(1);
    } finally {
      await posts.close();
    }
  }, 20_000);
});

describe("the key-value store on SQLite", () => {
  it("GIVEN 200 changes of one index at once THEN each builds on the last, and all 200 are in the file after reopening", async () => {
    const file = path.join(await tempDir("keyv-"), "store.sqlite");
    const store = openStore(file);
    const INDEX = idSetType("savers");
    const ids = Array.from({ length: 200 }, (_, i) => String(1000 + i));
    const staged = await Promise.all(
      ids.map((id) => stageIdSet(store, INDEX, "savers:m1", withId(id), () => undefined)),
    );
    await Promise.all(staged.map((s) => s.written));
    // A change queued after the burst has drained reads the file again, and builds on it.
    await updateIdSet(store, INDEX, "savers:m1", withoutId("1000"), () => undefined);
    await store.disconnect();

    const reopened = openStore(file);
    const problems: unknown[] = [];
    expect(await readIdSet(reopened, INDEX, "savers:m1", (p) => problems.push(p))).toEqual(
      ids.slice(1),
    );
    expect(problems).toEqual([]);
    await reopened.disconnect();
  });

  it("GIVEN values with colons, quotes and characters outside ASCII THEN they read back as written, after reopening too", async () => {
    const file = path.join(await tempDir("keyv-"), "store.sqlite");
    const value = {
      title: ":bookmark: it's “quoted” — 'twice'",
      nested: [":a", "::b", "\u0000\u2028", "é🔖"],
    };
    const store = openStore(file);
    await store.set("odd", value);
    expect(await store.get("odd")).toEqual(value);
    await store.disconnect();
    const reopened = openStore(file);
    expect(await reopened.get("odd")).toEqual(value);
    await reopened.disconnect();
  });
});
