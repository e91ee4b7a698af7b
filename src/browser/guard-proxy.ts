// The browser tool's network guard (docs/browser.md). Every request a page makes is
// decided twice, with the http tool's SSRF policy (network-policy's checkUrl) plus the
// browser's origin lists:
//   1. in Playwright's route handler (tools/browser.ts), for a clear refusal, and
//   2. here, in a small forward proxy that a launched Chromium must use for ALL traffic
//      (loopback included: "<-loopback>"). Chromium never resolves a host itself; the
//      proxy resolves once, checks every address and connects to the checked one, so
//      redirect hops, WebSockets, workers and DNS rebinding all meet the same check.
// The proxy listens on 127.0.0.1 only and requires per-launch random credentials.
import { randomBytes, timingSafeEqual } from "node:crypto";
import http from "node:http";
import net from "node:net";
import type { Duplex } from "node:stream";
import { type OriginLists, originDecision, schemeDecision, tunnelDecision } from "../security/browser-policy.js";
import { checkUrl, type CheckedUrl, type LookupFn } from "../security/network-policy.js";
import { parseHost } from "../net/address.js";
import { ToolError } from "../infra/errors.js";

export interface BrowserNetPolicy {
  allowPrivateNetwork: boolean;
  lists: OriginLists;
  lookup?: LookupFn;
  /** INTERNAL, TEST-ONLY (see security/network-policy CheckUrlOptions.exemptAddresses). */
  exemptAddresses?: readonly string[];
  /** The gateway's own listening ports: never reachable from the browser (network-policy ownGatewayEndpoint). */
  ownPorts?: readonly number[];
  /** This machine's addresses (tests); default os.networkInterfaces(). */
  localAddresses?: readonly string[];
}

export type UrlVerdict = { ok: true; checked: CheckedUrl } | { ok: false; reason: string };

const CALLER = { tool: "browser", privateSetting: "browser.allowPrivateNetwork" };

function stripRefused(message: string): string {
  return message.replace(/^refused: /, "").replace(/\.$/, "");
}

/** Scheme, origin lists, then network-policy's address check on every resolved address. */
export async function checkBrowserUrl(raw: string, policy: BrowserNetPolicy, signal?: AbortSignal): Promise<UrlVerdict> {
  const scheme = schemeDecision(raw);
  if (!scheme.allowed) return { ok: false, reason: scheme.reason };
  const origin = originDecision(scheme.url!, policy.lists);
  if (!origin.allowed) return { ok: false, reason: origin.reason };
  try {
    const checked = await checkUrl(scheme.url!, {
      allowPrivateNetwork: policy.allowPrivateNetwork,
      ...(policy.lookup ? { lookup: policy.lookup } : {}),
      ...(signal ? { signal } : {}),
      ...(policy.exemptAddresses ? { exemptAddresses: policy.exemptAddresses } : {}),
      ...(policy.ownPorts ? { ownPorts: policy.ownPorts } : {}),
      ...(policy.localAddresses ? { localAddresses: policy.localAddresses } : {}),
      caller: CALLER,
    });
    return { ok: true, checked };
  } catch (err) {
    if (err instanceof ToolError) return { ok: false, reason: stripRefused(err.message) };
    throw err;
  }
}

