// The import report (docs/migrating-from-openclaw.md) shows text from the OpenClaw dir.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { formatImportReport, importOpenClaw, type ImportResult } from "./openclaw-apply.js";

const result = (from: string, reason?: string): ImportResult => ({
  source: { dir: "/h/.openclaw", config: "/h/.openclaw/openclaw.json", version: "2026.9.6" },
  target: { stateDir: "/s", config: "/s/simpleclaw.json" },
  dryRun: true,
  items: [{ status: "skipped", from, ...(reason ? { reason } : {}) }],
  writes: [`/s/workspace/memory/${from}`],
  backups: [],
  summary: { imported: 0, changed: 0, skipped: 1 },
});

describe("formatImportReport", () => {
  it("shows ordinary names as they are (positive control)", () => {
    const out = formatImportReport(result("gateway.someKey", "no SimpleClaw equivalent"));
    expect(out).toContain("  gateway.someKey: no SimpleClaw equivalent\n");
    expect(out).toContain("  /s/workspace/memory/gateway.someKey\n");
  });

  it("escapes terminal controls, bidi overrides and line breaks from the OpenClaw dir", () => {
    const hostile = "channels.telegram.groups.\u001b]0;pwned\u0007\u001b[2J\u202e-100\nSummary: 0 imported";
    const out = formatImportReport(result(hostile, "left out canvas\u001b[1A\u001b[2K"));
    expect(out).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(out).toContain("groups.\\x1b]0;pwned\\x07\\x1b[2J\\u{202e}-100\\nSummary: 0 imported");
    expect(out).toContain("left out canvas\\x1b[1A\\x1b[2K");
    // One real Summary line: a newline in a key cannot fake another.
    expect(out.split("\n").filter((l) => l.startsWith("Summary:"))).toHaveLength(1);
  });
});

describe("importOpenClaw: writing into the SimpleClaw workspace", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  function setup(): { root: string; env: Record<string, string>; oc: string; state: string } {
    const root = mkdtempSync(join(tmpdir(), "oc-apply-"));
    dirs.push(root);
    const oc = join(root, ".openclaw");
    const ws = join(root, "assistant");
    mkdirSync(oc);
    mkdirSync(join(ws, "memory"), { recursive: true });
    writeFileSync(join(oc, "openclaw.json"), JSON.stringify({ agents: { defaults: { workspace: ws } } }));
    writeFileSync(join(ws, "MEMORY.md"), "# memory\n");
    writeFileSync(join(ws, "memory", "2026-11-28.md"), "a note\n");
    const state = join(root, "simpleclaw");
    return { root, oc, state, env: { HOME: root, SIMPLECLAW_STATE_DIR: state } };
  }

  it("copies the notes into the workspace (positive control)", () => {
    const { oc, state, env } = setup();
    importOpenClaw({ from: oc, env, now: 0 });
    expect(readFileSync(join(state, "workspace", "memory", "2026-11-28.md"), "utf8")).toBe("a note\n");
  });

  it("never writes through a memory/ the agent linked out of its workspace", () => {
    const { root, oc, state, env } = setup();
    const outside = join(root, "dot-ssh");
    mkdirSync(outside);
    mkdirSync(join(state, "workspace"), { recursive: true });
    symlinkSync(outside, join(state, "workspace", "memory"));
    const r = importOpenClaw({ from: oc, env, now: 0 });
    expect(readdirSync(outside)).toEqual([]);
    expect(r.items.find((i) => i.from.endsWith("memory/2026-11-28.md") && i.status === "skipped")!.reason).toMatch(/memory\/ in the SimpleClaw workspace is a symbolic link/);
    // The rest of the import went ahead.
    expect(readFileSync(join(state, "workspace", "MEMORY.md"), "utf8")).toBe("# memory\n");
    expect(existsSync(join(state, "simpleclaw.json"))).toBe(true);
  });

  it("a link to /dev/zero or a FIFO the agent left in place of a note is kept, not read (the import hung)", () => {
    const { oc, state, env } = setup();
    mkdirSync(join(state, "workspace", "memory"), { recursive: true });
    symlinkSync("/dev/zero", join(state, "workspace", "MEMORY.md"));
    execFileSync("mkfifo", [join(state, "workspace", "memory", "2026-11-28.md")]);
    const r = importOpenClaw({ from: oc, env, now: 0 });
    const skipped = r.items.filter((i) => i.status === "skipped" && /symbolic link or not a regular file/.test(i.reason ?? "")).map((i) => i.from);
    expect(skipped).toHaveLength(2);
    expect(existsSync(join(state, "simpleclaw.json"))).toBe(true);
  });
});
