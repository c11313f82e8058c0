import type {
  APIApplicationCommandOptionChoice,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord-api-types/v10";
import type { AppContext } from "../app/context.js";
import type { Reply } from "../discord/payload.js";

export type OptionValue = string | number | boolean;

/** Who is asking, where: the same for every kind of interaction, and for the CLI. */
export interface Caller {
  readonly userId: string;
  readonly guildId: string | null;
  readonly channelId: string | null;
  /** The member's permissions in the channel; absent outside a server. */
  readonly permissions?: bigint;
  readonly roleIds?: readonly string[];
}

export interface CommandCall extends Caller {
  readonly command: string;
  readonly subcommand?: string;
  readonly options: Readonly<Record<string, OptionValue>>;
}

export interface AutocompleteCall extends CommandCall {
  readonly focused: { readonly name: string; readonly value: string };
}

export interface ComponentCall extends Caller {
  readonly customId: string;
  /** Selected values of a select menu; empty for buttons. */
  readonly values: readonly string[];
}

export interface ModalCall extends Caller {
  readonly customId: string;
  /** Text inputs by custom id. */
  readonly fields: Readonly<Record<string, string>>;
}

export type Choice = APIApplicationCommandOptionChoice<string>;

/**
 * A slash command: its definition (sent to Discord as is) beside its handlers. Custom ids of
 * its components start with `<definition.name>:` and are routed back here.
 */
export interface CommandModule {
  readonly definition: RESTPostAPIChatInputApplicationCommandsJSONBody;
  /** How a member would call it, e.g. "/search query:distillation attacks"; /help shows them. */
  readonly examples: readonly [string, ...string[]];
  /** Every answer is for the caller alone: a slow one is deferred privately. */
  readonly privateReplies?: boolean;
  /**
   * Its work takes real time (searching the corpus, assembling a recap): its interactions are
   * deferred as they arrive and the work waits its turn in a bounded queue. Other commands are
   * answered directly. A form can only be a direct answer.
   */
  readonly heavy?: boolean;
  execute(call: CommandCall, ctx: AppContext): Promise<Reply>;
  autocomplete?(call: AutocompleteCall, ctx: AppContext): Promise<Choice[]>;
  /** What autocomplete offers when it fails or runs out of time: it must never come back empty-handed by accident. */
  autocompleteFallback?(ctx: AppContext): Choice[];
  component?(call: ComponentCall, ctx: AppContext): Promise<Reply>;
  /** Forms this command opened, submitted; routed by the custom id's first segment. */
  modal?(call: ModalCall, ctx: AppContext): Promise<Reply>;
}
