import { holdingIn, passageWords, type PassagesHolding, type PassageWords } from "./knowledge.js";
import { relinkMentions, type MentionMatcher, type MentionStats } from "./mentions.js";

export interface ChangedPassage {
  readonly docId: string;
  readonly ordinal: number;
  readonly date: string;
  readonly text: string;
}

const docOf = (key: string) => key.slice(0, key.lastIndexOf("#"));

/**
 * The documents that changed since the corpus was loaded, with their passages as they are now:
 * what links a catalogue to the corpus, and answers word lookups, without reading it all again.
 */
export class CorpusChanges {
  private readonly changed = new Set<string>();
  private readonly current = new Map<string, readonly ChangedPassage[]>();
  /** Word index of the changed documents' passages, built when first needed. */
  private words: PassageWords | undefined;

  constructor(private readonly holdingAtLoad: PassagesHolding) {}

  /** A document's passages now (none: it was removed). */
  record(docId: string, passages: readonly ChangedPassage[]): void {
    this.changed.add(docId);
    if (passages.length) this.current.set(docId, passages);
    else this.current.delete(docId);
    this.words = undefined;
  }

  /** Lookups over the corpus as it is now. */
  readonly holding: PassagesHolding = (typed) => {
    const loaded = this.holdingAtLoad(typed);
    if (this.changed.size === 0) return loaded;
    const kept = loaded.filter((key) => !this.changed.has(docOf(key)));
    if (this.current.size === 0) return kept;
    const words = (this.words ??= passageWords([...this.current.values()].flat()));
    return [...kept, ...holdingIn(() => words)(typed)];
  };

  /** Mentions linked to the corpus as loaded, brought up to date with every change since. */
  relinkAll(
    matcher: MentionMatcher,
    mentions: ReadonlyMap<string, MentionStats>,
  ): ReadonlyMap<string, MentionStats> {
    if (this.changed.size === 0) return mentions;
    return relinkMentions(matcher, mentions, this.changed, [...this.current.values()].flat());
  }
}
