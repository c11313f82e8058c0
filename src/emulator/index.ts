import type { RoleFlags } from "discord-api-types/v10";
import {
  ChannelType,
  GatewayDispatchEvents,
  GatewayIntentBits,
  Locale,
  OverwriteType,
  type APIApplicationCommand,
  type APIMessage,
  type APIRole,
} from "discord-api-types/v10";
import { Core, type RequestRecord } from "./core.js";
import { UserDriver } from "./drivers.js";
import { Faults } from "./faults.js";
import type { GatewayStats, ShardingOptions } from "./gateway.js";
import { RateLimiter, type RateLimitHit, type RateLimitOptions } from "./ratelimits.js";
import { RestServer } from "./rest.js";
import { compareSnowflakes, nextOnShard } from "./snowflake.js";
import { DEFAULT_BOT_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS } from "./state.js";

export { ApiError, ErrorCodes, InteractionRefused } from "./errors.js";
export type { RefusalCode } from "./errors.js";
export type { RateLimitHit, RateLimitOptions } from "./ratelimits.js";
export type { Fault, FaultSpec } from "./faults.js";
export type { GatewayStats, ShardingOptions } from "./gateway.js";
export { shardOf } from "./gateway.js";
export { InteractionHandle } from "./interactions.js";
export type { FollowUpOptions, InteractionStatus, ReplyOptions } from "./interactions.js";
export { DISCORD_LIMITS } from "./limits.js";
export type { RequestRecord } from "./core.js";
export { UserDriver } from "./drivers.js";
export type {
  AutocompleteOptions,
  EmojiRef,
  MessageRef,
  OptionValue,
  OptionValues,
  RunCommandOptions,
} from "./drivers.js";

export interface EmulatorOptions {
  /** Default "1234567890123456789" (the id `test/e2e/bot-process.ts` encodes in its token). */
  applicationId?: string;
  /** Default: the application id, as for every modern bot. */
  botUserId?: string;
  botUsername?: string;
  /** Gateway heartbeat interval sent in HELLO (default 41 250 ms, Discord's). */
  heartbeatIntervalMs?: number;
  /** Interaction deadline (default 3000 ms, Discord's). */
  interactionTimeoutMs?: number;
  /** Default wait of `InteractionHandle.reply()` (default 3500 ms). */
  replyTimeoutMs?: number;
  /** Answer Discord-limit breaches with 400 50035 as Discord does (default true); they are recorded either way. */
  rejectInvalid?: boolean;
  /** How long `enforce_nonce` remembers a nonce (default 5 min; Discord says "a few minutes"). */
  nonceWindowMs?: number;
  /** Per-route buckets and the global limit (on by default; see `RateLimitOptions`). */
  rateLimits?: RateLimitOptions;
  /**
   * Gateway sharding as `/gateway/bot` reports and IDENTIFY enforces: `maxConcurrency` (default
   * 1), `identifyWindowMs` (default 5000), `maxGuildsPerShard` (default 2500),
   * `recommendedShards` (default one per 1000 servers).
   */
  sharding?: Partial<ShardingOptions>;
}

export interface GuildSpec {
  /** A fixed id, so a world rebuilt after a restart keeps its ids (default: a new snowflake). */
  id?: string;
  /** Give the server an id Discord puts on this shard of `count` (ignored with `id`). */
  shard?: { id: number; count: number };
  name?: string;
  /** Permissions of @everyone (default: Discord's usual member set). */
  everyonePermissions?: bigint;
  /** Permissions of the bot's managed role (default: view, send, embed, attach, history, react). */
  botPermissions?: bigint;
  locale?: Locale;
}

export interface AddedGuild {
  id: string;
  everyoneRoleId: string;
  botRoleId: string;
  ownerId: string;
}

export interface ChannelSpec {
  /** A fixed id (default: a new snowflake). */
  id?: string;
  name?: string;
  topic?: string;
}

export interface RoleSpec {
  /** A fixed id (default: a new snowflake). */
  id?: string;
  name: string;
  permissions?: bigint;
}

export interface MemberSpec {
  username: string;
  roles?: string[];
  /** Extra permissions, given through a personal role (@everyone's still apply). */
  permissions?: bigint;
  bot?: boolean;
  /** The bot's DMs to this user fail with 403 50007. */
  dmsClosed?: boolean;
  /** Reuse an existing user (to put one user in several servers). */
  id?: string;
  locale?: Locale;
}

