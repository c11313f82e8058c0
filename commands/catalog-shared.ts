import type { AppContext } from "../src/app/context.js";
import type { CatalogKnowledge } from "../src/catalog/knowledge.js";
import type { CatalogEntry } from "../src/catalog/load.js";
import type { Reply } from "../src/discord/payload.js";
import { StaleInteractionError, UserError } from "../src/errors.js";
import { requiredString } from "../src/interactions/options.js";
import type { Caller, Choice, CommandModule, ComponentCall } from "../src/interactions/types.js";
import {
  MENTIONS_PAGE_SIZE,
  entryLabel,
  labCard,
  mentionsPage,
  missReply,
  modelCard,
} from "../src/replies/catalog.js";
import { snippet } from "../src/search/snippet.js";
import { tokenize } from "../src/text/tokens.js";

export type EntryKind = "model" | "lab";

/** The catalogue as the caller's server sees it. */
export function knowledgeFor(caller: Caller, ctx: AppContext): Promise<CatalogKnowledge> {
  return ctx.catalogs.for(caller.guildId);
}

function finderOf(knowledge: CatalogKnowledge, kind: EntryKind | "any") {
  return kind === "model" ? knowledge.models : kind === "lab" ? knowledge.labs : knowledge.any;
}

/** Autocomplete choices: the entry's label as the name, its id as the value. */
export function choicesFor(
  knowledge: CatalogKnowledge,
  kind: EntryKind | "any",
  typed: string,
): Choice[] {
  return finderOf(knowledge, kind)
    .find(typed.slice(0, 100))
    .flatMap((hit) => {
      const entry = knowledge.get(hit.id);
      return entry
        ? [{ name: entryLabel(entry, knowledge).slice(0, 100), value: entry.entry.id }]
        : [];
    });
}

export function cardFor(entry: CatalogEntry, knowledge: CatalogKnowledge, ctx: AppContext): Reply {
  return entry.kind === "model"
    ? modelCard(entry.entry, knowledge, ctx.corpus)
    : labCard(entry.entry, knowledge, ctx.corpus);
}

/** Picked ids and free text ("nemotrn cascade") resolve the same way; a miss offers suggestions. */
export function lookUp(
  kind: EntryKind,
  knowledge: CatalogKnowledge,
  typed: string,
  ctx: AppContext,
): Reply {
  const entry = finderOf(knowledge, kind).resolve(typed);
  if (entry) return cardFor(entry, knowledge, ctx);
  const suggestions = knowledge.any
    .find(typed, 5)
    .map((hit) => knowledge.get(hit.id))
    .filter((e): e is CatalogEntry => e !== undefined);
  return missReply(kind, typed, suggestions);
}

/**
 * Buttons shared by /model and /lab: `<kind>:show:<id>` posts the card, `<kind>:back:<id>` turns
 * a mentions page back into the card, `<kind>:mentions:<id>:<page>` pages through mentions.
 */
export async function catalogComponent(call: ComponentCall, ctx: AppContext): Promise<Reply> {
  const [, action = "", id = "", pageText = "0"] = call.customId.split(":");
  const page = Number(pageText);
  if (!["show", "back", "mentions"].includes(action) || !Number.isInteger(page) || page < 0)
    throw new StaleInteractionError(`catalogue button "${call.customId}" does not parse`);
  const knowledge = await knowledgeFor(call, ctx);
  const entry = knowledge.get(id);
  if (!entry) throw new UserError("That entry is no longer in the catalogue.");
  if (action === "show") return cardFor(entry, knowledge, ctx);
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
