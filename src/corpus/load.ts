import { createHash } from "node:crypto";
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
  /** Documents left out under `skipInvalid`. */
  readonly skipped: readonly CorpusProblem[];
}

export interface LoadCorpusOptions {
  readonly skipInvalid?: boolean;
}

/**
 * Reads every `<id>.json` in the folder with its text. Texts are hashed, not kept: the search
 * index holds the passages, so a large corpus does not sit in memory.
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
  const names = entries.filter((n) => n.endsWith(".json")).sort();
  const problems: CorpusProblem[] = [];
  const documents: CorpusDocument[] = [];
  const hash = createHash("sha256");
  const seen = new Set<string>();

  for (const name of names) {
    const problem = (message: string) => problems.push({ file: name, message });
    let raw: unknown;
    try {
      raw = JSON.parse(await fs.readFile(path.join(dir, name), "utf8"));
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
    const file = textFileName(meta);
    let text: Buffer;
    try {
      text = await fs.readFile(path.join(dir, file));
    } catch {
      problem(`its text file ${file} is missing`);
      continue;
    }
    if (text.toString("utf8").trim() === "") {
      problem(`its text file ${file} is empty`);
      continue;
    }
    seen.add(meta.id);
    hash.update(JSON.stringify(meta)).update("\0").update(text).update("\0");
    documents.push({ ...meta, file });
  }

  if (problems.length > 0 && !options.skipInvalid) throw new CorpusError(problems);
  documents.sort(byNewest);
  return {
    dir,
    documents,
    byId: new Map(documents.map((d) => [d.id, d])),
    fingerprint: hash.digest("hex").slice(0, 32),
    skipped: problems,
  };
}

export function readDocumentText(
  corpus: Pick<Corpus, "dir">,
  doc: CorpusDocument,
): Promise<string> {
  return fs.readFile(path.join(corpus.dir, doc.file), "utf8");
}

export function byNewest(a: { date: string; id: string }, b: { date: string; id: string }): number {
  return a.date === b.date ? a.id.localeCompare(b.id) : a.date < b.date ? 1 : -1;
}
