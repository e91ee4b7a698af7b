// Git runs programs named by a repository's own files: hooks, core.fsmonitor (on every
// `git status`), and a directory that looks like a bare repository brings its own hooks/. With
// git allowlisted, an agent that can write those files could run anything through "git status"
// or "git commit". Two defences, attacked here with real git:
//   1. the agent's own writes (write/edit, apply_patch, exec redirections, files a profiled
//      program writes) never touch git metadata (.git at any depth): security/fs-containment.ts
//      protectedWriteReason;
//   2. every command runs with GIT_HARDENING (exec/runner.ts): hooks off, fsmonitor off, no
//      implicit bare repositories — for repository files that got there another way.
// Each attack sits next to the legitimate use that must keep working.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { configSchema } from "../src/config/schema.js";
import { fsResolver } from "../src/exec/resolve.js";
import { escapeGlob } from "../src/security/exec-allowlist.js";
import { applyPatchTool } from "../src/tools/apply-patch.js";
import { execTool } from "../src/tools/exec.js";
import { editTool, writeTool } from "../src/tools/fs.js";
import type { ToolContext } from "../src/tools/types.js";

const PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const which = (n: string) => PATH.split(":").map((d) => fsResolver.executable(join(d, n))).find((p) => p) ?? null;
const GIT = which("git");

let root: string;
let ws: string;
let state: string;
let marker: string;

function ctx(): ToolContext {
  return {
    agentId: "main",
    sessionKey: "agent:main:main",
    workspace: ws,
    config: configSchema.parse({ tools: { exec: { ask: "off" } } }),
    signal: new AbortController().signal,
    origin: { kind: "operator" },
    sandbox: { mode: "off", required: false, backend: "auto", workspaceAccess: "rw", network: false },
    notify: () => {},
    services: { stateDir: state, approvals: { request: async () => ({ decision: "deny" }) } },
  };
}

async function attempt(f: () => Promise<string>): Promise<string> {
  try {
    return await f();
  } catch (e) {
    return `REFUSED: ${(e as Error).message}`;
  }
}
const exec = (command: string) => attempt(() => execTool.execute({ command, timeoutSeconds: 20 }, ctx()));
const write = (path: string, content: string) => attempt(() => writeTool.execute(writeTool.inputSchema.parse({ path, content }), ctx()));
const hook = (name: string) => `#!/bin/sh\necho ran > ${JSON.stringify(join(marker, name))}\n`;
const ran = (name: string) => existsSync(join(marker, name));

