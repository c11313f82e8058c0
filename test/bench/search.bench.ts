/**
 * `npm run bench`: index build, warm start, memory and /search latency on the shipped corpus
 * (1×) and on a synthetic corpus 100× its size, against a plain fuse.js baseline, and one
 * document added and removed without a rebuild; then the whole command path end to end
 * (test/bench/e2e.ts). `npm run bench:e2e` runs only the latter, `npm run bench:index` all but it.
 * Each figure comes from a fresh child process; all figures of a report come from one run.
 */
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { loadCorpus, readDocumentText } from "../../src/corpus/load.js";
import { createAppContext } from "../../src/app/bootstrap.js";
import { memoryStore } from "../../src/store/keyv.js";
import { pino } from "pino";
import { measureAutocomplete } from "./autocomplete.js";
import { runEndToEnd } from "./e2e.js";
import { corpusQueries, rng } from "./queries.js";

const exec = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const WORK = path.join(ROOT, ".state", "bench");
const SHIPPED = path.join(ROOT, "data", "corpus");
const SCALE = Number(process.env.BENCH_SCALE ?? 100);
const QUERY_COUNT = 240;
/** Documents added, then removed, one at a time, in a loaded context. */
const INCREMENTAL_RUNS = 9;

async function worker(...args: string[]): Promise<Record<string, number | boolean | string>> {
  const { stdout } = await exec(
    process.execPath,
    ["--import", "tsx", path.join(import.meta.dirname, "worker.ts"), ...args],
    {
      cwd: ROOT,
      maxBuffer: 1 << 24,
    },
  );
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

async function timeCli(dataDir: string, stateDir: string, runs = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await exec(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "search", "query:distillation attacks", "--json"],
      {
        cwd: ROOT,
        env: { ...process.env, DATA_DIR: dataDir, STATE_DIR: stateDir },
      },
    );
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

/** Perturbed copies of every document: ~8% of words swapped for other corpus words, dates shifted. */
async function buildSynthetic(target: string, scale: number): Promise<void> {
  const marker = path.join(target, `.complete-${scale}`);
  if (
    await fs.access(marker).then(
      () => true,
      () => false,
    )
  )
    return;
  await fs.rm(target, { recursive: true, force: true });
  await fs.mkdir(target, { recursive: true });
  const corpus = await loadCorpus(SHIPPED);
  const texts = new Map<string, string>();
  for (const doc of corpus.documents) texts.set(doc.id, await readDocumentText(corpus, doc));
  const words = [...new Set([...texts.values()].flatMap((t) => t.match(/\p{L}{4,}/gu) ?? []))];
  const random = rng(7);
  for (const doc of corpus.documents) {
    const text = texts.get(doc.id)!;
    const { file: _file, ...meta } = doc;
    await fs.writeFile(path.join(target, `${doc.id}.json`), JSON.stringify(meta));
    await fs.writeFile(path.join(target, doc.file), text);
    for (let k = 1; k < scale; k++) {
      const id = `${doc.id}-x${k}`;
      const day = new Date(Date.parse(`${doc.date}T00:00:00Z`) - k * 86_400_000)
        .toISOString()
        .slice(0, 10);
      const perturbed = text.replace(/\p{L}{4,}/gu, (w) =>
        random() < 0.08 ? words[Math.floor(random() * words.length)]! : w,
      );
      const { file: _file, ...meta } = doc;
      await fs.writeFile(
        path.join(target, `${id}.json`),
        JSON.stringify({ ...meta, id, date: day, url: undefined }),
      );
      await fs.writeFile(path.join(target, `${id}.txt`), perturbed);
    }
  }
  // The catalogue beside the corpus, so a whole context (mentions included) can be loaded.
  await fs.rm(path.join(path.dirname(target), "catalog"), { force: true });
  await fs.symlink(path.join(ROOT, "data", "catalog"), path.join(path.dirname(target), "catalog"));
  await fs.writeFile(marker, "");
}

async function queriesFor(corpusDir: string, file: string): Promise<void> {
  await fs.writeFile(file, JSON.stringify(await corpusQueries(corpusDir, QUERY_COUNT)));
}

const fmt = (n: unknown, digits = 1) => (typeof n === "number" ? n.toFixed(digits) : String(n));

async function measure(label: string, corpusDir: string, fuseSample: number) {
  const state = path.join(WORK, `state-${label}`);
  await fs.rm(state, { recursive: true, force: true });
  await fs.mkdir(state, { recursive: true });
  const index = path.join(state, "search-index.sqlite");
  const queries = path.join(WORK, `queries-1x.json`);
  const build = await worker("build", corpusDir, index, queries, "0");
  const warm = await worker("warm", corpusDir, index, queries);
  const incremental = await worker("incremental", corpusDir, index, "", String(INCREMENTAL_RUNS));
  const fuse = await worker("fuse", corpusDir, "", queries, String(fuseSample));
  const dataDir = path.dirname(corpusDir);
  const cli = label === "1x" ? await timeCli(dataDir, state) : undefined;
  console.log(`\n## ${label}: ${build.passages} passages`);
  console.log(`index build (cold)        ${fmt(build.openMs, 0)} ms`);
  console.log(`warm start (open index)   ${fmt(warm.openMs, 0)} ms   (rebuilt: ${warm.built})`);
  console.log(
    `one document, incremental add median ${fmt(incremental.addMedian, 1)} ms (max ${fmt(incremental.addMax, 1)}), remove median ${fmt(incremental.removeMedian, 1)} ms (max ${fmt(incremental.removeMax, 1)})   (${incremental.runs} of each: index, vocabulary, corpus and mentions)`,
  );
  console.log(
    `   versus the full rebuild  ${fmt(Number(build.openMs) / Number(incremental.addMedian), 0)}× faster to add, ${fmt(Number(build.openMs) / Number(incremental.removeMedian), 0)}× to remove`,
  );
  if (cli !== undefined)
    console.log(`CLI cold start, median    ${fmt(cli, 0)} ms   (whole process, 5 runs)`);
  console.log(`RSS after ${warm.queries} queries     ${fmt(warm.rssMb, 0)} MB`);
  console.log(
    `/search latency           p50 ${fmt(warm.p50, 2)} ms   p95 ${fmt(warm.p95, 2)} ms   top-5 hit rate ${fmt(Number(warm.hitRate) * 100)}%`,
  );
  console.log(
    `fuse.js baseline          p50 ${fmt(fuse.p50, 1)} ms   p95 ${fmt(fuse.p95, 1)} ms   top-5 hit rate ${fmt(Number(fuse.hitRate) * 100)}%   (${fuse.queries} queries, index ${fmt(fuse.openMs, 0)} ms, RSS ${fmt(fuse.rssMb, 0)} MB)`,
  );
  console.log(
    `speed-up over fuse.js     ${fmt(Number(fuse.p50) / Number(warm.p50), 0)}× at p50, ${fmt(Number(fuse.p95) / Number(warm.p95), 0)}× at p95`,
  );
}

const endToEndOnly = process.argv[2] === "e2e";
const indexOnly = process.argv[2] === "index";

await fs.mkdir(WORK, { recursive: true });
// Queries come from the shipped corpus, so 1× and 100× answer the same questions.
await queriesFor(SHIPPED, path.join(WORK, "queries-1x.json"));
console.log(
  `# modeldex search benchmark (${QUERY_COUNT} queries, a third with a typo; node ${process.version})`,
);
if (!endToEndOnly) await measure("1x", SHIPPED, QUERY_COUNT);
if (!endToEndOnly) {
  const ctx = await createAppContext({
    dataDir: path.dirname(SHIPPED),
    stateDir: path.join(WORK, "state-1x"),
    store: memoryStore(),
    logger: pino({ level: "silent" }),
  });
  const ac = measureAutocomplete(ctx);
  console.log(
    `/model autocomplete       p50 ${fmt(ac.p50, 2)} ms   p95 ${fmt(ac.p95, 2)} ms   max ${fmt(ac.max, 2)} ms   (${ac.calls} keystrokes over ${ctx.catalog.catalog.byId.size} entries)`,
  );
  await ctx.searchIndex.close();
}
if (SCALE > 1 && !endToEndOnly) {
  const synthetic = path.join(WORK, `data-${SCALE}x`, "corpus");
  const t = performance.now();
  await buildSynthetic(synthetic, SCALE);
  console.log(`\n(synthetic ${SCALE}× corpus ready in ${fmt((performance.now() - t) / 1000)} s)`);
  await measure(`${SCALE}x`, synthetic, 3);
}

if (!indexOnly) {
  console.log(
    "\n## end to end: the bot in its own process, through the Discord emulator (shipped corpus)",
  );
  await runEndToEnd();
}
