import { describe, expect, it } from "vitest";
import { configSchema } from "../config/schema.js";
import type { AccessState, ChannelConfig } from "./channel-access.js";
import { agentJobDelivery, agentMayPropose, deliveryDecision, initialApproval, jobMayRun, MAX_PENDING_AGENT_JOBS } from "./cron-policy.js";
import { approvalAskableInChat, originIsOwner, originMayManageJobs, originMayScheduleJobs } from "./principal.js";

const none: AccessState = { approved: new Set(), approvedOwners: new Set() };
const ch = (c: Record<string, unknown> = {}): ChannelConfig => configSchema.parse({ channels: { telegram: { enabled: true, ...c } } }).channels.telegram!;
const dm = (peer: string) => ({ channel: "telegram", peer });
const grp = (peer: string) => ({ channel: "telegram", peer, chat: "group" as const });

describe("job delivery: only whom the channel already admits", () => {
  it("attack: a stranger's DM is refused under pairing; control: the owner and an approved sender are admitted", () => {
    expect(deliveryDecision(dm("666"), ch({ owners: ["1"] }), none)).toMatchObject({ allowed: false, reason: expect.stringMatching(/not paired/) });
    expect(deliveryDecision(dm("1"), ch({ owners: ["1"] }), none)).toEqual({ allowed: true, owner: true });
    expect(deliveryDecision(dm("2"), ch(), { approved: new Set(["2"]), approvedOwners: new Set(["2"]) })).toEqual({ allowed: true, owner: true });
    expect(deliveryDecision(dm("3"), ch(), { approved: new Set(["3"]), approvedOwners: new Set() })).toEqual({ allowed: true, owner: false });
  });

  it("attack: a pairing-made owner is not the owner once owners are configured (a job's DM to them is not the owner's); control: the configured owner is", () => {
    const earlier: AccessState = { approved: new Set(["7"]), approvedOwners: new Set(["7"]) };
    const c = ch({ owners: ["1"] });
    expect(deliveryDecision(dm("7"), c, earlier)).toEqual({ allowed: true, owner: false });
    expect(deliveryDecision(dm("1"), c, earlier)).toEqual({ allowed: true, owner: true });
  });

  it("allowlist admits exactly allowFrom and the configured owners, as for inbound messages", () => {
    const approved: AccessState = { approved: new Set(["7"]), approvedOwners: new Set(["7"]) };
    expect(deliveryDecision(dm("7"), ch({ dmPolicy: "allowlist" }), approved).allowed).toBe(false);
    expect(deliveryDecision(dm("7"), ch({ dmPolicy: "allowlist", allowFrom: ["7"] }), approved)).toEqual({ allowed: true, owner: true });
  });

  it("attack: a disabled channel, DMs disabled, an unconfigured channel are refused", () => {
    expect(deliveryDecision(dm("1"), ch({ owners: ["1"], enabled: false }), none).allowed).toBe(false);
    expect(deliveryDecision(dm("1"), ch({ owners: ["1"], dmPolicy: "disabled" }), none).allowed).toBe(false);
    expect(deliveryDecision(dm("1"), undefined, none)).toMatchObject({ allowed: false, reason: expect.stringMatching(/not configured/) });
    expect(deliveryDecision(dm(""), ch({ owners: ["1"] }), none).allowed).toBe(false);
  });

  it("groups: attack: an unlisted group, or any group without a known owner, is refused; control: a listed group the owner uses is admitted", () => {
    const cfg = ch({ owners: ["1"], groups: { "-100": { requireMention: true } } });
    expect(deliveryDecision(grp("-999"), cfg, none).allowed).toBe(false);
    expect(deliveryDecision(grp("-100"), ch({ groups: { "-100": {} } }), none)).toMatchObject({ allowed: false, reason: expect.stringMatching(/no owner/) });
    expect(deliveryDecision(grp("-100"), ch({ owners: ["1"], groups: { "-100": { allow: false } } }), none).allowed).toBe(false);
    expect(deliveryDecision(grp("-100"), ch({ owners: ["1"], groupPolicy: "disabled", groups: { "-100": {} } }), none).allowed).toBe(false);
    expect(deliveryDecision(grp("-100"), cfg, none)).toEqual({ allowed: true, owner: false });
  });

  it("an open DM channel admits anyone — the audit reports such jobs (cron.delivery_non_owner)", () => {
    expect(deliveryDecision(dm("anyone"), ch({ dmPolicy: "open", allowFrom: ["*"] }), none)).toEqual({ allowed: true, owner: false });
  });
});

