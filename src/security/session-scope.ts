// Session keys name a transcript: `agent:<agentId>:main` for the owner, and
// direct/group keys for channel traffic. session.dmScope decides how DMs split
// (docs/channels.md "Sessions"): "per-sender" (default) sends the owner's DMs to the main
// session and gives every other sender a session of their own; "main" puts every DM in
// the main session. Keys only route messages to a transcript; they never grant anything.

import { createHash } from "node:crypto";

export type DmScope = "per-sender" | "main";
export const DM_SCOPES: readonly DmScope[] = ["per-sender", "main"];

const AGENT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const KEY = /^agent:([a-z0-9][a-z0-9_-]{0,63}):([A-Za-z0-9._@+=%-][A-Za-z0-9:._@+=%-]{0,199})$/;

export function mainSessionKey(agentId: string): string {
  return `agent:${agentId}:main`;
}

const SEGMENT_MAX = 120;
const SEGMENT_KEEP = 80;

/**
 * A channel's peer/group id (or a job id) as one key segment, one-to-one: distinct ids never
 * give the same segment, so no id can forge key segments or land in another id's session.
 * Characters outside the key alphabet are escaped at a fixed width — `%xx` for a UTF-16 code
 * unit below 0x100, `%uxxxx` above — so an escape never reads as the start of another. An id
 * whose escaped form is longer than 120 characters keeps its first 80 and then `%h` and 128
 * bits of its SHA-256 (the escaper never writes `%h`), instead of being cut: two long ids with a
 * common start stay two sessions.
 */
export function keySegment(id: string): string {
  const escaped = id.replace(/[^A-Za-z0-9._@+=-]/g, (c) => {
    const u = c.charCodeAt(0);
    return u < 0x100 ? `%${u.toString(16).padStart(2, "0")}` : `%u${u.toString(16).padStart(4, "0")}`;
  });
  if (escaped.length <= SEGMENT_MAX) return escaped;
  const digest = createHash("sha256").update(id, "utf16le").digest("hex").slice(0, 32);
  return `${escaped.slice(0, SEGMENT_KEEP)}%h${digest}`;
}
const segment = keySegment;

/** A sender's own DM session: one per channel and sender, never the main session. */
export function senderSessionKey(agentId: string, channel: string, peer: string): string {
  return `agent:${agentId}:${segment(channel)}:direct:${segment(peer)}`;
}

/**
 * The session a DM lands in. Under "per-sender" only the owner reaches the main session
 * (their history, unsandboxed under sandbox.mode "non-main"); everyone else gets their
 * own session and never sees the owner's or another sender's history.
 */
export function directSessionKey(agentId: string, scope: DmScope, channel: string, peer: string, owner: boolean): string {
  if (scope === "main") return mainSessionKey(agentId);
  return owner ? mainSessionKey(agentId) : senderSessionKey(agentId, channel, peer);
}

/**
 * What an approved DM sender gets, in one sentence for the operator (`pairing approve`,
 * the RPC and the Control UI): which session their DMs go to and whether it is shared.
 */
export function dmSessionNotice(agentId: string, scope: DmScope, channel: string, peer: string, owner: boolean): { sessionKey: string; shared: boolean; message: string } {
  const sessionKey = directSessionKey(agentId, scope, channel, peer, owner);
  if (owner) return { sessionKey, shared: false, message: `As the owner, their DMs go to your main session (${sessionKey}).` };
  if (scope === "main") {
    return {
      sessionKey,
      shared: true,
      message: `Warning: session.dmScope is "main", so their DMs go to your main session (${sessionKey}): they see your conversation history and run unsandboxed; set session.dmScope "per-sender" to give them their own session.`,
    };
  }
  return { sessionKey, shared: false, message: `Their DMs go to a session of their own (${sessionKey}), separate from your history and sandboxed under sandbox.mode "non-main".` };
}

export function groupSessionKey(agentId: string, channel: string, groupId: string): string {
  return `agent:${agentId}:${segment(channel)}:group:${segment(groupId)}`;
}

export interface ParsedSessionKey {
  agentId: string;
  rest: string;
  main: boolean;
}

export function parseSessionKey(key: string): ParsedSessionKey | undefined {
  const m = KEY.exec(key);
  if (!m || key.includes("::") || key.endsWith(":")) return undefined;
  return { agentId: m[1]!, rest: m[2]!, main: m[2] === "main" };
}

export function isAgentId(id: string): boolean {
  return AGENT_ID.test(id);
}

/** A scheduled job's own session (docs/cron.md): never the main session, so `non-main` sandboxes it. */
export function cronSessionKey(agentId: string, jobId: string): string {
  return `agent:${agentId}:cron:${segment(jobId)}`;
}

/** The heartbeat's session for an agent (docs/cron.md "Heartbeat"). */
export function heartbeatSessionKey(agentId: string): string {
  return `agent:${agentId}:heartbeat`;
}
