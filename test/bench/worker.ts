/**
 * One measurement in a fresh process: `build` (cold index build), `warm` (open an existing
 * index and run the queries), `incremental` (add and remove one document in a loaded context,
 * index file and all), or `fuse` (the fuse.js baseline). Prints one JSON line.
 */
import fs from "node:fs/promises";
import path from "node:path";
import Fuse from "fuse.js";
import { pino } from "pino";
import { createAppContext } from "../../src/app/bootstrap.js";
import { applyCorpusChanges, readChangedDocuments } from "../../src/app/live-corpus.js";
import { textFileName } from "../../src/corpus/schema.js";
import { feedDocumentsDir } from "../../src/feeds/ingest.js";
import { memoryStore } from "../../src/store/keyv.js";
import { loadCorpus, readDocumentText } from "../../src/corpus/load.js";
import { splitPassages } from "../../src/corpus/passages.js";
import { openSearchIndex } from "../../src/search/index.js";
import { searchCorpus } from "../../src/search/search.js";
import type { BenchQuery } from "./queries.js";

const [mode, corpusDir, indexFile, queriesFile, limitText] = process.argv.slice(2);
const started = performance.now();
const corpus = await loadCorpus(corpusDir!);
const fail = (doc: string, problem: string) => {
  throw new Error(`${doc}: ${problem}`);
};
const baseId = (key: string) => key.replace(/-x\d+(?=#)/, "");
const queries: BenchQuery[] = queriesFile ? JSON.parse(await fs.readFile(queriesFile, "utf8")) : [];
const limit = limitText ? Number(limitText) : queries.length;

function summary(latencies: number[], hits: number) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    queries: latencies.length,
    p50: at(0.5),
    p95: at(0.95),
    hitRate: hits / Math.max(1, latencies.length),
  };
}

if (mode === "build" || mode === "warm") {
  const index = await openSearchIndex(corpus, indexFile!);
  const openMs = performance.now() - started;
  const latencies: number[] = [];
  let hits = 0;
  for (const q of queries.slice(0, limit)) {
    const t = performance.now();
    const result = await searchCorpus(index, corpus, { query: q.text, limit: 5 });
    latencies.push(performance.now() - t);
    if (result.hits.some((h) => baseId(`${h.passage.docId}#${h.passage.ordinal}`) === q.expected))
      hits++;
  }
  console.log(
    JSON.stringify({
      mode,
      built: index.built,
      openMs,
      passages: index.passageCount,
      rssMb: process.memoryUsage().rss / 2 ** 20,
      ...summary(latencies, hits),
    }),
  );
  await index.close();
} else if (mode === "incremental") {
  // The data folder holds `corpus/` and `catalog/`; the index file is the one `build` made.
  const stateDir = path.dirname(indexFile!);
  const dataDir = path.dirname(corpusDir!);
  const logger = pino({ level: "silent" });
  let ctx = await createAppContext({ dataDir, stateDir, store: memoryStore(), logger });
  const openMs = performance.now() - started;
  const documentsDir = feedDocumentsDir(stateDir);
  await fs.mkdir(documentsDir, { recursive: true });
  const add: number[] = [];
  const remove: number[] = [];
  // Each round adds a copy of a different document under a new id, then removes it.
  for (const [i, doc] of corpus.documents.slice(0, Number(limitText ?? 9)).entries()) {
    const { file: _file, ...meta } = doc;
    const id = `bench-incremental-${i}`;
    const text = await readDocumentText(corpus, doc);
    await fs.writeFile(path.join(documentsDir, textFileName({ ...meta, id })), text);
    await fs.writeFile(path.join(documentsDir, `${id}.json`), JSON.stringify({ ...meta, id }));
    let t = performance.now();
    ctx = await applyCorpusChanges(
      ctx,
      documentsDir,
      await readChangedDocuments(documentsDir, [id], fail),
    );
    add.push(performance.now() - t);
    if (!ctx.corpus.byId.has(id)) throw new Error(`${id} was not taken in`);
    await fs.rm(path.join(documentsDir, `${id}.json`));
    await fs.rm(path.join(documentsDir, textFileName({ ...meta, id })));
    t = performance.now();
    ctx = await applyCorpusChanges(
      ctx,
      documentsDir,
      await readChangedDocuments(documentsDir, [id], fail),
    );
    remove.push(performance.now() - t);
    if (ctx.corpus.byId.has(id)) throw new Error(`${id} was not removed`);
  }
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
  console.log(
    JSON.stringify({
      mode,
      openMs,
      runs: add.length,
      passages: ctx.searchIndex.passageCount,
      addMedian: median(add),
      addMax: Math.max(...add),
      removeMedian: median(remove),
      removeMax: Math.max(...remove),
    }),
  );
  await ctx.searchIndex.close();
} else if (mode === "fuse") {
  const passages = [];
  for (const doc of corpus.documents)
    passages.push(...splitPassages(doc.id, await readDocumentText(corpus, doc)));
  const fuse = new Fuse(passages, {
    keys: ["text"],
    ignoreLocation: true,
    threshold: 0.4,
    includeScore: true,
  });
  const openMs = performance.now() - started;
  const latencies: number[] = [];
  let hits = 0;
  for (const q of queries.slice(0, limit)) {
    const t = performance.now();
    const top = fuse.search(q.text, { limit: 5 });
    latencies.push(performance.now() - t);
    if (top.some((r) => baseId(`${r.item.docId}#${r.item.ordinal}`) === q.expected)) hits++;
  }
  console.log(
    JSON.stringify({
      mode,
      openMs,
      passages: passages.length,
      rssMb: process.memoryUsage().rss / 2 ** 20,
      ...summary(latencies, hits),
    }),
  );
}