describe("which jobs run and who they speak for", () => {
  it("attack: a pending (agent-created) job may not run, enabled or not; control: an approved enabled job may", () => {
    expect(jobMayRun({ enabled: true, approval: "pending" }).ok).toBe(false);
    expect(jobMayRun({ enabled: true, approval: "approved" }).ok).toBe(true);
    expect(jobMayRun({ enabled: false, approval: "approved" }).ok).toBe(false);
    expect(initialApproval("agent")).toBe("pending");
    expect(initialApproval("operator")).toBe("approved");
  });

  it("attack: a job's run never speaks for the owner; control: the operator and the owner on chat do", () => {
    expect(originIsOwner({ kind: "job", jobId: "abcd" })).toBe(false);
    expect(originIsOwner({ kind: "operator" })).toBe(true);
    expect(originIsOwner({ kind: "channel", channel: "telegram", peer: "1", owner: true })).toBe(true);
    expect(originIsOwner({ kind: "channel", channel: "telegram", peer: "2" })).toBe(false);
  });

  it("attack: jobs are not managed from a group (the list would reach the group), nor by a job's run or a non-owner; control: the owner's DM and the operator", () => {
    expect(originMayManageJobs({ kind: "channel", channel: "telegram", peer: "1", owner: true, chat: "group" }).ok).toBe(false);
    expect(originMayManageJobs({ kind: "channel", channel: "telegram", peer: "1", owner: true }).ok).toBe(false);
    expect(originMayManageJobs({ kind: "channel", channel: "telegram", peer: "2", chat: "direct" }).ok).toBe(false);
    expect(originMayManageJobs({ kind: "job", jobId: "x", ownerChat: { channel: "telegram", peer: "1" } }).ok).toBe(false);
    expect(originMayManageJobs({ kind: "channel", channel: "telegram", peer: "1", owner: true, chat: "direct" }).ok).toBe(true);
    expect(originMayManageJobs({ kind: "operator" }).ok).toBe(true);
  });

  it("pending cap: a guest is held by everyone's pending total; the owner only by their own conversation's", () => {
    const full = { total: MAX_PENDING_AGENT_JOBS, fromThisSession: 0 };
    expect(agentMayPropose(full, false).ok).toBe(false);
    expect(agentMayPropose(full, true).ok).toBe(true);
    expect(agentMayPropose({ total: MAX_PENDING_AGENT_JOBS, fromThisSession: MAX_PENDING_AGENT_JOBS }, true).ok).toBe(false);
    expect(agentMayPropose({ total: MAX_PENDING_AGENT_JOBS - 1, fromThisSession: 0 }, false).ok).toBe(true);
  });

  it("approvals of a job's run are asked in chat only when it delivers to the owner (the owner answers, never the run)", () => {
    expect(approvalAskableInChat({ kind: "job", jobId: "x", ownerChat: { channel: "telegram", peer: "1" } })).toBe(true);
    expect(originIsOwner({ kind: "job", jobId: "x", ownerChat: { channel: "telegram", peer: "1" } })).toBe(false);
    expect(approvalAskableInChat({ kind: "job", jobId: "x" })).toBe(false);
    expect(approvalAskableInChat({ kind: "channel", channel: "telegram", peer: "1", owner: true })).toBe(true);
    expect(approvalAskableInChat({ kind: "channel", channel: "telegram", peer: "2" })).toBe(false);
    expect(approvalAskableInChat({ kind: "operator" })).toBe(false);
  });

  it("a job cannot schedule jobs; an agent-created job delivers back to whoever asked, never to a recipient the model names", () => {
    expect(originMayScheduleJobs({ kind: "job", jobId: "x" })).toBe(false);
    expect(originMayScheduleJobs({ kind: "operator" })).toBe(true);
    expect(agentJobDelivery({ kind: "channel", channel: "telegram", peer: "42", owner: true })).toEqual({ channel: "telegram", peer: "42", chat: "direct" });
    expect(agentJobDelivery({ kind: "operator" })).toBeUndefined();
  });
});
