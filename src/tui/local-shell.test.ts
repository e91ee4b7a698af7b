import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { localShellSetting, runLocal } from "./local-shell.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function stateDir(config?: string): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), "simpleclaw-tui-shell-"));
  dirs.push(dir);
  if (config !== undefined) writeFileSync(join(dir, "simpleclaw.json"), config, { mode: 0o600 });
  return { SIMPLECLAW_STATE_DIR: dir };
}

describe("localShellSetting", () => {
  it("is on by default and off when tui.localShell is false, saying where", () => {
    expect(localShellSetting(stateDir())).toEqual({ enabled: true });
    expect(localShellSetting(stateDir("{ tui: { localShell: true } }"))).toEqual({ enabled: true });
    const off = localShellSetting(stateDir("{ tui: { localShell: false } }"));
    expect(off.enabled).toBe(false);
    expect(off.reason).toMatch(/tui\.localShell is false in .*simpleclaw\.json/);
  });

  it("fails closed when the config cannot be loaded", () => {
    const r = localShellSetting(stateDir("{ tui: { localShell: false, "));
    expect(r.enabled).toBe(false);
    expect(r.reason).toMatch(/could not be loaded/);
    expect(localShellSetting(stateDir("{ tui: { localShell: 'maybe' } }")).enabled).toBe(false);
  });
});

describe("runLocal", () => {
  it("streams stdout and stderr and reports the exit code", async () => {
    const out: Array<[string, string]> = [];
    const run = runLocal("echo hi; echo oops >&2; exit 3", (t, s) => out.push([s, t]));
    expect(await run.done).toEqual({ code: 3, signal: null });
    expect(out.filter(([s]) => s === "stdout").map(([, t]) => t).join("")).toBe("hi\n");
    expect(out.filter(([s]) => s === "stderr").map(([, t]) => t).join("")).toBe("oops\n");
  });

  it("interrupt stops the whole process group", async () => {
    const out: string[] = [];
    const run = runLocal("echo started; sleep 30; echo never", (t) => out.push(t));
    while (!out.join("").includes("started")) await new Promise((r) => setTimeout(r, 10));
    const t0 = Date.now();
    run.interrupt();
    const end = await run.done;
    expect(end.code !== 0 || end.signal !== null).toBe(true);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(out.join("")).not.toContain("never");
  });
});
