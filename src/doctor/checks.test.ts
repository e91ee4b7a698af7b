import { describe, expect, it } from "vitest";
import { CONFIG_VERSION, configVersion } from "../config/migrate.js";
import { browserCheck, configCheck, exitCodeFor, modelCheck, nodeCheck, permissionsCheck, portCheck, sandboxCheck, versionCheck } from "./checks.js";

describe("permissionsCheck", () => {
  it("is ok when dirs are 700 and files 600", () => {
    const r = permissionsCheck([
      { path: "/s", kind: "dir", mode: 0o700 },
      { path: "/s/simpleclaw.json", kind: "file", mode: 0o600 },
    ]);
    expect(r.status).toBe("ok");
    expect(r.chmods).toEqual([]);
  });
  it("fails on group/other bits and plans chmod 700/600", () => {
    const r = permissionsCheck([
      { path: "/s", kind: "dir", mode: 0o755 },
      { path: "/s/simpleclaw.json", kind: "file", mode: 0o644 },
      { path: "/s/credentials/providers.json", kind: "file", mode: 0o640 },
      { path: "/s/credentials", kind: "dir", mode: 0o700 },
    ]);
    expect(r.status).toBe("fail");
    expect(r.fixable).toBe(true);
    expect(r.chmods).toEqual([
      { path: "/s", mode: 0o700, was: 0o755 },
      { path: "/s/simpleclaw.json", mode: 0o600, was: 0o644 },
      { path: "/s/credentials/providers.json", mode: 0o600, was: 0o640 },
    ]);
    expect(r.detail).toContain("/s/simpleclaw.json (644)");
    expect(r.fix).toContain("chmod 600 /s/simpleclaw.json");
  });
  it("skips when nothing exists yet", () => {
    expect(permissionsCheck([{ path: "/s", kind: "dir" }]).status).toBe("skip");
  });
});

describe("configCheck / versionCheck", () => {
  it("a missing config is a warning pointing at onboard", () => {
    expect(configCheck({ state: "missing", path: "/c" })).toMatchObject({ status: "warn", fix: "simpleclaw onboard" });
  });
  it("lists every schema problem with its key path", () => {
    const r = configCheck({ state: "invalid", path: "/c", problems: ["gateway.port: got \"x\", expected number", "bogus: unknown key (remove it or check its spelling)"] });
    expect(r.status).toBe("fail");
    expect(r.detail).toContain("gateway.port");
    expect(r.detail).toContain("bogus: unknown key");
  });
  it("an older version is a fixable warning, a newer one a failure", () => {
    expect(versionCheck(configVersion({}), CONFIG_VERSION)).toMatchObject({ status: "warn", fixable: true });
    expect(versionCheck(configVersion({ version: 1 }), CONFIG_VERSION)).toMatchObject({ status: "warn" }); // older than the current version
    expect(versionCheck(configVersion({ version: CONFIG_VERSION }), CONFIG_VERSION)).toMatchObject({ status: "ok" });
    expect(versionCheck(configVersion({ version: 99 }), CONFIG_VERSION)).toMatchObject({ status: "fail" });
    expect(versionCheck(configVersion({ version: "1" }), CONFIG_VERSION).status).toBe("fail");
    expect(versionCheck(undefined, CONFIG_VERSION).status).toBe("skip");
  });
});

