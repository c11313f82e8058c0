const ELLIPSIS = "…";

/**
 * Shortens text to at most `max` characters, cutting at a word boundary when one is near and
 * never leaving a dangling escape backslash or half a surrogate pair.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= ELLIPSIS.length) return ELLIPSIS.slice(0, max);
  let cut = text.slice(0, max - ELLIPSIS.length);
  const space = cut.lastIndexOf(" ");
  if (space >= cut.length * 0.6) cut = cut.slice(0, space);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  // An odd run of trailing backslashes would escape the ellipsis.
  const slashes = /\\+$/.exec(cut)?.[0].length ?? 0;
  if (slashes % 2 === 1) cut = cut.slice(0, -1);
  return cut.trimEnd() + ELLIPSIS;
}
