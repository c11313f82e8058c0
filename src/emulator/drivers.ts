import { randomBytes } from "node:crypto";
import type { ChannelType } from "discord-api-types/v10";
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  ComponentType,
  InteractionContextType,
  InteractionType,
  PermissionFlagsBits,
  type APIApplicationCommand,
  type APIApplicationCommandInteractionDataOption,
  type APIApplicationCommandOption,
  type APIApplicationCommandOptionChoice,
  type APIInteraction,
  type APIInteractionDataResolved,
  type APIMessage,
} from "discord-api-types/v10";
import { parseEmoji, type Core } from "./core.js";
import { InteractionRefused } from "./errors.js";
import { InteractionHandle, InteractionRecord } from "./interactions.js";
import { ALL_PERMISSIONS, type MessageRecord } from "./state.js";

/** An option value as a test writes it: ids for users, channels and roles (or objects with an id). */
export type OptionValue = string | number | boolean | { id: string };
export type OptionValues = Record<string, OptionValue | undefined>;

export type MessageRef = string | { id: string };
export type EmojiRef = string | { id?: string | null; name?: string | null };

export interface RunCommandOptions {
  /** Send it even if no registered command has that name (types are then guessed from values). */
  allowUnregistered?: boolean;
  /**
   * Skip the checks Discord makes before sending (option lengths and choices, who may see the
   * command): what a modified client, or a permission override in the server's settings, lets
   * through, so tests can prove the bot checks again.
   */
  unchecked?: boolean;
}

export interface AutocompleteOptions extends RunCommandOptions {
  /** How long to wait for the choices (default: the interaction deadline, 3 s). */
  timeoutMs?: number;
}

interface LooseComponent {
  type: number;
  id?: number;
  custom_id?: string;
  disabled?: boolean;
  style?: number;
  required?: boolean;
  min_length?: number;
  max_length?: number;
  min_values?: number;
  max_values?: number;
  options?: { value: string }[];
  components?: LooseComponent[];
  component?: LooseComponent;
  accessory?: LooseComponent;
}

const ATTACHMENT_LIMIT = 10 * 1024 * 1024;

/** Acts as one user: runs commands, clicks, fills modals, reacts — each a real gateway dispatch. */
export class UserDriver {
  constructor(
    private readonly core: Core,
    readonly guildId: string | null,
    readonly userId: string,
    readonly channelId: string,
  ) {}

  /** The same user in another channel. */
  in(channelId: string): UserDriver {
    return new UserDriver(this.core, this.guildId, this.userId, channelId);
  }

  /** Posts a plain message as this user in the driver's channel. */
  say(content: string): APIMessage {
    return this.core.messageView(
      this.core.postUserMessage(this.channelId, this.userId, content).message.id,
    )!;
  }

  /**
   * Runs a slash command: `"model"`, `"entry add"` (subcommand) or `"config roles set"` (group).
   * Options are typed from the registered definition, which must exist and allow this user.
   */
  async runCommand(
    path: string,
    options: OptionValues = {},
    settings: RunCommandOptions = {},
  ): Promise<InteractionHandle> {
    const data = this.commandData(path, options, null, settings);
    return this.send(InteractionType.ApplicationCommand, data, `/${path}`, null);
  }

  /** Sends an autocomplete interaction for `focused`; resolves with the choices the bot answered. */
  async autocomplete(
    path: string,
    options: OptionValues,
    focused: string,
    settings: AutocompleteOptions = {},
  ): Promise<APIApplicationCommandOptionChoice[]> {
    const handle = await this.startAutocomplete(path, options, focused, settings);
    const timeoutMs = settings.timeoutMs ?? this.core.options.interactionTimeoutMs;
    await handle.settled(timeoutMs).catch(() => {
      throw new Error(`autocomplete /${path} (${focused}) was not answered within ${timeoutMs} ms`);
    });
    return handle.choices ?? [];
  }

