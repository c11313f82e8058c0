import type { AppContext } from "../src/app/context.js";
import type { CatalogKnowledge } from "../src/catalog/knowledge.js";
import type { CatalogEntry } from "../src/catalog/load.js";
import type { Reply } from "../src/discord/payload.js";
import { StaleInteractionError, UserError } from "../src/errors.js";
import { requiredString } from "../src/interactions/options.js";
import type { Caller, Choice, CommandModule, ComponentCall } from "../src/interactions/types.js";
import type { Resolution } from "../src/catalog/lookup.js";
import {
  MENTIONS_PAGE_SIZE,
  didYouMeanReply,
  entryLabel,
  familyCard,
  labCard,
  mentionsPage,
  missReply,
  modelCard,
  productCard,
} from "../src/replies/catalog.js";
import { snippet } from "../src/search/snippet.js";
import { tokenize } from "../src/text/tokens.js";
import { MAX_CHOICES } from "../src/catalog/lookup.js";

export type EntryKind = "model" | "lab";

/** The catalogue as the caller's server sees it. */
export function knowledgeFor(caller: Caller, ctx: AppContext): Promise<CatalogKnowledge> {
  return ctx.catalogs.for(caller.guildId);
}

/**
 * Autocomplete choices: the entry's label as the name, its id as the value. /model offers models,
 * families and products; /lab puts first the lab that makes what was typed ("grok" is xAI).
 */
export function choicesFor(
  knowledge: CatalogKnowledge,
  kind: EntryKind | "compare" | "editable",
  typed: string,
): Choice[] {
  const text = typed.slice(0, 100);
  const finder = {
    model: knowledge.lineup,
    lab: knowledge.labs,
    compare: knowledge.models,
    editable: knowledge.editable,
  }[kind];
  const ids = finder.find(text).map((hit) => hit.id);
  if (kind === "lab") {
    const maker = knowledge.lookUpLab(text);
    if (maker.status === "found") ids.unshift(maker.entry.entry.id);
  }
  return [...new Set(ids)].slice(0, MAX_CHOICES).flatMap((id) => {
    const entry = knowledge.get(id);
    return entry ? [{ name: entryLabel(entry, knowledge).slice(0, 100), value: id }] : [];
  });
}

export function cardFor(entry: CatalogEntry, knowledge: CatalogKnowledge, ctx: AppContext): Reply {
  switch (entry.kind) {
    case "model":
      return modelCard(entry.entry, knowledge, ctx.corpus);
    case "lab":
      return labCard(entry.entry, knowledge, ctx.corpus);
    case "family":
      return familyCard(entry.entry, knowledge, ctx.corpus);
    case "product":
      return productCard(entry.entry, knowledge, ctx.corpus);
  }
}

/** A card when the text names one entry; a private did-you-mean or miss otherwise. */
export function answerFor(
  kind: EntryKind,
  resolution: Resolution,
  knowledge: CatalogKnowledge,
  typed: string,
  ctx: AppContext,
): Reply {
  if (resolution.status === "found") return cardFor(resolution.entry, knowledge, ctx);
  if (resolution.status === "ambiguous") return didYouMeanReply(typed, resolution.entries);
  const suggestions = knowledge.any
    .suggest(typed, 5)
    .map((id) => knowledge.get(id))
    .filter((e): e is CatalogEntry => e !== undefined);
  return missReply(kind, typed, suggestions);
}

/** Picked ids and free text ("nemotrn cascade") resolve the same way, by the no-guess rule. */
export function lookUp(
  kind: EntryKind,
  knowledge: CatalogKnowledge,
  typed: string,
  ctx: AppContext,
): Reply {
  const resolution = kind === "model" ? knowledge.lookUpModel(typed) : knowledge.lookUpLab(typed);
  return answerFor(kind, resolution, knowledge, typed, ctx);
}

/**
 * Buttons shared by /model and /lab: `<kind>:show:<id>` posts the card, `<kind>:back:<id>` turns
 * a mentions page back into the card, `<kind>:mentions:<id>:<page>` pages through mentions, and
 * the menu `model:open:<id>` on a family or product posts the card picked from it.
 */
export async function catalogComponent(call: ComponentCall, ctx: AppContext): Promise<Reply> {
  const [, action = "", id = "", pageText = "0"] = call.customId.split(":");
  const page = Number(pageText);
  if (!["show", "back", "mentions", "open"].includes(action) || !Number.isInteger(page) || page < 0)
    throw new StaleInteractionError(`catalogue button "${call.customId}" does not parse`);
  const knowledge = await knowledgeFor(call, ctx);
  // A family's or product's menu names the card to open in its value.
  const entry = knowledge.get(action === "open" ? (call.values[0] ?? "") : id);
  if (!entry) throw new UserError("That entry is no longer in the catalogue.");
  if (action === "show" || action === "open") return cardFor(entry, knowledge, ctx);
  if (action === "back") return { ...cardFor(entry, knowledge, ctx), update: true };
  const stats = knowledge.mentions.get(entry.entry.id);
  const refs = (stats?.passages ?? []).slice(
    page * MENTIONS_PAGE_SIZE,
    (page + 1) * MENTIONS_PAGE_SIZE,
  );
  const passages = [];
  for (const ref of refs) {
    const row = await ctx.searchIndex.passage(ref.docId, ref.ordinal);
    if (row) passages.push(row);
  }
  const words = tokenize([entry.entry.name, ...entry.entry.aliases].join(" "));
  return {
    ...mentionsPage(entry, page, stats, passages, ctx.corpus, (text) => snippet(text, words, 600)),
    update: true,
  };
}

/** /model and /lab differ only in which entries they look up. */
export function catalogCommand(
  kind: EntryKind,
  definition: CommandModule["definition"],
  examples: CommandModule["examples"],
): CommandModule {
  return {
    definition,
    examples,
    async execute(call, ctx) {
      return lookUp(kind, await knowledgeFor(call, ctx), requiredString(call, "name"), ctx);
    },
    async autocomplete(call, ctx) {
      return choicesFor(await knowledgeFor(call, ctx), kind, call.focused.value);
    },
    autocompleteFallback(ctx) {
      return choicesFor(ctx.catalog, kind, "");
    },
    component: catalogComponent,
  };
}
