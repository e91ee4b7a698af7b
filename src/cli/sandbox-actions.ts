// Implementations of `simpleclaw sandbox …` (lazy-loaded).
import { mainSessionKey, parseSessionKey } from "../security/session-scope.js";
import { defaultAgent, findAgent, workspacePath } from "../agents/workspace.js";
import { loadConfig } from "../config/io.js";
import { EXIT, UserError } from "../infra/errors.js";
import { realpathSync } from "node:fs";
import { explainSandbox, ownerMounts, selectBackend } from "../sandbox/backend.js";
import type { OwnerMounts } from "../sandbox/bwrap.js";
import { isMainSession } from "../security/owner-files.js";
import { effectiveSandbox } from "../security/sandbox-scope.js";

export async function sandboxExplain(opts: { agent?: string; session?: string; json?: boolean }): Promise<void> {
  const { config } = loadConfig();
  let key = opts.session;
  let agentId = opts.agent;
  if (key) {
    const parsed = parseSessionKey(key);
    if (!parsed) throw new UserError(`"${key}" is not a session key (agent:<agentId>:…).`, EXIT.usage);
    if (agentId && agentId !== parsed.agentId) throw new UserError(`--session belongs to agent ${parsed.agentId}, not ${agentId}.`, EXIT.usage);
    agentId = parsed.agentId;
  }
  const agent = agentId ? findAgent(config, agentId) : defaultAgent(config);
  if (!agent) throw new UserError(`agent "${agentId}" is not in agents.list.`);
  key ??= mainSessionKey(agent.id);
  const sandbox = effectiveSandbox(config, agent, key);
  const backend = await selectBackend(sandbox.backend);
  const workspace = workspacePath(config, agent, process.env);
  // A session other than the main session gets the owner's existing files covered (docs/exec.md).
  let owner: OwnerMounts | undefined;
  if (sandbox.required && sandbox.workspaceAccess !== "none" && !isMainSession(key)) {
    const real = (() => {
      try {
        return realpathSync(workspace);
      } catch {
        return undefined;
      }
    })();
    if (real) owner = ownerMounts(real);
  }
  const e = explainSandbox({ sandbox, backend, workspace, ...(owner ? { owner } : {}) });
  if (opts.json) return void process.stdout.write(`${JSON.stringify({ sessionKey: key, agentId: agent.id, workspace, ...e }, null, 2)}\n`);
  const lines = [
    `session: ${key} (agent ${agent.id})`,
    `mode: ${e.mode} → ${e.required ? "sandboxed" : "not sandboxed"}`,
    `backend: ${e.backend}${sandbox.backend !== "auto" ? ` (configured: ${sandbox.backend})` : " (auto)"}`,
    `network: ${e.required ? (e.network ? "on" : "off") : "host network"}`,
    `workspace: ${workspace} (${e.workspaceAccess})`,
  ];
  if (e.reason) lines.push(`note: ${e.reason}`);
  if (e.mounts.length) {
    lines.push("mounts:");
    for (const m of e.mounts) lines.push(`  ${m.path}  ${m.access}${"source" in m && m.source && m.source !== m.path ? `  ← ${m.source}` : ""}`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

export async function sandboxList(opts: { json?: boolean }): Promise<void> {
  const { config } = loadConfig();
  const rows = [];
  for (const agent of config.agents.list) {
    const main = effectiveSandbox(config, agent, mainSessionKey(agent.id));
    const other = effectiveSandbox(config, agent, `agent:${agent.id}:direct:someone`);
    const backend = await selectBackend(main.backend);
    rows.push({
      agentId: agent.id,
      mode: main.mode,
      mainSessionSandboxed: main.required,
      otherSessionsSandboxed: other.required,
      backend: backend.name,
      ...(backend.name === "none" ? { reason: backend.reason } : {}),
      workspaceAccess: main.workspaceAccess,
      network: main.network,
    });
  }
  if (opts.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  for (const r of rows) {
    process.stdout.write(
      `${r.agentId}: mode ${r.mode} (main session ${r.mainSessionSandboxed ? "sandboxed" : "on host"}, other sessions ${r.otherSessionsSandboxed ? "sandboxed" : "on host"}), backend ${r.backend}${r.reason ? ` — ${r.reason}` : ""}, workspace ${r.workspaceAccess}, network ${r.network ? "on" : "off"}\n`,
    );
  }
}
