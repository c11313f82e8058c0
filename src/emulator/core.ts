import { EventEmitter } from "node:events";
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ChannelType,
  GatewayDispatchEvents,
  GatewayIntentBits,
  InteractionResponseType,
  InteractionType,
  Locale,
  MessageFlags,
  MessageReferenceType,
  MessageType,
  PermissionFlagsBits,
  type APIApplicationCommand,
  type APIApplicationCommandOption,
  type APIAttachment,
  type APIEmbed,
  type APIInteractionResponse,
  type APIMessage,
  type APIMessageReference,
  type APIModalInteractionResponseCallbackData,
  type APIReaction,
  type APIUser,
  type RESTPostAPIApplicationCommandsJSONBody,
  type RESTPostAPIInteractionCallbackWithResponseResult,
} from "discord-api-types/v10";
import { Errors } from "./errors.js";
import { Gateway, type ShardingOptions } from "./gateway.js";
import type { InteractionRecord } from "./interactions.js";
import {
  checkAutocompleteChoices,
  checkMessageBody,
  checkModal,
  type MessageBodyLike,
} from "./limits.js";
import { Snowflakes, compareSnowflakes } from "./snowflake.js";
import { State, type ChannelRecord, type MessageRecord, type ReactionRecord } from "./state.js";

export interface CoreOptions {
  applicationId: string;
  botUserId: string;
  botUsername: string;
  heartbeatIntervalMs: number;
  interactionTimeoutMs: number;
  replyTimeoutMs: number;
  /** Answer Discord-limit breaches with 400 Invalid Form Body, as Discord does (default true). */
  rejectInvalid: boolean;
  nonceWindowMs: number;
  sharding: ShardingOptions;
}

/** A message body as it arrives on a message route (JSON, or multipart's payload_json). */
export interface IncomingMessageBody extends MessageBodyLike {
  tts?: boolean;
  nonce?: string | number;
  enforce_nonce?: boolean;
  message_reference?: Partial<APIMessageReference> & { fail_if_not_exists?: boolean };
  attachments?: { id: string | number; filename?: string; description?: string }[];
  sticker_ids?: string[];
  poll?: unknown;
}

export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  size: number;
  /** The bytes, so tests can read what the bot attached. */
  data: Buffer;
}

/** One REST call as the emulator saw it. */
export interface RequestRecord {
  method: string;
  /** Decoded route path without `/api/v10` (so `/webhooks/…/messages/@original`). */
  path: string;
  query: Record<string, string>;
  status: number;
  body: unknown;
  at: number;
  faulted: boolean;
}

export interface ParsedEmoji {
  key: string;
  emoji: { id: string | null; name: string | null; animated?: boolean };
}

export function parseEmoji(
  raw: string | { id?: string | null; name?: string | null },
): ParsedEmoji {
  if (typeof raw !== "string") {
    const id = raw.id ?? null;
    const name = raw.name ?? null;
    return { key: id ? `${name}:${id}` : (name ?? ""), emoji: { id, name } };
  }
  const custom = /^(a:)?([^:]+):(\d+)$/.exec(raw);
  if (custom) {
    const emoji: ParsedEmoji["emoji"] = { id: custom[3]!, name: custom[2]! };
    if (custom[1]) emoji.animated = true;
    return { key: `${custom[2]}:${custom[3]}`, emoji };
  }
  return { key: raw, emoji: { id: null, name: raw } };
}

const SEND = PermissionFlagsBits.SendMessages;
const VIEW = PermissionFlagsBits.ViewChannel;
const HISTORY = PermissionFlagsBits.ReadMessageHistory;
const MANAGE_MESSAGES = PermissionFlagsBits.ManageMessages;
const ADD_REACTIONS = PermissionFlagsBits.AddReactions;

const MESSAGE_INTENTS = {
  guild: GatewayIntentBits.GuildMessages,
  dm: GatewayIntentBits.DirectMessages,
};
const REACTION_INTENTS = {
  guild: GatewayIntentBits.GuildMessageReactions,
  dm: GatewayIntentBits.DirectMessageReactions,
};

/** The emulator's engine: state, rules and side effects, shared by the REST routes and drivers. */
export class Core {
  readonly state = new State();
  readonly ids = new Snowflakes();
  readonly gateway: Gateway;
  readonly events = new EventEmitter();
  readonly requests: RequestRecord[] = [];
  readonly interactions = new Map<string, InteractionRecord>();
  readonly interactionsByToken = new Map<string, InteractionRecord>();
  private readonly nonces = new Map<string, { messageId: string; at: number }>();
  private violationList: string[] = [];
  commandPuts = 0;

  constructor(readonly options: CoreOptions) {
    this.events.setMaxListeners(0);
    this.state.users.set(options.botUserId, {
      id: options.botUserId,
      username: options.botUsername,
      globalName: null,
      bot: true,
      locale: Locale.EnglishUS,
      dmsClosed: false,
    });
    this.gateway = new Gateway(
      {
        applicationId: options.applicationId,
        botUser: () => this.botUser(),
        guildIds: () => [...this.state.guilds.keys()],
        guildCreate: (id) => this.state.guildCreate(id),
        members: (guildId, query, userIds, limit) => {
          const guild = this.state.guilds.get(guildId);
          if (!guild) return [];
          const ids = [userIds].flat();
          const found = [...guild.members.keys()]
            .filter((id) =>
              ids.length > 0
                ? ids.includes(id)
                : this.state.users.get(id)!.username.toLowerCase().startsWith(query.toLowerCase()),
            )
            .map((id) => this.state.memberObject(guildId, id)!);
          return limit > 0 ? found.slice(0, limit) : found;
        },
      },
      options.heartbeatIntervalMs,
      options.sharding,
    );
  }

