// Implementations of `simpleclaw devices …` (lazy-loaded): state.db in the state dir.
import { statePaths } from "../config/paths.js";
import { findDevice, type PairedDevice, type PendingDevice } from "../security/device-pairing.js";
import { DeviceStore } from "../devices/store.js";
import { ensureDir } from "../infra/atomic-fs.js";
import { openStateDb } from "../infra/db.js";
import { UserError } from "../infra/errors.js";

function withStore<T>(fn: (s: DeviceStore) => T): T {
  const paths = statePaths();
  ensureDir(paths.dir, 0o700);
  const db = openStateDb(paths.stateDb);
  try {
    return fn(new DeviceStore(db));
  } finally {
    db.close();
  }
}

function pick<T extends { deviceId: string; name: string }>(list: T[], ref: string, what: string): T {
  const r = findDevice(list, ref);
  if (r.ok) return r.device;
  if (r.reason === "ambiguous") throw new UserError(`"${ref}" matches more than one ${what}; give more of the device id.`);
  throw new UserError(`no ${what} "${ref}"; see simpleclaw devices list.`);
}

const iso = (t: number | null) => (t ? new Date(t).toISOString() : "never");

export function devicesList(opts: { json?: boolean }): void {
  const { pending, paired } = withStore((s) => ({ pending: s.pending(), paired: s.paired() }));
  const safePaired = paired.map(({ tokenHash, ...d }) => ({ ...d, tokenIssued: tokenHash !== null }));
  if (opts.json) return void process.stdout.write(`${JSON.stringify({ pending, paired: safePaired }, null, 2)}\n`);
  if (!pending.length && !paired.length) return void process.stdout.write("No pending requests and no paired devices.\n");
  if (pending.length) process.stdout.write("Pending (approve with: simpleclaw devices approve <id>):\n");
  for (const p of pending as PendingDevice[]) {
    process.stdout.write(`  ${p.deviceId.slice(0, 12)}  ${p.name}  ${p.role}  ${p.platform}  from ${p.remoteAddress}  expires ${iso(p.expiresAt)}\n`);
  }
  if (paired.length) process.stdout.write("Paired:\n");
  for (const d of paired as PairedDevice[]) {
    process.stdout.write(`  ${d.deviceId.slice(0, 12)}  ${d.name}  ${d.role}  ${d.platform}  approved ${iso(d.approvedAt)}  last seen ${iso(d.lastSeenAt)}${d.tokenHash ? "" : "  (token not collected yet)"}\n`);
  }
}

export function devicesApprove(ref: string): void {
  const rec = withStore((s) => {
    const p = pick(s.pending(), ref, "pending pairing request");
    return s.approve(p.deviceId);
  });
  if (!rec) throw new UserError(`the pairing request for "${ref}" expired; let the device connect again.`);
  process.stdout.write(`Approved ${rec.name} (device ${rec.deviceId}) as ${rec.role}. It receives its device token on its next connect.\n`);
}

export function devicesReject(ref: string): void {
  const p = withStore((s) => {
    const p = pick(s.pending(), ref, "pending pairing request");
    s.reject(p.deviceId);
    return p;
  });
  process.stdout.write(`Rejected the pairing request of ${p.name} (device ${p.deviceId}).\n`);
}

export function devicesRevoke(ref: string): void {
  const d = withStore((s) => {
    const d = pick(s.paired(), ref, "paired device");
    s.revoke(d.deviceId);
    return d;
  });
  process.stdout.write(`Revoked ${d.name} (device ${d.deviceId}): its token no longer works and a running gateway disconnects it.\n`);
}
