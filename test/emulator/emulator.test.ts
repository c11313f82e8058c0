import { once } from "node:events";
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  DiscordAPIError,
  EmbedBuilder,
  GatewayIntentBits,
  HTTPError,
  MessageFlags,
  ModalBuilder,
  Partials,
  PermissionFlagsBits,
  StringSelectMenuBuilder,
  TextInputBuilder,
  TextInputStyle,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type MessageComponentInteraction,
  type MessageReaction,
  type ModalSubmitInteraction,
  type PartialMessageReaction,
  type PartialUser,
  type TextChannel,
  type User,
} from "discord.js";
import {
  ApplicationCommandOptionType,
  Routes,
  type RESTPostAPIApplicationCommandsJSONBody,
} from "discord-api-types/v10";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DiscordEmulator, type InteractionHandle } from "../../src/emulator/index.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const GLOBAL_COMMANDS: RESTPostAPIApplicationCommandsJSONBody[] = [
  {
    name: "ping",
    description: "Answers",
    options: [
      { type: ApplicationCommandOptionType.String, name: "text", description: "What to say" },
    ],
  },
  {
    name: "model",
    description: "Looks up a model",
    options: [
      {
        type: ApplicationCommandOptionType.String,
        name: "name",
        description: "Model name",
        required: true,
        autocomplete: true,
      },
      { type: ApplicationCommandOptionType.Integer, name: "count", description: "How many" },
      { type: ApplicationCommandOptionType.Boolean, name: "public", description: "Show to all" },
    ],
  },
  {
    name: "entry",
    description: "Edits entries",
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "add",
        description: "Adds an entry",
        options: [
          {
            type: ApplicationCommandOptionType.String,
            name: "kind",
            description: "Kind",
            required: true,
            choices: [
              { name: "Model", value: "model" },
              { name: "Lab", value: "lab" },
            ],
          },
        ],
      },
    ],
  },
];

const GUILD_COMMANDS: RESTPostAPIApplicationCommandsJSONBody[] = [
  {
    name: "config",
    description: "Server settings",
    default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "moderator-role",
        description: "Sets the moderator role",
        options: [
          {
            type: ApplicationCommandOptionType.Role,
            name: "role",
            description: "Role",
            required: true,
          },
          { type: ApplicationCommandOptionType.Channel, name: "log", description: "Log channel" },
        ],
      },
    ],
  },
];

type Handler = (interaction: Interaction) => Promise<unknown>;

let emu: DiscordEmulator;
let client: Client;
let guildId: string;
let channelId: string;
let moderatorsRoleId: string;
let aliceId: string;
let modId: string;
const handlers = new Map<string, Handler>();
const clientErrors: unknown[] = [];

/** Registers how the client answers `key` (a command path, or a custom id); returns the first outcome. */
function on<I, T>(key: string, fn: (interaction: I) => Promise<T>): Promise<T> {
  let settle!: { resolve: (v: T) => void; reject: (e: unknown) => void };
  const first = new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
  first.catch(() => undefined);
  let called = false;
  handlers.set(key, async (interaction) => {
    const outcome = fn(interaction as unknown as I);
    if (!called) {
      called = true;
      outcome.then(settle.resolve, settle.reject);
    }
    await outcome.catch(() => undefined);
  });
  return first;
}

function keyOf(interaction: Interaction): string {
  if (interaction.isChatInputCommand() || interaction.isAutocomplete()) {
    const sub = interaction.options.getSubcommand(false);
    const path = sub ? `${interaction.commandName} ${sub}` : interaction.commandName;
    return interaction.isAutocomplete() ? `autocomplete ${path}` : path;
  }
  if (interaction.isMessageComponent() || interaction.isModalSubmit()) return interaction.customId;
  return "unknown";
}

function textChannel(id = channelId): TextChannel {
  return client.channels.cache.get(id) as TextChannel;
}

function alice(): ReturnType<DiscordEmulator["user"]> {
  return emu.user(guildId, aliceId, { channelId });
}

beforeAll(async () => {
  // A short heartbeat so HELLO → heartbeat → ACK is exercised within the run.
  emu = await DiscordEmulator.start({ heartbeatIntervalMs: 300 });
  const guild = emu.addGuild({ name: "Test" });
  guildId = guild.id;
  channelId = emu.addChannel(guildId, { name: "general" }).id;
  moderatorsRoleId = emu.addRole(guildId, { name: "Mods", permissions: 0n }).id;
  aliceId = emu.addMember(guildId, { username: "alice" }).id;
  modId = emu.addMember(guildId, {
    username: "mo",
    roles: [moderatorsRoleId],
    permissions: PermissionFlagsBits.ManageGuild,
  }).id;

  client = new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessageReactions,
      GatewayIntentBits.DirectMessages,
    ],
    partials: [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User],
    rest: { api: emu.apiUrl, timeout: 2_000, retries: 1 },
    waitGuildTimeout: 100,
    // As the bot does: every message says who it may ping (nobody).
    allowedMentions: { parse: [] },
  });
  client.on("error", (error) => clientErrors.push(error));
  client.on("interactionCreate", (interaction) => {
    const handler = handlers.get(keyOf(interaction));
    if (handler) void handler(interaction);
  });
  const ready = once(client, "clientReady");
  await client.login(emu.token);
  await ready;
  await client.application!.commands.set(GLOBAL_COMMANDS);
  await client.application!.commands.set(GUILD_COMMANDS, guildId);
});

