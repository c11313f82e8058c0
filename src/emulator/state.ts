import type { GuildSystemChannelFlags, Locale } from "discord-api-types/v10";
import {
  ChannelType,
  GuildDefaultMessageNotifications,
  GuildExplicitContentFilter,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  GuildVerificationLevel,
  OverwriteType,
  PermissionFlagsBits,
  type APIApplicationCommand,
  type ChannelFlags,
  type GuildMemberFlags,
  type UserFlags,
  type APIChannel,
  type APIDMChannel,
  type APIEmoji,
  type APIGuild,
  type APIGuildMember,
  type APIMessage,
  type APIOverwrite,
  type APIRole,
  type APITextChannel,
  type APIUser,
  type GatewayGuildCreateDispatchData,
} from "discord-api-types/v10";

export const ALL_PERMISSIONS: bigint = Object.values(PermissionFlagsBits).reduce(
  (all, bit) => all | bit,
  0n,
);

/** What @everyone may do in a new server, close to Discord's defaults. */
export const DEFAULT_EVERYONE_PERMISSIONS: bigint =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.CreatePublicThreads |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.AddReactions |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.UseExternalEmojis |
  PermissionFlagsBits.UseApplicationCommands |
  PermissionFlagsBits.CreateInstantInvite |
  PermissionFlagsBits.ChangeNickname |
  PermissionFlagsBits.Connect |
  PermissionFlagsBits.Speak;

/** The bot's own (managed) role: what a typical invite link grants. No Manage Messages. */
export const DEFAULT_BOT_PERMISSIONS: bigint =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.AddReactions |
  PermissionFlagsBits.UseExternalEmojis;

export interface UserRecord {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
  locale: Locale;
  /** When set, the bot's DMs to this user fail with 50007. */
  dmsClosed: boolean;
}

export interface MemberRecord {
  userId: string;
  roles: string[];
  nick: string | null;
  joinedAt: string;
}

export interface GuildRecord {
  id: string;
  name: string;
  ownerId: string;
  everyoneRoleId: string;
  botRoleId: string;
  locale: Locale;
  joinedAt: string;
  roles: Map<string, APIRole>;
  channelIds: string[];
  members: Map<string, MemberRecord>;
  /** The server's custom emoji, by id. */
  emojis: Map<string, EmojiRecord>;
}

export interface EmojiRecord {
  id: string;
  name: string;
  animated: boolean;
}

export interface ChannelRecord {
  id: string;
  guildId: string | null;
  type: ChannelType.GuildText | ChannelType.DM;
  name: string;
  topic: string | null;
  position: number;
  overwrites: APIOverwrite[];
  recipientId: string | null;
  lastMessageId: string | null;
}

export interface MessageRecord {
  message: APIMessage;
  channelId: string;
  guildId: string | null;
  /** Ephemeral messages exist only for the interaction's user; they are not in channel lists. */
  ephemeral: boolean;
  interactionId: string | null;
  deleted: boolean;
  createdAt: number;
}

export interface ReactionRecord {
  key: string;
  emoji: { id: string | null; name: string | null; animated?: boolean };
  users: string[];
}

/** Everything the fake Discord knows: users, servers, channels, messages, reactions, commands. */
export class State {
  readonly users = new Map<string, UserRecord>();
  readonly guilds = new Map<string, GuildRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  readonly messages = new Map<string, MessageRecord>();
  readonly channelMessages = new Map<string, string[]>();
  readonly reactions = new Map<string, Map<string, ReactionRecord>>();
  readonly globalCommands: APIApplicationCommand[] = [];
  readonly guildCommands = new Map<string, APIApplicationCommand[]>();
  /** DM channel id by recipient user id. */
  readonly dmChannels = new Map<string, string>();

  user(id: string): UserRecord | undefined {
    return this.users.get(id);
  }

  userObject(id: string): APIUser {
    const u = this.users.get(id);
    if (!u) throw new Error(`emulator: unknown user ${id}`);
    const user: APIUser = {
      id: u.id,
      username: u.username,
      discriminator: "0",
      global_name: u.globalName,
      avatar: null,
      flags: 0 as UserFlags,
      public_flags: 0 as UserFlags,
    };
    if (u.bot) user.bot = true;
    return user;
  }

  emojisOf(guild: GuildRecord): APIEmoji[] {
    return [...guild.emojis.values()].map((e) => ({
      id: e.id,
      name: e.name,
      roles: [],
      require_colons: true,
      managed: false,
      animated: e.animated,
      available: true,
    }));
  }

  /** The server that owns a custom emoji, if any. */
  emojiGuild(emojiId: string): GuildRecord | undefined {
    return [...this.guilds.values()].find((g) => g.emojis.has(emojiId));
  }

  rolesOf(guild: GuildRecord): APIRole[] {
    return [...guild.roles.values()].sort((a, b) => a.position - b.position);
  }

  memberObject(guildId: string, userId: string): APIGuildMember | undefined {
    const guild = this.guilds.get(guildId);
    const m = guild?.members.get(userId);
    if (!guild || !m) return undefined;
    return {
      user: this.userObject(userId),
      nick: m.nick,
      avatar: null,
      banner: null,
      roles: [...m.roles],
      joined_at: m.joinedAt,
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0 as GuildMemberFlags,
      pending: false,
      communication_disabled_until: null,
    };
  }

