import { z } from "zod";
import { DatePrecision, EntryId, IsoDate } from "../catalog/schema.js";

export const DocumentKind = z.enum([
  "essay",
  "podcast",
  "interview",
  "talk",
  "newsletter",
  "blog-post",
  "briefing",
]);

/** The metadata file `data/corpus/<id>.json` beside the document's text `<id>.txt` or `<id>.md`. */
export const DocumentMeta = z.strictObject({
  id: EntryId,
  title: z.string().trim().min(1).max(200),
  source: z.string().trim().min(1).max(100),
  author: z.string().trim().min(1).max(100).optional(),
  date: IsoDate,
  datePrecision: DatePrecision,
  dateBasis: z.enum(["stated", "inferred"]),
  dateEvidence: z.string().max(400).optional(),
  kind: DocumentKind,
  format: z.enum(["text", "markdown"]).default("text"),
  url: z.url({ protocol: /^https$/ }).optional(),
});
export type DocumentMeta = z.infer<typeof DocumentMeta>;

export interface CorpusDocument extends DocumentMeta {
  /**
   * The text file, relative to the corpus folder: its name for a shipped document, a path into
   * the state folder for one gathered from a feed.
   */
  readonly file: string;
}

export function textFileName(meta: Pick<DocumentMeta, "id" | "format">): string {
  return `${meta.id}.${meta.format === "markdown" ? "md" : "txt"}`;
}