afterEach(() => {
  handlers.clear();
  emu.faults.clear();
  const errors = clientErrors.splice(0);
  emu.assertClean();
  expect(errors).toEqual([]);
});

afterAll(async () => {
  await client?.destroy();
  await emu?.stop();
});

describe("login and commands", () => {
  it("logs in: READY, then every server with roles, channels and members cached", () => {
    expect(client.user?.id).toBe(emu.botUserId);
    const guild = client.guilds.cache.get(guildId)!;
    expect(guild.name).toBe("Test");
    expect(guild.channels.cache.get(channelId)?.name).toBe("general");
    expect(guild.roles.everyone.id).toBe(guildId);
    expect(guild.roles.cache.get(moderatorsRoleId)?.name).toBe("Mods");
    expect(guild.members.cache.get(aliceId)?.user.username).toBe("alice");
    expect(guild.members.me?.permissions.has(PermissionFlagsBits.SendMessages)).toBe(true);
    expect(emu.gatewayStats.identifies).toBe(1);
  });

  it("serves the server, channel, role, member, user and application routes", async () => {
    const guild = await client.guilds.fetch({ guild: guildId, force: true });
    expect(guild.name).toBe("Test");
    expect((await guild.channels.fetch()).map((c) => c?.name)).toContain("general");
    expect((await guild.roles.fetch()).get(moderatorsRoleId)?.name).toBe("Mods");
    const member = await guild.members.fetch({ user: modId, force: true });
    expect(member.roles.cache.has(moderatorsRoleId)).toBe(true);
    expect(member.permissions.has(PermissionFlagsBits.ManageGuild)).toBe(true);
    expect((await client.channels.fetch(channelId, { force: true }))?.id).toBe(channelId);
    expect((await client.users.fetch(aliceId, { force: true })).username).toBe("alice");
    expect((await client.application!.fetch()).id).toBe(emu.applicationId);
    await expect(guild.members.fetch({ user: "1", force: true })).rejects.toMatchObject({
      code: 10007,
    });
  });

  it("takes bulk overwrites of global and server commands, keeping ids", async () => {
    expect(emu.commands().map((c) => c.name)).toEqual(["ping", "model", "entry"]);
    expect(emu.commands(guildId).map((c) => c.name)).toEqual(["config"]);
    const before = emu.commands().find((c) => c.name === "model")!.id;
    const puts = emu.commandPuts;
    const set = await client.application!.commands.set(GLOBAL_COMMANDS);
    expect(emu.commandPuts).toBe(puts + 1);
    expect(set.find((c) => c.name === "model")?.id).toBe(before);
    expect(emu.requests.filter((r) => r.method === "PUT").map((r) => r.status)).toEqual([
      200, 200, 200,
    ]);
  });

  it("refuses a command the user may not run, and types options from the definition", async () => {
    await expect(
      alice().runCommand("config moderator-role", { role: moderatorsRoleId }),
    ).rejects.toThrow(/default_member_permissions/);
    await expect(alice().runCommand("model", { name: "x", count: 1.5 })).rejects.toThrow(/integer/);
    await expect(alice().runCommand("entry add", { kind: "nope" })).rejects.toThrow(/choices/);

    const seen = on<ChatInputCommandInteraction, string>("config moderator-role", async (i) => {
      await i.reply({ content: "saved", flags: MessageFlags.Ephemeral });
      return `${i.options.getRole("role", true).name} ${i.options.getChannel("log")?.id} ${i.memberPermissions?.has(PermissionFlagsBits.ManageGuild)}`;
    });
    const mod = emu.user(guildId, modId);
    const r = await mod.runCommand("config moderator-role", {
      role: moderatorsRoleId,
      log: channelId,
    });
    expect(await seen).toBe(`Mods ${channelId} true`);
    expect((await r.reply()).content).toBe("saved");
    expect(r.ephemeral).toBe(true);
    expect(emu.messages(channelId).some((m) => m.content === "saved")).toBe(false);
  });
});

