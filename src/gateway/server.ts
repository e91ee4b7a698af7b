// The gateway's one port: HTTP (http.ts) and the WebSocket at /ws (connection.ts),
// plain or TLS. Upgrades are checked here (path, browser Origin) before a socket
// exists; auth happens in the first frame. Owns the tick timer and clean shutdown.
import { SigninCodes } from "../security/signin-codes.js";
import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { PRE_AUTH_MAX_PAYLOAD, TICK_INTERVAL_MS } from "../protocol/schema.js";
import { admitUpgrade } from "../security/admission.js";
import { Connection } from "./connection.js";
import type { GatewayContext } from "./context.js";
import { handleHttp } from "./http.js";
import { isLoopbackHostHeader, originAllowed } from "../security/origin.js";
import type { TlsMaterial } from "./tls.js";

export interface RunningGateway {
  ctx: GatewayContext;
  host: string;
  port: number;
  url: string;
  close(reason?: string): Promise<void>;
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
}

export async function startServer(
  base: Omit<GatewayContext, "connections" | "broadcast" | "signinCodes">,
  tls: TlsMaterial | undefined,
): Promise<RunningGateway> {
  const conns = new Set<Connection>();
  const ctx: GatewayContext = {
    ...base,
    signinCodes: new SigninCodes(),
    connections: { count: (role) => [...conns].filter((c) => c.role === role).length },
    broadcast(event, payload) {
      for (const c of conns) if (c.role === "operator") c.event(event, payload);
    },
  };

  const server: Server = tls
    ? createHttpsServer({ cert: tls.cert, key: tls.key, minVersion: "TLSv1.2" }, (req, res) => handleHttp(ctx, req, res))
    : createHttpServer((req, res) => handleHttp(ctx, req, res));
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  const wss = new WebSocketServer({ noServer: true, maxPayload: PRE_AUTH_MAX_PAYLOAD, perMessageDeflate: false });

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    let path: string;
    try {
      path = new URL(req.url ?? "/", "http://gateway").pathname;
    } catch {
      refuseUpgrade(socket, 400, "Bad Request");
      return;
    }
    if (path !== "/ws") {
      refuseUpgrade(socket, 404, "Not Found");
      return;
    }
    const origin = req.headers.origin;
    if (ctx.auth.mode === "none" && !isLoopbackHostHeader(req.headers.host)) {
      ctx.logger.warn("websocket refused: auth mode none needs a loopback Host", { host: req.headers.host, addr: req.socket.remoteAddress });
      refuseUpgrade(socket, 403, "Forbidden");
      return;
    }
    if (!originAllowed(origin, req.headers.host, ctx.config.gateway.controlUi.allowedOrigins)) {
      ctx.logger.warn("websocket origin refused", { origin, addr: req.socket.remoteAddress });
      refuseUpgrade(socket, 403, "Forbidden");
      return;
    }
    const addr = req.socket.remoteAddress ?? "unknown";
    const admission = admitUpgrade(addr, (function* () {
      for (const c of conns) if (!c.authenticated) yield c.remoteAddress;
    })());
    if (!admission.ok) {
      ctx.logger.warn("websocket refused: too many unauthenticated connections", { addr, reason: admission.reason });
      refuseUpgrade(socket, admission.status, admission.status === 429 ? "Too Many Requests" : "Service Unavailable");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new Connection(ctx, ws, req.socket.remoteAddress ?? "unknown");
      conns.add(conn);
      ws.on("close", () => conns.delete(conn));
    });
  });

  const tick = setInterval(() => {
    for (const c of conns) if (c.authenticated) c.event("tick", { ts: Date.now() });
  }, TICK_INTERVAL_MS);
  tick.unref();

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(base.bind.port, base.bind.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : base.bind.port;
  ctx.bind = { ...base.bind, port };
  const urlHost = base.bind.host.includes(":") ? `[${base.bind.host}]` : base.bind.host;

  let closing: Promise<void> | undefined;
  return {
    ctx,
    host: base.bind.host,
    port,
    url: `${tls ? "wss" : "ws"}://${urlHost}:${port}/ws`,
    close(reason = "gateway stopping") {
      closing ??= (async () => {
        clearInterval(tick);
        // Runs stop first and write their state; then clients hear about the shutdown.
        ctx.approvals.close();
        ctx.devices.close();
        ctx.nodes.close();
        await ctx.chat.close();
        for (const c of conns) {
          if (c.authenticated) c.event("shutdown", { reason });
          c.close(1001, reason);
        }
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections?.();
          setTimeout(() => {
            for (const c of conns) c.ws.terminate();
            resolve();
          }, 2000).unref();
        });
        wss.close();
      })();
      return closing;
    },
  };
}
