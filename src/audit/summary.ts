// Audit family "summary": one info line describing the attack surface as configured —
// who can reach the gateway and the agent, and what the agent can do when reached.
import { agentTools, channelExposure, enabledChannels, gatewayReach } from "./exposure.js";
import { finding, type AuditInput, type CheckDef, type CheckFamily, type Finding } from "./types.js";

const surface = {
  id: "summary.attack_surface",
  severity: ["info"],
  fixable: false,
  title: "Attack surface",
  meaning: "A one-line overview of what is exposed: the gateway's bind and auth, the enabled channels and their policies, the tools on, the sandbox mode and the plugins on disk.",
  remedy: "Nothing to fix; read it to check it matches what you meant to run.",
} satisfies CheckDef;

export const summaryChecks: readonly CheckDef[] = [surface];

export function auditSummary(input: AuditInput): Finding[] {
  const { config } = input;
  const reach = gatewayReach(config, input.env);
  const exp = channelExposure(input);
  const agent = config.agents.list.find((a) => a.id === exp.agentId)!;
  const t = agentTools(config, agent);
  const on = [t.exec ? "exec" : "", config.tools.fs.enabled ? (t.fsWrite ? "fs (read/write)" : "fs (read)") : "", config.tools.http.enabled ? "http" : "", config.tools.browser.enabled ? "browser" : "", config.tools.elevated.enabled ? "elevated" : ""].filter(Boolean);
  const channels = enabledChannels(config).map(([id, ch]) => `${id} (dm ${ch.dmPolicy}, groups ${ch.groupPolicy})`);
  const parts = [
    `gateway ${reach.bind}${config.gateway.tailscale.mode !== "off" ? ` + tailscale ${config.gateway.tailscale.mode}` : ""}, auth ${reach.auth.mode}, tls ${config.gateway.tls.enabled ? "on" : "off"}`,
    `channels: ${channels.join(", ") || "none"}`,
    `tools: ${on.join(", ") || "none"}`,
    `sandbox: ${exp.mode}`,
    `plugins: ${input.plugins.length}`,
  ];
  return [finding(surface, { detail: parts.join("; ") + ".", evidence: parts.join("; ") })];
}

export const summaryFamily: CheckFamily = { name: "summary", checks: summaryChecks, run: auditSummary };
