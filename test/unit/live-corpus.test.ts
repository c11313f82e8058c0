import fs from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createAppContext, loadParts } from "../../src/app/bootstrap.js";
import type { AppContext } from "../../src/app/context.js";
import {
  applyCorpusChanges,
  catchUpContext,
  readChangedDocuments,
} from "../../src/app/live-corpus.js";
import type { ModelEntry } from "../../src/catalog/schema.js";
import { readDocumentText } from "../../src/corpus/load.js";
import type { CorpusDocument, DocumentMeta } from "../../src/corpus/schema.js";
import { feedDocumentsDir } from "../../src/feeds/ingest.js";
import { searchCorpus } from "../../src/search/search.js";
import { memoryStore } from "../../src/store/keyv.js";
import { FIXTURE_DATA, silentLogger, tempDir } from "../helpers.js";

const open: AppContext[] = [];
afterEach(async () => {
  for (const ctx of open.splice(0)) await ctx.searchIndex.close();
});

async function contextIn(stateDir: string): Promise<AppContext> {
  const ctx = await createAppContext({
    dataDir: FIXTURE_DATA,
    stateDir,
    store: memoryStore(),
    logger: silentLogger,
  });
  open.push(ctx);
  return ctx;
}

const BRIEFING: DocumentMeta = {
  id: "quokka-briefing",
  title: "The quokkaformer briefing",
  source: "AI briefing",
  date: "2026-11-20",
  datePrecision: "day",
  dateBasis: "stated",
  kind: "briefing",
  format: "text",
};
const BRIEFING_TEXT =
  "Anthropic shipped Claude Opus 4.5 to more regions this week. The quokkaformer architecture " +
  "behind it stays unpublished.\n\nNvidia answered with Nemotron-Cascade 2, and Claude Opus 4.5 " +
  "still leads the coding charts.\n";

async function gather(stateDir: string, meta: DocumentMeta, text: string): Promise<void> {
  const dir = feedDocumentsDir(stateDir);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, `${meta.id}.txt`), text);
  await fs.writeFile(path.join(dir, `${meta.id}.json`), JSON.stringify(meta));
}

async function takeIn(ctx: AppContext, stateDir: string, ids: string[]): Promise<AppContext> {
  const dir = feedDocumentsDir(stateDir);
  const changes = await readChangedDocuments(dir, ids, (doc, problem) => {
    throw new Error(`${doc}: ${problem}`);
  });
  return applyCorpusChanges(ctx, dir, changes);
}

/** What a member sees of a search: documents and passages, in order. */
async function ranked(ctx: AppContext, query: string) {
  const result = await searchCorpus(ctx.searchIndex, ctx.corpus, { query, limit: 50 });
  return {
    corrections: result.corrections,
    hits: result.hits.map((h) => `${h.document.id}#${h.passage.ordinal}`),
  };
}

/** Everything a rebuild would make from the files, to compare an updated context against. */
async function rebuilt(stateDir: string) {
  const fresh = await tempDir("rebuilt-");
  await fs.cp(feedDocumentsDir(stateDir), feedDocumentsDir(fresh), { recursive: true });
  const ctx = await contextIn(fresh);
  const parts = await loadParts({ dataDir: FIXTURE_DATA, stateDir: fresh });
  await parts.searchIndex.close();
  return { ctx, mentions: parts.mentions };
}

const QUERIES = [
  "claude opus",
  "quokkaformer architecture",
  "quokaformer",
  "coding charts",
  "gpt 5.4",
];

