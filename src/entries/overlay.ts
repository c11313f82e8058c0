import { buildCatalog, type Catalog } from "../catalog/load.js";
import type { LabEntry, ModelEntry } from "../catalog/schema.js";
import type { GuildEntryState } from "./repository.js";

/**
 * The catalogue as one server sees it: its additions and edits replace or extend the shipped
 * entries, and its removals hide them. Other servers are untouched.
 */
export function overlayCatalog(shipped: Catalog, states: readonly GuildEntryState[]): Catalog {
  const models = new Map<string, ModelEntry>(shipped.models.map((m) => [m.id, m]));
  const labs = new Map<string, LabEntry>(shipped.labs.map((l) => [l.id, l]));
  for (const state of states) {
    const target = state.kind === "model" ? models : labs;
    if (state.status === "removed" || !state.entry) target.delete(state.entryId);
    else (target as Map<string, ModelEntry | LabEntry>).set(state.entryId, state.entry);
  }
  // Families and products are not edited per server; a member a server removed is left out of
  // its family's card.
  return buildCatalog([...models.values()], [...labs.values()], shipped.families, shipped.products);
}
