// Where a running gateway can be found (docs/cli.md): the gateway writes
// <state dir>/gateway-runtime.json (600) once it listens — pid, bind host, port, TLS and
// fingerprint — and removes it when it stops. Local clients read it so that a gateway
// started on another port (`--port`) is found without flags; a record whose pid is gone
// is stale and ignored. It also notes forwarding headers the gateway had to ignore, for the
// audit (gateway.trusted_proxies_missing).
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../infra/atomic-fs.js";

export interface RuntimeRecord {
  version: 1;
  pid: number;
  /** The address the gateway listens on (0.0.0.0 / :: for every interface). */
  host: string;
  port: number;
  tls: boolean;
  fingerprint256?: string;
  startedAt: number;
  gatewayVersion: string;
  /**
   * Requests arrived with forwarding headers (X-Forwarded-For, Forwarded…) from peers that
   * are not gateway.trustedProxies: a proxy is in front and its clients share one address
   * (security/client-address.ts ignoredForwarding). Read by `security audit`.
   */
  ignoredForwarding?: { peers: string[]; headers: string[]; since: number };
}

export function runtimeRecordPath(stateDir: string): string {
  return join(stateDir, "gateway-runtime.json");
}

export function writeRuntimeRecord(stateDir: string, record: RuntimeRecord): void {
  writeFileAtomic(runtimeRecordPath(stateDir), `${JSON.stringify(record, null, 2)}\n`, 0o600);
}

/** The record, or undefined when there is none or it is not one we wrote (never throws). */
export function readRuntimeRecord(stateDir: string): RuntimeRecord | undefined {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(runtimeRecordPath(stateDir), "utf8"));
  } catch {
    return undefined;
  }
  const r = v as Partial<RuntimeRecord> | null;
  if (!r || r.version !== 1 || !Number.isInteger(r.pid) || typeof r.host !== "string" || !Number.isInteger(r.port) || typeof r.tls !== "boolean") return undefined;
  return r as RuntimeRecord;
}

/** Remove the record if it is still this process's (a newer gateway may have replaced it). */
export function removeRuntimeRecord(stateDir: string, pid: number): void {
  if (readRuntimeRecord(stateDir)?.pid === pid) rmSync(runtimeRecordPath(stateDir), { force: true });
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
