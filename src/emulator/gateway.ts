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
  resumes: number;
  invalidSessions: number;
  heartbeats: number;
  /** The URL path + query of each connection, to tell READY's resume_gateway_url was used. */
  urls: string[];
}

interface Session {
  id: string;
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
 * One session at a time, as a single-shard bot has.
 */
export class Gateway extends EventEmitter {
  readonly stats: GatewayStats = {
    connections: 0,
    identifies: 0,
    resumes: 0,
    invalidSessions: 0,
    heartbeats: 0,
    urls: [],
  };
  private readonly wss = new WebSocketServer({ noServer: true });
  private session: Session | null = null;
  private readonly sockets = new Set<WebSocket>();
  url = "";
  resumeUrl = "";

  constructor(
    private readonly host: GatewayHost,
    private readonly heartbeatIntervalMs: number,
  ) {
    super();
  }

  /** The intents of the live session (0 when none), for callers that shape payloads by intent. */
  get intents(): number {
    return this.session?.intents ?? 0;
  }

  get connected(): boolean {
    return this.session?.socket != null;
  }

  /** Whether a session exists (connected, or dropped and resumable). */
  get hasSession(): boolean {
    return this.session !== null;
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

  /** Sends (or, while disconnected, queues for RESUME) a dispatch the session's intents allow. */
  dispatch(t: string, d: unknown, anyOfIntents?: number): boolean {
    const session = this.session;
    if (!session) return false;
    if (anyOfIntents !== undefined && (session.intents & anyOfIntents) === 0) return false;
    const s = ++session.seq;
    const frame = JSON.stringify({ op: GatewayOpcodes.Dispatch, t, s, d });
    session.sent.push({ s, frame });
    if (session.sent.length > REPLAY_CAP) session.sent.shift();
    session.socket?.send(frame);
    this.emit("dispatch", t, d);
    return true;
  }

  /** Closes the socket abruptly (no close frame: code 1006 on the client), keeping the session. */
  drop(): void {
    const socket = this.session?.socket;
    if (!socket) return;
    this.session!.socket = null;
    socket.terminate();
  }

  /** Sends INVALID_SESSION (d: false) and forgets the session: the client must IDENTIFY again. */
  invalidate(): void {
    const session = this.session;
    if (!session) return;
    this.session = null;
    this.stats.invalidSessions++;
    session.socket?.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: false }));
  }

  /** Asks the client to reconnect and resume (op 7). */
  reconnect(): void {
    this.session?.socket?.send(JSON.stringify({ op: GatewayOpcodes.Reconnect, d: null }));
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.sockets.clear();
    this.session = null;
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onConnection(ws: WebSocket, url: string): void {
    this.sockets.add(ws);
    this.stats.connections++;
    this.stats.urls.push(url);
    let authenticated = false;
    ws.on("close", (code) => {
      this.sockets.delete(ws);
      if (this.session?.socket === ws) {
        this.session.socket = null;
        // Discord invalidates a session closed normally (1000/1001); other codes keep it resumable.
        if (code === 1000 || code === 1001) this.session = null;
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
          authenticated = true;
          this.identify(ws, frame.d as { token?: string; intents?: number });
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

  private identify(ws: WebSocket, d: { token?: string; intents?: number }): void {
    if (typeof d?.token !== "string" || d.token.length === 0) {
      ws.close(4004, "Authentication failed.");
      return;
    }
    if (typeof d.intents !== "number") {
      ws.close(4013, "Invalid intent(s).");
      return;
    }
    const old = this.session?.socket;
    if (old && old !== ws) old.terminate();
    this.stats.identifies++;
    this.session = {
      id: randomBytes(16).toString("hex"),
      seq: 0,
      intents: d.intents,
      sent: [],
      socket: ws,
    };
    const guildIds = this.host.guildIds();
    const ready: GatewayReadyDispatchData = {
      v: 10,
      user: this.host.botUser(),
      guilds: guildIds.map((id) => ({ id, unavailable: true })),
      session_id: this.session.id,
      resume_gateway_url: this.resumeUrl,
      shard: [0, 1],
      application: { id: this.host.applicationId, flags: 0 as ApplicationFlags, flags_new: "0" },
    };
    this.dispatch(GatewayDispatchEvents.Ready, ready);
    for (const id of guildIds)
      this.dispatch(GatewayDispatchEvents.GuildCreate, this.host.guildCreate(id));
    this.emit("ready");
  }

  private resume(ws: WebSocket, d: { session_id?: string; seq?: number }): boolean {
    const session = this.session;
    if (!session || session.id !== d?.session_id) {
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
    this.dispatch(GatewayDispatchEvents.Resumed, null);
    this.emit("resumed");
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