describe("answering interactions", () => {
  it("a reply becomes a real message in the channel", async () => {
    const seen = on<ChatInputCommandInteraction, string | null>("ping", async (i) => {
      await i.reply({ content: `pong ${i.options.getString("text")}` });
      return i.channelId;
    });
    const r = await alice().runCommand("ping", { text: "hi" });
    const message = await r.reply();
    expect(message.content).toBe("pong hi");
    expect(r.callbacks).toEqual([4]);
    expect(r.ephemeral).toBe(false);
    expect(await seen).toBe(channelId);
    expect(emu.messages(channelId).at(-1)?.id).toBe(message.id);
    expect(message.interaction_metadata?.user.id).toBe(aliceId);
  });

  it("honours with_response=true", async () => {
    const seen = on<ChatInputCommandInteraction, string | undefined>("ping", async (i) => {
      const response = await i.reply({ content: "with response", withResponse: true });
      return response.resource?.message?.content;
    });
    const r = await alice().runCommand("ping");
    expect(await seen).toBe("with response");
    expect((await r.reply()).content).toBe("with response");
  });

  it("defer then editReply settles on the edited message", async () => {
    on<ChatInputCommandInteraction, void>("ping", async (i) => {
      await i.deferReply();
      await sleep(50);
      await i.editReply({ content: "working" });
      await i.editReply({ content: "done", embeds: [new EmbedBuilder().setTitle("Result")] });
    });
    const r = await alice().runCommand("ping");
    const message = await r.reply();
    expect(r.callbacks).toEqual([5]);
    expect(message.content).toBe("done");
    expect(message.embeds[0]?.title).toBe("Result");
    expect((message.flags ?? 0) & MessageFlags.Loading).toBe(0);
  });

  it("shows a modal, then takes its submission", async () => {
    on<ChatInputCommandInteraction, void>("entry add", async (i) => {
      await i.showModal(
        new ModalBuilder()
          .setCustomId(`entry:${i.options.getString("kind", true)}`)
          .setTitle("New entry")
          .addComponents(
            new ActionRowBuilder<TextInputBuilder>().addComponents(
              new TextInputBuilder()
                .setCustomId("value")
                .setLabel("Value")
                .setStyle(TextInputStyle.Short),
            ),
          ),
      );
    });
    on<ModalSubmitInteraction, void>("entry:model", async (i) => {
      await i.reply({
        content: `added ${i.fields.getTextInputValue("value")}`,
        flags: MessageFlags.Ephemeral,
      });
    });
    const opened = await alice().runCommand("entry add", { kind: "model" });
    await opened.settled();
    expect(opened.callbacks).toEqual([9]);
    expect(opened.modal?.title).toBe("New entry");
    await expect(opened.reply()).rejects.toThrow(/modal/);
    const submitted = await alice().submitModal(opened, { value: "nemotron" });
    expect((await submitted.reply()).content).toBe("added nemotron");
    expect(submitted.ephemeral).toBe(true);
    await expect(
      alice().submitModal({ customId: "entry:model" }, { value: "v", nope: "x" }),
    ).rejects.toThrow(/no input/);
  });

  it("follow-ups are their own messages, ephemeral when asked", async () => {
    on<ChatInputCommandInteraction, void>("ping", async (i) => {
      await i.reply({ content: "first" });
      await i.followUp({ content: "second", flags: MessageFlags.Ephemeral });
      await i.followUp({ content: "third" });
    });
    const r = await alice().runCommand("ping");
    expect((await r.reply()).content).toBe("first");
    const followUps = await r.followUps({ count: 2 });
    expect(followUps.map((m) => m.content)).toEqual(["second", "third"]);
    expect(followUps.map((m) => (m.flags ?? 0) & MessageFlags.Ephemeral)).toEqual([64, 0]);
  });

  it("the first follow-up after deferReply fills the deferred answer, keeping its visibility", async () => {
    on<ChatInputCommandInteraction, void>("ping", async (i) => {
      await i.deferReply();
      await i.followUp({ content: "meant to be private", flags: MessageFlags.Ephemeral });
    });
    const r = await alice().runCommand("ping");
    const message = await r.reply();
    expect(message.content).toBe("meant to be private");
    expect(r.ephemeral).toBe(false);
    expect(await r.followUps()).toEqual([]);
  });

  it("autocomplete answers with choices", async () => {
    const seen = on<AutocompleteInteraction, string>("autocomplete model", async (i) => {
      const focused = i.options.getFocused(true);
      await i.respond([
        { name: "Nemotron", value: "nemotron" },
        { name: "Nemo", value: "nemo" },
      ]);
      return `${focused.name}=${focused.value} count=${i.options.getInteger("count")}`;
    });
    const choices = await alice().autocomplete("model", { name: "nemo", count: 2 }, "name");
    expect(choices.map((c) => c.value)).toEqual(["nemotron", "nemo"]);
    expect(await seen).toBe("name=nemo count=2");
  });

  it("a button click updates its message; a select menu sends its values", async () => {
    on<ChatInputCommandInteraction, void>("ping", async (i) => {
      await i.reply({
        content: "pick",
        components: [
          new ActionRowBuilder<ButtonBuilder>().addComponents(
            new ButtonBuilder().setCustomId("more").setLabel("More").setStyle(ButtonStyle.Primary),
          ),
          new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(
            new StringSelectMenuBuilder()
              .setCustomId("choose")
              .addOptions({ label: "A", value: "a" }, { label: "B", value: "b" }),
          ),
        ],
      });
    });
    on<MessageComponentInteraction, void>("more", async (i) => {
      await i.update({ content: `clicked on ${i.message.id}`, components: [] });
    });
    const chosen = on<MessageComponentInteraction, string[]>("choose", async (i) => {
      await i.deferUpdate();
      const values = i.isStringSelectMenu() ? i.values : [];
      await i.editReply({ content: `chose ${values.join(",")}` });
      return values;
    });
    const r = await alice().runCommand("ping");
    const message = await r.reply();
    const picked = await alice().select(message, "choose", ["b"]);
    expect(await chosen).toEqual(["b"]);
    expect(picked.callbacks).toEqual([6]);
    expect(await picked.reply()).toMatchObject({ id: message.id, content: "chose b" });
    const clicked = await alice().click(message.id, "more");
    const updated = await clicked.reply();
    expect(clicked.callbacks).toEqual([7]);
    expect(updated.id).toBe(message.id);
    expect(updated.content).toBe(`clicked on ${message.id}`);
    expect(emu.message(message.id)?.components).toEqual([]);
    await expect(alice().click(message.id, "more")).rejects.toThrow(/no component/);
  });
});

