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
  /**
   * Changes whenever any document's metadata or text changes: keys the search index. It is the
   * sum of the documents' digests, so adding or removing one document updates it without
   * reading the others.
   */
  readonly fingerprint: string;
  /** Each document's digest (`documentDigest`), by id. */
  readonly digests: ReadonlyMap<string, string>;
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
  const digests = new Map<string, string>();
  const shipped = await readFolder(dir, dir, entries, digests);
  if (shipped.problems.length > 0 && !options.skipInvalid) throw new CorpusError(shipped.problems);
  const documents = shipped.documents;
  const skipped = shipped.problems;
  if (options.gatheredDir) {
    const names = await fs.readdir(options.gatheredDir).catch(() => []);
    const gathered = await readFolder(options.gatheredDir, dir, names, digests);
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
    fingerprint: shiftFingerprint(EMPTY_FINGERPRINT, { add: [...digests.values()] }),
    digests,
    skipped,
  };
}

/** One folder's documents, with `file` relative to the corpus folder `base`. */
async function readFolder(
  folder: string,
  base: string,
  entries: readonly string[],
  digests: Map<string, string>,
): Promise<{ documents: CorpusDocument[]; problems: CorpusProblem[] }> {
  const names = entries.filter((n) => n.endsWith(".json")).sort();
  const problems: CorpusProblem[] = [];
  const documents: CorpusDocument[] = [];
  for (const name of names) {
    const read = await readDocument(folder, name);
    if ("problem" in read) {
      problems.push({ file: name, message: read.problem });
      continue;
    }
    const { meta, digest } = read;
    if (digests.has(meta.id)) {
      problems.push({ file: name, message: `field \`id\` "${meta.id}" is used twice` });
      continue;
    }
    digests.set(meta.id, digest);
    const textFile = textFileName(meta);
    const file = folder === base ? textFile : path.relative(base, path.join(folder, textFile));
    documents.push({ ...meta, file });
  }
  return { documents, problems };
}

export interface ReadDocument {
  readonly meta: DocumentMeta;
  readonly text: string;
  readonly digest: string;
}

/** One document of a folder, `<id>.json` and its text, validated; or what is wrong with it. */
export async function readDocument(
  folder: string,
  name: string,
): Promise<ReadDocument | { problem: string; missing?: true }> {
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(path.join(folder, name), "utf8"));
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT")
      return { problem: "is missing", missing: true };
    return { problem: `is not valid JSON (${(error as Error).message})` };
  }
  const parsed = DocumentMeta.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { problem: `field \`${issue.path.join(".") || "(root)"}\` ${issue.message}` };
  }
  const meta = parsed.data;
  if (`${meta.id}.json` !== name)
    return {
      problem: `field \`id\` is "${meta.id}" but must match the file name "${name.slice(0, -5)}"`,
    };
  const textFile = textFileName(meta);
  let text: Buffer;
  try {
    text = await fs.readFile(path.join(folder, textFile));
  } catch {
    return { problem: `its text file ${textFile} is missing` };
  }
  const decoded = text.toString("utf8");
  if (decoded.trim() === "") return { problem: `its text file ${textFile} is empty` };
  return { meta, text: decoded, digest: documentDigest(meta, text) };
}

/** What identifies one version of a document: its metadata and its text. */
export function documentDigest(meta: DocumentMeta, text: string | Buffer): string {
  return createHash("sha256")
    .update(JSON.stringify(meta))
    .update("\0")
    .update(text)
    .update("\0")
    .digest("hex")
    .slice(0, 32);
}

const FINGERPRINT_MODULUS = 1n << 128n;
export const EMPTY_FINGERPRINT = "0".repeat(32);

/**
 * The fingerprint with documents' digests added and removed. A sum (modulo 2^128) does not
 * depend on the order, so any process that makes the same changes gets the same fingerprint.
 */
export function shiftFingerprint(
  fingerprint: string,
  change: { add?: readonly string[]; remove?: readonly string[] },
): string {
  let sum = BigInt(`0x${fingerprint}`);
  for (const digest of change.add ?? []) sum += BigInt(`0x${digest}`);
  for (const digest of change.remove ?? []) sum -= BigInt(`0x${digest}`);
  sum = ((sum % FINGERPRINT_MODULUS) + FINGERPRINT_MODULUS) % FINGERPRINT_MODULUS;
  return sum.toString(16).padStart(32, "0");
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