  /** Like `autocomplete`, but returns the handle at once. */
  async startAutocomplete(
    path: string,
    options: OptionValues,
    focused: string,
    settings: RunCommandOptions = {},
  ): Promise<InteractionHandle> {
    const data = this.commandData(path, options, focused, settings);
    return this.send(
      InteractionType.ApplicationCommandAutocomplete,
      data,
      `autocomplete /${path}`,
      null,
    );
  }

  /**
   * Clicks a (non-link, enabled) button on a message. As Discord does, refuses (throws
   * `InteractionRefused`) a custom id the message does not carry, a disabled button, and another
   * member's ephemeral message. `rawComponent` sends what Discord would refuse.
   */
  async click(message: MessageRef, customId: string): Promise<InteractionHandle> {
    const record = this.visibleMessage(message);
    const component = findComponent(record.message.components ?? [], customId);
    if (!component) {
      throw new InteractionRefused(
        "COMPONENT_VALIDATION_FAILED",
        `message ${record.message.id} has no component "${customId}"`,
      );
    }
    if (component.type !== ComponentType.Button) {
      throw new Error(
        `emulator: "${customId}" is a component of type ${component.type}, not a button; use select()`,
      );
    }
    if (component.disabled)
      throw new InteractionRefused(
        "COMPONENT_VALIDATION_FAILED",
        `button "${customId}" is disabled`,
      );
    const data = { custom_id: customId, component_type: ComponentType.Button };
    return this.send(InteractionType.MessageComponent, data, `button "${customId}"`, record);
  }

  /**
   * A component interaction Discord would never deliver: any custom id, on any message (another
   * member's ephemeral one included), with any values. For tests of crafted input: what a
   * modified client, or a message changed between render and click, would send.
   */
  async rawComponent(
    message: MessageRef,
    customId: string,
    options: { componentType?: ComponentType; values?: string[] } = {},
  ): Promise<InteractionHandle> {
    const id = typeof message === "string" ? message : message.id;
    const record = this.core.state.messages.get(id);
    if (!record || record.deleted) throw new Error(`emulator: message ${id} does not exist`);
    const componentType = options.componentType ?? ComponentType.Button;
    const data: Record<string, unknown> = { custom_id: customId, component_type: componentType };
    if (componentType !== ComponentType.Button) data.values = options.values ?? [];
    return this.send(InteractionType.MessageComponent, data, `raw "${customId}"`, record);
  }

  /**
   * A form submission Discord would never deliver: any custom id and text inputs, as if from a
   * form opened on `message` (or from a command). For tests of crafted input.
   */
  async rawModalSubmit(
    customId: string,
    fields: Record<string, string>,
    options: { message?: MessageRef } = {},
  ): Promise<InteractionHandle> {
    const ref = options.message;
    const record = ref
      ? this.core.state.messages.get(typeof ref === "string" ? ref : ref.id)
      : null;
    if (ref && (!record || record.deleted))
      throw new Error(`emulator: message ${typeof ref === "string" ? ref : ref.id} does not exist`);
    const components = Object.entries(fields).map(([id, value]) => ({
      type: ComponentType.ActionRow,
      components: [{ type: ComponentType.TextInput, custom_id: id, value }],
    }));
    return this.send(
      InteractionType.ModalSubmit,
      { custom_id: customId, components },
      `raw modal "${customId}"`,
      record ?? null,
    );
  }

