// Which sessions must run sandboxed (SPEC.md §9): `off` none, `all` every session,
// `non-main` every session except an agent's main (owner) session.
import { parseSessionKey } from "../agents/session-key.js";

export type SandboxMode = "off" | "non-main" | "all";

export function sandboxRequired(mode: SandboxMode, sessionKey: string): boolean {
  if (mode === "off") return false;
  if (mode === "all") return true;
  return parseSessionKey(sessionKey)?.main !== true;
}
