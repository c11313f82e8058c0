import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  ApplicationFlags,
  ChannelType,
  type APIApplication,
  type APIInteractionResponse,
  type RESTPostAPIApplicationCommandsJSONBody,
} from "discord-api-types/v10";
import { ApiError, ErrorCodes, Errors } from "./errors.js";
import { parseEmoji, type Core, type IncomingMessageBody, type UploadedFile } from "./core.js";
import type { Faults, FaultSpec } from "./faults.js";
import { checkMessageBody } from "./limits.js";
import type { RateLimiter } from "./ratelimits.js";
import { compareSnowflakes } from "./snowflake.js";

interface Request {
  method: string;
  path: string;
  params: string[];
  query: URLSearchParams;
  body: unknown;
  files: UploadedFile[];
  authorized: boolean;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Handler = (req: Request) => Reply | Promise<Reply>;

interface Route {
  method: string;
  pattern: RegExp;
  /** Interaction callbacks and webhook routes take no Authorization header. */
  auth: boolean;
  handler: Handler;
}

const ID = "(\\d+)";
const TOKEN = "([^/]+)";

const ok = (body: unknown): Reply => ({ status: 200, body });
const noContent = (): Reply => ({ status: 204 });

/** The REST half of the emulator: routes under `/api/v{n}`, faults, request log, gateway upgrade. */
export class RestServer {
  private readonly server: http.Server;
  private readonly routes: Route[] = [];
  port = 0;

