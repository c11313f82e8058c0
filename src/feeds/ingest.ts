import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { slugify, writeAtomically } from "../corpus/ingest.js";
import { documentDigest, readDocument } from "../corpus/load.js";
import { restoreParagraphs } from "../corpus/paragraphs.js";
import { DocumentMeta, textFileName } from "../corpus/schema.js";
import { truncate } from "../text/truncate.js";
import type { FeedSource } from "./config.js";
import type { FeedItemDraft, SkippedItem } from "./parse.js";
import type { FeedItemRecord, FeedRepository, StoredDocument } from "./repository.js";

/** Which documents a change to the corpus added, changed and removed, by id. */
export interface CorpusChange {
  readonly added: string[];
  readonly changed: string[];
  readonly removed: string[];
}

export interface IngestedDocument {
  readonly meta: DocumentMeta;
  readonly text: string;
}

export interface FeedIngestResult extends CorpusChange {
  /** What was written, newest version of each: for finding candidates in it. */
  readonly documents: IngestedDocument[];
  /** Items that could not become documents, with why. */
  readonly skipped: SkippedItem[];
  /** Items already stored as they are, or held by another item or process. */
  readonly unchanged: number;
}

export interface FeedIngestDeps {
  readonly repository: Pick<FeedRepository, "claimFeedItem" | "markFeedItemStored">;
  /** Where gathered documents live (in the state folder). */
  readonly documentsDir: string;
  /** This poller: claims are held in its name. */
  readonly owner: string;
  readonly now: Date;
}

/** A claim left by a process that died mid-write lapses after this long. */
export const ITEM_LEASE_MS = 2 * 60_000;
const DAY_MS = 24 * 60 * 60_000;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * Turns a feed's items into corpus documents in `documentsDir`. An item is known by its guid,
 * else its link, else its content: one seen before is left alone unless its content changed,
 * and then its document is rewritten under the same id. An item whose link or content another
 * item already holds (in this feed or another) is a duplicate. Each item is claimed in the shared store first, so of several
 * processes ingesting the same item only one writes it. Feed items are never removed: one that
 * drops out of its feed stays in the corpus.
 */
export async function ingestFeedItems(
  feed: FeedSource,
  items: readonly FeedItemDraft[],
  deps: FeedIngestDeps,
): Promise<FeedIngestResult> {
  const result = {
    added: [] as string[],
    changed: [] as string[],
    removed: [] as string[],
    documents: [] as IngestedDocument[],
    skipped: [] as SkippedItem[],
    unchanged: 0,
  };
  const now = deps.now.getTime();
  await fs.mkdir(deps.documentsDir, { recursive: true });
  for (const item of items) {
    const contentHash = sha256(`${item.title}\0${item.text}`).slice(0, 32);
    const identity = item.guid
      ? `guid:${feed.url}\n${item.guid}`
      : item.link
        ? `link:${item.link}`
        : `content:${contentHash}`;
    const key = sha256(identity).slice(0, 32);
    // Checked before claiming, so an item that cannot become a document is never held.
    const draft = documentMeta(feed, item, documentId(item.title, key), { now, firstSeen: now });
    if (typeof draft === "string") {
      result.skipped.push({ item: item.title, reason: draft });
      continue;
    }
    const claim = await deps.repository.claimFeedItem(
      { key, feedUrl: feed.url, link: item.link, contentHash, docId: draft.id },
      deps.owner,
      now,
      ITEM_LEASE_MS,
    );
    if (!claim.won) {
      result.unchanged++;
      continue;
    }
    // A known item keeps its document id, and its first sighting dates it when undated.
    const meta = documentMeta(feed, item, claim.docId, { now, firstSeen: claim.firstSeenAt });
    if (typeof meta === "string") {
      // Its claim lapses; another poll tries again.
      result.skipped.push({ item: item.title, reason: meta });
      continue;
    }
    // HTML keeps its paragraphs; a feed that sends plain text may have lost them.
    const text = restoreParagraphs(item.text);
    const files = documentFiles(meta, text);
    await writeDocumentFiles(deps.documentsDir, meta, files);
    await deps.repository.markFeedItemStored(claim.key, deps.owner, contentHash, now, files);
    if (claim.storedHash === contentHash) {
      // A claim that lapsed after its version was written: nothing new.
      result.unchanged++;
      continue;
    }
    (claim.storedHash === null ? result.added : result.changed).push(meta.id);
    result.documents.push({ meta, text });
  }
  return result;
}

