import type { AppContext } from "../../src/app/context.js";
import type { CatalogKnowledge } from "../../src/catalog/knowledge.js";
import type { CatalogEntry } from "../../src/catalog/load.js";
import { type GuildEntryState } from "../../src/entries/repository.js";
import { UserError } from "../../src/errors.js";
import { escapeMarkdown } from "../../src/text/markdown.js";
import { compactKey } from "../../src/text/tokens.js";
import { truncate } from "../../src/text/truncate.js";

/** Every entry this server has touched, including removed ones: history and revert reach them. */
export async function serverStates(ctx: AppContext, guildId: string): Promise<GuildEntryState[]> {
  return ctx.catalogs.entries.list(guildId);
}

/** A removed entry's name: its last version in this server, or the shipped one. */
export async function removedName(ctx: AppContext, guildId: string, state: GuildEntryState) {
  const records = await ctx.catalogs.entries.history(guildId, state.entryId);
  const last = records.findLast((r) => r.after.entry)?.after.entry;
  return last?.name ?? ctx.catalog.get(state.entryId)?.entry.name ?? state.entryId;
}

/**
 * An entry by what was typed or picked. With `includeRemoved`, an exact match among the server's
 * removed entries wins over a looser match among the visible ones ("o3" is o3, not o3-mini).
 */
export async function findEntry(
  typed: string,
  knowledge: CatalogKnowledge,
  ctx: AppContext,
  guildId: string,
  { includeRemoved }: { includeRemoved: boolean },
): Promise<{ id: string; name: string; kind: "model" | "lab"; entry?: EditableEntry }> {
  const visible = (found: EditableEntry) => ({
    id: found.entry.id,
    name: found.entry.name,
    kind: found.kind,
    entry: found,
  });
  const exact = editable(knowledge.get(typed.trim())) ?? exactMatch(knowledge, typed);
  if (exact) return visible(exact);
  if (includeRemoved) {
    const key = compactKey(typed);
    for (const state of await serverStates(ctx, guildId)) {
      if (state.status !== "removed") continue;
      const name = await removedName(ctx, guildId, state);
      const shipped = ctx.catalog.get(state.entryId)?.entry;
      const forms = [name, ...(shipped ? [shipped.name, ...shipped.aliases] : [])];
      if (state.entryId === typed.trim() || forms.some((f) => compactKey(f) === key))
        return { id: state.entryId, name, kind: state.kind };
    }
  }
  const loose = editable(knowledge.editable.resolve(typed));
  if (loose) return visible(loose);
  throw new UserError(
    `No model or lab called **${escapeMarkdown(truncate(typed, 80))}** in this server's catalogue. Pick one from the list.`,
  );
}

function exactMatch(knowledge: CatalogKnowledge, typed: string): EditableEntry | undefined {
  const [best] = knowledge.editable.find(typed, 1);
  return best?.tier === "exact" ? editable(knowledge.get(best.id)) : undefined;
}

export type EditableEntry = Extract<CatalogEntry, { kind: "model" | "lab" }>;

/** Servers edit models and labs; families and products come only with the shipped catalogue. */
export function editable(entry: CatalogEntry | undefined): EditableEntry | undefined {
  return entry?.kind === "model" || entry?.kind === "lab" ? entry : undefined;
}

type LabResolution = { ids: string[] } | { unknown: string; suggestions: string[] };

/**
 * A lab named on the command: its id (what autocomplete gives), a name or alias, or the start of
 * one. A typo's fuzzy match is not taken: "Cohere" must not save a model under Cursor unseen.
 */
function labNamed(part: string, knowledge: CatalogKnowledge): CatalogEntry | undefined {
  const lab = knowledge.labs.resolve(part);
  if (!lab || lab.entry.id === part) return lab;
  const [best] = knowledge.labs.find(part, 1);
  return best?.tier === "fuzzy" ? undefined : lab;
}

export function resolveLabs(text: string, knowledge: CatalogKnowledge): LabResolution {
  const ids: string[] = [];
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const lab = labNamed(part, knowledge);
    if (!lab) {
      const suggestions = knowledge.labs
        .find(part, 3)
        .map((hit) => knowledge.get(hit.id)?.entry.name)
        .filter((n): n is string => !!n);
      return { unknown: part, suggestions };
    }
    if (!ids.includes(lab.entry.id)) ids.push(lab.entry.id);
  }
  return { ids };
}
