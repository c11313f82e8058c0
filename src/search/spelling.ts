import { boundedDistance } from "../text/distance.js";
import { lightStem } from "../text/tokens.js";

/** Correcting misspelt query words against the vocabulary of the indexed corpus. */

export class Vocabulary {
  private readonly byLength = new Map<number, string[]>();
  private readonly stems = new Set<string>();

  constructor(readonly frequencies: ReadonlyMap<string, number>) {
    for (const term of frequencies.keys()) {
      this.stems.add(lightStem(term));
      const bucket = this.byLength.get(term.length);
      if (bucket) bucket.push(term);
      else this.byLength.set(term.length, [term]);
    }
  }

  get size(): number {
    return this.frequencies.size;
  }

  has(term: string): boolean {
    return this.frequencies.has(term);
  }

  /** The word, or another form of it ("release" when the corpus has "releases"), is known. */
  knowsForm(term: string): boolean {
    return this.frequencies.has(term) || this.stems.has(lightStem(term));
  }

  /** How many passages contain the term. */
  frequency(term: string): number {
    return this.frequencies.get(term) ?? 0;
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
    for (let len = term.length - budget; len <= term.length + budget; len++) {
      for (const candidate of this.byLength.get(len) ?? []) {
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
