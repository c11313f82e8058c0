import fs from "node:fs/promises";
import path from "node:path";
import type { z } from "zod";
import { nameKeys } from "../text/names.js";
import { compactKey } from "../text/tokens.js";
import { buildMatcher, findMentions } from "./mentions.js";
import {
  FamilyEntry,
  LabEntry,
  ModelEntry,
  ProductEntry,
  type AnyEntry,
  type SourceRef,
} from "./schema.js";
import { setAsideCiting, type LeftOut } from "./set-aside.js";

export type CatalogEntry =
  | { readonly kind: "model"; readonly entry: ModelEntry }
  | { readonly kind: "lab"; readonly entry: LabEntry }
  | { readonly kind: "family"; readonly entry: FamilyEntry }
  | { readonly kind: "product"; readonly entry: ProductEntry };
export type EntryKind = CatalogEntry["kind"];

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
  readonly families: readonly FamilyEntry[];
  readonly products: readonly ProductEntry[];
  readonly byId: ReadonlyMap<string, CatalogEntry>;
}

/** A catalogue's entries without its index: what crosses between threads. */
export type CatalogLists = Pick<Catalog, "models" | "labs" | "families" | "products">;

export function buildCatalog(
  models: readonly ModelEntry[],
  labs: readonly LabEntry[],
  families: readonly FamilyEntry[] = [],
  products: readonly ProductEntry[] = [],
): Catalog {
  const byId = new Map<string, CatalogEntry>();
  for (const entry of labs) byId.set(entry.id, { kind: "lab", entry });
  for (const entry of products) byId.set(entry.id, { kind: "product", entry });
  for (const entry of families) byId.set(entry.id, { kind: "family", entry });
  for (const entry of models) byId.set(entry.id, { kind: "model", entry });
  return { models, labs, families, products, byId };
}

/** The folder of each kind under `catalog/`. */
export const KIND_FOLDERS = {
  model: "models",
  lab: "labs",
  family: "families",
  product: "products",
} as const satisfies Record<EntryKind, string>;