  channelObject(id: string): APIChannel {
    const c = this.channels.get(id);
    if (!c) throw new Error(`emulator: unknown channel ${id}`);
    if (c.type === ChannelType.DM) {
      const dm: APIDMChannel = {
        id: c.id,
        type: ChannelType.DM,
        name: null,
        flags: 0 as ChannelFlags,
        last_message_id: c.lastMessageId,
        recipients: c.recipientId ? [this.userObject(c.recipientId)] : [],
      };
      return dm;
    }
    const text: APITextChannel = {
      id: c.id,
      type: ChannelType.GuildText,
      guild_id: c.guildId ?? undefined,
      name: c.name,
      topic: c.topic,
      position: c.position,
      permission_overwrites: c.overwrites.map((o) => ({ ...o })),
      nsfw: false,
      parent_id: null,
      last_message_id: c.lastMessageId,
      rate_limit_per_user: 0,
      flags: 0,
      last_pin_timestamp: null,
      default_auto_archive_duration: 1440,
    } as unknown as APITextChannel;
    return text;
  }

  guildObject(guildId: string): APIGuild {
    const g = this.guilds.get(guildId);
    if (!g) throw new Error(`emulator: unknown guild ${guildId}`);
    return {
      id: g.id,
      name: g.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: g.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      widget_enabled: false,
      widget_channel_id: null,
      verification_level: GuildVerificationLevel.None,
      default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
      explicit_content_filter: GuildExplicitContentFilter.Disabled,
      roles: this.rolesOf(g).map((r) => ({ ...r })),
      emojis: this.emojisOf(g),
      stickers: [],
      features: [],
      mfa_level: GuildMFALevel.None,
      application_id: null,
      system_channel_id: g.channelIds[0] ?? null,
      system_channel_flags: 0 as GuildSystemChannelFlags,
      rules_channel_id: null,
      public_updates_channel_id: null,
      safety_alerts_channel_id: null,
      vanity_url_code: null,
      premium_tier: GuildPremiumTier.None,
      premium_subscription_count: 0,
      preferred_locale: g.locale,
      max_members: 500_000,
      max_video_channel_users: 25,
      nsfw_level: GuildNSFWLevel.Default,
      premium_progress_bar_enabled: false,
      hub_type: null,
      incidents_data: null,
      region: "",
    };
  }

  guildCreate(guildId: string): GatewayGuildCreateDispatchData {
    const g = this.guilds.get(guildId);
    if (!g) throw new Error(`emulator: unknown guild ${guildId}`);
    return {
      ...this.guildObject(guildId),
      joined_at: g.joinedAt,
      large: false,
      unavailable: false,
      member_count: g.members.size,
      voice_states: [],
      members: [...g.members.keys()].map((id) => this.memberObject(guildId, id)!),
      channels: g.channelIds.map((id) =>
        this.channelObject(id),
      ) as GatewayGuildCreateDispatchData["channels"],
      threads: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  /** Guild-wide permissions: @everyone, then the member's roles; owners and admins get all. */
  basePermissions(guildId: string, userId: string): bigint {
    const g = this.guilds.get(guildId);
    const m = g?.members.get(userId);
    if (!g || !m) return 0n;
    if (g.ownerId === userId) return ALL_PERMISSIONS;
    let perms = BigInt(g.roles.get(g.everyoneRoleId)?.permissions ?? "0");
    for (const roleId of m.roles) perms |= BigInt(g.roles.get(roleId)?.permissions ?? "0");
    if ((perms & PermissionFlagsBits.Administrator) !== 0n) return ALL_PERMISSIONS;
    return perms;
  }

  /** Permissions in a channel, with overwrites applied in Discord's order. */
  permissions(guildId: string, userId: string, channelId?: string): bigint {
    let perms = this.basePermissions(guildId, userId);
    if (perms === ALL_PERMISSIONS || !channelId) return perms;
    const g = this.guilds.get(guildId)!;
    const c = this.channels.get(channelId);
    if (!c) return perms;
    const m = g.members.get(userId)!;
    const everyone = c.overwrites.find((o) => o.id === g.everyoneRoleId);
    if (everyone) perms = (perms & ~BigInt(everyone.deny)) | BigInt(everyone.allow);
    let allow = 0n;
    let deny = 0n;
    for (const o of c.overwrites) {
      if (o.type === OverwriteType.Role && m.roles.includes(o.id)) {
        allow |= BigInt(o.allow);
        deny |= BigInt(o.deny);
      }
    }
    perms = (perms & ~deny) | allow;
    const own = c.overwrites.find((o) => o.type === OverwriteType.Member && o.id === userId);
    if (own) perms = (perms & ~BigInt(own.deny)) | BigInt(own.allow);
    // Without View Channel nothing else in the channel applies.
    if ((perms & PermissionFlagsBits.ViewChannel) === 0n) return 0n;
    return perms;
  }

  /** Non-deleted, non-ephemeral messages of a channel, oldest first. */
  channelList(channelId: string): MessageRecord[] {
    return (this.channelMessages.get(channelId) ?? [])
      .map((id) => this.messages.get(id)!)
      .filter((m) => !m.deleted && !m.ephemeral);
  }
}
