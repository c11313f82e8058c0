import path from "node:path";
import { buildKnowledge } from "../catalog/knowledge.js";
import { relinkMentions } from "../catalog/mentions.js";
import { byNewest, readDocument, type Corpus } from "../corpus/load.js";
import { textFileName, type CorpusDocument } from "../corpus/schema.js";
import type { DocumentChange } from "../search/index.js";
import type { AppContext } from "./context.js";

/**
 * Documents of a folder (the gathered documents) as index changes: each as its files are now,
 * or removed when its files are gone. An invalid one is left out and reported.
 */
export async function readChangedDocuments(
  folder: string,
  docIds: readonly string[],
  report: (docId: string, problem: string) => void,
): Promise<DocumentChange[]> {
  const changes: DocumentChange[] = [];
  for (const docId of new Set(docIds)) {
    const read = await readDocument(folder, `${docId}.json`);
    if (!("problem" in read)) changes.push({ docId, ...read });
    else if (read.missing) changes.push({ docId, removed: true });
    else report(docId, read.problem);
  }
  return changes;
}

/**
 * Puts changed documents into the context's search index (the index file, shared with any
 * other process that uses it), then brings the context up to date: see `catchUpContext`.
 */
export async function applyCorpusChanges(
  ctx: AppContext,
  documentsDir: string,
  changes: readonly DocumentChange[],
): Promise<AppContext> {
  if (changes.length) await ctx.searchIndex.applyDocuments(changes);
  return catchUpContext(ctx, documentsDir);
}

/**
 * The context after the changes recorded in its index file since it last looked, by this
 * process or another: the corpus, the vocabulary, and the mentions of the shipped catalogue and
 * of every server's, all updated in place of a rebuild. The same context when nothing changed.
 * `documentsDir` holds the changed documents' files.
 */
export async function catchUpContext(ctx: AppContext, documentsDir: string): Promise<AppContext> {
  const { documents, fingerprint } = await ctx.searchIndex.catchUp();
  if (!documents.length) return ctx;
  const ids = new Set(documents.map((d) => d.docId));
  const digests = new Map(ctx.corpus.digests);
  const added: CorpusDocument[] = [];
  for (const { docId, meta, digest } of documents) {
    if (meta && digest) {
      digests.set(docId, digest);
      const file = path.relative(ctx.corpus.dir, path.join(documentsDir, textFileName(meta)));
      added.push({ ...meta, file });
    } else {
      digests.delete(docId);
    }
  }
  const list = [...ctx.corpus.documents.filter((d) => !ids.has(d.id)), ...added].sort(byNewest);
  const corpus: Corpus = {
    ...ctx.corpus,
    documents: list,
    byId: new Map(list.map((d) => [d.id, d])),
    fingerprint,
    digests,
  };
  const passages = documents.flatMap((d) => d.passages);
  for (const d of documents) ctx.corpusChanges.record(d.docId, d.passages);
  const shipped = ctx.catalogs.shipped;
  const catalog = buildKnowledge(
    shipped.catalog,
    relinkMentions(shipped.matcher, shipped.mentions, ids, passages),
    ctx.corpusChanges.holding,
  );
  ctx.catalogs.corpusChanged(catalog, ids, passages);
  return { ...ctx, corpus, catalog };
}
