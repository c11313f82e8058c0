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

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions), giving up with
 * `limit + 1` as soon as every cell of a row exceeds the limit.
 */
export function boundedDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const n = b.length;
  let prevPrev = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let row = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, prevPrev[j - 2]! + 1);
      }
      row[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    [prevPrev, prev, row] = [prev, row, prevPrev];
  }
  return prev[n]!;
}
