import { createHash, type Hash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { DocumentMeta, textFileName, type CorpusDocument } from "./schema.js";

export interface CorpusProblem {
  readonly file: string;
  readonly message: string;
}

export class CorpusError extends Error {
  override readonly name = "CorpusError";
  constructor(readonly problems: readonly CorpusProblem[]) {
    super(
      `The corpus has ${problems.length} invalid document(s):\n` +
        problems.map((p) => `  ${p.file}: ${p.message}`).join("\n") +
        "\nFix them, or start with --skip-invalid to load the rest.",
    );
  }
}

export interface Corpus {
  readonly dir: string;
  /** Newest first. */
  readonly documents: readonly CorpusDocument[];
  readonly byId: ReadonlyMap<string, CorpusDocument>;
  /** Changes whenever any document's metadata or text changes: keys the search index. */
  readonly fingerprint: string;
  /** Documents left out: invalid shipped ones under `skipInvalid`, and invalid gathered ones. */
  readonly skipped: readonly CorpusProblem[];
}

export interface LoadCorpusOptions {
  readonly skipInvalid?: boolean;
  /**
   * A folder of documents the bot gathered at run time (from feeds), in the same layout. They
   * live in the state folder, so an invalid one there is skipped and reported, never fatal.
   */
  readonly gatheredDir?: string;
}

/**
 * Reads every `<id>.json` in the folder with its text, then the gathered documents. Texts are
 * hashed, not kept: the search index holds the passages, so a large corpus does not sit in memory.
 */
export async function loadCorpus(dir: string, options: LoadCorpusOptions = {}): Promise<Corpus> {
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch {
    throw new CorpusError([
      {
        file: dir,
        message: "the corpus folder does not exist (set DATA_DIR to the folder holding corpus/)",
      },
    ]);
  }
  const hash = createHash("sha256");
  const seen = new Set<string>();
  const shipped = await readFolder(dir, dir, entries, hash, seen);
  if (shipped.problems.length > 0 && !options.skipInvalid) throw new CorpusError(shipped.problems);
  const documents = shipped.documents;
  const skipped = shipped.problems;
  if (options.gatheredDir) {
    const names = await fs.readdir(options.gatheredDir).catch(() => []);
    const gathered = await readFolder(options.gatheredDir, dir, names, hash, seen);
    documents.push(...gathered.documents);
    skipped.push(
      ...gathered.problems.map((p) => ({
        ...p,
        file: path.relative(dir, path.join(options.gatheredDir!, p.file)),
      })),
    );
  }
  documents.sort(byNewest);
  return {
    dir,
    documents,
    byId: new Map(documents.map((d) => [d.id, d])),
    fingerprint: hash.digest("hex").slice(0, 32),
    skipped,
  };
}

/** One folder's documents, with `file` relative to the corpus folder `base`. */
async function readFolder(
  folder: string,
  base: string,
  entries: readonly string[],
  hash: Hash,
  seen: Set<string>,
): Promise<{ documents: CorpusDocument[]; problems: CorpusProblem[] }> {
  const names = entries.filter((n) => n.endsWith(".json")).sort();
  const problems: CorpusProblem[] = [];
  const documents: CorpusDocument[] = [];
  for (const name of names) {
    const problem = (message: string) => problems.push({ file: name, message });
    let raw: unknown;
    try {
      raw = JSON.parse(await fs.readFile(path.join(folder, name), "utf8"));
    } catch (error) {
      problem(`is not valid JSON (${(error as Error).message})`);
      continue;
    }
    const parsed = DocumentMeta.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      problem(`field \`${issue.path.join(".") || "(root)"}\` ${issue.message}`);
      continue;
    }
    const meta = parsed.data;
    if (`${meta.id}.json` !== name) {
      problem(`field \`id\` is "${meta.id}" but must match the file name "${name.slice(0, -5)}"`);
      continue;
    }
    if (seen.has(meta.id)) {
      problem(`field \`id\` "${meta.id}" is used twice`);
      continue;
    }
    const textFile = textFileName(meta);
    let text: Buffer;
    try {
      text = await fs.readFile(path.join(folder, textFile));
    } catch {
      problem(`its text file ${textFile} is missing`);
      continue;
    }
    if (text.toString("utf8").trim() === "") {
      problem(`its text file ${textFile} is empty`);
      continue;
    }
    seen.add(meta.id);
    hash.update(JSON.stringify(meta)).update("\0").update(text).update("\0");
    const file = folder === base ? textFile : path.relative(base, path.join(folder, textFile));
    documents.push({ ...meta, file });
  }
  return { documents, problems };
}

export function readDocumentText(
  corpus: Pick<Corpus, "dir">,
  doc: CorpusDocument,
): Promise<string> {
  return fs.readFile(path.resolve(corpus.dir, doc.file), "utf8");
}

export function byNewest(a: { date: string; id: string }, b: { date: string; id: string }): number {
  return a.date === b.date ? a.id.localeCompare(b.id) : a.date < b.date ? 1 : -1;
}
