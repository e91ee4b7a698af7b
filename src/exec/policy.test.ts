import { describe, expect, it } from "vitest";
import { decideExec, effectivePolicy, type ExecPolicy } from "./policy.js";

const base: ExecPolicy = { security: "allowlist", ask: "on-miss", askFallback: "deny", timeoutSeconds: 120 };

describe("effectivePolicy", () => {
  it("takes the stricter value of every field", () => {
    expect(effectivePolicy(base, { security: "full", ask: "off" })).toEqual(base);
    expect(effectivePolicy(base, { security: "deny" }).security).toBe("deny");
    expect(effectivePolicy(base, { ask: "always" }).ask).toBe("always");
    expect(effectivePolicy({ ...base, askFallback: "allow" }, { askFallback: "deny" }).askFallback).toBe("deny");
    expect(effectivePolicy(base, { askFallback: "allow" }).askFallback).toBe("deny");
    expect(effectivePolicy(base, { timeoutSeconds: 30 }, { timeoutSeconds: 600 }).timeoutSeconds).toBe(30);
  });
  it("a file cannot loosen config, and config cannot loosen the file", () => {
    const fromFile = { security: "deny" as const };
    expect(effectivePolicy({ ...base, security: "full" }, fromFile).security).toBe("deny");
  });
});

describe("decideExec", () => {
  it("deny never runs, even allowlisted", () => {
    expect(decideExec({ ...base, security: "deny" }, true, "").kind).toBe("deny");
  });
  it("always asks, even in full mode or when allowlisted", () => {
    expect(decideExec({ ...base, ask: "always", security: "full" }, true, "").kind).toBe("ask");
  });
  it("full runs without asking", () => {
    expect(decideExec({ ...base, security: "full" }, false, "x").kind).toBe("run");
  });
  it("allowlist: a match runs, a miss asks (on-miss) or is denied (off)", () => {
    expect(decideExec(base, true, "").kind).toBe("run");
    expect(decideExec(base, false, "rm is not allowed").kind).toBe("ask");
    const d = decideExec({ ...base, ask: "off" }, false, "rm is not allowed");
    expect(d).toEqual({ kind: "deny", reason: "not on the allowlist (rm is not allowed) and ask is off." });
  });
});
