import fs from "node:fs/promises";
import path from "node:path";
import {
  InteractionResponseType,
  MessageFlags,
  PermissionFlagsBits,
  type APIApplicationCommand,
  type APIMessage,
} from "discord-api-types/v10";
import type { Logger } from "pino";
import { commandDefinitions } from "../../commands/index.js";
import {
  DiscordEmulator,
  type InteractionHandle,
  type OptionValues,
  type UserDriver,
} from "../emulator/index.js";
import { startBot, type RunningBot } from "../app/bot.js";
import type { Config } from "../config.js";
import { deployCommands } from "../discord/deploy.js";
import { UserError } from "../errors.js";
import { coveredWeek, slotOf } from "../recap/schedule.js";
import type { Timer } from "../recap/scheduler.js";
import { getRecapSettings } from "../recap/settings.js";
import { formatWeek, parseWeek, shiftWeek, weekOf, weekOfDate } from "../recap/week.js";
import type {
  ClickRequest,
  CommandRequest,
  DismissRequest,
  MessageView,
  ModalRequest,
  Outcome,
  PersonView,
  ReactRequest,
  RecapRequest,
  SayRequest,
  ServerView,
  WorldView,
  AutocompleteRequest,
  Choice,
} from "./client/protocol.js";

const DISCORD_EPOCH = 1_420_070_400_000n;

/**
 * Ids are fixed (snowflakes of 1 January 2020, older than any the emulator makes), so after a
 * restart the servers, channels and people are the ones the bot's store knows.
 */
function fixedId(n: number): string {
  return (((BigInt(Date.UTC(2020, 0, 1)) - DISCORD_EPOCH) << 22n) | BigInt(n)).toString();
}

const PEOPLE: readonly PersonView[] = [
  { id: fixedId(1), name: "ada", role: "member" },
  { id: fixedId(2), name: "grace", role: "moderator" },
];

interface ServerPlan {
  readonly id: string;
  readonly name: string;
  readonly moderatorRoleId: string;
  readonly channels: readonly { id: string; name: string; topic: string }[];
  readonly recapChannelId: string;
}

const SERVERS: readonly ServerPlan[] = [
  {
    id: fixedId(10),
    name: "AI Club",
    moderatorRoleId: fixedId(11),
    channels: [
      { id: fixedId(12), name: "general", topic: "Ask modeldex about models and labs" },
      { id: fixedId(13), name: "research", topic: "Search the corpus, compare models" },
      { id: fixedId(14), name: "recaps", topic: "The weekly recap is posted here" },
    ],
    recapChannelId: fixedId(14),
  },
  {
    id: fixedId(20),
    name: "Open Weights",
    moderatorRoleId: fixedId(21),
    channels: [
      { id: fixedId(22), name: "general", topic: "A second server: its own entries and bookmarks" },
      { id: fixedId(23), name: "recaps", topic: "The weekly recap is posted here" },
    ],
    recapChannelId: fixedId(23),
  },
];

/** When the playground sets up each server's recap: before the corpus begins, so any week posts. */
const RECAP_SETUP_TIME = Date.parse("2025-01-01T00:00:00Z");
const RECAP_SCHEDULE = { day: 1, time: "09:00", timezone: "UTC" } as const;

/** In the playground the recap is posted when someone asks for it, never on a timer. */
const manualTimer: Timer = {
  weekly: () => ({ stop: () => undefined }),
  every: () => ({ stop: () => undefined }),
};

export type PlaygroundEvent = { type: "channel"; channel: string } | { type: "world" };

export interface PlaygroundOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly skipInvalid?: boolean;
}

/** Actions answer with this when the bot is (re)starting. */
class NotReady extends UserError {
  constructor() {
    super("The playground is starting; try again in a moment.");
  }
}

/** Forms still open, and the "ada used /model" lines, kept for the most recent interactions. */
const FORMS_KEPT = 100;
const TRIGGERS_KEPT = 5_000;

/**
 * The playground's Discord: two servers with a member and a moderator, the emulator behind them,
 * and the real bot (`startBot`, as `npm start` runs it) connected to it. Every action goes through
 * the emulator's drivers, exactly as the end-to-end tests act.
 */
