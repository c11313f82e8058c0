import {
  MessagePayload,
  REST,
  Routes,
  type APIMessage,
  type Client,
  type CommandInteraction,
  type InteractionEditReplyOptions,
  type InteractionReplyOptions,
  type MessageComponentInteraction,
  type ModalSubmitInteraction,
} from "discord.js";
import type { Logger } from "pino";
import { withRetries } from "../retry.js";

/** Discord accepts follow-ups with an interaction's token for this long after it was created. */
export const TOKEN_LIFETIME_MS = 15 * 60_000;
/** Waits between attempts; the last repeats until the token expires. */
export const FOLLOW_UP_RETRY_DELAYS_MS = [250, 1_000, 4_000, 15_000, 60_000];

export type RepliableInteraction =
  CommandInteraction | MessageComponentInteraction | ModalSubmitInteraction;

/**
 * Edits, follow-ups and deletions of interaction responses, sent with the interaction's token.
 * Discord does not count these against the bot's global rate limit, so they do not queue behind
 * its 50 requests a second (as discord.js's shared REST client would make them). A failure from a
 * broken connection, a timeout or a 5xx is retried with growing waits while the token is valid:
 * a deferred answer never stays "thinking…" for want of a retry. These requests are not retried
 * inside @discordjs/rest (`retries: 0`), so every retry waits its turn here.
 */
export class InteractionFollowUps {
  private readonly rest: REST;

  constructor(
    client: Client,
    private readonly logger: Logger,
    /** Aborted when the bot stops: what fails then is not retried. */
    private readonly stopping?: AbortSignal,
  ) {
    this.rest = new REST({
      ...client.options.rest,
      globalRequestsPerSecond: Number.POSITIVE_INFINITY,
      retries: 0,
    });
  }

  async edit(
    interaction: RepliableInteraction,
    options: InteractionEditReplyOptions,
    arrivedAt: number,
  ): Promise<APIMessage> {
    const { body, files } = await MessagePayload.create(interaction.webhook, options)
      .resolveBody()
      .resolveFiles();
    const route = Routes.webhookMessage(interaction.applicationId, interaction.token, "@original");
    return this.send(interaction, arrivedAt, "edit", () =>
      this.rest.patch(route, { body, files: files ?? undefined, auth: false }),
    ) as Promise<APIMessage>;
  }

  async followUp(
    interaction: RepliableInteraction,
    options: InteractionReplyOptions,
    arrivedAt: number,
  ): Promise<APIMessage> {
    const { body, files } = await MessagePayload.create(interaction.webhook, options)
      .resolveBody()
      .resolveFiles();
    const route = Routes.webhook(interaction.applicationId, interaction.token);
    return this.send(interaction, arrivedAt, "follow-up", () =>
      this.rest.post(route, {
        body,
        files: files ?? undefined,
        query: new URLSearchParams({ wait: "true" }),
        auth: false,
      }),
    ) as Promise<APIMessage>;
  }

  async delete(interaction: RepliableInteraction, arrivedAt: number): Promise<void> {
    const route = Routes.webhookMessage(interaction.applicationId, interaction.token, "@original");
    await this.send(interaction, arrivedAt, "delete", () =>
      this.rest.delete(route, { auth: false }),
    );
  }

  private send(
    interaction: RepliableInteraction,
    arrivedAt: number,
    what: string,
    request: () => Promise<unknown>,
  ): Promise<unknown> {
    return withRetries(request, {
      delaysMs: FOLLOW_UP_RETRY_DELAYS_MS,
      until: arrivedAt + TOKEN_LIFETIME_MS,
      signal: this.stopping,
      onRetry: (error, attempt, delayMs) =>
        this.logger.warn(
          { err: error, interaction: interaction.id, attempt, delayMs },
          `could not send the ${what}; retrying`,
        ),
    });
  }
}
