// Audit family "channels": who can reach the agent from chat (dmPolicy, groupPolicy,
// per-group mention gating, how many people share it) and whether strangers land in
// sessions that run exec or write files on the host.
import { channelExposure, channelKeyPath, enabledChannels, powerfulTools } from "./exposure.js";
import { finding, type AuditInput, type CheckDef, type CheckFamily, type Finding, type FixAction } from "./types.js";
import { strangerAccess } from "../security/channel-access.js";

const c = {
  dmOpen: {
    id: "channels.<ch>.dm_policy_open",
    severity: ["critical"],
    fixable: false,
    title: "Anyone can DM the agent",
    meaning: "channels.<ch>.dmPolicy is \"open\": every account on that chat network can talk to the agent and use its tools, without pairing.",
    remedy: "`simpleclaw config set channels.<ch>.dmPolicy pairing` (new senders must be approved with `simpleclaw pairing approve`), or \"allowlist\".",
  },
  groupOpen: {
    id: "channels.<ch>.group_policy_open",
    severity: ["warn", "critical"],
    fixable: true,
    title: "The agent answers in any group",
    meaning: "A stranger in a group nobody listed gets through the channel's access decision: channels.<ch>.groupPolicy is \"open\", or a \"*\" entry in channels.<ch>.groups admits every group (a wildcard is open even under \"allowlist\"). Anyone can add the bot to a group and talk to it there. Critical when group sessions can run exec or write files without a sandbox.",
    remedy: "`simpleclaw config set channels.<ch>.groupPolicy allowlist`, list the groups by id under channels.<ch>.groups and drop or disable the \"*\" entry (`simpleclaw security audit --fix` does both: groupPolicy allowlist and groups.\"*\".allow false).",
  },
  mentionOff: {
    id: "channels.<ch>.group_mention_off",
    severity: ["warn"],
    fixable: false,
    title: "The agent reacts to every message in a group",
    meaning: "A group under channels.<ch>.groups has requireMention false and no per-group allowFrom: every member's message, not only the ones addressed to the bot, drives the agent.",
    remedy: "Set requireMention true for the group, or narrow who may trigger it with the group's allowFrom.",
  },
  multiUser: {
    id: "security.trust_model.multi_user_heuristic",
    severity: ["warn"],
    fixable: false,
    title: "Several people can reach one personal agent",
    meaning: "SimpleClaw is a personal assistant: every sender who reaches an agent acts with the owner's tools and sees what the agent remembers. This config lets more than one person in (several approved senders, groups, or open policies); with session.dmScope \"main\" they even share one conversation.",
    remedy: "Keep the agent to its owner, give other people a separate agent with narrow tools and sandbox.mode \"all\", and keep session.dmScope \"per-sender\" so senders do not share a session.",
  },
  sharedSession: {
    id: "session.dm_scope_shared",
    severity: ["warn", "critical"],
    fixable: true,
    title: "Several people share the owner's session",
    meaning: "session.dmScope is \"main\" and more than one person can DM the agent: every DM lands in the owner's main session, so other senders see the owner's history, their words land in it, and they run unsandboxed under sandbox.mode \"non-main\". Critical when that session runs exec or write-capable file tools on the host.",
    remedy: "`simpleclaw config set session.dmScope per-sender` (the default: the owner keeps the main session, everyone else gets their own), or `simpleclaw security audit --fix`.",
  },
  openRuntime: {
    id: "security.exposure.open_access_with_runtime",
    severity: ["critical"],
    fixable: false,
    title: "Strangers can run commands or write files on the host",
    meaning: "A channel's DM or group policy is \"open\" and the sessions those messages land in run exec or write-capable file tools without a sandbox.",
    remedy: "Close the policy (pairing / allowlist), or set agents.defaults.sandbox.mode \"non-main\" or \"all\" with a working backend, or deny group:runtime and the write tools.",
  },
} satisfies Record<string, CheckDef>;

export const channelsChecks: readonly CheckDef[] = Object.values(c);

/** Distinct people who may reach the channel agent, `Infinity` when a policy is open to all. */
export function reachablePeople(input: Pick<AuditInput, "config" | "approvedSenders">): { count: number; groups: number; channels: string[] } {
  let count = 0;
  let groups = 0;
  const channels: string[] = [];
  for (const [id, ch] of enabledChannels(input.config)) {
    channels.push(id);
    const people = new Set<string>();
    const stranger = strangerAccess(ch);
    if (stranger.dm) count = Infinity;
    if (ch.dmPolicy !== "disabled") {
      for (const p of ch.allowFrom) if (p !== "*") people.add(p);
      for (const p of ch.owners) people.add(p);
      // Approved senders get in under pairing only (allowlist admits exactly allowFrom).
      if (ch.dmPolicy === "pairing" || ch.dmPolicy === "open") for (const p of input.approvedSenders[id]?.ids ?? []) people.add(p);
    }
    if (stranger.group) groups = Infinity;
    else if (ch.groupPolicy !== "disabled") groups += Object.entries(ch.groups).filter(([g, e]) => g !== "*" && e.allow).length;
    count += people.size;
  }
  return { count, groups, channels };
}

