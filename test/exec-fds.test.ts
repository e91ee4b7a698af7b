// Only fds 0–2 reach a command. A process started with extra open descriptors (like a
// gateway launched from a shell that did `exec 5>file`, or a supervisor's socket) runs
// commands through the runner, unsandboxed and in the real bubblewrap sandbox; the
// commands list their descriptors and try to write through fd 5 and fd 40. The host
// files must stay empty. Uses the built dist/ (npm test builds first).
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { bwrapAvailable } from "../src/sandbox/bwrap.js";
import { missing } from "./helpers/system-deps.js";

const REPO_ROOT = join(import.meta.dirname, "..");
const dist = (p: string) => JSON.stringify(pathToFileURL(join(REPO_ROOT, "dist", p)).href);
const status = await bwrapAvailable();
const noBwrap = await missing("bubblewrap", import.meta.url);
const root = mkdtempSync(join(tmpdir(), "sc-fds-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// fd 5 is within dash's single-digit redirection range (`>&5`); fd 40 is reached by path.
const PROBE = "ls /proc/self/fd | tr '\\n' ' '; echo; echo leak5 >&5; echo leak40 > /proc/self/fd/40; echo done";

/** Start a node process holding host files open on fd 5 and fd 40 (no close-on-exec) and run `script` in it. */
function runWithExtraFds(script: string): Promise<{ out: string; err: string; file5: string; file40: string }> {
  const f5 = join(root, `fd5-${Math.random()}`);
  const f40 = join(root, `fd40-${Math.random()}`);
  const h5 = openSync(f5, "w");
  const h40 = openSync(f40, "w");
  const stdio: Array<"ignore" | "pipe" | number> = ["ignore", "pipe", "pipe"];
  for (let i = 3; i <= 40; i++) stdio.push(i === 5 ? h5 : i === 40 ? h40 : "ignore");
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio });
  closeSync(h5);
  closeSync(h40);
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  return new Promise((resolve) =>
    child.on("close", () => resolve({ out, err, file5: readFileSync(f5, "utf8"), file40: readFileSync(f40, "utf8") })),
  );
}

const fdList = (out: string) => out.split("\n")[0]!.trim().split(/\s+/).map(Number);

describe("commands see only fds 0-2", () => {
  it("control: the launched process itself can write through fd 5 and fd 40", async () => {
    const r = await runWithExtraFds(`import { writeSync } from "node:fs"; writeSync(5, "own5"); writeSync(40, "own40");`);
    expect(r.file5).toBe("own5");
    expect(r.file40).toBe("own40");
  });

  it("an unsandboxed command cannot write through inherited descriptors", async () => {
    const r = await runWithExtraFds(`
      import { runProcess } from ${dist("exec/runner.js")};
      const r = await runProcess({ file: "/bin/sh", args: ["-c", ${JSON.stringify(PROBE)}], cwd: "/", env: { PATH: "/usr/bin:/bin" }, timeoutMs: 10000, maxOutputBytes: 65536 });
      process.stdout.write(r.stdout); process.stderr.write(r.stderr);`);
    expect(r.out).toContain("done");
    // ls's own directory handle is fd 3; nothing else beyond stdio.
    expect(fdList(r.out).filter((fd) => fd > 3)).toEqual([]);
    expect(r.file5).toBe("");
    expect(r.file40).toBe("");
  });

  it.skipIf(noBwrap || !status.ok)("a bwrap-sandboxed command cannot write through inherited descriptors", async () => {
    const ws = mkdtempSync(join(root, "ws-"));
    const r = await runWithExtraFds(`
      import { runSandboxed } from ${dist("sandbox/backend.js")};
      const backend = { name: "bwrap", bin: "bwrap", features: ${JSON.stringify(status.features ?? {})} };
      const r = await runSandboxed(backend, { workspace: ${JSON.stringify(ws)}, cwd: ${JSON.stringify(ws)}, workspaceAccess: "rw", network: false, env: { PATH: "/usr/bin:/bin" }, command: ["/bin/sh", "-c", ${JSON.stringify(PROBE)}] }, { timeoutMs: 20000, maxOutputBytes: 65536 });
      process.stdout.write(r.stdout); process.stderr.write(r.stderr);`);
    expect(r.out).toContain("done");
    expect(fdList(r.out).filter((fd) => fd > 3)).toEqual([]);
    expect(r.file5).toBe("");
    expect(r.file40).toBe("");
  });
});
