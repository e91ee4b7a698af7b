// Who may open one more WebSocket before authenticating (docs/operations.md#admission-before-authentication).
// Each pending connection holds a socket and a handshake timer, so unauthenticated
// clients must not hold an unbounded number of them — and a flood from many addresses
// must not starve the owner: at the global cap the newcomer is admitted and the oldest
// pending connection of the busiest address is closed instead. "Address" means the client's
// network (net/address.ts networkKey, as for the auth lockout): IPv6 counts by /64, so rotating
// through one's own /64 buys no extra budget. Loopback addresses count one by one: they are all
// this machine, and keying them together would let any local flood refuse the owner's CLI.
import { networkKey } from "../net/address.js";

/** Defaults for gateway.maxPendingPerAddress / gateway.maxPending. */
export const MAX_PENDING_PER_ADDRESS = 32;
export const MAX_PENDING_TOTAL = 256;
/**
 * Open TCP connections one client network may hold on the gateway port at once (HTTP and
 * WebSocket, signed in or not). gateway.maxConnections (2048) is shared by everyone: without a
 * share per network one address that kept opening idle connections (each lives 10 s before the
 * header deadline) held all of them and nobody else got in.
 */
export const MAX_CONNECTIONS_PER_ADDRESS = 256;

/** Who admission counts by: the client's network (as the lockout), but loopback address by address. */
export function admissionKey(addr: string): string {
  const k = networkKey(addr);
  return k === "loopback" ? `loopback:${addr}` : k;
}

/**
 * Whether one more TCP connection from a peer may stay open. `open` is how many its network
 * (admissionKey) holds already. A trusted proxy (gateway.trustedProxies) carries every client's
 * connections, so it is not capped here; its clients are still counted by admitUpgrade.
 */
export function admitConnection(open: number, fromTrustedProxy: boolean, limit: number = MAX_CONNECTIONS_PER_ADDRESS): boolean {
  return fromTrustedProxy || open < limit;
}

export interface PendingConn<Id = unknown> {
  id: Id;
  address: string;
  /** When it opened (ms); smaller = older. */
  openedAt: number;
}

export interface AdmissionLimits {
  perAddress: number;
  total: number;
}

export type Admission<Id = unknown> =
  | { ok: true; evict?: Id }
  | { ok: false; status: 429; reason: string };

/**
 * `pending` is every connection that has not authenticated yet. One address holding
 * `perAddress` of them is refused (429). At `total`, the newcomer is still admitted and
 * `evict` names the oldest pending connection of the address holding the most (ties:
 * the oldest of those) — a client that completes its handshake promptly is never the
 * one evicted while any address holds more than it does.
 */
export function admitUpgrade<Id>(
  remoteAddress: string,
  pending: Iterable<PendingConn<Id>>,
  limits: AdmissionLimits = { perAddress: MAX_PENDING_PER_ADDRESS, total: MAX_PENDING_TOTAL },
): Admission<Id> {
  const keys = new Map<string, string>();
  const keyOf = (addr: string) => {
    let k = keys.get(addr);
    if (k === undefined) keys.set(addr, (k = admissionKey(addr)));
    return k;
  };
  const byAddr = new Map<string, { count: number; oldest: PendingConn<Id> }>();
  let total = 0;
  for (const p of pending) {
    total++;
    const key = keyOf(p.address);
    const a = byAddr.get(key);
    if (!a) byAddr.set(key, { count: 1, oldest: p });
    else {
      a.count++;
      if (p.openedAt < a.oldest.openedAt) a.oldest = p;
    }
  }
  const fromAddr = byAddr.get(keyOf(remoteAddress))?.count ?? 0;
  if (fromAddr >= limits.perAddress) {
    return { ok: false, status: 429, reason: `${fromAddr} unauthenticated connections from this address's network are already open` };
  }
  if (total < limits.total) return { ok: true };
  let victim: { count: number; oldest: PendingConn<Id> } | undefined;
  for (const a of byAddr.values()) {
    if (!victim || a.count > victim.count || (a.count === victim.count && a.oldest.openedAt < victim.oldest.openedAt)) victim = a;
  }
  return victim ? { ok: true, evict: victim.oldest.id } : { ok: true };
}
