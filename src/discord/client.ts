import { Client, GatewayIntentBits, Partials, type ClientOptions } from "discord.js";
import type { Config } from "../config.js";

/**
 * Only the intents the features need, none privileged: Guilds (servers, channels, roles),
 * GuildMessageReactions (bookmarks), GuildMessages (to learn that a bookmarked message was
 * deleted; without Message Content it carries no text). Partials let reactions on messages the
 * bot never cached (older ones, or from before a restart) still arrive.
 */
export function createClient(config: Pick<Config, "apiUrl">): Client {
  const options: ClientOptions = {
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessageReactions,
      GatewayIntentBits.GuildMessages,
    ],
    partials: [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User],
    allowedMentions: { parse: [] },
    // A timed-out POST that discord.js retries must not post twice.
    enforceNonce: true,
  };
  if (config.apiUrl) {
    options.rest = { api: config.apiUrl, timeout: 5_000, retries: 2 };
    options.waitGuildTimeout = 1_000;
  }
  return new Client(options);
}