export class Playground {
  private emu: DiscordEmulator | undefined;
  private bot: RunningBot | undefined;
  private stopWatching: (() => void) | undefined;
  private readonly listeners = new Set<(event: PlaygroundEvent) => void>();
  /** Interactions that opened a form, by id, for the form's submission. */
  private readonly forms = new Map<string, InteractionHandle>();
  /** What each interaction was, for the "ada used /model" line above its reply. */
  private readonly triggers = new Map<string, string>();
  /** Set while the playground moves the bot's clock (a recap for a chosen week). */
  private fixedNow: number | undefined;
  private lifecycle: Promise<void> = Promise.resolve();

  constructor(private readonly options: PlaygroundOptions) {}

  /** `<STATE_DIR>/playground`: the bot's index and, under store/, everything Reset forgets. */
  get stateDir(): string {
    return path.join(this.options.config.stateDir, "playground");
  }

  private get storeDir(): string {
    return path.join(this.stateDir, "store");
  }

  get ready(): boolean {
    return this.bot !== undefined;
  }

  start(): Promise<void> {
    return this.queue(() => this.boot());
  }

  stop(): Promise<void> {
    return this.queue(() => this.shutdown());
  }

  /** Starts over: a new Discord, and a bot with an empty store. */
  reset(): Promise<void> {
    return this.queue(async () => {
      await this.shutdown();
      await fs.rm(this.storeDir, { recursive: true, force: true });
      await this.boot();
    });
  }

  /** Reads the corpus and catalogue again (SIGHUP). */
  async reload(): Promise<void> {
    await this.bot?.reload();
  }

