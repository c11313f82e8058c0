import { DetectError, parseFeed, type AnyFeed } from "feedsmith";
import { compile } from "html-to-text";
import { squashWhitespace } from "../text/markdown.js";

/** One feed item, read and converted to plain text, before it becomes a document. */
export interface FeedItemDraft {
  readonly guid: string | null;
  readonly link: string | null;
  readonly title: string;
  readonly text: string;
  readonly published: Date | null;
  readonly author: string | null;
}

export interface SkippedItem {
  /** The item's title or guid, when it has one: what the log line names. */
  readonly item: string | null;
  readonly reason: string;
}

export type FeedRead =
  | { readonly kind: "feed"; readonly items: FeedItemDraft[]; readonly skipped: SkippedItem[] }
  /** The answer is something else (a web page, JSON, an empty body): the URL is wrong. */
  | { readonly kind: "not-a-feed"; readonly reason: string }
  /** Meant as a feed but not readable XML (cut short, say): worth another try later. */
  | { readonly kind: "broken"; readonly reason: string };

const toText = compile({
  wordwrap: false,
  selectors: [
    { selector: "a", options: { ignoreHref: true } },
    { selector: "img", format: "skip" },
    { selector: "figure", format: "skip" },
    ...["h1", "h2", "h3", "h4", "h5", "h6"].map((selector) => ({
      selector,
      options: { uppercase: false },
    })),
    { selector: "table", format: "block" },
  ],
});

/** Items read per feed, newest first as feeds list them: bounds the work a huge feed causes. */
export const MAX_ITEMS = 100;

/**
 * Reads an RSS 2.0, RSS 1.0 (RDF) or Atom document into items with plain text. An item that
 * cannot be read (no title, no text) is skipped with its reason; the rest of the feed counts.
 */
export function readFeed(body: string): FeedRead {
  // Checked first: a big web page would cost the XML parser seconds to reject.
  if (isWebPage(body))
    return { kind: "not-a-feed", reason: "the server sent a web page, not a feed" };
  let parsed: AnyFeed;
  try {
    parsed = parseFeed(body, { maxItems: MAX_ITEMS });
  } catch (error) {
    if (error instanceof DetectError)
      return { kind: "not-a-feed", reason: "the answer is not an RSS or Atom feed" };
    return {
      kind: "broken",
      reason: `the feed is not well-formed XML (${(error as Error).message})`,
    };
  }
  if (parsed.format === "json")
    return { kind: "not-a-feed", reason: "the answer is a JSON feed, not an RSS or Atom feed" };
  const entries: Entry[] =
    parsed.format === "atom"
      ? (parsed.feed.entries ?? []).map(fromAtom)
      : (parsed.feed.items ?? []).map(fromRss);
  const items: FeedItemDraft[] = [];
  const skipped: SkippedItem[] = [];
  for (const entry of entries) {
    const draft = readEntry(entry);
    if (typeof draft === "string")
      skipped.push({ item: entry.title?.value || entry.guid || null, reason: draft });
    else items.push(draft);
  }
  return { kind: "feed", items, skipped };
}

/** Whether the body starts, after an XML declaration and comments, as an HTML page does. */
function isWebPage(body: string): boolean {
  // Only the start is looked at: a large body costs no more than a small one.
  let head = body
    .slice(0, 4096)
    .trimStart()
    .replace(/^<\?xml[^>]*>/, "")
    .trimStart();
  while (head.startsWith("<!--")) {
    const end = head.indexOf("-->");
    if (end < 0) return false;
    head = head.slice(end + 3).trimStart();
  }
  return /^<(?:!doctype\s+html|html[\s>])/i.test(head);
}

/** An item of any format, as far as a document needs it. */
interface Entry {
  readonly guid?: string;
  readonly link?: string;
  /** `html` when the value is markup to convert (Atom's type="html", RSS descriptions). */
  readonly title?: { value: string; html: boolean };
  readonly body?: { value: string; html: boolean };
  readonly date?: string;
  readonly authors: string[];
}

type RssItem = NonNullable<Extract<AnyFeed, { format: "rss" | "rdf" }>["feed"]["items"]>[number];
type AtomEntry = NonNullable<Extract<AnyFeed, { format: "atom" }>["feed"]["entries"]>[number];

function fromRss(item: RssItem): Entry {
  const rss = item as RssItem & {
    guid?: { value?: string };
    pubDate?: string;
    authors?: Array<{ name?: string; email?: string }>;
  };
  const body = item.content?.encoded ?? item.description;
  return {
    guid: rss.guid?.value,
    link: item.link,
    title:
      item.title === undefined ? undefined : { value: item.title, html: /[<&]/.test(item.title) },
    body: body === undefined ? undefined : { value: body, html: true },
    date: rss.pubDate ?? item.dc?.dates?.[0] ?? item.dcterms?.modified?.[0],
    authors: [
      ...(rss.authors ?? []).map((a) => a.name ?? a.email ?? ""),
      ...(item.dc?.creators ?? []),
    ],
  };
}

function fromAtom(entry: AtomEntry): Entry {
  const link =
    entry.links?.find((l) => (l.rel ?? "alternate") === "alternate")?.href ??
    entry.links?.[0]?.href;
  const text = (t: { value?: string; type?: string } | undefined) =>
    t?.value === undefined
      ? undefined
      : { value: t.value, html: t.type === "html" || t.type === "xhtml" };
  return {
    guid: entry.id,
    link,
    title: text(entry.title),
    body: text(entry.content) ?? text(entry.summary),
    date: entry.published ?? entry.updated,
    authors: (entry.authors ?? []).map((a) => a.name ?? ""),
  };
}

/** The item as a draft, or why it cannot be one. */
function readEntry(entry: Entry): FeedItemDraft | string {
  const plain = (t: { value: string; html: boolean } | undefined) =>
    t === undefined ? "" : t.html ? toText(t.value) : t.value;
  const title = squashWhitespace(plain(entry.title));
  if (!title) return "it has no title";
  const text = plain(entry.body)
    .replace(/\r\n?/g, "\n")
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  if (!text) return "it has no text";
  const date = entry.date ? new Date(entry.date) : null;
  const authors = [...new Set(entry.authors.map((a) => a.trim()).filter(Boolean))];
  return {
    guid: entry.guid?.trim() || null,
    link: normaliseLink(entry.link),
    title,
    text,
    published: date && !Number.isNaN(date.getTime()) ? date : null,
    author: authors.length ? authors.join(", ") : null,
  };
}

/** An absolute http(s) link without its fragment, or null. */
function normaliseLink(link: string | undefined): string | null {
  if (!link) return null;
  try {
    const url = new URL(link.trim());
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    url.hash = "";
    return url.href;
  } catch {
    return null;
  }
}
