import type { ChangedPassage, CorpusChanges } from "../catalog/corpus-changes.js";
import { buildKnowledge, type CatalogKnowledge } from "../catalog/knowledge.js";
import type { Catalog } from "../catalog/load.js";
import { buildMatcher, relinkMentions, type MentionStats } from "../catalog/mentions.js";
import { overlayCatalog } from "./overlay.js";
import { listGuildEntries, type EntryStoreDeps } from "./repository.js";

/** Links a catalogue to the passages that name its entries (in the bot, off the event loop). */
export type MentionIndexer = (catalog: Catalog) => Promise<ReadonlyMap<string, MentionStats>>;

/**
 * Each server's catalogue: the shipped one with that server's entries laid over it. Built on
 * first use and rebuilt after the server changes an entry, so lookups stay fast. New documents
 * relink every catalogue built so far in place (`corpusChanged`).
 */
export class GuildCatalogs {
  private readonly cache = new Map<string, Promise<CatalogKnowledge>>();

  /**
   * @param indexMentions links a catalogue to the corpus as loaded; `changes` brings that up to
   *   date with the documents changed since.
   */
  constructor(
    private current: CatalogKnowledge,
    private readonly indexMentions: MentionIndexer,
    private readonly changes: CorpusChanges,
    readonly entries: EntryStoreDeps,
  ) {}

  /** The shipped catalogue, linked to the corpus as it is now. */
  get shipped(): CatalogKnowledge {
    return this.current;
  }

  for(guildId: string | null): Promise<CatalogKnowledge> {
    if (!guildId) return Promise.resolve(this.current);
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
    for (const [guildId, known] of this.cache) {
      const relinked = known.then((k) =>
        k === before
          ? shipped
          : buildKnowledge(
              k.catalog,
              relinkMentions(k.matcher, k.mentions, docIds, passages),
              this.changes.holding,
            ),
      );
      this.cache.set(guildId, relinked);
      relinked.catch(() => this.cache.get(guildId) === relinked && this.cache.delete(guildId));
    }
  }

  private async build(guildId: string): Promise<CatalogKnowledge> {
    const states = await listGuildEntries(this.entries, guildId);
    if (states.length === 0) return this.current;
    const catalog: Catalog = overlayCatalog(this.current.catalog, states);
    const mentions = this.changes.relinkAll(
      buildMatcher(catalog),
      await this.indexMentions(catalog),
    );
    return buildKnowledge(catalog, mentions, this.changes.holding);
  }
}
