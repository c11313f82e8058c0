import {
  ButtonStyle,
  ComponentType,
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type APIEmbedField,
} from "discord-api-types/v10";
import type { CatalogKnowledge } from "../catalog/knowledge.js";
import type { CatalogEntry, EntryKind } from "../catalog/load.js";
import { releaseDate } from "../catalog/lookup.js";
import type { MentionStats } from "../catalog/mentions.js";
import type {
  AnyEntry,
  FamilyEntry,
  LabEntry,
  ModelEntry,
  ProductEntry,
  SourceRef,
} from "../catalog/schema.js";
import type { Corpus } from "../corpus/load.js";
import { LIMITS } from "../discord/limits.js";
import { buttonRows, reply, type ButtonSpec, type Reply } from "../discord/payload.js";
import { formatDate } from "../text/dates.js";
import { markdownLink } from "../text/links.js";
import { escapeMarkdown } from "../text/markdown.js";
import { truncate } from "../text/truncate.js";

const COLOURS: Record<EntryKind, number> = {
  model: 0x10a37f,
  lab: 0xd97757,
  family: 0x5865f2,
  product: 0xeb459e,
};
const MODEL_COLOUR = COLOURS.model;

/** The command whose buttons open an entry: /lab for labs, /model for everything else. */
export function commandFor(kind: EntryKind): "model" | "lab" {
  return kind === "lab" ? "lab" : "model";
}

/** "Families and products" as members see them: a family card, a product card. */
export const KIND_LABEL: Record<EntryKind, string> = {
  model: "model",
  lab: "lab",
  family: "family",
  product: "product",
};
export const MENTIONS_PAGE_SIZE = 4;

type Fact<T> =
  | { value: T; confidence: "stated" | "inferred"; source: SourceRef }
  | { value: T; confidence: "external" };

/** Numbers sources as they are first cited, so facts can point at a short list. */
class Citations {
  private readonly order: SourceRef[] = [];
  constructor(private readonly corpus: Pick<Corpus, "byId">) {}

  mark(fact: Fact<unknown> | undefined): string {
    if (!fact || fact.confidence === "external") return "";
    return ` [${this.number(fact.source)}]`;
  }

  number(source: SourceRef): number {
    let i = this.order.findIndex((s) => s.doc === source.doc);
    if (i === -1) i = this.order.push(source) - 1;
    return i + 1;
  }

  field(): APIEmbedField | undefined {
    if (this.order.length === 0) return undefined;
    const lines = this.order.map((s, i) => {
      const doc = this.corpus.byId.get(s.doc);
      if (!doc) return `[${i + 1}] ${s.doc}`;
      const title = escapeMarkdown(truncate(doc.title, 70));
      const label = `${title} — ${escapeMarkdown(doc.source)}, ${formatDate(doc.date, doc.datePrecision)}`;
      return `[${i + 1}] ${markdownLink(label, doc.url)}`;
    });
    const kept: string[] = [];
    for (const line of lines) if ([...kept, line].join("\n").length <= 1000) kept.push(line);
    return { name: "Sources", value: kept.join("\n") };
  }
}

export function entryLabel(entry: CatalogEntry, knowledge: Pick<CatalogKnowledge, "get">): string {
  if (entry.kind === "lab") {
    const kind = LAB_KIND[entry.entry.kind.value].toLowerCase();
    return `${entry.entry.name} — ${kind}${entry.entry.country ? `, ${entry.entry.country.value}` : ""}`;
  }
  const labs = entry.entry.labs.value.map((id) => knowledge.get(id)?.entry.name ?? id).join(", ");
  if (entry.kind === "family" || entry.kind === "product")
    return `${entry.entry.name} — ${KIND_LABEL[entry.kind]}, ${labs}`;
  const released = entry.entry.released?.value;
  return `${entry.entry.name} — ${labs}${released ? `, ${formatDate(released.date, released.precision === "day" ? "month" : released.precision)}` : ""}`;
}