/** A gathered document's two files, as written. */
function documentFiles(meta: DocumentMeta, text: string): StoredDocument {
  return { meta: JSON.stringify(meta, null, 2) + "\n", text: text + "\n" };
}

async function writeDocumentFiles(
  dir: string,
  meta: DocumentMeta,
  files: StoredDocument,
): Promise<void> {
  await writeAtomically(path.join(dir, textFileName(meta)), files.text);
  // The metadata last: a reader that finds it finds the text it describes.
  await writeAtomically(path.join(dir, `${meta.id}.json`), files.meta);
}

/**
 * Writes the stored documents this folder lacks, or holds in another version: a process whose
 * state folder is not the one the documents were gathered into (another machine) gets them
 * from the store. Returns the ids of the documents now in the folder as stored.
 */
export async function syncStoredDocuments(
  dir: string,
  items: readonly FeedItemRecord[],
  report: (docId: string, problem: string) => void,
): Promise<string[]> {
  const ids: string[] = [];
  await fs.mkdir(dir, { recursive: true });
  for (const item of items) {
    ids.push(item.docId);
    if (!item.document) continue;
    const parsed = DocumentMeta.safeParse(JSON.parse(item.document.meta));
    if (!parsed.success || parsed.data.id !== item.docId) {
      report(item.docId, "the store holds invalid metadata for it");
      continue;
    }
    const local = await readDocument(dir, `${item.docId}.json`);
    const stored = documentDigest(parsed.data, item.document.text);
    if ("digest" in local && local.digest === stored) continue;
    await writeDocumentFiles(dir, parsed.data, item.document);
  }
  return [...new Set(ids)];
}

/** A readable id that stays unique: the title's slug and a few characters of the item's key. */
function documentId(title: string, key: string): string {
  const slug = slugify(title).slice(0, 57).replace(/-+$/, "") || "feed-item";
  return `${slug}-${key.slice(0, 6)}`;
}

/** The document's metadata, validated as a shipped document's is, or why the item fails it. */
function documentMeta(
  feed: FeedSource,
  item: FeedItemDraft,
  id: string,
  at: { now: number; firstSeen: number },
): DocumentMeta | string {
  // A date more than a day ahead is a publisher's mistake: the item counts as undated.
  const published =
    item.published && item.published.getTime() <= at.now + DAY_MS ? item.published : null;
  const day = (published ?? new Date(at.firstSeen)).toISOString().slice(0, 10);
  const author = item.author ?? feed.author;
  const parsed = DocumentMeta.safeParse({
    id,
    title: truncate(item.title, 200),
    source: feed.source,
    ...(author ? { author: truncate(author, 100) } : {}),
    date: day,
    datePrecision: "day",
    dateBasis: published ? "stated" : "inferred",
    dateEvidence: published
      ? `The feed dates the item ${published.toISOString()}.`
      : `The feed gives no date; first seen in the feed on ${day}.`,
    kind: feed.kind,
    format: "text",
    ...(item.link?.startsWith("https://") ? { url: item.link } : {}),
  });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  return `field \`${issue.path.join(".") || "(root)"}\` ${issue.message}`;
}

/** The folder, inside the state folder, that holds documents gathered from feeds. */
export function feedDocumentsDir(stateDir: string): string {
  return path.join(stateDir, "feeds", "documents");
}