async function readEntries<T>(
  dir: string,
  kind: (typeof KIND_FOLDERS)[EntryKind],
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
export function sourcesOf(entry: AnyEntry): Array<{ field: string; source: SourceRef }> {
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

type Files<T> = ReadonlyArray<{ file: string; entry: T }>;

/** The catalogue's files as read, before they are checked as a whole. */
export interface CatalogFiles {
  readonly models: Files<ModelEntry>;
  readonly labs: Files<LabEntry>;
  readonly families: Files<FamilyEntry>;
  readonly products: Files<ProductEntry>;
}

/**
 * Reads `models/`, `labs/`, `families/` and `products/` and checks the catalogue as a whole:
 * unique ids, names and aliases across every kind (ignoring case and punctuation), references that
 * resolve, sources that exist.
 */
export async function loadCatalog(dir: string, options: LoadCatalogOptions = {}): Promise<Catalog> {
  const problems: CatalogProblem[] = [];
  const read = async <T extends AnyEntry>(
    kind: keyof typeof KIND_FOLDERS,
    schema: z.ZodType<T>,
  ): Promise<Files<T>> =>
    setAsideCiting(await readEntries(dir, KIND_FOLDERS[kind], schema, problems), options.leftOut);
  const files: CatalogFiles = {
    models: await read("model", ModelEntry),
    labs: await read("lab", LabEntry),
    families: await read("family", FamilyEntry),
    products: await read("product", ProductEntry),
  };
  problems.push(...checkCatalog(files, options));
  if (problems.length > 0) throw new CatalogError(problems);
  const entries = <T>(list: Files<T>) => list.map((f) => f.entry);
  return buildCatalog(
    entries(files.models),
    entries(files.labs),
    entries(files.families),
    entries(files.products),
  );
}

export function checkCatalog(
  files: CatalogFiles,
  options: LoadCatalogOptions = {},
): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  const all: Files<AnyEntry> = [
    ...files.labs,
    ...files.models,
    ...files.families,
    ...files.products,
  ];
  const ids = new Map<string, string>();
  const names = new Map<string, string>();
  const idsOf = (list: Files<AnyEntry>) => new Set(list.map((f) => f.entry.id));
  const labIds = idsOf(files.labs);
  const modelIds = idsOf(files.models);
  const familyIds = idsOf(files.families);
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
  const reference = (
    { file, entry }: { file: string; entry: AnyEntry },
    field: string,
    ref: string | undefined,
    known: (id: string) => boolean,
    what: string,
  ) => {
    if (ref !== undefined && !known(ref))
      problems.push({ file, entry: entry.id, field, message: `names no ${what} "${ref}"` });
  };
  const isLab = (id: string) => labIds.has(id);
  const isModel = (id: string) => modelIds.has(id);
  const isFamily = (id: string) => familyIds.has(id);
  const isModelOrFamily = (id: string) => isModel(id) || isFamily(id);
  for (const file of [...files.models, ...files.families, ...files.products])
    for (const lab of file.entry.labs.value) reference(file, "labs", lab, isLab, "lab");
  for (const file of files.models) {
    reference(file, "predecessor", file.entry.predecessor?.value, isModel, "model");
    reference(file, "successor", file.entry.successor?.value, isModel, "model");
  }
  for (const file of files.labs) reference(file, "parent", file.entry.parent?.value, isLab, "lab");
  for (const file of files.families) {
    reference(file, "parent", file.entry.parent?.value, isFamily, "family");
    file.entry.members.forEach((id, i) =>
      reference(file, `members.${i}`, id, isModelOrFamily, "model or family"),
    );
  }
  for (const file of files.products)
    file.entry.models?.value.forEach((id, i) =>
      reference(file, `models.value.${i}`, id, isModelOrFamily, "model or family"),
    );
  problems.push(...familyShapeProblems(files.families));
  if (options.documents) problems.push(...unnamedReferences(files));
  return problems;
}

/** Facts that point at other entries; a stated one's quote must name one of them. */
const REFERENCES = ["labs", "parent", "predecessor", "successor", "models"] as const;

/**
 * A `stated` fact that links entries says so in its quote: "Claude 3.7 from Anthropic" states
 * the lab, "Llama 3 continued this trend" does not (that one is `inferred`).
 */
function unnamedReferences(files: CatalogFiles): CatalogProblem[] {
  const all: Files<AnyEntry> = [
    ...files.labs,
    ...files.models,
    ...files.families,
    ...files.products,
  ];
  const entries = new Map(all.map((f) => [f.entry.id, f.entry]));
  const matcher = buildMatcher({
    byId: buildCatalog(
      files.models.map((f) => f.entry),
      files.labs.map((f) => f.entry),
      files.families.map((f) => f.entry),
      files.products.map((f) => f.entry),
    ).byId,
  });
  const problems: CatalogProblem[] = [];
  for (const { file, entry } of all) {
    for (const field of REFERENCES) {
      const fact = (entry as Partial<Record<(typeof REFERENCES)[number], unknown>>)[field] as
        { value: string | string[]; confidence: string; source?: SourceRef } | undefined;
      if (!fact?.source || fact.confidence !== "stated") continue;
      const ids = Array.isArray(fact.value) ? fact.value : [fact.value];
      const named = findMentions(fact.source.quote, matcher);
      const quoteKey = compactKey(fact.source.quote);
      const names = (id: string) => {
        const target = entries.get(id);
        return target ? [target.name, ...target.aliases] : [];
      };
      const says = ids.some(
        (id) => named.has(id) || names(id).some((n) => quoteKey.includes(compactKey(n))),
      );
      if (!says)
        problems.push({
          file,
          entry: entry.id,
          field: `${field}.source.quote`,
          message: `is "stated" but names none of ${ids.map((id) => entries.get(id)?.name ?? id).join(", ")}: quote where it does, or mark the fact "inferred"`,
        });
    }
  }
  return problems;
}

/**
 * A family may not contain itself, directly or through its member families, and a family named as
 * another's parent must list it as a member: a card shows both directions.
 */
function familyShapeProblems(families: Files<FamilyEntry>): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  const byId = new Map(families.map((f) => [f.entry.id, f.entry]));
  for (const { file, entry } of families) {
    const seen = new Set<string>();
    const queue = [...entry.members];
    while (queue.length > 0) {
      const id = queue.shift()!;
      if (id === entry.id) {
        problems.push({
          file,
          entry: entry.id,
          field: "members",
          message: "contains the family itself",
        });
        break;
      }
      if (seen.has(id)) continue;
      seen.add(id);
      queue.push(...(byId.get(id)?.members ?? []));
    }
    const parent = entry.parent && byId.get(entry.parent.value);
    if (parent && !parent.members.includes(entry.id))
      problems.push({
        file,
        entry: entry.id,
        field: "parent",
        message: `${parent.id} does not list ${entry.id} among its members`,
      });
  }
  return problems;
}
