import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { randomBytes } from "node:crypto";
import {
  GatewayDispatchEvents,
  GatewayOpcodes,
  type ApplicationFlags,
  type APIGuildMember,
  type APIUser,
  type GatewayGuildCreateDispatchData,
  type GatewayReadyDispatchData,
} from "discord-api-types/v10";
import { WebSocketServer, type RawData, type WebSocket } from "ws";

/** What the gateway needs to know about the rest of the emulator. */
export interface GatewayHost {
  botUser(): APIUser;
  applicationId: string;
  guildIds(): string[];
  guildCreate(guildId: string): GatewayGuildCreateDispatchData;
  members(
    guildId: string,
    query: string,
    userIds: readonly string[],
    limit: number,
  ): APIGuildMember[];
}

export interface GatewayStats {
  connections: number;
  identifies: number;
  /** Identifies refused with INVALID_SESSION for coming faster than `max_concurrency` allows. */
  refusedIdentifies: number;
  resumes: number;
  invalidSessions: number;
  heartbeats: number;
  /** The URL path + query of each connection, to tell READY's resume_gateway_url was used. */
  urls: string[];
}

/** How the gateway shards, as `GET /gateway/bot` reports and IDENTIFY is checked. */
export interface ShardingOptions {
  /** Identifies per rate-limit bucket (`shard_id % max_concurrency`) per window (default 1). */
  maxConcurrency: number;
  /** The identify window (default 5000 ms, Discord's). */
  identifyWindowMs: number;
  /** More servers than this on one shard closes it with 4011, Sharding Required (default 2500). */
  maxGuildsPerShard: number;
  /** What `/gateway/bot` recommends (default one shard per 1000 servers). */
  recommendedShards?: number;
}

/** The shard Discord puts a server on. Written here, not borrowed from the bot, on purpose. */
export function shardOf(guildId: string, numShards: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(numShards));
}

interface Session {
  id: string;
  /** [shard_id, num_shards] from IDENTIFY. */
  shard: [number, number];
  seq: number;
  intents: number;
  /** Every dispatch sent in this session (capped), to replay after a RESUME. */
  sent: { s: number; frame: string }[];
  socket: WebSocket | null;
}

const REPLAY_CAP = 5000;

interface GatewayFrame {
  op: number;
  d?: unknown;
  s?: number | null;
  t?: string | null;
}

/**
 * The Discord gateway, text frames only (JSON encoding, no compression, whatever the client asks).
 * One session per shard: each gets READY with its `[shard_id, num_shards]` and only its servers'
 * events (events without a server go to shard 0). IDENTIFY is refused (INVALID_SESSION) when it
 * comes sooner than `max_concurrency` allows, and closed with 4010 for an invalid shard and 4011
 * when a shard would hold too many servers.
 */
export class Gateway extends EventEmitter {
  readonly stats: GatewayStats = {
    connections: 0,
    identifies: 0,
    resumes: 0,
    invalidSessions: 0,
    heartbeats: 0,
    urls: [],
    refusedIdentifies: 0,
  };
  private readonly wss = new WebSocketServer({ noServer: true });
  /** By shard id. */
  private readonly sessions = new Map<number, Session>();
  private readonly sockets = new Set<WebSocket>();
  /** When each rate-limit bucket last took an IDENTIFY. */
  private readonly lastIdentify = new Map<number, number>();
  url = "";
  resumeUrl = "";

  constructor(
    private readonly host: GatewayHost,
    private readonly heartbeatIntervalMs: number,
    readonly sharding: ShardingOptions,
  ) {
    super();
  }

  /** The shards `/gateway/bot` recommends for the servers the bot is in now. */
  get recommendedShards(): number {
    return (
      this.sharding.recommendedShards ?? Math.max(1, Math.ceil(this.host.guildIds().length / 1000))
    );
  }

  /** The intents of the session that receives a server's events (0 when none). */
  intentsFor(guildId: string | null | undefined): number {
    return this.sessionsFor(guildId)[0]?.intents ?? 0;
  }

  get connected(): boolean {
    return [...this.sessions.values()].some((s) => s.socket !== null);
  }

  /** Whether a session exists (connected, or dropped and resumable). */
  get hasSession(): boolean {
    return this.sessions.size > 0;
  }

  /** Every session: its shard, and whether its socket is connected. */
  get shards(): Array<{ shard: [number, number]; connected: boolean }> {
    return [...this.sessions.values()]
      .map((s) => ({ shard: s.shard, connected: s.socket !== null }))
      .sort((a, b) => a.shard[0] - b.shard[0]);
  }

