// DM pairing state in credentials/ (dir 700, files 600), per channel:
//   <channel>-pairing.json    pending requests {code, senderId, senderName, createdAt, expiresAt},
//                             and how many new senders a full queue turned away since it filled
//   <channel>-allowFrom.json  approved senders {id, name, approvedAt, owner}
// The rules for codes (alphabet, lifetime, how many pending) are security/pairing.ts's;
// this is only their storage. Only the operator approves (CLI or RPC), never the sender;
// the files are re-read on every message, so approval needs no restart.
import { existsSync, mkdirSync, readFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../infra/atomic-fs.js";
import { MAX_PENDING, normalizeCode, pairingQueueFull, pairingStep, type PairingRequest } from "../security/pairing.js";
import { dmSessionNotice } from "../security/session-scope.js";
import { isChannelOwner } from "../security/principal.js";
import { channelConfig } from "../config/channels.js";
import type { Config } from "../config/schema.js";
import { defaultAgent } from "../agents/workspace.js";

const requestSchema = z.object({
  code: z.string(),
  senderId: z.string(),
  senderName: z.string().optional(),
  createdAt: z.number(),
  expiresAt: z.number(),
});
const turnedAwaySchema = z.object({ count: z.number(), firstAt: z.number(), lastAt: z.number() });
const pairingFile = z.object({ version: z.literal(1), requests: z.array(requestSchema), turnedAway: turnedAwaySchema.optional() });
const approvedSchema = z.object({ id: z.string(), name: z.string().optional(), approvedAt: z.number(), owner: z.boolean().optional() });
const allowFile = z.object({ version: z.literal(1), allowFrom: z.array(approvedSchema) });

export type ApprovedSender = z.infer<typeof approvedSchema>;
/** New senders who got no code because the queue was full (reset when it has room again). */
export type TurnedAway = z.infer<typeof turnedAwaySchema>;

export type RequestOutcome =
  | { kind: "issued"; request: PairingRequest; requests: PairingRequest[] }
  /** `refused`: the sender id would not show as itself (security/pairing.ts senderIdShowable). */
  | { kind: "pending" | "refused"; requests: PairingRequest[] }
  /** `firstTurnedAway`: the first sender turned away since the queue filled (tell the owners once). */
  | { kind: "full"; requests: PairingRequest[]; turnedAway: TurnedAway; firstTurnedAway: boolean };

export interface PairingQueueStatus {
  pending: PairingRequest[];
  /** MAX_PENDING live requests: new senders (other than listed owners) get no code. */
  full: boolean;
  max: number;
  turnedAway?: TurnedAway;
}

export class PairingStore {
  constructor(private credentialsDir: string) {}

  private path(channel: string, kind: "pairing" | "allowFrom"): string {
    if (!/^[a-z0-9-]+$/.test(channel)) throw new Error(`invalid channel name "${channel}"`);
    return join(this.credentialsDir, `${channel}-${kind}.json`);
  }

  private ensureDir(): void {
    mkdirSync(this.credentialsDir, { recursive: true, mode: 0o700 });
    chmodSync(this.credentialsDir, 0o700);
  }

  private read<T>(path: string, schema: z.ZodType<T>, empty: T): T {
    if (!existsSync(path)) return empty;
    const parsed = schema.safeParse(JSON.parse(readFileSync(path, "utf8")));
    if (!parsed.success) throw new Error(`${path} is not a valid pairing file; fix or delete it.`);
    return parsed.data;
  }

  private file(channel: string) {
    return this.read(this.path(channel, "pairing"), pairingFile, { version: 1 as const, requests: [] });
  }

  requests(channel: string, now = Date.now()): PairingRequest[] {
    return this.file(channel).requests.filter((r) => r.expiresAt > now);
  }

  /** The pending queue as the operator needs to see it: is it full, and who was turned away. */
  status(channel: string, now = Date.now()): PairingQueueStatus {
    const f = this.file(channel);
    const pending = f.requests.filter((r) => r.expiresAt > now);
    const full = pairingQueueFull(pending, now);
    return { pending, full, max: MAX_PENDING, ...(full && f.turnedAway ? { turnedAway: f.turnedAway } : {}) };
  }

  /** Saves the pending requests; `turnedAway` survives only while the queue stays full. */
  saveRequests(channel: string, requests: PairingRequest[], turnedAway?: TurnedAway): void {
    this.ensureDir();
    writeFileAtomic(this.path(channel, "pairing"), `${JSON.stringify({ version: 1, requests, ...(turnedAway ? { turnedAway } : {}) }, null, 2)}\n`, 0o600);
  }

  /** Operator: drop every pending request of the channel (the queue is empty again). */
  clear(channel: string, now = Date.now()): PairingRequest[] {
    const live = this.requests(channel, now);
    this.saveRequests(channel, []);
    return live;
  }

  approved(channel: string): ApprovedSender[] {
    return this.read(this.path(channel, "allowFrom"), allowFile, { version: 1 as const, allowFrom: [] }).allowFrom;
  }

  private saveApproved(channel: string, allowFrom: ApprovedSender[]): void {
    this.ensureDir();
    writeFileAtomic(this.path(channel, "allowFrom"), `${JSON.stringify({ version: 1, allowFrom }, null, 2)}\n`, 0o600);
  }

  /**
   * Records a request for an unknown sender; returns the new code, or why none was issued.
   * A sender turned away by a full queue is counted (`turnedAway`, `firstTurnedAway` is true
   * for the first one since the queue filled) so the operator can be told.
   */
  request(channel: string, sender: { id: string; name?: string; owner?: boolean }, now = Date.now()): RequestOutcome {
    const f = this.file(channel);
    const step = pairingStep(f.requests, sender, now);
    if (step.kind === "issued") this.saveRequests(channel, step.requests);
    if (step.kind === "issued") return step;
    if (step.kind === "pending" || step.kind === "refused") return { kind: step.kind, requests: step.requests };
    const prev = f.turnedAway;
    const turnedAway: TurnedAway = { count: (prev?.count ?? 0) + 1, firstAt: prev?.firstAt ?? now, lastAt: now };
    this.saveRequests(channel, step.requests, turnedAway);
    return { kind: "full", requests: step.requests, turnedAway, firstTurnedAway: !prev };
  }

  /** Operator approval: the sender joins allowFrom; the first approved sender becomes owner when `ownerIfFirst`. */
  approve(channel: string, code: string, opts: { ownerIfFirst: boolean }, now = Date.now()): ApprovedSender | undefined {
    const want = normalizeCode(code);
    const reqs = this.requests(channel, now);
    const req = reqs.find((r) => r.code === want);
    if (!req) return undefined;
    const list = this.approved(channel).filter((a) => a.id !== req.senderId);
    const owner = opts.ownerIfFirst && !list.some((a) => a.owner);
    const entry: ApprovedSender = { id: req.senderId, ...(req.senderName ? { name: req.senderName } : {}), approvedAt: now, ...(owner ? { owner: true } : {}) };
    this.saveApproved(channel, [...list, entry]);
    this.saveRequests(channel, reqs.filter((r) => r !== req));
    return entry;
  }

  /**
   * Adds senders the operator already approved elsewhere (`simpleclaw import openclaw`);
   * senders already in the file keep their entry. Returns how many were added.
   */
  addApproved(channel: string, senders: Array<{ id: string; name?: string; approvedAt: number }>): number {
    const list = this.approved(channel);
    const have = new Set(list.map((a) => a.id));
    const fresh = senders.filter((s) => !have.has(s.id) && (have.add(s.id), true));
    if (fresh.length) this.saveApproved(channel, [...list, ...fresh.map((s) => ({ id: s.id, ...(s.name ? { name: s.name } : {}), approvedAt: s.approvedAt }))]);
    return fresh.length;
  }

  reject(channel: string, code: string, now = Date.now()): PairingRequest | undefined {
    const want = normalizeCode(code);
    const reqs = this.requests(channel, now);
    const req = reqs.find((r) => r.code === want);
    if (req) this.saveRequests(channel, reqs.filter((r) => r !== req));
    return req;
  }

  revoke(channel: string, senderId: string): boolean {
    const list = this.approved(channel);
    const next = list.filter((a) => a.id !== senderId);
    if (next.length === list.length) return false;
    this.saveApproved(channel, next);
    return true;
  }
}

/**
 * Where an approved sender's DMs will go, for the operator's approve message (CLI, RPC,
 * Control UI): the owner → the main session, anyone else → their own session under
 * session.dmScope "per-sender", or — warned — the owner's main session under "main".
 */
export function approvedSenderSession(config: Config, channel: string, entry: ApprovedSender): { sessionKey: string; shared: boolean; message: string } {
  const cfg = channelConfig(config, channel);
  const owner = isChannelOwner(entry.id, cfg ?? { owners: [] }, new Set(entry.owner ? [entry.id] : []));
  return dmSessionNotice(defaultAgent(config).id, config.session.dmScope, channel, entry.id, owner);
}
