import { describe, expect, it } from "vitest";
import { configSchema } from "../config/schema.js";
import { toolDecision } from "./tool-policy.js";

const cfg = (input: unknown) => configSchema.parse(input);
const read = { name: "read", group: "fs" } as const;
const exec = { name: "exec", group: "runtime" } as const;
const http = { name: "http", group: "web" } as const;

describe("toolDecision", () => {
  it("allows every tool by default", () => {
    expect(toolDecision(read, cfg({}))).toEqual({ allowed: true });
    expect(toolDecision(http, cfg({}))).toEqual({ allowed: true });
  });

  it("refuses a tool switched off, naming the key", () => {
    const d = toolDecision(http, cfg({ tools: { http: { enabled: false } } }));
    expect(d).toEqual({ allowed: false, rule: "tools.http.enabled is false" });
    expect(toolDecision({ name: "write", group: "fs" }, cfg({ tools: { write: { enabled: false } } })).allowed).toBe(false);
  });

  it("a group switch turns off every tool in the group", () => {
    const c = cfg({ tools: { fs: { enabled: false } } });
    for (const name of ["read", "write", "edit", "list", "apply_patch"]) {
      const d = toolDecision({ name, group: "fs" }, c);
      expect(d.allowed).toBe(false);
      if (!d.allowed) expect(d.rule).toContain("tools.fs.enabled");
    }
  });

  it("deny wins over allow, by name or group", () => {
    const c = cfg({ tools: { allow: ["read", "group:web"], deny: ["group:fs"] } });
    const d = toolDecision(read, c);
    expect(d).toEqual({ allowed: false, rule: 'tools.deny contains "group:fs"' });
    expect(toolDecision(http, c).allowed).toBe(true);
  });

  it("a non-empty allow list refuses everything it does not name", () => {
    const c = cfg({ tools: { allow: ["read"] } });
    expect(toolDecision(read, c).allowed).toBe(true);
    expect(toolDecision(exec, c).allowed).toBe(false);
    expect(toolDecision({ name: "write", group: "fs" }, c).allowed).toBe(false);
  });

  it("per-agent lists can only narrow the global policy", () => {
    const c = cfg({ tools: { deny: ["http"] } });
    // the agent tries to allow a globally denied tool: still denied
    expect(toolDecision(http, c, { id: "a", tools: { allow: ["http", "read"] } }).allowed).toBe(false);
    // the agent narrows: only read
    expect(toolDecision(read, c, { id: "a", tools: { allow: ["read"] } }).allowed).toBe(true);
    expect(toolDecision({ name: "list", group: "fs" }, c, { id: "a", tools: { allow: ["read"] } }).allowed).toBe(false);
    const d = toolDecision(read, c, { id: "a", tools: { deny: ["read"] } });
    expect(d).toEqual({ allowed: false, rule: 'agents.list[a].tools.deny contains "read"' });
  });

  it("the seed hardening profile turns off exec, browser and http but keeps fs", () => {
    const c = cfg({ tools: { exec: { enabled: false }, browser: { enabled: false }, http: { enabled: false }, fs: { workspaceOnly: true } } });
    expect(toolDecision(exec, c).allowed).toBe(false);
    expect(toolDecision(http, c).allowed).toBe(false);
    expect(toolDecision({ name: "browser", group: "web" }, c).allowed).toBe(false);
    expect(toolDecision(read, c).allowed).toBe(true);
  });

  it("name matching is exact, not a prefix or case-insensitive match", () => {
    const c = cfg({ tools: { deny: ["rea", "READ"] } });
    expect(toolDecision(read, c).allowed).toBe(true);
    expect(toolDecision(read, cfg({ tools: { deny: ["group:f"] } })).allowed).toBe(true);
  });

  it("the cron tool (group automation): on by default; off by its switch, by cron.enabled false, or by group:automation", () => {
    const cron = { name: "cron", group: "automation" as const };
    expect(toolDecision(cron, cfg({})).allowed).toBe(true);
    expect(toolDecision(cron, cfg({ tools: { cron: { enabled: false } } }))).toEqual({ allowed: false, rule: "tools.cron.enabled is false" });
    expect(toolDecision(cron, cfg({ cron: { enabled: false } }))).toEqual({ allowed: false, rule: "cron.enabled is false (group:automation)" });
    expect(toolDecision(cron, cfg({ tools: { deny: ["group:automation"] } })).allowed).toBe(false);
  });
});