  /** Picks values in a select menu on a message. */
  async select(
    message: MessageRef,
    customId: string,
    values: string[],
  ): Promise<InteractionHandle> {
    const record = this.visibleMessage(message);
    const component = findComponent(record.message.components ?? [], customId);
    if (!component) {
      throw new InteractionRefused(
        "COMPONENT_VALIDATION_FAILED",
        `message ${record.message.id} has no component "${customId}"`,
      );
    }
    const selects = [
      ComponentType.StringSelect,
      ComponentType.UserSelect,
      ComponentType.RoleSelect,
      ComponentType.MentionableSelect,
      ComponentType.ChannelSelect,
    ];
    if (!selects.includes(component.type)) {
      throw new Error(`emulator: "${customId}" is not a select menu (type ${component.type})`);
    }
    const refuse = (why: string): never => {
      throw new InteractionRefused("COMPONENT_VALIDATION_FAILED", `select "${customId}" ${why}`);
    };
    if (component.disabled) refuse("is disabled");
    const min = component.min_values ?? 1;
    const max = component.max_values ?? 1;
    if (values.length < min || values.length > max)
      refuse(`takes ${min}-${max} values, not ${values.length}`);
    if (component.type === ComponentType.StringSelect) {
      const allowed = new Set((component.options ?? []).map((o) => o.value));
      const bad = values.filter((v) => !allowed.has(v));
      if (bad.length > 0) refuse(`has no option(s) ${bad.join(", ")}`);
    }
    const data: Record<string, unknown> = {
      custom_id: customId,
      component_type: component.type,
      values,
    };
    if (component.type !== ComponentType.StringSelect) data.resolved = this.resolveIds(values);
    return this.send(InteractionType.MessageComponent, data, `select "${customId}"`, record);
  }

  /**
   * Submits a modal the bot showed: pass the handle of the interaction that opened it (or
   * `{ customId }` for the last such modal shown to this user), and values by input custom id.
   */
  /**
   * Fills and submits a modal the bot showed. `unchecked` skips the lengths and required inputs
   * Discord's client enforces, as a modified client could.
   */
  async submitModal(
    source: InteractionHandle | { customId: string },
    values: Record<string, string | string[]>,
    settings: { unchecked?: boolean } = {},
  ): Promise<InteractionHandle> {
    const opener =
      source instanceof InteractionHandle
        ? source.record
        : [...this.core.interactions.values()]
            .reverse()
            .find((r) => r.userId === this.userId && r.modal?.custom_id === source.customId);
    const modal = opener?.modal;
    if (!opener || !modal) {
      const what =
        source instanceof InteractionHandle ? source.record.describe() : `"${source.customId}"`;
      throw new Error(`emulator: no modal was shown for ${what}`);
    }
    const used = new Set<string>();
    const fill = (c: LooseComponent): Record<string, unknown> => {
      const id = c.custom_id ?? "";
      const value = values[id];
      if (value !== undefined) used.add(id);
      if (c.type === ComponentType.TextInput) {
        const text = Array.isArray(value) ? value.join("") : (value ?? "");
        const required = c.required ?? true;
        if (settings.unchecked) return { type: c.type, id: c.id, custom_id: id, value: text };
        if (required && text.length === 0)
          throw new Error(`emulator: modal input "${id}" is required`);
        if (text.length > 0 && text.length < (c.min_length ?? 0)) {
          throw new Error(
            `emulator: modal input "${id}" needs at least ${c.min_length} characters`,
          );
        }
        if (text.length > (c.max_length ?? 4000)) {
          throw new Error(
            `emulator: modal input "${id}" takes at most ${c.max_length ?? 4000} characters`,
          );
        }
        return { type: c.type, id: c.id, custom_id: id, value: text };
      }
      const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
      return { type: c.type, id: c.id, custom_id: id, values: list };
    };
    const components = (modal.components as unknown as LooseComponent[]).map((top) => {
      if (top.type === ComponentType.ActionRow) {
        return { type: top.type, id: top.id, components: (top.components ?? []).map(fill) };
      }
      if (top.type === ComponentType.Label && top.component) {
        return { type: top.type, id: top.id, component: fill(top.component) };
      }
      return { type: top.type, id: top.id };
    });
    const unknown = Object.keys(values).filter((k) => !used.has(k));
    if (unknown.length > 0)
      throw new Error(`emulator: the modal has no input(s) ${unknown.join(", ")}`);
    const source_message = opener.sourceMessageId
      ? this.core.state.messages.get(opener.sourceMessageId)
      : undefined;
    const data = { custom_id: modal.custom_id, components };
    return this.send(
      InteractionType.ModalSubmit,
      data,
      `modal "${modal.custom_id}"`,
      source_message ?? null,
    );
  }

