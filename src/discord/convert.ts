import {
  ApplicationCommandOptionType,
  MessageFlags,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type CommandInteractionOption,
  type MessageComponentInteraction,
  type ModalSubmitInteraction,
} from "discord.js";
import type {
  AutocompleteCall,
  Caller,
  CommandCall,
  ComponentCall,
  ModalCall,
  OptionValue,
} from "../interactions/types.js";
import { customIdsIn, type ComponentOrigin } from "../interactions/origin.js";

interface InteractionLike {
  user: { id: string };
  guildId: string | null;
  channelId: string | null;
  memberPermissions: { bitfield: bigint } | null;
  member: unknown;
}

function callerOf(i: InteractionLike): Caller {
  const member = i.member as { roles?: string[] | { cache: Map<string, unknown> } } | null;
  const roles = member?.roles;
  const roleIds = Array.isArray(roles) ? roles : roles ? [...roles.cache.keys()] : [];
  return {
    userId: i.user.id,
    guildId: i.guildId,
    channelId: i.channelId,
    permissions: i.memberPermissions?.bitfield,
    roleIds,
  };
}

/** Flattens subcommand groups and subcommands into a name and the leaf options' values. */
function readOptions(data: readonly CommandInteractionOption[]) {
  let subcommand: string | undefined;
  let leaves = data;
  for (;;) {
    const nested = leaves[0];
    if (
      nested &&
      (nested.type === ApplicationCommandOptionType.Subcommand ||
        nested.type === ApplicationCommandOptionType.SubcommandGroup)
    ) {
      subcommand = subcommand ? `${subcommand} ${nested.name}` : nested.name;
      leaves = nested.options ?? [];
      continue;
    }
    break;
  }
  const options: Record<string, OptionValue> = {};
  let focused: { name: string; value: string } | undefined;
  for (const option of leaves) {
    if (option.value === undefined || option.value === null) continue;
    options[option.name] = option.value;
    if (option.focused) focused = { name: option.name, value: String(option.value) };
  }
  return { subcommand, options, focused };
}

export function toCommandCall(interaction: ChatInputCommandInteraction): CommandCall {
  const { subcommand, options } = readOptions(interaction.options.data);
  return { ...callerOf(interaction), command: interaction.commandName, subcommand, options };
}

export function toAutocompleteCall(interaction: AutocompleteInteraction): AutocompleteCall {
  const { subcommand, options, focused } = readOptions(interaction.options.data);
  return {
    ...callerOf(interaction),
    command: interaction.commandName,
    subcommand,
    options,
    focused: focused ?? { name: "", value: "" },
  };
}

export function toComponentCall(interaction: MessageComponentInteraction): ComponentCall {
  return {
    ...callerOf(interaction),
    customId: interaction.customId,
    values: interaction.isAnySelectMenu() ? interaction.values : [],
  };
}

/** The message a component was pressed on: its custom ids, and who it is private to. */
export function componentOrigin(interaction: MessageComponentInteraction): ComponentOrigin {
  const { message } = interaction;
  return {
    customIds: customIdsIn(message.components.map((c) => c.toJSON())),
    privateTo: message.flags.has(MessageFlags.Ephemeral)
      ? (message.interactionMetadata?.user.id ?? null)
      : null,
  };
}

export function toModalCall(interaction: ModalSubmitInteraction): ModalCall {
  const fields: Record<string, string> = {};
  for (const [id, field] of interaction.fields.fields) {
    if ("value" in field && typeof field.value === "string") fields[id] = field.value;
  }
  return { ...callerOf(interaction), customId: interaction.customId, fields };
}