/** The same for a CONNECT tunnel (host:port only). */
export async function checkBrowserTunnel(host: string, port: number, policy: BrowserNetPolicy): Promise<UrlVerdict> {
  // Only an IP literal or a DNS name: anything else ("127.0.0.1/", "a@host", "host?") would turn
  // into a different URL below — another host, or the default port instead of this one.
  const parsed = parseHost(host);
  if (parsed.kind === "invalid") return { ok: false, reason: `${JSON.stringify(host.slice(0, 100))} is not a host name or IP address` };
  const lists = tunnelDecision(host, port, policy.lists);
  if (!lists.allowed) return { ok: false, reason: lists.reason };
  const h = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  try {
    // The scheme only matters to checkUrl for its default port; the address check is what counts.
    const checked = await checkUrl(`https://${h}:${port}/`, {
      allowPrivateNetwork: policy.allowPrivateNetwork,
      ...(policy.lookup ? { lookup: policy.lookup } : {}),
      ...(policy.exemptAddresses ? { exemptAddresses: policy.exemptAddresses } : {}),
      ...(policy.ownPorts ? { ownPorts: policy.ownPorts } : {}),
      ...(policy.localAddresses ? { localAddresses: policy.localAddresses } : {}),
      caller: CALLER,
    });
    // Belt and braces: what was checked is this host and this port.
    if (checked.url.port !== String(port) && !(port === 443 && checked.url.port === ""))
      return { ok: false, reason: `${host}:${port} did not survive as one host and port` };
    return { ok: true, checked };
  } catch (err) {
    if (err instanceof ToolError) return { ok: false, reason: stripRefused(err.message) };
    throw err;
  }
}

export interface BlockedRequest {
  at: number;
  /** URL, or host:port for a tunnel. */
  target: string;
  reason: string;
  /** Which layer refused it. */
  by: "route" | "proxy";
}

export interface GuardProxy {
  /** http://127.0.0.1:<port> */
  server: string;
  port: number;
  username: string;
  password: string;
  close(): Promise<void>;
}

/**
 * Marks a refusal response from the proxy. Only a hint to look: any site can send this header
 * too, so the tool reports a refusal only when the proxy recorded one (onBlocked) for that URL.
 */
export const BLOCKED_HEADER = "x-simpleclaw-blocked";

const HOP_BY_HOP = new Set([
  "proxy-authorization",
  "proxy-connection",
  "proxy-authenticate",
  "connection",
  "keep-alive",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

function parseHostPort(authority: string): { host: string; port: number } | undefined {
  const m = /^(\[[0-9a-fA-F:.%]+\]|[^:[\]]+):(\d{1,5})$/.exec(authority);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port };
}

function forwardHeaders(raw: string[]): string[] {
  const out: string[] = [];
  const connectionTokens = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === "connection") for (const t of raw[i + 1]!.split(",")) connectionTokens.add(t.trim().toLowerCase());
  }
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (HOP_BY_HOP.has(name) || connectionTokens.has(name)) continue;
    out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

/**
 * Start the guard proxy for one browser. `onBlocked` hears every refusal. Requires
 * Proxy-Authorization with the returned credentials (Playwright answers the challenge).
 */
