/**
 * The thread that loads the corpus, builds its search index and links the catalogue to it, so
 * the thread that answers members never stalls on that work. See `KnowledgeThread`.
 */
import { parentPort } from "node:worker_threads";
import { buildCatalog } from "../catalog/load.js";
import { indexMentions } from "../catalog/mentions.js";
import type { PassageRow } from "../search/index.js";
import { loadKnowledge } from "./bootstrap.js";
import type { WorkerReply, WorkerRequest } from "./knowledge-thread.js";

/** Passages of the latest loads: contexts still in use link their servers' catalogues to them. */
const passagesOf = new Map<number, PassageRow[]>();
const KEEP_LOADS = 2;

async function answer(request: WorkerRequest): Promise<unknown> {
  if (request.kind === "load") {
    const { loaded, passages } = await loadKnowledge(request.source, request.generation);
    passagesOf.set(request.generation, passages);
    for (const generation of [...passagesOf.keys()].slice(0, -KEEP_LOADS))
      passagesOf.delete(generation);
    return loaded;
  }
  const passages = passagesOf.get(request.generation);
  if (!passages) throw new Error(`the corpus of load ${request.generation} is no longer kept`);
  const { models, labs, families, products } = request.catalog;
  return indexMentions(buildCatalog(models, labs, families, products), passages);
}

parentPort!.on("message", (request: WorkerRequest) => {
  answer(request).then(
    (result) => parentPort!.postMessage({ id: request.id, ok: true, result } satisfies WorkerReply),
    (error: unknown) =>
      parentPort!.postMessage({
        id: request.id,
        ok: false,
        error: {
          name: (error as Error).name,
          message: (error as Error).message,
          stack: (error as Error).stack,
          problems: (error as { problems?: unknown }).problems,
        },
      } satisfies WorkerReply),
  );
});
