// What the playground's page and its server say to each other. Messages, commands and modals
// are Discord's own JSON as the emulator stored it: the page renders exactly what the bot sent.
import type {
  APIApplicationCommand,
  APIApplicationCommandOptionChoice,
  APIMessage,
  APIModalInteractionResponseCallbackData,
} from "discord-api-types/v10";

export type { APIApplicationCommand, APIMessage, APIModalInteractionResponseCallbackData };
export type Choice = APIApplicationCommandOptionChoice;

export interface ChannelView {
  readonly id: string;
  readonly name: string;
  readonly topic: string;
}

export interface ServerView {
  readonly id: string;
  readonly name: string;
  readonly channels: readonly ChannelView[];
  /** The channel the playground set up for the server's weekly recap. */
  readonly recapChannelId: string;
  /** Roles a command option can name. */
  readonly roles: readonly RoleView[];
}

export interface PersonView {
  readonly id: string;
  readonly name: string;
  readonly role: "member" | "moderator";
}

export interface RoleView {
  readonly id: string;
  readonly name: string;
}

export interface WorldView {
  /** False while the bot starts (or restarts after Reset): actions wait. */
  readonly ready: boolean;
  readonly botId: string;
  readonly botName: string;
  readonly servers: readonly ServerView[];
  readonly people: readonly PersonView[];
  /** The weeks the recap can be posted for, as ISO weeks ("2026-W06"), and a week to try. */
  readonly recapWeeks: {
    readonly first: string;
    readonly last: string;
    readonly suggested: string;
  };
}

export interface ReactionView {
  readonly emoji: string;
  readonly count: number;
  /** Whether the person viewing reacted with it. */
  readonly mine: boolean;
}

export interface MessageView {
  /** The message exactly as the emulator stores it. */
  readonly message: APIMessage;
  /** Only the person viewing can see it. */
  readonly ephemeral: boolean;
  readonly reactions: readonly ReactionView[];
  /** What the person typed or clicked to get this reply, e.g. "/model name:opus 4.5". */
  readonly trigger: string | null;
}

export type OptionValue = string | number | boolean;

/** Who acts, where. */
export interface Actor {
  readonly as: string;
  readonly channel: string;
}

export interface CommandRequest extends Actor {
  /** "model", or "entry add" with its subcommand. */
  readonly command: string;
  readonly options: Record<string, OptionValue>;
}

export interface AutocompleteRequest extends Actor {
  readonly command: string;
  readonly options: Record<string, OptionValue>;
  readonly focused: string;
}

export interface ClickRequest extends Actor {
  readonly message: string;
  readonly customId: string;
  /** For select menus: the values picked. */
  readonly values?: readonly string[];
}

export interface ModalRequest extends Actor {
  /** The interaction the form answered. */
  readonly interaction: string;
  readonly values: Record<string, string>;
}

export interface ReactRequest extends Actor {
  readonly message: string;
  readonly emoji: string;
  readonly add: boolean;
}

export interface SayRequest extends Actor {
  readonly content: string;
}

export interface DismissRequest extends Actor {
  readonly message: string;
}

export interface RecapRequest {
  readonly server: string;
  /** "2026-W06" */
  readonly week: string;
}

/** What became of an action: the bot answered, opened a form, or something went wrong. */
export type Outcome =
  | { readonly kind: "done"; readonly note?: string }
  | {
      readonly kind: "modal";
      readonly interaction: string;
      readonly modal: APIModalInteractionResponseCallbackData;
    }
  | { readonly kind: "error"; readonly message: string };

/** Server-sent events: `channel` (data: {channel}) when a channel changed, `world` on (re)start. */
export interface ChannelEvent {
  readonly channel: string;
}
