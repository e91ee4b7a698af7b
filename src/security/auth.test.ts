import { describe, expect, it } from "vitest";
import { validateConfig } from "../config/io.js";
import type { Config } from "../config/schema.js";
import { AuthRateLimiter, authenticate, resolveAuth, secretsMatch, type RateLimitPolicy, type ResolvedAuth } from "./auth.js";

function config(raw: Record<string, unknown>): Config {
  const v = validateConfig(raw);
  if (!v.ok) throw new Error(v.problems.join("; "));
  return v.config;
}

const policy: RateLimitPolicy = { maxAttempts: 3, windowMs: 60_000, lockoutMs: 300_000, exemptLoopback: false };

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe("resolveAuth", () => {
  it("uses the config token when no env is set", () => {
    const a = resolveAuth(config({ gateway: { auth: { token: "cfg-token" } } }), {});
    expect(a).toEqual({ mode: "token", secret: "cfg-token", source: "config" });
  });

  it("env token beats the config token", () => {
    const a = resolveAuth(config({ gateway: { auth: { token: "cfg-token" } } }), { SIMPLECLAW_GATEWAY_TOKEN: "env-token" });
    expect(a).toEqual({ mode: "token", secret: "env-token", source: "env" });
  });

  it("an empty env value does not override the config", () => {
    const a = resolveAuth(config({ gateway: { auth: { token: "cfg-token" } } }), { SIMPLECLAW_GATEWAY_TOKEN: "" });
    expect(a.secret).toBe("cfg-token");
    expect(a.source).toBe("config");
  });

  it("token mode ignores the password env and password config", () => {
    const a = resolveAuth(config({ gateway: { auth: { password: "cfg-password" } } }), { SIMPLECLAW_GATEWAY_PASSWORD: "env-password" });
    expect(a).toEqual({ mode: "token", secret: undefined, source: "none" });
  });

  it("password mode uses the password (env beats config), never the token", () => {
    const cfg = config({ gateway: { auth: { mode: "password", token: "cfg-token", password: "cfg-password" } } });
    expect(resolveAuth(cfg, {})).toEqual({ mode: "password", secret: "cfg-password", source: "config" });
    expect(resolveAuth(cfg, { SIMPLECLAW_GATEWAY_TOKEN: "env-token" }).secret).toBe("cfg-password");
    expect(resolveAuth(cfg, { SIMPLECLAW_GATEWAY_PASSWORD: "env-password" })).toEqual({
      mode: "password",
      secret: "env-password",
      source: "env",
    });
  });

  it("mode none has no secret even when env provides one", () => {
    const a = resolveAuth(config({ gateway: { auth: { mode: "none", token: "x-token" } } }), { SIMPLECLAW_GATEWAY_TOKEN: "env" });
    expect(a).toEqual({ mode: "none", secret: undefined, source: "none" });
  });
});

describe("secretsMatch", () => {
  it("matches equal secrets", () => {
    expect(secretsMatch("s3cret-token", "s3cret-token")).toBe(true);
  });
  it("refuses different secrets of the same length", () => {
    expect(secretsMatch("s3cret-tokeN", "s3cret-token")).toBe(false);
  });
  it("refuses prefixes and extensions (different lengths) without throwing", () => {
    expect(secretsMatch("s3cret", "s3cret-token")).toBe(false);
    expect(secretsMatch("s3cret-token-and-more", "s3cret-token")).toBe(false);
    expect(secretsMatch("x".repeat(100_000), "s3cret-token")).toBe(false);
  });
  it("refuses empty against non-empty in both directions", () => {
    expect(secretsMatch("", "s3cret-token")).toBe(false);
    expect(secretsMatch("s3cret-token", "")).toBe(false);
  });
  it("compares unicode by UTF-8 bytes, not by normalization tricks", () => {
    expect(secretsMatch("päss🔑", "päss🔑")).toBe(true);
    expect(secretsMatch("pa\u0308ss🔑", "päss🔑")).toBe(false); // NFD vs NFC
    expect(secretsMatch("p\u0000ss", "pss")).toBe(false);
  });
});