describe("channel messages and reactions", () => {
  it("a message posted in a channel arrives, and nextMessage sees it", async () => {
    const next = emu.nextMessage(channelId);
    const sent = await textChannel().send({ content: "hello channel" });
    const seen = await next;
    expect(seen.id).toBe(sent.id);
    expect(seen.content).toBe("hello channel");
    expect(emu.messages(channelId).at(-1)?.id).toBe(sent.id);
    const fetched = await textChannel().messages.fetch(sent.id);
    expect(fetched.content).toBe("hello channel");
    await fetched.edit({ content: "edited" });
    expect(emu.message(sent.id)?.content).toBe("edited");
    const listed = await textChannel().messages.fetch({ limit: 2 });
    expect(listed.first()?.id).toBe(sent.id);
    await fetched.delete();
    expect(emu.message(sent.id)).toBeUndefined();
    const withFile = await textChannel().send({
      content: "a file",
      files: [{ attachment: Buffer.from("hello"), name: "note.txt" }],
    });
    expect(emu.message(withFile.id)?.attachments).toMatchObject([
      { filename: "note.txt", size: 5 },
    ]);
  });

  it("announces a server added while connected (GUILD_CREATE)", async () => {
    const late = emu.addGuild({ name: "Late" });
    emu.addChannel(late.id, { name: "late-general" });
    await until(() => client.guilds.cache.get(late.id)?.channels.cache.size === 1);
    expect(client.guilds.cache.get(late.id)?.name).toBe("Late");
  });

  it("reactions add and remove reach the client, also on an uncached message", async () => {
    const added: { partial: boolean; emoji: string | null; user: string }[] = [];
    const removed: string[] = [];
    const onAdd = (r: MessageReaction | PartialMessageReaction, u: User | PartialUser): void => {
      added.push({ partial: r.message.partial, emoji: r.emoji.name, user: u.id });
    };
    const onRemove = (
      _r: MessageReaction | PartialMessageReaction,
      u: User | PartialUser,
    ): void => {
      removed.push(u.id);
    };
    client.on("messageReactionAdd", onAdd);
    client.on("messageReactionRemove", onRemove);
    try {
      const mine = await textChannel().send({ content: "react to me" });
      await mine.react("👍");
      expect(emu.reactions(mine.id)).toEqual([{ emoji: "👍", userIds: [emu.botUserId] }]);

      // Without the Guild Messages intent the client never caches this one: a partial.
      const theirs = emu.postMessage(channelId, aliceId, "someone else's message");
      await alice().react(theirs.id, "🔖");
      await alice().react(theirs.id, { id: "123456789012345678", name: "custom" });
      await alice().unreact(theirs.id, "🔖");
      await until(() => added.length === 3 && removed.length === 1);
      expect(added[0]).toEqual({ partial: false, emoji: "👍", user: emu.botUserId });
      expect(added[1]).toEqual({ partial: true, emoji: "🔖", user: aliceId });
      expect(removed).toEqual([aliceId]);
      expect(emu.reactions(theirs.id)).toEqual([
        { emoji: "custom:123456789012345678", userIds: [aliceId] },
      ]);
      const fetched = await textChannel().messages.fetch(theirs.id);
      expect(fetched.content).toBe("someone else's message");
      expect(fetched.reactions.cache.get("123456789012345678")?.count).toBe(1);
    } finally {
      client.off("messageReactionAdd", onAdd);
      client.off("messageReactionRemove", onRemove);
    }
  });

  it("de-duplicates a POST with the same nonce when enforce_nonce is set", async () => {
    const before = emu.messages(channelId).length;
    const a = await textChannel().send({ content: "once", nonce: "n-1", enforceNonce: true });
    const b = await textChannel().send({ content: "once", nonce: "n-1", enforceNonce: true });
    expect(b.id).toBe(a.id);
    expect(emu.messages(channelId).length).toBe(before + 1);
  });

  it("sends DMs (MESSAGE_CREATE with the DM intent), and a closed DM answers 50007", async () => {
    const created: string[] = [];
    const onCreate = (m: { content: string }): void => void created.push(m.content);
    client.on("messageCreate", onCreate);
    const user = await client.users.fetch(aliceId);
    const dm = await user.send({ content: "psst" });
    expect(emu.messages(dm.channelId).map((m) => m.content)).toEqual(["psst"]);
    await until(() => created.includes("psst"));
    client.off("messageCreate", onCreate);
    emu.setDmsClosed(aliceId);
    await expect(user.send({ content: "again" })).rejects.toMatchObject({ code: 50007 });
    emu.setDmsClosed(aliceId, false);
  });
});

