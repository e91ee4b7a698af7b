import { describe, expect, it } from "vitest";
import { planConfigure, reloadAdvice } from "./configure.js";
import { validateConfig } from "../config/io.js";

const TOKEN = "t".repeat(43);
const base = () => ({ gateway: { port: 18789, auth: { mode: "token", token: TOKEN } }, agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } } });

describe("planConfigure", () => {
  it("applies the section's edits and carries everything else, the token included", () => {
    const r = planConfigure(base(), "gateway", [{ path: ["gateway", "port"], value: 19000 }], undefined, {});
    expect(r.ok && r.raw).toEqual({ ...base(), gateway: { port: 19000, auth: { mode: "token", token: TOKEN } } });
    expect(r.ok && r.changed).toEqual([["gateway", "port"]]);
  });

  it("fails closed: an edit outside the section, or of the token, is refused", () => {
    expect(planConfigure(base(), "model", [{ path: ["gateway", "port"], value: 1 }], undefined, {})).toMatchObject({ ok: false });
    expect(planConfigure(base(), "gateway", [{ path: ["gateway", "auth", "token"], value: "x".repeat(40) }], undefined, {})).toMatchObject({ ok: false });
    expect(planConfigure(base(), "gateway", [{ path: ["gateway", "auth"], value: {} }], undefined, {})).toMatchObject({ ok: false });
    expect(planConfigure(base(), "channels", [{ path: ["channels", "telegram", "botToken"], value: "1:x" }], undefined, {})).toMatchObject({ ok: false });
    expect(planConfigure(base(), undefined, [{ path: ["gateway", "port"], value: 1 }], undefined, {})).toMatchObject({ ok: false });
  });

  it("rotation replaces only the token", () => {
    const r = planConfigure(base(), undefined, [], "n".repeat(43), {});
    expect(r.ok && r.raw).toEqual({ ...base(), gateway: { port: 18789, auth: { mode: "token", token: "n".repeat(43) } } });
  });

  it("refuses what the gateway would refuse to start with (short password on lan), and an invalid value", () => {
    const lan = planConfigure(base(), "gateway", [{ path: ["gateway", "bind"], value: "lan" }, { path: ["gateway", "auth", "mode"], value: "password" }, { path: ["gateway", "auth", "password"], value: "short" }], undefined, {});
    expect(lan).toMatchObject({ ok: false });
    expect(!lan.ok && lan.problem).toMatch(/shorter than 12/);
    // control: a long password on lan is fine; a short one on loopback too
    expect(planConfigure(base(), "gateway", [{ path: ["gateway", "bind"], value: "lan" }, { path: ["gateway", "auth", "mode"], value: "password" }, { path: ["gateway", "auth", "password"], value: "correct horse battery" }], undefined, {}).ok).toBe(true);
    expect(planConfigure(base(), "gateway", [{ path: ["gateway", "auth", "mode"], value: "password" }, { path: ["gateway", "auth", "password"], value: "short" }], undefined, {}).ok).toBe(true);
    expect(planConfigure(base(), "gateway", [{ path: ["gateway", "port"], value: 70000 }], undefined, {})).toMatchObject({ ok: false });
  });

  it("reloadAdvice: live keys vs restart keys", () => {
    const a = validateConfig(base());
    const b = validateConfig({ ...base(), gateway: { port: 1, auth: { mode: "token", token: TOKEN } }, agents: { defaults: { model: { primary: "openai/gpt-4.1" } } } });
    if (!a.ok || !b.ok) throw new Error("fixture");
    const s = reloadAdvice(a.config, b.config, true);
    expect(s).toContain("applies agents.defaults.model.primary live");
    expect(s).toContain("Restart the gateway to apply gateway.port");
    expect(reloadAdvice(a.config, b.config, false)).toMatch(/No gateway is running/);
  });
});
