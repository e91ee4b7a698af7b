import { describe, expect, it } from "vitest";
import { effectivePolicy, type ExecPolicy } from "./exec-policy.js";

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
