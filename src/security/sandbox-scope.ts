// Which sessions must run sandboxed (SPEC.md §9): `off` none, `all` every session,
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
