import { boundedDistance, letterSet, mayBeWithin } from "../text/distance.js";
import { lightStem } from "../text/tokens.js";

/** Correcting misspelt query words against the vocabulary of the indexed corpus. */

export class Vocabulary {
  /** Known words by length, each with its letter set. */
  private readonly byLength = new Map<number, Map<string, number>>();
  /** How many known words share each stem. */
  private readonly stems = new Map<string, number>();
  private readonly counts: Map<string, number>;

  /** Takes the map over: it changes with the corpus (`apply`). */
  constructor(frequencies: Map<string, number>) {
    this.counts = frequencies;
    for (const term of this.counts.keys()) this.know(term);
  }

  /** How many passages hold each word. */
  get frequencies(): ReadonlyMap<string, number> {
    return this.counts;
  }

  /**
   * Follows a change to the corpus: each word's count of passages goes up or down by its delta.
   * A word no passage holds any more is forgotten; a new one is learnt.
   */
  apply(delta: Readonly<Record<string, number>>): void {
    for (const [term, change] of Object.entries(delta)) {
      const before = this.counts.get(term) ?? 0;
      const after = before + change;
      if (after > 0) this.counts.set(term, after);
      else this.counts.delete(term);
      if (before <= 0 && after > 0) this.know(term);
      if (before > 0 && after <= 0) this.forget(term);
    }
  }

  private know(term: string): void {
    const stem = lightStem(term);
    this.stems.set(stem, (this.stems.get(stem) ?? 0) + 1);
    const bucket = this.byLength.get(term.length);
    if (bucket) bucket.set(term, letterSet(term));
    else this.byLength.set(term.length, new Map([[term, letterSet(term)]]));
  }

  private forget(term: string): void {
    const stem = lightStem(term);
    const left = (this.stems.get(stem) ?? 1) - 1;
    if (left > 0) this.stems.set(stem, left);
    else this.stems.delete(stem);
    this.byLength.get(term.length)?.delete(term);
  }

  get size(): number {
    return this.counts.size;
  }

  has(term: string): boolean {
    return this.counts.has(term);
  }

  /** The word, or another form of it ("release" when the corpus has "releases"), is known. */
  knowsForm(term: string): boolean {
    return this.counts.has(term) || this.stems.has(lightStem(term));
  }

  /** How many passages contain the term. */
  frequency(term: string): number {
    return this.counts.get(term) ?? 0;
  }

  /**
   * The closest known word within the edit budget (fewest edits, then most frequent), or
   * undefined. Short words get no budget: "o3" must not turn into "o1".
   */
  correct(term: string): string | undefined {
    if (this.knowsForm(term) || /\d/.test(term)) return undefined;
    const budget = term.length <= 3 ? 0 : term.length <= 7 ? 1 : 2;
    if (budget === 0) return undefined;
    let best: string | undefined;
    let bestDistance = budget + 1;
    let bestFrequency = 0;
    const letters = letterSet(term);
    for (let len = term.length - budget; len <= term.length + budget; len++) {
      for (const [candidate, candidateLetters] of this.byLength.get(len) ?? []) {
        if (!mayBeWithin(letters, candidateLetters, Math.min(budget, bestDistance))) continue;
        const d = boundedDistance(term, candidate, Math.min(budget, bestDistance));
        if (d > budget) continue;
        const f = this.frequency(candidate);
        if (d < bestDistance || (d === bestDistance && f > bestFrequency)) {
          best = candidate;
          bestDistance = d;
          bestFrequency = f;
        }
      }
    }
    return best;
  }
}
