import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ModelEntry } from "../../src/catalog/schema.js";
import { loadCatalog } from "../../src/catalog/load.js";
import { overlayCatalog } from "../../src/entries/overlay.js";
import {
  keyvEntries,
  type EntryRepository,
  entryStoreDeps,
  getGuildEntry,
  listEntryHistory,
  listGuildEntries,
  saveGuildEntry,
  type EntryChange,
} from "../../src/entries/repository.js";
import { memoryStore, openStore } from "../../src/store/keyv.js";
import { decode, type StoreProblem } from "../../src/store/records.js";
import { z } from "zod";
import type { Storage } from "../../src/store/storage.js";
import { FIXTURE_DATA, tempDir } from "../helpers.js";
import { postgresStorage } from "../postgres.js";

const opened: Storage[] = [];
afterAll(async () => {
  for (const storage of opened) await storage.close();
});
const noProblems = (problem: unknown) => {
  throw new Error(`unexpected problem: ${JSON.stringify(problem)}`);
};

const model = (summary: string): ModelEntry => ({
  id: "kimi-k3",
  name: "Kimi K3",
  aliases: ["k3"],
  labs: { value: ["openai"], confidence: "external" },
  summary,
  highlights: [],
});

function setup() {
  const problems: StoreProblem[] = [];
  const store = memoryStore();
  return { store, problems, deps: entryStoreDeps(store, (p) => problems.push(p)) };
}

const change = (over: Partial<EntryChange>): EntryChange => ({
  guildId: "g1",
  entryId: "kimi-k3",
  kind: "model",
  action: "add",
  entry: model("A new model added by a moderator."),
  by: "mod-1",
  at: new Date("2026-11-20T10:00:00Z"),
  ...over,
});

describe.each([
  ["the embedded store", async () => keyvEntries(memoryStore(), noProblems)],
  [
    "Postgres",
    async () => {
      const storage = await postgresStorage();
      opened.push(storage);
      return storage.repositories(noProblems)!.entries;
    },
  ],
] as Array<[string, () => Promise<EntryRepository>]>)("server entries in %s", (_name, make) => {
  it("GIVEN an add then an edit THEN the entry, its history and its added-by survive", async () => {
    const repo = await make();
    await repo.save(change({}));
    await repo.save(
      change({
        action: "edit",
        entry: model("Edited summary of the new model."),
        by: "mod-2",
        at: new Date("2026-11-21T09:00:00Z"),
      }),
    );
    const state = await repo.get("g1", "kimi-k3");
    expect(state).toMatchObject({
      version: 2,
      status: "active",
      addedBy: "mod-1",
      addedAt: "2026-11-20T10:00:00.000Z",
      updatedBy: "mod-2",
    });
    expect((state!.entry as ModelEntry).summary).toBe("Edited summary of the new model.");
    expect(await repo.revision("g1")).toBe(2);
    expect(
      (await repo.history("g1", "kimi-k3")).map((r) => `${r.version}:${r.action}:${r.by}`),
    ).toEqual(["1:add:mod-1", "2:edit:mod-2"]);
  });

  it("GIVEN a revert THEN the earlier state returns as a new, recorded version", async () => {
    const repo = await make();
    await repo.save(change({}));
    await repo.save(change({ action: "edit", entry: model("A mistaken edit of this entry.") }));
    const reverted = await repo.revert(
      "g1",
      "kimi-k3",
      1,
      "mod-3",
      new Date("2026-11-22T00:00:00Z"),
    );
    expect(reverted).toMatchObject({ version: 3, updatedBy: "mod-3" });
    expect((reverted!.entry as ModelEntry).summary).toBe("A new model added by a moderator.");
    expect((await repo.history("g1", "kimi-k3")).at(-1)).toMatchObject({
      action: "revert",
      revertedTo: 1,
    });
    expect(await repo.revert("g1", "kimi-k3", 9, "mod-3", new Date())).toBeUndefined();
    expect((await repo.get("g1", "kimi-k3"))!.version).toBe(3);
  });

  it("GIVEN two servers THEN neither sees the other's entries", async () => {
    const repo = await make();
    await repo.save(change({ guildId: "g1" }));
    expect(await repo.list("g2")).toEqual([]);
    expect(await repo.get("g2", "kimi-k3")).toBeUndefined();
    expect((await repo.list("g1")).map((s) => s.entryId)).toEqual(["kimi-k3"]);
  });
});

