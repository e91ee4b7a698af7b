// Session keys name a transcript: `agent:<agentId>:main` for the owner, and
// direct/group keys for channel traffic (session.dmScope decides how DMs split).
// Keys only route messages to a transcript; they never grant anything.

export type DmScope = "main" | "per-peer" | "per-channel-peer";

const AGENT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const KEY = /^agent:([a-z0-9][a-z0-9_-]{0,63}):([A-Za-z0-9._@+=%-][A-Za-z0-9:._@+=%-]{0,199})$/;

export function mainSessionKey(agentId: string): string {
  return `agent:${agentId}:main`;
}

/** Characters outside the key alphabet in a channel's peer/group id are escaped, so ids cannot forge key segments. */
function segment(id: string): string {
  return id.replace(/[^A-Za-z0-9._@+=-]/g, (c) => `%${c.codePointAt(0)!.toString(16)}`).slice(0, 120);
}

export function directSessionKey(agentId: string, scope: DmScope, channel: string, peer: string): string {
  if (scope === "main") return mainSessionKey(agentId);
  if (scope === "per-peer") return `agent:${agentId}:direct:${segment(peer)}`;
  return `agent:${agentId}:${segment(channel)}:direct:${segment(peer)}`;
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
