// Scheduled jobs' boundaries (docs/cron.md), as pure decisions: whether a job may run at
// all (a job the agent created waits for the owner's approval), and whom a job's reply may
// be delivered to — only the channel's owner, or a sender/group the channel's access rules
// already admit (security/channel-access.ts decideAccess), so a job never widens who hears
// the assistant. The scheduler asks these when a job is added and again at every delivery.
import { decideAccess, type AccessState, type ChannelConfig } from "./channel-access.js";
import { channelOwners, type RunOrigin } from "./principal.js";

export interface DeliveryTarget {
  channel: string;
  /** The sender id (DM) or group/chat id to send to. */
  peer: string;
  /** "direct" (default) or "group". */
  chat?: "direct" | "group";
}

export type DeliveryDecision =
  | { allowed: true; owner: boolean }
  | { allowed: false; reason: string };

/**
 * May a job's reply go to `target`? DMs: a sender decideAccess would let talk to the
 * assistant right now (the owner, pairing-approved, allowFrom, or an open channel).
 * Groups: only a group in which decideAccess admits the channel's owner @-mentioning the
 * bot — a group the owner already uses the assistant in; with no known owner, no group.
 */
export function deliveryDecision(target: DeliveryTarget, cfg: ChannelConfig | undefined, state: AccessState): DeliveryDecision {
  if (!cfg) return { allowed: false, reason: `channel "${target.channel}" is not configured` };
  if (!cfg.enabled) return { allowed: false, reason: `channel "${target.channel}" is not enabled` };
  if (!target.peer) return { allowed: false, reason: "no recipient given" };
  if ((target.chat ?? "direct") === "direct") {
    // Exactly the inbound rule: whoever could DM the assistant now may hear from a job, no one else.
    const d = decideAccess({ sender: { id: target.peer }, chat: { type: "direct", id: target.peer }, mentioned: true }, cfg, state);
    if (d.action === "process") return { allowed: true, owner: d.owner };
    return { allowed: false, reason: `${target.channel} sender ${target.peer} is not admitted by the channel's access rules (${d.action === "pair" ? "not paired" : d.reason})` };
  }
  const owners = channelOwners(cfg, state.approvedOwners);
  if (owners.length === 0) return { allowed: false, reason: `${target.channel} has no owner, so no group is known to be the owner's` };
  for (const owner of owners) {
    const d = decideAccess({ sender: { id: owner }, chat: { type: "group", id: target.peer }, mentioned: true }, cfg, state);
    if (d.action === "process") return { allowed: true, owner: false };
  }
  return { allowed: false, reason: `${target.channel} group ${target.peer} is not admitted by the channel's group rules` };
}

export type JobApproval = "approved" | "pending";

/** A job runs only when enabled and approved: a pending (agent-created) job never runs, not even by `run now`. */
export function jobMayRun(job: { enabled: boolean; approval: JobApproval }): { ok: true } | { ok: false; reason: string } {
  if (job.approval !== "approved") return { ok: false, reason: "it waits for the owner's approval (simpleclaw cron approve <id>)" };
  if (!job.enabled) return { ok: false, reason: "it is disabled" };
  return { ok: true };
}

/**
 * Who approves a job when it is created: the operator's own jobs (CLI, Control UI) are
 * approved; a job the agent created through its `cron` tool is pending, whoever was talking.
 */
export function initialApproval(createdBy: "operator" | "agent"): JobApproval {
  return createdBy === "operator" ? "approved" : "pending";
}

/** Jobs the agent may have waiting for approval at once (a prompt-injected model cannot bury the owner in proposals). */
export const MAX_PENDING_AGENT_JOBS = 20;

/**
 * May the agent propose one more job? At most MAX_PENDING_AGENT_JOBS wait at once, counted
 * over everyone's proposals — except that the owner's own requests count only against the
 * jobs pending from the owner's same conversation: other senders (a stranger on an open
 * channel, any approved guest) filling the queue cannot stop the owner's "remind me".
 */
export function agentMayPropose(pending: { total: number; fromThisSession: number }, askedByOwner: boolean): { ok: true } | { ok: false; reason: string } {
  const count = askedByOwner ? pending.fromThisSession : pending.total;
  if (count < MAX_PENDING_AGENT_JOBS) return { ok: true };
  return { ok: false, reason: `${MAX_PENDING_AGENT_JOBS} jobs already wait for the owner's approval${askedByOwner ? " from this conversation" : ""}; no more can be proposed until some are approved or rejected.` };
}

/**
 * Where an agent-created job may deliver: back to the chat sender who asked (their DM), or
 * nowhere for operator-started runs (the reply stays in the job's session and the clients).
 * The model cannot name a recipient, so it cannot point a job at anyone new.
 */
export function agentJobDelivery(origin: RunOrigin): DeliveryTarget | undefined {
  return origin.kind === "channel" ? { channel: origin.channel, peer: origin.peer, chat: "direct" } : undefined;
}
