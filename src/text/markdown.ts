/** Discord markdown and mention safety for text we did not write (corpus passages, member input). */

const INLINE_SPECIALS = /([\\*_~`|[\]])/g;
/** Headings, quotes and list markers only mean something at the start of a line. */
const LINE_START_SPECIALS = /^(\s*)([#>-]|\d+\.)/gm;

/**
 * Escapes characters Discord would read as markdown, and defuses mention syntax. Pass
 * `atLineStart: false` for a fragment that continues a line, where `-` or `#` are plain text.
 */
export function escapeMarkdown(text: string, { atLineStart = true } = {}): string {
  const inline = text.replace(INLINE_SPECIALS, "\\$1");
  const escaped = atLineStart
    ? inline.replace(LINE_START_SPECIALS, "$1\\$2")
    : inline.replace(/\n(\s*)([#>-]|\d+\.)/g, "\n$1\\$2");
  return defuseMentions(escaped);
}

/**
 * Breaks `@everyone`, `@here` and `<@…>`-style mentions with a zero-width space so they show as
 * text. Replies also send `allowed_mentions: { parse: [] }`; this keeps them from even looking
 * like pings.
 */
export function defuseMentions(text: string): string {
  return text.replace(/@(everyone|here)/gi, "@\u200b$1").replace(/<([@#][!&]?|\/)/g, "<\u200b$1");
}

/** Collapses runs of whitespace (passages may carry newlines) into single spaces. */
export function squashWhitespace(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
