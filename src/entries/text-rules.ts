/**
 * What moderators may type into catalogue entries. Everything is escaped again when shown, but
 * text that would only ever render wrong (mentions, code fences, masked links) is refused with a
 * message saying what to change, so nothing surprising is saved.
 */

const MENTION = /@(everyone|here)\b|<(@[!&]?|#)\d+>|<\/[^>\s]+:\d+>/i;
/**
 * Control characters, line and paragraph separators, format characters (direction marks and
 * isolates, zero-width joiners, soft hyphens, tags…), whatever else renders as nothing, and the
 * Hangul fillers, letters that show as blank space. Tab and line breaks are allowed in paragraphs.
 */
const CONTROL =
  /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u115F\u1160\u3164\uFFA0]/u;
const INLINE_MARKDOWN = /[*_~`|\\<>[\]#@]/;
const CODE_FENCE = /```/;
const MASKED_LINK = /\[[^\]]*\]\([^)]*\)/;
const BLOCK_MARKUP = /^\s*(#{1,3}|-#|>{1,3})\s/m;

/** One-line text such as a name, an alias or a country. */
export function lineProblem(label: string, text: string): string | undefined {
  if (MENTION.test(text))
    return `${label} contains mention syntax (@everyone, <@…>, <@&…>); write it as plain text.`;
  if (CONTROL.test(text))
    return `${label} must be one line of plain text, without control or invisible characters.`;
  if (INLINE_MARKDOWN.test(text))
    return `${label} contains markdown or mention characters (* _ ~ \` | \\ < > [ ] # @); use plain text.`;
  return undefined;
}

/** Free text such as a summary: punctuation is fine, markup that hijacks the embed is not. */
export function paragraphProblem(label: string, text: string): string | undefined {
  const withoutBreaks = text.replace(/[\t\r\n]/g, " ");
  if (MENTION.test(text))
    return `${label} contains mention syntax (@everyone, <@…>, <@&…>); write names as plain text.`;
  if (CONTROL.test(withoutBreaks))
    return `${label} contains control or invisible characters; paste it as plain text.`;
  if (CODE_FENCE.test(text)) return `${label} contains a code block (\`\`\`); remove it.`;
  if (MASKED_LINK.test(text))
    return `${label} contains a masked link ([text](url)); put the link in the Source field.`;
  if (BLOCK_MARKUP.test(text))
    return `${label} starts a line with a heading or quote marker (#, -#, >); remove it.`;
  return undefined;
}
