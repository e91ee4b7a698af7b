// The node's device tokens, one per gateway URL, in <state>/identity/device-auth.json (600).
import { chmodSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../infra/atomic-fs.js";
import { identityDir } from "../devices/identity.js";

interface TokenFile {
  version: 1;
  gateways: Record<string, { deviceId: string; role: string; deviceToken: string; issuedAt: number }>;
}

function path(stateDir: string): string {
  return join(identityDir(stateDir), "device-auth.json");
}

function read(stateDir: string): TokenFile {
  const p = path(stateDir);
  if (!existsSync(p)) return { version: 1, gateways: {} };
  try {
    const f = JSON.parse(readFileSync(p, "utf8")) as TokenFile;
    if (f && f.version === 1 && f.gateways && typeof f.gateways === "object") return f;
  } catch {
    // fall through
  }
  throw new Error(`${p} is not a valid device token file; delete it to pair again.`);
}

function write(stateDir: string, f: TokenFile): void {
  const dir = identityDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  writeFileAtomic(path(stateDir), `${JSON.stringify(f, null, 2)}\n`, 0o600);
}

export function loadDeviceToken(stateDir: string, url: string, deviceId: string): string | undefined {
  const e = read(stateDir).gateways[url];
  return e && e.deviceId === deviceId ? e.deviceToken : undefined;
}

export function saveDeviceToken(stateDir: string, url: string, entry: { deviceId: string; role: string; deviceToken: string }): void {
  const f = read(stateDir);
  f.gateways[url] = { ...entry, issuedAt: Date.now() };
  write(stateDir, f);
}

export function dropDeviceToken(stateDir: string, url: string): void {
  const f = read(stateDir);
  if (!Object.hasOwn(f.gateways, url)) return;
  delete f.gateways[url];
  write(stateDir, f);
}
