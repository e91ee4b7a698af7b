// Who may reach the agent through a chat channel (docs/channels.md), as one pure decision:
// DMs by dmPolicy (pairing: allowFrom + approved senders; allowlist: exactly allowFrom;
// open; disabled),
// groups by groupPolicy, the per-group entry and mention gating. The channel manager
// calls it for every inbound message before anything else happens.
import type { Config } from "../config/schema.js";
import { isChannelOwner } from "./principal.js";

import type { ChannelConfig } from "../config/channels.js";

export type { ChannelConfig };

/** What the access decision looks at in an inbound chat message (channels/types.ts InboundMessage has it). */
export interface AccessMessage {
  sender: { id: string; name?: string | undefined; isBot?: boolean | undefined };
  chat: { type: "direct" | "group"; id: string };
  /** The bot was @-mentioned, or the message replies to one of the bot's messages. */
  mentioned: boolean;
}

export type AccessDecision =
  | { action: "process"; owner: boolean }
  | { action: "pair" }
  | { action: "drop"; reason: string };

export interface AccessState {
  /** Sender ids approved through pairing (credentials/<channel>-allowFrom.json). */
  approved: ReadonlySet<string>;
  /** Approved senders marked as owner there (the first approved pairing). */
  approvedOwners: ReadonlySet<string>;
}

export function decideAccess(msg: AccessMessage, cfg: ChannelConfig, state: AccessState): AccessDecision {
  const sender = msg.sender.id;
  if (msg.sender.isBot) return { action: "drop", reason: "message from a bot" };
  const owner = isChannelOwner(sender, cfg, state.approvedOwners);
  const known = owner || cfg.allowFrom.includes(sender) || state.approved.has(sender);

  if (msg.chat.type === "direct") {
    switch (cfg.dmPolicy) {
      case "disabled":
        return { action: "drop", reason: "DMs are disabled (dmPolicy: disabled)" };
      case "open":
        // Schema guarantees "*" is in allowFrom for open.
        return { action: "process", owner };
      case "allowlist":
        // Exactly allowFrom (and the configured owners): a pairing approval is not enough here.
        return cfg.allowFrom.includes(sender) || cfg.owners.includes(sender)
          ? { action: "process", owner }
          : { action: "drop", reason: "sender is not in allowFrom (dmPolicy: allowlist)" };
      case "pairing":
        return known ? { action: "process", owner } : { action: "pair" };
    }
    // An unknown policy value admits nobody.
    return { action: "drop", reason: `unknown dmPolicy` };
  }

  // Groups: codes are never posted here, and unknown groups are ignored.
  if (cfg.groupPolicy === "disabled") return { action: "drop", reason: "groups are disabled (groupPolicy: disabled)" };
  const entry = Object.hasOwn(cfg.groups, msg.chat.id) ? cfg.groups[msg.chat.id] : Object.hasOwn(cfg.groups, "*") ? cfg.groups["*"] : undefined;
  if (cfg.groupPolicy === "allowlist" && !entry) return { action: "drop", reason: `group ${msg.chat.id} is not in groups (groupPolicy: allowlist)` };
  if (entry && !entry.allow) return { action: "drop", reason: `group ${msg.chat.id} has allow: false` };
  const groupAllow = entry?.allowFrom ?? [];
  if (groupAllow.length > 0 && !groupAllow.includes("*") && !groupAllow.includes(sender) && !owner) {
    return { action: "drop", reason: `sender is not in this group's allowFrom` };
  }
  const requireMention = entry?.requireMention ?? true;
  if (requireMention && !msg.mentioned) return { action: "drop", reason: "not mentioned (requireMention)" };
  return { action: "process", owner };
}

/** A sender and a group no config or approval names: what a stranger would be. */
const STRANGER: AccessMessage["sender"] = { id: "\u0000audit-stranger" };
const NO_APPROVALS: AccessState = { approved: new Set(), approvedOwners: new Set() };

/**
 * Whether a stranger gets through, asked of `decideAccess` itself (the audit and --fix use
 * this, so "open" means exactly what the channels do): in a DM, and @-mentioning the bot in
 * a group nobody listed.
 */
export function strangerAccess(cfg: ChannelConfig): { dm: boolean; group: boolean } {
  const dm = decideAccess({ sender: STRANGER, chat: { type: "direct", id: STRANGER.id }, mentioned: true }, cfg, NO_APPROVALS);
  const group = decideAccess({ sender: STRANGER, chat: { type: "group", id: "\u0000audit-unlisted-group" }, mentioned: true }, cfg, NO_APPROVALS);
  return { dm: dm.action === "process", group: group.action === "process" };
}
