import { randomUUID } from "node:crypto";
import {
  Routes,
  type APIChannel,
  type APIMessage,
  type RESTPostAPIChannelMessageJSONBody,
} from "discord-api-types/v10";
import type { Client } from "discord.js";
import type { Logger } from "pino";
import type { AppContext } from "../app/context.js";
import { recapFor } from "../recap/assemble.js";
import type { RecapPosterDeps } from "../recap/poster.js";
import type { RecapPostRepository } from "../recap/posts.js";
import { getRecapSettings, saveRecapSettings } from "../recap/settings.js";
import { recapPageOf, recapPages, recapSelect, recapTitle } from "../replies/recap.js";
import { makeBookmarkable } from "./bookmarks.js";

/** How far `findPage` reads a channel after the anchor: 5 requests of 100 messages. */
const FIND_BATCHES = 5;

/**
 * The recap poster's Discord side: build a server's pages, post them with a nonce Discord
 * enforces, make them bookmarkable, and pause a server's recap (telling the moderator who set it
 * up) when Discord says the bot cannot post there.
 */
export function recapPosterFor(
  client: Client,
  context: () => AppContext,
  posts: RecapPostRepository,
  logger: Logger,
): RecapPosterDeps {
  const titles = new Map<string, string>();
  return {
    posts,
    owner: randomUUID(),
    now: () => context().now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),

    async pages(guildId, week, settings) {
      const ctx = context();
      const recap = await recapFor(ctx, guildId, week, settings.schedule.timeZone);
      titles.set(guildId, recapTitle(recap));
      const pages = recapPages(recap, { quietMode: settings.quietMode });
      const select = recapSelect(recap);
      if (pages[0] && select.length) pages[0] = { ...pages[0], components: select };
      return pages;
    },

    async send(channelId, payload, nonce) {
      const body: RESTPostAPIChannelMessageJSONBody = {
        content: payload.content,
        embeds: payload.embeds,
        components: payload.components,
        allowed_mentions: { parse: [] },
        nonce,
        enforce_nonce: true,
      };
      const message = (await client.rest.post(Routes.channelMessages(channelId), {
        body,
      })) as { id: string; guild_id?: string };
      bookmarkPage(channelId, message.id, payload);
      return message;
    },

    async newestMessageId(channelId) {
      const channel = (await client.rest.get(Routes.channel(channelId))) as APIChannel & {
        last_message_id?: string | null;
      };
      return channel.last_message_id ?? "0";
    },

    async findPage(channelId, afterId, week, page) {
      let after = afterId;
      for (let batch = 0; batch < FIND_BATCHES; batch++) {
        const messages = (await client.rest.get(Routes.channelMessages(channelId), {
          query: new URLSearchParams({ after, limit: "100" }),
        })) as APIMessage[];
        const mine = messages.find((m) => {
          if (m.author.id !== client.user?.id || m.webhook_id || m.interaction_metadata)
            return false;
          const marker = recapPageOf(m);
          return marker?.week === week && marker.page === page;
        });
        if (mine) {
          // The run that posted it crashed before it could do this.
          bookmarkPage(channelId, mine.id, mine);
          return { id: mine.id };
        }
        if (messages.length < 100) return undefined;
        after = messages.reduce((max, m) => (BigInt(m.id) > BigInt(max) ? m.id : max), after);
      }
      return undefined;
    },

    async pause(guildId, reason) {
      const ctx = context();
      const settings = await getRecapSettings(ctx.store, guildId, ctx.reportProblem);
      if (!settings) return;
      await saveRecapSettings(
        ctx.store,
        guildId,
        { ...settings, status: "paused", pausedReason: reason },
        ctx.reportProblem,
      );
      const user = await client.users.fetch(settings.updatedBy).catch(() => undefined);
      const server = client.guilds.cache.get(guildId)?.name ?? "your server";
      await user
        ?.send({
          content: `The weekly recap in **${server}** is paused: ${reason}. Give the bot access to <#${settings.channelId}> (or pick another channel), then run \`/recap-config set\` again.`,
          allowedMentions: { parse: [] },
        })
        .catch((error: unknown) =>
          logger.info(
            { err: error, guild: guildId },
            "could not tell the moderator about the pause",
          ),
        );
    },
  };

  function bookmarkPage(
    channelId: string,
    messageId: string,
    payload: { embeds?: Array<{ title?: string }> },
  ): void {
    void bookmarkable(channelId, messageId, payload).catch((error: unknown) =>
      logger.warn({ err: error, message: messageId }, "could not make the recap bookmarkable"),
    );
  }

  async function bookmarkable(
    channelId: string,
    messageId: string,
    payload: { embeds?: Array<{ title?: string }> },
  ) {
    const ctx = context();
    const channel = client.channels.cache.get(channelId);
    const guildId = channel && "guildId" in channel ? channel.guildId : undefined;
    if (!guildId) return;
    await makeBookmarkable(
      ctx,
      client,
      { id: messageId, channelId, guildId },
      { title: payload.embeds?.[0]?.title ?? titles.get(guildId) ?? "Weekly recap" },
    );
  }
}
