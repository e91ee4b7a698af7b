// Gateway authentication: which secret is in force (env beats config), the
// constant-time check of a presented secret, and the per-address failed-attempt
// limiter (docs/security-model.md). Every WS connect and every protected HTTP route goes
// through `authenticate()` below; nothing else decides who is the operator.
import { createHash, timingSafeEqual } from "node:crypto";
import type { Config } from "../config/schema.js";
import type { Env } from "../config/paths.js";
import { isLoopbackHost } from "../net/address.js";

export type AuthMode = "token" | "password" | "none";

export interface ResolvedAuth {
  mode: AuthMode;
  /** The secret in force for `mode` (undefined for `none`, or when none is set yet). */
  secret: string | undefined;
  source: "env" | "config" | "none";
}

export function resolveAuth(config: Config, env: Env = process.env): ResolvedAuth {
  const mode = config.gateway.auth.mode;
  if (mode === "none") return { mode, secret: undefined, source: "none" };
  const envValue = mode === "token" ? env.SIMPLECLAW_GATEWAY_TOKEN : env.SIMPLECLAW_GATEWAY_PASSWORD;
  if (envValue) return { mode, secret: envValue, source: "env" };
  const cfg = mode === "token" ? config.gateway.auth.token : config.gateway.auth.password;
  return cfg ? { mode, secret: cfg, source: "config" } : { mode, secret: undefined, source: "none" };
}

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/** Constant-time equality on equal-length SHA-256 digests (the length of `presented` leaks nothing). */
export function secretsMatch(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

export interface RateLimitPolicy {
  maxAttempts: number;
  windowMs: number;
  lockoutMs: number;
  exemptLoopback: boolean;
}

/** Failed-attempt limiter keyed by client address. Only wrong secrets count; success resets. */
export class AuthRateLimiter {
  private failures = new Map<string, number[]>();
  private lockedUntil = new Map<string, number>();

  constructor(
    private policy: RateLimitPolicy,
    private now: () => number = Date.now,
  ) {}

  private exempt(addr: string): boolean {
    return this.policy.exemptLoopback && isLoopbackHost(addr);
  }

  /** Milliseconds until `addr` may try again, or 0 when it is not locked out. */
  retryAfter(addr: string): number {
    const until = this.lockedUntil.get(addr);
    if (until === undefined) return 0;
    const left = until - this.now();
    if (left > 0) return left;
    this.lockedUntil.delete(addr);
    return 0;
  }

  recordFailure(addr: string): void {
    if (this.exempt(addr)) return;
    const t = this.now();
    const recent = (this.failures.get(addr) ?? []).filter((x) => t - x < this.policy.windowMs);
    recent.push(t);
    if (recent.length >= this.policy.maxAttempts) {
      this.lockedUntil.set(addr, t + this.policy.lockoutMs);
      this.failures.delete(addr);
    } else {
      this.failures.set(addr, recent);
    }
    if (this.failures.size > 10_000) this.prune(t);
  }

  recordSuccess(addr: string): void {
    this.failures.delete(addr);
  }

  private prune(t: number): void {
    for (const [a, list] of this.failures) if (list.every((x) => t - x >= this.policy.windowMs)) this.failures.delete(a);
    for (const [a, until] of this.lockedUntil) if (until <= t) this.lockedUntil.delete(a);
  }
}

export type AuthDecision =
  | { ok: true }
  | { ok: false; code: "UNAUTHORIZED"; message: string }
  | { ok: false; code: "RATE_LIMITED"; message: string; retryAfterMs: number };

/**
 * The one gateway auth decision. `presented` is what the client sent (undefined = nothing).
 * Order matters: a locked-out address is refused before its secret is even looked at.
 */
export function authenticate(
  auth: ResolvedAuth,
  presented: string | undefined,
  addr: string,
  limiter: AuthRateLimiter,
): AuthDecision {
  if (auth.mode === "none") return { ok: true };
  const wait = limiter.retryAfter(addr);
  if (wait > 0) {
    return {
      ok: false,
      code: "RATE_LIMITED",
      message: `too many failed attempts from this address; retry in ${Math.ceil(wait / 1000)} s.`,
      retryAfterMs: wait,
    };
  }
  if (!auth.secret) {
    return { ok: false, code: "UNAUTHORIZED", message: `the gateway has no ${auth.mode} configured, so nobody can sign in.` };
  }
  if (presented === undefined || presented === "") {
    return { ok: false, code: "UNAUTHORIZED", message: `missing gateway ${auth.mode}; pass it with --${auth.mode} or SIMPLECLAW_GATEWAY_${auth.mode.toUpperCase()}.` };
  }
  if (!secretsMatch(presented, auth.secret)) {
    limiter.recordFailure(addr);
    return { ok: false, code: "UNAUTHORIZED", message: `wrong gateway ${auth.mode}.` };
  }
  limiter.recordSuccess(addr);
  return { ok: true };
}
