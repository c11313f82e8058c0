import fs from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";
import cron from "node-cron";
import { z } from "zod";
import { readFeedList, type FeedSource } from "./feeds/config.js";
import { DEFAULT_STORE_TIMEOUT_MS } from "./store/deadline.js";

const LogLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);
const Snowflake = z.string().regex(/^\d{17,20}$/, "must be a Discord id (17-20 digits)");

/** What each variable is for, and how to fix it: shown when it is missing or malformed. */
const HELP: Record<string, string> = {
  DISCORD_TOKEN:
    "create an application at https://discord.com/developers/applications, open Bot, press Reset Token and put it in .env as DISCORD_TOKEN=... (`npm run cli` works without it)",
  DISCORD_APPLICATION_ID:
    "copy the Application ID from the General Information page of your application",
  DISCORD_GUILD_ID:
    "right-click your server with Developer Mode on and Copy Server ID, or leave it unset to deploy globally",
  DISCORD_API_URL:
    "for testing only: the base URL of a Discord-compatible API such as http://127.0.0.1:8080/api; leave unset",
  LOG_LEVEL: "one of fatal, error, warn, info, debug, trace, silent",
  STATE_DIR: "a writable folder for the bot's state (default .state)",
  STORE_URL:
    "sqlite://path/to/file.sqlite (default sqlite://<STATE_DIR>/modeldex.sqlite), or postgres://user:password@host:5432/database for a store shared by several processes",
  STORE_TIMEOUT_MS:
    "a whole number of milliseconds from 100 to 60000: how long one store call may take (default 2000)",
  SHARD_COUNT:
    "a whole number from 1 to 10000, the gateway shards across every process of the bot, or auto to ask Discord (default 1)",
  SHARD_IDS:
    "the shards this process runs, comma-separated, each below SHARD_COUNT, e.g. 0,1 (default: all of them)",
  SHARD_WORKERS: "1 to run each gateway shard in a worker thread, 0 for none (default 0)",
  DATA_DIR: "the folder holding corpus/ and catalog/ (default data)",
  BOOKMARK_LIMIT:
    "a whole number from 1 to 10000: the most bookmarks a member keeps per server (default 500)",
  HTTP_PORT:
    "a port number from 0 to 65535 for /healthz, /readyz and /metrics (0 picks a free one); leave unset to serve none",
  HTTP_HOST: "the address the health and metrics server listens on (default 127.0.0.1)",
  FEEDS:
    'a JSON array of feeds, each like {"url":"https://example.com/feed","source":"Example"}, or leave it unset to read feeds.json in DATA_DIR',
  FEED_POLL: 'a cron expression such as "0 * * * *" (hourly, the default) or "*/30 * * * *"',
  PLAYGROUND_PORT:
    "a port number from 0 to 65535 for the playground's page on 127.0.0.1 (default 3210; 0 picks a free one)",
  QUEUE_LIMIT:
    "a whole number from 0 to 100000: how many deferred answers may wait their turn before members are asked to try again (default 1000)",
};

const EnvSchema = z.object({
  DISCORD_TOKEN: z
    .string()
    .trim()
    .min(50, "is too short to be a bot token")
    .regex(/^[\w-]+\.[\w-]+\.[\w-]+$/, "does not look like a bot token")
    .optional(),
  DISCORD_APPLICATION_ID: Snowflake.optional(),
  DISCORD_GUILD_ID: Snowflake.optional(),
  DISCORD_API_URL: z.url({ protocol: /^https?$/ }).optional(),
  // "INFO" is as good as "info".
  LOG_LEVEL: z.string().trim().toLowerCase().pipe(LogLevel).default("info"),
  STATE_DIR: z.string().min(1).default(".state"),
  STORE_URL: z
    .string()
    .trim()
    .regex(/^(?:sqlite:\/\/.+|postgres(?:ql)?:\/\/.+)/, "must start with sqlite:// or postgres://")
    .optional(),
  STORE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(DEFAULT_STORE_TIMEOUT_MS),
  SHARD_COUNT: z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => v === "auto" || /^\d+$/.test(v), "is neither a number nor auto")
    .transform((v) => (v === "auto" ? ("auto" as const) : Number(v)))
    .refine((v) => v === "auto" || (v >= 1 && v <= 10_000), "is out of range")
    .optional(),
  SHARD_IDS: z
    .string()
    .trim()
    .refine((v) => /^\d+(?:\s*,\s*\d+)*$/.test(v), "is not a comma-separated list of shard numbers")
    .transform((v) =>
      [...new Set(v.split(",").map((id) => Number(id.trim())))].sort((a, b) => a - b),
    )
    .optional(),
  SHARD_WORKERS: z.enum(["0", "1", "true", "false"]).optional(),
  DATA_DIR: z.string().min(1).default("data"),
  BOOKMARK_LIMIT: z.coerce.number().int().min(1).max(10_000).default(500),
  HTTP_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  HTTP_HOST: z.string().min(1).default("127.0.0.1"),
  FEEDS: z.string().optional(),
  FEED_POLL: z
    .string()
    .trim()
    .refine((expression) => cron.validate(expression), "is not a cron expression")
    .default("0 * * * *"),
  PLAYGROUND_PORT: z.coerce.number().int().min(0).max(65_535).default(3210),
  QUEUE_LIMIT: z.coerce.number().int().min(0).max(100_000).default(1_000),
});