  subscribe(listener: (event: PlaygroundEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ------------------------------------------------------------------ what the page reads

  view(): WorldView {
    const emu = this.emu;
    const last = formatWeek(weekOf(new Date(), "UTC"));
    // The newest document's week has something to show.
    const newest = this.bot?.context().corpus.documents[0]?.date;
    return {
      ready: this.ready,
      botId: emu?.botUserId ?? "",
      botName: "modeldex",
      servers: SERVERS.map((s): ServerView => ({
        id: s.id,
        name: s.name,
        channels: s.channels,
        recapChannelId: s.recapChannelId,
        roles: [{ id: s.moderatorRoleId, name: "Moderators" }],
      })),
      people: PEOPLE,
      recapWeeks: {
        first: formatWeek(weekOf(new Date(RECAP_SETUP_TIME), "UTC")),
        last,
        suggested: newest ? formatWeek(weekOfDate(newest)) : last,
      },
    };
  }

  /** A channel as one person sees it: everyone's messages and their own ephemeral replies. */
  messages(as: string, channelId: string): MessageView[] {
    const emu = this.need();
    this.person(as);
    this.place(channelId);
    return emu
      .messagesFor(channelId, as)
      .slice(-200)
      .map((message) => this.messageView(emu, message, as));
  }

  /** The commands a person may see in a server, as the bot registered them. */
  commands(as: string, serverId: string): APIApplicationCommand[] {
    const emu = this.need();
    this.person(as);
    if (!SERVERS.some((s) => s.id === serverId)) throw new UserError("There is no such server.");
    const permissions = emu.permissions(serverId, as);
    const all = PermissionFlagsBits.Administrator;
    return [...emu.commands(), ...emu.commands(serverId)].filter((command) => {
      const needed = command.default_member_permissions;
      if (needed === null || needed === undefined) return true;
      const required = BigInt(needed);
      if ((permissions & all) !== 0n) return true;
      return required !== 0n && (permissions & required) === required;
    });
  }

  attachment(
    as: string,
    channelId: string,
    messageId: string,
    filename: string,
  ): { data: Buffer; contentType: string } | undefined {
    const emu = this.need();
    const message = this.visible(as, channelId, messageId);
    const attachment = message.attachments.find((a) => a.filename === filename);
    const data = attachment ? emu.attachment(messageId, filename) : undefined;
    if (!attachment || !data) return undefined;
    return { data, contentType: attachment.content_type ?? "application/octet-stream" };
  }

  // ------------------------------------------------------------------ what the page does

  async command(request: CommandRequest): Promise<Outcome> {
    const user = this.driver(request.as, request.channel);
    return this.act(
      () => user.runCommand(request.command, request.options as OptionValues),
      `used /${request.command}`,
    );
  }

  async autocomplete(request: AutocompleteRequest): Promise<Choice[]> {
    const user = this.driver(request.as, request.channel);
    try {
      return await user.autocomplete(
        request.command,
        request.options as OptionValues,
        request.focused,
      );
    } catch (error) {
      throw asUserError(error);
    }
  }

  async click(request: ClickRequest): Promise<Outcome> {
    const user = this.driver(request.as, request.channel);
    const message = this.visible(request.as, request.channel, request.message);
    const label = componentLabel(message, request.customId, request.values);
    return this.act(
      () =>
        request.values
          ? user.select(request.message, request.customId, [...request.values])
          : user.click(request.message, request.customId),
      label,
    );
  }

  async submit(request: ModalRequest): Promise<Outcome> {
    const user = this.driver(request.as, request.channel);
    const opener = this.forms.get(request.interaction);
    if (!opener || opener.record.userId !== request.as)
      return { kind: "error", message: "That form is no longer open." };
    const title = opener.modal?.title ?? "the form";
    return this.act(() => user.submitModal(opener, request.values), `submitted “${title}”`);
  }

  async react(request: ReactRequest): Promise<void> {
    const user = this.driver(request.as, request.channel);
    this.visible(request.as, request.channel, request.message);
    try {
      if (request.add) await user.react(request.message, request.emoji);
      else await user.unreact(request.message, request.emoji);
    } catch (error) {
      throw asUserError(error);
    }
    this.emit({ type: "channel", channel: request.channel });
  }

  say(request: SayRequest): void {
    const user = this.driver(request.as, request.channel);
    user.say(request.content);
  }

  /** "Dismiss message" on an ephemeral reply, as Discord offers. */
  dismiss(request: DismissRequest): void {
    const emu = this.need();
    const message = this.visible(request.as, request.channel, request.message);
    if (((message.flags ?? 0) & MessageFlags.Ephemeral) === 0)
      throw new UserError("Only messages that only you can see can be dismissed.");
    emu.deleteMessage(message.id);
  }

  /**
   * Posts a server's weekly recap for a chosen week, as its job would at that week's slot: the
   * bot's clock is moved to the slot, and the scheduler runs the server's job.
   */
  async recap(request: RecapRequest): Promise<Outcome> {
    const bot = this.bot;
    if (!bot) throw new NotReady();
    const server = SERVERS.find((s) => s.id === request.server);
    if (!server) throw new UserError("There is no such server.");
    const context = bot.context();
    const settings = await getRecapSettings(context.store, server.id, context.reportProblem);
    if (!settings || settings.status === "off")
      return error(
        "This server has no weekly recap. As grace (the moderator), run /recap-config set first.",
      );
    if (settings.status === "paused")
      return error(
        `This server's recap is paused: ${settings.pausedReason ?? "see /recap-config status"}.`,
      );
    const zone = settings.schedule.timeZone;
    const week = parseWeek(request.week, zone);
    const label = formatWeek(week);
    // The slot whose recap covers the week: a Monday post covers the week before it.
    const slotWeek = settings.schedule.day === 1 ? shiftWeek(week, 1) : week;
    const at = slotOf(slotWeek, settings.schedule);
    if (formatWeek(coveredWeek(at, zone)) !== label)
      return error(`No slot of this server's schedule covers ${label}.`);
    if (at.getTime() < Date.parse(settings.since))
      return error(
        `This server's recap was set up on ${settings.since.slice(0, 10)}, and a recap never covers a week before its set-up. Pick a later week, or press Reset.`,
      );
    this.fixedNow = at.getTime() + 1_000;
    let outcome;
    try {
      outcome = await bot.recaps.run(server.id);
    } finally {
      this.fixedNow = undefined;
    }
    const channel = `#${server.channels.find((c) => c.id === settings.channelId)?.name ?? "its channel"}`;
    switch (outcome?.kind) {
      case "posted":
        return {
          kind: "done",
          note:
            outcome.messageIds.length > 0
              ? `The recap of ${label} was posted in ${channel}.`
              : `${label} was quiet, and this server's recap posts nothing in a quiet week.`,
        };
      case "already-handled":
        return {
          kind: "done",
          note: `The recap of ${label} was already posted in ${channel}: each week's recap is posted once.`,
        };
      case "skipped":
        return error(`The recap of ${label} was skipped: ${outcome.reason}.`);
      case "paused":
        return error(`The recap is now paused: ${outcome.reason}.`);
      case "failed":
        return error(`The recap of ${label} failed: ${outcome.reason}. It is retried later.`);
      default:
        return error(`The recap of ${label} was not posted; the log says why.`);
    }
  }

  // ------------------------------------------------------------------ life cycle

  /** One start, stop or reset at a time. */
  private queue(step: () => Promise<void>): Promise<void> {
    const next = this.lifecycle.then(step);
    this.lifecycle = next.catch(() => undefined);
    return next;
  }

  private async boot(): Promise<void> {
    const { config, logger } = this.options;
    const emu = await DiscordEmulator.start();
    try {
      for (const plan of SERVERS) {
        const server = emu.addGuild({ id: plan.id, name: plan.name });
        emu.addRole(plan.id, {
          id: plan.moderatorRoleId,
          name: "Moderators",
          permissions: PermissionFlagsBits.ManageGuild,
        });
        for (const channel of plan.channels)
          emu.addChannel(server.id, { id: channel.id, name: channel.name, topic: channel.topic });
        for (const person of PEOPLE)
          emu.addMember(plan.id, {
            id: person.id,
            username: person.name,
            roles: person.role === "moderator" ? [plan.moderatorRoleId] : [],
          });
      }
      const bot = await startBot({
        config: {
          ...config,
          discordToken: emu.token,
          apiUrl: emu.apiUrl,
          applicationId: emu.applicationId,
          guildId: undefined,
          stateDir: this.stateDir,
          storePath: path.join(this.storeDir, "modeldex.sqlite"),
        },
        token: emu.token,
        logger,
        skipInvalid: this.options.skipInvalid,
        now: () => new Date(this.fixedNow ?? Date.now()),
        timer: manualTimer,
      });
      this.emu = emu;
      try {
        await bot.ready;
        // Discord keeps registered commands; this Discord is new at every start, so a bot that
        // finds its definitions unchanged in the store registers them again here.
        if (emu.commands().length === 0)
          await deployCommands(
            bot.client.rest,
            { applicationId: emu.applicationId },
            commandDefinitions(),
            bot.store,
          );
        await this.setUpRecaps(emu, bot);
      } catch (error) {
        await bot.stop();
        throw error;
      }
      this.bot = bot;
      this.stopWatching = emu.onChannelChange((channel) => {
        this.reportViolations();
        this.emit({ type: "channel", channel });
      });
    } catch (error) {
      this.emu = undefined;
      await emu.stop();
      throw error;
    }
    this.emit({ type: "world" });
  }

  private async shutdown(): Promise<void> {
    const { bot, emu } = this;
    this.bot = undefined;
    this.emu = undefined;
    this.stopWatching?.();
    this.stopWatching = undefined;
    this.forms.clear();
    this.triggers.clear();
    this.emit({ type: "world" });
    await bot?.stop();
    await emu?.stop();
  }

  /**
   * Each server's #recaps receives the weekly recap, set up by the moderator as at the start of
   * 2025 so that a recap of any week the corpus covers can be posted. The confirmation is
   * dismissed, as a moderator would.
   */
  private async setUpRecaps(emu: DiscordEmulator, bot: RunningBot): Promise<void> {
    const moderator = PEOPLE.find((p) => p.role === "moderator")!;
    const context = bot.context();
    for (const plan of SERVERS) {
      if (await getRecapSettings(context.store, plan.id, context.reportProblem)) continue;
      this.fixedNow = RECAP_SETUP_TIME;
      try {
        const handle = await emu
          .user(plan.id, moderator.id, { channelId: plan.recapChannelId })
          .runCommand("recap-config set", {
            channel: plan.recapChannelId,
            day: RECAP_SCHEDULE.day,
            time: RECAP_SCHEDULE.time,
            timezone: RECAP_SCHEDULE.timezone,
          });
        const reply = await handle.reply();
        emu.deleteMessage(reply.id);
      } finally {
        this.fixedNow = undefined;
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  private emit(event: PlaygroundEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private need(): DiscordEmulator {
    if (!this.emu || !this.bot) throw new NotReady();
    return this.emu;
  }

  private person(id: string): PersonView {
    const person = PEOPLE.find((p) => p.id === id);
    if (!person) throw new UserError("There is no such person in the playground.");
    return person;
  }

  private place(channelId: string): ServerPlan {
    const server = SERVERS.find((s) => s.channels.some((c) => c.id === channelId));
    if (!server) throw new UserError("There is no such channel.");
    return server;
  }

  private driver(as: string, channelId: string): UserDriver {
    const emu = this.need();
    this.person(as);
    return emu.user(this.place(channelId).id, as, { channelId });
  }

  /** A message the person can see in that channel. */
  private visible(as: string, channelId: string, messageId: string): APIMessage {
    const message = this.need()
      .messagesFor(channelId, as)
      .find((m) => m.id === messageId);
    if (!message) throw new UserError("That message is gone.");
    return message;
  }

  private messageView(emu: DiscordEmulator, message: APIMessage, as: string): MessageView {
    const interaction = message.interaction_metadata;
    return {
      message,
      ephemeral: ((message.flags ?? 0) & MessageFlags.Ephemeral) !== 0,
      reactions: emu.reactions(message.id).map((r) => ({
        emoji: r.emoji,
        count: r.userIds.length,
        mine: r.userIds.includes(as),
      })),
      trigger: interaction ? (this.triggers.get(interaction.id) ?? null) : null,
    };
  }

  /**
   * Sends an interaction and waits for the bot's first answer (at most Discord's 3 s): a form to
   * show, or a message that arrives through the page's live updates.
   */
  private async act(send: () => Promise<InteractionHandle>, trigger: string): Promise<Outcome> {
    let handle: InteractionHandle;
    try {
      handle = await send();
    } catch (error) {
      throw asUserError(error);
    }
    remember(this.triggers, handle.id, trigger, TRIGGERS_KEPT);
    await firstAnswer(handle, 3_500);
    this.reportViolations();
    const record = handle.record;
    if (record.callbacks.length === 0)
      return error(
        "The bot did not answer within 3 seconds, so Discord would show “The application did not respond”.",
      );
    if (record.callbacks.at(-1) === InteractionResponseType.Modal && handle.modal) {
      remember(this.forms, handle.id, handle, FORMS_KEPT);
      return { kind: "modal", interaction: handle.id, modal: handle.modal };
    }
    return { kind: "done" };
  }

  /** What the emulator caught the bot doing that Discord would refuse: worth a warning. */
  private reportViolations(): void {
    for (const problem of this.emu?.takeViolations() ?? [])
      this.options.logger.warn({ problem }, "the bot broke a Discord rule");
  }
}

/** Adds to a map that forgets its oldest entries beyond `limit`. */
function remember<T>(map: Map<string, T>, key: string, value: T, limit: number): void {
  map.set(key, value);
  for (const old of map.keys()) {
    if (map.size <= limit) break;
    map.delete(old);
  }
}

function error(message: string): Outcome {
  return { kind: "error", message };
}

/** Resolves at the interaction's first callback, or when it expired, or after `timeoutMs`. */
function firstAnswer(handle: InteractionHandle, timeoutMs: number): Promise<void> {
  const record = handle.record;
  return new Promise((resolve) => {
    const check = (): void => {
      if (record.callbacks.length > 0 || record.status === "expired") done();
    };
    const done = (): void => {
      clearTimeout(timer);
      record.events.off("change", check);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    record.events.on("change", check);
    check();
  });
}

/** The emulator refuses what Discord's own client would not send; say so in its words. */
function asUserError(error: unknown): Error {
  if (error instanceof UserError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new UserError(message.replace(/^emulator: /, ""));
}

/** "clicked “Mentions”", or "chose … in a menu", for the line above a reply. */
function componentLabel(
  message: APIMessage,
  customId: string,
  values: readonly string[] | undefined,
): string {
  const find = (nodes: readonly unknown[]): Record<string, unknown> | undefined => {
    for (const node of nodes as Record<string, unknown>[]) {
      if (node.custom_id === customId) return node;
      const inner = find((node.components as unknown[] | undefined) ?? []);
      if (inner) return inner;
    }
    return undefined;
  };
  const component = find(message.components ?? []);
  if (values) {
    const options = (component?.options as { value: string; label: string }[] | undefined) ?? [];
    const chosen = values.map((v) => options.find((o) => o.value === v)?.label ?? v);
    return `chose “${chosen.join(", ")}”`;
  }
  const label = typeof component?.label === "string" ? component.label : "a button";
  return `clicked “${label}”`;
}
