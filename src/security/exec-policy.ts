// The effective exec approval policy (docs/exec.md, "Approval policy"), pure: the stricter of
// config (tools.exec) and exec-approvals.json, field by field. The exec gate
// (src/security/exec-gate.ts) decides with it.
export type Security = "deny" | "allowlist" | "full";
export type Ask = "off" | "on-miss" | "always";
export type AskFallback = "deny" | "allow";

export interface ExecPolicy {
  security: Security;
  ask: Ask;
  askFallback: AskFallback;
  timeoutSeconds: number;
}

export interface PolicyLayer {
  security?: Security;
  ask?: Ask;
  askFallback?: AskFallback;
  timeoutSeconds?: number;
}

const SECURITY_RANK: Record<Security, number> = { full: 0, allowlist: 1, deny: 2 };
const ASK_RANK: Record<Ask, number> = { off: 0, "on-miss": 1, always: 2 };

/** Stricter of each field across the layers (config, file defaults, file per-agent). */
export function effectivePolicy(base: ExecPolicy, ...layers: Array<PolicyLayer | undefined>): ExecPolicy {
  const out = { ...base };
  for (const l of layers) {
    if (!l) continue;
    if (l.security && SECURITY_RANK[l.security] > SECURITY_RANK[out.security]) out.security = l.security;
    if (l.ask && ASK_RANK[l.ask] > ASK_RANK[out.ask]) out.ask = l.ask;
    if (l.askFallback === "deny") out.askFallback = "deny";
    if (l.timeoutSeconds !== undefined) out.timeoutSeconds = Math.min(out.timeoutSeconds, l.timeoutSeconds);
  }
  return out;
}