  get botId(): string {
    return this.options.botUserId;
  }

  botUser(): APIUser {
    return this.state.userObject(this.options.botUserId);
  }

  // ---------------------------------------------------------------- violations

  get violations(): string[] {
    return [...this.violationList];
  }

  violate(where: string, problem: string): void {
    this.violationList.push(`[${where}] ${problem}`);
    this.events.emit("violation", this.violationList[this.violationList.length - 1]);
  }

  takeViolations(): string[] {
    const list = this.violationList;
    this.violationList = [];
    return list;
  }

  /** Records limit problems; throws 400 Invalid Form Body for hard ones when rejecting. */
  enforce(where: string, hard: readonly string[], soft: readonly string[] = []): void {
    for (const p of [...hard, ...soft]) this.violate(where, p);
    if (hard.length > 0 && this.options.rejectInvalid) throw Errors.invalidFormBody(hard);
  }

  // ---------------------------------------------------------------- channels & permissions

  channel(id: string): ChannelRecord {
    const channel = this.state.channels.get(id);
    if (!channel) throw Errors.unknownChannel();
    return channel;
  }

  botPermissions(channel: ChannelRecord): bigint {
    if (!channel.guildId)
      return VIEW | SEND | HISTORY | ADD_REACTIONS | PermissionFlagsBits.EmbedLinks;
    return this.state.permissions(channel.guildId, this.botId, channel.id);
  }

  /** 403 Missing Access without View Channel, else 403 Missing Permissions without `needed`. */
  requireBot(channel: ChannelRecord, needed: bigint): void {
    const perms = this.botPermissions(channel);
    if ((perms & VIEW) === 0n) throw Errors.missingAccess();
    if ((perms & needed) !== needed) throw Errors.missingPermissions();
  }

  // ---------------------------------------------------------------- messages

  message(channelId: string, messageId: string): MessageRecord {
    const record = this.state.messages.get(messageId);
    if (!record || record.deleted || record.ephemeral || record.channelId !== channelId) {
      throw Errors.unknownMessage();
    }
    return record;
  }

  reactionList(messageId: string): APIReaction[] {
    const map = this.state.reactions.get(messageId);
    if (!map) return [];
    return [...map.values()]
      .filter((r) => r.users.length > 0)
      .map((r) => ({
        count: r.users.length,
        count_details: { burst: 0, normal: r.users.length },
        me: r.users.includes(this.botId),
        me_burst: false,
        emoji: { ...r.emoji },
        burst_colors: [],
      }));
  }

  /**
   * The message as REST returns it (a copy, with its reactions). Discord keeps a nonce only long
   * enough to answer the create call and send MESSAGE_CREATE: a fetched message has none.
   */
  messageView(id: string, options: { withNonce?: boolean } = {}): APIMessage | undefined {
    const record = this.state.messages.get(id);
    if (!record) return undefined;
    const message = structuredClone(record.message);
    if (!options.withNonce) delete message.nonce;
    const reactions = this.reactionList(id);
    if (reactions.length > 0) message.reactions = reactions;
    return message;
  }

  /** The message as the gateway sends it: guild_id, member, and no content without the intent. */
  private gatewayMessage(
    record: MessageRecord,
    withNonce = false,
  ): APIMessage & { guild_id?: string; member?: unknown } {
    const message: APIMessage & { guild_id?: string; member?: unknown } = this.messageView(
      record.message.id,
      { withNonce },
    )!;
    if (record.guildId) {
      message.guild_id = record.guildId;
      const member = this.state.memberObject(record.guildId, record.message.author.id);
      if (member && !record.message.webhook_id) {
        const { user: _user, ...partial } = member;
        message.member = partial;
      }
    }
    const hasContentIntent =
      (this.gateway.intentsFor(record.guildId) & GatewayIntentBits.MessageContent) !== 0;
    const mine = record.message.author.id === this.botId;
    const mentioned = record.message.mentions.some((u) => u.id === this.botId);
    if (record.guildId && !hasContentIntent && !mine && !mentioned) {
      message.content = "";
      message.embeds = [];
      message.attachments = [];
      message.components = [];
    }
    return message;
  }

  private messageIntent(record: MessageRecord): number {
    return record.guildId ? MESSAGE_INTENTS.guild : MESSAGE_INTENTS.dm;
  }

  private normalizeEmbeds(embeds: APIEmbed[] | null | undefined): APIEmbed[] {
    return (embeds ?? []).map((e) => ({ type: "rich" as APIEmbed["type"], ...structuredClone(e) }));
  }

  /** Attachment bytes by attachment id. */
  readonly attachmentData = new Map<string, Buffer>();

