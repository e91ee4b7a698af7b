// Who may open one more WebSocket before authenticating. Each pending connection holds a
// socket and a 10 s handshake timer, so an unauthenticated client (or a flood from one
// address) must not be able to hold an unbounded number of them.

/** Pending (not yet authenticated) connections allowed from one remote address. */
export const MAX_PENDING_PER_ADDRESS = 16;
/** Pending connections allowed in total. */
export const MAX_PENDING_TOTAL = 256;

export type Admission = { ok: true } | { ok: false; status: 429 | 503; reason: string };

/** `pending` is the remote address of every connection that has not authenticated yet. */
export function admitUpgrade(remoteAddress: string, pending: Iterable<string>): Admission {
  let fromAddr = 0;
  let total = 0;
  for (const a of pending) {
    total++;
    if (a === remoteAddress) fromAddr++;
  }
  if (fromAddr >= MAX_PENDING_PER_ADDRESS) {
    return { ok: false, status: 429, reason: `${fromAddr} unauthenticated connections from this address are already open` };
  }
  if (total >= MAX_PENDING_TOTAL) return { ok: false, status: 503, reason: `${total} unauthenticated connections are already open` };
  return { ok: true };
}
