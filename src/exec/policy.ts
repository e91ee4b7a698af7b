// The exec approval decision (docs/exec.md), pure: the effective policy is the stricter
// of config (tools.exec) and exec-approvals.json, and a parsed command is run, asked
// about, or denied. There is no other switch: this is the one place that says "run".
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

export type ExecDecision = { kind: "run"; reason: string } | { kind: "ask"; reason: string } | { kind: "deny"; reason: string };

/** `allowlisted`: every simple command matched an allowlist entry; `why` explains a miss. */
export function decideExec(policy: ExecPolicy, allowlisted: boolean, why: string): ExecDecision {
  if (policy.security === "deny") return { kind: "deny", reason: "exec is off: the effective tools.exec.security is deny." };
  if (policy.ask === "always") return { kind: "ask", reason: "every command needs approval (ask: always)." };
  if (policy.security === "full") return { kind: "run", reason: "security is full." };
  if (allowlisted) return { kind: "run", reason: "every command matches the allowlist." };
  if (policy.ask === "off") return { kind: "deny", reason: `not on the allowlist (${why}) and ask is off.` };
  return { kind: "ask", reason: `not on the allowlist: ${why}` };
}