describe("other checks", () => {
  it("node", () => {
    expect(nodeCheck("v22.12.0", null, "22.12.0").status).toBe("ok");
    expect(nodeCheck("v20.1.0", "too old", "22.12.0").status).toBe("fail");
  });
  it("sandbox: off needs nothing; missing backend warns for non-main, fails for all", () => {
    expect(sandboxCheck({ mode: "off", preference: "auto", backend: { name: "none" } }).status).toBe("ok");
    expect(sandboxCheck({ mode: "non-main", preference: "auto", backend: { name: "bwrap", version: "0.8.0" } }).detail).toContain("bwrap 0.8.0");
    expect(sandboxCheck({ mode: "non-main", preference: "auto", backend: { name: "none", reason: "no bwrap" } }).status).toBe("warn");
    expect(sandboxCheck({ mode: "all", preference: "auto", backend: { name: "none", reason: "no bwrap" } }).status).toBe("fail");
  });
  it("browser only matters when enabled", () => {
    expect(browserCheck({ enabled: false }).status).toBe("skip");
    expect(browserCheck({ enabled: true, cdpUrl: false, chromium: "/usr/bin/chromium" }).status).toBe("ok");
    expect(browserCheck({ enabled: true, cdpUrl: false, error: "no Chromium found" }).status).toBe("fail");
    expect(browserCheck({ enabled: true, cdpUrl: true }).status).toBe("ok");
  });
  it("model", () => {
    expect(modelCheck({ resolved: false, ref: "anthropic/x", reason: "no API key", maybePlugin: false }).status).toBe("fail");
    expect(modelCheck({ resolved: false, ref: "p/x", reason: "neither built in", maybePlugin: true }).status).toBe("warn");
    expect(modelCheck({ resolved: true, ref: "anthropic/x", keySource: "$ANTHROPIC_API_KEY" }).detail).toContain("--check-model");
    expect(modelCheck({ resolved: true, ref: "a/x", keySource: "k", probe: { ok: false, message: "refused" } }).status).toBe("fail");
    const fb = modelCheck({ resolved: false, ref: "anthropic/x", reason: "no API key", maybePlugin: false }, { ref: "local/y", detail: "ok" });
    expect(fb.status).toBe("warn");
    expect(fb.detail).toBe("primary anthropic/x: no API key; replies come from the fallback local/y (ok)");
    expect(modelCheck({ resolved: true, ref: "a/x", keySource: "k" }, { ref: "b/y", detail: "ok" }).status).toBe("ok");
  });
  it("port: free and ours are fine, anything else fails", () => {
    expect(portCheck({ state: "free", host: "127.0.0.1", port: 1 }).status).toBe("ok");
    expect(portCheck({ state: "ours", host: "127.0.0.1", port: 1 }).status).toBe("ok");
    expect(portCheck({ state: "foreign", host: "127.0.0.1", port: 1, detail: "HTTP 404" }).status).toBe("fail");
    expect(portCheck({ state: "error", host: "127.0.0.1", port: 1, message: "EACCES" }).status).toBe("fail");
  });
  it("exit code: 1 only when something failed", () => {
    expect(exitCodeFor([{ id: "a", status: "ok", detail: "" }, { id: "b", status: "warn", detail: "" }, { id: "c", status: "skip", detail: "" }])).toBe(0);
    expect(exitCodeFor([{ id: "a", status: "fail", detail: "" }])).toBe(1);
  });
});

describe("skillsCheck", () => {
  it("skips without skills, ok when all are shown, warns with the reason for hidden/modified/flagged ones", async () => {
    const { skillsCheck } = await import("./checks.js");
    expect(skillsCheck([]).status).toBe("skip");
    expect(skillsCheck([{ name: "a", source: "workspace", status: "ready", critical: 0 }])).toMatchObject({ status: "ok", detail: "1 of 1 shown to the agent" });
    const r = skillsCheck([
      { name: "a", source: "workspace", status: "ready", critical: 0 },
      { name: "gh", source: "state", status: "unmet", reason: "requirements not met: needs gh on PATH", critical: 0 },
      { name: "bad", source: "state", status: "ready", critical: 2 },
    ]);
    expect(r.status).toBe("warn");
    expect(r.detail).toBe("2 of 3 shown to the agent; gh (state): requirements not met: needs gh on PATH; bad: 2 critical scanner finding(s)");
    expect(r.fix).toMatch(/simpleclaw skills check/);
  });
});