  /** Adds a reaction as this user (MESSAGE_REACTION_ADD with `member`). */
  async react(message: MessageRef, emoji: EmojiRef): Promise<void> {
    const record = this.visibleMessage(message);
    if (record.ephemeral) throw new Error("emulator: ephemeral messages cannot be reacted to");
    this.core.addReaction(record, this.userId, parseEmoji(emoji));
  }

  /** Removes this user's reaction (MESSAGE_REACTION_REMOVE). */
  async unreact(message: MessageRef, emoji: EmojiRef): Promise<void> {
    const record = this.visibleMessage(message);
    this.core.removeReaction(record, this.userId, parseEmoji(emoji));
  }

  // ---------------------------------------------------------------- internals

  private visibleMessage(ref: MessageRef): MessageRecord {
    const id = typeof ref === "string" ? ref : ref.id;
    const record = this.core.state.messages.get(id);
    if (!record || record.deleted)
      throw new InteractionRefused(
        "UNKNOWN_MESSAGE",
        `message ${id} does not exist (or was deleted)`,
      );
    if (record.ephemeral) {
      const owner = record.interactionId
        ? this.core.interactions.get(record.interactionId)?.userId
        : undefined;
      if (owner !== this.userId)
        throw new InteractionRefused(
          "UNKNOWN_MESSAGE",
          `ephemeral message ${id} belongs to another member`,
        );
    }
    if (record.guildId) {
      const perms = this.core.state.permissions(record.guildId, this.userId, record.channelId);
      if ((perms & PermissionFlagsBits.ViewChannel) === 0n) {
        throw new Error(`emulator: user ${this.userId} cannot see channel ${record.channelId}`);
      }
    }
    return record;
  }

  private memberPermissions(channelId = this.channelId): bigint {
    if (!this.guildId) return ALL_PERMISSIONS & ~PermissionFlagsBits.Administrator;
    return this.core.state.permissions(this.guildId, this.userId, channelId);
  }

  private findCommand(name: string): APIApplicationCommand | undefined {
    const isChat = (c: APIApplicationCommand): boolean =>
      c.name === name &&
      (c.type ?? ApplicationCommandType.ChatInput) === ApplicationCommandType.ChatInput;
    return (
      (this.guildId ? this.core.commandList(this.guildId).find(isChat) : undefined) ??
      this.core.commandList().find(isChat)
    );
  }

  private commandData(
    path: string,
    values: OptionValues,
    focused: string | null,
    settings: RunCommandOptions,
  ): Record<string, unknown> {
    const [name, ...subPath] = path.trim().split(/\s+/);
    if (!name) throw new Error("emulator: empty command");
    const command = this.findCommand(name);
    if (!command && !settings.allowUnregistered) {
      throw new Error(`emulator: /${name} is not registered (globally or in this server)`);
    }
    if (command && !settings.unchecked) this.checkCommandAccess(command);
    const resolved: APIInteractionDataResolved = {};
    let definitions: APIApplicationCommandOption[] | undefined = command
      ? ((command as { options?: APIApplicationCommandOption[] }).options ?? [])
      : undefined;
    const wrappers: { name: string; type: ApplicationCommandOptionType }[] = [];
    subPath.forEach((part, i) => {
      const last = i === subPath.length - 1;
      const type = last
        ? ApplicationCommandOptionType.Subcommand
        : ApplicationCommandOptionType.SubcommandGroup;
      if (definitions) {
        const def = definitions.find((o) => o.name === part && o.type === type);
        if (!def)
          throw new Error(
            `emulator: /${name} has no ${last ? "subcommand" : "subcommand group"} "${part}"`,
          );
        definitions = (def as { options?: APIApplicationCommandOption[] }).options ?? [];
      }
      wrappers.push({ name: part, type });
    });
    if (
      definitions &&
      subPath.length === 0 &&
      definitions.some(
        (o) =>
          o.type === ApplicationCommandOptionType.Subcommand ||
          o.type === ApplicationCommandOptionType.SubcommandGroup,
      )
    ) {
      throw new Error(`emulator: /${name} needs a subcommand`);
    }
    const leaf: APIApplicationCommandInteractionDataOption[] = [];
    for (const [key, raw] of Object.entries(values)) {
      if (raw === undefined) continue;
      const def = definitions?.find((o) => o.name === key);
      if (definitions && !def) throw new Error(`emulator: /${path} has no option "${key}"`);
      const isFocused = key === focused;
      if (isFocused && def && !(def as { autocomplete?: boolean }).autocomplete) {
        throw new Error(`emulator: option "${key}" of /${path} has no autocomplete`);
      }
      const type = def?.type ?? guessType(raw);
      leaf.push(
        this.optionValue(
          key,
          type,
          raw,
          settings.unchecked ? undefined : def,
          isFocused,
          resolved,
          path,
        ),
      );
    }
    if (focused !== null && !(focused in values)) {
      throw new Error(`emulator: the focused option "${focused}" needs a (partial) value`);
    }
    if (focused === null && definitions) {
      for (const def of definitions) {
        if ((def as { required?: boolean }).required && values[def.name] === undefined) {
          throw new Error(`emulator: /${path} needs option "${def.name}"`);
        }
      }
    }
    let options: APIApplicationCommandInteractionDataOption[] = leaf;
    for (const wrapper of [...wrappers].reverse()) {
      options = [
        {
          name: wrapper.name,
          type: wrapper.type,
          options,
        } as APIApplicationCommandInteractionDataOption,
      ];
    }
    const data: Record<string, unknown> = {
      id: command?.id ?? this.core.ids.next(),
      name,
      type: ApplicationCommandType.ChatInput,
      options,
    };
    if (command?.guild_id) data.guild_id = command.guild_id;
    if (Object.keys(resolved).length > 0) data.resolved = resolved;
    return data;
  }