describe("AuthRateLimiter", () => {
  it("locks an address after maxAttempts failures and reports retryAfterMs", () => {
    const c = clock();
    const rl = new AuthRateLimiter(policy, c.now);
    rl.recordFailure("203.0.113.5");
    rl.recordFailure("203.0.113.5");
    expect(rl.retryAfter("203.0.113.5")).toBe(0);
    rl.recordFailure("203.0.113.5");
    expect(rl.retryAfter("203.0.113.5")).toBe(300_000);
    c.t += 1000;
    expect(rl.retryAfter("203.0.113.5")).toBe(299_000);
  });

  it("lockout expires after lockoutMs", () => {
    const c = clock();
    const rl = new AuthRateLimiter(policy, c.now);
    for (let i = 0; i < 3; i++) rl.recordFailure("a");
    c.t += 299_999;
    expect(rl.retryAfter("a")).toBe(1);
    c.t += 1;
    expect(rl.retryAfter("a")).toBe(0);
    // and the counter starts from zero again
    rl.recordFailure("a");
    expect(rl.retryAfter("a")).toBe(0);
  });

  it("only counts failures inside the window", () => {
    const c = clock();
    const rl = new AuthRateLimiter(policy, c.now);
    rl.recordFailure("a");
    rl.recordFailure("a");
    c.t += 60_000; // both old failures fall out of the window
    rl.recordFailure("a");
    rl.recordFailure("a");
    expect(rl.retryAfter("a")).toBe(0);
    rl.recordFailure("a");
    expect(rl.retryAfter("a")).toBeGreaterThan(0);
  });

  it("success resets the counter", () => {
    const c = clock();
    const rl = new AuthRateLimiter(policy, c.now);
    rl.recordFailure("a");
    rl.recordFailure("a");
    rl.recordSuccess("a");
    rl.recordFailure("a");
    rl.recordFailure("a");
    expect(rl.retryAfter("a")).toBe(0);
  });

  it("keys failures by network: rotating loopback addresses or IPv6 /64 hosts buys no extra guesses", () => {
    const rl = new AuthRateLimiter(policy, clock().now);
    rl.recordFailure("127.0.0.1");
    rl.recordFailure("127.0.3.4");
    rl.recordFailure("::1");
    expect(rl.retryAfter("127.99.1.1")).toBeGreaterThan(0);
    expect(rl.retryAfter("::ffff:127.0.0.1")).toBeGreaterThan(0);
    const v6 = new AuthRateLimiter(policy, clock().now);
    v6.recordFailure("2001:db8:1:2::1");
    v6.recordFailure("2001:db8:1:2::dead");
    v6.recordFailure("2001:db8:1:2:ffff::9");
    expect(v6.retryAfter("2001:db8:1:2::77")).toBeGreaterThan(0);
    // control: the neighbouring /64 and an IPv4 client are other networks
    expect(v6.retryAfter("2001:db8:1:3::1")).toBe(0);
    expect(v6.retryAfter("198.51.100.1")).toBe(0);
  });

  it("password mode: a global ceiling stops guessing spread over many networks, but not loopback", () => {
    const c = clock();
    const rl = new AuthRateLimiter({ ...policy, globalMaxAttempts: 20 }, c.now);
    for (let i = 0; i < 20; i++) rl.recordFailure(`10.0.0.${i + 1}`); // one guess each: under the per-network limit
    expect(rl.retryAfter("10.0.0.1")).toBeGreaterThan(0);
    expect(rl.retryAfter("10.9.9.9")).toBeGreaterThan(0);
    expect(rl.retryAfter("127.0.0.1")).toBe(0);
    c.t += 300_000;
    expect(rl.retryAfter("10.9.9.9")).toBe(0);
    // control: without the ceiling (token mode) the same spread locks nobody out
    const token = new AuthRateLimiter(policy, clock().now);
    for (let i = 0; i < 20; i++) token.recordFailure(`10.0.0.${i + 1}`);
    expect(token.retryAfter("10.9.9.9")).toBe(0);
  });

  it("isolates networks: one attacker does not lock out another", () => {
    const c = clock();
    const rl = new AuthRateLimiter(policy, c.now);
    for (let i = 0; i < 50; i++) rl.recordFailure("198.51.100.66");
    expect(rl.retryAfter("198.51.100.66")).toBeGreaterThan(0);
    expect(rl.retryAfter("198.51.100.67")).toBe(0);
    expect(rl.retryAfter("127.0.0.1")).toBe(0);
  });

  it("exempts loopback only when configured", () => {
    const rl = new AuthRateLimiter({ ...policy, exemptLoopback: true }, clock().now);
    for (let i = 0; i < 10; i++) rl.recordFailure("127.0.0.1");
    for (let i = 0; i < 10; i++) rl.recordFailure("10.1.2.3");
    expect(rl.retryAfter("127.0.0.1")).toBe(0);
    expect(rl.retryAfter("10.1.2.3")).toBeGreaterThan(0);

    const strict = new AuthRateLimiter(policy, clock().now);
    for (let i = 0; i < 3; i++) strict.recordFailure("127.0.0.1");
    expect(strict.retryAfter("127.0.0.1")).toBeGreaterThan(0);
  });

  it("keeps locked addresses locked even when many other addresses fail (pruning)", () => {
    const c = clock();
    const rl = new AuthRateLimiter(policy, c.now);
    for (let i = 0; i < 3; i++) rl.recordFailure("victim-locked");
    for (let i = 0; i < 10_050; i++) rl.recordFailure(`10.0.${i >> 8}.${i & 255}`);
    expect(rl.retryAfter("victim-locked")).toBeGreaterThan(0);
  });
});

