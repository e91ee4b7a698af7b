// Which address is the client (docs/security-model.md, "Gateway authentication"): the one
// answer the lockout, admission and logs use. The TCP peer, unless that peer is one of
// gateway.trustedProxies: then X-Forwarded-For is read from the right, skipping trusted
// proxies, and the first untrusted hop is the client. Without trusted proxies forwarded
// headers are ignored, since any client can write them.
import { inCidr, parseCidr, parseHost, type Cidr } from "../net/address.js";

export function parseTrustedProxies(list: readonly string[]): Cidr[] {
  return list.map((s) => parseCidr(s)).filter((c): c is Cidr => c !== undefined);
}

function trusted(addr: string, proxies: readonly Cidr[]): boolean {
  return proxies.some((p) => inCidr(addr, p));
}

/** Whether a TCP peer is one of gateway.trustedProxies. */
export function isTrustedProxy(peer: string, proxies: readonly Cidr[]): boolean {
  return trusted(peer, proxies);
}

/**
 * `peer` is the socket's remote address; `forwardedFor` the X-Forwarded-For header(s).
 * A malformed hop ends the walk at the last trusted address (fail closed: the proxy
 * itself, never an address the client made up).
 */
export function clientAddress(peer: string, forwardedFor: string | readonly string[] | undefined, proxies: readonly Cidr[]): string {
  if (proxies.length === 0 || !trusted(peer, proxies) || forwardedFor === undefined) return peer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor as string))
    .split(",")
    .map((h) => h.trim())
    .filter((h) => h !== "");
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const h = parseHost(withoutPort(hops[i]!));
    if (h.kind !== "ip") return client;
    client = h.canonical;
    if (!trusted(client, proxies)) return client;
  }
  return client;
}

/**
 * Some proxies (Azure, IIS, some ingress controllers) write a hop with its source port:
 * `203.0.113.9:51234` or `[2001:db8::5]:51234`. The port is not part of who the client is;
 * anything else is left for parseHost to judge.
 */
function withoutPort(hop: string): string {
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(hop);
  if (v4) return v4[1]!;
  const v6 = /^\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?$/.exec(hop);
  return v6 ? v6[1]! : hop;
}

/** Request headers a reverse proxy adds to say who the client is (lower case, as Node gives them). */
export const FORWARDING_HEADERS = ["forwarded", "x-forwarded-for", "x-real-ip", "x-forwarded-host", "x-forwarded-proto"] as const;

/**
 * The forwarding headers on a request that the gateway ignores because its peer is not a
 * trusted proxy. Non-empty means: something in front of the gateway forwards clients, and
 * every one of them counts as `peer` for the lockout and the admission budget.
 */
export function ignoredForwarding(peer: string, headers: Readonly<Record<string, unknown>>, proxies: readonly Cidr[]): string[] {
  if (trusted(peer, proxies)) return [];
  return FORWARDING_HEADERS.filter((h) => headers[h] !== undefined);
}

/** Of the peers seen sending forwarding headers, those `proxies` do not cover (the audit's question after a config change). */
export function untrustedForwarders(peers: readonly string[], proxies: readonly Cidr[]): string[] {
  return peers.filter((p) => !trusted(p, proxies));
}