  constructor(
    private readonly core: Core,
    private readonly faults: Faults,
    private readonly limiter: RateLimiter,
  ) {
    this.server = http.createServer((req, res) => {
      void this.handle(req, res);
    });
    this.server.on("upgrade", (req, socket, head) => {
      if ((req.url ?? "").startsWith("/gateway")) core.gateway.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
    this.defineRoutes();
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      // Discord accepts a burst of connections; Node's default backlog (511) would drop the rest
      // and make their clients wait a second to retry.
      this.server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.core.gateway.url = `ws://127.0.0.1:${this.port}/gateway`;
    this.core.gateway.resumeUrl = `ws://127.0.0.1:${this.port}/gateway/resume`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private route(method: string, path: string, handler: Handler, auth = true): void {
    this.routes.push({ method, pattern: new RegExp(`^${path}$`), auth, handler });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = (req.method ?? "GET").toUpperCase();
    const raw = await readBody(req);
    const versioned = /^\/api\/v\d+(\/.*)$/.exec(url.pathname);
    const path = versioned ? safeDecode(versioned[1]!) : url.pathname;
    const query: Record<string, string> = Object.fromEntries(url.searchParams);
    const log = (status: number, body: unknown, faulted: boolean): void =>
      this.core.logRequest({ method, path, query, status, body, at: Date.now(), faulted });

    let parsedBody: unknown;
    let files: UploadedFile[] = [];
    try {
      ({ body: parsedBody, files } = parseBody(req.headers["content-type"], raw));
    } catch (error) {
      const reply = this.errorReply(error);
      log(reply.status, undefined, false);
      send(res, reply);
      return;
    }

    const fault = versioned ? this.faults.take(method, path) : undefined;
    const delay = (): Promise<void> =>
      fault?.delayMs ? new Promise((r) => setTimeout(r, fault.delayMs)) : Promise.resolve();
    if (fault?.drop) {
      await delay();
      log(0, parsedBody, true);
      req.socket.destroy();
      return;
    }
    if (fault?.status !== undefined) {
      await delay();
      const reply = faultReply(fault);
      log(reply.status, parsedBody, true);
      send(res, reply);
      return;
    }

    let reply: Reply;
    if (!versioned) {
      reply = { status: 404, body: Errors.notFound().body() };
    } else {
      const match = this.match(method, path);
      if (!match) {
        reply = { status: 404, body: Errors.notFound().body() };
      } else {
        const authorization = req.headers.authorization ?? "";
        const authorized = /^Bot \S+$/.test(authorization);
        const limit =
          match.route.auth && !authorized ? undefined : this.limiter.take(method, path, authorized);
        if (!limit) {
          reply = { status: 401, body: Errors.unauthorized().body() };
        } else if (limit.refused) {
          reply = {
            status: 429,
            headers: limit.headers,
            body: {
              message: "You are being rate limited.",
              retry_after: Number((limit.refused.retryAfterMs / 1000).toFixed(3)),
              global: limit.refused.global,
            },
          };
        } else {
          try {
            reply = await match.route.handler({
              method,
              path,
              params: match.params,
              query: url.searchParams,
              body: parsedBody,
              files,
              authorized,
            });
          } catch (error) {
            reply = this.errorReply(error);
          }
          reply = { ...reply, headers: { ...limit.headers, ...reply.headers } };
        }
      }
    }
    log(reply.status, parsedBody, false);
    // A slow answer: the request has taken effect, only the response is late (as when Discord
    // is slow), so a client that times out and retries may act twice.
    await delay();
    if (!res.destroyed) send(res, reply);
  }

  private errorReply(error: unknown): Reply {
    if (error instanceof ApiError) return { status: error.status, body: error.body() };
    const message = error instanceof Error ? error.message : String(error);
    this.core.violate("emulator", `internal error: ${message}`);
    return { status: 500, body: { message: "500: Internal Server Error", code: 0 } };
  }

  private match(method: string, path: string): { route: Route; params: string[] } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.pattern.exec(path);
      if (m) return { route, params: m.slice(1) };
    }
    return undefined;
  }

  private defineRoutes(): void {
    const core = this.core;
    const where = (req: Request): string => `${req.method} ${req.path}`;
    const app = core.options.applicationId;
    const requireApp = (id: string): void => {
      if (id !== app) throw Errors.missingAccess();
    };
    const requireGuild = (id: string): void => {
      if (!core.state.guilds.has(id)) throw Errors.unknownGuild();
    };
    const messageBody = (req: Request): IncomingMessageBody =>
      (req.body ?? {}) as IncomingMessageBody;

    // Gateway and identity
    this.route("GET", "/gateway", () => ok({ url: core.gateway.url }));
    this.route("GET", "/gateway/bot", () =>
      ok({
        url: core.gateway.url,
        shards: core.gateway.recommendedShards,
        session_start_limit: {
          total: 1000,
          remaining: 999,
          reset_after: 86_400_000,
          max_concurrency: core.gateway.sharding.maxConcurrency,
        },
      }),
    );
    this.route("GET", "/users/@me", () => ok(core.botUser()));
    this.route("GET", `/users/${ID}`, (req) => {
      if (!core.state.users.has(req.params[0]!)) throw Errors.unknownUser();
      return ok(core.state.userObject(req.params[0]!));
    });
    const application = (): APIApplication =>
      ({
        id: app,
        name: core.botUser().username,
        icon: null,
        description: "",
        summary: "",
        bot_public: false,
        bot_require_code_grant: false,
        bot: core.botUser(),
        verify_key: "0".repeat(64),
        team: null,
        flags: ApplicationFlags.GatewayMessageContentLimited,
        flags_new: String(ApplicationFlags.GatewayMessageContentLimited),
        owner: { id: "1", username: "owner", discriminator: "0", global_name: null, avatar: null },
        approximate_guild_count: core.state.guilds.size,
        scopes: [],
        permissions: "0",
      }) as unknown as APIApplication;
    this.route("GET", "/applications/@me", () => ok(application()));
    this.route("GET", "/oauth2/applications/@me", () => ok(application()));
    this.route("GET", "/users/@me/guilds", () =>
      ok(
        [...core.state.guilds.values()].map((g) => ({
          id: g.id,
          name: g.name,
          icon: null,
          banner: null,
          owner: false,
          permissions: core.state.basePermissions(g.id, core.botId).toString(),
          features: [],
        })),
      ),
    );

    // Commands
    const commandsRoute = (guild: boolean): string =>
      guild ? `/applications/${ID}/guilds/${ID}/commands` : `/applications/${ID}/commands`;
    for (const guild of [false, true]) {
      const base = commandsRoute(guild);
      const scope = (req: Request): string | undefined => {
        requireApp(req.params[0]!);
        if (!guild) return undefined;
        if (!core.state.guilds.has(req.params[1]!)) throw Errors.missingAccess();
        return req.params[1]!;
      };
      this.route("GET", base, (req) => ok(core.commandList(scope(req))));
      this.route("PUT", base, (req) =>
        ok(
          core.putCommands(
            scope(req),
            req.body as RESTPostAPIApplicationCommandsJSONBody[],
            where(req),
          ),
        ),
      );
      this.route("POST", base, (req) =>
        ok(
          core.upsertCommand(
            scope(req),
            req.body as RESTPostAPIApplicationCommandsJSONBody,
            where(req),
          ),
        ),
      );
      this.route("GET", `${base}/${ID}`, (req) => {
        const id = req.params[guild ? 2 : 1]!;
        const found = core.commandList(scope(req)).find((c) => c.id === id);
        if (!found) throw new ApiError(404, 10063, "Unknown application command");
        return ok(found);
      });
      this.route("DELETE", `${base}/${ID}`, (req) => {
        const s = scope(req);
        const id = req.params[guild ? 2 : 1]!;
        const list = core.commandList(s);
        if (!list.some((c) => c.id === id))
          throw new ApiError(404, 10063, "Unknown application command");
        if (s)
          core.state.guildCommands.set(
            s,
            list.filter((c) => c.id !== id),
          );
        else core.state.globalCommands.splice(0, list.length, ...list.filter((c) => c.id !== id));
        return noContent();
      });
    }

    // Interactions
    this.route(
      "POST",
      `/interactions/${ID}/${TOKEN}/callback`,
      (req) => {
        const result = core.interactionCallback(
          req.params[0]!,
          req.params[1]!,
          req.body as APIInteractionResponse,
          req.query.get("with_response") === "true",
          where(req),
          req.files,
        );
        return result ? ok(result) : noContent();
      },
      false,
    );
    const hook = `/webhooks/${ID}/${TOKEN}`;
    this.route(
      "POST",
      hook,
      (req) => {
        const record = core.webhookInteraction(req.params[0]!, req.params[1]!, where(req));
        const message = core.followUp(record, messageBody(req), req.files, where(req));
        return ok(core.messageView(message.message.id));
      },
      false,
    );
    const hookMessage = `${hook}/messages/(@original|\\d+)`;
    this.route(
      "GET",
      hookMessage,
      (req) => {
        const record = core.webhookInteraction(req.params[0]!, req.params[1]!, where(req));
        const message = core.webhookMessage(record, req.params[2]!, where(req));
        return ok(core.messageView(message.message.id));
      },
      false,
    );
    this.route(
      "PATCH",
      hookMessage,
      (req) => {
        const record = core.webhookInteraction(req.params[0]!, req.params[1]!, where(req));
        const message = core.editWebhookMessage(
          record,
          req.params[2]!,
          messageBody(req),
          req.files,
          where(req),
        );
        return ok(core.messageView(message.message.id));
      },
      false,
    );
    this.route(
      "DELETE",
      hookMessage,
      (req) => {
        const record = core.webhookInteraction(req.params[0]!, req.params[1]!, where(req));
        core.deleteWebhookMessage(record, req.params[2]!, where(req));
        return noContent();
      },
      false,
    );

    // Channels and messages
    this.route("GET", `/channels/${ID}`, (req) => {
      const channel = core.channel(req.params[0]!);
      if (channel.guildId && (core.botPermissions(channel) & 1024n) === 0n)
        throw Errors.missingAccess();
      return ok(core.state.channelObject(channel.id));
    });
    this.route("POST", `/channels/${ID}/messages`, (req) => {
      const message = core.postChannelMessage(
        req.params[0]!,
        messageBody(req),
        req.files,
        where(req),
      );
      return ok(core.messageView(message.message.id, { withNonce: true }));
    });
    this.route("GET", `/channels/${ID}/messages`, (req) => {
      const channel = core.channel(req.params[0]!);
      core.requireBot(channel, 1n << 16n);
      const limit = Math.min(Math.max(Number(req.query.get("limit") ?? 50), 1), 100);
      let list = core.sortedChannelMessages(channel.id);
      const before = req.query.get("before");
      const after = req.query.get("after");
      const around = req.query.get("around");
      if (before)
        list = list.filter((m) => compareSnowflakes(m.message.id, before) < 0).slice(-limit);
      else if (after)
        list = list.filter((m) => compareSnowflakes(m.message.id, after) > 0).slice(0, limit);
      else if (around) {
        const i = list.findIndex((m) => compareSnowflakes(m.message.id, around) >= 0);
        const start = Math.max(0, (i < 0 ? list.length : i) - Math.floor(limit / 2));
        list = list.slice(start, start + limit);
      } else list = list.slice(-limit);
      return ok(list.reverse().map((m) => core.messageView(m.message.id)));
    });
    this.route("GET", `/channels/${ID}/messages/${ID}`, (req) => {
      const channel = core.channel(req.params[0]!);
      core.requireBot(channel, 1n << 16n);
      return ok(core.messageView(core.message(channel.id, req.params[1]!).message.id));
    });
    this.route("PATCH", `/channels/${ID}/messages/${ID}`, (req) => {
      const channel = core.channel(req.params[0]!);
      core.requireBot(channel, 0n);
      const record = core.message(channel.id, req.params[1]!);
      if (record.message.author.id !== core.botId || record.message.webhook_id)
        throw Errors.cannotEditOthers();
      const body = messageBody(req);
      const { hard, soft } = checkMessageBody(body);
      core.enforce(where(req), hard, soft);
      core.editMessage(record, body, req.files);
      return ok(core.messageView(record.message.id));
    });
    this.route("DELETE", `/channels/${ID}/messages/${ID}`, (req) => {
      const channel = core.channel(req.params[0]!);
      core.requireBot(channel, 0n);
      const record = core.message(channel.id, req.params[1]!);
      if (record.message.author.id !== core.botId && channel.type !== ChannelType.DM) {
        core.requireManageMessages(channel.id);
      }
      core.deleteMessage(record);
      return noContent();
    });

    // Reactions
    const reactions = `/channels/${ID}/messages/${ID}/reactions`;
    this.route("PUT", `${reactions}/([^/]+)/@me`, (req) => {
      core.botReact(req.params[0]!, req.params[1]!, req.params[2]!);
      return noContent();
    });
    this.route("DELETE", `${reactions}/([^/]+)/@me`, (req) => {
      core.botUnreact(req.params[0]!, req.params[1]!, req.params[2]!, core.botId);
      return noContent();
    });
    this.route("DELETE", `${reactions}/([^/]+)/${ID}`, (req) => {
      core.botUnreact(req.params[0]!, req.params[1]!, req.params[2]!, req.params[3]!);
      return noContent();
    });
    this.route("GET", `${reactions}/([^/]+)`, (req) => {
      const record = core.reactionTarget(req.params[0]!, req.params[1]!);
      const { key } = parseEmoji(req.params[2]!);
      const users = core.state.reactions.get(record.message.id)?.get(key)?.users ?? [];
      const limit = Math.min(Number(req.query.get("limit") ?? 25), 100);
      const after = req.query.get("after");
      return ok(
        users
          .filter((u) => !after || compareSnowflakes(u, after) > 0)
          .slice(0, limit)
          .map((u) => core.state.userObject(u)),
      );
    });
    this.route("DELETE", reactions, (req) => {
      const record = core.reactionTarget(req.params[0]!, req.params[1]!);
      core.requireManageMessages(req.params[0]!);
      core.removeAllReactions(record);
      return noContent();
    });
    this.route("DELETE", `${reactions}/([^/]+)`, (req) => {
      const record = core.reactionTarget(req.params[0]!, req.params[1]!);
      core.requireManageMessages(req.params[0]!);
      core.removeAllReactions(record, parseEmoji(req.params[2]!).key);
      return noContent();
    });

    // DMs
    this.route("POST", "/users/@me/channels", (req) => {
      const recipient = (req.body as { recipient_id?: string } | undefined)?.recipient_id;
      if (!recipient || !core.state.users.has(recipient)) {
        throw new ApiError(400, 50033, "Invalid Recipient(s)");
      }
      const id = core.dmChannelOf(recipient);
      return ok(core.state.channelObject(id));
    });

    // Guilds
    this.route("GET", `/guilds/${ID}`, (req) => {
      requireGuild(req.params[0]!);
      const guild = core.state.guildObject(req.params[0]!);
      if (req.query.get("with_counts") === "true") {
        const size = core.state.guilds.get(guild.id)!.members.size;
        return ok({ ...guild, approximate_member_count: size, approximate_presence_count: size });
      }
      return ok(guild);
    });
    this.route("GET", `/guilds/${ID}/emojis`, (req) => {
      requireGuild(req.params[0]!);
      return ok(core.state.emojisOf(core.state.guilds.get(req.params[0]!)!));
    });
    this.route("GET", `/guilds/${ID}/emojis/${ID}`, (req) => {
      requireGuild(req.params[0]!);
      const emoji = core.state
        .emojisOf(core.state.guilds.get(req.params[0]!)!)
        .find((e) => e.id === req.params[1]);
      if (!emoji) throw new ApiError(404, ErrorCodes.unknownEmoji, "Unknown Emoji");
      return ok(emoji);
    });
    this.route("GET", `/guilds/${ID}/channels`, (req) => {
      requireGuild(req.params[0]!);
      return ok(
        core.state.guilds.get(req.params[0]!)!.channelIds.map((id) => core.state.channelObject(id)),
      );
    });
    this.route("GET", `/guilds/${ID}/roles`, (req) => {
      requireGuild(req.params[0]!);
      return ok(core.state.rolesOf(core.state.guilds.get(req.params[0]!)!));
    });
    this.route("GET", `/guilds/${ID}/members/${ID}`, (req) => {
      requireGuild(req.params[0]!);
      const member = core.state.memberObject(req.params[0]!, req.params[1]!);
      if (!member) throw Errors.unknownMember();
      return ok(member);
    });
    this.route("GET", `/guilds/${ID}/members`, (req) => {
      requireGuild(req.params[0]!);
      const guild = core.state.guilds.get(req.params[0]!)!;
      const limit = Math.min(Number(req.query.get("limit") ?? 1), 1000);
      const after = req.query.get("after") ?? "0";
      return ok(
        [...guild.members.keys()]
          .filter((id) => compareSnowflakes(id, after) > 0)
          .sort(compareSnowflakes)
          .slice(0, limit)
          .map((id) => core.state.memberObject(guild.id, id)),
      );
    });
  }
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** JSON, or multipart/form-data with `payload_json` and `files[n]` parts (as discord.js sends files). */
function parseBody(
  contentType: string | undefined,
  raw: Buffer,
): { body: unknown; files: UploadedFile[] } {
  if (raw.length === 0) return { body: undefined, files: [] };
  const type = contentType ?? "";
  if (type.startsWith("multipart/form-data")) {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
    if (!boundary) throw Errors.invalidJson();
    return parseMultipart(raw, boundary[1] ?? boundary[2]!);
  }
  try {
    return { body: JSON.parse(raw.toString("utf8")), files: [] };
  } catch {
    throw Errors.invalidJson();
  }
}

function parseMultipart(raw: Buffer, boundary: string): { body: unknown; files: UploadedFile[] } {
  const delimiter = Buffer.from(`--${boundary}`);
  const files: UploadedFile[] = [];
  let body: unknown = {};
  let start = raw.indexOf(delimiter);
  while (start !== -1) {
    const next = raw.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = raw.subarray(start + delimiter.length + 2, next - 2);
    const split = part.indexOf("\r\n\r\n");
    if (split !== -1) {
      const headers = part.subarray(0, split).toString("utf8");
      const content = part.subarray(split + 4);
      const name = /name="([^"]*)"/.exec(headers)?.[1] ?? "";
      const filename = /filename="([^"]*)"/.exec(headers)?.[1];
      const partType =
        /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1] ?? "application/octet-stream";
      if (name === "payload_json") {
        try {
          body = JSON.parse(content.toString("utf8"));
        } catch {
          throw Errors.invalidJson();
        }
      } else if (filename !== undefined) {
        files.push({
          field: name,
          filename,
          contentType: partType,
          size: content.length,
          data: Buffer.from(content),
        });
      }
    }
    start = next;
  }
  return { body, files };
}

