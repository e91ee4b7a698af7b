// The gateway's one port: HTTP (http.ts) and the WebSocket at /ws (connection.ts),
// plain or TLS. Upgrades are checked here (path, browser Origin) before a socket
// exists; auth happens in the first frame. Owns the tick timer and clean shutdown.
import { SigninCodes } from "../security/signin-codes.js";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { PRE_AUTH_MAX_PAYLOAD, TICK_INTERVAL_MS } from "../protocol/schema.js";
import { admissionKey, admitConnection, admitUpgrade } from "../security/admission.js";
import { clientAddress, FORWARDING_HEADERS, ignoredForwarding, isTrustedProxy } from "../security/client-address.js";
import { Connection } from "./connection.js";
import { CLOSE_SLOW_CONSUMER as CLOSE_TRY_AGAIN, isDroppableEvent } from "./outbound.js";
import type { GatewayContext } from "./context.js";
import { handleHttp } from "./http.js";
import { isLoopbackHostHeader, originAllowed } from "../security/origin.js";
import { isLoopbackHost } from "../net/address.js";
import type { TlsMaterial } from "./tls.js";

export interface RunningGateway {
  ctx: GatewayContext;
  host: string;
  port: number;
  url: string;
  close(reason?: string): Promise<void>;
}

const HTTP_HEADERS_TIMEOUT_MS = 10_000;
const HTTP_REQUEST_TIMEOUT_MS = 30_000;

/** How long a refused upgrade's answer may take to leave before its socket is cut. */
const REFUSE_GRACE_MS = 1_000;

/**
 * Answers an upgrade we refuse and closes the socket for good. `end()` alone only half-closes
 * it (the HTTP server allows half-open sockets), so a client that never closed its side kept
 * the connection — and its place in gateway.maxConnections — forever.
 */
