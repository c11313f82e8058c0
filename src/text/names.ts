import unhomoglyph from "unhomoglyph";
import { compactKey } from "./tokens.js";

/** Code points that render as nothing (Unicode's Default_Ignorable_Code_Point, Hangul fillers included). */
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * The confusable skeleton of Unicode UTS #39: two strings that look alike have the same one
 * ("Сlaude" with a Cyrillic С is "Claude"). The mapping is confusables.txt, as unhomoglyph ships it.
 */
export function skeleton(text: string): string {
  return unhomoglyph(text.normalize("NFD").replace(IGNORABLE, "")).normalize("NFD");
}

/**
 * The keys under which two names count as one: equal when they differ only in case, spaces and
 * punctuation ("GPT-5.4 mini", "gpt5.4mini"), or only in look-alike letters and invisible
 * characters ("Claude Opus 4.5" with a Greek Ο, or followed by U+3164).
 */
export function nameKeys(name: string): [plain: string, lookalike: string] {
  return [
    `=${compactKey(name.replace(IGNORABLE, ""))}`,
    `~${compactKey(skeleton(name.toLowerCase()))}`,
  ];
}
