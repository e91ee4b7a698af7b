// Paired devices and pending pairing requests in state.db (tables device_pending and
// device_paired; SQLite transactions make the gateway and the `devices` CLI safe to use
// at the same time). Device tokens are stored only as SHA-256 hashes. The gateway
// notices changes made by other processes through `changed()` (PRAGMA data_version).
import type { Db } from "../infra/db.js";
import { migrate, transaction } from "../infra/db.js";
import { hashDeviceToken, newDeviceToken, pendingStep, type PairedDevice, type PendingDevice, type PendingStep } from "../security/device-pairing.js";

const MIGRATIONS = [
  `CREATE TABLE device_pending (
     device_id TEXT PRIMARY KEY, public_key TEXT NOT NULL, role TEXT NOT NULL, name TEXT NOT NULL,
     platform TEXT NOT NULL, client_version TEXT NOT NULL, remote_address TEXT NOT NULL,
     created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
   CREATE TABLE device_paired (
     device_id TEXT PRIMARY KEY, public_key TEXT NOT NULL, role TEXT NOT NULL, name TEXT NOT NULL,
     platform TEXT NOT NULL, approved_at INTEGER NOT NULL, token_hash TEXT, token_issued_at INTEGER,
     last_seen_at INTEGER);`,
];

type Row = Record<string, string | number | null>;

function pendingFrom(r: Row): PendingDevice {
  return {
    deviceId: String(r.device_id),
    publicKey: String(r.public_key),
    role: r.role === "operator" ? "operator" : "node",
    name: String(r.name),
    platform: String(r.platform),
    clientVersion: String(r.client_version),
    remoteAddress: String(r.remote_address),
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
  };
}

function pairedFrom(r: Row): PairedDevice {
  return {
    deviceId: String(r.device_id),
    publicKey: String(r.public_key),
    role: r.role === "operator" ? "operator" : "node",
    name: String(r.name),
    platform: String(r.platform),
    approvedAt: Number(r.approved_at),
    tokenHash: r.token_hash === null ? null : String(r.token_hash),
    tokenIssuedAt: r.token_issued_at === null ? null : Number(r.token_issued_at),
    lastSeenAt: r.last_seen_at === null ? null : Number(r.last_seen_at),
  };
}

export class DeviceStore {
  private lastVersion: number;

  constructor(private db: Db) {
    migrate(db, "devices", MIGRATIONS);
    this.lastVersion = this.dataVersion();
  }

  private dataVersion(): number {
    return Number((this.db.prepare("PRAGMA data_version").get() as Row).data_version);
  }

  /** True when another process committed to the database since the last call. */
  changed(): boolean {
    const v = this.dataVersion();
    if (v === this.lastVersion) return false;
    this.lastVersion = v;
    return true;
  }

  pending(now = Date.now()): PendingDevice[] {
    return (this.db.prepare("SELECT * FROM device_pending WHERE expires_at > ? ORDER BY created_at").all(now) as Row[]).map(pendingFrom);
  }

  paired(): PairedDevice[] {
    return (this.db.prepare("SELECT * FROM device_paired ORDER BY approved_at").all() as Row[]).map(pairedFrom);
  }

  get(deviceId: string): PairedDevice | undefined {
    const r = this.db.prepare("SELECT * FROM device_paired WHERE device_id = ?").get(deviceId) as Row | undefined;
    return r ? pairedFrom(r) : undefined;
  }

  /** An unknown device asks to pair (expired requests are dropped on the way). */
  request(req: Omit<PendingDevice, "createdAt" | "expiresAt">, now = Date.now()): PendingStep {
    return transaction(this.db, () => {
      this.db.prepare("DELETE FROM device_pending WHERE expires_at <= ?").run(now);
      const step = pendingStep(this.pending(now), req, now);
      if (step.kind === "created") {
        const p = step.request;
        this.db
          .prepare("INSERT INTO device_pending VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
          .run(p.deviceId, p.publicKey, p.role, p.name, p.platform, p.clientVersion, p.remoteAddress, p.createdAt, p.expiresAt);
      }
      return step;
    });
  }

  /** Operator approval: the pending request becomes a paired device (its token is issued on its next signed connect). */
  approve(deviceId: string, now = Date.now()): PairedDevice | undefined {
    return transaction(this.db, () => {
      const r = this.db.prepare("SELECT * FROM device_pending WHERE device_id = ? AND expires_at > ?").get(deviceId, now) as Row | undefined;
      if (!r) return undefined;
      const p = pendingFrom(r);
      this.db.prepare("DELETE FROM device_pending WHERE device_id = ?").run(deviceId);
      this.db
        .prepare("INSERT OR REPLACE INTO device_paired VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, NULL)")
        .run(p.deviceId, p.publicKey, p.role, p.name, p.platform, now);
      return this.get(deviceId);
    });
  }

  reject(deviceId: string): boolean {
    return Number(this.db.prepare("DELETE FROM device_pending WHERE device_id = ?").run(deviceId).changes) > 0;
  }

  /** Removes the device and so its token; a running gateway closes its connection. */
  revoke(deviceId: string): boolean {
    return Number(this.db.prepare("DELETE FROM device_paired WHERE device_id = ?").run(deviceId).changes) > 0;
  }

  /** Issues the device's token once, right after approval; returns it (the only time it exists in clear). */
  issueToken(deviceId: string, now = Date.now()): string | undefined {
    const token = newDeviceToken();
    const res = this.db
      .prepare("UPDATE device_paired SET token_hash = ?, token_issued_at = ?, last_seen_at = ? WHERE device_id = ? AND token_hash IS NULL")
      .run(hashDeviceToken(token), now, now, deviceId);
    return Number(res.changes) === 1 ? token : undefined;
  }

  touch(deviceId: string, platform: string, now = Date.now()): void {
    this.db.prepare("UPDATE device_paired SET last_seen_at = ?, platform = ? WHERE device_id = ?").run(now, platform, deviceId);
  }
}
