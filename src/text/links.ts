/** Every URL the bot shows goes through here, whoever wrote it (corpus metadata, moderators). */

const URL_MAX = 512;
/**
 * What could end a masked link early or open another one inside it: brackets, angle brackets,
 * parentheses, whitespace and backslashes. Percent-encoding them keeps the address the same.
 */
const LINK_BREAKERS = /[()[\]<>\\\s]/g;

const percentEncode = (char: string) =>
  [...Buffer.from(char, "utf8")]
    .map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`)
    .join("");

/** The URL with its markdown-breaking characters encoded, or undefined when it is not a web link. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url || url.length > URL_MAX || !/^https?:\/\/[^/\s]/i.test(url)) return undefined;
  return url.replace(LINK_BREAKERS, percentEncode);
}

/**
 * `[label](url)`, or the label alone when the URL is not one to link. The label must already be
 * escaped (escapeMarkdown) by the caller.
 */
export function markdownLink(label: string, url: string | undefined): string {
  const safe = safeUrl(url);
  return safe ? `[${label}](${safe})` : label;
}