describe("taking documents into a loaded corpus", () => {
  it("GIVEN a new document THEN search, spelling, the corpus and mentions are exactly what a rebuild gives, without one", async () => {
    const stateDir = await tempDir("live-");
    const before = await contextIn(stateDir);
    const opusBefore = before.catalog.mentions.get("claude-opus-4-5")!;
    await gather(stateDir, BRIEFING, BRIEFING_TEXT);

    const after = await takeIn(before, stateDir, [BRIEFING.id]);

    expect(after.corpus.byId.get(BRIEFING.id)?.title).toBe("The quokkaformer briefing");
    expect(after.corpus.documents.map((d) => d.id)).toContain(BRIEFING.id);
    expect((await ranked(after, "quokkaformer")).hits).toEqual([`${BRIEFING.id}#0`]);
    expect(after.searchIndex.vocabulary.correct("quokaformer")).toBe("quokkaformer");
    const opus = after.catalog.mentions.get("claude-opus-4-5")!;
    expect(opus.documents).toBe(opusBefore.documents + 1);
    expect(opus.passages[0]).toMatchObject({ docId: BRIEFING.id, count: 2 });
    expect(opus.last).toBe("2026-11-20");

    const { ctx: fresh, mentions } = await rebuilt(stateDir);
    expect(after.corpus.fingerprint).toBe(fresh.corpus.fingerprint);
    const withoutFile = (docs: readonly CorpusDocument[]) => docs.map(({ file: _f, ...m }) => m);
    expect(withoutFile(after.corpus.documents)).toEqual(withoutFile(fresh.corpus.documents));
    expect(await readDocumentText(after.corpus, after.corpus.byId.get(BRIEFING.id)!)).toBe(
      BRIEFING_TEXT,
    );
    expect(after.searchIndex.passageCount).toBe(fresh.searchIndex.passageCount);
    expect(new Map(after.searchIndex.vocabulary.frequencies)).toEqual(
      new Map(fresh.searchIndex.vocabulary.frequencies),
    );
    expect(new Map(after.catalog.mentions)).toEqual(mentions);
    for (const query of QUERIES)
      expect(await ranked(after, query)).toEqual(await ranked(fresh, query));
  });

  it("GIVEN the document is changed, then removed THEN each step matches a rebuild, and a restart reuses the index", async () => {
    const stateDir = await tempDir("live-");
    const loaded = await contextIn(stateDir);
    const frequencies = new Map(loaded.searchIndex.vocabulary.frequencies);
    await gather(stateDir, BRIEFING, BRIEFING_TEXT);
    const added = await takeIn(loaded, stateDir, [BRIEFING.id]);
    await gather(stateDir, { ...BRIEFING, title: "Opus everywhere" }, "Claude Opus 4.5 again.\n");

    const changed = await takeIn(added, stateDir, [BRIEFING.id]);

    expect(changed.corpus.byId.get(BRIEFING.id)?.title).toBe("Opus everywhere");
    expect((await ranked(changed, "quokkaformer")).hits).toEqual([]);
    expect(changed.searchIndex.vocabulary.has("quokkaformer")).toBe(false);
    expect(changed.catalog.mentions.get("nemotron-cascade-2")).toEqual(
      loaded.catalog.mentions.get("nemotron-cascade-2"),
    );
    const restarted = await contextIn(stateDir);
    expect(restarted.searchIndex.built).toBe(false);
    expect(new Map(restarted.searchIndex.vocabulary.frequencies)).toEqual(
      new Map(changed.searchIndex.vocabulary.frequencies),
    );

    await fs.rm(path.join(feedDocumentsDir(stateDir), `${BRIEFING.id}.json`));
    const removed = await takeIn(changed, stateDir, [BRIEFING.id]);

    expect(removed.corpus.byId.has(BRIEFING.id)).toBe(false);
    expect(removed.corpus.fingerprint).toBe(loaded.corpus.fingerprint);
    expect(new Map(removed.searchIndex.vocabulary.frequencies)).toEqual(frequencies);
    expect(new Map(removed.catalog.mentions)).toEqual(new Map(loaded.catalog.mentions));
    expect(removed.searchIndex.passageCount).toBe(loaded.searchIndex.passageCount);
  });

  it("GIVEN two processes on one state folder THEN the one that did not take a document in sees it at its catch-up, with the same vocabulary", async () => {
    const stateDir = await tempDir("live-");
    const first = await contextIn(stateDir);
    const second = await contextIn(stateDir);
    await gather(stateDir, BRIEFING, BRIEFING_TEXT);

    const firstAfter = await takeIn(first, stateDir, [BRIEFING.id]);
    // Taking it in again finds it in the index already: nothing is written twice.
    const secondAfter = await takeIn(second, stateDir, [BRIEFING.id]);
    const again = await catchUpContext(secondAfter, feedDocumentsDir(stateDir));

    expect(again).toBe(secondAfter);
    expect(secondAfter.corpus.fingerprint).toBe(firstAfter.corpus.fingerprint);
    expect(secondAfter.searchIndex.passageCount).toBe(firstAfter.searchIndex.passageCount);
    expect((await ranked(secondAfter, "quokkaformer")).hits).toEqual([`${BRIEFING.id}#0`]);
    expect(new Map(secondAfter.searchIndex.vocabulary.frequencies)).toEqual(
      new Map(firstAfter.searchIndex.vocabulary.frequencies),
    );
    expect(new Map(secondAfter.catalog.mentions)).toEqual(new Map(firstAfter.catalog.mentions));
  });

  it("GIVEN a server with its own entry THEN its catalogue's mentions follow a new document too", async () => {
    const stateDir = await tempDir("live-");
    const ctx = await contextIn(stateDir);
    const shippedOpus = ctx.catalog.get("claude-opus-4-5")!.entry as ModelEntry;
    await ctx.catalogs.entries.save({
      guildId: "g1",
      entryId: "quokkaformer",
      kind: "model",
      action: "add",
      entry: { ...shippedOpus, id: "quokkaformer", name: "Quokkaformer", aliases: [] },
      by: "mod",
      at: new Date("2026-11-24T12:00:00Z"),
    });
    expect((await ctx.catalogs.for("g1")).mentions.get("quokkaformer")?.documents).toBe(0);
    await gather(stateDir, BRIEFING, BRIEFING_TEXT.replace("quokkaformer", "Quokkaformer"));

    const after = await takeIn(ctx, stateDir, [BRIEFING.id]);

    const server = await after.catalogs.for("g1");
    expect(server.mentions.get("quokkaformer")).toMatchObject({ documents: 1, last: "2026-11-20" });
    expect(server.mentions.get("claude-opus-4-5")).toEqual(
      after.catalog.mentions.get("claude-opus-4-5"),
    );
    // A server's catalogue built anew (another entry changed) links to the corpus as it is now.
    await ctx.catalogs.entries.save({
      guildId: "g1",
      entryId: "quokkaformer-2",
      kind: "model",
      action: "add",
      entry: { ...shippedOpus, id: "quokkaformer-2", name: "Quokkaformer 2", aliases: [] },
      by: "mod",
      at: new Date("2026-11-24T12:00:00Z"),
    });
    const rebuilt = await after.catalogs.for("g1");
    expect(rebuilt).not.toBe(server);
    expect(rebuilt.mentions.get("quokkaformer")?.documents).toBe(1);
  });
});