describe("authenticate", () => {
  const auth: ResolvedAuth = { mode: "token", secret: "the-right-token", source: "config" };

  it("accepts the right secret", () => {
    const rl = new AuthRateLimiter(policy, clock().now);
    expect(authenticate(auth, "the-right-token", "a", rl)).toEqual({ ok: true });
  });

  it("refuses a wrong secret with UNAUTHORIZED and counts it", () => {
    const rl = new AuthRateLimiter(policy, clock().now);
    const d = authenticate(auth, "wrong", "a", rl);
    expect(d).toMatchObject({ ok: false, code: "UNAUTHORIZED" });
    expect(JSON.stringify(d)).not.toContain("the-right-token");
  });

  it("does not count missing credentials toward the limit", () => {
    const rl = new AuthRateLimiter(policy, clock().now);
    for (let i = 0; i < 20; i++) {
      expect(authenticate(auth, undefined, "a", rl)).toMatchObject({ ok: false, code: "UNAUTHORIZED" });
      expect(authenticate(auth, "", "a", rl)).toMatchObject({ ok: false, code: "UNAUTHORIZED" });
    }
    expect(rl.retryAfter("a")).toBe(0);
    expect(authenticate(auth, "the-right-token", "a", rl)).toEqual({ ok: true });
  });

  it("refuses even the right secret while locked, with retryAfterMs", () => {
    const c = clock();
    const rl = new AuthRateLimiter(policy, c.now);
    for (let i = 0; i < 3; i++) authenticate(auth, `guess-${i}`, "evil", rl);
    const d = authenticate(auth, "the-right-token", "evil", rl);
    expect(d).toMatchObject({ ok: false, code: "RATE_LIMITED", retryAfterMs: 300_000 });
    if (!d.ok) expect(d.message).toMatch(/retry in 300 s/);
    // the other address is unaffected
    expect(authenticate(auth, "the-right-token", "good", rl)).toEqual({ ok: true });
    // after the lockout the right secret works again
    c.t += 300_000;
    expect(authenticate(auth, "the-right-token", "evil", rl)).toEqual({ ok: true });
  });

  it("a success in between resets the failure count", () => {
    const rl = new AuthRateLimiter(policy, clock().now);
    authenticate(auth, "bad1", "a", rl);
    authenticate(auth, "bad2", "a", rl);
    expect(authenticate(auth, "the-right-token", "a", rl)).toEqual({ ok: true });
    authenticate(auth, "bad3", "a", rl);
    authenticate(auth, "bad4", "a", rl);
    expect(authenticate(auth, "the-right-token", "a", rl)).toEqual({ ok: true });
  });

  it("refuses everyone when no secret is configured", () => {
    const rl = new AuthRateLimiter(policy, clock().now);
    const none: ResolvedAuth = { mode: "token", secret: undefined, source: "none" };
    expect(authenticate(none, "anything", "a", rl)).toMatchObject({ ok: false, code: "UNAUTHORIZED" });
    expect(authenticate(none, "", "a", rl)).toMatchObject({ ok: false, code: "UNAUTHORIZED" });
    expect(authenticate(none, undefined, "a", rl)).toMatchObject({ ok: false, code: "UNAUTHORIZED" });
  });

  it("mode none lets anyone in (only allowed on loopback, enforced by listen.ts)", () => {
    const rl = new AuthRateLimiter(policy, clock().now);
    expect(authenticate({ mode: "none", secret: undefined, source: "none" }, undefined, "a", rl)).toEqual({ ok: true });
  });

  it("password mode names the password in its messages", () => {
    const rl = new AuthRateLimiter(policy, clock().now);
    const pw: ResolvedAuth = { mode: "password", secret: "correct horse", source: "env" };
    const d = authenticate(pw, undefined, "a", rl);
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.message).toContain("SIMPLECLAW_GATEWAY_PASSWORD");
    expect(authenticate(pw, "correct horse", "a", rl)).toEqual({ ok: true });
  });
});