  private checkCommandAccess(command: APIApplicationCommand): void {
    if (command.guild_id && command.guild_id !== this.guildId) {
      throw new Error(`emulator: /${command.name} is registered in another server`);
    }
    const contexts = command.contexts;
    const context = this.guildId ? InteractionContextType.Guild : InteractionContextType.BotDM;
    if (contexts && contexts.length > 0 && !contexts.includes(context)) {
      throw new Error(`emulator: /${command.name} is not available in this context (${context})`);
    }
    if (!this.guildId && command.dm_permission === false) {
      throw new Error(`emulator: /${command.name} is not available in DMs`);
    }
    const needed = command.default_member_permissions;
    if (this.guildId && needed !== null && needed !== undefined) {
      const perms = this.core.state.basePermissions(this.guildId, this.userId);
      const required = BigInt(needed);
      const allowed = required === 0n ? perms === ALL_PERMISSIONS : (perms & required) === required;
      if (!allowed) {
        throw new Error(
          `emulator: user ${this.userId} lacks default_member_permissions ${needed} for /${command.name}`,
        );
      }
    }
  }

  private optionValue(
    name: string,
    type: ApplicationCommandOptionType,
    raw: OptionValue,
    def: APIApplicationCommandOption | undefined,
    focused: boolean,
    resolved: APIInteractionDataResolved,
    path: string,
  ): APIApplicationCommandInteractionDataOption {
    const where = `option "${name}" of /${path}`;
    if (focused)
      return {
        name,
        type,
        value: String(raw),
        focused: true,
      } as APIApplicationCommandInteractionDataOption;
    const idOf = (v: OptionValue): string => (typeof v === "object" ? v.id : String(v));
    const constraints = (def ?? {}) as {
      choices?: { value: string | number }[];
      min_value?: number;
      max_value?: number;
      min_length?: number;
      max_length?: number;
      channel_types?: ChannelType[];
    };
    const checkChoices = (v: string | number): void => {
      if (
        constraints.choices &&
        constraints.choices.length > 0 &&
        !constraints.choices.some((c) => c.value === v)
      ) {
        throw new Error(`emulator: ${where} must be one of its choices, not ${JSON.stringify(v)}`);
      }
    };
    switch (type) {
      case ApplicationCommandOptionType.String: {
        if (typeof raw !== "string") throw new Error(`emulator: ${where} takes a string`);
        checkChoices(raw);
        if (
          raw.length < (constraints.min_length ?? 0) ||
          raw.length > (constraints.max_length ?? 6000)
        ) {
          throw new Error(`emulator: ${where} has a length outside its min/max`);
        }
        return { name, type, value: raw };
      }
      case ApplicationCommandOptionType.Integer:
      case ApplicationCommandOptionType.Number: {
        if (
          typeof raw !== "number" ||
          (type === ApplicationCommandOptionType.Integer && !Number.isInteger(raw))
        ) {
          throw new Error(
            `emulator: ${where} takes ${type === ApplicationCommandOptionType.Integer ? "an integer" : "a number"}`,
          );
        }
        checkChoices(raw);
        if (
          raw < (constraints.min_value ?? -Infinity) ||
          raw > (constraints.max_value ?? Infinity)
        ) {
          throw new Error(`emulator: ${where} is outside its min/max`);
        }
        return { name, type, value: raw } as APIApplicationCommandInteractionDataOption;
      }
      case ApplicationCommandOptionType.Boolean:
        if (typeof raw !== "boolean") throw new Error(`emulator: ${where} takes a boolean`);
        return { name, type, value: raw };
      case ApplicationCommandOptionType.Channel: {
        const id = idOf(raw);
        const channel = this.core.state.channels.get(id);
        if (!channel || (this.guildId && channel.guildId !== this.guildId)) {
          throw new Error(`emulator: ${where}: no channel ${id} in this server`);
        }
        if (constraints.channel_types && !constraints.channel_types.includes(channel.type)) {
          throw new Error(`emulator: ${where} does not accept channel type ${channel.type}`);
        }
        Object.assign(resolved, this.resolveIds([id]));
        return { name, type, value: id };
      }
      case ApplicationCommandOptionType.Role:
      case ApplicationCommandOptionType.User:
      case ApplicationCommandOptionType.Mentionable: {
        const id = idOf(raw);
        const found = this.resolveIds([id]);
        const isRole = found.roles !== undefined;
        const isUser = found.users !== undefined;
        if (
          (type === ApplicationCommandOptionType.Role && !isRole) ||
          (type === ApplicationCommandOptionType.User && !isUser) ||
          (!isRole && !isUser)
        ) {
          throw new Error(
            `emulator: ${where}: ${id} is not a known ${type === ApplicationCommandOptionType.Role ? "role" : "user"}`,
          );
        }
        for (const key of ["users", "members", "roles"] as const) {
          if (found[key]) resolved[key] = { ...(resolved[key] ?? {}), ...found[key] } as never;
        }
        return { name, type, value: id } as APIApplicationCommandInteractionDataOption;
      }
      default:
        throw new Error(`emulator: ${where}: option type ${type} is not supported by the emulator`);
    }
  }