function mentionLine(stats: MentionStats | undefined): string {
  if (!stats || stats.documents === 0) return "Not mentioned in the corpus.";
  const span =
    stats.first === stats.last
      ? `in ${formatDate(stats.first!, "month")}`
      : `first ${formatDate(stats.first!, "month")}, latest ${formatDate(stats.last!, "month")}`;
  return `Mentioned in ${stats.documents} document${stats.documents === 1 ? "" : "s"}, ${span}.`;
}

const LAB_KIND = {
  company: "Company",
  "research-institute": "Research institute",
  "non-profit": "Non-profit",
  "open-source-project": "Open-source project",
  government: "Government",
} as const;

const ACCESS = {
  "open-weights": "Open weights",
  api: "API only",
  product: "Product only",
  unreleased: "Unreleased",
} as const;
const ARCH = {
  dense: "Dense",
  moe: "Mixture of experts",
  hybrid: "Hybrid",
  "state-space": "State-space",
  diffusion: "Diffusion",
  other: "Other",
} as const;

function billions(n: number): string {
  return n >= 1000 ? `${+(n / 1000).toFixed(2)}T` : `${+n.toFixed(2)}B`;
}

/** The structured facts of a model as display strings (shared by /model and /compare). */
export function modelFacts(
  model: ModelEntry,
  knowledge: Pick<CatalogKnowledge, "get">,
  cite: (f: Fact<unknown> | undefined) => string,
) {
  const name = (id: string) => escapeMarkdown(knowledge.get(id)?.entry.name ?? id);
  const p = model.parameters?.value;
  return {
    Lab: model.labs.value.map(name).join(", ") + cite(model.labs),
    Released: model.released
      ? formatDate(model.released.value.date, model.released.value.precision) + cite(model.released)
      : "—",
    Access: model.access
      ? ACCESS[model.access.value.kind] +
        (model.access.value.licence ? ` (${escapeMarkdown(model.access.value.licence)})` : "") +
        cite(model.access)
      : "—",
    Parameters: p
      ? [
          p.total ? `${billions(p.total)} total` : "",
          p.active ? `${billions(p.active)} active` : "",
        ]
          .filter(Boolean)
          .join(", ") + cite(model.parameters)
      : "—",
    Architecture: model.architecture
      ? ARCH[model.architecture.value] + cite(model.architecture)
      : "—",
    Modalities: model.modalities ? model.modalities.value.join(", ") + cite(model.modalities) : "—",
    Family: model.family ? escapeMarkdown(model.family.value) + cite(model.family) : "—",
  };
}

/** An inline field naming another entry, with the citation of the fact that links them. */
function referenceField(
  name: string,
  fact: Fact<string> | undefined,
  knowledge: Pick<CatalogKnowledge, "get">,
  citations: Citations,
): APIEmbedField[] {
  if (!fact) return [];
  const target = knowledge.get(fact.value)?.entry.name ?? fact.value;
  return [{ name, value: escapeMarkdown(target) + citations.mark(fact), inline: true }];
}

/** The shared tail of every card: highlights, mentions, extra fields, sources, footer. */
function cardEmbed(
  entry: AnyEntry,
  colour: number,
  fields: APIEmbedField[],
  extra: APIEmbedField[],
  knowledge: CatalogKnowledge,
  citations: Citations,
): APIEmbed {
  const highlights = highlightLines(entry, citations);
  if (highlights) fields.push({ name: "Highlights", value: highlights });
  if (entry.links?.length) {
    const links = entry.links.map((l) =>
      markdownLink(escapeMarkdown(new URL(l.url).hostname), l.url),
    );
    fields.push({ name: "Links", value: links.join(" · ") });
  }
  fields.push(...extra);
  fields.push({ name: "In the corpus", value: mentionLine(knowledge.mentions.get(entry.id)) });
  const sources = citations.field();
  if (sources) fields.push(sources);
  return {
    title: entry.name,
    color: colour,
    description: escapeMarkdown(entry.summary),
    fields,
    footer: {
      text: `Bracketed numbers cite the corpus; facts without one come from outside it. id: ${entry.id}`,
    },
  };
}

