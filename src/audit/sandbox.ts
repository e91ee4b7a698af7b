// Audit family "sandbox": is the sandbox on where strangers can reach the agent, can
// it actually start on this machine, and does its configuration keep the host out
// (network, bind mounts).
import { agentTools, channelExposure, rawAt } from "./exposure.js";
import { finding, type AuditInput, type CheckDef, type CheckFamily, type Finding } from "./types.js";
import { dangerousMount } from "../security/sandbox-scope.js";

export { dangerousMount };

const c = {
  offOpen: {
    id: "sandbox.off_with_open_access",
    severity: ["critical"],
    fixable: false,
    title: "Sandbox is off while a channel is open to anyone",
    meaning: "The agent that answers chat messages has sandbox.mode \"off\" while a channel's dmPolicy or groupPolicy is \"open\": every stranger's session runs its tools directly on the host.",
    remedy: "`simpleclaw config set agents.defaults.sandbox.mode non-main` (or \"all\"), or close the open policy.",
  },
  unavailable: {
    id: "sandbox.unavailable",
    severity: ["critical"],
    fixable: false,
    title: "Sandbox required but no backend works here",
    meaning: "Some sessions must run sandboxed, but neither bubblewrap nor a Docker engine is usable on this machine. Their exec and file tools refuse to run (they never fall back to the host), so the setup is broken rather than open.",
    remedy: "Install bubblewrap (`apt install bubblewrap`) or start Docker; `simpleclaw sandbox list` shows what each agent gets.",
  },
  dockerOff: {
    id: "sandbox.docker_config_mode_off",
    severity: ["warn"],
    fixable: false,
    title: "Docker sandbox configured but the sandbox is off",
    meaning: "A sandbox backend or Docker settings are configured for an agent whose sandbox.mode is \"off\": nothing runs in Docker, every session runs on the host.",
    remedy: "Set sandbox.mode to \"non-main\" or \"all\" for that agent, or remove the unused Docker settings.",
  },
  network: {
    id: "sandbox.network_enabled",
    severity: ["warn"],
    fixable: false,
    title: "Sandboxed commands have network access",
    meaning: "sandbox.network is true: sandboxed commands share the host's network, can reach services on localhost (including the gateway) and the LAN, and can exfiltrate workspace data.",
    remedy: "`simpleclaw config unset agents.defaults.sandbox.network` (and any per-agent sandbox.network).",
  },
  dangerousBind: {
    id: "sandbox.dangerous_bind_mount",
    severity: ["critical"],
    fixable: false,
    title: "Sandbox mounts a sensitive host path",
    meaning: "A sandbox bind mount or workspace exposes a system directory, the home directory, the SimpleClaw state dir or the Docker socket to sandboxed commands, which defeats the sandbox.",
    remedy: "Remove the bind (or move the workspace) so that only a project directory is shared with the sandbox.",
  },
} satisfies Record<string, CheckDef>;

export const sandboxChecks: readonly CheckDef[] = Object.values(c);

/** Bind mounts written in the raw config (a Docker-style feature; read defensively). */
export function rawBinds(raw: unknown): Array<{ key: string; source: string }> {
  const out: Array<{ key: string; source: string }> = [];
  const scan = (sandbox: unknown, key: string) => {
    for (const sub of [["binds"], ["docker", "binds"]]) {
      const list = rawAt(sandbox, sub);
      if (!Array.isArray(list)) continue;
      list.forEach((b, i) => {
        let src: unknown = b;
        if (b && typeof b === "object") src = (b as Record<string, unknown>).source ?? (b as Record<string, unknown>).host ?? (b as Record<string, unknown>).src;
        if (typeof src !== "string") return;
        // "host:container[:mode]"
        const source = b === src && src.includes(":") ? src.split(":")[0]! : src;
        out.push({ key: `${key}.${sub.join(".")}[${i}]`, source });
      });
    }
  };
  scan(rawAt(raw, ["agents", "defaults", "sandbox"]), "agents.defaults.sandbox");
  const list = rawAt(raw, ["agents", "list"]);
  if (Array.isArray(list)) list.forEach((a, i) => scan(rawAt(a, ["sandbox"]), `agents.list[${i}].sandbox`));
  return out;
}