  /** `resolved` entries for ids of users, roles or channels. */
  private resolveIds(ids: readonly string[]): APIInteractionDataResolved {
    const state = this.core.state;
    const resolved: APIInteractionDataResolved = {};
    const guild = this.guildId ? state.guilds.get(this.guildId) : undefined;
    for (const id of ids) {
      const role = guild?.roles.get(id);
      if (role) {
        resolved.roles = { ...(resolved.roles ?? {}), [id]: { ...role } };
        continue;
      }
      if (state.users.has(id)) {
        resolved.users = { ...(resolved.users ?? {}), [id]: state.userObject(id) };
        const member = guild ? state.memberObject(guild.id, id) : undefined;
        if (member && guild) {
          const { user: _user, ...rest } = member;
          resolved.members = {
            ...(resolved.members ?? {}),
            [id]: {
              ...rest,
              permissions: state.permissions(guild.id, id, this.channelId).toString(),
            },
          } as never;
        }
        continue;
      }
      const channel = state.channels.get(id);
      if (channel) {
        resolved.channels = {
          ...(resolved.channels ?? {}),
          [id]: {
            id,
            name: channel.name,
            type: channel.type,
            permissions: this.memberPermissions(id).toString(),
          },
        } as never;
      }
    }
    return resolved;
  }

