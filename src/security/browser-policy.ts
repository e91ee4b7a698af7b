// Browser tool policy (docs/browser.md): the pure decisions the
// browser tool and the security audit share. Which URLs a page may load (scheme, then
// browser.blockedOrigins / allowedOrigins; the address check itself is network-policy's
// net/address.ts verdict, applied by browser/guard-proxy.ts), and whether a configured remote CDP
// endpoint (browser.cdpUrl) is acceptable and how exposed it is. No I/O here.
import type { Config } from "../config/schema.js";
import { isLocalNetworkHost, isLoopbackHost } from "../net/address.js";
import { hostPortMatches, originMatches, type OriginPattern } from "../net/origin-pattern.js";

export interface OriginLists {
  allowed: readonly OriginPattern[];
  blocked: readonly OriginPattern[];
}

export type Decision = { allowed: true } | { allowed: false; reason: string };

/** browser.blockedOrigins wins; a non-empty browser.allowedOrigins admits only what it lists. */
export function originDecision(url: URL, lists: OriginLists): Decision {
  const blocked = lists.blocked.find((p) => originMatches(p, url));
  if (blocked) return { allowed: false, reason: `${url.origin} is listed in browser.blockedOrigins ("${blocked.source}")` };
  if (lists.allowed.length > 0 && !lists.allowed.some((p) => originMatches(p, url)))
    return { allowed: false, reason: `${url.origin} is not in browser.allowedOrigins` };
  return { allowed: true };
}

/**
 * The same lists for a CONNECT tunnel, where only host and port are known (HTTPS and
 * WebSocket traffic through the browser's proxy): an entry matches on host and port,
 * whatever its scheme.
 */
export function tunnelDecision(host: string, port: number, lists: OriginLists): Decision {
  const h = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  const match = (p: OriginPattern) => hostPortMatches(p, h, port);
  const shown = h.includes(":") ? `[${h}]:${port}` : `${h}:${port}`;
  const blocked = lists.blocked.find(match);
  if (blocked) return { allowed: false, reason: `${shown} is listed in browser.blockedOrigins ("${blocked.source}")` };
  if (lists.allowed.length > 0 && !lists.allowed.some(match)) return { allowed: false, reason: `${shown} is not in browser.allowedOrigins` };
  return { allowed: true };
}

/**
 * Which URLs the model may open: http and https only. Everything else is refused with the
 * reason (file: reads the host's disk, javascript: runs script in whatever page is open,
 * chrome:/devtools: are the browser's own privileged pages).
 */
export function schemeDecision(raw: string): Decision & { url?: URL } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { allowed: false, reason: `${JSON.stringify(raw.slice(0, 200))} is not a valid absolute URL` };
  }
  switch (url.protocol) {
    case "http:":
    case "https:":
      return { allowed: true, url };
    case "file:":
      return { allowed: false, reason: "file: URLs are refused: the browser never reads the host's files" };
    case "javascript:":
      return { allowed: false, reason: "javascript: URLs are refused: use click/type/press on the page instead" };
    case "chrome:":
    case "chrome-extension:":
    case "chrome-untrusted:":
    case "devtools:":
    case "view-source:":
    case "about:":
      return { allowed: false, reason: `${url.protocol} URLs are refused: only http and https pages can be opened` };
    default:
      return { allowed: false, reason: `${url.protocol} URLs are refused: only http and https pages can be opened` };
  }
}

// ---------------------------------------------------------------------------
// Remote CDP endpoint (browser.cdpUrl)

const AUTH_PARAM = /^(token|access_token|apikey|api_key|key|auth|secret|password)$/i;

/** Whether a CDP URL carries credentials: user:password, or a token-like query parameter with a value. */
export function cdpUrlHasAuth(url: URL): boolean {
  if (url.username !== "" || url.password !== "") return true;
  for (const [k, v] of url.searchParams) if (AUTH_PARAM.test(k) && v !== "") return true;
  return false;
}

/** The URL with credentials and query values replaced, safe to log or show. */
export function redactCdpUrl(url: URL): string {
  const u = new URL(url.href);
  if (u.username) u.username = "***";
  if (u.password) u.password = "***";
  for (const k of [...u.searchParams.keys()]) u.searchParams.set(k, "***");
  return u.href;
}

export type CdpUrlCheck =
  | { ok: true; url: URL; loopback: boolean; tls: boolean }
  | { ok: false; reason: string };