  private attachmentsFrom(
    body: IncomingMessageBody,
    files: readonly UploadedFile[],
  ): APIAttachment[] {
    return files.map((file, index) => {
      const meta = body.attachments?.find((a) => String(a.id) === String(index));
      const id = this.ids.next();
      const filename = meta?.filename ?? file.filename;
      const attachment: APIAttachment = {
        id,
        filename,
        size: file.size,
        url: `https://cdn.discordapp.com/attachments/0/${id}/${filename}`,
        proxy_url: `https://media.discordapp.net/attachments/0/${id}/${filename}`,
        content_type: file.contentType,
      };
      this.attachmentData.set(id, file.data);
      if (meta?.description) attachment.description = meta.description;
      return attachment;
    });
  }

  private isEmpty(body: IncomingMessageBody, files: readonly UploadedFile[]): boolean {
    return (
      !(typeof body.content === "string" && body.content.length > 0) &&
      !(body.embeds && body.embeds.length > 0) &&
      !(body.components && body.components.length > 0) &&
      !(body.sticker_ids && body.sticker_ids.length > 0) &&
      !body.poll &&
      files.length === 0
    );
  }

  /** The DM channel between the bot and a user, created on first use. */
  dmChannelOf(userId: string): string {
    let id = this.state.dmChannels.get(userId);
    if (!id) {
      id = this.ids.next();
      this.state.dmChannels.set(userId, id);
      this.state.channels.set(id, {
        id,
        guildId: null,
        type: ChannelType.DM,
        name: "",
        topic: null,
        position: 0,
        overwrites: [],
        recipientId: userId,
        lastMessageId: null,
      });
    }
    return id;
  }

  /** Creates a message, stores it, dispatches MESSAGE_CREATE (unless ephemeral). */
  createMessage(args: {
    channel: ChannelRecord;
    authorId: string;
    body: IncomingMessageBody;
    files?: readonly UploadedFile[];
    type?: MessageType;
    flags?: number;
    ephemeral?: boolean;
    interaction?: InteractionRecord;
  }): MessageRecord {
    const { channel, body } = args;
    const id = this.ids.next();
    const author = this.state.userObject(args.authorId);
    const message: APIMessage = {
      id,
      channel_id: channel.id,
      author,
      content: body.content ?? "",
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: body.tts ?? false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: this.attachmentsFrom(body, args.files ?? []),
      embeds: this.normalizeEmbeds(body.embeds),
      pinned: false,
      type: args.type ?? MessageType.Default,
      flags: args.flags ?? body.flags ?? 0,
      components: structuredClone(body.components ?? []) as APIMessage["components"],
    };
    if (body.nonce !== undefined) message.nonce = body.nonce;
    const interaction = args.interaction;
    if (interaction) {
      message.webhook_id = this.options.applicationId;
      message.application_id = this.options.applicationId;
      message.interaction_metadata = {
        id: interaction.id,
        type: interaction.type,
        user: this.state.userObject(interaction.userId),
        authorizing_integration_owners: interaction.payload.authorizing_integration_owners,
        ...(interaction.sourceMessageId
          ? { interacted_message_id: interaction.sourceMessageId }
          : {}),
      } as APIMessage["interaction_metadata"];
    }
    const ref = body.message_reference;
    if (ref?.message_id && !interaction) {
      const target = this.state.messages.get(ref.message_id);
      const usable = target && !target.deleted && !target.ephemeral;
      if (!usable && ref.fail_if_not_exists !== false) {
        throw Errors.invalidFormBody([`message_reference: Unknown message ${ref.message_id}`]);
      }
      if (usable) {
        message.type = MessageType.Reply;
        message.message_reference = {
          type: MessageReferenceType.Default,
          message_id: ref.message_id,
          channel_id: target.channelId,
          ...(target.guildId ? { guild_id: target.guildId } : {}),
        };
        message.referenced_message = this.messageView(ref.message_id) ?? null;
      }
    }
    const record: MessageRecord = {
      message,
      channelId: channel.id,
      guildId: channel.guildId,
      ephemeral: args.ephemeral ?? false,
      interactionId: interaction?.id ?? null,
      deleted: false,
      createdAt: Date.now(),
    };
    this.state.messages.set(id, record);
    if (!record.ephemeral) {
      const list = this.state.channelMessages.get(channel.id) ?? [];
      list.push(id);
      this.state.channelMessages.set(channel.id, list);
      channel.lastMessageId = id;
      this.gateway.dispatch(
        GatewayDispatchEvents.MessageCreate,
        this.gatewayMessage(record, true),
        this.messageIntent(record),
      );
    }
    this.events.emit("message", record);
    return record;
  }