export async function startGuardProxy(policy: BrowserNetPolicy, onBlocked: (b: BlockedRequest) => void): Promise<GuardProxy> {
  const username = `sc-${randomBytes(6).toString("hex")}`;
  const password = randomBytes(24).toString("base64url");
  const expected = Buffer.from(`Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`);
  const sockets = new Set<Duplex>();

  const authorized = (req: http.IncomingMessage): boolean => {
    const got = Buffer.from(String(req.headers["proxy-authorization"] ?? ""));
    return got.length === expected.length && timingSafeEqual(got, expected);
  };
  const track = (s: Duplex) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => s.destroy());
  };
  const blocked = (target: string, reason: string) => onBlocked({ at: Date.now(), target, reason, by: "proxy" });
  const rawReply = (socket: Duplex, status: string, headers: string[] = [], body = "") => {
    const h = [`HTTP/1.1 ${status}`, ...headers, `Content-Length: ${Buffer.byteLength(body)}`, "Connection: close", "", body];
    socket.end(h.join("\r\n"));
  };
  const challenge = ['Proxy-Authenticate: Basic realm="simpleclaw-browser"'];

  const server = http.createServer((req, res) => {
    if (!authorized(req)) {
      res.writeHead(407, { "proxy-authenticate": 'Basic realm="simpleclaw-browser"', connection: "close" }).end();
      return;
    }
    const target = req.url ?? "";
    void (async () => {
      // Plain http:// only; https goes through CONNECT.
      const verdict = /^http:\/\//i.test(target)
        ? await checkBrowserUrl(target, policy)
        : { ok: false as const, reason: `${target.slice(0, 100)} is not an absolute http:// URL` };
      if (!verdict.ok) {
        blocked(target, verdict.reason);
        const body = `Blocked by the SimpleClaw browser policy: ${verdict.reason}.\n`;
        res.writeHead(403, { "content-type": "text/plain; charset=utf-8", [BLOCKED_HEADER]: encodeURIComponent(verdict.reason), connection: "close" }).end(body);
        return;
      }
      const { checked } = verdict;
      const upstream = http.request({
        host: checked.address,
        family: checked.family,
        port: checked.url.port ? Number(checked.url.port) : 80,
        method: req.method,
        path: `${checked.url.pathname}${checked.url.search}`,
        headers: forwardHeaders(req.rawHeaders),
        setHost: false,
        agent: false,
      });
      upstream.on("response", (up) => {
        res.writeHead(up.statusCode ?? 502, up.statusMessage, forwardHeaders(up.rawHeaders));
        up.pipe(res);
        up.on("error", () => res.destroy());
      });
      upstream.on("error", () => {
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain", connection: "close" }).end("upstream connection failed\n");
        else res.destroy();
      });
      req.pipe(upstream);
    })().catch(() => res.destroy());
  });
  server.on("connection", track);

  server.on("connect", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    track(socket);
    if (!authorized(req)) return rawReply(socket, "407 Proxy Authentication Required", challenge);
    const hp = parseHostPort(req.url ?? "");
    if (!hp) {
      blocked(String(req.url), "not a host:port");
      return rawReply(socket, "400 Bad Request");
    }
    void (async () => {
      const verdict = await checkBrowserTunnel(hp.host, hp.port, policy);
      if (!verdict.ok) {
        blocked(String(req.url), verdict.reason);
        return rawReply(socket, "403 Forbidden", [`${BLOCKED_HEADER}: ${encodeURIComponent(verdict.reason)}`]);
      }
      const upstream = net.connect({ host: verdict.checked.address, port: hp.port, family: verdict.checked.family });
      track(upstream);
      upstream.once("connect", () => {
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        if (head.length > 0) upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on("error", () => {
        if (!socket.destroyed) rawReply(socket, "502 Bad Gateway");
      });
      socket.on("close", () => upstream.destroy());
      upstream.on("close", () => socket.destroy());
    })().catch(() => socket.destroy());
  });

  // ws:// through an HTTP proxy arrives as an absolute-form GET with Upgrade.
  server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    track(socket);
    if (!authorized(req)) return rawReply(socket, "407 Proxy Authentication Required", challenge);
    const target = req.url ?? "";
    void (async () => {
      const verdict = /^http:\/\//i.test(target) ? await checkBrowserUrl(target, policy) : { ok: false as const, reason: "not an absolute http:// URL" };
      if (!verdict.ok) {
        blocked(target, verdict.reason);
        return rawReply(socket, "403 Forbidden", [`${BLOCKED_HEADER}: ${encodeURIComponent(verdict.reason)}`]);
      }
      const { checked } = verdict;
      const upstream = net.connect({ host: checked.address, port: checked.url.port ? Number(checked.url.port) : 80, family: checked.family });
      track(upstream);
      upstream.once("connect", () => {
        const lines = [`${req.method} ${checked.url.pathname}${checked.url.search} HTTP/1.1`];
        for (let i = 0; i < req.rawHeaders.length; i += 2) {
          const name = req.rawHeaders[i]!.toLowerCase();
          if (name.startsWith("proxy-")) continue;
          lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
        }
        upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
        if (head.length > 0) upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on("error", () => socket.destroy());
      socket.on("close", () => upstream.destroy());
      upstream.on("close", () => socket.destroy());
    })().catch(() => socket.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    server: `http://127.0.0.1:${port}`,
    port,
    username,
    password,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
