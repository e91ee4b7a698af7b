// Audit family "tools": settings that widen what the agent's own tools may do —
// elevated (host) exec allowlists, exec without approvals, fs tools outside the workspace.
import { allowlistEntryScope } from "../security/exec-gate.js";
import { channelAgent, channelExposure, enabledChannels, agentTools } from "./exposure.js";
import { finding, type AuditInput, type CheckDef, type CheckFamily, type Finding } from "./types.js";

export const ELEVATED_LARGE = 25;

const c = {
  elevatedWildcard: {
    id: "tools.elevated.allowFrom.<channel>.wildcard",
    severity: ["critical"],
    fixable: false,
    title: "Anyone on a channel may run commands on the host",
    meaning: "tools.elevated is enabled and tools.elevated.allowFrom.<channel> contains \"*\": every sender who reaches the agent on that channel can ask for exec outside the sandbox.",
    remedy: "Replace \"*\" with the exact sender ids that may elevate, or disable tools.elevated.",
  },
  elevatedLarge: {
    id: "tools.elevated.allowFrom.<channel>.large",
    severity: ["warn"],
    fixable: false,
    title: "Long elevated-exec allowlist",
    meaning: `tools.elevated.allowFrom.<channel> lists more than ${ELEVATED_LARGE} senders who may run commands on the host; a list that long is hard to review.`,
    remedy: "Keep only the people who really need host exec.",
  },
  securityFull: {
    id: "tools.exec.security_full_configured",
    severity: ["warn", "critical"],
    fixable: false,
    title: "exec runs any command without approval",
    meaning: "The effective exec policy is security \"full\" (config and exec-approvals.json): every command the model writes runs without an allowlist or a question. Critical when strangers can reach sessions where exec runs unsandboxed.",
    remedy: "`simpleclaw config unset tools.exec.security` (allowlist + ask on-miss), or keep \"full\" only with sandbox.mode \"all\" and closed channels.",
  },
  askOff: {
    id: "tools.exec.ask_off_with_open_access",
    severity: ["warn"],
    fixable: false,
    title: "Nobody reviews commands triggered by open channels",
    meaning: "exec ask is \"off\" while a channel accepts DMs or groups from anyone: commands strangers trigger are decided by the allowlist alone, and nobody is asked.",
    remedy: "Set tools.exec.ask to \"on-miss\" (default), or close the channel's dmPolicy/groupPolicy.",
  },
  fsWorkspaceOff: {
    id: "tools.fs.workspace_only_off",
    severity: ["warn"],
    fixable: false,
    title: "File tools may read and write outside the workspace",
    meaning: "tools.fs.workspaceOnly is false: read/write/edit/list in unsandboxed sessions reach any file the gateway user can (config, credentials, ~/.ssh).",
    remedy: "`simpleclaw config unset tools.fs.workspaceOnly`.",
  },
  patchWorkspaceOff: {
    id: "tools.exec.apply_patch_workspace_only_off",
    severity: ["warn"],
    fixable: false,
    title: "apply_patch may change files outside the workspace",
    meaning: "tools.exec.applyPatch.workspaceOnly is false: a patch can create or modify any file the gateway user can write.",
    remedy: "`simpleclaw config unset tools.exec.applyPatch.workspaceOnly`.",
  },
  allowlistUnprofiled: {
    id: "tools.exec.allowlist_unprofiled",
    severity: ["warn"],
    fixable: false,
    title: "An exec allowlist entry cannot be narrowed to a known program",
    meaning: "An allowlist entry admits open arguments for a pattern whose program the exec gate cannot identify (a glob like /usr/bin/*), so no program profile narrows what its arguments may do (docs/exec.md, \"Profiles\").",
    remedy: "Replace it with entries for the exact programs you mean, or with literal arguments.",
  },
  allowlistInterpreterAny: {
    id: "tools.exec.allowlist_interpreter_any_args",
    severity: ["critical"],
    fixable: false,
    title: "A shell or interpreter is allowlisted with any arguments",
    meaning: "An allowlist entry admits a shell, interpreter, package runner or editor with open arguments. The exec gate admits only --version for it, but the entry says the owner meant to let the model run code.",
    remedy: "Remove the entry, or allowlist the exact script with literal arguments (simpleclaw approvals allowlist add /usr/bin/python3 --args /path/to/script.py).",
  },
} satisfies Record<string, CheckDef>;

export const toolsChecks: readonly CheckDef[] = Object.values(c);

const SECURITY_RANK: Record<string, number> = { deny: 2, allowlist: 1, full: 0 };
const ASK_RANK: Record<string, number> = { always: 2, "on-miss": 1, off: 0 };

/** The stricter of the given layers (docs/exec.md), ignoring unknown / missing values. */
function strictest(rank: Record<string, number>, values: Array<string | undefined>): string {
  let best: string | undefined;
  for (const v of values) if (v !== undefined && v in rank && (best === undefined || rank[v]! > rank[best]!)) best = v;
  return best!;
}

