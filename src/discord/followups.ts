import {
  REST,
  Routes,
  type APIMessage,
  type Client,
  type CommandInteraction,
  type MessageComponentInteraction,
  type ModalSubmitInteraction,
  type RawFile,
} from "discord.js";
import type {
  RESTPatchAPIWebhookWithTokenMessageJSONBody,
  RESTPostAPIWebhookWithTokenJSONBody,
} from "discord-api-types/v10";
import type { Logger } from "pino";
import { withRetries } from "../retry.js";
import type { MessagePayload } from "./payload.js";

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

  /** Replaces the original response with `payload`: what it does not set is cleared. */
  async edit(
    interaction: RepliableInteraction,
    payload: MessagePayload,
    arrivedAt: number,
  ): Promise<APIMessage> {
    const { body, files } = webhookMessage(payload, true);
    const route = Routes.webhookMessage(interaction.applicationId, interaction.token, "@original");
    return this.send(interaction, arrivedAt, "edit", () =>
      this.rest.patch(route, { body, files, auth: false }),
    ) as Promise<APIMessage>;
  }

  async followUp(
    interaction: RepliableInteraction,
    payload: MessagePayload,
    arrivedAt: number,
  ): Promise<APIMessage> {
    const { body, files } = webhookMessage(payload, false);
    const route = Routes.webhook(interaction.applicationId, interaction.token);
    return this.send(interaction, arrivedAt, "follow-up", () =>
      this.rest.post(route, {
        body,
        files,
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

/**
 * A reply builder's payload is already the API's JSON: it is sent as it is, not converted to
 * discord.js options and back. An edit clears what the payload leaves out (the deferral's
 * "thinking…" state, the buttons of an earlier page); a follow-up keeps the payload's flags.
 */
export function webhookMessage(
  payload: MessagePayload,
  edit: boolean,
): {
  body: RESTPatchAPIWebhookWithTokenMessageJSONBody | RESTPostAPIWebhookWithTokenJSONBody;
  files: RawFile[] | undefined;
} {
  const files = payload.files?.map((file) => ({
    name: file.name,
    data: Buffer.from(file.data, "utf8"),
  }));
  const body: RESTPatchAPIWebhookWithTokenMessageJSONBody = {
    content: payload.content ?? (edit ? null : undefined),
    embeds: payload.embeds ?? [],
    components: payload.components ?? [],
    allowed_mentions: { parse: [] },
    flags: edit ? undefined : payload.flags,
    attachments: files?.map((file, index) => ({ id: String(index), filename: file.name })),
  };
  return { body, files: files?.length ? files : undefined };
}