describe("rules the bot must follow", () => {
  it("records an over-long embed (Discord refuses it with 50035), and assertClean throws", async () => {
    const outcome = on<ChatInputCommandInteraction, void>("ping", async (i) => {
      // A raw object: EmbedBuilder would refuse it before it reaches Discord.
      await i.reply({ embeds: [{ description: "x".repeat(4097) }] });
    });
    await alice().runCommand("ping");
    await expect(outcome).rejects.toMatchObject({ code: 50035, status: 400 });
    expect(emu.violations.join("\n")).toMatch(/description is 4097 characters \(max 4096\)/);
    expect(() => emu.assertClean()).toThrow(/description.*\n.*still unanswered/);
    expect(emu.violations).toEqual([]);
  });

  it("records the other limits: content, rows, labels, custom ids, choices, modals", async () => {
    const row = (n: number, prefix: string): unknown => ({
      type: 1,
      components: Array.from({ length: n }, (_, k) => ({
        type: 2,
        style: 1,
        label: "L",
        custom_id: `${prefix}${k}`,
      })),
    });
    const failures = await Promise.all(
      [
        { content: "x".repeat(2001) },
        { content: "rows", components: Array.from({ length: 6 }, (_, k) => row(1, `r${k}`)) },
        { content: "six buttons", components: [row(6, "b")] },
        { content: "dupes", components: [row(1, "same"), row(1, "same")] },
        {
          content: "label",
          components: [
            {
              type: 1,
              components: [
                { type: 2, style: 1, label: "l".repeat(81), custom_id: "c".repeat(101) },
              ],
            },
          ],
        },
      ].map((body) =>
        client.rest
          .post(Routes.channelMessages(channelId), {
            body: { ...body, allowed_mentions: { parse: [] } },
          })
          .catch((e: unknown) => e),
      ),
    );
    expect(failures.map((f) => (f as DiscordAPIError).code)).toEqual([
      50035, 50035, 50035, 50035, 50035,
    ]);
    on<AutocompleteInteraction, void>("autocomplete model", async (i) => {
      await i.respond(
        Array.from({ length: 26 }, (_, k) => ({ name: k === 0 ? "" : `n${k}`, value: `v${k}` })),
      );
    });
    // Refused with 50035, so the autocomplete stays unanswered.
    await alice().startAutocomplete("model", { name: "n" }, "name");
    await until(() => emu.violations.some((v) => v.includes("autocomplete choices")));
    on<ChatInputCommandInteraction, void>("ping", async (i) => {
      await i.showModal({
        custom_id: "m",
        title: "t".repeat(46),
        components: Array.from({ length: 6 }, (_, k) => ({
          type: 1,
          components: [{ type: 4, custom_id: `i${k}`, label: "q".repeat(46), style: 1 }],
        })),
      } as never);
    });
    const modal = await alice().runCommand("ping");
    await until(() => emu.violations.some((v) => v.includes("modal title")));
    const text = emu.takeViolations().join("\n");
    for (const expected of [
      "content is 2001 characters (max 2000)",
      "6 action rows (max 5)",
      "has 6 buttons (max 5)",
      '"same0" is used twice',
      "label is 81 characters (max 80)",
      "custom_id is 101 characters (max 100)",
      "26 autocomplete choices (max 25)",
      "choices[0].name is 0 characters (min 1)",
      "modal title is 46 characters (max 45)",
      "modal has 6 components (max 5)",
      "label is 46 characters (max 45)",
    ]) {
      expect(text).toContain(expected);
    }
    expect(modal.status).toBe("pending"); // refused, so still unanswered
    expect(() => emu.assertClean()).toThrow(
      /autocomplete \/model.*still unanswered[^]*\/ping.*still unanswered/,
    );
  });

  it("a slow answer past rest.timeout makes discord.js retry: a double post, unless nonced", async () => {
    const { REST } = await import("discord.js");
    const rest = new REST({ api: emu.apiUrl, timeout: 300, retries: 1 }).setToken(emu.token);
    // A channel of its own: this client has not seen the other channel's rate limit.
    const quiet = emu.addChannel(guildId, { name: "slow" }).id;
    const post = (body: Record<string, unknown>): Promise<unknown> =>
      rest.post(Routes.channelMessages(quiet), {
        body: { ...body, allowed_mentions: { parse: [] } },
      });
    const count = (content: string): number =>
      emu.messages(quiet).filter((m) => m.content === content).length;
    emu.faults.add({ method: "POST", path: /\/channels\/\d+\/messages$/, delayMs: 450, times: 1 });
    await post({ content: "slow" });
    expect(count("slow")).toBe(2);
    emu.faults.add({ method: "POST", path: /\/channels\/\d+\/messages$/, delayMs: 450, times: 1 });
    await post({ content: "slow nonced", nonce: "slow-1", enforce_nonce: true });
    expect(count("slow nonced")).toBe(1);
  });

  it("records a message without allowed_mentions { parse: [] }", async () => {
    await textChannel().send({ content: "hi @everyone", allowedMentions: { parse: ["everyone"] } });
    expect(emu.takeViolations()).toEqual([
      expect.stringMatching(/allowed_mentions is \{"parse":\["everyone"\]\}/),
    ]);
  });

  it("records a double answer (40060)", async () => {
    const outcome = on<ChatInputCommandInteraction, PromiseSettledResult<unknown>[]>(
      "ping",
      async (i) => Promise.allSettled([i.reply({ content: "a" }), i.reply({ content: "b" })]),
    );
    await alice().runCommand("ping");
    const [first, second] = await outcome;
    expect(first?.status).toBe("fulfilled");
    expect(second).toMatchObject({ status: "rejected", reason: { code: 40060 } });
    expect(emu.takeViolations()).toEqual([expect.stringMatching(/answered twice/)]);
  });

  it("records an unanswered interaction, and a late answer gets 10062", async () => {
    const outcome = on<ChatInputCommandInteraction, void>("ping", async (i) => {
      await sleep(3_100);
      await i.reply({ content: "too late" });
    });
    const r = await alice().runCommand("ping");
    await expect(outcome).rejects.toMatchObject({ code: 10062, status: 404 });
    expect(r.status).toBe("expired");
    const violations = emu.takeViolations();
    expect(violations[0]).toMatch(/not answered within 3 s/);
    expect(violations[1]).toMatch(/after the 3 s deadline/);
  });
});

