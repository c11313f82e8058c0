import fs from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import { catalogNames } from "../candidates/detect.js";
import { loadCatalog } from "../catalog/load.js";
import type { Config } from "../config.js";
import { feedDocumentsDir } from "../feeds/ingest.js";
import { FeedPoller, type FeedPollReport } from "../feeds/poller.js";
import { describeFeeds, feedStatuses } from "../feeds/status.js";
import { openStorage, type FeedStores } from "../store/storage.js";
import { UsageError } from "./parse.js";

export interface FeedsIo {
  readonly stdout: (text: string) => void;
  readonly json: boolean;
}

/** `feeds` (list), `feeds poll` and `feeds enable <url>`, against the store the bot uses. */
export async function feedsCommand(
  args: readonly string[],
  config: Config,
  logger: Logger,
  io: FeedsIo,
): Promise<number> {
  const [sub = "list", ...rest] = args;
  if (!["list", "poll", "enable"].includes(sub) || rest.length !== (sub === "enable" ? 1 : 0))
    throw new UsageError(`feeds: cannot read "${args.join(" ")}"`);
  if (sub === "list" && !config.postgresUrl && !fs.existsSync(config.storePath)) {
    print(io, feedStatuses(config.feeds, []), describeFeeds(feedStatuses(config.feeds, [])));
    return 0;
  }
  const storage = await openStorage(config, logger);
  try {
    const stores = await storage.openFeeds();
    const repository = stores.items;
    if (sub === "enable") {
      const url = rest[0]!;
      const enabled = await repository.enableFeed(url);
      const text = enabled
        ? `${url} is enabled again; the bot polls it at its next poll.`
        : `No feed ${url} has been polled; \`npm run cli -- feeds\` lists them.`;
      print(io, { url, enabled }, text);
      return 0;
    }
    if (sub === "poll") {
      const reports = await poll(config, stores, logger);
      print(io, reports, reports.map(describeReport).join("\n") || describeFeeds([]));
      return 0;
    }
    const statuses = feedStatuses(config.feeds, await repository.listFeeds());
    print(io, statuses, describeFeeds(statuses));
    return 0;
  } finally {
    await storage.close();
  }
}

async function poll(config: Config, stores: FeedStores, logger: Logger): Promise<FeedPollReport[]> {
  const catalog = await loadCatalog(path.join(config.dataDir, "catalog"));
  const poller = new FeedPoller({
    feeds: config.feeds,
    repository: stores.items,
    candidates: stores.candidates,
    knownNames: () => catalogNames(catalog),
    documentsDir: feedDocumentsDir(config.stateDir),
    now: () => new Date(),
    logger,
  });
  return poller.pollAll();
}

function describeReport(report: FeedPollReport): string {
  switch (report.outcome) {
    case "fetched":
      return `${report.url}: ${report.added.length} added, ${report.changed.length} changed, ${report.skipped.length} skipped`;
    case "not-modified":
      return `${report.url}: unchanged`;
    case "busy":
      return `${report.url}: not polled (not due yet, disabled, or being polled by the bot); see \`npm run cli -- feeds\``;
    default:
      return `${report.url}: ${report.disabled ? `disabled: ${report.disabled}` : `failed: ${report.reason}`}`;
  }
}

function print(io: FeedsIo, value: unknown, text: string): void {
  io.stdout(io.json ? JSON.stringify(value, null, 2) : text);
}
