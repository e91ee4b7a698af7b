// Who is the owner (docs/security-model.md, docs/channels.md): the one place that says
// whether a run, a chat sender or a pairing approval speaks for the owner. Owner-only
// actions (answering exec approvals from chat, /status, approval prompts sent to a chat)
// ask these functions; nothing else compares owner flags.

/**
 * Who sent the message that started a run. `job`: a scheduled job (docs/cron.md) started it
 * on its own schedule — nobody is at the keyboard, so it never speaks for the owner.
 */
export type RunOrigin =
  | { kind: "operator"; client?: string }
  | {
      kind: "channel";
      channel: string;
      peer: string;
      owner?: boolean;
      /** Where the message was written: the sender's DM or a group (the channel manager sets it). */
      chat?: "direct" | "group";
    }
  | {
      kind: "job";
      jobId: string;
      /** Set by the runner when the job delivers to the channel's owner: where its approval prompts go too. */
      ownerChat?: { channel: string; peer: string };
    };

/**
 * A run speaks for the owner when an operator client started it or the owner wrote in a chat.
 * A scheduled job's run does not, even one the owner created or approved: it cannot answer
 * exec approvals, see /status or approve jobs, so a prompt injected into its input gets no
 * owner powers (approvals it needs go to the owner like any other run's).
 */
export function originIsOwner(origin: RunOrigin): boolean {
  if (origin.kind === "operator") return true;
  if (origin.kind === "channel") return origin.owner === true;
  return false;
}

/**
 * Whether the owner can be asked in a chat about this run's exec approvals (besides the
 * operator clients): the owner wrote the message, or the run is a job that delivers to the
 * owner's DM. The owner answers there with /approve; the run itself never can.
 */
export function approvalAskableInChat(origin: RunOrigin): boolean {
  if (origin.kind === "channel") return origin.owner === true;
  return origin.kind === "job" && origin.ownerChat !== undefined;
}

/** Whether a run may create scheduled jobs through the agent's `cron` tool: never from inside a job (no job spawns jobs). */
export function originMayScheduleJobs(origin: RunOrigin): boolean {
  return origin.kind !== "job";
}

/**
 * Whether a run may manage scheduled jobs (/cron list, approve, reject): the operator, or the
 * owner in their own DM. Never a job's run, and not a group, even the owner's message there:
 * the answer lists every job's prompt, recipient and asker to everyone in the group. A
 * channel message that does not say it came from a DM counts as a group (fail closed).
 */
export function originMayManageJobs(origin: RunOrigin): { ok: true } | { ok: false; reason: string } {
  if (!originIsOwner(origin)) return { ok: false, reason: "Only the owner can manage scheduled jobs." };
  if (origin.kind === "channel" && origin.chat !== "direct") return { ok: false, reason: "Scheduled jobs are managed in your direct chat with the assistant, not in a group (the list would show every job's prompt to the group)." };
  return { ok: true };
}

/**
 * The channel's owners: `owners` when the operator named any, or else the senders approved
 * as owner at pairing (the first approval while `owners` was empty). Naming owners ends
 * every pairing-made owner: an owner flag written by an earlier approval never adds to a
 * list the operator wrote.
 */
export function channelOwners(channel: { owners: readonly string[] }, approvedOwners: ReadonlySet<string>): string[] {
  return channel.owners.length > 0 ? [...new Set(channel.owners)] : [...approvedOwners];
}

/** A chat sender is the owner when they are one of `channelOwners`. */
export function isChannelOwner(senderId: string, channel: { owners: readonly string[] }, approvedOwners: ReadonlySet<string>): boolean {
  return channelOwners(channel, approvedOwners).includes(senderId);
}

/**
 * Whether a pairing approval may make the sender the channel's owner: only when the operator
 * has named no owners for that channel (then the first approved sender is the owner).
 */
export function approvalMayMakeOwner(channelConfig: { owners: string[] } | undefined): boolean {
  return !channelConfig || channelConfig.owners.length === 0;
}
