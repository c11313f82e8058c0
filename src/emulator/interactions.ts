import { EventEmitter } from "node:events";
import type { InteractionType } from "discord-api-types/v10";
import {
  InteractionResponseType,
  MessageFlags,
  type APIApplicationCommandOptionChoice,
  type APIInteraction,
  type APIMessage,
  type APIModalInteractionResponseCallbackData,
} from "discord-api-types/v10";

/** Where an interaction stands with Discord. */
export type InteractionStatus = "pending" | "acknowledged" | "expired";

/** The emulator's record of one interaction it sent, and of every answer the bot gave it. */
export class InteractionRecord {
  readonly events = new EventEmitter();
  readonly createdAt = Date.now();
  status: InteractionStatus = "pending";
  readonly callbacks: InteractionResponseType[] = [];
  /** 5 or 6 while the answer is deferred. */
  deferredType: InteractionResponseType | null = null;
  /** The original response: a new message (4, 5) or the component's message (6, 7). */
  originalId: string | null = null;
  originalDeleted = false;
  /** Set when the first follow-up after a type-5 deferral became the original response. */
  originalFilledByFollowUp = false;
  readonly followUpIds: string[] = [];
  modal: APIModalInteractionResponseCallbackData | undefined;
  choices: APIApplicationCommandOptionChoice[] | undefined;
  /** Answered (4, 7, 8, 9), or deferred (5, 6) and then edited or followed up. */
  settled = false;
  lastChange = Date.now();
  timer: NodeJS.Timeout | null = null;
  /** Flagged by assertClean or the 3 s timer, so one interaction is reported once. */
  reportedUnanswered = false;

  constructor(
    readonly id: string,
    readonly token: string,
    readonly type: InteractionType,
    /** What the user did, for messages: `/model`, `button "x"`, `modal "y"`, `autocomplete /model`. */
    readonly label: string,
    readonly payload: APIInteraction,
    readonly channelId: string,
    readonly guildId: string | null,
    readonly userId: string,
    /** The message a component (or a modal opened from one) was on. */
    readonly sourceMessageId: string | null,
  ) {}

  touch(): void {
    this.lastChange = Date.now();
    this.events.emit("change");
  }

  describe(): string {
    return `interaction ${this.label} (${this.id})`;
  }
}

/** What the handle needs from the emulator. */
export interface HandleHost {
  messageView(id: string): APIMessage | undefined;
  defaultReplyTimeoutMs: number;
}

export interface ReplyOptions {
  /** How long to wait for the interaction to be settled (default 3.5 s, see `replyTimeoutMs`). */
  timeoutMs?: number;
  /** After settling, wait until the original response has not changed for this long (default 100 ms). */
  quietMs?: number;
}

export interface FollowUpOptions extends ReplyOptions {
  /** Wait until at least this many follow-ups exist. */
  count?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A test's view of one interaction it started. */
export class InteractionHandle {
  constructor(
    readonly record: InteractionRecord,
    private readonly host: HandleHost,
  ) {}

  get id(): string {
    return this.record.id;
  }

  get token(): string {
    return this.record.token;
  }

  /** The INTERACTION_CREATE payload as sent. */
  get payload(): APIInteraction {
    return this.record.payload;
  }

  /** Raw callback types received, in order (4, 5, 6, 7, 8, 9). */
  get callbacks(): InteractionResponseType[] {
    return [...this.record.callbacks];
  }

  get status(): InteractionStatus {
    return this.record.status;
  }

  /** The modal, if the bot answered with one (type 9). */
  get modal(): APIModalInteractionResponseCallbackData | undefined {
    return this.record.modal;
  }

  /** Autocomplete choices, if answered (type 8). */
  get choices(): APIApplicationCommandOptionChoice[] | undefined {
    return this.record.choices;
  }

  /** Whether the visible answer (the original response) is ephemeral. */
  get ephemeral(): boolean {
    const id = this.record.originalId;
    const message = id ? this.host.messageView(id) : undefined;
    return ((message?.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
  }

  /** The original response as it is now, without waiting. */
  get original(): APIMessage | undefined {
    const id = this.record.originalId;
    return id ? this.host.messageView(id) : undefined;
  }

  /** Resolves once settled (answered, or deferred then edited / followed up). */
  async settled(timeoutMs = this.host.defaultReplyTimeoutMs): Promise<void> {
    const record = this.record;
    if (record.settled) return;
    await new Promise<void>((resolve, reject) => {
      const onChange = (): void => {
        if (!record.settled) return;
        clearTimeout(timer);
        record.events.off("change", onChange);
        resolve();
      };
      const timer = setTimeout(() => {
        record.events.off("change", onChange);
        reject(
          new Error(
            `${record.describe()} was not settled within ${timeoutMs} ms ` +
              `(callbacks: [${record.callbacks.join(", ")}], status: ${record.status})`,
          ),
        );
      }, timeoutMs);
      record.events.on("change", onChange);
    });
  }

  private async quiet(quietMs: number): Promise<void> {
    for (;;) {
      const wait = this.record.lastChange + quietMs - Date.now();
      if (wait <= 0) return;
      await sleep(wait);
    }
  }

  /**
   * The visible answer: the original response once the interaction is settled and the response
   * has stopped changing. Fails for a modal or autocomplete answer, a deleted response, or a timeout.
   */
  async reply(options: ReplyOptions = {}): Promise<APIMessage> {
    await this.settled(options.timeoutMs);
    await this.quiet(options.quietMs ?? 100);
    const record = this.record;
    const last = record.callbacks[record.callbacks.length - 1];
    if (last === InteractionResponseType.Modal) {
      throw new Error(`${record.describe()} was answered with a modal (see .modal), not a message`);
    }
    if (last === InteractionResponseType.ApplicationCommandAutocompleteResult) {
      throw new Error(`${record.describe()} was answered with autocomplete choices (see .choices)`);
    }
    const message = record.originalId ? this.host.messageView(record.originalId) : undefined;
    if (!message) throw new Error(`${record.describe()} has no original response`);
    if (record.originalDeleted) {
      throw new Error(
        `${record.describe()}: the original response was deleted; its last content was ` +
          JSON.stringify(message.content),
      );
    }
    return message;
  }

  /** Follow-up messages (not counting one that filled a deferred original response). */
  async followUps(options: FollowUpOptions = {}): Promise<APIMessage[]> {
    const timeoutMs = options.timeoutMs ?? this.host.defaultReplyTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    await this.settled(timeoutMs);
    if (options.count !== undefined) {
      while (this.record.followUpIds.length < options.count) {
        if (Date.now() > deadline) {
          throw new Error(
            `${this.record.describe()} has ${this.record.followUpIds.length} follow-ups, ` +
              `not ${options.count}, after ${timeoutMs} ms`,
          );
        }
        await sleep(10);
      }
    }
    await this.quiet(options.quietMs ?? 100);
    return this.record.followUpIds
      .map((id) => this.host.messageView(id))
      .filter((m): m is APIMessage => m !== undefined);
  }
}
