// Which sessions must run sandboxed (docs/exec.md): `off` none, `all` every session,
// `non-main` every session except an agent's main (owner) session.
import { parseSessionKey } from "./session-scope.js";
import type { Config } from "../config/schema.js";

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
