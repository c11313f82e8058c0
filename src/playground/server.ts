import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";
import type { Logger } from "pino";
import { z } from "zod";
import { ConfigError } from "../config.js";
import { isUserError } from "../errors.js";
import type { Playground, PlaygroundEvent } from "./world.js";

/**
 * The page's sources: beside this file under tsx, and still in src/ when the bot runs from dist/
 * (they are TypeScript that esbuild strips at start-up, so the build does not copy them).
 */
const CLIENT_DIR = ["./client/", "../../../src/playground/client/"]
  .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
  .find((dir) => existsSync(path.join(dir, "index.html")))!;
const BODY_LIMIT = 64 * 1024;

interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

/**
 * The page's files, read once: HTML and CSS as they are, and each TypeScript module of the page
 * turned into a plain ES module (esbuild's transform only strips the types; nothing is bundled or
 * downloaded).
 */
async function loadAssets(): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  const names = await fs.readdir(CLIENT_DIR);
  for (const name of names) {
    const file = path.join(CLIENT_DIR, name);
    if (name === "index.html")
      assets.set("/", { type: "text/html; charset=utf-8", body: await fs.readFile(file) });
    else if (name.endsWith(".css"))
      assets.set(`/${name}`, { type: "text/css; charset=utf-8", body: await fs.readFile(file) });
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) {
      const source = await fs.readFile(file, "utf8");
      const { code } = await transform(source, {
        loader: "ts",
        format: "esm",
        target: "es2022",
        sourcefile: name,
      });
      assets.set(`/client/${name.replace(/\.ts$/, ".js")}`, {
        type: "text/javascript; charset=utf-8",
        body: Buffer.from(code),
      });
    }
  }
  return assets;
}

const Id = z.string().regex(/^\d{1,20}$/, "must be an id");
const Actor = { as: Id, channel: Id };
const OptionValue = z.union([z.string().max(6_000), z.number().finite(), z.boolean()]);
const Options = z
  .record(z.string().max(32), OptionValue)
  .refine((o) => Object.keys(o).length <= 25, "has too many options");
const CommandPath = z.string().trim().min(1).max(100);

