import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { UserError } from "../errors.js";
import { parsePartialDate } from "../text/dates.js";
import { restoreParagraphs } from "./paragraphs.js";
import { DocumentMeta, textFileName, type DocumentMeta as Meta } from "./schema.js";

export interface IngestRequest {
  readonly file: string;
  readonly title: string;
  readonly date: string;
  readonly source?: string;
  readonly author?: string;
  readonly url?: string;
  readonly id?: string;
  readonly kind?: string;
}

export function slugify(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
}

/** "2026", "2026-03" or "2026-03-14": the date and how precisely it is known. */
function readDate(input: string): Pick<Meta, "date" | "datePrecision"> {
  const parsed = parsePartialDate(input);
  if (!parsed)
    throw new UserError(
      `--date must be a real date like 2026, 2026-03 or 2026-03-14 (got "${input}").`,
    );
  return { date: parsed.date, datePrecision: parsed.precision };
}

/**
 * Copies a plain-text or Markdown file into the corpus with validated metadata, restoring the
 * paragraph breaks its source lost. Files are written to temporary names and renamed, the
 * metadata last, so a half-written document is never loaded.
 */
export async function ingestDocument(corpusDir: string, request: IngestRequest): Promise<Meta> {
  let text: string;
  try {
    text = await fs.readFile(request.file, "utf8");
  } catch {
    throw new UserError(`Cannot read ${request.file}.`);
  }
  if (!text.trim()) throw new UserError(`${request.file} is empty.`);
  const format = /\.(md|markdown)$/i.test(request.file) ? "markdown" : "text";
  const parsed = DocumentMeta.safeParse({
    id: request.id ?? slugify(request.title),
    title: request.title,
    source: request.source ?? "Community submission",
    author: request.author,
    ...readDate(request.date),
    dateBasis: "stated",
    kind: request.kind ?? (format === "markdown" ? "blog-post" : "essay"),
    format,
    url: request.url,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`Invalid ${issue.path.join(".") || "metadata"}: ${issue.message}.`);
  }
  const meta = parsed.data;
  const metaPath = path.join(corpusDir, `${meta.id}.json`);
  if (await exists(metaPath)) {
    throw new UserError(
      `A document with id "${meta.id}" already exists; pass --id to choose another.`,
    );
  }
  await fs.mkdir(corpusDir, { recursive: true });
  await writeAtomically(path.join(corpusDir, textFileName(meta)), restoreParagraphs(text));
  await writeAtomically(metaPath, JSON.stringify(meta, null, 2) + "\n");
  return meta;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** Writes to a temporary name, then renames: a reader sees the old file or the new, never half. */
export async function writeAtomically(file: string, content: string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await fs.writeFile(temp, content);
  await fs.rename(temp, file);
}
