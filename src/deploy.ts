import { REST } from "discord.js";
import { commandDefinitions } from "../commands/index.js";
import { ConfigError, loadConfig, requireToken } from "./config.js";
import { deployCommands } from "./discord/deploy.js";
import { createLogger } from "./logger.js";
import { openStorage } from "./store/storage.js";

/** `npm run deploy-commands`: registers the commands now, to DISCORD_GUILD_ID or globally. */
try {
  const config = loadConfig();
  const token = requireToken(config);
  if (!config.applicationId) {
    throw new ConfigError(
      "DISCORD_APPLICATION_ID is not set and cannot be read from the token: copy it from the General Information page of your application.",
    );
  }
  const rest = new REST(config.apiUrl ? { api: config.apiUrl } : {}).setToken(token);
  const storage = await openStorage(config, createLogger(config.logLevel));
  const definitions = commandDefinitions();
  try {
    await deployCommands(
      rest,
      { applicationId: config.applicationId, guildId: config.guildId },
      definitions,
      storage.kv,
    );
  } finally {
    await storage.close();
  }
  console.log(
    `Deployed ${definitions.length} command(s) ${config.guildId ? `to server ${config.guildId} (available now)` : "globally (may take up to an hour to appear)"}.`,
  );
} catch (error) {
  console.error(
    `Could not deploy commands: ${error instanceof ConfigError ? error.message : (error as Error).message}`,
  );
  process.exitCode = 1;
}
