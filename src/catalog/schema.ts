import { z } from "zod";
import { isCalendarDate } from "../text/dates.js";

/** Ids are lowercase slugs: they appear in custom ids, file names and cross-references. */
export const EntryId = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "must be a lowercase slug like `claude-opus-4-5`")
  .max(64);

/** A passage of the corpus that backs a fact: the document's id and a verbatim quote from it. */
export const SourceRef = z.strictObject({
  doc: z.string().min(1),
  quote: z.string().min(8, "quote is too short to identify a passage").max(600),
});
export type SourceRef = z.infer<typeof SourceRef>;

/**
 * A structured fact with its provenance. `stated`: the quote says it; `inferred`: the quote
 * supports it indirectly; `external`: known outside the corpus, never shown as cited.
 */
export function fact<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion("confidence", [
    z.strictObject({ value, confidence: z.enum(["stated", "inferred"]), source: SourceRef }),
    z.strictObject({ value, confidence: z.literal("external"), note: z.string().optional() }),
  ]);
}

export const Highlight = z.strictObject({
  text: z.string().min(10).max(300),
  confidence: z.enum(["stated", "inferred"]),
  source: SourceRef,
});
export type Highlight = z.infer<typeof Highlight>;

export const IsoDate = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}$/,
    "must be YYYY-MM-DD (use the first day of the month or year with a coarser precision)",
  )
  .refine(isCalendarDate, "is not a real date");

export const DatePrecision = z.enum(["day", "month", "year"]);

export const Released = z.strictObject({ date: IsoDate, precision: DatePrecision });

export const AccessKind = z.enum(["open-weights", "api", "product", "unreleased"]);
export const Access = z.strictObject({ kind: AccessKind, licence: z.string().max(80).optional() });

/** Parameter counts in billions. */
export const Parameters = z
  .strictObject({
    total: z.number().positive().optional(),
    active: z.number().positive().optional(),
  })
  .refine((p) => p.total !== undefined || p.active !== undefined, "give total, active or both");

export const Architecture = z.enum(["dense", "moe", "hybrid", "state-space", "diffusion", "other"]);

export const Modality = z.enum([
  "text",
  "image",
  "audio",
  "video",
  "code",
  "actions",
  "motion",
  "3d",
]);

const Name = z.string().trim().min(1).max(100);

/** Outside pages a server's moderators cited for an entry; shown as links, never as corpus facts. */
export const Links = z
  .array(z.strictObject({ url: z.url({ protocol: /^https$/ }).max(500) }))
  .max(3)
  .optional();
const Summary = z.string().trim().min(20).max(700);

export const ModelEntry = z.strictObject({
  id: EntryId,
  name: Name,
  aliases: z.array(Name).max(20).default([]),
  labs: fact(z.array(EntryId).min(1)),
  family: fact(z.string().min(1).max(60)).optional(),
  predecessor: fact(EntryId).optional(),
  successor: fact(EntryId).optional(),
  released: fact(Released).optional(),
  access: fact(Access).optional(),
  parameters: fact(Parameters).optional(),
  architecture: fact(Architecture).optional(),
  modalities: fact(z.array(Modality).min(1)).optional(),
  summary: Summary,
  highlights: z.array(Highlight).max(6).default([]),
  links: Links,
});
export type ModelEntry = z.infer<typeof ModelEntry>;

export const LabKind = z.enum([
  "company",
  "research-institute",
  "non-profit",
  "open-source-project",
  "government",
]);

export const LabEntry = z.strictObject({
  id: EntryId,
  name: Name,
  aliases: z.array(Name).max(20).default([]),
  kind: fact(LabKind),
  country: fact(z.string().min(2).max(40)).optional(),
  parent: fact(EntryId).optional(),
  summary: Summary,
  highlights: z.array(Highlight).max(6).default([]),
  links: Links,
});
export type LabEntry = z.infer<typeof LabEntry>;

/** A family of models under one name (Claude, Llama 4, Gemma): its members are models or families. */
export const FamilyEntry = z.strictObject({
  id: EntryId,
  name: Name,
  aliases: z.array(Name).max(20).default([]),
  labs: fact(z.array(EntryId).min(1)),
  /** The broader family: "claude" for "claude-opus". */
  parent: fact(EntryId).optional(),
  /** Model and family ids; membership is plain from the names, so it needs no quote. */
  members: z.array(EntryId).min(1).max(60),
  summary: Summary,
  highlights: z.array(Highlight).max(6).default([]),
  links: Links,
});
export type FamilyEntry = z.infer<typeof FamilyEntry>;

/** A product people use (ChatGPT, Claude Code, Codex): who makes it and the models behind it. */
export const ProductEntry = z.strictObject({
  id: EntryId,
  name: Name,
  aliases: z.array(Name).max(20).default([]),
  labs: fact(z.array(EntryId).min(1)),
  /** Model and family ids. */
  models: fact(z.array(EntryId).min(1)).optional(),
  released: fact(Released).optional(),
  summary: Summary,
  highlights: z.array(Highlight).max(6).default([]),
  links: Links,
});
export type ProductEntry = z.infer<typeof ProductEntry>;

export type AnyEntry = ModelEntry | LabEntry | FamilyEntry | ProductEntry;
