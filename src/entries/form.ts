import { createHash } from "node:crypto";
import { z } from "zod";
import type { CatalogKnowledge } from "../catalog/knowledge.js";
import {
  LabEntry,
  LabKind,
  ModelEntry,
  type Highlight,
  type SourceRef,
} from "../catalog/schema.js";
import type { FoundQuote } from "../corpus/quotes.js";
import { UserError } from "../errors.js";
import { formatDate, parsePartialDate } from "../text/dates.js";
import { escapeMarkdown } from "../text/markdown.js";
import { nameKeys } from "../text/names.js";
import { compactKey, foldAccents } from "../text/tokens.js";
import { truncate } from "../text/truncate.js";
import { lineProblem, paragraphProblem } from "./text-rules.js";

export type EntryKind = "model" | "lab";
type AnyEntry = ModelEntry | LabEntry;

export const NAME_MAX = 100;
export const SUMMARY_MIN = 20;
export const SUMMARY_MAX = 700;
export const SOURCE_MAX = 600;
const QUOTE_MIN = 20;
const ALIASES_MAX = 20;

/** What the form's text inputs hold, as typed. */
export const FormValues = z.object({
  name: z.string().default(""),
  released: z.string().default(""),
  country: z.string().default(""),
  aliases: z.string().default(""),
  summary: z.string().default(""),
  source: z.string().default(""),
});
export type FormValues = z.infer<typeof FormValues>;

/** What a form was opened for; stashed so its submission knows (custom ids hold 100 chars). */
export const FormContext = z.object({
  mode: z.enum(["add", "edit"]),
  kind: z.enum(["model", "lab"]),
  /** Edit: the entry being edited. */
  entryId: z.string().optional(),
  /** Model: the labs given on the command; replaces the entry's labs. */
  labs: z.array(z.string()).optional(),
  /** Lab: its kind and parent lab, given on the command. */
  labKind: LabKind.optional(),
  parent: z.string().optional(),
  /** Edit: the values shown when the form opened, to tell what this moderator changed. */
  base: FormValues.optional(),
  /** Retry: what the moderator typed last time. */
  values: FormValues.optional(),
});
export type FormContext = z.infer<typeof FormContext>;

/** A form field's value: what it shows for an existing entry. */
export function valuesOf(entry: AnyEntry): FormValues {
  const released = "released" in entry ? entry.released?.value : undefined;
  return {
    name: entry.name,
    released: released
      ? released.date.slice(0, { day: 10, month: 7, year: 4 }[released.precision])
      : "",
    country: "country" in entry ? (entry.country?.value ?? "") : "",
    aliases: entry.aliases.join(", "),
    summary: entry.summary,
    source: entry.links?.[0]?.url ?? "",
  };
}

export type SourceInput = { kind: "link"; url: string } | { kind: "quote"; text: string };

export interface ParsedForm {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly released?: { date: string; precision: "day" | "month" | "year" };
  readonly country?: string;
  readonly summary: string;
  readonly source?: SourceInput;
}