  /** Applies an edit body (only the fields it carries), dispatching MESSAGE_UPDATE. */
  editMessage(
    record: MessageRecord,
    body: IncomingMessageBody,
    files: readonly UploadedFile[] = [],
  ): void {
    const message = record.message;
    const wasLoading = ((message.flags ?? 0) & MessageFlags.Loading) !== 0;
    if (body.content !== undefined) message.content = body.content ?? "";
    if (body.embeds !== undefined) message.embeds = this.normalizeEmbeds(body.embeds);
    if (body.components !== undefined) {
      message.components = structuredClone(body.components ?? []) as APIMessage["components"];
    }
    if (body.attachments !== undefined || files.length > 0) {
      const kept = (body.attachments ?? [])
        .map((a) => message.attachments.find((old) => old.id === String(a.id)))
        .filter((a): a is APIAttachment => a !== undefined);
      message.attachments = [...kept, ...this.attachmentsFrom(body, files)];
    }
    let flags = message.flags ?? 0;
    if (body.flags !== undefined && body.flags !== null) {
      const changeable = MessageFlags.SuppressEmbeds | MessageFlags.IsComponentsV2;
      flags = (flags & ~changeable) | (body.flags & changeable);
    }
    if (wasLoading) flags &= ~MessageFlags.Loading;
    message.flags = flags;
    if (!wasLoading) message.edited_timestamp = new Date().toISOString();
    if (!record.ephemeral) {
      this.gateway.dispatch(
        GatewayDispatchEvents.MessageUpdate,
        this.gatewayMessage(record),
        this.messageIntent(record),
      );
    }
    this.events.emit("edit", record);
  }

  deleteMessage(record: MessageRecord): void {
    record.deleted = true;
    this.state.reactions.delete(record.message.id);
    if (!record.ephemeral) {
      this.gateway.dispatch(
        GatewayDispatchEvents.MessageDelete,
        {
          id: record.message.id,
          channel_id: record.channelId,
          ...(record.guildId ? { guild_id: record.guildId } : {}),
        },
        this.messageIntent(record),
      );
    }
    this.events.emit("delete", record);
  }

  /** POST /channels/:id/messages: permissions, limits, nonce de-duplication, then the message. */
  postChannelMessage(
    channelId: string,
    body: IncomingMessageBody,
    files: readonly UploadedFile[],
    where: string,
  ): MessageRecord {
    const channel = this.channel(channelId);
    if (channel.type === ChannelType.DM) {
      if (this.state.users.get(channel.recipientId ?? "")?.dmsClosed)
        throw Errors.cannotMessageUser();
    } else {
      this.requireBot(channel, SEND);
    }
    if (this.isEmpty(body, files)) {
      this.violate(where, "empty message (no content, embeds, components, stickers or files)");
      throw Errors.emptyMessage();
    }
    const { hard, soft } = checkMessageBody(body);
    this.enforce(where, hard, soft);
    if (body.nonce !== undefined && body.enforce_nonce === true) {
      const key = `${this.botId}:${String(body.nonce)}`;
      const seen = this.nonces.get(key);
      if (seen && Date.now() - seen.at < this.options.nonceWindowMs) {
        const existing = this.state.messages.get(seen.messageId);
        if (existing && !existing.deleted) return existing;
      }
      const record = this.createMessage({ channel, authorId: this.botId, body, files });
      this.nonces.set(key, { messageId: record.message.id, at: Date.now() });
      this.events.emit("bot-post", record);
      return record;
    }
    const flags =
      (body.flags ?? 0) &
      (MessageFlags.SuppressEmbeds |
        MessageFlags.SuppressNotifications |
        MessageFlags.IsComponentsV2);
    const record = this.createMessage({ channel, authorId: this.botId, body, files, flags });
    this.events.emit("bot-post", record);
    return record;
  }

  /** A message by a user (seeded by a test), dispatched like any other. */
  postUserMessage(channelId: string, userId: string, content: string): MessageRecord {
    const channel = this.channel(channelId);
    if (!this.state.users.has(userId)) throw new Error(`emulator: unknown user ${userId}`);
    if (channel.guildId && !this.state.guilds.get(channel.guildId)?.members.has(userId)) {
      throw new Error(`emulator: user ${userId} is not a member of the channel's server`);
    }
    return this.createMessage({ channel, authorId: userId, body: { content } });
  }

  // ---------------------------------------------------------------- reactions

  addReaction(record: MessageRecord, userId: string, parsed: ParsedEmoji): boolean {
    const map = this.state.reactions.get(record.message.id) ?? new Map<string, ReactionRecord>();
    this.state.reactions.set(record.message.id, map);
    const reaction = map.get(parsed.key) ?? { key: parsed.key, emoji: parsed.emoji, users: [] };
    map.set(parsed.key, reaction);
    if (reaction.users.includes(userId)) return false;
    reaction.users.push(userId);
    const d: Record<string, unknown> = {
      user_id: userId,
      channel_id: record.channelId,
      message_id: record.message.id,
      emoji: { ...parsed.emoji },
      message_author_id: record.message.author.id,
      burst: false,
      burst_colors: [],
      type: 0,
    };
    if (record.guildId) {
      d.guild_id = record.guildId;
      const member = this.state.memberObject(record.guildId, userId);
      if (member) d.member = member;
    }
    if (!record.ephemeral) {
      this.gateway.dispatch(
        GatewayDispatchEvents.MessageReactionAdd,
        d,
        record.guildId ? REACTION_INTENTS.guild : REACTION_INTENTS.dm,
      );
    }
    return true;
  }

