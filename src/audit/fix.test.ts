// gather + fix on a real temp state dir: what --fix changes, its backup, and that a
// second audit has nothing left to fix.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runChecks } from "./audit.js";
import { applyFixes } from "./fix.js";
import { findPlugins, gatherAuditInput, inspectPlugin, salvageConfig } from "./gather.js";
import { seedWorkspace } from "../agents/workspace.js";

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

function state(config: string, mode = 0o600): string {
  const dir = mkdtempSync(join(tmpdir(), "sc-audit-"));
  dirs.push(dir);
  writeFileSync(join(dir, "simpleclaw.json"), config, { mode });
  chmodSync(join(dir, "simpleclaw.json"), mode);
  return dir;
}

const noProbe = async () => ({ name: "bwrap" as const });
const mode = (p: string) => statSync(p).mode & 0o777;

describe("gather", () => {
  it("an invalid config is reported with its key paths and the rest is still audited", async () => {
    const dir = state('{ gateway: { port: "nope", auth: { mode: "none" } }, tools: { bogus: 1 } }');
    chmodSync(dir, 0o755);
    const input = await gatherAuditInput({ env: { SIMPLECLAW_STATE_DIR: dir }, probeBackend: noProbe });
    expect(input.configError?.kind).toBe("invalid");
    const ids = runChecks(input).map((f) => f.checkId);
    expect(ids).toContain("config.invalid");
    expect(ids).toContain("fs.state_dir.perms_readable");
    // The salvage keeps the valid keys: auth none is still seen.
    expect(ids).toContain("gateway.loopback_no_auth");
    const inv = runChecks(input).find((f) => f.checkId === "config.invalid")!;
    expect(inv.evidence).toContain("gateway.port");
    expect(inv.evidence).toContain("tools.bogus");
  });

  it("a config that is not JSON5 is config.invalid too", async () => {
    const dir = state("{ nope");
    const input = await gatherAuditInput({ env: { SIMPLECLAW_STATE_DIR: dir }, probeBackend: noProbe });
    expect(input.configError?.kind).toBe("syntax");
    expect(runChecks(input)[0]!.checkId).toBe("config.invalid");
  });

  it("salvageConfig drops only the broken keys", () => {
    const c = salvageConfig({ gateway: { port: -1, bind: "lan", tls: { enabled: true } }, logging: { redactSensitive: false } });
    expect(c.gateway.port).toBe(18789);
    expect(c.gateway.bind).toBe("lan");
    expect(c.logging.redactSensitive).toBe(false);
  });

  it("inspects plugins: entry escaping via symlink, unpinned deps", () => {
    const dir = state("{}");
    const p = join(dir, "plugins", "evil");
    mkdirSync(p, { recursive: true });
    writeFileSync(join(dir, "outside.js"), "");
    symlinkSync(join(dir, "outside.js"), join(p, "index.js"));
    writeFileSync(join(p, "package.json"), JSON.stringify({ name: "evil", main: "index.js", dependencies: { a: "^1.0.0", b: "1.2.3" } }));
    const info = inspectPlugin(p, "evil");
    expect(info.entryInside).toBe(false);
    expect(info.unpinned).toEqual(["a@^1.0.0"]);
    expect(info.hasLockfile).toBe(false);
  });

  it("an installed plugin is pinned only with an exact version and integrity in plugins/installs.json", () => {
    const dir = state("{}");
    for (const id of ["pinned", "loose"]) {
      mkdirSync(join(dir, "plugins", id), { recursive: true });
      writeFileSync(join(dir, "plugins", id, "simpleclaw.plugin.json"), JSON.stringify({ id, name: id, version: "1.0.0", entry: "index.js" }));
    }
    writeFileSync(join(dir, "plugins", "installs.json"), JSON.stringify({ pinned: { id: "pinned", version: "1.0.0", integrity: "sha512-abc" }, loose: { id: "loose", version: "^1.0.0", integrity: "" } }));
    const found = findPlugins(join(dir, "plugins"), [], "/home/u", dir);
    expect(found.map((p) => [p.id, p.source, p.pinnedInstall, p.entryInside])).toEqual([
      ["loose", "installed", false, true],
      ["pinned", "installed", true, true],
    ]);
  });
});