function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`, () => socket.destroy());
  setTimeout(() => socket.destroy(), REFUSE_GRACE_MS).unref(); // a client that does not read either
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
      // Serialised once for every client (docs/operations.md#outbound-buffer-slow-clients).
      let json: string | undefined;
      const droppable = isDroppableEvent(event, payload);
      for (const c of conns) if (c.role === "operator") c.eventJson(event, (json ??= JSON.stringify(payload ?? null)), droppable);
    },
  };

  // HTTP deadlines (docs/operations.md#http): a request (or a WebSocket upgrade) must
  // deliver its headers within 10 s and finish within 30 s; an idle keep-alive socket
  // closes after 5 s. Node checks these every `connectionsCheckingInterval`, so it is 1 s.
  const httpOptions = { headersTimeout: HTTP_HEADERS_TIMEOUT_MS, requestTimeout: HTTP_REQUEST_TIMEOUT_MS, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 };
  // One request at a time per connection (no HTTP pipelining; no browser uses it): Node
  // answers pipelined requests in order and holds every answer that cannot be sent yet in
  // memory, so a client that wrote thousands of `GET /assets/…` without reading made the
  // gateway buffer ~50 KB per 60-byte request. A request that arrives while the previous
  // answer on its connection is unfinished closes the connection.
  const answering = new WeakSet<object>();
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    if (answering.has(socket)) {
      socket.destroy();
      return;
    }
    answering.add(socket);
    const done = () => answering.delete(socket);
    res.once("finish", done);
    res.once("close", done);
    handleHttp(ctx, req, res);
  };
  const server: Server = tls
    ? createHttpsServer({ ...httpOptions, handshakeTimeout: HTTP_HEADERS_TIMEOUT_MS, cert: tls.cert, key: tls.key, minVersion: "TLSv1.2" }, onRequest)
    : createHttpServer(httpOptions, onRequest);
  server.headersTimeout = HTTP_HEADERS_TIMEOUT_MS;
  server.requestTimeout = HTTP_REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = 5_000;
  server.maxConnections = ctx.config.gateway.maxConnections;
  // Node's own headersTimeout does not close a socket that sent part of a request (or
  // nothing) and went quiet, so each new connection gets its own deadline, cleared as
  // soon as a request's (or upgrade's) headers are complete.
  // Each client network's share of gateway.maxConnections (security/admission.ts).
  const openByNetwork = new Map<string, number>();
  server.on("connection", (socket: Duplex & { remoteAddress?: string }) => {
    const peer = socket.remoteAddress ?? "unknown";
    const key = admissionKey(peer);
    const open = openByNetwork.get(key) ?? 0;
    if (!admitConnection(open, isTrustedProxy(peer, ctx.trustedProxies))) {
      socket.destroy();
      return;
    }
    openByNetwork.set(key, open + 1);
    socket.once("close", () => {
      const left = (openByNetwork.get(key) ?? 1) - 1;
      if (left > 0) openByNetwork.set(key, left);
      else openByNetwork.delete(key);
    });
  });
  const headerDeadlines = new WeakMap<object, NodeJS.Timeout>();
  server.on(tls ? "secureConnection" : "connection", (socket: Duplex) => {
    const timer = setTimeout(() => socket.destroy(), HTTP_HEADERS_TIMEOUT_MS);
    timer.unref();
    headerDeadlines.set(socket, timer);
    socket.once("close", () => clearTimeout(timer));
  });
  const headersArrived = (socket: object) => clearTimeout(headerDeadlines.get(socket));
  // Forwarding headers from a peer that is not a trusted proxy are ignored; note that they
  // came, so the audit can say a proxy is in front without gateway.trustedProxies.
  const noteForwarding = (req: IncomingMessage) => {
    const peer = req.socket.remoteAddress ?? "unknown";
    const headers = ignoredForwarding(peer, req.headers, ctx.trustedProxies);
    if (headers.length) ctx.noteIgnoredForwarding?.(peer, headers);
  };
  server.on("request", (req: IncomingMessage) => {
    headersArrived(req.socket);
    noteForwarding(req);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: PRE_AUTH_MAX_PAYLOAD, perMessageDeflate: false });

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    headersArrived(req.socket);
    noteForwarding(req);
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
    if (!originAllowed(origin, req.headers.host, ctx.config.gateway.controlUi.allowedOrigins, isLoopbackHost(ctx.bind.host))) {
      ctx.logger.warn("websocket origin refused", { origin, addr: req.socket.remoteAddress });
      refuseUpgrade(socket, 403, "Forbidden");
      return;
    }
    // The client is the TCP peer, or behind gateway.trustedProxies the forwarded address.
    const addr = clientAddress(req.socket.remoteAddress ?? "unknown", req.headers["x-forwarded-for"], ctx.trustedProxies);
    const admission = admitUpgrade(
      addr,
      (function* () {
        for (const c of conns) if (c.pendingSlot) yield { id: c, address: c.remoteAddress, openedAt: c.openedAt };
      })(),
      { perAddress: ctx.config.gateway.maxPendingPerAddress, total: ctx.config.gateway.maxPending },
    );
    if (!admission.ok) {
      ctx.logger.warn("websocket refused: too many unauthenticated connections", { addr, reason: admission.reason });
      refuseUpgrade(socket, admission.status, "Too Many Requests");
      return;
    }
    if (admission.evict) {
      const victim = admission.evict;
      ctx.logger.debug("evicting an unauthenticated connection to admit a newcomer", { victim: victim.remoteAddress, addr });
      victim.close(CLOSE_TRY_AGAIN, "too many unauthenticated connections; this one was the oldest");
      victim.terminate();
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new Connection(ctx, ws, addr, FORWARDING_HEADERS.some((h) => req.headers[h] !== undefined));
      conns.add(conn);
      ws.on("close", () => conns.delete(conn));
    });
  });

  const tick = setInterval(() => {
    const json = JSON.stringify({ ts: Date.now() });
    for (const c of conns) if (c.authenticated) c.eventJson("tick", json, true);
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
