import { readDocumentText, type Corpus } from "./load.js";
import { findGluedBreaks } from "./paragraphs.js";

export interface FoundQuote {
  readonly doc: string;
  /** The quote exactly as the document has it, so it stays verifiable verbatim. */
  readonly quote: string;
}

const QUOTE_VARIANTS: Record<string, string> = {
  "'": "['‘’]",
  "‘": "['‘’]",
  "’": "['‘’]",
  '"': '["“”]',
  "“": '["“”]',
  "”": '["“”]',
  "-": "[-–—]",
  "–": "[-–—]",
  "—": "[-–—]",
};

/**
 * A pattern that finds what a member pasted even when Discord or their keyboard changed the
 * typography: straight or curly quotes, any dash, any run of whitespace. Where the corpus
 * restores a lost paragraph break, a break is optional, so a quote copied from the glued
 * source ("activities.We went") is found too.
 */
export function quotePattern(input: string): RegExp {
  const core = input.trim().replace(/^["“”']+|["“”']+$/g, "");
  const breaks = new Set(findGluedBreaks(core).map((b) => b.index));
  let source = "";
  for (const { 0: part, index } of core.matchAll(/\s+|[^]/gu)) {
    if (breaks.has(index)) source += "\\s*";
    if (/^\s/.test(part)) source += "\\s+";
    else source += QUOTE_VARIANTS[part] ?? part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(source, "u");
}

/** The first document, newest first, that contains the quote. */
export async function findQuote(
  corpus: Pick<Corpus, "dir" | "documents">,
  input: string,
): Promise<FoundQuote | undefined> {
  const pattern = quotePattern(input);
  for (const doc of corpus.documents) {
    const match = pattern.exec(await readDocumentText(corpus, doc));
    if (match) return { doc: doc.id, quote: match[0] };
  }
  return undefined;
}
