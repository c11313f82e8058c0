import type { Corpus } from "../corpus/load.js";
import type { CorpusDocument } from "../corpus/schema.js";
import { isStopword, tokenize } from "../text/tokens.js";
import type { PassageFilter, PassageMatch, PassageRow, SearchIndex } from "./index.js";
import { snippet } from "./snippet.js";

export type MatchTier = "phrase" | "all-words" | "some-words";

export interface SearchHit {
  readonly document: CorpusDocument;
  /** Its text is read only for the hits shown (see `SearchRequest.shown`); "" for the others. */
  readonly passage: PassageRow;
  readonly tier: MatchTier;
  /** Ready for an embed: escaped, matched words in bold ("" where the text was not read). */
  readonly snippet: string;
}

export interface Correction {
  readonly from: string;
  readonly to: string;
}

export interface SearchResult {
  readonly query: string;
  /** The words actually searched, after spelling correction. */
  readonly terms: readonly string[];
  readonly corrections: readonly Correction[];
  readonly hits: readonly SearchHit[];
}

export interface SearchRequest extends PassageFilter {
  readonly query: string;
  /** How many hits to return at most (pages are cut from these). */
  readonly limit?: number;
  /** The one page whose passages' text is read, for its snippets; every hit's when unset. */
  readonly shown?: { readonly page: number; readonly size: number };
}

/** Which hits a page shows. A page past the end shows the last one. */
export function pageWindow(total: number, page: number, size: number) {
  const pages = Math.ceil(total / size);
  const current = Math.min(Math.max(page, 0), pages - 1);
  const from = Math.max(0, current * size);
  return { page: current, pages, from, to: Math.min(total, from + size) };
}

export const MAX_SEARCH_HITS = 50;
/** Longer queries are noise for ranking and cost time: only this many words are used. */
export const MAX_QUERY_TERMS = 12;

/**
 * Finds passages in tiers: the query as an exact phrase, then passages with every word, then
 * passages with some of the words; BM25 orders each tier and newer documents win ties.
 * Misspelt words are corrected against the corpus vocabulary first.
 */
export async function searchCorpus(
  index: SearchIndex,
  corpus: Pick<Corpus, "byId">,
  request: SearchRequest,
): Promise<SearchResult> {
  const limit = Math.min(request.limit ?? MAX_SEARCH_HITS, MAX_SEARCH_HITS);
  const { terms, corrections } = interpretQuery(request.query, index);
  const content = terms.filter((t) => !isStopword(t));
  const result = { query: request.query, terms, corrections };
  if (content.length === 0) return { ...result, hits: [] };

  const tiers: Array<[MatchTier, string]> = [];
  if (terms.length > 1) tiers.push(["phrase", quote(terms.join(" "))]);
  if (content.length > 1) tiers.push(["all-words", content.map(quote).join(" AND ")]);
  tiers.push(["some-words", content.map(quote).join(" OR ")]);

  const found: Array<{ row: PassageMatch; tier: MatchTier; document: CorpusDocument }> = [];
  const seen = new Set<string>();
  for (const [tier, expression] of tiers) {
    if (found.length >= limit) break;
    for (const row of await index.match(expression, request, limit)) {
      const key = `${row.docId}#${row.ordinal}`;
      const document = corpus.byId.get(row.docId);
      if (seen.has(key) || !document) continue;
      seen.add(key);
      found.push({ row, tier, document });
      if (found.length >= limit) break;
    }
  }
  const window = request.shown
    ? pageWindow(found.length, request.shown.page, request.shown.size)
    : { from: 0, to: found.length };
  const texts = await index.texts(found.slice(window.from, window.to).map((f) => f.row.rowid));
  const hits = found.map(({ row, tier, document }): SearchHit => {
    const { rowid, ...match } = row;
    const text = texts.get(rowid) ?? "";
    let shown: string | undefined;
    return {
      document,
      passage: { ...match, text },
      tier,
      get snippet() {
        return (shown ??= text ? snippet(text, content) : "");
      },
    };
  });
  return { ...result, hits };
}

function quote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/**
 * Splits the query into index words and repairs the unknown ones: "gpt5.4" becomes "gpt 5 4"
 * when "gpt5" is unknown but its parts are not, and "distilation" becomes "distillation".
 */
export function interpretQuery(
  query: string,
  index: Pick<SearchIndex, "vocabulary">,
): { terms: string[]; corrections: Correction[] } {
  const vocabulary = index.vocabulary;
  const terms: string[] = [];
  const corrections: Correction[] = [];
  for (const word of tokenize(query).slice(0, MAX_QUERY_TERMS)) {
    if (vocabulary.knowsForm(word) || isStopword(word)) {
      terms.push(word);
      continue;
    }
    const parts = word.match(/\p{L}+|\p{N}+/gu) ?? [word];
    if (parts.length > 1 && parts.every((p) => vocabulary.has(p))) {
      terms.push(...parts);
      continue;
    }
    const corrected = vocabulary.correct(word);
    if (corrected) {
      corrections.push({ from: word, to: corrected });
      terms.push(corrected);
    } else {
      terms.push(word);
    }
  }
  return { terms, corrections };
}
