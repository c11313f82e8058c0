import type { ChangedPassage, CorpusChanges } from "../catalog/corpus-changes.js";
import { buildKnowledge, type CatalogKnowledge } from "../catalog/knowledge.js";
import type { Catalog } from "../catalog/load.js";
import { buildMatcher, relinkMentions, type MentionStats } from "../catalog/mentions.js";
import { overlayCatalog } from "./overlay.js";
import type { EntryRepository } from "./repository.js";

/** Links a catalogue to the passages that name its entries (in the bot, off the event loop). */
export type MentionIndexer = (catalog: Catalog) => Promise<ReadonlyMap<string, MentionStats>>;

/**
 * Each server's catalogue: the shipped one with that server's entries laid over it. Built on
 * first use and kept while the server's entries are unchanged, so lookups stay fast. Every
 * lookup asks the store for the server's revision (one small read), so a change made through
 * any process of the bot shows in the next lookup here. New documents relink every catalogue
 * built so far in place (`corpusChanged`).
 */
export class GuildCatalogs {
  private readonly cache = new Map<
    string,
    { readonly revision: number; readonly knowledge: Promise<CatalogKnowledge> }
  >();

  /**
   * @param indexMentions links a catalogue to the corpus as loaded; `changes` brings that up to
   *   date with the documents changed since.
   */
  constructor(
    private current: CatalogKnowledge,
    private readonly indexMentions: MentionIndexer,
    private readonly changes: CorpusChanges,
    readonly entries: EntryRepository,
  ) {}

  /** The shipped catalogue, linked to the corpus as it is now. */
  get shipped(): CatalogKnowledge {
    return this.current;
  }

  async for(guildId: string | null): Promise<CatalogKnowledge> {
    if (!guildId) return this.current;
    const revision = await this.entries.revision(guildId);
    const cached = this.cache.get(guildId);
    if (cached?.revision === revision) return cached.knowledge;
    this.remember(guildId, revision, this.build(guildId));
    return this.cache.get(guildId)!.knowledge;
  }

  /**
   * Documents changed (`passages` are theirs as they are now): the shipped catalogue becomes
   * `shipped`, and every server's catalogue built so far is linked to them anew.
   */
  corpusChanged(
    shipped: CatalogKnowledge,
    docIds: ReadonlySet<string>,
    passages: readonly ChangedPassage[],
  ): void {
    const before = this.current;
    this.current = shipped;
    for (const [guildId, { revision, knowledge }] of this.cache) {
      const relinked = knowledge.then((k) =>
        k === before
          ? shipped
          : buildKnowledge(
              k.catalog,
              relinkMentions(k.matcher, k.mentions, docIds, passages),
              this.changes.holding,
            ),
      );
      this.remember(guildId, revision, relinked);
    }
  }

  private remember(guildId: string, revision: number, knowledge: Promise<CatalogKnowledge>) {
    const built = { revision, knowledge };
    this.cache.set(guildId, built);
    knowledge.catch(() => {
      if (this.cache.get(guildId) === built) this.cache.delete(guildId);
    });
  }

  private async build(guildId: string): Promise<CatalogKnowledge> {
    const states = await this.entries.list(guildId);
    if (states.length === 0) return this.current;
    const catalog: Catalog = overlayCatalog(this.current.catalog, states);
    const mentions = this.changes.relinkAll(
      buildMatcher(catalog),
      await this.indexMentions(catalog),
    );
    return buildKnowledge(catalog, mentions, this.changes.holding);
  }
}
