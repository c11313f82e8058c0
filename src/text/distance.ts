/** Edit distance between short strings: one helper for spelling correction and name lookups. */

type Rows = [Int32Array, Int32Array, Int32Array];
let rows: Rows = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions), giving up with
 * `limit + 1` as soon as every cell of a row exceeds the limit.
 */
export function boundedDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const n = b.length;
  // Spelling correction calls this for thousands of words per query: rows are reused, not
  // allocated per call.
  if (rows[0].length <= n) rows = [0, 1, 2].map(() => new Int32Array(n * 2 + 2)) as Rows;
  let [prevPrev, prev, row] = rows;
  for (let j = 0; j <= n; j++) {
    prevPrev[j] = 0;
    prev[j] = j;
  }
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const bj = b.charCodeAt(j - 1);
      const cost = ai === bj ? 0 : 1;
      let v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) {
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

/**
 * Which letters a word holds, as bits (a–z each their own; anything else shares six more), for
 * `mayBeWithin`.
 */
export function letterSet(word: string): number {
  let set = 0;
  for (let i = 0; i < word.length; i++) {
    const code = word.charCodeAt(i);
    set |= 1 << (code >= 97 && code <= 122 ? code - 97 : 26 + (code % 6));
  }
  return set;
}

/**
 * False when two words' letter sets (`letterSet`) prove their distance is over `limit`: every
 * letter one word has and the other lacks costs at least one edit. Far cheaper than the
 * distance, and it rules out nearly every word in a vocabulary.
 */
export function mayBeWithin(a: number, b: number, limit: number): boolean {
  return bitCount(a & ~b) <= limit && bitCount(b & ~a) <= limit;
}

function bitCount(bits: number): number {
  let v = bits - ((bits >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}