  removeReaction(record: MessageRecord, userId: string, parsed: ParsedEmoji): boolean {
    const reaction = this.state.reactions.get(record.message.id)?.get(parsed.key);
    if (!reaction || !reaction.users.includes(userId)) return false;
    reaction.users = reaction.users.filter((u) => u !== userId);
    if (!record.ephemeral) {
      this.gateway.dispatch(
        GatewayDispatchEvents.MessageReactionRemove,
        {
          user_id: userId,
          channel_id: record.channelId,
          message_id: record.message.id,
          ...(record.guildId ? { guild_id: record.guildId } : {}),
          emoji: { ...reaction.emoji },
          burst: false,
          type: 0,
        },
        record.guildId ? REACTION_INTENTS.guild : REACTION_INTENTS.dm,
      );
    }
    return true;
  }

  removeAllReactions(record: MessageRecord, key?: string): void {
    const map = this.state.reactions.get(record.message.id);
    if (!map) return;
    const base = {
      channel_id: record.channelId,
      message_id: record.message.id,
      ...(record.guildId ? { guild_id: record.guildId } : {}),
    };
    const intent = record.guildId ? REACTION_INTENTS.guild : REACTION_INTENTS.dm;
    if (key === undefined) {
      map.clear();
      this.gateway.dispatch(GatewayDispatchEvents.MessageReactionRemoveAll, base, intent);
      return;
    }
    const reaction = map.get(key);
    if (!reaction) return;
    map.delete(key);
    this.gateway.dispatch(
      GatewayDispatchEvents.MessageReactionRemoveEmoji,
      { ...base, emoji: reaction.emoji },
      intent,
    );
  }

  /** PUT/DELETE …/reactions/:emoji/@me and friends share these checks. */
  reactionTarget(channelId: string, messageId: string): MessageRecord {
    const channel = this.channel(channelId);
    this.requireBot(channel, HISTORY);
    return this.message(channelId, messageId);
  }

  botReact(channelId: string, messageId: string, rawEmoji: string): void {
    const record = this.reactionTarget(channelId, messageId);
    const parsed = parseEmoji(rawEmoji);
    if (!parsed.emoji.name) throw Errors.unknownEmoji();
    if (parsed.emoji.id) this.requireUsableEmoji(this.channel(channelId), parsed.emoji.id);
    const existing = this.state.reactions.get(messageId)?.get(parsed.key);
    if (!existing || existing.users.length === 0)
      this.requireBot(this.channel(channelId), ADD_REACTIONS);
    this.addReaction(record, this.botId, parsed);
  }

  /**
   * A bot may react with a custom emoji of a server it is in: its own server's freely, another
   * one's with Use External Emojis. Any other emoji is unknown to it (10014).
   */
  private requireUsableEmoji(channel: ChannelRecord, emojiId: string): void {
    const owner = this.state.emojiGuild(emojiId);
    if (!owner || !owner.members.has(this.botId)) throw Errors.unknownEmoji();
    if (owner.id !== channel.guildId) {
      this.requireBot(channel, PermissionFlagsBits.UseExternalEmojis);
    }
  }

  botUnreact(channelId: string, messageId: string, rawEmoji: string, userId: string): void {
    const record = this.reactionTarget(channelId, messageId);
    if (userId !== this.botId) this.requireBot(this.channel(channelId), MANAGE_MESSAGES);
    this.removeReaction(record, userId, parseEmoji(rawEmoji));
  }

  requireManageMessages(channelId: string): void {
    this.requireBot(this.channel(channelId), MANAGE_MESSAGES);
  }

  // ---------------------------------------------------------------- interactions

  registerInteraction(record: InteractionRecord): void {
    this.interactions.set(record.id, record);
    this.interactionsByToken.set(record.token, record);
    record.timer = setTimeout(() => {
      record.timer = null;
      if (record.callbacks.length > 0) return;
      record.status = "expired";
      if (!record.reportedUnanswered) {
        record.reportedUnanswered = true;
        this.violate(
          record.describe(),
          `not answered within ${this.options.interactionTimeoutMs / 1000} s`,
        );
      }
      record.touch();
    }, this.options.interactionTimeoutMs);
    record.timer.unref();
  }

