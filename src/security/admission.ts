// Who may open one more WebSocket before authenticating (docs/operations.md#admission-before-authentication).
// Each pending connection holds a socket and a handshake timer, so unauthenticated
// clients must not hold an unbounded number of them — and a flood from many addresses
// must not starve the owner: at the global cap the newcomer is admitted and the oldest
// pending connection of the busiest address is closed instead.

/** Defaults for gateway.maxPendingPerAddress / gateway.maxPending. */
export const MAX_PENDING_PER_ADDRESS = 32;
export const MAX_PENDING_TOTAL = 256;

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
  const byAddr = new Map<string, { count: number; oldest: PendingConn<Id> }>();
  let total = 0;
  for (const p of pending) {
    total++;
    const a = byAddr.get(p.address);
    if (!a) byAddr.set(p.address, { count: 1, oldest: p });
    else {
      a.count++;
      if (p.openedAt < a.oldest.openedAt) a.oldest = p;
    }
  }
  const fromAddr = byAddr.get(remoteAddress)?.count ?? 0;
  if (fromAddr >= limits.perAddress) {
    return { ok: false, status: 429, reason: `${fromAddr} unauthenticated connections from this address are already open` };
  }
  if (total < limits.total) return { ok: true };
  let victim: { count: number; oldest: PendingConn<Id> } | undefined;
  for (const a of byAddr.values()) {
    if (!victim || a.count > victim.count || (a.count === victim.count && a.oldest.openedAt < victim.oldest.openedAt)) victim = a;
  }
  return victim ? { ok: true, evict: victim.oldest.id } : { ok: true };
}
