import { describe, expect, it } from "vitest";
import { launchctlCalls, launchdPlist, launchdPlistPath, serviceEnv, systemctlCalls, systemdQuote, systemdUnit, systemdUnitPath } from "./units.js";

const spec = { node: "/opt/sc/node_modules/node/bin/node", bin: "/opt/sc/bin/simpleclaw.mjs", env: { SIMPLECLAW_STATE_DIR: "/data/sc" } };

describe("systemd unit", () => {
  it("runs this Node with bin/simpleclaw.mjs gateway and never loops on exit 78", () => {
    const u = systemdUnit(spec);
    expect(u).toContain("ExecStart=/opt/sc/node_modules/node/bin/node /opt/sc/bin/simpleclaw.mjs gateway\n");
    expect(u).toContain("Environment=SIMPLECLAW_STATE_DIR=/data/sc\n");
    expect(u).toContain("Restart=on-failure\n");
    expect(u).toContain("RestartPreventExitStatus=78\n");
    expect(u).toContain("WantedBy=default.target");
  });
  it("has no Environment line without a state dir override", () => {
    expect(systemdUnit({ ...spec, env: {} })).not.toContain("Environment=");
  });
  it("quotes paths with spaces and escapes %", () => {
    expect(systemdQuote("/home/a b/node")).toBe('"/home/a b/node"');
    expect(systemdQuote("/x/100%")).toBe("/x/100%%");
    expect(systemdUnit({ ...spec, node: "/home/a b/node" })).toContain('ExecStart="/home/a b/node" /opt/sc/bin/simpleclaw.mjs gateway');
  });
  it("lives under XDG_CONFIG_HOME or ~/.config", () => {
    expect(systemdUnitPath({}, "/home/u")).toBe("/home/u/.config/systemd/user/simpleclaw-gateway.service");
    expect(systemdUnitPath({ XDG_CONFIG_HOME: "/x/cfg" }, "/home/u")).toBe("/x/cfg/systemd/user/simpleclaw-gateway.service");
  });
  it("carries only path variables, never secrets", () => {
    expect(serviceEnv({ SIMPLECLAW_STATE_DIR: "/s", SIMPLECLAW_GATEWAY_TOKEN: "secret", ANTHROPIC_API_KEY: "k" })).toEqual({ SIMPLECLAW_STATE_DIR: "/s" });
  });
  it("systemctl calls per action", () => {
    expect(systemctlCalls("install").after.map((c) => c.args.join(" "))).toEqual([
      "--user daemon-reload",
      "--user enable simpleclaw-gateway.service",
      "--user restart simpleclaw-gateway.service",
    ]);
    expect(systemctlCalls("uninstall")).toEqual({
      before: [{ args: ["--user", "disable", "--now", "simpleclaw-gateway.service"], mayFail: true }],
      after: [{ args: ["--user", "daemon-reload"] }],
    });
    expect(systemctlCalls("stop").after).toEqual([{ args: ["--user", "stop", "simpleclaw-gateway.service"] }]);
  });
});

describe("launchd plist", () => {
  it("lists the program arguments, env, restart-on-crash and logs, XML-escaped", () => {
    const p = launchdPlist({ ...spec, env: { SIMPLECLAW_STATE_DIR: "/data/a&b" }, logDir: "/data/logs" });
    expect(p).toContain("<string>/opt/sc/node_modules/node/bin/node</string>\n    <string>/opt/sc/bin/simpleclaw.mjs</string>\n    <string>gateway</string>");
    expect(p).toContain("<key>SIMPLECLAW_STATE_DIR</key>\n    <string>/data/a&amp;b</string>");
    expect(p).toContain("<key>SuccessfulExit</key>\n    <false/>");
    expect(p).toContain("<string>/data/logs/launchd.err.log</string>");
    expect(launchdPlistPath("/Users/u")).toBe("/Users/u/Library/LaunchAgents/ai.simpleclaw.gateway.plist");
  });
  it("launchctl calls per action", () => {
    expect(launchctlCalls("install", 501, "/p.plist")).toEqual({
      before: [{ args: ["bootout", "gui/501/ai.simpleclaw.gateway"], mayFail: true }],
      after: [{ args: ["bootstrap", "gui/501", "/p.plist"] }],
    });
    expect(launchctlCalls("restart", 501, "/p").after[0]!.args).toEqual(["kickstart", "-k", "gui/501/ai.simpleclaw.gateway"]);
  });
});