/**
 * May the browser tool attach to this CDP endpoint? It must carry credentials (CDP itself
 * has none: whoever reaches the port drives the browser and every logged-in session), and
 * it must be on loopback or use TLS (wss:// or https://).
 */
export function validateCdpUrl(raw: string): CdpUrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "browser.cdpUrl is not a valid URL" };
  }
  if (!["ws:", "wss:", "http:", "https:"].includes(url.protocol))
    return { ok: false, reason: `browser.cdpUrl must be a ws://, wss://, http:// or https:// URL, not ${url.protocol}` };
  const loopback = isLoopbackHost(url.hostname);
  const tls = url.protocol === "wss:" || url.protocol === "https:";
  if (!cdpUrlHasAuth(url))
    return {
      ok: false,
      reason: "browser.cdpUrl carries no credentials (user:password@ or a token= parameter); an unauthenticated DevTools endpoint is refused because anyone who reaches it controls the browser",
    };
  if (!loopback && !tls) return { ok: false, reason: `browser.cdpUrl must use wss:// or https:// to reach ${url.hostname}, which is not loopback` };
  if (url.hostname === "0.0.0.0" || url.hostname === "[::]") return { ok: false, reason: "browser.cdpUrl must name a host, not the unspecified address" };
  return { ok: true, url, loopback, tls };
}

export type CdpCheckId = "browser.control_no_auth" | "browser.cdp_non_loopback" | "browser.remote_cdp_http";

export interface CdpExposure {
  /** "pipe": SimpleClaw launches Chromium and drives it over a pipe (no DevTools port at all). "cdp": browser.cdpUrl. */
  transport: "pipe" | "cdp";
  /** browser.cdpUrl with credentials and query values masked. */
  endpoint?: string;
  host?: string;
  loopback?: boolean;
  tls?: boolean;
  hasAuth?: boolean;
  /** Whether the browser tool accepts this endpoint (validateCdpUrl); when not, why. */
  usable: boolean;
  refusal?: string;
  toolEnabled: boolean;
  findings: Array<{ checkId: CdpCheckId; severity: "critical" | "warn"; detail: string }>;
}

/**
 * How exposed browser control is under this config, for `simpleclaw security audit`
 * (checks browser.control_no_auth, browser.cdp_non_loopback, browser.remote_cdp_http).
 * Without browser.cdpUrl the tool launches Chromium with --remote-debugging-pipe: there
 * is no DevTools port to expose, so there are no findings.
 */
export function describeCdpExposure(config: Pick<Config, "browser" | "tools">): CdpExposure {
  const toolEnabled = config.tools.browser.enabled === true;
  const raw = config.browser.cdpUrl;
  if (!raw) return { transport: "pipe", usable: true, toolEnabled, findings: [] };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { transport: "cdp", usable: false, refusal: "browser.cdpUrl is not a valid URL", toolEnabled, findings: [] };
  }
  const check = validateCdpUrl(raw);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const loopback = isLoopbackHost(host);
  const tls = url.protocol === "wss:" || url.protocol === "https:";
  const hasAuth = cdpUrlHasAuth(url);
  const endpoint = redactCdpUrl(url);
  const findings: CdpExposure["findings"] = [];
  if (!hasAuth)
    findings.push({
      checkId: "browser.control_no_auth",
      severity: "critical",
      detail: loopback
        ? `browser.cdpUrl ${endpoint} has no credentials: any local process (including a sandboxed command with network access) can drive that browser.`
        : `browser.cdpUrl ${endpoint} has no credentials: anyone who reaches ${host} can drive that browser.`,
    });
  if (!loopback && isLocalNetworkHost(host))
    findings.push({ checkId: "browser.cdp_non_loopback", severity: "critical", detail: `browser.cdpUrl points at a DevTools endpoint on the local network (${host}), not loopback.` });
  if (!loopback && !tls)
    findings.push({ checkId: "browser.remote_cdp_http", severity: "warn", detail: `browser.cdpUrl uses ${url.protocol}// to ${host}: browser traffic and credentials travel unencrypted.` });
  return {
    transport: "cdp",
    endpoint,
    host,
    loopback,
    tls,
    hasAuth,
    usable: check.ok,
    ...(check.ok ? {} : { refusal: check.reason }),
    toolEnabled,
    findings,
  };
}
