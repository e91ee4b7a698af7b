// HTTP side of the gateway port. Public: GET /healthz (liveness only) and the Control
// UI's static assets. Everything else needs `Authorization: Bearer <secret>`, checked
// by auth.ts's `authenticate()` with the same per-address lockout as WebSocket connects.
import type { IncomingMessage, ServerResponse } from "node:http";
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { isOpenClawHttpPath, OPENCLAW_MISMATCH_MESSAGE } from "../protocol/foreign.js";
import { authenticate } from "../security/auth.js";
import { clientAddress } from "../security/client-address.js";
import { isInside } from "../security/fs-containment.js";
import { isLoopbackHost } from "../net/address.js";
import { browserRequestAllowed, isLoopbackHostHeader } from "../security/origin.js";
import type { GatewayContext } from "./context.js";
import { statusPayload } from "./methods.js";

export const HTML_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'; " +
  // The UI writes no HTML from strings at all (Preact text nodes only): with Trusted Types
  // required and no policy allowed, a future innerHTML / insertAdjacentHTML / document.write /
  // script-text sink throws instead of rendering someone's text as markup.
  "require-trusted-types-for 'script'; trusted-types 'none'";

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
};

/** Built Control UI assets (ui/dist, produced by the UI build); absent until built. */
const UI_DIR = fileURLToPath(new URL("../../ui/dist/", import.meta.url));

const PLACEHOLDER = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SimpleClaw</title></head>
<body><h1>SimpleClaw gateway</h1><p>The gateway is running. The Control UI has not been built into this install.</p></body></html>
`;

function baseHeaders(res: ServerResponse): void {
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
}

function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", ...extra });
  res.end(text);
}

/**
 * Maps a URL path to an existing file inside `root` (its real path), or null if there is
 * none or it would leave the root — lexically (`..`, encoded or not) or through a symlink.
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  const rel = normalize(decoded === "/" ? "/index.html" : decoded).replace(/^[/\\]+/, "");
  const full = join(root, rel);
  if (full === root || !isInside(root, full)) return null;
  // A symlink inside the root must not lead out of it (e.g. ui/dist/x -> /etc).
  let real: string;
  let realRoot: string;
  try {
    real = realpathSync(full);
    realRoot = realpathSync(root);
  } catch {
    return null;
  }
  return real !== realRoot && isInside(realRoot, real) ? real : null;
}

function serveStatic(req: IncomingMessage, res: ServerResponse, path: string): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  if (!existsSync(UI_DIR)) {
    if (path !== "/" && path !== "/index.html") return false;
    res.writeHead(200, { "Content-Type": MIME[".html"]!, "Content-Security-Policy": HTML_CSP, "Cache-Control": "no-cache" });
    res.end(req.method === "HEAD" ? undefined : PLACEHOLDER);
    return true;
  }
  const file = resolveStaticPath(UI_DIR, path);
  if (!file || !existsSync(file) || !statSync(file).isFile()) return false;
  const type = MIME[extname(file)] ?? "application/octet-stream";
  const headers: Record<string, string> = { "Content-Type": type, "Cache-Control": "no-cache" };
  if (type.startsWith("text/html")) headers["Content-Security-Policy"] = HTML_CSP;
  res.writeHead(200, headers);
  res.end(req.method === "HEAD" ? undefined : readFileSync(file));
  return true;
}

function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  return m ? m[1] : "";
}

export function handleHttp(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse): void {
  baseHeaders(res);
  let path: string;
  try {
    path = new URL(req.url ?? "/", "http://gateway").pathname;
  } catch {
    sendJson(res, 400, { error: "bad request URL" });
    return;
  }
  if (path === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
    sendJson(res, 200, { ok: true });
    return;
  }
  if (isOpenClawHttpPath(path)) {
    // OpenClaw's Control UI asks for its runtime config here; say what this server is
    // (public, like /healthz: a fixed sentence and nothing else).
    sendJson(res, 404, { ok: false, error: { code: "PROTOCOL_MISMATCH", message: OPENCLAW_MISMATCH_MESSAGE, details: { code: "PROTOCOL_MISMATCH" } } });
    return;
  }
  if (ctx.config.gateway.controlUi.enabled && path !== "/ws" && !path.startsWith("/api/") && serveStatic(req, res, path)) return;

  const addr = clientAddress(req.socket.remoteAddress ?? "unknown", req.headers["x-forwarded-for"], ctx.trustedProxies);
  if (ctx.auth.mode === "none" && !isLoopbackHostHeader(req.headers.host)) {
    sendJson(res, 403, { error: 'auth mode "none" serves only loopback Host names (localhost, 127.0.0.1).' });
    return;
  }
  // DNS rebinding (security/origin.ts): a browser's guesses never reach the lockout.
  if (!browserRequestAllowed(req.headers, ctx.config.gateway.controlUi.allowedOrigins, isLoopbackHost(ctx.bind.host))) {
    sendJson(res, 403, { error: "a browser may use this API only through a host name the gateway answers to (an IP address, localhost, or a name in gateway.controlUi.allowedOrigins)." });
    return;
  }
  const decision = authenticate(ctx.auth, bearer(req), addr, ctx.limiter);
  if (!decision.ok) {
    if (decision.code === "RATE_LIMITED") {
      sendJson(res, 429, { error: decision.message }, { "Retry-After": String(Math.ceil(decision.retryAfterMs / 1000)) });
    } else {
      sendJson(res, 401, { error: decision.message }, { "WWW-Authenticate": 'Bearer realm="simpleclaw"' });
    }
    return;
  }
  if (path === "/api/status" && req.method === "GET") {
    sendJson(res, 200, statusPayload(ctx));
    return;
  }
  sendJson(res, 404, { error: `no route ${req.method} ${path}` });
}