function highlightLines(entry: AnyEntry, citations: Citations): string {
  return entry.highlights
    .map((h) => `• ${escapeMarkdown(h.text)} [${citations.number(h.source)}]`)
    .join("\n");
}

function relatedModels(model: ModelEntry, knowledge: CatalogKnowledge): string[] {
  const ids = new Set<string>();
  for (const f of [model.predecessor, model.successor]) if (f) ids.add(f.value);
  for (const other of knowledge.catalog.models) {
    if (other.id === model.id) continue;
    if (model.family && other.family?.value === model.family.value) ids.add(other.id);
  }
  for (const other of knowledge.catalog.models) {
    if (other.id !== model.id && other.labs.value.some((l) => model.labs.value.includes(l)))
      ids.add(other.id);
  }
  return [...ids].slice(0, 8);
}

export function modelCard(
  model: ModelEntry,
  knowledge: CatalogKnowledge,
  corpus: Pick<Corpus, "byId">,
): Reply {
  const citations = new Citations(corpus);
  const facts = modelFacts(model, knowledge, (f) => citations.mark(f));
  const fields: APIEmbedField[] = Object.entries(facts)
    .filter(([, v]) => v !== "—")
    .map(([name, value]) => ({ name, value, inline: true }));
  fields.push(
    ...referenceField("Predecessor", model.predecessor, knowledge, citations),
    ...referenceField("Successor", model.successor, knowledge, citations),
  );
  const related = relatedModels(model, knowledge).map((id) =>
    escapeMarkdown(knowledge.get(id)!.entry.name),
  );
  const embed = cardEmbed(
    model,
    MODEL_COLOUR,
    fields,
    related.length ? [{ name: "Related", value: related.join(" · ") }] : [],
    knowledge,
    citations,
  );
  const buttons: ButtonSpec[] = [
    { customId: `model:mentions:${model.id}:0`, label: "Mentions", style: ButtonStyle.Primary },
  ];
  const lab = model.labs.value[0];
  if (lab)
    buttons.push({
      customId: `lab:show:${lab}`,
      label: `Lab: ${knowledge.get(lab)?.entry.name ?? lab}`,
    });
  return {
    ...reply({ embeds: [embed], components: buttonRows(buttons) }),
    answer: { title: model.name, entry: { kind: "model", id: model.id } },
  };
}

export function labCard(
  lab: LabEntry,
  knowledge: CatalogKnowledge,
  corpus: Pick<Corpus, "byId">,
): Reply {
  const citations = new Citations(corpus);
  const fields: APIEmbedField[] = [
    {
      name: "Kind",
      value: LAB_KIND[lab.kind.value] + citations.mark(lab.kind),
      inline: true,
    },
  ];
  if (lab.country)
    fields.push({
      name: "Country",
      value: escapeMarkdown(lab.country.value) + citations.mark(lab.country),
      inline: true,
    });
  fields.push(...referenceField("Part of", lab.parent, knowledge, citations));
  const models = knowledge.catalog.models
    .filter((m) => m.labs.value.includes(lab.id))
    .sort(
      (a, b) =>
        (b.released?.value.date ?? "").localeCompare(a.released?.value.date ?? "") ||
        a.name.localeCompare(b.name),
    );
  const extra: APIEmbedField[] = [];
  if (models.length) {
    const lines = models.map(
      (m) =>
        `${escapeMarkdown(m.name)}${m.released ? ` (${formatDate(m.released.value.date, "month")})` : ""}`,
    );
    extra.push({ name: `Models (${models.length}, newest first)`, value: lines.join(" · ") });
  }
  const subsidiaries = knowledge.catalog.labs
    .filter((l) => l.parent?.value === lab.id)
    .map((l) => escapeMarkdown(l.name));
  if (subsidiaries.length) extra.push({ name: "Includes", value: subsidiaries.join(", ") });
  const made = [...knowledge.catalog.families, ...knowledge.catalog.products]
    .filter((e) => e.labs.value.includes(lab.id))
    .map((e) => escapeMarkdown(e.name))
    .sort((a, b) => a.localeCompare(b, "en"));
  if (made.length) extra.push({ name: "Families and products", value: made.join(" · ") });
  const embed = cardEmbed(lab, COLOURS.lab, fields, extra, knowledge, citations);
  return {
    ...reply({
      embeds: [embed],
      components: buttonRows([
        { customId: `lab:mentions:${lab.id}:0`, label: "Mentions", style: ButtonStyle.Primary },
      ]),
    }),
    answer: { title: lab.name, entry: { kind: "lab", id: lab.id } },
  };
}