export interface UserOptions {
  /** The channel the user acts in (default: the server's first channel). */
  channelId?: string;
}

export interface PermissionOverwrite {
  allow?: bigint;
  deny?: bigint;
}

export interface ReactionSummary {
  /** The unicode emoji, or `name:id` for a custom one. */
  emoji: string;
  userIds: string[];
}

const DEFAULT_APPLICATION_ID = "1234567890123456789";

/**
 * A fake Discord (REST v10 + gateway) on 127.0.0.1 that a real discord.js client talks to, given
 * `rest: { api: emu.apiUrl }` and `login(emu.token)`.
 *
 * - Build the world: `addGuild`, `addChannel`, `addRole`, `addMember` (announced over the
 *   gateway when a client is connected).
 * - Act as users: `emu.user(guildId, memberId).runCommand("entry add", { kind: "model" })`
 *   returns an `InteractionHandle`; `await handle.reply()` is the visible answer.
 * - Look: `messages`, `reactions`, `commands`, `requests`; wait: `nextMessage`, `waitFor`.
 * - Break things: `faults.add(...)`, `dropGateway()`, `gatewayOutage()`, `invalidateSession()`,
 *   `setBotPermissions`, `deleteChannel`, `setDmsClosed`.
 * - Check: `violations` lists every Discord rule the bot broke; call `assertClean()` in afterEach.
 */
export class DiscordEmulator {
  readonly faults = new Faults();
  private readonly limiter: RateLimiter;
  private readonly core: Core;
  private readonly rest: RestServer;
  private stopped = false;

  private constructor(options: EmulatorOptions) {
    const applicationId = options.applicationId ?? DEFAULT_APPLICATION_ID;
    this.core = new Core({
      applicationId,
      botUserId: options.botUserId ?? applicationId,
      botUsername: options.botUsername ?? "modeldex",
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      interactionTimeoutMs: options.interactionTimeoutMs ?? 3_000,
      replyTimeoutMs: options.replyTimeoutMs ?? 3_500,
      rejectInvalid: options.rejectInvalid ?? true,
      nonceWindowMs: options.nonceWindowMs ?? 5 * 60_000,
      sharding: {
        maxConcurrency: options.sharding?.maxConcurrency ?? 1,
        identifyWindowMs: options.sharding?.identifyWindowMs ?? 5_000,
        maxGuildsPerShard: options.sharding?.maxGuildsPerShard ?? 2_500,
        recommendedShards: options.sharding?.recommendedShards,
      },
    });
    this.limiter = new RateLimiter(options.rateLimits);
    this.rest = new RestServer(this.core, this.faults, this.limiter);
  }

  static async start(options: EmulatorOptions = {}): Promise<DiscordEmulator> {
    const emu = new DiscordEmulator(options);
    await emu.rest.listen();
    return emu;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.core.stopTimers();
    await this.core.gateway.close();
    await this.rest.close();
  }

  // ---------------------------------------------------------------- identity

