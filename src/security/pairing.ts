// DM pairing decisions (docs/channels.md): what an unknown DM sender gets. Codes are 8
// characters from an alphabet without 0/O/1/I, valid 1 hour, at most 3 pending per channel
// (a sender listed in the channel's `owners` is never turned away by that cap), one per
// sender per hour; a sender id that would not show as itself gets none. Pure: storage is
// channels/pairing.ts.
import { randomInt } from "node:crypto";
import { escapeForDisplay } from "../infra/display.js";

export const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
export const CODE_LENGTH = 8;
export const CODE_TTL_MS = 60 * 60 * 1000;
export const MAX_PENDING = 3;

export interface PairingRequest {
  code: string;
  senderId: string;
  senderName?: string | undefined;
  createdAt: number;
  expiresAt: number;
}

export function newCode(): string {
  let s = "";
  for (let i = 0; i < CODE_LENGTH; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return s;
}

export const SENDER_NAME_MAX = 64;

/**
 * A sender's display name as a pairing request keeps it and everything shows it (the owner's
 * DM notice, `pairing list`, `pairing approve`, the Control UI): the platform lets the sender
 * choose it, so control characters, bidi overrides and zero-width characters are shown escaped
 * (infra/display.ts), it is one line and at most 64 characters. It names; the id and the code decide.
 */
export function senderDisplayName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const chars = [...escapeForDisplay(name, { oneLine: true })];
  return chars.length > SENDER_NAME_MAX ? `${chars.slice(0, SENDER_NAME_MAX - 1).join("")}…` : chars.join("");
}

/** Longest sender id a pairing request keeps (the pairing.revoke method takes ids up to this length). */
export const SENDER_ID_MAX = 256;

/**
 * Whether a sender id shows as exactly itself wherever a person decides on it (the owner's
 * notice, `pairing list`, the Control UI): "the id and the code are what you approve", so an id
 * with a control character, bidi override or zero-width character (which a plugin channel may
 * pass through) or one too long to read is never offered for approval. Platform ids always pass.
 */
export function senderIdShowable(id: string): boolean {
  return id.length > 0 && id.length <= SENDER_ID_MAX && escapeForDisplay(id, { oneLine: true }) === id;
}

export function normalizeCode(code: string): string {
  return code.trim().toUpperCase().replace(/[\s-]/g, "");
}

/** Whether the pending queue is at its cap: a new sender (not an owner) would get no code. */
export function pairingQueueFull(requests: PairingRequest[], now: number): boolean {
  return requests.filter((r) => r.expiresAt > now).length >= MAX_PENDING;
}

/**
 * What to do with an unknown DM sender (pure; `now` injected). `owner`: the sender is listed
 * in the channel's `owners` — such a sender always gets a code, even with the queue full,
 * so throwaway accounts holding the queue can never lock the owner out.
 */
export function pairingStep(
  requests: PairingRequest[],
  sender: { id: string; name?: string; owner?: boolean },
  now: number,
  code: () => string = newCode,
): { kind: "issued"; request: PairingRequest; requests: PairingRequest[] } | { kind: "pending" | "full" | "refused"; requests: PairingRequest[] } {
  const live = requests.filter((r) => r.expiresAt > now);
  // An id a person cannot read as itself is never put up for approval (fail closed).
  if (!senderIdShowable(sender.id)) return { kind: "refused", requests: live };
  if (live.some((r) => r.senderId === sender.id)) return { kind: "pending", requests: live };
  if (live.length >= MAX_PENDING && !sender.owner) return { kind: "full", requests: live };
  let c = code();
  while (live.some((r) => r.code === c)) c = code();
  const senderName = senderDisplayName(sender.name);
  const request: PairingRequest = { code: c, senderId: sender.id, ...(senderName ? { senderName } : {}), createdAt: now, expiresAt: now + CODE_TTL_MS };
  return { kind: "issued", request, requests: [...live, request] };
}