/**
 * A family's members or a product's models: member families first, then the rest, each newest
 * first (a family dates from its newest member), then by name.
 */
function datedNames(ids: readonly string[], knowledge: CatalogKnowledge): CatalogEntry[] {
  const entries = ids
    .map((id) => knowledge.get(id))
    .filter((e): e is CatalogEntry => e !== undefined);
  const date = (e: CatalogEntry) => releaseDate(e, knowledge.catalog.byId) ?? "";
  const families = (e: CatalogEntry) => (e.kind === "family" ? 0 : 1);
  return entries.sort(
    (a, b) =>
      families(a) - families(b) ||
      date(b).localeCompare(date(a)) ||
      a.entry.name.localeCompare(b.entry.name, "en"),
  );
}

function datedLine(entry: CatalogEntry, knowledge: CatalogKnowledge): string {
  const date = releaseDate(entry, knowledge.catalog.byId);
  const note = entry.kind === "family" ? "family" : date ? formatDate(date, "month") : "";
  return `${escapeMarkdown(entry.entry.name)}${note ? ` (${note})` : ""}`;
}

/** Row after row of buttons under the Mentions and Lab buttons; a select menu when they run out. */
function withOpeners(
  first: ButtonSpec[],
  entries: readonly CatalogEntry[],
  menuId: string,
): APIActionRowComponent<APIComponentInMessageActionRow>[] {
  const spare = (LIMITS.actionRows - 1) * LIMITS.buttonsPerRow;
  if (entries.length <= spare) return [...buttonRows(first), ...buttonRows(openButtons(entries))];
  return [
    ...buttonRows(first),
    {
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.StringSelect,
          custom_id: menuId,
          placeholder: "Open a card",
          options: entries.slice(0, LIMITS.selectOptions).map((e) => ({
            label: truncate(e.entry.name, 100),
            value: e.entry.id,
            description: KIND_LABEL[e.kind],
          })),
        },
      ],
    },
  ];
}

function labButtons(
  kindOf: EntryKind,
  entry: FamilyEntry | ProductEntry,
  knowledge: CatalogKnowledge,
): ButtonSpec[] {
  const buttons: ButtonSpec[] = [
    {
      customId: `${commandFor(kindOf)}:mentions:${entry.id}:0`,
      label: "Mentions",
      style: ButtonStyle.Primary,
    },
  ];
  const lab = entry.labs.value[0];
  if (lab)
    buttons.push({
      customId: `lab:show:${lab}`,
      label: `Lab: ${knowledge.get(lab)?.entry.name ?? lab}`,
    });
  return buttons;
}

function labsField(
  entry: FamilyEntry | ProductEntry,
  knowledge: CatalogKnowledge,
  citations: Citations,
): APIEmbedField {
  const names = entry.labs.value.map((id) => escapeMarkdown(knowledge.get(id)?.entry.name ?? id));
  return { name: "Lab", value: names.join(", ") + citations.mark(entry.labs), inline: true };
}