describe("faults", () => {
  it("a 429 on a reply is waited out and retried by discord.js", async () => {
    const fault = emu.faults.add({
      method: "POST",
      path: /^\/interactions\/\d+\/[^/]+\/callback$/,
      status: 429,
      retryAfter: 0.2,
      times: 1,
    });
    on<ChatInputCommandInteraction, void>("ping", async (i) => {
      await i.reply({ content: "after 429" });
    });
    const started = Date.now();
    const r = await alice().runCommand("ping");
    expect((await r.reply()).content).toBe("after 429");
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(fault.hits).toBe(1);
    const callbacks = emu.requests.filter((q) => q.path.endsWith(`/${r.id}/${r.token}/callback`));
    expect(callbacks.map((q) => q.status)).toEqual([429, 204]);
  });

  it("a 500 is retried once (retries: 1); two fail with HTTPError", async () => {
    emu.faults.add({ method: "POST", path: /\/channels\/\d+\/messages$/, status: 500, times: 1 });
    const sent = await textChannel().send({ content: "after one 500" });
    expect(emu.message(sent.id)?.content).toBe("after one 500");
    emu.faults.add({ method: "POST", path: /\/channels\/\d+\/messages$/, status: 500, times: 2 });
    const error = await textChannel()
      .send({ content: "never" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HTTPError);
    expect((error as HTTPError).status).toBe(500);
  });

  it("missing permissions (50013) and a deleted channel (10003) are DiscordAPIErrors", async () => {
    const locked = emu.addChannel(guildId, { name: "locked" }).id;
    const doomed = emu.addChannel(guildId, { name: "doomed" }).id;
    await until(() => textChannel(locked) !== undefined && textChannel(doomed) !== undefined);
    emu.setBotPermissions(locked, { deny: PermissionFlagsBits.SendMessages });
    const denied = await textChannel(locked)
      .send({ content: "x" })
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(DiscordAPIError);
    expect(denied).toMatchObject({ code: 50013, status: 403 });

    const doomedChannel = textChannel(doomed);
    emu.deleteChannel(doomed);
    const gone = await doomedChannel.send({ content: "x" }).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(DiscordAPIError);
    expect(gone).toMatchObject({ code: 10003, status: 404, message: "Unknown Channel" });
    await until(() => !client.channels.cache.has(doomed));

    emu.faults.add({ path: /\/channels\/\d+\/messages$/, status: 403, code: 50013 });
    await expect(textChannel().send({ content: "x" })).rejects.toMatchObject({ code: 50013 });
  });

  it("an unknown route answers a JSON 404 at once", async () => {
    const started = Date.now();
    const res = await fetch(`${emu.apiUrl}/v10/no/such/route`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ message: "404: Not Found", code: 0 });
    await expect(client.rest.get("/no/such/route" as `/${string}`)).rejects.toMatchObject({
      status: 404,
    });
    expect(Date.now() - started).toBeLessThan(500);
    const empty = await fetch(`${emu.apiUrl}/v10/channels/${channelId}/messages/1/reactions`, {
      method: "DELETE",
      headers: { authorization: `Bot ${emu.token}` },
    });
    expect(empty.status).toBe(404);
  });

  it("dropGateway: the client resumes, missed dispatches are replayed", async () => {
    on<ChatInputCommandInteraction, void>("ping", async (i) => {
      await i.reply({ content: "resumed" });
    });
    const back = emu.dropGateway();
    // Sent while the socket is down: replayed after RESUME.
    const r = await alice().runCommand("ping");
    await back;
    expect((await r.reply()).content).toBe("resumed");
    expect(emu.gatewayStats.resumes).toBe(1);
    expect(emu.gatewayStats.urls.at(-1)).toMatch(/^\/gateway\/resume\?v=10/);
    const again = await alice().runCommand("ping");
    expect((await again.reply()).content).toBe("resumed");
  });

  it("invalidateSession: the client identifies again", async () => {
    const identifies = emu.gatewayStats.identifies;
    await emu.invalidateSession();
    expect(emu.gatewayStats.identifies).toBe(identifies + 1);
    on<ChatInputCommandInteraction, void>("ping", async (i) => {
      await i.reply({ content: "new session" });
    });
    const r = await alice().runCommand("ping");
    expect((await r.reply()).content).toBe("new session");
    expect(emu.gatewayStats.heartbeats).toBeGreaterThan(0);
  });

  it("a raw double callback is refused even across REST calls", async () => {
    const outcome = on<ChatInputCommandInteraction, unknown>("ping", async (i) => {
      await i.reply({ content: "once" });
      return client.rest
        .post(Routes.interactionCallback(i.id, i.token), {
          body: { type: 6 },
          auth: false,
        })
        .catch((e: unknown) => e);
    });
    const r: InteractionHandle = await alice().runCommand("ping");
    expect(await outcome).toMatchObject({ code: 40060 });
    expect(r.callbacks).toEqual([4]);
    expect(emu.takeViolations()).toHaveLength(1);
  });
});

