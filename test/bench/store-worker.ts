/**
 * One bot process's share of the store benchmark, against the Postgres in STORE_URL. It waits
 * for "go" from its parent, runs one phase, and sends back what it did.
 *
 * - `bookmarks`: saves `count` bookmarks for the benchmark's members, each message its own, as
 *   the bot does (rows, one statement per change).
 * - `naive`: the same through one value per member, read, changed and written back with no lock:
 *   what the rows replace.
 * - `claims`: claims every one of `count` recap weeks, racing the other processes, and finishes
 *   the ones it wins.
 */
import { pino } from "pino";
import { keyvBookmarks, type Bookmark } from "../../src/bookmarks/repository.js";
import { openStorage } from "../../src/store/storage.js";

const [phase, countText, processText] = process.argv.slice(2);
const count = Number(countText);
const me = Number(processText);
const GUILD = "100000000000000001";
const MEMBERS = 20;

const storage = await openStorage(
  { storePath: "", postgresUrl: process.env.STORE_URL, storeTimeoutMs: 10_000 },
  pino({ level: "silent" }),
);
const report = () => undefined;
await new Promise<void>((resolve) => process.once("message", () => resolve()));

const bookmark = (n: number): Bookmark => ({
  messageId: String(500_000_000_000_000_000n + BigInt(me * 1_000_000 + n)),
  channelId: "400000000000000001",
  guildId: GUILD,
  savedAt: new Date(Date.UTC(2026, 1, 3, 12, 0, 0, n)).toISOString(),
  kind: "answer",
  title: `Answer ${me}-${n}`,
});
const member = (n: number) => String(200_000_000_000_000_000n + BigInt(n % MEMBERS));

const started = performance.now();
let done = 0;
let won = 0;
if (phase === "bookmarks" || phase === "naive") {
  const repo =
    phase === "bookmarks"
      ? storage.repositories(report)!.bookmarks
      : keyvBookmarks(storage.kv, report);
  // A few members' events at a time, as a burst of reactions arrives.
  await Promise.all(
    Array.from({ length: 8 }, async (_, lane) => {
      for (let n = lane; n < count; n += 8) {
        if ((await repo.save(member(n), bookmark(n), 10_000)) === "saved") done++;
      }
    }),
  );
} else {
  const posts = storage.recapPosts;
  await Promise.all(
    Array.from({ length: 8 }, async (_, lane) => {
      for (let n = lane; n < count; n += 8) {
        const guild = String(100_000_000_000_000_000n + BigInt(n));
        const now = Date.now();
        const fence = await posts.claim(guild, "2026-W06", `process-${me}`, "1", now, 120_000);
        done++;
        if (fence === undefined) continue;
        won++;
        await posts.finish(guild, "2026-W06", fence, "posted", null, now);
      }
    }),
  );
}
const seconds = (performance.now() - started) / 1000;
await storage.close();
process.send!({ done, won, seconds });
