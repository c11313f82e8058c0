import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseConfig, requireToken } from "../../src/config.js";
import { tempDir } from "../helpers.js";

const TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789ABCD";

describe("config", () => {
  it("GIVEN no DISCORD_TOKEN THEN starting the bot names the variable, says how to get one and that the CLI works without it", () => {
    const config = parseConfig({});
    expect(() => requireToken(config)).toThrowError(ConfigError);
    expect(() => requireToken(config)).toThrowError(/DISCORD_TOKEN.*developers.*npm run cli/s);
  });

  it("GIVEN a malformed token THEN the error names the variable but never prints the value", () => {
    const bad = "not a token at all but long enough to pass the length check ok ok ok";
    try {
      parseConfig({ DISCORD_TOKEN: bad });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/^DISCORD_TOKEN does not look like a bot token/);
      expect((error as Error).message).not.toContain(bad);
    }
  });

  it("GIVEN an unknown LOG_LEVEL THEN the error lists the accepted levels", () => {
    expect(() => parseConfig({ LOG_LEVEL: "loud" })).toThrowError(
      /LOG_LEVEL.*fatal, error, warn, info/,
    );
  });

  it("GIVEN LOG_LEVEL in capitals THEN it is accepted", () => {
    expect(parseConfig({ LOG_LEVEL: "INFO" }).logLevel).toBe("info");
    expect(parseConfig({ LOG_LEVEL: " Debug " }).logLevel).toBe("debug");
  });

  it("GIVEN several malformed variables THEN every one is reported at once, one line each, naming it and never its value", () => {
    const secret = "not-a-token-but-a-secret-1234567890-and-then-some-more-characters";
    try {
      parseConfig({
        BOOKMARK_LIMIT: "lots",
        DISCORD_TOKEN: secret,
        LOG_LEVEL: "loud",
        DISCORD_GUILD_ID: "my-server",
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const lines = (error as Error).message.split("\n");
      expect(lines.map((l) => l.split(" ")[0])).toEqual([
        "DISCORD_TOKEN",
        "DISCORD_GUILD_ID",
        "LOG_LEVEL",
        "BOOKMARK_LIMIT",
      ]);
      expect((error as ConfigError).problems).toEqual(lines);
      for (const value of [secret, "lots", "loud", "my-server"])
        expect((error as Error).message).not.toContain(value);
    }
  });

  it("GIVEN a malformed guild id THEN the error names DISCORD_GUILD_ID", () => {
    expect(() => parseConfig({ DISCORD_GUILD_ID: "my-server" })).toThrowError(
      /^DISCORD_GUILD_ID must be a Discord id/,
    );
  });

  it("GIVEN a valid environment THEN the config is frozen and the application id is read from the token", () => {
    const config = parseConfig({ DISCORD_TOKEN: TOKEN, LOG_LEVEL: "debug", DISCORD_GUILD_ID: "" });
    expect(Object.isFrozen(config)).toBe(true);
    expect(config.applicationId).toBe("1234567890123456789");
    expect(config.logLevel).toBe("debug");
    expect(config.guildId).toBeUndefined();
    expect(config.storePath.endsWith("modeldex.sqlite")).toBe(true);
  });

  it("GIVEN a .env file THEN its values apply, with quotes and comments read as dotenv does, and real environment variables win", async () => {
    const file = path.join(await tempDir(), ".env");
    await fs.writeFile(
      file,
      [
        "# modeldex",
        `DISCORD_TOKEN="${TOKEN}"`,
        "export LOG_LEVEL=warn # quieter",
        "BOOKMARK_LIMIT=7",
        "HTTP_PORT=9464",
        "DISCORD_GUILD_ID=",
      ].join("\n"),
    );
    const env: NodeJS.ProcessEnv = { BOOKMARK_LIMIT: "9" };
    const config = loadConfig(env, file);
    expect(config.discordToken).toBe(TOKEN);
    expect(config.logLevel).toBe("warn");
    expect(config.bookmarkLimit).toBe(9);
    expect(config.httpPort).toBe(9464);
    expect(config.httpHost).toBe("127.0.0.1");
    expect(config.guildId).toBeUndefined();
  });

  it("GIVEN no HTTP_PORT THEN no health server; a malformed one names the variable", () => {
    expect(parseConfig({}).httpPort).toBeUndefined();
    expect(parseConfig({ HTTP_PORT: "0", HTTP_HOST: "0.0.0.0" })).toMatchObject({
      httpPort: 0,
      httpHost: "0.0.0.0",
    });
    expect(() => parseConfig({ HTTP_PORT: "metrics" })).toThrowError(
      /^HTTP_PORT .*: a port number from 0 to 65535/,
    );
    expect(() => parseConfig({ HTTP_PORT: "70000" })).toThrowError(/^HTTP_PORT /);
  });

  it("GIVEN FEEDS THEN the feeds are read from it, each with its source and a kind", () => {
    const config = parseConfig({
      FEEDS:
        '[{"url":"https://labnotes.example.com/feed","source":"Lab Notes","kind":"newsletter"},{"url":"https://briefing.example.com/atom.xml","source":"AI briefing"}]',
    });
    expect(config.feeds).toEqual([
      { url: "https://labnotes.example.com/feed", source: "Lab Notes", kind: "newsletter" },
      { url: "https://briefing.example.com/atom.xml", source: "AI briefing", kind: "blog-post" },
    ]);
    expect(config.feedPoll).toBe("0 * * * *");
  });

  it("GIVEN no FEEDS THEN feeds.json in the data folder is read, and no file means no feeds", async () => {
    const dataDir = await tempDir();
    expect(parseConfig({ DATA_DIR: dataDir }).feeds).toEqual([]);
    await fs.writeFile(
      path.join(dataDir, "feeds.json"),
      '[{"url":"https://labnotes.example.com/feed","source":"Lab Notes"}]',
    );
    expect(parseConfig({ DATA_DIR: dataDir }).feeds.map((f) => f.source)).toEqual(["Lab Notes"]);
    // FEEDS wins over the file.
    expect(parseConfig({ DATA_DIR: dataDir, FEEDS: "[]" }).feeds).toEqual([]);
  });

  it.each([
    ["not json", /^FEEDS is not valid JSON/],
    ['{"url":"https://a.example/feed"}', /^FEEDS Invalid input: expected array/],
    [
      '[{"url":"ftp://a.example/feed","source":"A"}]',
      /^FEEDS\[0\]\.url must be an http or https URL/,
    ],
    ['[{"url":"https://a.example/feed"}]', /^FEEDS\[0\]\.source /],
    [
      '[{"url":"https://a.example/feed","source":"A"},{"url":"https://a.example/feed","source":"B"}]',
      /^FEEDS\[1\]\.url is listed twice/,
    ],
  ])("GIVEN FEEDS=%s THEN the error names the variable and the field", (value, message) => {
    expect(() => parseConfig({ FEEDS: value })).toThrowError(ConfigError);
    expect(() => parseConfig({ FEEDS: value })).toThrowError(message);
  });

  it("GIVEN a malformed feeds.json THEN the error names the file", async () => {
    const dataDir = await tempDir();
    await fs.writeFile(
      path.join(dataDir, "feeds.json"),
      '[{"url":"https://a.example/feed","source":""}]',
    );
    expect(() => parseConfig({ DATA_DIR: dataDir })).toThrowError(/feeds\.json\[0\]\.source/);
  });

  it("GIVEN a FEED_POLL that is not a cron expression THEN the error names it and shows an example", () => {
    expect(() => parseConfig({ FEED_POLL: "hourly" })).toThrowError(
      /^FEED_POLL is not a cron expression: a cron expression such as "0 \* \* \* \*"/,
    );
    expect(parseConfig({ FEED_POLL: "*/30 * * * *" }).feedPoll).toBe("*/30 * * * *");
  });

  it("GIVEN STORE_URL THEN sqlite:// names the file and postgres:// the shared database; anything else names the variable, never the value", () => {
    const sqlite = parseConfig({ STORE_URL: "sqlite://./elsewhere/store.sqlite" });
    expect(sqlite.storePath).toBe(path.resolve("elsewhere/store.sqlite"));
    expect(sqlite.postgresUrl).toBeUndefined();
    expect(sqlite.storeTimeoutMs).toBe(2_000);
    const url = "postgres://modeldex:secret@db.internal:5432/modeldex";
    const shared = parseConfig({ STORE_URL: url, STORE_TIMEOUT_MS: "1500" });
    expect(shared.postgresUrl).toBe(url);
    expect(shared.storeTimeoutMs).toBe(1_500);
    expect(parseConfig({ STORE_URL: "postgresql://h/db" }).postgresUrl).toBe("postgresql://h/db");
    const wrong = "mysql://user:hunter2@host/db";
    expect(() => parseConfig({ STORE_URL: wrong })).toThrowError(
      /^STORE_URL must start with sqlite:\/\/ or postgres:\/\//,
    );
    expect(() => parseConfig({ STORE_URL: wrong })).not.toThrowError(/hunter2/);
    expect(() => parseConfig({ STORE_TIMEOUT_MS: "10" })).toThrowError(/^STORE_TIMEOUT_MS/);
  });

  it("GIVEN SHARD_COUNT and SHARD_IDS THEN this process runs those shards of that many; unset, one shard; mistakes name the variable", () => {
    expect(parseConfig({}).shards).toEqual({ count: 1, ids: undefined, workers: false });
    expect(parseConfig({ SHARD_COUNT: "4", SHARD_IDS: "2, 3,2" }).shards).toEqual({
      count: 4,
      ids: [2, 3],
      workers: false,
    });
    expect(parseConfig({ SHARD_COUNT: "AUTO", SHARD_WORKERS: "1" }).shards).toEqual({
      count: "auto",
      ids: undefined,
      workers: true,
    });
    expect(() => parseConfig({ SHARD_COUNT: "4", SHARD_IDS: "1,4" })).toThrowError(
      /^SHARD_IDS names shard 4, but SHARD_COUNT is 4: shards are numbered from 0 to 3\.$/,
    );
    expect(() => parseConfig({ SHARD_IDS: "0" })).toThrowError(
      /^SHARD_IDS is set without SHARD_COUNT/,
    );
    expect(() => parseConfig({ SHARD_COUNT: "0" })).toThrowError(/^SHARD_COUNT is out of range/);
    expect(() => parseConfig({ SHARD_COUNT: "many" })).toThrowError(/^SHARD_COUNT is neither/);
    expect(() => parseConfig({ SHARD_COUNT: "2", SHARD_IDS: "0;1" })).toThrowError(
      /^SHARD_IDS is not a comma-separated list/,
    );
  });
});
