import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { DocumentKind, DocumentMeta } from "../corpus/schema.js";

/** One feed to follow: where it is, and the publication its documents are credited to. */
export const FeedSource = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: "must be an http or https URL" }),
  /** The documents' `source`, as `/search source:` offers it. */
  source: DocumentMeta.shape.source,
  /** The documents' kind. */
  kind: DocumentKind.default("blog-post"),
  /** Credited when an item names no author. */
  author: DocumentMeta.shape.author,
});
export type FeedSource = z.infer<typeof FeedSource>;

export const FeedList = z
  .array(FeedSource)
  .max(200)
  .superRefine((feeds, ctx) => {
    const seen = new Set<string>();
    feeds.forEach((feed, i) => {
      if (seen.has(feed.url))
        ctx.addIssue({ code: "custom", path: [i, "url"], message: "is listed twice" });
      seen.add(feed.url);
    });
  });

export const FEEDS_FILE = "feeds.json";

/**
 * The feeds to follow: the `FEEDS` variable (JSON) when set, else `feeds.json` in the data
 * folder, else none. Throws an Error whose message names the variable or file and the field.
 */
export function readFeedList(feedsVariable: string | undefined, dataDir: string): FeedSource[] {
  let origin: string;
  let text: string;
  if (feedsVariable !== undefined) {
    origin = "FEEDS";
    text = feedsVariable;
  } else {
    const file = path.join(dataDir, FEEDS_FILE);
    if (!fs.existsSync(file)) return [];
    origin = file;
    text = fs.readFileSync(file, "utf8");
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${origin} is not valid JSON (${(error as Error).message})`);
  }
  const parsed = FeedList.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length
      ? issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")
      : "";
    throw new Error(`${origin}${where} ${issue.message}`);
  }
  return parsed.data;
}
