import type { Highlight } from "./schema.js";

/** Any kind of catalogue entry: an id, facts that may cite a document, and highlights. */
type Entry = { readonly id: string; readonly highlights: readonly Highlight[] };

/** A catalogue fact left out because the document it cites was left out of the corpus. */
export interface SetAsideFact {
  readonly file: string;
  readonly entry: string;
  readonly field: string;
  readonly doc: string;
}

/** Facts every entry must have: they stay, without the citation. */
const REQUIRED = new Set(["labs", "kind"]);

/**
 * The entry without the facts and highlights that cite one of `docs`. A model's labs and a lab's
 * kind cannot go: they keep their value, no longer cited.
 */
export function withoutDocuments<T extends Entry>(
  file: string,
  entry: T,
  docs: ReadonlySet<string>,
): { entry: T; setAside: SetAsideFact[] } {
  const setAside: SetAsideFact[] = [];
  const kept: Record<string, unknown> = { ...entry };
  for (const [field, value] of Object.entries(entry as Record<string, unknown>)) {
    const fact = value as { value?: unknown; source?: { doc?: string } } | undefined;
    const doc = fact?.source?.doc;
    if (field === "highlights" || !doc || !docs.has(doc)) continue;
    setAside.push({ file, entry: entry.id, field, doc });
    if (REQUIRED.has(field)) kept[field] = { value: fact.value, confidence: "external" };
    else delete kept[field];
  }
  kept.highlights = entry.highlights.filter((h, i) => {
    const cited = docs.has(h.source.doc);
    if (cited)
      setAside.push({ file, entry: entry.id, field: `highlights.${i}`, doc: h.source.doc });
    return !cited;
  });
  return { entry: kept as T, setAside };
}

/** Documents left out of the corpus, and where to report each fact set aside because of them. */
export interface LeftOut {
  readonly documents: ReadonlySet<string>;
  readonly report: (fact: SetAsideFact) => void;
}

/** Entries as read from their files, without what cites a document left out. */
export function setAsideCiting<T extends Entry>(
  read: ReadonlyArray<{ file: string; entry: T }>,
  leftOut: LeftOut | undefined,
): Array<{ file: string; entry: T }> {
  if (!leftOut?.documents.size) return [...read];
  return read.map(({ file, entry }) => {
    const kept = withoutDocuments(file, entry, leftOut.documents);
    kept.setAside.forEach(leftOut.report);
    return { file, entry: kept.entry };
  });
}
