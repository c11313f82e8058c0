import type { AppContext } from "../src/app/context.js";
import type { CatalogEntry } from "../src/catalog/load.js";
import type { EntryFinder } from "../src/catalog/lookup.js";
import {
  MENTIONS_PAGE_SIZE,
  entryLabel,
  labCard,
  mentionsPage,
  missReply,
  modelCard,
} from "../src/replies/catalog.js";
import type { Reply } from "../src/discord/payload.js";
import { UserError } from "../src/errors.js";
import { requiredString } from "../src/interactions/options.js";
import type { Choice, CommandModule, ComponentCall } from "../src/interactions/types.js";
import { snippet } from "../src/search/snippet.js";
import { tokenize } from "../src/text/tokens.js";

/** Autocomplete choices: the entry's label as the name, its id as the value. */
export function choicesFor(finder: EntryFinder, typed: string, ctx: AppContext): Choice[] {
  return finder.find(typed.slice(0, 100)).flatMap((hit) => {
    const entry = ctx.catalog.get(hit.id);
    return entry
      ? [{ name: entryLabel(entry, ctx.catalog).slice(0, 100), value: entry.entry.id }]
      : [];
  });
}

export function cardFor(entry: CatalogEntry, ctx: AppContext): Reply {
  return entry.kind === "model"
    ? modelCard(entry.entry, ctx.catalog, ctx.corpus)
    : labCard(entry.entry, ctx.catalog, ctx.corpus);
}

/** Picked ids and free text ("nemotrn cascade") resolve the same way; a miss offers suggestions. */
export function lookUp(
  kind: "model" | "lab",
  finder: EntryFinder,
  typed: string,
  ctx: AppContext,
): Reply {
  const entry = finder.resolve(typed);
  if (entry) return cardFor(entry, ctx);
  const suggestions = ctx.catalog.any
    .find(typed, 5)
    .map((hit) => ctx.catalog.get(hit.id))
    .filter((e): e is CatalogEntry => e !== undefined);
  return missReply(kind, typed, suggestions);
}

/** Buttons shared by /model and /lab: `<kind>:show:<id>` and `<kind>:mentions:<id>:<page>`. */
export async function catalogComponent(call: ComponentCall, ctx: AppContext): Promise<Reply> {
  const [, action, id = "", pageText = "0"] = call.customId.split(":");
  const entry = ctx.catalog.get(id);
  if (!entry) throw new UserError("That entry is no longer in the catalogue.");
  if (action === "show") return cardFor(entry, ctx);
  if (action !== "mentions") throw new UserError("That button is not recognised.");
  const stats = ctx.catalog.mentions.get(entry.entry.id);
  const page = Math.max(0, Number.parseInt(pageText, 10) || 0);
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
  kind: "model" | "lab",
  definition: CommandModule["definition"],
): CommandModule {
  const finder = (ctx: AppContext) => (kind === "model" ? ctx.catalog.models : ctx.catalog.labs);
  return {
    definition,
    async execute(call, ctx) {
      return lookUp(kind, finder(ctx), requiredString(call, "name"), ctx);
    },
    async autocomplete(call, ctx) {
      return choicesFor(finder(ctx), call.focused.value, ctx);
    },
    autocompleteFallback(ctx) {
      return choicesFor(finder(ctx), "", ctx);
    },
    component: catalogComponent,
  };
}