describe("applyFixes", () => {
  it("fixes permissions and the fixable keys, backs up the config, and leaves nothing fixable", async () => {
    const dir = state('{ logging: { redactSensitive: false }, channels: { discord: { enabled: true, groupPolicy: "open" } } }', 0o644);
    chmodSync(dir, 0o777);
    mkdirSync(join(dir, "credentials"), { mode: 0o755 });
    chmodSync(join(dir, "credentials"), 0o755);
    writeFileSync(join(dir, "credentials", "discord.json"), "{}", { mode: 0o644 });
    chmodSync(join(dir, "credentials", "discord.json"), 0o644);
    const env = { SIMPLECLAW_STATE_DIR: dir };
    const input = await gatherAuditInput({ env, probeBackend: noProbe });
    const lines: string[] = [];
    const res = applyFixes(input, runChecks(input), (l) => lines.push(l), 1234);
    expect(res.skipped).toEqual([]);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, "simpleclaw.json"))).toBe(0o600);
    expect(mode(join(dir, "credentials"))).toBe(0o700);
    expect(mode(join(dir, "credentials", "discord.json"))).toBe(0o600);
    const backup = join(dir, "simpleclaw.json.bak-1234");
    expect(res.backup).toBe(backup);
    expect(mode(backup)).toBe(0o600);
    expect(readFileSync(backup, "utf8")).toContain("redactSensitive: false");
    const cfg = JSON.parse(readFileSync(join(dir, "simpleclaw.json"), "utf8"));
    expect(cfg.logging.redactSensitive).toBe(true);
    expect(cfg.channels.discord.groupPolicy).toBe("allowlist");
    expect(lines.some((l) => l.startsWith(`chmod 700 ${dir}`))).toBe(true);
    expect(lines).toContain(`set channels.discord.groupPolicy = "allowlist" (was "open") in ${join(dir, "simpleclaw.json")}`);

    const again = await gatherAuditInput({ env, probeBackend: noProbe });
    expect(runChecks(again).filter((f) => f.fixable)).toEqual([]);
    expect(applyFixes(again, runChecks(again)).changed).toEqual([]);
    expect(readdirSync(dir).filter((n) => n.includes(".bak-"))).toHaveLength(1);
  });

  it("never follows a symlink: a link in logs/ to a file outside the state dir is skipped, the real log is fixed (control)", async () => {
    const dir = state("{}");
    const outside = mkdtempSync(join(tmpdir(), "simpleclaw-outside-"));
    try {
      const victim = join(outside, "victim.txt");
      writeFileSync(victim, "x", { mode: 0o644 });
      chmodSync(victim, 0o644);
      mkdirSync(join(dir, "logs"), { recursive: true, mode: 0o700 });
      symlinkSync(victim, join(dir, "logs", "evil.log"));
      writeFileSync(join(dir, "logs", "gateway.log"), "", { mode: 0o644 });
      chmodSync(join(dir, "logs", "gateway.log"), 0o644);
      const input = await gatherAuditInput({ env: { SIMPLECLAW_STATE_DIR: dir }, probeBackend: noProbe });
      const findings = runChecks(input);
      // Even a finding that names a path outside the state dir is not applied.
      const forged = [...findings, { checkId: "fs.log_file.perms_readable", severity: "warn" as const, title: "", detail: "", evidence: "", fix: "", fixable: true, fixes: [{ kind: "chmod" as const, path: victim, mode: 0o600 }] }];
      const res = applyFixes(input, forged);
      expect(mode(victim)).toBe(0o644);
      expect(mode(join(dir, "logs", "gateway.log"))).toBe(0o600);
      expect(res.skipped.join("\n")).toMatch(/outside the state dir/);
      if (findings.some((f) => f.fixes?.some((a) => a.kind === "chmod" && a.path.endsWith("evil.log")))) expect(res.skipped.join("\n")).toMatch(/symlink/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("workspace: a world-writable MEMORY.md, memory/ and a note in it are reported and fixed (go-w); owner-only files are left alone", async () => {
    const dir = state("{}");
    const ws = seedWorkspace(join(dir, "workspace"));
    writeFileSync(join(ws, "memory", "2026-01-01.md"), "note");
    chmodSync(join(ws, "MEMORY.md"), 0o666);
    chmodSync(join(ws, "memory"), 0o777);
    chmodSync(join(ws, "memory", "2026-01-01.md"), 0o664);
    chmodSync(join(ws, "AGENTS.md"), 0o644);
    const env = { SIMPLECLAW_STATE_DIR: dir };
    const input = await gatherAuditInput({ env, probeBackend: noProbe });
    const f = runChecks(input).find((x) => x.checkId === "fs.workspace.perms_writable");
    expect(f?.severity).toBe("critical");
    expect(f!.detail).toContain(join(ws, "MEMORY.md"));
    expect(f!.detail).toContain(join(ws, "memory", "2026-01-01.md"));
    expect(f!.detail).not.toContain("AGENTS.md");
    const res = applyFixes(input, runChecks(input));
    expect(res.skipped).toEqual([]);
    expect(mode(join(ws, "MEMORY.md"))).toBe(0o644);
    expect(mode(join(ws, "memory"))).toBe(0o755);
    expect(mode(join(ws, "memory", "2026-01-01.md"))).toBe(0o644);
    expect(mode(join(ws, "AGENTS.md"))).toBe(0o644);
    const again = await gatherAuditInput({ env, probeBackend: noProbe });
    expect(runChecks(again).map((x) => x.checkId)).not.toContain("fs.workspace.perms_writable");
  });

  it("workspace: a world-writable skills/ folder or skill file and HEARTBEAT.md (instructions the agent follows) are reported and fixed; a private skill is left alone", async () => {
    const dir = state("{}");
    const ws = seedWorkspace(join(dir, "workspace"));
    mkdirSync(join(ws, "skills", "open", "refs"), { recursive: true });
    mkdirSync(join(ws, "skills", "private"), { recursive: true });
    writeFileSync(join(ws, "skills", "open", "SKILL.md"), "---\nname: open\ndescription: d\n---\nbody\n");
    writeFileSync(join(ws, "skills", "private", "SKILL.md"), "---\nname: private\ndescription: d\n---\nbody\n");
    writeFileSync(join(ws, "HEARTBEAT.md"), "- check the inbox\n");
    chmodSync(join(ws, "skills", "open", "refs"), 0o777);
    chmodSync(join(ws, "skills", "open", "SKILL.md"), 0o666);
    chmodSync(join(ws, "HEARTBEAT.md"), 0o666);
    chmodSync(join(ws, "skills", "private", "SKILL.md"), 0o600);
    const env = { SIMPLECLAW_STATE_DIR: dir };
    const input = await gatherAuditInput({ env, probeBackend: noProbe });
    const f = runChecks(input).find((x) => x.checkId === "fs.workspace.perms_writable");
    expect(f?.severity).toBe("critical");
    for (const p of [join(ws, "skills", "open", "refs"), join(ws, "skills", "open", "SKILL.md"), join(ws, "HEARTBEAT.md")]) expect(f!.detail).toContain(p);
    expect(f!.detail).not.toContain("private");
    applyFixes(input, runChecks(input));
    expect(mode(join(ws, "skills", "open", "SKILL.md"))).toBe(0o644);
    expect(mode(join(ws, "skills", "open", "refs"))).toBe(0o755);
    expect(mode(join(ws, "HEARTBEAT.md"))).toBe(0o644);
    expect(mode(join(ws, "skills", "private", "SKILL.md"))).toBe(0o600);
    const again = await gatherAuditInput({ env, probeBackend: noProbe });
    expect(runChecks(again).map((x) => x.checkId)).not.toContain("fs.workspace.perms_writable");
  });

  it("workspace: memory/ symlinked outside is reported but --fix changes nothing outside, even for a path lexically inside the workspace", async () => {
    const dir = state("{}");
    const ws = seedWorkspace(join(dir, "workspace"));
    const outside = mkdtempSync(join(tmpdir(), "simpleclaw-outside-"));
    try {
      chmodSync(outside, 0o777);
      writeFileSync(join(outside, "evil.md"), "x");
      chmodSync(join(outside, "evil.md"), 0o666);
      rmSync(join(ws, "memory"), { recursive: true });
      symlinkSync(outside, join(ws, "memory"));
      const input = await gatherAuditInput({ env: { SIMPLECLAW_STATE_DIR: dir }, probeBackend: noProbe });
      const findings = runChecks(input);
      const f = findings.find((x) => x.checkId === "fs.workspace.perms_writable");
      expect(f?.detail).toContain(join(ws, "memory"));
      // A forged fix for a path that is lexically inside the workspace but resolves outside through the link.
      const forged = [...findings, { ...f!, fixes: [{ kind: "chmod" as const, path: join(ws, "memory", "evil.md"), mode: 0o644 }] }];
      const res = applyFixes(input, forged);
      expect(mode(outside)).toBe(0o777);
      expect(mode(join(outside, "evil.md"))).toBe(0o666);
      expect(res.skipped.join("\n")).toMatch(/outside the state dir|symlink/);
      expect(res.skipped.join("\n")).toContain(join(ws, "memory", "evil.md"));
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("workspace outside the state dir under a world-writable (non-sticky) parent: reported critical, the parent is never chmod'ed", async () => {
    const outside = mkdtempSync(join(tmpdir(), "simpleclaw-shared-"));
    try {
      chmodSync(outside, 0o777);
      const ws = seedWorkspace(join(outside, "ws"));
      const dir = state(JSON.stringify({ agents: { defaults: { workspace: ws } } }));
      const input = await gatherAuditInput({ env: { SIMPLECLAW_STATE_DIR: dir }, probeBackend: noProbe });
      const f = runChecks(input).find((x) => x.checkId === "fs.workspace.perms_writable");
      expect(f?.severity).toBe("critical");
      expect(f!.detail).toContain(`${outside} (a parent directory, mode 777`);
      applyFixes(input, runChecks(input));
      expect(mode(outside)).toBe(0o777);
      // control: with the sticky bit (like /tmp) nobody else may rename the workspace away
      chmodSync(outside, 0o1777);
      const again = await gatherAuditInput({ env: { SIMPLECLAW_STATE_DIR: dir }, probeBackend: noProbe });
      expect(runChecks(again).map((x) => x.checkId)).not.toContain("fs.workspace.perms_writable");
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("keeps only the newest 5 config backups: 30 --fix runs do not leave 30", async () => {
    const dir = state("{ logging: { redactSensitive: false } }");
    const env = { SIMPLECLAW_STATE_DIR: dir };
    for (let i = 1; i <= 30; i++) {
      writeFileSync(join(dir, "simpleclaw.json"), "{ logging: { redactSensitive: false } }", { mode: 0o600 });
      const input = await gatherAuditInput({ env, probeBackend: noProbe });
      expect(applyFixes(input, runChecks(input), () => {}, 1000 + i).backup).toBe(join(dir, `simpleclaw.json.bak-${1000 + i}`));
    }
    const backups = readdirSync(dir).filter((n) => n.startsWith("simpleclaw.json.bak-")).sort();
    expect(backups).toEqual([1026, 1027, 1028, 1029, 1030].map((n) => `simpleclaw.json.bak-${n}`));
  });

  it("never edits an invalid config", async () => {
    const dir = state("{ logging: { redactSensitive: false }, bogus: 1 }");
    const input = await gatherAuditInput({ env: { SIMPLECLAW_STATE_DIR: dir }, probeBackend: noProbe });
    const res = applyFixes(input, runChecks(input));
    expect(res.changed).toEqual([]);
    expect(res.skipped[0]).toMatch(/config is invalid/);
    expect(readFileSync(join(dir, "simpleclaw.json"), "utf8")).toBe("{ logging: { redactSensitive: false }, bogus: 1 }");
  });
});
