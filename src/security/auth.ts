// Gateway authentication: which secret is in force (env beats config), the
// constant-time check of a presented secret, and the failed-attempt limiter keyed by
// client network (all of loopback is one, IPv6 by /64) with a global ceiling in password
// mode (docs/security-model.md). Every WS connect and every protected HTTP route goes
// through `authenticate()` below; nothing else decides who is the operator.
import { createHash, timingSafeEqual } from "node:crypto";
import type { Config } from "../config/schema.js";
import type { Env } from "../config/paths.js";
import { isLoopbackHost, networkKey } from "../net/address.js";

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
  /**
   * Wrong secrets allowed per window from all non-loopback networks together before all of
   * them are locked out for lockoutMs. The gateway sets it in password mode only (a human
   * password is guessable from many addresses; a generated token is not). Loopback keeps
   * its own limit and is not shut out by the global ceiling, so the host stays a way in.
   */
  globalMaxAttempts?: number | undefined;
}

/**
 * Failed-attempt limiter keyed by client network (net/address.ts networkKey: every loopback
 * address is one client, IPv4 by address, IPv6 by /64), so rotating source addresses inside
 * one network does not buy more guesses. Only wrong secrets count; success resets.
 */
export class AuthRateLimiter {
  private failures = new Map<string, number[]>();
  private lockedUntil = new Map<string, number>();
  private globalFailures: number[] = [];
  private globalLockedUntil = 0;

  constructor(
    private policy: RateLimitPolicy,
    private now: () => number = Date.now,
  ) {}

  private exempt(addr: string): boolean {
    return this.policy.exemptLoopback && isLoopbackHost(addr);
  }

  /** Milliseconds until `addr` may try again, or 0 when it is not locked out. */
  retryAfter(addr: string): number {
    const key = networkKey(addr);
    const t = this.now();
    const global = key !== "loopback" && this.globalLockedUntil > t ? this.globalLockedUntil - t : 0;
    const until = this.lockedUntil.get(key);
    if (until === undefined) return global;
    const left = until - t;
    if (left > 0) return Math.max(left, global);
    this.lockedUntil.delete(key);
    return global;
  }

  recordFailure(addr: string): void {
    if (this.exempt(addr)) return;
    const key = networkKey(addr);
    const t = this.now();
    const recent = (this.failures.get(key) ?? []).filter((x) => t - x < this.policy.windowMs);
    recent.push(t);
    if (recent.length >= this.policy.maxAttempts) {
      this.lockedUntil.set(key, t + this.policy.lockoutMs);
      this.failures.delete(key);
    } else {
      this.failures.set(key, recent);
    }
    const ceiling = this.policy.globalMaxAttempts;
    if (ceiling !== undefined && key !== "loopback") {
      this.globalFailures = this.globalFailures.filter((x) => t - x < this.policy.windowMs);
      this.globalFailures.push(t);
      if (this.globalFailures.length >= ceiling) {
        this.globalLockedUntil = t + this.policy.lockoutMs;
        this.globalFailures = [];
      }
    }
    if (this.failures.size > 10_000) this.prune(t);
  }

  recordSuccess(addr: string): void {
    this.failures.delete(networkKey(addr));
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
      message: `too many failed attempts from this network; retry in ${Math.ceil(wait / 1000)} s.`,
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