export type Config = Readonly<{
  discordToken: string | undefined;
  applicationId: string | undefined;
  guildId: string | undefined;
  apiUrl: string | undefined;
  logLevel: z.infer<typeof LogLevel>;
  stateDir: string;
  /** The SQLite file, when the store is SQLite (the default). */
  storePath: string;
  /** The Postgres database every process of the bot shares, when STORE_URL names one. */
  postgresUrl: string | undefined;
  /** The most any one store call may take. */
  storeTimeoutMs: number;
  /** The gateway shards: how many across all processes, and which this process runs. */
  shards: ShardPlan;
  dataDir: string;
  bookmarkLimit: number;
  /** Health and metrics over HTTP; off when undefined. */
  httpPort: number | undefined;
  httpHost: string;
  /** The feeds to poll (from FEEDS, or feeds.json in the data folder). */
  feeds: readonly FeedSource[];
  /** When to poll them: a cron expression. */
  feedPoll: string;
  playgroundPort: number;
  queueLimit: number;
}>;

export interface ShardPlan {
  /** Shards across every process of the bot; "auto" asks Discord at login. */
  readonly count: number | "auto";
  /** The shards this process runs; undefined runs all of them. */
  readonly ids: readonly number[] | undefined;
  /** Each shard in a worker thread. */
  readonly workers: boolean;
}

/** One line per problem, each naming its variable (never its value). */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly problems: readonly string[];
  constructor(problems: string | readonly string[]) {
    const lines = typeof problems === "string" ? [problems] : problems;
    super(lines.join("\n"));
    this.problems = lines;
  }
}

/** Parses the environment once; empty strings count as unset so a blank line in .env is harmless. */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const cleaned = Object.fromEntries(
    Object.keys(EnvSchema.shape).flatMap((key) => {
      const value = env[key];
      return value === undefined || value.trim() === "" ? [] : [[key, value]];
    }),
  );
  const result = EnvSchema.safeParse(cleaned);
  if (!result.success) {
    // Every bad variable at once, one line each, in the order .env.example lists them. The line
    // names the variable, never its value: a token must not reach a log.
    const lines = new Map<string, string>();
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? "environment");
      if (!lines.has(name))
        lines.set(name, `${name} ${issue.message}: ${HELP[name] ?? "see .env.example"}.`);
    }
    const order = Object.keys(EnvSchema.shape) as string[];
    throw new ConfigError(
      [...lines].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)).map(([, line]) => line),
    );
  }
  const e = result.data;
  const count = e.SHARD_COUNT ?? 1;
  if (e.SHARD_IDS && e.SHARD_COUNT === undefined)
    throw new ConfigError(
      `SHARD_IDS is set without SHARD_COUNT: set SHARD_COUNT to the shards across every process (or auto).`,
    );
  const outside = e.SHARD_IDS?.filter((id) => typeof count === "number" && id >= count) ?? [];
  if (outside.length)
    throw new ConfigError(
      `SHARD_IDS names shard ${outside.join(", ")}, but SHARD_COUNT is ${count}: shards are numbered from 0 to ${Number(count) - 1}.`,
    );
  const postgres = e.STORE_URL && /^postgres(?:ql)?:\/\//.test(e.STORE_URL);
  const stateDir = path.resolve(e.STATE_DIR);
  const dataDir = path.resolve(e.DATA_DIR);
  let feeds: FeedSource[];
  try {
    feeds = readFeedList(e.FEEDS, dataDir);
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}: ${HELP.FEEDS}.`);
  }
  return Object.freeze({
    discordToken: e.DISCORD_TOKEN,
    applicationId: e.DISCORD_APPLICATION_ID ?? applicationIdFromToken(e.DISCORD_TOKEN),
    guildId: e.DISCORD_GUILD_ID,
    apiUrl: e.DISCORD_API_URL?.replace(/\/+$/, ""),
    logLevel: e.LOG_LEVEL,
    stateDir,
    storePath:
      e.STORE_URL && !postgres
        ? path.resolve(e.STORE_URL.slice("sqlite://".length))
        : path.join(stateDir, "modeldex.sqlite"),
    postgresUrl: postgres ? e.STORE_URL : undefined,
    storeTimeoutMs: e.STORE_TIMEOUT_MS,
    shards: Object.freeze({
      count,
      ids: e.SHARD_IDS && Object.freeze(e.SHARD_IDS),
      workers: e.SHARD_WORKERS === "1" || e.SHARD_WORKERS === "true",
    }),
    dataDir,
    bookmarkLimit: e.BOOKMARK_LIMIT,
    httpPort: e.HTTP_PORT,
    httpHost: e.HTTP_HOST,
    feeds: Object.freeze(feeds),
    feedPoll: e.FEED_POLL,
    playgroundPort: e.PLAYGROUND_PORT,
    queueLimit: e.QUEUE_LIMIT,
  });
}

/** A bot token's first segment is its application's id in base64. */
function applicationIdFromToken(token: string | undefined): string | undefined {
  const head = token?.split(".")[0];
  if (!head) return undefined;
  const decoded = Buffer.from(head, "base64").toString("utf8");
  return /^\d{17,20}$/.test(decoded) ? decoded : undefined;
}

/** Reads `.env` when present (real environment variables win), then parses. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, envFile = ".env"): Config {
  if (fs.existsSync(envFile)) {
    for (const [key, value] of Object.entries(parseEnv(fs.readFileSync(envFile, "utf8")))) {
      if (env[key] === undefined && value !== undefined) env[key] = value;
    }
  }
  return parseConfig(env);
}

export function requireToken(config: Config): string {
  if (!config.discordToken) {
    throw new ConfigError(`DISCORD_TOKEN is not set: ${HELP.DISCORD_TOKEN}.`);
  }
  return config.discordToken;
}