const Bodies = {
  command: z.object({ ...Actor, command: CommandPath, options: Options }),
  autocomplete: z.object({
    ...Actor,
    command: CommandPath,
    options: Options,
    focused: z.string().max(32),
  }),
  click: z.object({
    ...Actor,
    message: Id,
    customId: z.string().min(1).max(100),
    values: z.array(z.string().max(100)).max(25).optional(),
  }),
  modal: z.object({
    ...Actor,
    interaction: Id,
    values: z.record(z.string().max(100), z.string().max(4_000)),
  }),
  react: z.object({ ...Actor, message: Id, emoji: z.string().min(1).max(64), add: z.boolean() }),
  say: z.object({ ...Actor, content: z.string().trim().min(1).max(2_000) }),
  dismiss: z.object({ ...Actor, message: Id }),
  recap: z.object({ server: Id, week: z.string().max(20) }),
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Headers every answer carries: the page runs only its own scripts and styles, loads nothing else. */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

/** The page and its JSON API, on 127.0.0.1 only. */
export class PlaygroundServer {
  private readonly streams = new Set<ServerResponse>();
  private port = 0;

  private constructor(
    private readonly server: http.Server,
    private readonly playground: Playground,
    private readonly assets: Map<string, Asset>,
    private readonly logger: Logger,
  ) {}

  static async listen(playground: Playground, port: number, logger: Logger) {
    const assets = await loadAssets();
    const server = http.createServer();
    const instance = new PlaygroundServer(server, playground, assets, logger);
    server.on("request", (req, res) => void instance.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", (error: NodeJS.ErrnoException) =>
        reject(
          error.code === "EADDRINUSE"
            ? new ConfigError(
                `PLAYGROUND_PORT ${port} is in use: stop what uses it, or set PLAYGROUND_PORT to a free port (0 picks one).`,
              )
            : error,
        ),
      );
      server.listen(port, "127.0.0.1", () => resolve());
    });
    instance.port = (server.address() as AddressInfo).port;
    playground.subscribe((event) => instance.broadcast(event));
    return instance;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const stream of this.streams) stream.end();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private broadcast(event: PlaygroundEvent): void {
    const frame = `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
    for (const stream of this.streams) stream.write(frame);
  }

  /** Only this machine's browser, by this port's name: another site cannot drive the page. */
  private allowed(req: IncomingMessage): boolean {
    const hosts = [`127.0.0.1:${this.port}`, `localhost:${this.port}`];
    if (!hosts.includes(req.headers.host ?? "")) return false;
    const origin = req.headers.origin;
    return origin === undefined || hosts.some((host) => origin === `http://${host}`);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    try {
      if (!this.allowed(req)) throw new HttpError(403, "This page only answers its own address.");
      if (req.method === "GET") {
        await this.get(url, req, res);
        return;
      }
      if (req.method !== "POST") throw new HttpError(405, "Method not allowed.");
      if (!(req.headers["content-type"] ?? "").startsWith("application/json"))
        throw new HttpError(415, "Send JSON.");
      const body = await readJson(req);
      send(res, 200, await this.post(url.pathname, body));
    } catch (error) {
      if (error instanceof HttpError) send(res, error.status, { error: error.message });
      else if (isUserError(error))
        send(res, this.playground.ready ? 400 : 503, { error: error.message });
      else {
        this.logger.error({ err: error, path: url.pathname }, "playground request failed");
        send(res, 500, { error: "Something went wrong; the log says what." });
      }
    }
  }

  private async get(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const query = (name: string): string => url.searchParams.get(name) ?? "";
    switch (url.pathname) {
      case "/api/world":
        return send(res, 200, this.playground.view());
      case "/api/messages":
        return send(res, 200, this.playground.messages(query("as"), query("channel")));
      case "/api/commands":
        return send(res, 200, this.playground.commands(query("as"), query("server")));
      case "/api/attachment": {
        const name = query("name");
        const file = this.playground.attachment(
          query("as"),
          query("channel"),
          query("message"),
          name,
        );
        if (!file) throw new HttpError(404, "No such file.");
        const safeName = name.replace(/[^\w.-]/g, "_");
        res.writeHead(200, {
          ...SECURITY_HEADERS,
          "content-type": file.contentType,
          "content-disposition": `attachment; filename="${safeName}"`,
          "content-length": String(file.data.length),
        });
        res.end(file.data);
        return;
      }
      case "/api/events":
        return this.stream(req, res);
    }
    const asset = this.assets.get(url.pathname);
    if (!asset) throw new HttpError(404, "Not found.");
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": asset.type,
      "content-length": String(asset.body.length),
    });
    res.end(asset.body);
  }

  private async post(pathname: string, body: unknown): Promise<unknown> {
    const parse = <T>(schema: z.ZodType<T>): T => {
      const result = schema.safeParse(body);
      if (!result.success) {
        const issue = result.error.issues[0];
        throw new HttpError(400, `${issue?.path.join(".") || "body"} ${issue?.message ?? ""}`);
      }
      return result.data;
    };
    const playground = this.playground;
    switch (pathname) {
      case "/api/command":
        return playground.command(parse(Bodies.command));
      case "/api/autocomplete":
        return playground.autocomplete(parse(Bodies.autocomplete));
      case "/api/click":
        return playground.click(parse(Bodies.click));
      case "/api/modal":
        return playground.submit(parse(Bodies.modal));
      case "/api/react":
        await playground.react(parse(Bodies.react));
        return { kind: "done" };
      case "/api/say":
        playground.say(parse(Bodies.say));
        return { kind: "done" };
      case "/api/dismiss":
        playground.dismiss(parse(Bodies.dismiss));
        return { kind: "done" };
      case "/api/recap":
        return playground.recap(parse(Bodies.recap));
      case "/api/reset":
        await playground.reset();
        return { kind: "done" };
      default:
        throw new HttpError(404, "Not found.");
    }
  }

  /** Server-sent events: the page refetches what changed. */
  private stream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": "text/event-stream; charset=utf-8",
      connection: "keep-alive",
    });
    res.write("retry: 1000\n\n");
    this.streams.add(res);
    const ping = setInterval(() => res.write(": ping\n\n"), 15_000);
    ping.unref();
    req.on("close", () => {
      clearInterval(ping);
      this.streams.delete(res);
    });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    "content-type": "application/json; charset=utf-8",
    "content-length": String(payload.length),
  });
  res.end(payload);
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) {
        reject(new HttpError(413, "Too large."));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        reject(new HttpError(400, "Malformed JSON."));
      }
    });
    req.on("error", reject);
  });
}
