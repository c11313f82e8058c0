import { buildKnowledge, type CatalogKnowledge, type PassageWords } from "../catalog/knowledge.js";
import type { Catalog } from "../catalog/load.js";
import type { MentionStats } from "../catalog/mentions.js";
import { overlayCatalog } from "./overlay.js";
import { listGuildEntries, type EntryStoreDeps } from "./repository.js";

/** Links a catalogue to the passages that name its entries (in the bot, off the event loop). */
export type MentionIndexer = (catalog: Catalog) => Promise<ReadonlyMap<string, MentionStats>>;

/**
 * Each server's catalogue: the shipped one with that server's entries laid over it. Built on
 * first use and rebuilt after the server changes an entry, so lookups stay fast.
 */
export class GuildCatalogs {
  private readonly cache = new Map<string, Promise<CatalogKnowledge>>();

  constructor(
    readonly shipped: CatalogKnowledge,
    private readonly indexMentions: MentionIndexer,
    private readonly words: () => PassageWords,
    readonly entries: EntryStoreDeps,
  ) {}

  for(guildId: string | null): Promise<CatalogKnowledge> {
    if (!guildId) return Promise.resolve(this.shipped);
    let known = this.cache.get(guildId);
    if (!known) {
      known = this.build(guildId);
      this.cache.set(guildId, known);
      known.catch(() => this.cache.delete(guildId));
    }
    return known;
  }

  /** After a change: the next lookup in that server sees it. */
  changed(guildId: string): void {
    this.cache.delete(guildId);
  }

  private async build(guildId: string): Promise<CatalogKnowledge> {
    const states = await listGuildEntries(this.entries, guildId);
    if (states.length === 0) return this.shipped;
    const catalog: Catalog = overlayCatalog(this.shipped.catalog, states);
    return buildKnowledge(catalog, await this.indexMentions(catalog), this.words);
  }
}
