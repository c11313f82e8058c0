import fs from "node:fs/promises";
import path from "node:path";
import type { z } from "zod";
import { nameKeys } from "../text/names.js";
import { compactKey } from "../text/tokens.js";
import { LabEntry, ModelEntry, type SourceRef } from "./schema.js";
import { setAsideCiting, type LeftOut } from "./set-aside.js";

export type CatalogEntry =
  | { readonly kind: "model"; readonly entry: ModelEntry }
  | { readonly kind: "lab"; readonly entry: LabEntry };

export interface CatalogProblem {
  readonly file: string;
  readonly entry: string;
  readonly field: string;
  readonly message: string;
}

export class CatalogError extends Error {
  override readonly name = "CatalogError";
  constructor(readonly problems: readonly CatalogProblem[]) {
    super(
      `The catalogue has ${problems.length} problem(s):\n` +
        problems.map((p) => `  ${p.file} (${p.entry}) ${p.field}: ${p.message}`).join("\n"),
    );
  }
}

export interface Catalog {
  readonly models: readonly ModelEntry[];
  readonly labs: readonly LabEntry[];
  readonly byId: ReadonlyMap<string, CatalogEntry>;
}

export function buildCatalog(models: readonly ModelEntry[], labs: readonly LabEntry[]): Catalog {
  const byId = new Map<string, CatalogEntry>();
  for (const entry of labs) byId.set(entry.id, { kind: "lab", entry });
  for (const entry of models) byId.set(entry.id, { kind: "model", entry });
  return { models, labs, byId };
}

async function readEntries<T>(
  dir: string,
  kind: "models" | "labs",
  schema: z.ZodType<T>,
  problems: CatalogProblem[],
): Promise<Array<{ file: string; entry: T }>> {
  const folder = path.join(dir, kind);
  let names: string[];
  try {
    names = (await fs.readdir(folder)).filter((n) => n.endsWith(".json")).sort();
  } catch {
    return [];
  }
  const out: Array<{ file: string; entry: T }> = [];
  for (const name of names) {
    const file = `${kind}/${name}`;
    const id = name.slice(0, -5);
    let raw: unknown;
    try {
      raw = JSON.parse(await fs.readFile(path.join(folder, name), "utf8"));
    } catch (error) {
      problems.push({
        file,
        entry: id,
        field: "(file)",
        message: `is not valid JSON (${(error as Error).message})`,
      });
      continue;
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push({
          file,
          entry: id,
          field: issue.path.join(".") || "(root)",
          message: issue.message,
        });
      }
      continue;
    }
    if ((parsed.data as { id: string }).id !== id) {
      problems.push({ file, entry: id, field: "id", message: "must match the file name" });
      continue;
    }
    out.push({ file, entry: parsed.data });
  }
  return out;
}

/** Every source quoted by an entry, with the field it backs. */
export function sourcesOf(
  entry: ModelEntry | LabEntry,
): Array<{ field: string; source: SourceRef }> {
  const out: Array<{ field: string; source: SourceRef }> = [];
  for (const [field, value] of Object.entries(entry)) {
    if (field === "highlights") continue;
    if (value && typeof value === "object" && "source" in value)
      out.push({ field, source: value.source as SourceRef });
  }
  entry.highlights.forEach((h, i) => out.push({ field: `highlights.${i}`, source: h.source }));
  return out;
}

export interface LoadCatalogOptions {
  /** Document texts by id: when given, every quote must appear verbatim in its document. */
  readonly documents?: ReadonlyMap<string, string>;
  /** Known document ids: sources must name one. */
  readonly documentIds?: ReadonlySet<string>;
  /** Documents skipped as invalid (`--skip-invalid`): facts citing them are set aside. */
  readonly leftOut?: LeftOut;
}

/**
 * Reads `models/*.json` and `labs/*.json` and checks the catalogue as a whole: unique ids, names
 * and aliases (ignoring case and punctuation), references that resolve, sources that exist.
 */
export async function loadCatalog(dir: string, options: LoadCatalogOptions = {}): Promise<Catalog> {
  const problems: CatalogProblem[] = [];
  const models = setAsideCiting(
    await readEntries(dir, "models", ModelEntry, problems),
    options.leftOut,
  );
  const labs = setAsideCiting(await readEntries(dir, "labs", LabEntry, problems), options.leftOut);
  problems.push(...checkCatalog(models, labs, options));
  if (problems.length > 0) throw new CatalogError(problems);
  return buildCatalog(
    models.map((m) => m.entry),
    labs.map((l) => l.entry),
  );
}

export function checkCatalog(
  models: ReadonlyArray<{ file: string; entry: ModelEntry }>,
  labs: ReadonlyArray<{ file: string; entry: LabEntry }>,
  options: LoadCatalogOptions = {},
): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  const all = [...labs, ...models];
  const ids = new Map<string, string>();
  const names = new Map<string, string>();
  const labIds = new Set(labs.map((l) => l.entry.id));
  const modelIds = new Set(models.map((m) => m.entry.id));
  for (const { file, entry } of all) {
    const problem = (field: string, message: string) =>
      problems.push({ file, entry: entry.id, field, message });
    const owner = ids.get(entry.id);
    if (owner) problem("id", `is also used by ${owner}`);
    ids.set(entry.id, file);
    for (const [field, text] of [
      ["name", entry.name],
      ...entry.aliases.map((a, i) => [`aliases.${i}`, a]),
    ] as const) {
      if (!compactKey(text)) {
        problem(field, "has no letters or digits");
        continue;
      }
      // Repeating one's own name in another spelling is harmless; taking another entry's is not.
      const keys = nameKeys(text);
      const other = keys.map((key) => names.get(key)).find((id) => id && id !== entry.id);
      if (other) problem(field, `"${text}" clashes with a name or alias of ${other}`);
      for (const key of keys) names.set(key, entry.id);
    }
    for (const { field, source } of sourcesOf(entry)) {
      if (options.documentIds && !options.documentIds.has(source.doc)) {
        problem(`${field}.source.doc`, `names no corpus document ("${source.doc}")`);
        continue;
      }
      const text = options.documents?.get(source.doc);
      if (options.documents && (text === undefined || !text.includes(source.quote))) {
        problem(
          `${field}.source.quote`,
          `is not found verbatim in ${source.doc}: "${source.quote.slice(0, 60)}…"`,
        );
      }
    }
  }
  for (const { file, entry } of models) {
    for (const lab of entry.labs.value) {
      if (!labIds.has(lab))
        problems.push({ file, entry: entry.id, field: "labs", message: `names no lab "${lab}"` });
    }
    for (const field of ["predecessor", "successor"] as const) {
      const ref = entry[field]?.value;
      if (ref && !modelIds.has(ref))
        problems.push({ file, entry: entry.id, field, message: `names no model "${ref}"` });
    }
  }
  for (const { file, entry } of labs) {
    const parent = entry.parent?.value;
    if (parent && !labIds.has(parent))
      problems.push({
        file,
        entry: entry.id,
        field: "parent",
        message: `names no lab "${parent}"`,
      });
  }
  return problems;
}