export function auditChannels(input: AuditInput): Finding[] {
  const { config } = input;
  const out: Finding[] = [];
  const exp = channelExposure(input);
  const tools = powerfulTools(exp);

  for (const [id, ch] of enabledChannels(config)) {
    if (ch.dmPolicy === "open") {
      out.push(
        finding(c.dmOpen, {
          id: `channels.${id}.dm_policy_open`,
          detail: `${channelKeyPath(id).join(".")}.dmPolicy is "open": any ${id} user can message the agent and use ${tools || "its tools"}${exp.dmSandboxed ? " (inside the sandbox)" : " on the host"}.`,
          evidence: `${channelKeyPath(id).join(".")}.enabled=true, dmPolicy=open, allowFrom=${JSON.stringify(ch.allowFrom.slice(0, 5))}`,
        }),
      );
    }
    if (strangerAccess(ch).group) {
      const severe = !exp.groupSandboxed && (exp.exec || exp.fsWrite);
      const key = channelKeyPath(id).join(".");
      const wildcard = Object.hasOwn(ch.groups, "*") && ch.groups["*"]!.allow;
      const why = ch.groupPolicy === "open" ? `${key}.groupPolicy is "open"` : `${key}.groups has a "*" entry that admits every group`;
      const fixes: FixAction[] = [];
      if (ch.groupPolicy === "open") fixes.push({ kind: "config-set", path: [...channelKeyPath(id), "groupPolicy"], value: "allowlist" });
      if (wildcard) fixes.push({ kind: "config-set", path: [...channelKeyPath(id), "groups", "*", "allow"], value: false });
      out.push(
        finding(c.groupOpen, {
          id: `channels.${id}.group_policy_open`,
          severity: severe ? "critical" : "warn",
          detail: `${why}: the bot answers strangers in any ${id} group it is added to${severe ? `, and group sessions run ${tools} without a sandbox (sandbox.mode ${exp.mode})` : ""}.`,
          evidence: `${key}.groupPolicy=${ch.groupPolicy}; groups["*"]=${wildcard ? "allowed" : "none"}; group sessions sandboxed: ${exp.groupSandboxed ? "yes" : "no"}`,
          fixes,
        }),
      );
    }
    if (ch.groupPolicy !== "disabled") {
      const loud = Object.entries(ch.groups).filter(([, g]) => g.allow && !g.requireMention && g.allowFrom.length === 0);
      if (loud.length) {
        out.push(
          finding(c.mentionOff, {
            id: `channels.${id}.group_mention_off`,
            detail: `In ${loud.length} ${id} group(s) every message triggers the agent: ${loud.map(([g]) => g).join(", ")}.`,
            evidence: loud.map(([g]) => `${channelKeyPath(id).join(".")}.groups.${g}.requireMention=false`).join(", "),
          }),
        );
      }
    }
  }

  const reach = reachablePeople(input);
  if (reach.count > 1 || reach.groups > 0) {
    const who = [
      reach.count === Infinity ? "anyone (an open DM policy)" : reach.count > 1 ? `${reach.count} known senders` : "",
      reach.groups === Infinity ? "any group (an open group policy)" : reach.groups > 0 ? `${reach.groups} allowed group(s)` : "",
    ].filter(Boolean);
    const shared = config.session.dmScope === "main" && reach.count > 1;
    if (shared) {
      const severe = (exp.exec || exp.fsWrite) && !exp.dmSandboxed;
      out.push(
        finding(c.sharedSession, {
          severity: severe ? "critical" : "warn",
          detail: `session.dmScope is "main" and ${reach.count === Infinity ? "anyone (an open DM policy)" : `${reach.count} people`} can DM agent ${exp.agentId}: they all share its main session and its history${severe ? `, which runs ${tools} on the host` : ""}.`,
          evidence: `session.dmScope=main; DM senders: ${reach.count === Infinity ? "unlimited" : reach.count}; sandbox.mode=${exp.mode}`,
          fixes: [{ kind: "config-set", path: ["session", "dmScope"], value: "per-sender" }],
        }),
      );
    }
    out.push(
      finding(c.multiUser, {
        detail: `Agent ${exp.agentId} can be reached by ${who.join(" and ")} on ${reach.channels.join(", ")}${shared ? '; with session.dmScope "main" all DMs share one conversation, so senders can read each other\'s context' : ""}.`,
        evidence: `reachable senders: ${reach.count === Infinity ? "unlimited" : reach.count}; groups: ${reach.groups === Infinity ? "unlimited" : reach.groups}; session.dmScope=${config.session.dmScope}`,
      }),
    );
  }

  const openDmHost = exp.openDm.length > 0 && !exp.dmSandboxed;
  const openGroupHost = exp.openGroup.length > 0 && !exp.groupSandboxed;
  if ((openDmHost || openGroupHost) && (exp.exec || exp.fsWrite)) {
    const which = [openDmHost ? `open DMs on ${exp.openDm.join(", ")}` : "", openGroupHost ? `open groups on ${exp.openGroup.join(", ")}` : ""].filter(Boolean);
    out.push(
      finding(c.openRuntime, {
        detail: `${which.join(" and ")} reach agent ${exp.agentId}, whose sessions there run ${tools} on the host (sandbox.mode ${exp.mode}).`,
        evidence: `open DM: ${exp.openDm.join(",") || "none"}; open groups: ${exp.openGroup.join(",") || "none"}; sandbox.mode=${exp.mode}; exec=${exp.exec}; write tools=${exp.fsWrite}`,
      }),
    );
  }
  return out;
}

export const channelsFamily: CheckFamily = { name: "channels", checks: channelsChecks, run: auditChannels };