  /** The sessions a server's events go to; without a server, shard 0's. */
  private sessionsFor(guildId: string | null | undefined): Session[] {
    return [...this.sessions.values()].filter(({ shard: [id, count] }) =>
      guildId ? shardOf(guildId, count) === id : id === 0,
    );
  }

  /** While true, new connections are refused (an outage) and the client keeps retrying. */
  refusing = false;

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.refusing) {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n");
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req.url ?? ""));
  }

  /**
   * Sends (or, while disconnected, queues for RESUME) a dispatch to the shard of the server it is
   * about, if that session's intents allow it.
   */
  dispatch(t: string, d: unknown, anyOfIntents?: number): boolean {
    let sent = false;
    for (const session of this.sessionsFor(guildOf(t, d))) {
      if (anyOfIntents !== undefined && (session.intents & anyOfIntents) === 0) continue;
      this.send(session, t, d);
      sent = true;
    }
    if (sent) this.emit("dispatch", t, d);
    return sent;
  }

  private send(session: Session, t: string, d: unknown): void {
    const s = ++session.seq;
    const frame = JSON.stringify({ op: GatewayOpcodes.Dispatch, t, s, d });
    session.sent.push({ s, frame });
    if (session.sent.length > REPLAY_CAP) session.sent.shift();
    session.socket?.send(frame);
  }

  /**
   * Closes every connected socket abruptly (no close frame: code 1006 on the client), keeping the
   * sessions. How many were dropped.
   */
  drop(): number {
    let dropped = 0;
    for (const session of this.sessions.values()) {
      const socket = session.socket;
      if (!socket) continue;
      session.socket = null;
      socket.terminate();
      dropped++;
    }
    return dropped;
  }

  /**
   * Sends INVALID_SESSION (d: false) and forgets every session: the client must IDENTIFY again.
   * How many there were.
   */
  invalidate(): number {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const session of all) {
      this.stats.invalidSessions++;
      session.socket?.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: false }));
    }
    return all.length;
  }

  /** Asks the client to reconnect and resume (op 7), on every shard. How many were asked. */
  reconnect(): number {
    let asked = 0;
    for (const session of this.sessions.values()) {
      if (!session.socket) continue;
      session.socket.send(JSON.stringify({ op: GatewayOpcodes.Reconnect, d: null }));
      asked++;
    }
    return asked;
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.sockets.clear();
    this.sessions.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onConnection(ws: WebSocket, url: string): void {
    this.sockets.add(ws);
    this.stats.connections++;
    this.stats.urls.push(url);
    let authenticated = false;
    ws.on("close", (code) => {
      this.sockets.delete(ws);
      for (const session of this.sessions.values()) {
        if (session.socket !== ws) continue;
        session.socket = null;
        // Discord invalidates a session closed normally (1000/1001); other codes keep it resumable.
        if (code === 1000 || code === 1001) this.sessions.delete(session.shard[0]);
      }
    });
    ws.on("error", () => undefined);
    ws.on("message", (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        ws.close(4002, "Error while decoding payload.");
        return;
      }
      let frame: GatewayFrame;
      try {
        frame = JSON.parse(rawToString(data)) as GatewayFrame;
      } catch {
        ws.close(4002, "Error while decoding payload.");
        return;
      }
      switch (frame.op) {
        case GatewayOpcodes.Heartbeat:
          this.stats.heartbeats++;
          ws.send(JSON.stringify({ op: GatewayOpcodes.HeartbeatAck }));
          return;
        case GatewayOpcodes.Identify:
          if (authenticated) {
            ws.close(4005, "Already authenticated.");
            return;
          }
          authenticated = this.identify(ws, frame.d as Identify);
          return;
        case GatewayOpcodes.Resume:
          if (authenticated) {
            ws.close(4005, "Already authenticated.");
            return;
          }
          authenticated = this.resume(ws, frame.d as { session_id?: string; seq?: number });
          return;
        case GatewayOpcodes.RequestGuildMembers:
        case GatewayOpcodes.PresenceUpdate:
        case GatewayOpcodes.VoiceStateUpdate:
          if (!authenticated) {
            ws.close(4003, "Not authenticated.");
            return;
          }
          if (frame.op === GatewayOpcodes.RequestGuildMembers) {
            this.requestMembers(frame.d as RequestMembers);
          }
          return;
        default:
          ws.close(4001, "Unknown opcode.");
      }
    });
    ws.send(
      JSON.stringify({
        op: GatewayOpcodes.Hello,
        d: { heartbeat_interval: this.heartbeatIntervalMs, _trace: ["emulator"] },
      }),
    );
  }

  /** True when the session is established. */
  private identify(ws: WebSocket, d: Identify): boolean {
    if (typeof d?.token !== "string" || d.token.length === 0) {
      ws.close(4004, "Authentication failed.");
      return false;
    }
    if (typeof d.intents !== "number") {
      ws.close(4013, "Invalid intent(s).");
      return false;
    }
    const shard = d.shard ?? [0, 1];
    const [shardId, numShards] = shard;
    if (
      !Array.isArray(shard) ||
      shard.length !== 2 ||
      !Number.isInteger(shardId) ||
      !Number.isInteger(numShards) ||
      numShards < 1 ||
      shardId < 0 ||
      shardId >= numShards
    ) {
      ws.close(4010, "Invalid shard.");
      return false;
    }
    const guildIds = this.host.guildIds().filter((id) => shardOf(id, numShards) === shardId);
    if (guildIds.length > this.sharding.maxGuildsPerShard) {
      ws.close(4011, "Sharding required.");
      return false;
    }
    // max_concurrency identifies per window, one per bucket: a faster one is refused.
    const bucket = shardId % this.sharding.maxConcurrency;
    const now = Date.now();
    const last = this.lastIdentify.get(bucket);
    if (last !== undefined && now - last < this.sharding.identifyWindowMs) {
      this.stats.refusedIdentifies++;
      this.stats.invalidSessions++;
      ws.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: false }));
      return false;
    }
    this.lastIdentify.set(bucket, now);
    const old = this.sessions.get(shardId)?.socket;
    if (old && old !== ws) old.terminate();
    this.stats.identifies++;
    const session: Session = {
      id: randomBytes(16).toString("hex"),
      shard: [shardId, numShards],
      seq: 0,
      intents: d.intents,
      sent: [],
      socket: ws,
    };
    this.sessions.set(shardId, session);
    const ready: GatewayReadyDispatchData = {
      v: 10,
      user: this.host.botUser(),
      guilds: guildIds.map((id) => ({ id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.resumeUrl,
      shard: [shardId, numShards],
      application: { id: this.host.applicationId, flags: 0 as ApplicationFlags, flags_new: "0" },
    };
    this.send(session, GatewayDispatchEvents.Ready, ready);
    for (const id of guildIds)
      this.send(session, GatewayDispatchEvents.GuildCreate, this.host.guildCreate(id));
    this.emit("ready", shardId);
    return true;
  }

  private resume(ws: WebSocket, d: { session_id?: string; seq?: number }): boolean {
    const session = [...this.sessions.values()].find((s) => s.id === d?.session_id);
    if (!session) {
      this.stats.invalidSessions++;
      ws.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: false }));
      return false;
    }
    const old = session.socket;
    if (old && old !== ws) old.terminate();
    session.socket = ws;
    this.stats.resumes++;
    const after = typeof d.seq === "number" ? d.seq : 0;
    for (const { s, frame } of session.sent) if (s > after) ws.send(frame);
    this.send(session, GatewayDispatchEvents.Resumed, null);
    this.emit("resumed", session.shard[0]);
    return true;
  }

  private requestMembers(d: RequestMembers): void {
    const members = this.host.members(d.guild_id, d.query ?? "", d.user_ids ?? [], d.limit ?? 0);
    this.dispatch(GatewayDispatchEvents.GuildMembersChunk, {
      guild_id: d.guild_id,
      members,
      chunk_index: 0,
      chunk_count: 1,
      nonce: d.nonce,
    });
  }
}

interface Identify {
  token?: string;
  intents?: number;
  shard?: [number, number];
}

/** The server an event is about: its `guild_id`, or the server itself for GUILD_CREATE and kin. */
function guildOf(t: string, d: unknown): string | undefined {
  const data = (d ?? {}) as { guild_id?: unknown; id?: unknown };
  if (typeof data.guild_id === "string") return data.guild_id;
  if (
    (t === GatewayDispatchEvents.GuildCreate ||
      t === GatewayDispatchEvents.GuildUpdate ||
      t === GatewayDispatchEvents.GuildDelete) &&
    typeof data.id === "string"
  )
    return data.id;
  return undefined;
}

interface RequestMembers {
  guild_id: string;
  query?: string;
  limit?: number;
  user_ids?: string[];
  nonce?: string;
}

function rawToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data).toString("utf8");
}
