// Browser WebSocket origin check: a page may open the gateway socket only when it is
// served by the gateway itself or listed in gateway.controlUi.allowedOrigins.
// Non-browser clients send no Origin header and are judged by auth alone.
//
// DNS rebinding: a page on a name its attacker controls (evil.example) can re-point that name
// at 127.0.0.1; the browser then sends Host and Origin "evil.example:<port>", which agree, so
// "same origin" alone would let it open the socket and guess secrets — every wrong guess
// counting against the owner's own loopback lockout (or unlimited with exemptLoopback). A
// browser therefore reaches the gateway only by a name nobody outside can point at it.
import { hostOfHostHeader, isLocalNetworkHost, isLoopbackHost, parseHost } from "../net/address.js";

/**
 * Whether a browser may reach the gateway by this host name (no port) without it being listed
 * in gateway.controlUi.allowedOrigins: an IP literal, localhost, or a name that public DNS
 * cannot hand out — one label, .local, .lan, .internal, .home.arpa, .localdomain, and a
 * Tailscale MagicDNS .ts.net name. Any other DNS name must be in allowedOrigins.
 * `loopbackOnly` (the gateway listens on loopback only): LAN-only names are not trusted
 * either — nobody reaches such a gateway by them, and anyone on the LAN can answer for
 * them (mDNS, LLMNR) with 127.0.0.1.
 */
export function browserHostTrusted(hostname: string, allowed: readonly string[], loopbackOnly = false): boolean {
  if (allowed.includes("*")) return true;
  const h = parseHost(hostname);
  if (h.kind === "ip") return true;
  if (h.kind !== "name") return false;
  if (isLoopbackHost(h.name) || h.name.endsWith(".ts.net") || (!loopbackOnly && isLocalNetworkHost(h.name))) return true;
  return allowed.some((a) => {
    try {
      const u = parseHost(new URL(a).hostname);
      return u.kind === "name" && u.name === h.name;
    } catch {
      return false;
    }
  });
}

/**
 * The HTTP side of the same rule: a request a browser sent (it carries Origin or a
 * Sec-Fetch-* header, as every current browser's requests do) must name a trusted host in its
 * Host header. Clients that are not browsers (curl, the CLI) are judged by auth alone.
 */
export function browserRequestAllowed(headers: { host?: string | undefined; origin?: string | undefined; "sec-fetch-site"?: string | string[] | undefined; "sec-fetch-mode"?: string | string[] | undefined }, allowed: readonly string[], loopbackOnly = false): boolean {
  const fromBrowser = headers.origin !== undefined || headers["sec-fetch-site"] !== undefined || headers["sec-fetch-mode"] !== undefined;
  if (!fromBrowser) return true;
  const host = hostOfHostHeader(headers.host);
  return host !== undefined && browserHostTrusted(host, allowed, loopbackOnly);
}

export function originAllowed(origin: string | undefined, hostHeader: string | undefined, allowed: readonly string[], loopbackOnly = false): boolean {
  if (origin === undefined) return true;
  if (allowed.includes("*")) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" (sandboxed iframes, file://) and garbage
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  // Same origin as the Host it was sent to — unless that name is one an attacker could
  // point here (DNS rebinding, see above).
  if (hostHeader && url.host.toLowerCase() === hostHeader.toLowerCase() && browserHostTrusted(url.hostname, allowed, loopbackOnly)) return true;
  return allowed.some((a) => a.replace(/\/+$/, "").toLowerCase() === url.origin.toLowerCase());
}

/**
 * True when a Host header names a loopback host (localhost, 127.0.0.0/8, [::1]), with or
 * without a port. With auth mode "none" only such requests are served: a DNS name that
 * resolves to 127.0.0.1 (DNS rebinding) would otherwise let any web page drive the gateway.
 */
export function isLoopbackHostHeader(host: string | undefined): boolean {
  return isLoopbackHost(hostOfHostHeader(host));
}