export function auditSandbox(input: AuditInput): Finding[] {
  const { config } = input;
  const out: Finding[] = [];
  const exp = channelExposure(input);
  const open = [...new Set([...exp.openDm, ...exp.openGroup])];
  if (exp.mode === "off" && open.length) {
    out.push(
      finding(c.offOpen, {
        detail: `Agent ${exp.agentId} has sandbox.mode "off" while ${open.join(", ")} ${open.length === 1 ? "is" : "are"} open to anyone.`,
        evidence: `sandbox.mode=off; open DM: ${exp.openDm.join(",") || "none"}; open groups: ${exp.openGroup.join(",") || "none"}`,
      }),
    );
  }

  const d = config.agents.defaults.sandbox;
  const unavailable: string[] = [];
  const dockerOff: string[] = [];
  const network: string[] = [];
  const rawDockerDefaults = rawAt(input.raw, ["agents", "defaults", "sandbox", "docker"]) !== undefined;
  config.agents.list.forEach((agent, i) => {
    const o = agent.sandbox ?? {};
    const mode = o.mode ?? d.mode;
    const backend = o.backend ?? d.backend;
    const tools = agentTools(config, agent);
    const usesTools = tools.exec || config.tools.fs.enabled;
    if (mode !== "off") {
      const probe = input.sandboxBackends[backend];
      if (probe?.name === "none" && usesTools) unavailable.push(`${agent.id} (backend ${backend}: ${probe.reason ?? "unavailable"})`);
      if (o.network ?? d.network) network.push(`${agent.id} (${o.network !== undefined ? `agents.list[${i}].sandbox.network` : "agents.defaults.sandbox.network"}=true)`);
    } else {
      const rawDocker = rawAt(input.raw, ["agents", "list", String(i), "sandbox", "docker"]) !== undefined || rawDockerDefaults;
      if (backend === "docker" || rawDocker) dockerOff.push(`${agent.id} (backend ${backend}${rawDocker ? ", docker settings present" : ""})`);
    }
  });
  if (unavailable.length) {
    out.push(
      finding(c.unavailable, {
        detail: `Sandboxed sessions of ${unavailable.map((u) => u.split(" ")[0]).join(", ")} cannot run exec or file tools: no sandbox backend is available.`,
        evidence: unavailable.join("; "),
      }),
    );
  }
  if (dockerOff.length) {
    out.push(finding(c.dockerOff, { detail: `Docker sandboxing is configured but sandbox.mode is "off" for ${dockerOff.map((u) => u.split(" ")[0]).join(", ")}.`, evidence: dockerOff.join("; ") }));
  }
  if (network.length) {
    out.push(finding(c.network, { detail: `Sandboxed commands of ${network.map((u) => u.split(" ")[0]).join(", ")} can use the network.`, evidence: network.join("; ") }));
  }

  const ctx = { home: input.home, stateDir: input.paths.stateDir };
  const bad = rawBinds(input.raw)
    .map((b) => ({ ...b, why: dangerousMount(b.source, ctx) }))
    .filter((b): b is { key: string; source: string; why: string } => !!b.why);
  for (const w of input.workspaces) {
    const p = w.realpath ?? w.path;
    const why = dangerousMount(p, ctx);
    if (why) bad.push({ key: `workspace of agent ${w.agentId}`, source: p, why });
  }
  if (bad.length) {
    out.push(
      finding(c.dangerousBind, {
        detail: bad.map((b) => `${b.key} (${b.source}) exposes ${b.why}`).join("; ") + ".",
        evidence: bad.map((b) => `${b.key}=${b.source}`).join("; "),
      }),
    );
  }
  return out;
}

export const sandboxFamily: CheckFamily = { name: "sandbox", checks: sandboxChecks, run: auditSandbox };