function parseReleased(
  input: string,
  now: Date,
): { value?: ParsedForm["released"]; problem?: string } {
  const text = input.trim();
  if (!text) return {};
  const parsed = parsePartialDate(text);
  if (!parsed)
    return {
      problem: `Release date ${quoted(text)} is not a date: write 2026-02-05, 2026-02 or 2026.`,
    };
  const { date } = parsed;
  const year = Number(date.slice(0, 4));
  if (year < 1950) return { problem: `Release date ${text} is too early for an AI model or lab.` };
  const nextYear = new Date(now.getTime() + 366 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  if (date > nextYear)
    return {
      problem: `Release date ${text} is more than a year away; add the entry once it ships.`,
    };
  return { value: parsed };
}

/** What a moderator typed, repeated in a message: short, and shown as plain text. */
function quoted(text: string): string {
  return `"${escapeMarkdown(truncate(text, 30), { atLineStart: false })}"`;
}

/** Spaces tidied. JavaScript counts U+FEFF as a space, so rules about characters read the raw text. */
const tidy = (text: string) => text.trim().replace(/\s+/g, " ");

/** Other names, one per comma or line: as typed, and tidied. */
function splitAliases(text: string): Array<{ typed: string; alias: string }> {
  return text
    .split(/,|\r?\n/)
    .map((typed) => ({ typed, alias: tidy(typed) }))
    .filter((a) => a.alias);
}

/** Reads and checks every field, and reports every problem at once. */
export function readForm(kind: EntryKind, values: FormValues, now: Date): ParsedForm {
  const problems: string[] = [];
  const note = (problem: string | undefined) => problem && problems.push(problem);

  const name = tidy(values.name);
  if (!name) problems.push("Name is empty.");
  else if (name.length > NAME_MAX)
    problems.push(`Name is ${name.length} characters; keep it to ${NAME_MAX}.`);
  else if (!compactKey(name)) problems.push("Name needs at least one letter or digit.");
  else note(lineProblem("Name", values.name));

  const aliases: string[] = [];
  for (const { typed, alias } of splitAliases(values.aliases)) {
    if (alias.length > NAME_MAX) {
      problems.push(`The other name ${quoted(alias)} is over ${NAME_MAX} characters.`);
    } else if (!compactKey(alias)) {
      problems.push(`The other name ${quoted(alias)} has no letters or digits.`);
    } else if (!note(lineProblem(`The other name ${quoted(typed.trim())}`, typed))) {
      const key = compactKey(alias);
      if (key !== compactKey(name) && !aliases.some((a) => compactKey(a) === key))
        aliases.push(alias);
    }
  }
  if (aliases.length > ALIASES_MAX)
    problems.push(`There are ${aliases.length} other names; keep it to ${ALIASES_MAX}.`);

  const released = kind === "model" ? parseReleased(values.released, now) : {};
  note(released.problem);

  const country = kind === "lab" ? values.country.trim() : "";
  if (country.length > 40) problems.push("Country is over 40 characters.");
  else if (country) note(lineProblem("Country", country));

  const summary = values.summary.trim();
  if (summary.length < SUMMARY_MIN)
    problems.push(`Summary is ${summary.length} characters; write at least ${SUMMARY_MIN}.`);
  else if (summary.length > SUMMARY_MAX)
    problems.push(`Summary is ${summary.length} characters; keep it to ${SUMMARY_MAX}.`);
  else note(paragraphProblem("Summary", summary));

  let source: SourceInput | undefined;
  const sourceText = values.source.trim();
  if (sourceText.length > SOURCE_MAX) {
    problems.push(`Source is over ${SOURCE_MAX} characters; quote one or two sentences.`);
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(sourceText) || /^www\./i.test(sourceText)) {
    const url = parseHttpsUrl(sourceText);
    if (!url) problems.push("Source link must be a full https:// address.");
    else source = { kind: "link", url };
  } else if (sourceText) {
    if (sourceText.length < QUOTE_MIN)
      problems.push(
        `Source quote is too short to find in the corpus; paste at least ${QUOTE_MIN} characters.`,
      );
    else if (!note(paragraphProblem("Source quote", sourceText)))
      source = { kind: "quote", text: sourceText };
  }

  if (problems.length > 0) throw new FormError(problems);
  return {
    name,
    aliases,
    released: released.value,
    country: country || undefined,
    summary,
    source,
  };
}

function parseHttpsUrl(text: string): string | undefined {
  if (/\s/.test(text)) return undefined;
  try {
    const url = new URL(text);
    return url.protocol === "https:" && url.hostname.includes(".") ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** A form that cannot be saved: every reason, for one message. */
export class FormError extends UserError {
  constructor(readonly problems: readonly string[]) {
    super(
      problems.length === 1
        ? `Nothing was saved. ${problems[0]}`
        : `Nothing was saved. Fix these:\n${problems.map((p) => `• ${p}`).join("\n")}`,
    );
  }
}

/** The source a moderator gave, resolved: a quote found in the corpus, or a link. */
export type ResolvedSource = { kind: "link"; url: string } | { kind: "quote"; found: FoundQuote };

type Fact<T> =
  | { value: T; confidence: "stated" | "inferred"; source: SourceRef }
  | { value: T; confidence: "external"; note?: string };

/** A fact a moderator entered: cited when they quoted the corpus, otherwise marked as outside it. */
function factOf<T>(value: T, source: ResolvedSource | undefined, by: string): Fact<T> {
  if (source?.kind === "quote")
    return {
      value,
      confidence: "inferred",
      source: { doc: source.found.doc, quote: source.found.quote },
    };
  return {
    value,
    confidence: "external",
    note: source?.kind === "link" ? `Source: ${source.url}` : `Entered by moderator ${by}`,
  };
}

function slugOf(name: string): string {
  const slug = foldAccents(name)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 56)
    .replace(/-+$/, "");
  return slug || `entry-${createHash("sha256").update(name).digest("hex").slice(0, 8)}`;
}

function freeId(name: string, taken: (id: string) => boolean): string {
  const base = slugOf(name);
  let id = base;
  for (let n = 2; taken(id); n++) id = `${base}-${n}`;
  return id;
}

export interface BuildInput {
  readonly context: FormContext;
  /** What was typed, and the same read and checked. */
  readonly typed: FormValues;
  readonly form: ParsedForm;
  /** Edit: the entry as the server sees it now. */
  readonly current?: AnyEntry;
  /** Ids that exist in this server, including removed ones, so a new id never reuses one. */
  readonly takenIds: (id: string) => boolean;
  readonly source?: ResolvedSource;
  readonly by: string;
}

const FIELD_LABELS: Record<keyof FormValues, string> = {
  name: "Name",
  released: "Release date",
  country: "Country",
  aliases: "Other names",
  summary: "Summary",
  source: "Source",
};

/**
 * The entry a submitted form describes. An edit applies only the fields this moderator changed,
 * so someone else's change to another field in the meantime survives; a change to the same field
 * is refused rather than overwritten.
 */
export function buildEntry(input: BuildInput): AnyEntry {
  const { context, typed, form, current, source, by } = input;
  const base = context.mode === "edit" ? context.base : undefined;
  const changed = (field: keyof FormValues) => !base || norm(typed[field]) !== norm(base[field]);
  if (base && current) {
    const now = valuesOf(current);
    const clashes = (Object.keys(FIELD_LABELS) as Array<keyof FormValues>).filter(
      (f) =>
        f !== "source" &&
        changed(f) &&
        norm(now[f]) !== norm(base[f]) &&
        norm(now[f]) !== norm(typed[f]),
    );
    if (clashes.length > 0) {
      throw new FormError([
        `Someone else changed ${clashes.map((f) => FIELD_LABELS[f]).join(", ")} while your form was open. Reopen it with /entry edit to see their version.`,
      ]);
    }
  }

  const highlights: Highlight[] = [...(current?.highlights ?? [])];
  if (source?.kind === "quote" && !highlights.some((h) => h.source.quote === source.found.quote)) {
    if (highlights.length >= 6) highlights.pop();
    highlights.unshift({
      text: `“${truncate(source.found.quote.replace(/\s+/g, " "), 290)}”`,
      confidence: "stated",
      source: { doc: source.found.doc, quote: source.found.quote },
    });
  }
  const links = [...(current?.links ?? [])];
  if (source?.kind === "link" && !links.some((l) => l.url === source.url)) {
    links.unshift({ url: source.url });
    links.splice(3);
  }

  const common = {
    id: current?.id ?? freeId(form.name, input.takenIds),
    name: !current || changed("name") ? form.name : current.name,
    aliases: !current || changed("aliases") ? [...form.aliases] : current.aliases,
    summary: !current || changed("summary") ? form.summary : current.summary,
    highlights,
    ...(links.length ? { links } : {}),
  };

  if (context.kind === "model") {
    const model = current as ModelEntry | undefined;
    const labs = context.labs?.length ? context.labs : model?.labs.value;
    if (!labs?.length) throw new FormError(["Give the model's lab with the `lab` option."]);
    const entry: ModelEntry = {
      ...(model ?? {}),
      ...common,
      labs:
        !model || labs.join() !== model.labs.value.join() ? factOf(labs, source, by) : model.labs,
    };
    if (!model || changed("released")) {
      if (form.released) entry.released = factOf(form.released, source, by);
      else delete entry.released;
    }
    return ModelEntry.parse(entry);
  }
  const lab = current as LabEntry | undefined;
  const labKind = context.labKind ?? lab?.kind.value ?? "company";
  const entry: LabEntry = {
    ...(lab ?? {}),
    ...common,
    kind: lab && labKind === lab.kind.value ? lab.kind : factOf(labKind, source, by),
  };
  if (!lab || changed("country")) {
    if (form.country) entry.country = factOf(form.country, source, by);
    else delete entry.country;
  }
  if (context.parent && context.parent !== lab?.parent?.value)
    entry.parent = factOf(context.parent, source, by);
  return LabEntry.parse(entry);
}

const norm = (s: string) => s.trim().replace(/\s+/g, " ");

/**
 * Names and aliases must stay unique in the server's catalogue, ignoring case, punctuation and
 * look-alike characters, as `npm run validate-data` requires of the shipped one.
 */
export function duplicateProblems(entry: AnyEntry, knowledge: CatalogKnowledge): string[] {
  const owners = new Map<string, { name: string; kind: string }>();
  for (const [id, other] of knowledge.catalog.byId) {
    if (id === entry.id) continue;
    for (const form of [other.entry.name, ...other.entry.aliases]) {
      for (const key of nameKeys(form))
        owners.set(key, { name: other.entry.name, kind: other.kind });
    }
  }
  const problems: string[] = [];
  for (const [label, text] of [
    ["The name", entry.name] as const,
    ...entry.aliases.map((a) => ["The other name", a] as const),
  ]) {
    const owner = nameKeys(text)
      .map((key) => owners.get(key))
      .find(Boolean);
    if (owner)
      problems.push(
        `${label} "${text}" is already used by ${owner.name} (${owner.kind}); choose another or edit that entry.`,
      );
  }
  return problems;
}

/** "5 Feb 2026" for confirmations. */
export function describeRelease(entry: AnyEntry): string | undefined {
  const r = "released" in entry ? entry.released?.value : undefined;
  return r ? formatDate(r.date, r.precision) : undefined;
}
