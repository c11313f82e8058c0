import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { ConfigError } from "../config.js";
import { METRICS_CONTENT_TYPE, metricsText } from "./metrics.js";

export interface OpsServerOptions {
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  /** Why the bot cannot serve members right now; empty when it can. */
  readonly readiness: () => Promise<string[]>;
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * /healthz (the process answers), /readyz (it can serve members: 200, or 503 with the reasons)
 * and /metrics (Prometheus text). Plain text, GET and HEAD only, nothing else.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const server = http.createServer((request, response) => {
    void answer(request, response).catch((error: unknown) => {
      options.logger.error({ err: error, path: request.url }, "health endpoint failed");
      if (!response.headersSent) send(response, 500, "internal error\n");
      else response.destroy();
    });
  });

  async function answer(request: http.IncomingMessage, response: http.ServerResponse) {
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.setHeader("allow", "GET, HEAD");
      return send(response, 405, "method not allowed\n");
    }
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    switch (path) {
      case "/healthz":
        return send(response, 200, "ok\n");
      case "/readyz": {
        const reasons = await options.readiness();
        return reasons.length === 0
          ? send(response, 200, "ready\n")
          : send(response, 503, `not ready\n${reasons.map((r) => `- ${r}\n`).join("")}`);
      }
      case "/metrics":
        return send(response, 200, await metricsText(), METRICS_CONTENT_TYPE);
      default:
        return send(response, 404, "not found: try /healthz, /readyz or /metrics\n");
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new ConfigError(
          `HTTP_PORT ${options.port} on HTTP_HOST ${options.host} cannot be used (${error.code ?? error.message}): pick a free port, or leave HTTP_PORT unset.`,
        ),
      ),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  options.logger.info({ host: options.host, port }, "serving /healthz, /readyz and /metrics");
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(
  response: http.ServerResponse,
  status: number,
  body: string,
  contentType = "text/plain; charset=utf-8",
): void {
  response.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  response.end(response.req.method === "HEAD" ? undefined : body);
}
