import { Writable } from "node:stream";
import { PermissionFlagsBits } from "discord-api-types/v10";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { startBot, type RunningBot } from "../../src/app/bot.js";
import { parseConfig } from "../../src/config.js";
import type { PollTimer } from "../../src/feeds/poller.js";
import type { Timer } from "../../src/recap/scheduler.js";
import {
  DiscordEmulator,
  type EmulatorOptions,
  type InteractionHandle,
} from "../../src/emulator/index.js";
import { SHIPPED_DATA, tempDir } from "../helpers.js";

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

export interface WorldOptions {
  readonly dataDir?: string;
  /** Reuse a state folder (store and index): a restart. */
  readonly stateDir?: string;
  readonly now?: () => Date;
  /** Fires the weekly recap jobs; node-cron when unset. */
  readonly timer?: Timer;
  /** Fires the feed polls; node-cron on FEED_POLL when unset. */
  readonly feedTimer?: PollTimer;
  readonly env?: Record<string, string>;
  /** Start as `npm start -- --skip-invalid` does. */
  readonly skipInvalid?: boolean;
  /** How the emulator behaves (a short nonce window, say). */
  readonly emulator?: EmulatorOptions;
}

/**
 * A server with a channel, a moderator (Manage Server) and a member, and the real bot (the same
 * `startBot` that `npm start` runs) connected to it through the emulator.
 */
export class World {
  readonly logs: LogLine[] = [];
  bot!: RunningBot;

  private constructor(
    readonly emu: DiscordEmulator,
    readonly guildId: string,
    readonly channelId: string,
    readonly moderatorId: string,
    readonly memberId: string,
    readonly stateDir: string,
    private readonly options: WorldOptions,
  ) {}

  static async create(options: WorldOptions = {}): Promise<World> {
    const emu = await DiscordEmulator.start(options.emulator);
    const guild = emu.addGuild({ name: "AI Club" });
    const channel = emu.addChannel(guild.id, { name: "general" });
    const moderator = emu.addMember(guild.id, {
      username: "mod",
      permissions: PermissionFlagsBits.ManageGuild,
    });
    const member = emu.addMember(guild.id, { username: "member" });
    const world = new World(
      emu,
      guild.id,
      channel.id,
      moderator.id,
      member.id,
      options.stateDir ?? (await tempDir("e2e-")),
      options,
    );
    try {
      await world.start();
    } catch (error) {
      await emu.stop();
      throw error;
    }
    return world;
  }

  /** Starts (or, after `stopBot`, restarts) the bot on the same state folder. */
  async start(): Promise<void> {
    const config = parseConfig({
      DISCORD_TOKEN: this.emu.token,
      DISCORD_API_URL: this.emu.apiUrl,
      STATE_DIR: this.stateDir,
      DATA_DIR: this.options.dataDir ?? SHIPPED_DATA,
      LOG_LEVEL: "debug",
      ...this.options.env,
    });
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const line of chunk.toString("utf8").split("\n"))
          if (line) this.logs.push(JSON.parse(line) as LogLine);
        done();
      },
    });
    this.bot = await startBot({
      config,
      token: config.discordToken!,
      logger: pino({ level: "debug" }, sink),
      now: this.options.now,
      timer: this.options.timer,
      skipInvalid: this.options.skipInvalid,
      feedTimer: this.options.feedTimer,
    });
    await this.bot.ready;
  }

  async stopBot(): Promise<void> {
    await this.bot.stop();
  }

  /** Stops the bot the way a crash does: nothing in flight is finished. */
  async crashBot(): Promise<void> {
    await this.bot.kill();
  }

  get moderator() {
    return this.emu.user(this.guildId, this.moderatorId, { channelId: this.channelId });
  }

  get member() {
    return this.emu.user(this.guildId, this.memberId, { channelId: this.channelId });
  }

  /** Log lines at error level or worse. */
  errors(): LogLine[] {
    return this.logs.filter((l) => l.level >= 50);
  }

  async close(): Promise<void> {
    await this.bot.stop().catch(() => undefined);
    await this.emu.stop();
  }
}

export interface Button {
  id: string;
  label: string;
  disabled: boolean;
}

/** The buttons and menus of a message, in order, as a member sees them. */
export function buttonsOf(message: { components?: unknown[] }): Button[] {
  const out: Button[] = [];
  const walk = (c: unknown) => {
    const node = c as {
      custom_id?: string;
      label?: string;
      disabled?: boolean;
      components?: unknown[];
    };
    if (node.custom_id)
      out.push({ id: node.custom_id, label: node.label ?? "", disabled: !!node.disabled });
    for (const child of node.components ?? []) walk(child);
  };
  for (const c of message.components ?? []) walk(c);
  return out;
}

/** Custom ids of a message's components, in order. */
export function idsOf(message: { components?: unknown[] }): string[] {
  return buttonsOf(message).map((b) => b.id);
}

/**
 * One world for a whole test file, handed to `use` once it is up. After every test, the bot must
 * have broken no Discord rule and logged no error.
 */
export function useWorld(use: (world: World) => void, options: WorldOptions = {}): void {
  let world: World;
  let logged = 0;
  beforeAll(async () => {
    world = await World.create(options);
    use(world);
  });
  beforeEach(() => {
    logged = world.logs.length;
  });
  afterEach(() => {
    world.emu.assertClean();
    expect(world.logs.slice(logged).filter((l) => l.level >= 50)).toEqual([]);
  });
  afterAll(() => world.close());
}

export async function replyOf(handle: InteractionHandle) {
  return handle.reply();
}
