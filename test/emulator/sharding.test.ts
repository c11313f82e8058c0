import {
  Client,
  Events,
  GatewayIntentBits,
  Routes,
  type APIGatewayBotInfo,
  type ChatInputCommandInteraction,
} from "discord.js";
import { GatewayOpcodes } from "discord-api-types/v10";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { ConfigError } from "../../src/config.js";
import { recommendedShards, resolveShards } from "../../src/discord/shards.js";
import { DiscordEmulator, shardOf } from "../../src/emulator/index.js";

let emu: DiscordEmulator | undefined;
const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.destroy();
  emu?.assertClean();
  await emu?.stop();
  emu = undefined;
});

/** A discord.js client running some shards of `count`, logged in and ready. */
async function shardClient(emulator: DiscordEmulator, shards: number[], count: number) {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    shards,
    shardCount: count,
    rest: { api: emulator.apiUrl, timeout: 2_000, retries: 1 },
    waitGuildTimeout: 100,
    allowedMentions: { parse: [] },
  });
  clients.push(client);
  client.on(Events.InteractionCreate, (interaction) => {
    if (interaction.isChatInputCommand())
      void (interaction as ChatInputCommandInteraction).reply(
        `shard ${interaction.guild?.shardId ?? 0}`,
      );
  });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(emulator.token);
  await ready;
  return client;
}

/** A raw gateway connection: the frames it receives and how it closed. */
async function rawGateway(emulator: DiscordEmulator) {
  const ws = new WebSocket(`${emulator.gatewayUrl}?v=10&encoding=json`);
  const frames: Array<{ op: number; t?: string; d?: unknown }> = [];
  const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
  ws.on("message", (data) => frames.push(JSON.parse(String(data)) as (typeof frames)[number]));
  await new Promise((resolve) => ws.once("open", resolve));
  const identify = (shard: [number, number]) =>
    ws.send(
      JSON.stringify({
        op: GatewayOpcodes.Identify,
        d: { token: emulator.token, intents: GatewayIntentBits.Guilds, shard, properties: {} },
      }),
    );
  const next = async (match: (f: (typeof frames)[number]) => boolean) => {
    for (let i = 0; i < 200; i++) {
      const found = frames.find(match);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error("no such frame within 2 s");
  };
  return { ws, frames, closed, identify, next };
}

describe("a sharded gateway", () => {
  it("GIVEN two processes on shards 0 and 1 of 2 THEN each gets READY with its shard, only its servers, and their interactions; DMs go to shard 0", async () => {
    emu = await DiscordEmulator.start({ sharding: { maxConcurrency: 2 } });
    const servers = [0, 1, 0, 1].map((shard, i) => {
      const guild = emu!.addGuild({ name: `server ${i}`, shard: { id: shard, count: 2 } });
      emu!.addChannel(guild.id, { name: "general" });
      return { ...guild, member: emu!.addMember(guild.id, { username: `m${i}` }).id };
    });
    expect(servers.map((s) => shardOf(s.id, 2))).toEqual([0, 1, 0, 1]);

    const [first, second] = await Promise.all([shardClient(emu, [0], 2), shardClient(emu, [1], 2)]);
    await first.application!.commands.set([{ name: "ping", description: "Answers" }]);
    expect(emu.gatewayShards).toEqual([
      { shard: [0, 2], connected: true },
      { shard: [1, 2], connected: true },
    ]);
    expect([...first.guilds.cache.keys()].sort()).toEqual([servers[0]!.id, servers[2]!.id].sort());
    expect([...second.guilds.cache.keys()].sort()).toEqual([servers[1]!.id, servers[3]!.id].sort());

    const seen: string[] = [];
    first.on(Events.InteractionCreate, () => void seen.push("first"));
    second.on(Events.InteractionCreate, () => void seen.push("second"));
    for (const server of servers) {
      const reply = await (await emu.user(server.id, server.member).runCommand("ping")).reply();
      expect(reply.content).toBe(`shard ${shardOf(server.id, 2)}`);
    }
    expect(seen).toEqual(["first", "second", "first", "second"]);

    await (await emu.dmUser(servers[1]!.member).runCommand("ping")).reply();
    expect(seen.at(-1)).toBe("first");
  });

  it("GIVEN /gateway/bot THEN it reports the recommended shards and max_concurrency", async () => {
    emu = await DiscordEmulator.start({ sharding: { maxConcurrency: 4, recommendedShards: 8 } });
    const client = new Client({ intents: [], rest: { api: emu.apiUrl } });
    client.rest.setToken(emu.token);
    const info = (await client.rest.get(Routes.gatewayBot())) as APIGatewayBotInfo;
    expect(info.shards).toBe(8);
    expect(info.session_start_limit.max_concurrency).toBe(4);
  });

  it("GIVEN SHARD_COUNT=auto THEN the bot runs the shards Discord recommends, and refuses SHARD_IDS beyond them", async () => {
    emu = await DiscordEmulator.start({ sharding: { recommendedShards: 3 } });
    const ask = recommendedShards({ apiUrl: emu.apiUrl }, emu.token);
    expect(await resolveShards({ count: "auto", ids: undefined, workers: false }, ask)).toEqual({
      count: 3,
      ids: [0, 1, 2],
    });
    expect(await resolveShards({ count: "auto", ids: [2], workers: false }, ask)).toEqual({
      count: 3,
      ids: [2],
    });
    await expect(
      resolveShards({ count: "auto", ids: [1, 3], workers: false }, ask),
    ).rejects.toThrowError(ConfigError);
  });

  it("GIVEN a second IDENTIFY in the same bucket within 5 s THEN it is refused with INVALID_SESSION; another bucket is not", async () => {
    emu = await DiscordEmulator.start({ sharding: { maxConcurrency: 2 } });
    const a = await rawGateway(emu);
    a.identify([0, 4]);
    await a.next((f) => f.t === "READY");
    const b = await rawGateway(emu);
    b.identify([2, 4]); // bucket 0 again
    expect(await b.next((f) => f.op === GatewayOpcodes.InvalidSession)).toMatchObject({ d: false });
    const c = await rawGateway(emu);
    c.identify([1, 4]); // bucket 1
    expect(await c.next((f) => f.t === "READY")).toMatchObject({ d: { shard: [1, 4] } });
    expect(emu.gatewayStats.refusedIdentifies).toBe(1);
    for (const g of [a, b, c]) g.ws.close();
  });

  it("GIVEN an invalid shard THEN the gateway closes with 4010; a shard over its server limit closes with 4011", async () => {
    emu = await DiscordEmulator.start({
      sharding: { maxGuildsPerShard: 1, maxConcurrency: 16 },
    });
    emu.addGuild({ shard: { id: 0, count: 2 } });
    emu.addGuild({ shard: { id: 1, count: 2 } });
    for (const shard of [
      [2, 2],
      [-1, 2],
      [0, 0],
    ] as Array<[number, number]>) {
      const raw = await rawGateway(emu);
      raw.identify(shard);
      expect(await raw.closed).toBe(4010);
    }
    const unsharded = await rawGateway(emu);
    unsharded.identify([0, 1]);
    expect(await unsharded.closed).toBe(4011);
    const sharded = await rawGateway(emu);
    sharded.identify([1, 2]);
    expect(await sharded.next((f) => f.t === "READY")).toMatchObject({ d: { shard: [1, 2] } });
    sharded.ws.close();
  });
});
