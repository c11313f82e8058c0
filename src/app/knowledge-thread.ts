import { Worker } from "node:worker_threads";
import { CatalogError, type CatalogLists, type CatalogProblem } from "../catalog/load.js";
import type { MentionStats } from "../catalog/mentions.js";
import { CorpusError, type CorpusProblem } from "../corpus/load.js";
import type { KnowledgeBuilder, KnowledgeSource, LoadedKnowledge } from "./bootstrap.js";

export type WorkerRequest =
  | { id: number; kind: "load"; source: KnowledgeSource; generation: number }
  | {
      id: number;
      kind: "mentions";
      generation: number;
      catalog: CatalogLists;
    };

export type WorkerReply =
  | { id: number; ok: true; result: unknown }
  | {
      id: number;
      ok: false;
      error: { name: string; message: string; stack?: string; problems?: unknown };
    };

/**
 * The worker's entry point. Compiled, it is the `.js` file beside this one; run from source
 * (tsx), the worker registers tsx first, as Node does not pass a loader on to workers.
 */
function startWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith(".js")) return new Worker(new URL("./knowledge-worker.js", here));
  const entry = new URL("./knowledge-worker.ts", here).href;
  const tsx = import.meta.resolve("tsx/esm/api");
  return new Worker(
    `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`,
    { eval: true },
  );
}

/** The knowledge's errors come back as the classes the start-up reports by name. */
function revive(error: Extract<WorkerReply, { ok: false }>["error"]): Error {
  if (error.name === "CorpusError") return new CorpusError(error.problems as CorpusProblem[]);
  if (error.name === "CatalogError") return new CatalogError(error.problems as CatalogProblem[]);
  return Object.assign(new Error(error.message), { name: error.name, stack: error.stack });
}

/**
 * Loads the corpus, builds its index and links the catalogue on a worker thread (started on
 * first use, again after a crash), so members are answered from the loaded data meanwhile.
 */
export class KnowledgeThread implements KnowledgeBuilder {
  private worker: Worker | undefined;
  private readonly pending = new Map<
    number,
    { resolve(value: unknown): void; reject(error: Error): void }
  >();
  private nextId = 1;
  private generation = 0;

  load(source: KnowledgeSource): Promise<LoadedKnowledge> {
    const generation = ++this.generation;
    return this.ask({ kind: "load", source, generation }) as Promise<LoadedKnowledge>;
  }

  indexMentions(
    generation: number,
    catalog: CatalogLists,
  ): Promise<ReadonlyMap<string, MentionStats>> {
    return this.ask({
      kind: "mentions",
      generation,
      catalog: {
        models: catalog.models,
        labs: catalog.labs,
        families: catalog.families,
        products: catalog.products,
      },
    }) as Promise<ReadonlyMap<string, MentionStats>>;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private ask(request: DistributiveOmit<WorkerRequest, "id">): Promise<unknown> {
    const id = this.nextId++;
    const worker = this.running();
    // Only waiting for an answer keeps the process alive.
    worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  }

  private running(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker();
    worker.on("message", (reply: WorkerReply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.ok) waiter?.resolve(reply.result);
      else waiter?.reject(revive(reply.error));
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) =>
      fail(new Error(`the knowledge thread stopped (exit code ${code})`)),
    );
    this.worker = worker;
    return worker;
  }
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