function faultReply(fault: FaultSpec): Reply {
  const status = fault.status!;
  if (status === 429) {
    const retryAfter = fault.retryAfter ?? 0.1;
    const headers: Record<string, string> = {
      "retry-after": String(retryAfter),
      "x-ratelimit-limit": "5",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": String((Date.now() / 1000 + retryAfter).toFixed(3)),
      "x-ratelimit-reset-after": String(retryAfter),
      "x-ratelimit-bucket": "emulator-fault",
      "x-ratelimit-scope": fault.global ? "global" : "user",
    };
    if (fault.global) headers["x-ratelimit-global"] = "true";
    return {
      status,
      headers,
      body: {
        message: fault.message ?? "You are being rate limited.",
        retry_after: retryAfter,
        global: fault.global ?? false,
      },
    };
  }
  const code = fault.code ?? (status === 403 ? 50013 : 0);
  const message =
    fault.message ??
    (code === 50013
      ? "Missing Permissions"
      : code === 10003
        ? "Unknown Channel"
        : `${status}: ${http.STATUS_CODES[status] ?? "Error"}`);
  return { status, body: { message, code } };
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  if (reply.status === 204 || reply.body === undefined) {
    // No JSON content type on an empty body: @discordjs/rest would try to parse it.
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const payload = JSON.stringify(reply.body);
  headers["content-type"] = "application/json";
  headers["content-length"] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}
