import { parseArgs } from "node:util";
import { commandsByName } from "../../commands/index.js";
import { corpusDir, createAppContext } from "../app/bootstrap.js";
import { ConfigError, loadConfig } from "../config.js";
import { CatalogError } from "../catalog/load.js";
import { CorpusError } from "../corpus/load.js";
import { ingestDocument } from "../corpus/ingest.js";
import { isUserError } from "../errors.js";
import { feedsCommand } from "./feeds.js";
import { answerSafely } from "../interactions/boundary.js";
import { createLogger } from "../logger.js";
import { memoryStore } from "../store/keyv.js";
import { UsageError, parseCommandLine, usage } from "./parse.js";
import { renderPayload } from "./render.js";

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

/** `--title X` and `--title=X`, before or after the file. */
const INGEST_OPTIONS = {
  title: { type: "string" },
  date: { type: "string" },
  source: { type: "string" },
  author: { type: "string" },
  url: { type: "string" },
  id: { type: "string" },
  kind: { type: "string" },
} as const;

/** Exit codes: 0 for any reply (even "nothing found"), 1 when the bot itself cannot start, 2 for a malformed call. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = new Set<string>(
    argv.filter((a) => a === "--json" || a === "--skip-invalid" || a === "--help" || a === "-h"),
  );
  const words = argv.filter((a) => !flags.has(a));
  if (flags.has("--help") || flags.has("-h") || words.length === 0) {
    (words.length === 0 && !flags.has("--help") && !flags.has("-h") ? io.stderr : io.stdout)(
      usage(commandsByName),
    );
    return words.length === 0 && !flags.has("--help") && !flags.has("-h") ? 2 : 0;
  }
  try {
    const config = loadConfig(io.env);
    const logger = createLogger(io.env.LOG_LEVEL ? config.logLevel : "warn", { fd: 2 });
    if (words[0] === "ingest") return await ingest(words.slice(1), corpusDir(config.dataDir), io);
    if (words[0] === "feeds")
      return await feedsCommand(words.slice(1), config, logger, {
        stdout: io.stdout,
        json: flags.has("--json"),
      });

    const { module, call } = parseCommandLine(words, commandsByName);
    const ctx = await createAppContext({
      dataDir: config.dataDir,
      stateDir: config.stateDir,
      store: memoryStore(),
      logger,
      skipInvalid: flags.has("--skip-invalid"),
    });
    try {
      const reply = await answerSafely(() => module.execute(call, ctx), logger, {
        command: call.command,
      });
      io.stdout(
        flags.has("--json") ? JSON.stringify(reply.payload, null, 2) : renderPayload(reply.payload),
      );
      return 0;
    } finally {
      await ctx.searchIndex.close();
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${error.message}\n${usage(commandsByName)}`);
      return 2;
    }
    if (
      error instanceof ConfigError ||
      error instanceof CorpusError ||
      error instanceof CatalogError
    ) {
      io.stderr(error.message);
      return 1;
    }
    throw error;
  }
}

async function ingest(args: readonly string[], dir: string, io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, options: INGEST_OPTIONS });
  } catch (error) {
    // parseArgs names the flag it could not read, e.g. "Unknown option '--titel'".
    throw new UsageError(`ingest: ${(error as Error).message.split(/\.\s/)[0]}`);
  }
  const { values: options, positionals } = parsed;
  const [file, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`ingest: one file at a time, not "${extra[0]}"`);
  if (!file || !options.title || !options.date)
    throw new UsageError("ingest needs <file>, --title and --date");
  try {
    const meta = await ingestDocument(dir, {
      ...options,
      file,
      title: options.title,
      date: options.date,
    });
    io.stdout(
      `Added "${meta.title}" as ${meta.id} (${meta.date}, ${meta.source}). The bot picks it up at its next start or on SIGHUP.`,
    );
    return 0;
  } catch (error) {
    if (isUserError(error)) {
      io.stderr(error.message);
      return 2;
    }
    throw error;
  }
}
