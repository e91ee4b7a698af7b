// Device identity (docs/nodes.md): an Ed25519 key pair per device, its id (hex SHA-256 of
// the raw 32-byte public key), and the signed connect proof. `verifyDeviceProof` is the
// pure check the gateway runs on every connect that carries a device; signing and the
// on-disk key file (identity/device.json, 600) are for the node host.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../infra/atomic-fs.js";

export const CONNECT_SIGNATURE_PREFIX = "simpleclaw-connect-v1";
/** How far `signedAt` may be from the gateway clock, either way. */
export const MAX_CLOCK_SKEW_MS = 120_000;

import type { DeviceRole } from "../security/device-pairing.js";

export type { DeviceRole };

export interface DeviceProof {
  id: string;
  publicKey: string;
  signature: string;
  signedAt: number;
}

export interface DeviceIdentity {
  deviceId: string;
  /** Raw 32-byte Ed25519 public key, base64url. */
  publicKey: string;
  privateKey: KeyObject;
}

const B64URL = /^[A-Za-z0-9_-]+$/;

/** Strict base64url: only the URL alphabet, no padding, and the canonical encoding of its bytes. */
export function decodeBase64Url(s: string): Buffer | undefined {
  if (typeof s !== "string" || !B64URL.test(s)) return undefined;
  const buf = Buffer.from(s, "base64url");
  return buf.toString("base64url") === s ? buf : undefined;
}

export function deviceIdFromPublicKey(raw: Uint8Array): string {
  return createHash("sha256").update(raw).digest("hex");
}

/** The exact UTF-8 message a device signs (docs/nodes.md). */
export function connectMessage(p: { nonce: string; role: DeviceRole; deviceId: string; signedAt: number }): string {
  return `${CONNECT_SIGNATURE_PREFIX}\n${p.nonce}\n${p.role}\n${p.deviceId}\n${p.signedAt}`;
}

function publicKeyFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") }, format: "jwk" });
}

function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: "jwk" });
  return Buffer.from(jwk.x!, "base64url");
}

export function generateIdentity(): DeviceIdentity {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = rawPublicKey(publicKey);
  return { deviceId: deviceIdFromPublicKey(raw), publicKey: raw.toString("base64url"), privateKey };
}

export function signConnect(identity: DeviceIdentity, p: { nonce: string; role: DeviceRole; signedAt?: number }): DeviceProof {
  const signedAt = p.signedAt ?? Date.now();
  const msg = connectMessage({ nonce: p.nonce, role: p.role, deviceId: identity.deviceId, signedAt });
  return {
    id: identity.deviceId,
    publicKey: identity.publicKey,
    signature: sign(null, Buffer.from(msg, "utf8"), identity.privateKey).toString("base64url"),
    signedAt,
  };
}

export type ProofCheck = { ok: true; deviceId: string; publicKey: string } | { ok: false; reason: string };

/**
 * The gateway's check of a connect proof, pure (the clock is a parameter). `nonce` is the
 * challenge this connection was sent — never a value taken from the client — so a proof
 * recorded on another connection cannot verify here.
 */
export function verifyDeviceProof(proof: DeviceProof, expect: { nonce: string; role: DeviceRole; now: number }): ProofCheck {
  const raw = decodeBase64Url(proof.publicKey);
  if (!raw || raw.length !== 32) return { ok: false, reason: "device.publicKey is not a base64url raw 32-byte Ed25519 key" };
  const id = deviceIdFromPublicKey(raw);
  if (proof.id !== id) return { ok: false, reason: "device.id is not the SHA-256 of device.publicKey" };
  if (!Number.isSafeInteger(proof.signedAt) || Math.abs(expect.now - proof.signedAt) > MAX_CLOCK_SKEW_MS) {
    return { ok: false, reason: `device.signedAt is more than ${MAX_CLOCK_SKEW_MS / 1000} s from the gateway clock` };
  }
  const sig = decodeBase64Url(proof.signature);
  if (!sig || sig.length !== 64) return { ok: false, reason: "device.signature is not a base64url 64-byte Ed25519 signature" };
  let key: KeyObject;
  try {
    key = publicKeyFromRaw(raw);
  } catch {
    return { ok: false, reason: "device.publicKey is not a valid Ed25519 key" };
  }
  const msg = connectMessage({ nonce: expect.nonce, role: expect.role, deviceId: id, signedAt: proof.signedAt });
  let good = false;
  try {
    good = verify(null, Buffer.from(msg, "utf8"), key, sig);
  } catch {
    good = false;
  }
  if (!good) return { ok: false, reason: "device signature does not verify for this challenge" };
  return { ok: true, deviceId: id, publicKey: proof.publicKey };
}

// ---- the node's key file -----------------------------------------------------------

export function identityDir(stateDir: string): string {
  return join(stateDir, "identity");
}

/** Loads `<stateDir>/identity/device.json`, creating the key pair (600, dir 700) on first use. */
export function loadOrCreateIdentity(stateDir: string): DeviceIdentity {
  const dir = identityDir(stateDir);
  const path = join(dir, "device.json");
  if (existsSync(path)) {
    let parsed: { version?: number; deviceId?: string; publicKey?: string; privateKeyPem?: string };
    try {
      parsed = JSON.parse(readFileSync(path, "utf8"));
    } catch {
      throw new Error(`${path} is not valid JSON; move it away to create a new device identity (the node must then be paired again).`);
    }
    try {
      const privateKey = createPrivateKey(parsed.privateKeyPem ?? "");
      const raw = rawPublicKey(createPublicKey(privateKey));
      const identity = { deviceId: deviceIdFromPublicKey(raw), publicKey: raw.toString("base64url"), privateKey };
      if (identity.deviceId !== parsed.deviceId) throw new Error("id mismatch");
      return identity;
    } catch {
      throw new Error(`${path} does not hold a valid Ed25519 device key; move it away to create a new identity (the node must then be paired again).`);
    }
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const identity = generateIdentity();
  const privateKeyPem = identity.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  writeFileAtomic(path, `${JSON.stringify({ version: 1, deviceId: identity.deviceId, publicKey: identity.publicKey, privateKeyPem, createdAt: Date.now() }, null, 2)}\n`, 0o600);
  return identity;
}
