// Device pairing decisions (docs/nodes.md), pure: what happens to a connect that carries a
// verified device proof (accept, hold for pairing, refuse), the pending-request queue
// (10 min expiry, at most 20), and device tokens (32 random bytes, kept only as SHA-256).
// store.ts persists the state; gateway.ts calls these on every device connect.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { escapeForDisplay } from "../infra/display.js";
import { isLoopbackHost } from "../net/address.js";
/** What a connecting client asks to be. */
export type DeviceRole = "operator" | "node";

export const PENDING_TTL_MS = 10 * 60 * 1000;
export const MAX_PENDING = 20;

export interface PendingDevice {
  deviceId: string;
  publicKey: string;
  role: DeviceRole;
  name: string;
  platform: string;
  clientVersion: string;
  remoteAddress: string;
  createdAt: number;
  expiresAt: number;
}

export interface PairedDevice {
  deviceId: string;
  publicKey: string;
  role: DeviceRole;
  name: string;
  platform: string;
  approvedAt: number;
  /** SHA-256 (hex) of the device token; null until the device has collected its token. */
  tokenHash: string | null;
  tokenIssuedAt: number | null;
  lastSeenAt: number | null;
}

export function newDeviceToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashDeviceToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Constant time: compares SHA-256 digests of equal length. */
export function tokenMatches(presented: string, storedHash: string): boolean {
  const a = createHash("sha256").update(presented, "utf8").digest();
  const b = Buffer.from(storedHash, "hex");
  return b.length === a.length && timingSafeEqual(a, b);
}

export const DEVICE_TEXT_MAX = 64;

function deviceText(text: string): string {
  const chars = [...escapeForDisplay(text, { oneLine: true })];
  return chars.length > DEVICE_TEXT_MAX ? `${chars.slice(0, DEVICE_TEXT_MAX - 1).join("")}…` : chars.join("");
}

/**
 * What a connecting device says about itself (`client.name`, `platform`, `version`) as the
 * gateway keeps and shows it (`devices list`, `nodes list`, approve/revoke messages, the
 * pairing event, the Control UI). Anyone with the gateway secret chooses it before the operator
 * decides, so control characters, bidi overrides and zero-width characters are shown escaped
 * (infra/display.ts), each is one line and at most 64 characters. It describes; the id decides.
 */
export function deviceClientText(client: { name: string; platform: string; version: string }): { name: string; platform: string; version: string } {
  return { name: deviceText(client.name), platform: deviceText(client.platform), version: deviceText(client.version) };
}

export type PendingStep =
  | { kind: "created"; request: PendingDevice; pending: PendingDevice[] }
  | { kind: "existing"; request: PendingDevice; pending: PendingDevice[] }
  | { kind: "full"; pending: PendingDevice[] };

/** An unknown device asks to pair: keep its live request, or queue a new one if there is room. */
export function pendingStep(pending: PendingDevice[], req: Omit<PendingDevice, "createdAt" | "expiresAt">, now: number): PendingStep {
  const live = pending.filter((p) => p.expiresAt > now);
  const mine = live.find((p) => p.deviceId === req.deviceId);
  if (mine) return { kind: "existing", request: mine, pending: live };
  if (live.length >= MAX_PENDING) return { kind: "full", pending: live };
  const text = deviceClientText({ name: req.name, platform: req.platform, version: req.clientVersion });
  const request: PendingDevice = { ...req, name: text.name, platform: text.platform, clientVersion: text.version, createdAt: now, expiresAt: now + PENDING_TTL_MS };
  return { kind: "created", request, pending: [...live, request] };
}

/**
 * gateway.nodes.autoApproveLoopback: only a device that really connects from this machine is
 * approved without asking. A loopback address is not enough when something forwards other
 * machines to the gateway from loopback: a reverse proxy (the upgrade carried forwarding
 * headers) or Tailscale serve/funnel (which proxies from 127.0.0.1 without the gateway
 * necessarily seeing such headers). Those devices wait for the operator like any other.
 */
export function autoApproveAllowed(input: { enabled: boolean; remoteAddress: string; forwarded: boolean; tailscale: "off" | "serve" | "funnel" }): boolean {
  return input.enabled && !input.forwarded && input.tailscale === "off" && isLoopbackHost(input.remoteAddress);
}

export type DeviceDecision =
  | { kind: "accept"; issueToken: boolean }
  | { kind: "pair" }
  | { kind: "refuse"; code: "UNAUTHORIZED"; message: string };

/**
 * What to do with a connect whose device proof already verified (signature, id = hash of
 * key, fresh signedAt, this connection's nonce). `paired` is the stored record for that id.
 */
export function deviceConnectDecision(input: {
  role: DeviceRole;
  publicKey: string;
  paired: PairedDevice | undefined;
  deviceToken: string | undefined;
}): DeviceDecision {
  const { role, paired, deviceToken } = input;
  const refuse = (message: string): DeviceDecision => ({ kind: "refuse", code: "UNAUTHORIZED", message });
  if (!paired) {
    // A token for a device we do not know: revoked, or lifted from another device.
    if (deviceToken) return refuse("this device token is not valid for this device (revoked, or issued to another device).");
    // Operators are authorized by the gateway secret; their device needs no pairing.
    if (role === "operator") return { kind: "accept", issueToken: false };
    return { kind: "pair" };
  }
  if (paired.publicKey !== input.publicKey) return refuse("this device id is paired with a different public key.");
  if (paired.role !== role) return refuse(`this device is paired for role ${paired.role}, not ${role}.`);
  if (paired.tokenHash === null) {
    if (deviceToken) return refuse("this device token is not valid for this device.");
    return { kind: "accept", issueToken: true };
  }
  if (!deviceToken) return refuse("this device is paired: present its device token (or revoke it and pair again).");
  if (!tokenMatches(deviceToken, paired.tokenHash)) return refuse("this device token is not valid for this device (revoked, or issued to another device).");
  return { kind: "accept", issueToken: false };
}

/**
 * Finds a device by full id, unique id prefix (≥ 6 hex characters) or exact name. A reference
 * that reads as an id (≥ 6 hex characters) is only ever matched against ids: the device chose
 * its name, so a device named "3f2a9c01be77" must never be what `devices approve 3f2a9c01be77`
 * or `nodes invoke 3f2a9c01be77 …` reaches when the device with that id is absent.
 */
export function findDevice<T extends { deviceId: string; name: string }>(list: T[], ref: string): { ok: true; device: T } | { ok: false; reason: "none" | "ambiguous" } {
  const r = ref.trim().toLowerCase();
  const hits = /^[0-9a-f]{6,}$/.test(r) ? list.filter((d) => d.deviceId.startsWith(r)) : list.filter((d) => d.name.toLowerCase() === r);
  if (hits.length === 1) return { ok: true, device: hits[0]! };
  return { ok: false, reason: hits.length === 0 ? "none" : "ambiguous" };
}