export function auditTools(input: AuditInput): Finding[] {
  const { config } = input;
  const out: Finding[] = [];
  const el = config.tools.elevated;
  if (el.enabled) {
    for (const [channel, list] of Object.entries(el.allowFrom)) {
      if (list.includes("*")) {
        out.push(
          finding(c.elevatedWildcard, {
            id: `tools.elevated.allowFrom.${channel}.wildcard`,
            detail: `tools.elevated.allowFrom.${channel} contains "*": any ${channel} sender the agent answers can run commands on the host.`,
            evidence: `tools.elevated.enabled=true, tools.elevated.allowFrom.${channel}=${JSON.stringify(list.length > 5 ? [...list.slice(0, 5), "…"] : list)}`,
          }),
        );
      } else if (list.length > ELEVATED_LARGE) {
        out.push(
          finding(c.elevatedLarge, {
            id: `tools.elevated.allowFrom.${channel}.large`,
            detail: `tools.elevated.allowFrom.${channel} lists ${list.length} senders (more than ${ELEVATED_LARGE}).`,
            evidence: `tools.elevated.allowFrom.${channel}: ${list.length} entries`,
          }),
        );
      }
    }
  }

  const agent = channelAgent(config);
  const tools = agentTools(config, agent);
  const exposure = channelExposure(input);
  const file = input.execApprovals;
  const agentLayer = file && Object.hasOwn(file.agents, agent.id) ? file.agents[agent.id] : undefined;
  const security = strictest(SECURITY_RANK, [config.tools.exec.security, file?.defaults.security, agentLayer?.security]);
  const ask = strictest(ASK_RANK, [config.tools.exec.ask, file?.defaults.ask, agentLayer?.ask]);
  const open = [...new Set([...exposure.openDm, ...exposure.openGroup])];

  if (tools.exec && security === "full") {
    const unsandboxedOpen =
      (exposure.openDm.length > 0 && !exposure.dmSandboxed) || (exposure.openGroup.length > 0 && !exposure.groupSandboxed);
    const channelsOn = enabledChannels(config).length > 0;
    const severe = unsandboxedOpen || (exposure.mode === "off" && channelsOn);
    out.push(
      finding(c.securityFull, {
        severity: severe ? "critical" : "warn",
        detail: `Every exec command of agent ${agent.id} runs without an allowlist or approval${severe ? (unsandboxedOpen ? `, and ${open.join(", ")} let strangers reach sessions that run unsandboxed` : ", the sandbox is off and chat channels are enabled") : ""}.`,
        evidence: `tools.exec.security=${config.tools.exec.security}${file ? `, exec-approvals.json defaults.security=${file.defaults.security ?? "(unset)"}` : ""}; effective=full; sandbox.mode=${exposure.mode}`,
      }),
    );
  }
  if (tools.exec && ask === "off" && open.length > 0) {
    out.push(
      finding(c.askOff, {
        detail: `exec never asks for approval (ask "off") while ${open.join(", ")} ${open.length === 1 ? "is" : "are"} open to anyone.`,
        evidence: `effective ask=off; open DM: ${exposure.openDm.join(",") || "none"}; open groups: ${exposure.openGroup.join(",") || "none"}`,
      }),
    );
  }
  for (const [agentId, a] of Object.entries(file?.agents ?? {})) {
    for (const e of a.allowlist ?? []) {
      const scope = allowlistEntryScope(e);
      if (scope === "interpreter") {
        out.push(finding(c.allowlistInterpreterAny, { detail: `Agent ${agentId}'s allowlist entry ${e.id} admits ${e.pattern} (a shell or interpreter) with open arguments.`, evidence: `${e.pattern} ${e.args ? JSON.stringify(e.args) : "(any args)"}` }));
      } else if (scope === "unidentified") {
        out.push(finding(c.allowlistUnprofiled, { detail: `Agent ${agentId}'s allowlist entry ${e.id} admits ${e.pattern} with open arguments, and no program profile can narrow it.`, evidence: `${e.pattern} ${e.args ? JSON.stringify(e.args) : "(any args)"}` }));
      }
    }
  }
  if (config.tools.fs.enabled && !config.tools.fs.workspaceOnly) {
    out.push(finding(c.fsWorkspaceOff, { detail: "File tools in unsandboxed sessions are not confined to the workspace.", evidence: "tools.fs.workspaceOnly=false" }));
  }
  if (!config.tools.exec.applyPatch.workspaceOnly && config.tools.fs.enabled && config.tools.apply_patch?.enabled !== false) {
    out.push(finding(c.patchWorkspaceOff, { detail: "apply_patch in unsandboxed sessions is not confined to the workspace.", evidence: "tools.exec.applyPatch.workspaceOnly=false" }));
  }
  return out;
}

export const toolsFamily: CheckFamily = { name: "tools", checks: toolsChecks, run: auditTools };
