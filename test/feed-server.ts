import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

export const FEED_FIXTURES = path.resolve(import.meta.dirname, "fixtures", "feeds");

export function fixtureFeed(name: string): string {
  return fs.readFileSync(path.join(FEED_FIXTURES, name), "utf8");
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface Served {
  body: string;
  type?: string;
  /** Answer 304 to a matching If-None-Match. */
  etag?: string;
  /** Answer 304 to a matching If-Modified-Since. */
  lastModified?: string;
}

/**
 * Feeds over real HTTP on 127.0.0.1, with what each path answered counted. `close` ends every
 * connection, including ones a route never answers.
 */
export class FeedServer {
  private readonly routes = new Map<string, Handler>();
  readonly requests: Array<{ path: string; headers: http.IncomingHttpHeaders; status?: number }> =
    [];

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<FeedServer> {
    const server = http.createServer();
    const feeds = new FeedServer(server);
    server.on("request", (req, res) => {
      const record: (typeof feeds.requests)[number] = { path: req.url ?? "", headers: req.headers };
      feeds.requests.push(record);
      res.on("finish", () => (record.status = res.statusCode));
      const route = feeds.routes.get(req.url ?? "");
      if (route) route(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return feeds;
  }

  url(route: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${route}`;
  }

  route(route: string, handler: Handler): void {
    this.routes.set(route, handler);
  }

  /** A feed document, answered conditionally when it has an ETag or a Last-Modified date. */
  serve(route: string, served: Served): void {
    this.route(route, (req, res) => {
      const fresh =
        (served.etag !== undefined && req.headers["if-none-match"] === served.etag) ||
        (served.lastModified !== undefined &&
          req.headers["if-modified-since"] === served.lastModified);
      const headers: Record<string, string> = {
        "content-type": served.type ?? "application/rss+xml; charset=utf-8",
      };
      if (served.etag) headers.etag = served.etag;
      if (served.lastModified) headers["last-modified"] = served.lastModified;
      if (fresh) res.writeHead(304, headers).end();
      else res.writeHead(200, headers).end(served.body);
    });
  }

  /** Requests to a path, with the status each got. */
  hits(route: string): Array<{ headers: http.IncomingHttpHeaders; status?: number }> {
    return this.requests.filter((r) => r.path === route);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