describe("server entries", () => {
  it("GIVEN a crash after the history write but before the entry write THEN the next read completes the change", async () => {
    const { deps, store } = setup();
    await saveGuildEntry(deps, change({}));
    const before = await store.get("entry:g1:kimi-k3");
    await saveGuildEntry(
      deps,
      change({ action: "edit", entry: model("The edit that was interrupted.") }),
    );
    await store.set("entry:g1:kimi-k3", before); // as if the process died between the two writes
    const state = await getGuildEntry(deps, "g1", "kimi-k3");
    expect(state!.version).toBe(2);
    expect((state!.entry as ModelEntry).summary).toBe("The edit that was interrupted.");
    expect(
      ((await store.get("entry:g1:kimi-k3")) as { data: { version: number } }).data.version,
    ).toBe(2);
  });

  it("GIVEN a corrupt or future-version value THEN it is reported, skipped and left in place", async () => {
    const { deps, store, problems } = setup();
    await saveGuildEntry(deps, change({}));
    await saveGuildEntry(
      deps,
      change({
        entryId: "other",
        entry: { ...model("Another entry of this server."), id: "other", name: "Other" },
      }),
    );
    await store.set("entry-history:g1:kimi-k3", { v: 1, data: { records: "garbage" } });
    await store.set("entry:g1:kimi-k3", "not even an object");
    await store.set("entry:g1:other", { v: 99, data: {} });
    await store.set("entry-history:g1:other", { v: 99, data: {} });
    expect(await listGuildEntries(deps, "g1")).toEqual([]);
    expect(problems.map((p) => `${p.key} ${p.message}`)).toEqual([
      "entry:g1:kimi-k3 is not a versioned record",
      "entry-history:g1:kimi-k3 field `records` Invalid input: expected array, received string",
      "entry:g1:other was written by a newer version (v99; this build reads up to v1)",
      "entry-history:g1:other was written by a newer version (v99; this build reads up to v1)",
    ]);
    expect(await store.get("entry:g1:other")).toEqual({ v: 99, data: {} });
  });

  it("GIVEN an older record version THEN its migration brings it up to date", () => {
    const type = {
      prefix: "x",
      version: 2,
      schema: z.object({ name: z.string(), tags: z.array(z.string()) }),
      migrations: { 1: (d: unknown) => ({ ...(d as object), tags: [] }) },
    };
    expect(decode(type, "x:1", { v: 1, data: { name: "old" } }, () => undefined)).toEqual({
      name: "old",
      tags: [],
    });
  });

  it("GIVEN server entries THEN the overlay adds, replaces and hides entries for that server only", async () => {
    const shipped = await loadCatalog(path.join(FIXTURE_DATA, "catalog"));
    const { deps } = setup();
    await saveGuildEntry(deps, change({}));
    await saveGuildEntry(deps, change({ entryId: "o3", action: "remove", entry: undefined }));
    await saveGuildEntry(
      deps,
      change({
        entryId: "o3-mini",
        action: "edit",
        entry: {
          ...(shipped.byId.get("o3-mini")!.entry as ModelEntry),
          summary: "This server's own summary of o3-mini.",
        },
      }),
    );
    const seen = overlayCatalog(shipped, await listGuildEntries(deps, "g1"));
    expect(seen.byId.has("kimi-k3")).toBe(true);
    expect(seen.byId.has("o3")).toBe(false);
    expect((seen.byId.get("o3-mini")!.entry as ModelEntry).summary).toBe(
      "This server's own summary of o3-mini.",
    );
    expect(shipped.byId.has("o3")).toBe(true);
    expect(overlayCatalog(shipped, await listGuildEntries(deps, "g2")).models.length).toBe(
      shipped.models.length,
    );
  });

  it("GIVEN kill -9 in the middle of a burst of 500 edits THEN every acknowledged edit is there afterwards", async () => {
    const file = path.join(await tempDir(), "store.sqlite");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(import.meta.dirname, "../fixtures/edit-burst.ts"), file, "500"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let acked = 0;
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        const versions = chunk.toString().match(/ack (\d+)/g) ?? [];
        for (const v of versions) acked = Math.max(acked, Number(v.slice(4)));
        if (acked >= 150 && child.exitCode === null) child.kill("SIGKILL");
      });
      child.once("exit", () => resolve());
      child.once("error", reject);
    });
    expect(acked).toBeGreaterThanOrEqual(150);
    expect(acked).toBeLessThan(500);
    const store = openStore(file);
    const deps = entryStoreDeps(store, (p) => {
      throw new Error(`${p.key} ${p.message}`);
    });
    const state = await getGuildEntry(deps, "g1", "burst-model");
    const records = await listEntryHistory(deps, "g1", "burst-model");
    expect(state!.version).toBeGreaterThanOrEqual(acked);
    expect(records.map((r) => r.version)).toEqual(
      Array.from({ length: records.length }, (_, i) => i + 1),
    );
    expect(records.at(-1)!.version).toBe(state!.version);
    await store.disconnect();
  }, 60_000);
});
