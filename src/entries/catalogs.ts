import { buildKnowledge, type CatalogKnowledge, type PassageWords } from "../catalog/knowledge.js";
import type { Catalog } from "../catalog/load.js";
import type { MentionStats } from "../catalog/mentions.js";
import { overlayCatalog } from "./overlay.js";
import type { EntryRepository } from "./repository.js";

/** Links a catalogue to the passages that name its entries (in the bot, off the event loop). */
export type MentionIndexer = (catalog: Catalog) => Promise<ReadonlyMap<string, MentionStats>>;

/**
 * Each server's catalogue: the shipped one with that server's entries laid over it. Built on
 * first use and kept while the server's entries are unchanged, so lookups stay fast. Every
 * lookup asks the store for the server's revision (one small read), so a change made through
 * any process of the bot shows in the next lookup here.
 */
export class GuildCatalogs {
  private readonly cache = new Map<
    string,
    { readonly revision: number; readonly knowledge: Promise<CatalogKnowledge> }
  >();

  constructor(
    readonly shipped: CatalogKnowledge,
    private readonly indexMentions: MentionIndexer,
    private readonly words: () => PassageWords,
    readonly entries: EntryRepository,
  ) {}

  async for(guildId: string | null): Promise<CatalogKnowledge> {
    if (!guildId) return this.shipped;
    const revision = await this.entries.revision(guildId);
    const cached = this.cache.get(guildId);
    if (cached?.revision === revision) return cached.knowledge;
    const knowledge = this.build(guildId);
    const built = { revision, knowledge };
    this.cache.set(guildId, built);
    knowledge.catch(() => {
      if (this.cache.get(guildId) === built) this.cache.delete(guildId);
    });
    return knowledge;
  }

  private async build(guildId: string): Promise<CatalogKnowledge> {
    const states = await this.entries.list(guildId);
    if (states.length === 0) return this.shipped;
    const catalog: Catalog = overlayCatalog(this.shipped.catalog, states);
    return buildKnowledge(catalog, await this.indexMentions(catalog), this.words);
  }
}
