import {
  ApplicationCommandType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord-api-types/v10";
import type { AppContext } from "../src/app/context.js";
import { shardOfGuild } from "../src/discord/shard-of.js";
import type { Caller, CommandModule } from "../src/interactions/types.js";
import { aboutCard, type AboutFacts } from "../src/replies/about.js";
import { VERSION } from "../src/version.js";

export const definition = {
  name: "about",
  type: ApplicationCommandType.ChatInput,
  description: "Version, uptime, corpus and catalogue size, and the connection (only you see it)",
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

async function facts(caller: Caller, ctx: AppContext): Promise<AboutFacts> {
  const status = ctx.hooks.status();
  const newest = ctx.corpus.documents[0];
  const shipped = ctx.catalog.catalog;
  const mine = caller.guildId ? (await ctx.catalogs.for(caller.guildId)).catalog : shipped;
  const shardId = shardOfGuild(caller.guildId, Math.max(1, status.shardCount));
  return {
    version: VERSION,
    startedAt: new Date(ctx.now().getTime() - process.uptime() * 1000),
    documents: ctx.corpus.documents.length,
    passages: ctx.searchIndex.passageCount,
    newest,
    models: shipped.models.length,
    labs: shipped.labs.length,
    server: { models: mine.models.length, labs: mine.labs.length },
    storeKind: status.storeKind,
    shard:
      status.shardCount > 0
        ? {
            id: shardId,
            count: status.shardCount,
            state: status.shards.find((s) => s.id === shardId),
          }
        : undefined,
  };
}

export const about: CommandModule = {
  definition,
  examples: ["/about"],
  privateReplies: true,
  async execute(call, ctx) {
    return aboutCard(await facts(call, ctx));
  },
};
