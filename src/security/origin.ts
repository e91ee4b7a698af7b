// Browser WebSocket origin check: a page may open the gateway socket only when it is
// served by the gateway itself or listed in gateway.controlUi.allowedOrigins.
// Non-browser clients send no Origin header and are judged by auth alone.
import { hostOfHostHeader, isLoopbackHost } from "../net/address.js";

export function originAllowed(origin: string | undefined, hostHeader: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.includes("*")) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" (sandboxed iframes, file://) and garbage
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  if (hostHeader && url.host.toLowerCase() === hostHeader.toLowerCase()) return true;
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