/** A REST call as any client would make it, to read Discord's answer as sent. */
function raw(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${emu.apiUrl}/v10${path}`, {
    method,
    headers: { authorization: `Bot ${emu.token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe("what Discord enforces", () => {
  it("per-route buckets: headers on every answer, then 429 with retry_after; discord.js waits them out", async () => {
    const channel = emu.addChannel(guildId, { name: "bucket" }).id;
    const post = (n: number) =>
      raw("POST", `/channels/${channel}/messages`, {
        content: `m${n}`,
        allowed_mentions: { parse: [] },
      });
    const answers: Response[] = [];
    for (let n = 0; n < 6; n++) answers.push(await post(n));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(answers.map((a) => a.headers.get("x-ratelimit-remaining"))).toEqual([
      "4",
      "3",
      "2",
      "1",
      "0",
      "0",
    ]);
    const buckets = new Set(answers.map((a) => a.headers.get("x-ratelimit-bucket")));
    expect(buckets.size).toBe(1);
    const limited = answers[5]!;
    expect(limited.headers.get("x-ratelimit-limit")).toBe("5");
    expect(limited.headers.get("x-ratelimit-scope")).toBe("user");
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(4);
    expect(retryAfter).toBeLessThanOrEqual(5);
    expect(Number(limited.headers.get("x-ratelimit-reset-after"))).toBeCloseTo(retryAfter, 1);
    expect(Number(limited.headers.get("x-ratelimit-reset")) * 1000).toBeGreaterThan(Date.now());
    expect(await limited.json()).toEqual({
      message: "You are being rate limited.",
      retry_after: retryAfter,
      global: false,
    });
    expect(emu.messages(channel).map((m) => m.content)).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    // Another channel has a bucket of its own.
    const elsewhere = emu.addChannel(guildId, { name: "elsewhere" }).id;
    expect(
      (
        await raw("POST", `/channels/${elsewhere}/messages`, {
          content: "x",
          allowed_mentions: { parse: [] },
        })
      ).status,
    ).toBe(200);

    // Reactions: one per quarter second in a channel. discord.js waits between them (it meets
    // at most one 429, when it first learns the bucket's hash, as it would on Discord).
    const reactions = emu.addChannel(guildId, { name: "reactions" }).id;
    await until(() => textChannel(reactions) !== undefined);
    const target = await textChannel(reactions).send({ content: "react" });
    const hits = emu.rateLimitHits.length;
    const started = Date.now();
    for (const emoji of ["👍", "👀", "🎉", "🔖"]) await target.react(emoji);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 250);
    expect(emu.rateLimitHits.length - hits).toBeLessThanOrEqual(1);
    expect(emu.reactions(target.id).map((r) => r.emoji)).toEqual(["👍", "👀", "🎉", "🔖"]);
    await sleep(300);
    const second = await raw(
      "PUT",
      `/channels/${reactions}/messages/${target.id}/reactions/%E2%AD%90/@me`,
    );
    const third = await raw(
      "PUT",
      `/channels/${reactions}/messages/${target.id}/reactions/%F0%9F%94%A5/@me`,
    );
    expect([second.status, third.status]).toEqual([204, 429]);
    expect(third.headers.get("x-ratelimit-limit")).toBe("1");
  });

  it("the global limit: 50 requests a second across all routes, then a global 429", async () => {
    await sleep(1_000); // a window of its own
    const answers = await Promise.all(
      Array.from({ length: 51 }, (_, n) => raw("GET", n % 2 ? "/users/@me" : "/gateway/bot")),
    );
    const limited = answers.filter((a) => a.status === 429);
    expect(limited).toHaveLength(1);
    expect(limited[0]!.headers.get("x-ratelimit-global")).toBe("true");
    expect(limited[0]!.headers.get("x-ratelimit-scope")).toBe("global");
    expect(await limited[0]!.json()).toMatchObject({ global: true });
    expect(emu.rateLimitHits.at(-1)).toMatchObject({ bucket: "global", global: true });
    // Discord's window is one second: wait it out so the next tests start clean.
    await sleep(1_000);
  });

  it("custom emoji: the bot reacts with its server's own, with another server's only with Use External Emojis, and never with one it has no server for (10014)", async () => {
    const pin = emu.addEmoji(guildId, { name: "pin" });
    const other = emu.addGuild({ name: "Emoji land" });
    const party = emu.addEmoji(other.id, { name: "party", animated: true });
    await until(() => client.guilds.cache.has(other.id));
    const listed = await client.guilds.cache.get(guildId)!.emojis.fetch();
    expect(listed.map((e) => e.name)).toEqual(["pin"]);
    await expect(
      client.guilds.cache.get(guildId)!.emojis.fetch("123456789012345678"),
    ).rejects.toMatchObject({ code: 10014, status: 404 });

    const channel = emu.addChannel(guildId, { name: "emoji" }).id;
    await until(() => textChannel(channel) !== undefined);
    const message = await textChannel(channel).send({ content: "react" });
    await message.react(`pin:${pin.id}`);
    await message.react(`party:${party.id}`);
    await expect(message.react("nope:123456789012345678")).rejects.toMatchObject({
      code: 10014,
      status: 400,
    });
    emu.setBotPermissions(channel, { deny: PermissionFlagsBits.UseExternalEmojis });
    await sleep(300);
    const later = await textChannel(channel).send({ content: "again" });
    await later.react(`pin:${pin.id}`);
    await expect(later.react(`party:${party.id}`)).rejects.toMatchObject({ code: 50013 });
    expect(emu.reactions(message.id).map((r) => r.emoji)).toEqual([
      `pin:${pin.id}`,
      `party:${party.id}`,
    ]);
  });

  it("nonces: a fetched message carries none, and the window in which a repeat is dropped is configurable", async () => {
    const short = await DiscordEmulator.start({ nonceWindowMs: 200 });
    try {
      const guild = short.addGuild();
      const channel = short.addChannel(guild.id).id;
      const post = async () => {
        const res = await fetch(`${short.apiUrl}/v10/channels/${channel}/messages`, {
          method: "POST",
          headers: { authorization: `Bot ${short.token}`, "content-type": "application/json" },
          body: JSON.stringify({
            content: "once",
            nonce: "n-42",
            enforce_nonce: true,
            allowed_mentions: { parse: [] },
          }),
        });
        return (await res.json()) as { id: string; nonce?: string };
      };
      const first = await post();
      expect(first.nonce).toBe("n-42");
      expect((await post()).id).toBe(first.id);
      const fetched = await fetch(`${short.apiUrl}/v10/channels/${channel}/messages/${first.id}`, {
        headers: { authorization: `Bot ${short.token}` },
      });
      expect(((await fetched.json()) as { nonce?: string }).nonce).toBeUndefined();
      await sleep(250);
      expect((await post()).id).not.toBe(first.id);
      expect(short.messages(channel)).toHaveLength(2);
    } finally {
      await short.stop();
    }
  });

  it("refuses a click Discord would refuse (COMPONENT_VALIDATION_FAILED, another member's ephemeral message); rawComponent and rawModalSubmit deliver them anyway", async () => {
    on<ChatInputCommandInteraction, void>("ping", async (i) => {
      await i.reply({
        content: "private",
        flags: MessageFlags.Ephemeral,
        components: [
          new ActionRowBuilder<ButtonBuilder>().addComponents(
            new ButtonBuilder().setCustomId("mine").setLabel("Mine").setStyle(ButtonStyle.Primary),
          ),
        ],
      });
    });
    const message = await (await alice().runCommand("ping")).reply();
    const mo = emu.user(guildId, modId, { channelId });
    await expect(alice().click(message, "not-here")).rejects.toMatchObject({
      name: "InteractionRefused",
      code: "COMPONENT_VALIDATION_FAILED",
    });
    await expect(mo.click(message, "mine")).rejects.toMatchObject({ code: "UNKNOWN_MESSAGE" });

    const crafted = on<MessageComponentInteraction, string>("not-here", async (i) => {
      await i.reply({ content: "seen", flags: MessageFlags.Ephemeral });
      return `${i.user.id} on ${i.message.id}`;
    });
    await mo.rawComponent(message, "not-here");
    expect(await crafted).toBe(`${modId} on ${message.id}`);
    const form = on<ModalSubmitInteraction, string>("forged-form", async (i) => {
      await i.reply({ content: "seen", flags: MessageFlags.Ephemeral });
      return i.fields.getTextInputValue("name");
    });
    await alice().rawModalSubmit("forged-form", { name: "anything" });
    expect(await form).toBe("anything");
  });
});

async function until(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(10);
  }
}