  /** `http://127.0.0.1:PORT/api`, the discord.js `rest.api` (without `/v10`). */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.rest.port}/api`;
  }

  get gatewayUrl(): string {
    return this.core.gateway.url;
  }

  get applicationId(): string {
    return this.core.options.applicationId;
  }

  get botUserId(): string {
    return this.core.botId;
  }

  /** A syntactically valid bot token (the emulator accepts any `Bot …` token). */
  get token(): string {
    // Real tokens carry the id in unpadded base64 (no "="), which token checks rely on.
    const id = Buffer.from(this.core.botId).toString("base64").replace(/=+$/, "");
    return `${id}.GhIjKl.${"a".repeat(38)}`;
  }

  // ---------------------------------------------------------------- world building

  addGuild(spec: GuildSpec = {}): AddedGuild {
    const state = this.core.state;
    const ids = this.core.ids;
    const id =
      spec.id ?? (spec.shard ? nextOnShard(ids, spec.shard.id, spec.shard.count) : ids.next());
    const ownerId = ids.next();
    state.users.set(ownerId, {
      id: ownerId,
      username: `owner-${ownerId.slice(-4)}`,
      globalName: null,
      bot: false,
      locale: Locale.EnglishUS,
      dmsClosed: false,
    });
    const botRoleId = ids.next();
    const everyone = role(
      id,
      "@everyone",
      spec.everyonePermissions ?? DEFAULT_EVERYONE_PERMISSIONS,
      0,
    );
    const botRole: APIRole = {
      ...role(
        botRoleId,
        this.core.botUser().username,
        spec.botPermissions ?? DEFAULT_BOT_PERMISSIONS,
        1,
      ),
      managed: true,
      tags: { bot_id: this.core.botId },
    };
    const joinedAt = new Date().toISOString();
    state.guilds.set(id, {
      id,
      name: spec.name ?? "Test server",
      ownerId,
      everyoneRoleId: id,
      botRoleId,
      locale: spec.locale ?? Locale.EnglishUS,
      joinedAt,
      roles: new Map([
        [id, everyone],
        [botRoleId, botRole],
      ]),
      channelIds: [],
      emojis: new Map(),
      members: new Map([
        [ownerId, { userId: ownerId, roles: [], nick: null, joinedAt }],
        [this.core.botId, { userId: this.core.botId, roles: [botRoleId], nick: null, joinedAt }],
      ]),
    });
    if (this.core.gateway.hasSession) {
      this.core.gateway.dispatch(
        GatewayDispatchEvents.GuildCreate,
        state.guildCreate(id),
        GatewayIntentBits.Guilds,
      );
    }
    return { id, everyoneRoleId: id, botRoleId, ownerId };
  }

  addChannel(guildId: string, spec: ChannelSpec = {}): { id: string } {
    const guild = this.guild(guildId);
    const id = spec.id ?? this.core.ids.next();
    this.core.state.channels.set(id, {
      id,
      guildId,
      type: ChannelType.GuildText,
      name: spec.name ?? `channel-${guild.channelIds.length + 1}`,
      topic: spec.topic ?? null,
      position: guild.channelIds.length,
      overwrites: [],
      recipientId: null,
      lastMessageId: null,
    });
    guild.channelIds.push(id);
    this.core.gateway.dispatch(
      GatewayDispatchEvents.ChannelCreate,
      this.core.state.channelObject(id),
      GatewayIntentBits.Guilds,
    );
    return { id };
  }

  /**
   * Adds a custom emoji to a server (GUILD_EMOJIS_UPDATE). The bot may react with it there, and
   * in its other servers with Use External Emojis; a custom emoji of no server it is in is
   * refused (10014 Unknown Emoji), as on Discord.
   */
  addEmoji(guildId: string, spec: { name: string; animated?: boolean }): { id: string } {
    const guild = this.guild(guildId);
    const id = this.core.ids.next();
    guild.emojis.set(id, { id, name: spec.name, animated: spec.animated ?? false });
    this.core.gateway.dispatch(
      GatewayDispatchEvents.GuildEmojisUpdate,
      { guild_id: guildId, emojis: this.core.state.emojisOf(guild) },
      GatewayIntentBits.GuildExpressions,
    );
    return { id };
  }

  addRole(guildId: string, spec: RoleSpec): { id: string } {
    const guild = this.guild(guildId);
    const id = spec.id ?? this.core.ids.next();
    const created = role(id, spec.name, spec.permissions ?? 0n, guild.roles.size);
    guild.roles.set(id, created);
    this.core.gateway.dispatch(
      GatewayDispatchEvents.GuildRoleCreate,
      { guild_id: guildId, role: created },
      GatewayIntentBits.Guilds,
    );
    return { id };
  }

  addMember(guildId: string, spec: MemberSpec): { id: string } {
    const guild = this.guild(guildId);
    const state = this.core.state;
    const id = spec.id ?? this.core.ids.next();
    if (!state.users.has(id)) {
      state.users.set(id, {
        id,
        username: spec.username,
        globalName: null,
        bot: spec.bot ?? false,
        locale: spec.locale ?? Locale.EnglishUS,
        dmsClosed: spec.dmsClosed ?? false,
      });
    }
    const roles = [...(spec.roles ?? [])];
    for (const roleId of roles)
      if (!guild.roles.has(roleId)) throw new Error(`emulator: unknown role ${roleId}`);
    if (spec.permissions !== undefined)
      roles.push(
        this.addRole(guildId, { name: `${spec.username}-perms`, permissions: spec.permissions }).id,
      );
    const joinedAt = new Date().toISOString();
    guild.members.set(id, { userId: id, roles, nick: null, joinedAt });
    this.core.gateway.dispatch(
      GatewayDispatchEvents.GuildMemberAdd,
      { ...state.memberObject(guildId, id), guild_id: guildId },
      GatewayIntentBits.GuildMembers,
    );
    return { id };
  }

  /** Gives a member roles (GUILD_MEMBER_UPDATE for clients with the Guild Members intent). */
  setMemberRoles(guildId: string, userId: string, roles: string[]): void {
    const member = this.guild(guildId).members.get(userId);
    if (!member) throw new Error(`emulator: ${userId} is not a member of ${guildId}`);
    member.roles = [...roles];
    this.core.gateway.dispatch(
      GatewayDispatchEvents.GuildMemberUpdate,
      { ...this.core.state.memberObject(guildId, userId), guild_id: guildId },
      GatewayIntentBits.GuildMembers,
    );
  }

  /** Sets the bot's member overwrite on a channel (CHANNEL_UPDATE), e.g. `{ deny: SendMessages }`. */
  setBotPermissions(channelId: string, overwrite: PermissionOverwrite): void {
    const channel = this.core.state.channels.get(channelId);
    if (!channel || !channel.guildId) throw new Error(`emulator: no server channel ${channelId}`);
    channel.overwrites = channel.overwrites.filter((o) => o.id !== this.core.botId);
    channel.overwrites.push({
      id: this.core.botId,
      type: OverwriteType.Member,
      allow: (overwrite.allow ?? 0n).toString(),
      deny: (overwrite.deny ?? 0n).toString(),
    });
    this.core.gateway.dispatch(
      GatewayDispatchEvents.ChannelUpdate,
      this.core.state.channelObject(channelId),
      GatewayIntentBits.Guilds,
    );
  }

  /** Deletes a channel (CHANNEL_DELETE); calls on it then answer 404 10003. */
  deleteChannel(channelId: string): void {
    const state = this.core.state;
    const channel = state.channels.get(channelId);
    if (!channel) throw new Error(`emulator: no channel ${channelId}`);
    const view = state.channelObject(channelId);
    state.channels.delete(channelId);
    if (channel.guildId) {
      const guild = state.guilds.get(channel.guildId)!;
      guild.channelIds = guild.channelIds.filter((id) => id !== channelId);
    }
    this.core.gateway.dispatch(GatewayDispatchEvents.ChannelDelete, view, GatewayIntentBits.Guilds);
  }

  /** Makes the bot's DMs to a user fail (403 50007) or work again. */
  setDmsClosed(userId: string, closed = true): void {
    const user = this.core.state.users.get(userId);
    if (!user) throw new Error(`emulator: unknown user ${userId}`);
    user.dmsClosed = closed;
  }

  // ---------------------------------------------------------------- drivers

  /** Acts as a member: commands, clicks, modals, reactions. */
  user(guildId: string, userId: string, options: UserOptions = {}): UserDriver {
    const guild = this.guild(guildId);
    if (!guild.members.has(userId))
      throw new Error(`emulator: ${userId} is not a member of ${guildId}`);
    const channelId = options.channelId ?? guild.channelIds[0];
    if (!channelId) throw new Error(`emulator: server ${guildId} has no channel; add one first`);
    return new UserDriver(this.core, guildId, userId, channelId);
  }

  /** Acts as a user in their DM with the bot (context BOT_DM). */
  dmUser(userId: string): UserDriver {
    if (!this.core.state.users.has(userId)) throw new Error(`emulator: unknown user ${userId}`);
    return new UserDriver(this.core, null, userId, this.dmChannel(userId));
  }

  /** The DM channel between the bot and a user (created if needed). */
  dmChannel(userId: string): string {
    return this.core.dmChannelOf(userId);
  }

  // ---------------------------------------------------------------- state and waiters

  /** Messages in a channel, oldest first (not deleted, not ephemeral). */
  messages(channelId: string): APIMessage[] {
    return this.core
      .sortedChannelMessages(channelId)
      .map((m) => this.core.messageView(m.message.id)!);
  }

  /**
   * A channel as one user sees it, oldest first: its messages, and the ephemeral replies only
   * that user can see.
   */
  messagesFor(channelId: string, userId: string): APIMessage[] {
    const owner = (record: { interactionId: string | null }): string | undefined =>
      record.interactionId ? this.core.interactions.get(record.interactionId)?.userId : undefined;
    return [...this.core.state.messages.values()]
      .filter(
        (m) => m.channelId === channelId && !m.deleted && (!m.ephemeral || owner(m) === userId),
      )
      .sort((a, b) => compareSnowflakes(a.message.id, b.message.id))
      .map((m) => this.core.messageView(m.message.id)!);
  }

  /**
   * Calls `listener` with a channel's id whenever something in it changes: a message is created,
   * edited or deleted, or the bot adds or removes a reaction. Returns the function that stops it.
   */
  onChannelChange(listener: (channelId: string) => void): () => void {
    const events = this.core.events;
    const onMessage = (record: { channelId: string }): void => listener(record.channelId);
    const onRequest = (request: RequestRecord): void => {
      const reaction = /^\/channels\/(\d+)\/messages\/\d+\/reactions/.exec(request.path);
      if (reaction && request.status < 300) listener(reaction[1]!);
    };
    events.on("message", onMessage);
    events.on("edit", onMessage);
    events.on("delete", onMessage);
    events.on("request", onRequest);
    return () => {
      events.off("message", onMessage);
      events.off("edit", onMessage);
      events.off("delete", onMessage);
      events.off("request", onRequest);
    };
  }

  /** Any message by id (ephemeral ones included), or undefined. */
  message(messageId: string): APIMessage | undefined {
    const record = this.core.state.messages.get(messageId);
    return record && !record.deleted ? this.core.messageView(messageId) : undefined;
  }

  /** Seeds a message by a member (MESSAGE_CREATE for clients with the message intents). */
  postMessage(channelId: string, userId: string, content: string): APIMessage {
    return this.core.messageView(this.core.postUserMessage(channelId, userId, content).message.id)!;
  }

  /**
   * The next message the bot POSTs to the channel (`/channels/:id/messages`). With `after`, a
   * message already posted after that message id counts too (no race with a fast bot).
   */
  async nextMessage(
    channelId: string,
    options: { timeoutMs?: number; after?: string } = {},
  ): Promise<APIMessage> {
    const botPost = (m: {
      channelId: string;
      message: APIMessage;
      interactionId: string | null;
    }): boolean =>
      m.channelId === channelId &&
      m.message.author.id === this.core.botId &&
      m.interactionId === null;
    if (options.after !== undefined) {
      const after = BigInt(options.after);
      const found = this.core
        .sortedChannelMessages(channelId)
        .find((m) => botPost(m) && BigInt(m.message.id) > after);
      if (found) return this.core.messageView(found.message.id)!;
    }
    const record = await this.core.waitForMessage(
      botPost,
      options.timeoutMs ?? 3_000,
      `bot message in channel ${channelId}`,
    );
    return this.core.messageView(record.message.id)!;
  }

  /** Polls `check` every 10 ms until it is true (e.g. the bot registered its commands). */
  async waitFor(
    check: () => boolean,
    options: { timeoutMs?: number; what?: string } = {},
  ): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 5_000;
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) {
        throw new Error(`emulator: ${options.what ?? "condition"} not met within ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Who reacted with what (the bot's own reactions included). */
  /** What the bot attached to a message, by file name. */
  attachment(messageId: string, filename: string): Buffer | undefined {
    const attachment = this.message(messageId)?.attachments.find((a) => a.filename === filename);
    return attachment ? this.core.attachmentData.get(attachment.id) : undefined;
  }

  /** Deletes a message as its author or a moderator would (MESSAGE_DELETE goes out). */
  deleteMessage(messageId: string): void {
    const record = this.core.state.messages.get(messageId);
    if (!record || record.deleted) throw new Error(`emulator: no message ${messageId}`);
    this.core.deleteMessage(record);
  }

  reactions(messageId: string): ReactionSummary[] {
    const map = this.core.state.reactions.get(messageId);
    if (!map) return [];
    return [...map.values()]
      .filter((r) => r.users.length > 0)
      .map((r) => ({ emoji: r.key, userIds: [...r.users] }));
  }

  /** What a member may do in a server, or in one of its channels, as Discord computes it. */
  permissions(guildId: string, userId: string, channelId?: string): bigint {
    return this.core.state.permissions(guildId, userId, channelId);
  }

  /** Registered commands: global without an argument, else the server's. */
  commands(guildId?: string): APIApplicationCommand[] {
    return structuredClone(this.core.commandList(guildId));
  }

  /** How many bulk overwrites (PUT …/commands) arrived. */
  get commandPuts(): number {
    return this.core.commandPuts;
  }

  /** Every request answered 429 so far (per-route buckets and the global limit). */
  get rateLimitHits(): readonly RateLimitHit[] {
    return this.limiter.hits;
  }

  /** Every REST call so far, in order. */
  get requests(): readonly RequestRecord[] {
    return this.core.requests;
  }

  get gatewayStats(): Readonly<GatewayStats> {
    return this.core.gateway.stats;
  }

  /** Whether a client is connected to the gateway right now. */
  get gatewayConnected(): boolean {
    return this.core.gateway.connected;
  }

  /** The gateway sessions, one per shard: `[shard_id, num_shards]` and whether it is connected. */
  get gatewayShards(): Array<{ shard: [number, number]; connected: boolean }> {
    return this.core.gateway.shards;
  }

  // ---------------------------------------------------------------- gateway faults

  /**
   * Closes the gateway socket abruptly (the client sees 1006 and must RESUME; dispatches sent
   * meanwhile are replayed). Resolves when the client is back (resumed or re-identified).
   */
  dropGateway(timeoutMs = 10_000): Promise<void> {
    return this.waitForGateway(timeoutMs, () => this.core.gateway.drop());
  }

  /**
   * Takes the gateway down: the socket drops and every reconnection is refused until `restore()`,
   * which resolves when the client is back (resumed or re-identified).
   */
  gatewayOutage(): { restore(timeoutMs?: number): Promise<void> } {
    const gateway = this.core.gateway;
    gateway.refusing = true;
    const dropped = gateway.drop();
    return {
      restore: (timeoutMs = 20_000) =>
        this.waitForGateway(timeoutMs, () => {
          gateway.refusing = false;
          return dropped;
        }),
    };
  }

  /** Sends INVALID_SESSION (d: false): the client must IDENTIFY again. Resolves when it has. */
  invalidateSession(timeoutMs = 15_000): Promise<void> {
    return this.waitForGateway(timeoutMs, () => this.core.gateway.invalidate(), "ready");
  }

  /** Sends RECONNECT (op 7): the client closes and resumes. Resolves when it has. */
  requestReconnect(timeoutMs = 10_000): Promise<void> {
    return this.waitForGateway(timeoutMs, () => this.core.gateway.reconnect());
  }

  /**
   * Does `act` (which says how many sessions it affected), then resolves once that many sessions
   * are back (resumed or re-identified).
   */
  private waitForGateway(
    timeoutMs: number,
    act: () => number,
    only?: "ready" | "resumed",
  ): Promise<void> {
    const gateway = this.core.gateway;
    let awaited = 1;
    const promise = new Promise<void>((resolve, reject) => {
      const done = (): void => {
        if (--awaited > 0) return;
        clearTimeout(timer);
        gateway.off("ready", done);
        gateway.off("resumed", done);
        resolve();
      };
      const timer = setTimeout(() => {
        gateway.off("ready", done);
        gateway.off("resumed", done);
        reject(
          new Error(`emulator: the client did not come back to the gateway within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      if (only !== "resumed") gateway.on("ready", done);
      if (only !== "ready") gateway.on("resumed", done);
    });
    awaited = Math.max(1, act());
    // Callers may ignore the promise: never let its rejection go unhandled.
    promise.catch(() => undefined);
    return promise;
  }

  // ---------------------------------------------------------------- checks

  /** Every Discord rule the bot broke so far: limits, mentions, unanswered / double answers. */
  get violations(): string[] {
    return this.core.violations;
  }

  /** Returns the violations and clears them (for tests that provoke one on purpose). */
  takeViolations(): string[] {
    return this.core.takeViolations();
  }

  /**
   * Throws with every violation (then clears them, so one failing test does not fail the next).
   * Interactions still unanswered at this point count too.
   */
  assertClean(): void {
    for (const record of this.core.interactions.values()) {
      if (record.status === "pending" && !record.reportedUnanswered) {
        record.reportedUnanswered = true;
        this.core.violate(record.describe(), "still unanswered when the test ended");
      }
    }
    const list = this.core.takeViolations();
    if (list.length > 0) {
      throw new Error(
        `Discord emulator recorded ${list.length} violation(s):\n  ${list.join("\n  ")}`,
      );
    }
  }

  private guild(guildId: string): NonNullable<ReturnType<Core["state"]["guilds"]["get"]>> {
    const guild = this.core.state.guilds.get(guildId);
    if (!guild) throw new Error(`emulator: unknown server ${guildId}`);
    return guild;
  }
}

function role(id: string, name: string, permissions: bigint, position: number): APIRole {
  return {
    id,
    name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions: permissions.toString(),
    managed: false,
    mentionable: false,
    flags: 0 as RoleFlags,
  };
}