describe.skipIf(GIT === null)("git in the workspace cannot be turned into a code runner", () => {
  beforeAll(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), "sc-git-")));
    state = join(root, "state");
    marker = join(root, "markers");
    mkdirSync(state);
    mkdirSync(marker);
    const allowlist = ["git", "sort", "sed", "echo", "tar"]
      .map(which)
      .filter((p): p is string => p !== null)
      .map((p, i) => ({ id: `e${i}`, pattern: escapeGlob(p), args: ["*"], source: "manual", createdAt: 0 }));
    writeFileSync(join(state, "exec-approvals.json"), JSON.stringify({ version: 1, agents: { main: { allowlist } } }), { mode: 0o600 });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeEach(() => {
    ws = join(root, `ws-${Math.random().toString(36).slice(2)}`);
    mkdirSync(ws);
    rmSync(marker, { recursive: true, force: true });
    mkdirSync(marker);
  });

  function initRepo(): void {
    const git = (...a: string[]) => execFileSync(GIT!, a, { cwd: ws, env: { PATH, HOME: root, GIT_CONFIG_NOSYSTEM: "1" }, stdio: "pipe" });
    git("init", "-q", "-b", "main");
    git("config", "user.email", "agent@example.invalid");
    git("config", "user.name", "agent");
    writeFileSync(join(ws, "notes.txt"), "one\n");
  }

  describe("the agent's own writes never reach .git", () => {
    it("write and edit refuse hooks, config and a .git file; .gitignore and .github stay writable", async () => {
      initRepo();
      for (const p of [".git/hooks/pre-commit", ".git/config", "sub/.git", "sub/.GIT/config", `${ws}/.git/hooks/post-checkout`, "./x/../.git/hooks/pre-push"]) {
        expect(await write(p, hook("w")), p).toMatch(/REFUSED: .*git metadata/);
      }
      expect(existsSync(join(ws, ".git", "hooks", "pre-commit"))).toBe(false);
      expect(existsSync(join(ws, "sub"))).toBe(false);
      const edit = await attempt(() => editTool.execute(editTool.inputSchema.parse({ path: ".git/description", oldText: "Unnamed", newText: "x" }), ctx()));
      expect(edit).toMatch(/REFUSED: .*git metadata/);
      // Positive controls: names that only look like it.
      expect(await write(".gitignore", "node_modules\n")).not.toMatch(/REFUSED/);
      expect(await write(".github/workflows/ci.yml", "on: push\n")).not.toMatch(/REFUSED/);
      expect(await write("git/config", "x\n")).not.toMatch(/REFUSED/);
      expect(readFileSync(join(ws, ".gitignore"), "utf8")).toBe("node_modules\n");
    });

    it("apply_patch refuses a patch that creates a hook and writes nothing else from it", async () => {
      initRepo();
      const patch = [
        "--- /dev/null",
        "+++ b/ok.txt",
        "@@ -0,0 +1 @@",
        "+fine",
        "--- /dev/null",
        "+++ b/.git/hooks/pre-commit",
        "@@ -0,0 +1,2 @@",
        "+#!/bin/sh",
        "+id",
        "",
      ].join("\n");
      const r = await attempt(() => applyPatchTool.execute(applyPatchTool.inputSchema.parse({ patch }), ctx()));
      expect(r).toMatch(/REFUSED: .*git metadata/);
      expect(existsSync(join(ws, ".git", "hooks", "pre-commit"))).toBe(false);
      expect(existsSync(join(ws, "ok.txt"))).toBe(false);
    });

    it("exec: redirections and profiled programs' output files into .git are a miss; elsewhere they run", async () => {
      initRepo();
      for (const cmd of [
        "echo '[core] fsmonitor = id' > .git/config",
        "echo x >> .git/hooks/pre-commit",
        "sort -o .git/hooks/pre-commit notes.txt",
        "tar -xf a.tar -C .git/hooks",
        "sed -n 1p notes.txt > sub/../.git/info/exclude",
      ]) {
        expect(await exec(cmd), cmd).toMatch(/REFUSED: .*(git metadata|outside the workspace)/);
      }
      expect(readFileSync(join(ws, ".git", "config"), "utf8")).not.toContain("fsmonitor");
      expect(await exec("echo hi > out.txt")).not.toMatch(/REFUSED/);
      expect(await exec("sort -o sorted.txt notes.txt")).not.toMatch(/REFUSED/);
      expect(readFileSync(join(ws, "out.txt"), "utf8")).toBe("hi\n");
    });
  });

  describe("repository files that got there another way do not run (GIT_HARDENING)", () => {
    it("a planted pre-commit hook does not run on git commit; the commit is made", async () => {
      initRepo();
      writeFileSync(join(ws, ".git", "hooks", "pre-commit"), hook("pre-commit"));
      chmodSync(join(ws, ".git", "hooks", "pre-commit"), 0o755);
      const out = await exec("git add notes.txt && git commit -q -m first && git log --oneline");
      expect(out).not.toMatch(/REFUSED/);
      expect(out).toMatch(/first/);
      expect(ran("pre-commit")).toBe(false);
      // Control: the same repository outside SimpleClaw's exec does run the hook.
      execFileSync(GIT!, ["commit", "-q", "--allow-empty", "-m", "second"], { cwd: ws, env: { PATH, HOME: root, GIT_CONFIG_NOSYSTEM: "1" } });
      expect(ran("pre-commit")).toBe(true);
    });

    it("a planted core.fsmonitor does not run on git status", async () => {
      initRepo();
      execFileSync(GIT!, ["config", "core.fsmonitor", `echo ran > ${join(marker, "fsmonitor")}; true`], { cwd: ws, env: { PATH, HOME: root } });
      const out = await exec("git status --short");
      expect(out).not.toMatch(/REFUSED/);
      expect(out).toMatch(/notes\.txt/);
      expect(ran("fsmonitor")).toBe(false);
    });

    it("a workspace dressed up as a bare repository is not used as one", async () => {
      // HEAD, config, objects/, refs/ and hooks/ are ordinary file names the agent may write.
      execFileSync(GIT!, ["init", "-q", "--bare", "."], { cwd: ws, env: { PATH, HOME: root } });
      writeFileSync(join(ws, "hooks", "reference-transaction"), hook("bare"));
      chmodSync(join(ws, "hooks", "reference-transaction"), 0o755);
      const out = await exec("git tag v1");
      expect(out).toMatch(/bare repository/);
      expect(ran("bare")).toBe(false);
    });
  });
});
