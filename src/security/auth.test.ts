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
