// Which sessions must run sandboxed (docs/exec.md): `off` none, `all` every session,
// `non-main` every session except an agent's main (owner) session.
import { parseSessionKey } from "./session-scope.js";
import type { Config } from "../config/schema.js";
import { normalize } from "node:path";
import { expandHome } from "../config/paths.js";
import { isInside } from "./fs-containment.js";

export type SandboxMode = "off" | "non-main" | "all";

/** The effective sandbox for one run's session (agents.defaults.sandbox + the agent's override). */
export interface RunSandbox {
  mode: SandboxMode;
  /** Whether this session must run sandboxed. */
  required: boolean;
  backend: "auto" | "bwrap" | "docker";
  workspaceAccess: "rw" | "ro" | "none";
  network: boolean;
}

export function sandboxRequired(mode: SandboxMode, sessionKey: string): boolean {
  if (mode === "off") return false;
  if (mode === "all") return true;
  return parseSessionKey(sessionKey)?.main !== true;
}

/** agents.defaults.sandbox with the agent's own `sandbox` keys on top, decided for one session. */
export function effectiveSandbox(
  config: Config,
  agent: { sandbox?: Partial<Omit<RunSandbox, "required">> | undefined },
  sessionKey: string,
): RunSandbox {
  const d = config.agents.defaults.sandbox;
  const o = agent.sandbox ?? {};
  const mode = o.mode ?? d.mode;
  return {
    mode,
    required: sandboxRequired(mode, sessionKey),
    backend: o.backend ?? d.backend,
    workspaceAccess: o.workspaceAccess ?? d.workspaceAccess,
    network: o.network ?? d.network,
  };
}

/**
 * Whether file access is confined to the workspace for this run: always in a sandboxed
 * session (whatever the setting says), else the named setting (tools.fs.workspaceOnly,
 * tools.exec.applyPatch.workspaceOnly). `setting` names the rule in refusals.
 */
export function workspaceConfinement(sandbox: RunSandbox, configured: { workspaceOnly: boolean; setting: string }): { workspaceOnly: boolean; setting: string } {
  if (sandbox.required) return { workspaceOnly: true, setting: "the session's sandbox" };
  return configured;
}

/**
 * In a sandboxed session, tools get exactly the sandbox's workspace access: "none" means no
 * workspace at all, "ro" no changes. Returns the refusal sentence, or undefined when allowed.
 */
export function workspaceAccessProblem(sandbox: RunSandbox, write: boolean, tool: string): string | undefined {
  if (!sandbox.required) return undefined;
  if (sandbox.workspaceAccess === "none") return `${tool} is unavailable: this session is sandboxed with workspaceAccess "none".`;
  if (write && sandbox.workspaceAccess === "ro")
    return `${tool} cannot change files: this session is sandboxed with a read-only workspace (workspaceAccess "ro").`;
  return undefined;
}

const SYSTEM_DIRS = ["/", "/etc", "/root", "/home", "/proc", "/sys", "/dev", "/run", "/var", "/usr", "/boot", "/bin", "/sbin", "/lib", "/Users"];


/**
 * Why sharing `source` with a sandbox (a bind mount, or an agent workspace) is dangerous, or
 * undefined when it is not. The audit reports it (sandbox.dangerous_bind_mount) and the
 * OpenClaw import refuses to reference such a workspace in place.
 */
export function dangerousMount(source: string, ctx: { home: string; stateDir: string }): string | undefined {
  const p = normalize(expandHome(source, ctx.home)).replace(/\/+$/, "") || "/";
  if (/(^|\/)docker\.sock$/.test(p) || p.endsWith("/containerd.sock") || p.endsWith("/podman.sock")) return "a container engine socket (root on the host)";
  if (SYSTEM_DIRS.includes(p)) return `the system directory ${p}`;
  if (p === normalize(ctx.home)) return "the home directory";
  if (isInside(p, ctx.stateDir)) return "the SimpleClaw state dir (config, credentials, exec approvals)";
  // Inside the state dir only the agent workspaces (workspace, workspace-<id>) are the agent's.
  const state = normalize(ctx.stateDir).replace(/\/+$/, "");
  if (isInside(state, p) && !/^(workspace|workspace-[^/]+)(\/|$)/.test(p.slice(state.length + 1))) return "part of the SimpleClaw state dir (config, credentials, exec approvals)";
  for (const secret of [".ssh", ".gnupg", ".aws", ".config/gcloud", ".kube", ".docker"]) {
    if (isInside(`${ctx.home}/${secret}`, p)) return `secrets under ~/${secret}`;
  }
  return undefined;
}
