// The Docker backend against a real engine. Skipped, with the reason printed, where no
// engine answers (this CI machine has only the docker CLI); the pure argument checks in
// src/sandbox/docker.test.ts always run.
import { mkdtempSync, mkdirSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { scrubEnv } from "../src/exec/runner.js";
import { runSandboxed, selectBackend } from "../src/sandbox/backend.js";
import { dockerAvailable } from "../src/sandbox/docker.js";

const status = await dockerAvailable();
if (!status.ok) console.warn(`skipping Docker sandbox tests: ${status.reason}`);

const base = mkdtempSync(join(tmpdir(), "sc-docker-"));
const state = join(base, "state");
const ws = join(state, "workspace");
mkdirSync(ws, { recursive: true });
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function run(command: string, network = false) {
  const backend = await selectBackend("docker");
  return runSandboxed(
    backend,
    { workspace: ws, cwd: ws, workspaceAccess: "rw", network, env: { ...scrubEnv(process.env), PATH: "/usr/bin:/bin" }, command: ["/bin/sh", "-c", command] },
    { timeoutMs: 120_000, maxOutputBytes: 65536, guard: { stateDir: state } },
  );
}

describe.skipIf(!status.ok)("docker sandbox", () => {
  it("runs as a non-root user with a read-only root and no network", async () => {
    const id = await run("id -u");
    expect(id.stdout.trim()).toBe("65534");
    const ro = await run("touch /etc/x");
    expect(ro.exitCode).not.toBe(0);
    const net = await run("cat /sys/class/net/*/operstate 2>/dev/null | wc -l; ls /sys/class/net");
    expect(net.stdout).not.toMatch(/eth0/);
  }, 180_000);

  it("sees the workspace read-write and nothing of the state dir", async () => {
    const w = await run("echo hi > inside.txt && ls " + state);
    expect(w.exitCode).toBe(0);
    expect(existsSync(join(ws, "inside.txt"))).toBe(true);
    expect(w.stdout.trim()).toBe("workspace");
  }, 180_000);
});

describe("docker backend selection", () => {
  it("an explicit docker backend never falls back to bwrap or the host", async () => {
    const b = await selectBackend("docker");
    if (status.ok) expect(b.name).toBe("docker");
    else {
      expect(b.name).toBe("none");
      if (b.name === "none") expect(b.reason).toMatch(/docker unavailable/);
    }
  });
});