/** A family's card: its labs, the broader family, and its members newest first, each one click away. */
export function familyCard(
  family: FamilyEntry,
  knowledge: CatalogKnowledge,
  corpus: Pick<Corpus, "byId">,
): Reply {
  const citations = new Citations(corpus);
  const fields: APIEmbedField[] = [labsField(family, knowledge, citations)];
  fields.push(...referenceField("Part of", family.parent, knowledge, citations));
  const members = datedNames(family.members, knowledge);
  const extra: APIEmbedField[] = [];
  if (members.length)
    extra.push({
      name: `Members (${members.length}, newest first)`,
      value: members.map((m) => datedLine(m, knowledge)).join(" · "),
    });
  const embed = cardEmbed(family, COLOURS.family, fields, extra, knowledge, citations);
  return {
    ...reply({
      embeds: [embed],
      components: withOpeners(
        labButtons("family", family, knowledge),
        members,
        `model:open:${family.id}`,
      ),
    }),
    answer: { title: family.name, entry: { kind: "family", id: family.id } },
  };
}

/** A product's card: who makes it and the models behind it, each one click away. */
export function productCard(
  product: ProductEntry,
  knowledge: CatalogKnowledge,
  corpus: Pick<Corpus, "byId">,
): Reply {
  const citations = new Citations(corpus);
  const fields: APIEmbedField[] = [labsField(product, knowledge, citations)];
  if (product.released)
    fields.push({
      name: "Released",
      value:
        formatDate(product.released.value.date, product.released.value.precision) +
        citations.mark(product.released),
      inline: true,
    });
  const models = datedNames(product.models?.value ?? [], knowledge);
  const extra: APIEmbedField[] = [];
  if (models.length)
    extra.push({
      name: "Models behind it",
      value:
        models.map((m) => datedLine(m, knowledge)).join(" · ") + citations.mark(product.models),
    });
  const embed = cardEmbed(product, COLOURS.product, fields, extra, knowledge, citations);
  return {
    ...reply({
      embeds: [embed],
      components: withOpeners(
        labButtons("product", product, knowledge),
        models,
        `model:open:${product.id}`,
      ),
    }),
    answer: { title: product.name, entry: { kind: "product", id: product.id } },
  };
}

export function compareCard(a: ModelEntry, b: ModelEntry, knowledge: CatalogKnowledge): Reply {
  const none = () => "";
  const fa = modelFacts(a, knowledge, none);
  const fb = modelFacts(b, knowledge, none);
  const fields: APIEmbedField[] = [
    { name: "\u200b", value: "\u200b", inline: true },
    { name: escapeMarkdown(a.name), value: "\u200b", inline: true },
    { name: escapeMarkdown(b.name), value: "\u200b", inline: true },
  ];
  for (const key of Object.keys(fa) as Array<keyof typeof fa>) {
    if (fa[key] === "—" && fb[key] === "—") continue;
    fields.push(
      { name: key, value: "\u200b", inline: true },
      { name: "\u200b", value: fa[key], inline: true },
      { name: "\u200b", value: fb[key], inline: true },
    );
  }
  const ma = knowledge.mentions.get(a.id)?.documents ?? 0;
  const mb = knowledge.mentions.get(b.id)?.documents ?? 0;
  fields.push(
    { name: "Documents mentioning", value: "\u200b", inline: true },
    { name: "\u200b", value: String(ma), inline: true },
    { name: "\u200b", value: String(mb), inline: true },
  );
  const compared = reply({
    embeds: [
      {
        title: `${a.name} vs ${b.name}`,
        color: MODEL_COLOUR,
        fields,
        footer: { text: "Open either card with /model for summaries and sources." },
      },
    ],
    components: buttonRows([
      { customId: `model:show:${a.id}`, label: a.name },
      { customId: `model:show:${b.id}`, label: b.name },
    ]),
  });
  return { ...compared, answer: { title: `${a.name} vs ${b.name}` } };
}

/** Buttons that open entries' cards, one click each. */
function openButtons(entries: readonly CatalogEntry[]): ButtonSpec[] {
  return entries.map((e) => ({
    customId: `${commandFor(e.kind)}:show:${e.entry.id}`,
    label: e.entry.name,
  }));
}