  private send(
    type: InteractionType,
    data: Record<string, unknown>,
    label: string,
    source: MessageRecord | null,
  ): InteractionHandle {
    const core = this.core;
    const state = core.state;
    const channel = state.channels.get(this.channelId);
    if (!channel) throw new Error(`emulator: channel ${this.channelId} does not exist`);
    const id = core.ids.next();
    const token = `emu_${id}_${randomBytes(24).toString("base64url")}`;
    const user = state.users.get(this.userId)!;
    const memberPerms = this.memberPermissions();
    if (this.guildId) {
      const needed = PermissionFlagsBits.ViewChannel | PermissionFlagsBits.UseApplicationCommands;
      const usesCommands =
        type !== InteractionType.MessageComponent && type !== InteractionType.ModalSubmit;
      if (
        (memberPerms & (usesCommands ? needed : PermissionFlagsBits.ViewChannel)) !==
        (usesCommands ? needed : PermissionFlagsBits.ViewChannel)
      ) {
        throw new Error(
          `emulator: user ${this.userId} cannot ${usesCommands ? "use commands" : "act"} in channel ${channel.id}`,
        );
      }
    }
    const appPerms = this.guildId
      ? state.permissions(this.guildId, core.botId, this.channelId)
      : core.botPermissions(channel);
    const { permission_overwrites: _overwrites, ...channelView } = state.channelObject(
      channel.id,
    ) as unknown as {
      permission_overwrites?: unknown;
    } & Record<string, unknown>;
    const payload: Record<string, unknown> = {
      id,
      application_id: core.options.applicationId,
      type,
      data,
      channel: { ...channelView, permissions: memberPerms.toString() },
      channel_id: channel.id,
      token,
      version: 1,
      app_permissions: appPerms.toString(),
      locale: user.locale,
      entitlements: [],
      authorizing_integration_owners: this.guildId
        ? { [ApplicationIntegrationType.GuildInstall]: this.guildId }
        : { [ApplicationIntegrationType.UserInstall]: this.userId },
      context: this.guildId ? InteractionContextType.Guild : InteractionContextType.BotDM,
      attachment_size_limit: ATTACHMENT_LIMIT,
    };
    if (this.guildId) {
      const guild = state.guilds.get(this.guildId)!;
      payload.guild_id = guild.id;
      payload.guild = { id: guild.id, locale: guild.locale, features: [] };
      payload.guild_locale = guild.locale;
      payload.member = {
        ...state.memberObject(guild.id, this.userId)!,
        permissions: memberPerms.toString(),
      };
    } else {
      payload.user = state.userObject(this.userId);
    }
    if (source) payload.message = core.messageView(source.message.id);
    const record = new InteractionRecord(
      id,
      token,
      type,
      label,
      payload as unknown as APIInteraction,
      channel.id,
      this.guildId,
      this.userId,
      source?.message.id ?? null,
    );
    core.registerInteraction(record);
    core.gateway.dispatch("INTERACTION_CREATE", payload);
    return new InteractionHandle(record, {
      messageView: (messageId) => core.messageView(messageId),
      defaultReplyTimeoutMs: core.options.replyTimeoutMs,
    });
  }
}

function guessType(value: OptionValue): ApplicationCommandOptionType {
  if (typeof value === "boolean") return ApplicationCommandOptionType.Boolean;
  if (typeof value === "number") {
    return Number.isInteger(value)
      ? ApplicationCommandOptionType.Integer
      : ApplicationCommandOptionType.Number;
  }
  if (typeof value === "object") return ApplicationCommandOptionType.Mentionable;
  return ApplicationCommandOptionType.String;
}

/** Finds a component by custom id anywhere in a message (action rows, sections, containers). */
function findComponent(
  components: readonly unknown[],
  customId: string,
): LooseComponent | undefined {
  for (const c of components as LooseComponent[]) {
    if (c.custom_id === customId) return c;
    const nested = [
      ...(c.components ?? []),
      ...(c.accessory ? [c.accessory] : []),
      ...(c.component ? [c.component] : []),
    ];
    const found = findComponent(nested, customId);
    if (found) return found;
  }
  return undefined;
}
