// Who is the owner (docs/security-model.md, docs/channels.md): the one place that says
// whether a run, a chat sender or a pairing approval speaks for the owner. Owner-only
// actions (answering exec approvals from chat, /status, approval prompts sent to a chat)
// ask these functions; nothing else compares owner flags.

/** Who sent the message that started a run. */
export type RunOrigin =
  | { kind: "operator"; client?: string }
  | { kind: "channel"; channel: string; peer: string; owner?: boolean };

/** A run speaks for the owner when an operator client started it or the owner wrote in a chat. */
export function originIsOwner(origin: RunOrigin): boolean {
  return origin.kind === "operator" || origin.owner === true;
}

/** A chat sender is the owner when listed in the channel's `owners` or approved as owner at pairing. */
export function isChannelOwner(senderId: string, channel: { owners: readonly string[] }, approvedOwners: ReadonlySet<string>): boolean {
  return channel.owners.includes(senderId) || approvedOwners.has(senderId);
}

/**
 * Whether a pairing approval may make the sender the channel's owner: only when the operator
 * has named no owners for that channel (then the first approved sender is the owner).
 */
export function approvalMayMakeOwner(channelConfig: { owners: string[] } | undefined): boolean {
  return !channelConfig || channelConfig.owners.length === 0;
}