/** What the member typed, shown in bold mid-sentence: one line, at most 80 characters, inert. */
function typedText(typed: string): string {
  return escapeMarkdown(truncate(typed.replace(/\s+/g, " "), 80), { atLineStart: false });
}

/** "No model called X", with up to five buttons for what the member probably meant. */
export function missReply(
  kind: "model" | "lab",
  typed: string,
  suggestions: readonly CatalogEntry[],
): Reply {
  const shown = typedText(typed);
  const content = suggestions.length
    ? `No ${kind} called **${shown}** in the catalogue. Did you mean one of these?`
    : `No ${kind} called **${shown}** in the catalogue. Try \`/search\` to look through the corpus.`;
  return reply({
    ephemeral: true,
    content,
    components: suggestions.length ? buttonRows(openButtons(suggestions.slice(0, 5))) : [],
  });
}

/** The most did-you-mean choices shown: two rows of buttons. */
export const DID_YOU_MEAN_MAX = 10;

/**
 * Text that fits several entries equally well: only the member sees it, with a button for each
 * (newest first after families and products), never a guess.
 */
export function didYouMeanReply(typed: string, entries: readonly CatalogEntry[]): Reply {
  const shown = typedText(typed);
  const more = entries.length - DID_YOU_MEAN_MAX;
  const content =
    `**${shown}** could mean ${entries.length === 1 ? "this entry" : `any of ${entries.length} entries`}. Which one?` +
    (more > 0
      ? ` The ${DID_YOU_MEAN_MAX} newest are below; type more of the name for the other ${more}.`
      : "");
  return reply({
    ephemeral: true,
    content,
    components: buttonRows(openButtons(entries.slice(0, DID_YOU_MEAN_MAX))),
  });
}

export interface MentionPassage {
  readonly docId: string;
  readonly ordinal: number;
  readonly text: string;
}

/** One page of the passages that mention an entry. */
export function mentionsPage(
  entry: CatalogEntry,
  page: number,
  stats: MentionStats | undefined,
  passages: readonly MentionPassage[],
  corpus: Pick<Corpus, "byId">,
  excerpt: (text: string) => string,
): Reply {
  const total = stats?.passages.length ?? 0;
  const pages = Math.max(1, Math.ceil(total / MENTIONS_PAGE_SIZE));
  const current = Math.min(Math.max(0, page), pages - 1);
  const kind = commandFor(entry.kind);
  const fields = passages.map((p, i) => {
    const doc = corpus.byId.get(p.docId);
    const title = doc ? `${doc.title} — ${formatDate(doc.date, doc.datePrecision)}` : p.docId;
    const link = doc?.url
      ? `\n${markdownLink(`Read on ${escapeMarkdown(doc.source)}`, doc.url)}`
      : "";
    return {
      name: `${current * MENTIONS_PAGE_SIZE + i + 1}. ${title}`,
      value: truncate(excerpt(p.text), 900) + link,
    };
  });
  const embed: APIEmbed = {
    title: `${entry.entry.name}: mentions in the corpus`,
    color: COLOURS[kind],
    description: total ? mentionLine(stats) : "The corpus does not mention it by name.",
    fields,
    footer: { text: `Page ${current + 1} of ${pages} · ${total} passage${total === 1 ? "" : "s"}` },
  };
  const components =
    pages > 1
      ? buttonRows([
          {
            customId: `${kind}:mentions:${entry.entry.id}:${current - 1}`,
            label: "◀ Prev",
            disabled: current === 0,
          },
          {
            customId: `${kind}:mentions:${entry.entry.id}:${current + 1}`,
            label: "Next ▶",
            disabled: current >= pages - 1,
          },
          {
            customId: `${kind}:back:${entry.entry.id}`,
            label: `Back to ${truncate(entry.entry.name, 60)}`,
          },
        ])
      : buttonRows([
          {
            customId: `${kind}:back:${entry.entry.id}`,
            label: `Back to ${truncate(entry.entry.name, 60)}`,
          },
        ]);
  return reply({ embeds: [embed], components });
}

export { releaseDate };