  /** POST /interactions/:id/:token/callback */
  interactionCallback(
    id: string,
    token: string,
    body: APIInteractionResponse,
    withResponse: boolean,
    where: string,
    files: readonly UploadedFile[] = [],
  ): RESTPostAPIInteractionCallbackWithResponseResult | undefined {
    const record = this.interactions.get(id);
    if (!record || record.token !== token) {
      this.violate(where, "callback for an unknown interaction id or token");
      throw Errors.unknownInteraction();
    }
    if (record.status === "expired") {
      this.violate(
        record.describe(),
        `callback type ${body.type} after the ${this.options.interactionTimeoutMs / 1000} s deadline (10062)`,
      );
      throw Errors.unknownInteraction();
    }
    if (record.callbacks.length > 0) {
      this.violate(
        record.describe(),
        `answered twice: callback type ${body.type} after [${record.callbacks.join(", ")}] (40060)`,
      );
      throw Errors.alreadyAcknowledged();
    }
    const type = body.type;
    const isAutocomplete = record.type === InteractionType.ApplicationCommandAutocomplete;
    const invalid = (why: string): never => {
      this.violate(record.describe(), why);
      throw Errors.invalidFormBody([why]);
    };
    if (
      isAutocomplete !==
      (type === InteractionResponseType.ApplicationCommandAutocompleteResult)
    ) {
      invalid(`callback type ${type} is not valid for this interaction type (${record.type})`);
    }
    if (
      (type === InteractionResponseType.DeferredMessageUpdate ||
        type === InteractionResponseType.UpdateMessage) &&
      !record.sourceMessageId
    ) {
      invalid(
        `callback type ${type} needs a component interaction (there is no message to update)`,
      );
    }
    if (type === InteractionResponseType.Modal && record.type === InteractionType.ModalSubmit) {
      invalid("a modal cannot answer a modal submit");
    }
    if (
      ![4, 5, 6, 7, 8, 9].includes(type) // PONG and premium/launch types are not for gateway bots
    ) {
      invalid(`callback type ${type} is not supported`);
    }

    const channel = this.state.channels.get(record.channelId);
    const data = (body as { data?: Record<string, unknown> }).data ?? {};
    let resourceMessage: MessageRecord | undefined;
    switch (type) {
      case InteractionResponseType.ChannelMessageWithSource: {
        const msg = data as IncomingMessageBody;
        const { hard, soft } = checkMessageBody(msg);
        this.enforce(record.describe(), hard, soft);
        if (this.isEmpty(msg, files)) invalid("empty message in callback type 4");
        if (!channel) throw Errors.unknownChannel();
        const ephemeral = ((msg.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
        resourceMessage = this.createMessage({
          channel,
          authorId: this.botId,
          body: msg,
          files,
          type: this.responseType(record),
          flags:
            (msg.flags ?? 0) &
            (MessageFlags.Ephemeral |
              MessageFlags.SuppressEmbeds |
              MessageFlags.IsComponentsV2 |
              MessageFlags.SuppressNotifications),
          ephemeral,
          interaction: record,
        });
        record.originalId = resourceMessage.message.id;
        record.settled = true;
        break;
      }
      case InteractionResponseType.DeferredChannelMessageWithSource: {
        if (!channel) throw Errors.unknownChannel();
        const ephemeral =
          (((data.flags as number | undefined) ?? 0) & MessageFlags.Ephemeral) !== 0;
        resourceMessage = this.createMessage({
          channel,
          authorId: this.botId,
          body: { content: "" },
          type: this.responseType(record),
          flags: MessageFlags.Loading | (ephemeral ? MessageFlags.Ephemeral : 0),
          ephemeral,
          interaction: record,
        });
        record.originalId = resourceMessage.message.id;
        record.deferredType = type;
        break;
      }
      case InteractionResponseType.DeferredMessageUpdate:
        record.originalId = record.sourceMessageId;
        record.deferredType = type;
        break;
      case InteractionResponseType.UpdateMessage: {
        const msg = data as IncomingMessageBody;
        const { hard, soft } = checkMessageBody(msg);
        this.enforce(record.describe(), hard, soft);
        const source = this.state.messages.get(record.sourceMessageId!);
        if (!source || source.deleted) throw Errors.unknownMessage();
        this.editMessage(source, msg, files);
        record.originalId = source.message.id;
        resourceMessage = source;
        record.settled = true;
        break;
      }
      case InteractionResponseType.ApplicationCommandAutocompleteResult: {
        const choices = (data.choices ?? []) as NonNullable<typeof record.choices>;
        const problems = checkAutocompleteChoices(choices);
        this.enforce(record.describe(), problems);
        record.choices = choices;
        record.settled = true;
        break;
      }
      case InteractionResponseType.Modal: {
        const modal = data as unknown as APIModalInteractionResponseCallbackData;
        this.enforce(record.describe(), checkModal(modal));
        record.modal = structuredClone(modal);
        record.settled = true;
        break;
      }
      default:
        break;
    }
    record.callbacks.push(type);
    record.status = "acknowledged";
    if (record.timer) clearTimeout(record.timer);
    record.timer = null;
    record.touch();
    if (!withResponse) return undefined;
    const result: RESTPostAPIInteractionCallbackWithResponseResult = {
      interaction: { id: record.id, type: record.type },
    };
    if (record.originalId && type !== InteractionResponseType.DeferredMessageUpdate) {
      const view = this.messageView(record.originalId)!;
      result.interaction.response_message_id = view.id;
      result.interaction.response_message_loading =
        ((view.flags ?? 0) & MessageFlags.Loading) !== 0;
      result.interaction.response_message_ephemeral =
        ((view.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
    }
    result.resource = { type };
    if (resourceMessage) result.resource.message = this.messageView(resourceMessage.message.id)!;
    return result;
  }

  private responseType(record: InteractionRecord): MessageType {
    if (record.type !== InteractionType.ApplicationCommand) return MessageType.Default;
    const data = record.payload.data as { type?: ApplicationCommandType } | undefined;
    return data?.type === ApplicationCommandType.ChatInput
      ? MessageType.ChatInputCommand
      : MessageType.ContextMenuCommand;
  }

  /** The interaction behind a webhook route (`/webhooks/:app/:token`), acknowledged. */
  webhookInteraction(applicationId: string, token: string, where: string): InteractionRecord {
    const record = this.interactionsByToken.get(token);
    if (applicationId !== this.options.applicationId || !record) {
      this.violate(where, "webhook call with an unknown application id or interaction token");
      throw Errors.unknownWebhook();
    }
    if (record.callbacks.length === 0) {
      this.violate(record.describe(), `${where} before the interaction was acknowledged`);
      throw Errors.unknownWebhook();
    }
    return record;
  }

  /** The message a webhook route names: `@original`, or a follow-up of the interaction. */
  webhookMessage(record: InteractionRecord, messageId: string, where: string): MessageRecord {
    const id = messageId === "@original" ? record.originalId : messageId;
    const owned = id !== null && (id === record.originalId || record.followUpIds.includes(id));
    const message = id ? this.state.messages.get(id) : undefined;
    if (!owned || !message || message.deleted) {
      if (messageId === "@original") {
        this.violate(record.describe(), `${where}: there is no original response`);
      }
      throw Errors.unknownMessage();
    }
    return message;
  }

  editWebhookMessage(
    record: InteractionRecord,
    messageId: string,
    body: IncomingMessageBody,
    files: readonly UploadedFile[],
    where: string,
  ): MessageRecord {
    const target = this.webhookMessage(record, messageId, where);
    const { hard, soft } = checkMessageBody(body);
    this.enforce(record.describe(), hard, soft);
    this.editMessage(target, body, files);
    if (target.message.id === record.originalId) record.settled = true;
    record.touch();
    return target;
  }

  deleteWebhookMessage(record: InteractionRecord, messageId: string, where: string): void {
    const target = this.webhookMessage(record, messageId, where);
    if (target.message.id === record.sourceMessageId && messageId !== "@original") {
      throw Errors.unknownMessage();
    }
    this.deleteMessage(target);
    if (target.message.id === record.originalId) record.originalDeleted = true;
    record.touch();
  }

  /**
   * POST /webhooks/:app/:token. The first follow-up after a type-5 deferral fills the loading
   * original response, keeping the deferral's ephemerality (Discord ignores its flags).
   */
  followUp(
    record: InteractionRecord,
    body: IncomingMessageBody,
    files: readonly UploadedFile[],
    where: string,
  ): MessageRecord {
    if (this.isEmpty(body, files)) {
      this.violate(record.describe(), `${where}: empty follow-up message`);
      throw Errors.emptyMessage();
    }
    const { hard, soft } = checkMessageBody(body);
    this.enforce(record.describe(), hard, soft);
    const original = record.originalId ? this.state.messages.get(record.originalId) : undefined;
    if (
      record.deferredType === InteractionResponseType.DeferredChannelMessageWithSource &&
      original &&
      !original.deleted &&
      ((original.message.flags ?? 0) & MessageFlags.Loading) !== 0
    ) {
      // Ephemerality stays the deferral's; other flags (Components V2) apply.
      this.editMessage(
        original,
        { ...body, flags: (body.flags ?? 0) & ~MessageFlags.Ephemeral },
        files,
      );
      record.originalFilledByFollowUp = true;
      record.settled = true;
      record.touch();
      return original;
    }
    const channel = this.state.channels.get(record.channelId);
    if (!channel) throw Errors.unknownChannel();
    const ephemeral = ((body.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
    const created = this.createMessage({
      channel,
      authorId: this.botId,
      body,
      files,
      flags:
        (body.flags ?? 0) &
        (MessageFlags.Ephemeral |
          MessageFlags.SuppressEmbeds |
          MessageFlags.IsComponentsV2 |
          MessageFlags.SuppressNotifications),
      ephemeral,
      interaction: record,
    });
    record.followUpIds.push(created.message.id);
    record.settled = true;
    record.touch();
    return created;
  }

  // ---------------------------------------------------------------- commands

  commandList(guildId?: string): APIApplicationCommand[] {
    return guildId ? (this.state.guildCommands.get(guildId) ?? []) : this.state.globalCommands;
  }

  /** Bulk overwrite, keeping the id of a command whose name and type stay. */
  putCommands(
    guildId: string | undefined,
    definitions: RESTPostAPIApplicationCommandsJSONBody[],
    where: string,
  ): APIApplicationCommand[] {
    if (!Array.isArray(definitions)) throw Errors.invalidFormBody(["body must be an array"]);
    const problems = definitions.flatMap((d, i) => checkCommand(d, `[${i}]`));
    const names = new Set<string>();
    definitions.forEach((d) => {
      const key = `${d.type ?? 1}:${d.name}`;
      if (names.has(key)) problems.push(`command name "${d.name}" is used twice`);
      names.add(key);
    });
    if (definitions.length > 100) problems.push(`${definitions.length} commands (max 100)`);
    this.enforce(where, problems);
    const old = this.commandList(guildId);
    const next = definitions.map((d) => this.toCommand(d, guildId, old));
    if (guildId) this.state.guildCommands.set(guildId, next);
    else this.state.globalCommands.splice(0, this.state.globalCommands.length, ...next);
    this.commandPuts++;
    return next;
  }

  upsertCommand(
    guildId: string | undefined,
    definition: RESTPostAPIApplicationCommandsJSONBody,
    where: string,
  ): APIApplicationCommand {
    this.enforce(where, checkCommand(definition, ""));
    const list = this.commandList(guildId);
    const command = this.toCommand(definition, guildId, list);
    const rest = list.filter((c) => c.id !== command.id);
    if (guildId) this.state.guildCommands.set(guildId, [...rest, command]);
    else this.state.globalCommands.splice(0, this.state.globalCommands.length, ...rest, command);
    return command;
  }

  private toCommand(
    d: RESTPostAPIApplicationCommandsJSONBody,
    guildId: string | undefined,
    old: readonly APIApplicationCommand[],
  ): APIApplicationCommand {
    const type = d.type ?? ApplicationCommandType.ChatInput;
    const kept = old.find((c) => c.name === d.name && c.type === type);
    const command = {
      ...structuredClone(d),
      id: kept?.id ?? this.ids.next(),
      application_id: this.options.applicationId,
      version: this.ids.next(),
      type,
      description: (d as { description?: string }).description ?? "",
      default_member_permissions: d.default_member_permissions ?? null,
      nsfw: d.nsfw ?? false,
    } as APIApplicationCommand;
    if (guildId) command.guild_id = guildId;
    return command;
  }

  // ---------------------------------------------------------------- requests & waiters

  logRequest(entry: RequestRecord): void {
    this.requests.push(entry);
    this.events.emit("request", entry);
  }

  /** Resolves with the first message matching `match` created after the call (or already, with `after`). */
  waitForMessage(
    match: (record: MessageRecord) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<MessageRecord> {
    return new Promise((resolve, reject) => {
      const onMessage = (record: MessageRecord): void => {
        if (!match(record)) return;
        clearTimeout(timer);
        this.events.off("bot-post", onMessage);
        resolve(record);
      };
      const timer = setTimeout(() => {
        this.events.off("bot-post", onMessage);
        reject(new Error(`emulator: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.events.on("bot-post", onMessage);
    });
  }

  sortedChannelMessages(channelId: string): MessageRecord[] {
    return this.state
      .channelList(channelId)
      .sort((a, b) => compareSnowflakes(a.message.id, b.message.id));
  }

  stopTimers(): void {
    for (const record of this.interactions.values()) {
      if (record.timer) clearTimeout(record.timer);
      record.timer = null;
    }
  }
}

const NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** The checks Discord applies to a command definition. */
function checkCommand(d: RESTPostAPIApplicationCommandsJSONBody, at: string): string[] {
  const out: string[] = [];
  const type = d.type ?? ApplicationCommandType.ChatInput;
  const chat = type === ApplicationCommandType.ChatInput;
  if (
    typeof d.name !== "string" ||
    (chat
      ? !NAME.test(d.name) || d.name !== d.name.toLowerCase()
      : d.name.length < 1 || d.name.length > 32)
  ) {
    out.push(`command${at} name ${JSON.stringify(d.name)} is not valid`);
  }
  const description = (d as { description?: string }).description ?? "";
  if (chat && (description.length < 1 || description.length > 100)) {
    out.push(`command${at} "${d.name}" description must be 1-100 characters`);
  }
  if (chat)
    checkOptions(
      (d as { options?: APIApplicationCommandOption[] }).options ?? [],
      `command${at} "${d.name}"`,
      out,
      0,
    );
  return out;
}

function checkOptions(
  options: readonly APIApplicationCommandOption[],
  at: string,
  out: string[],
  depth: number,
): void {
  if (options.length > 25) out.push(`${at} has ${options.length} options (max 25)`);
  let seenOptional = false;
  const names = new Set<string>();
  for (const o of options) {
    const here = `${at} option "${o.name}"`;
    if (!NAME.test(o.name) || o.name !== o.name.toLowerCase())
      out.push(`${here}: name is not valid`);
    if (names.has(o.name)) out.push(`${here}: name is used twice`);
    names.add(o.name);
    if (!o.description || o.description.length > 100)
      out.push(`${here}: description must be 1-100 characters`);
    const isSub =
      o.type === ApplicationCommandOptionType.Subcommand ||
      o.type === ApplicationCommandOptionType.SubcommandGroup;
    if (isSub) {
      if (o.type === ApplicationCommandOptionType.SubcommandGroup && depth > 0) {
        out.push(`${here}: a subcommand group cannot be nested`);
      }
      checkOptions(
        (o as { options?: APIApplicationCommandOption[] }).options ?? [],
        here,
        out,
        depth + 1,
      );
      continue;
    }
    const required = (o as { required?: boolean }).required === true;
    if (required && seenOptional)
      out.push(`${here}: required options must come before optional ones`);
    if (!required) seenOptional = true;
    const choices = (o as { choices?: { name: string; value: unknown }[] }).choices;
    const autocomplete = (o as { autocomplete?: boolean }).autocomplete === true;
    if (choices && choices.length > 25) out.push(`${here}: ${choices.length} choices (max 25)`);
    if (choices && choices.length > 0 && autocomplete) {
      out.push(`${here}: autocomplete cannot be used with choices`);
    }
    for (const c of choices ?? []) {
      if (c.name.length < 1 || c.name.length > 100)
        out.push(`${here}: choice name must be 1-100 characters`);
      if (typeof c.value === "string" && c.value.length > 100)
        out.push(`${here}: choice value over 100 characters`);
    }
  }
}
