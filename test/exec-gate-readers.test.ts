// The shared exec gate case table (src/security/exec-gate.cases.ts) through its other
// readers on the real filesystem: the exec tool and node system.run. Every program of the
// table that exists on this machine is allowlisted with any arguments and ask is off; a case
// runs here when all the programs it needs exist. Attacks must be refused with the gate's
// reason; positive controls must really run (the user sees an exit code, not a refusal).
import { linkSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../src/config/schema.js";
import { escapeGlob } from "../src/security/exec-allowlist.js";
import { fsResolver } from "../src/exec/resolve.js";
import { NODE_PATH, systemRun, systemRunParams } from "../src/node-host/system-run.js";
import { ALLOWLISTED, CASES } from "../src/security/exec-gate.cases.js";
import { execTool } from "../src/tools/exec.js";
import type { ToolContext } from "../src/tools/types.js";

const HOST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const found = (name: string) => {
  for (const dir of HOST_PATH.split(":")) {
    const r = fsResolver.executable(join(dir, name));
    if (r) return r;
  }
  return null;
};
const runnable = CASES.filter((c) => (c.needs ?? [c.command.split(" ")[0]!]).every((n) => found(n) !== null) && found(c.command.split(" ")[0]!) !== null);

let root: string;
let ws: string;
let state: string;
let nodeState: string;

beforeAll(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "sc-readers-")));
  ws = join(root, "ws");
  state = join(root, "state");
  nodeState = join(root, "node");
  for (const d of [ws, state, nodeState, join(ws, "dir"), join(ws, "out"), join(ws, "docs")]) mkdirSync(d, { recursive: true });
  for (const f of ["f", "data.txt", "a", "b", "c", "dir/x"]) writeFileSync(join(ws, f), "b 2\na 1\n");
  writeFileSync(join(ws, "Makefile"), "all:\n\t@echo made\n");
  // lnk -> a directory outside: `lnk/../x` is beside that directory, outside the workspace
  mkdirSync(join(root, "elsewhere", "sub"), { recursive: true });
  symlinkSync(join(root, "elsewhere", "sub"), join(ws, "lnk"));
  // out/planted -> a file outside, as an earlier `ln -s` could leave it
  writeFileSync(join(root, "elsewhere", "victim"), "victim\n");
  writeFileSync(join(ws, "planted"), "new\n");
  symlinkSync(join(root, "elsewhere", "victim"), join(ws, "out", "planted"));
  writeFileSync(join(ws, "dir", "Makefile"), "all:\n\t@echo made\n");
  // twin.txt shares its data with a file outside the workspace (a hard link).
  mkdirSync(join(root, "outside"));
  writeFileSync(join(root, "outside", "secret.txt"), "outside\n");
  linkSync(join(root, "outside", "secret.txt"), join(ws, "twin.txt"));
  const seen = new Set<string>();
  const allowlist = ALLOWLISTED.map((n) => found(n)).filter((p): p is string => p !== null && !seen.has(p) && !!seen.add(p)).map((p, i) => ({ id: `e${i}`, pattern: escapeGlob(p), args: ["*"], source: "manual", createdAt: 0 }));
  writeFileSync(join(state, "exec-approvals.json"), JSON.stringify({ version: 1, agents: { main: { allowlist } } }), { mode: 0o600 });
  writeFileSync(join(nodeState, "exec-approvals.json"), JSON.stringify({ version: 1, agents: { node: { allowlist } } }), { mode: 0o600 });
  writeFileSync(join(nodeState, "simpleclaw.json"), JSON.stringify({ tools: { exec: { ask: "off", nodeWorkspace: ws } } }), { mode: 0o600 });
});
afterAll(() => {
  // No refused command may have written through the hard link.
  expect(readFileSync(join(root, "outside", "secret.txt"), "utf8")).toBe("outside\n");
  rmSync(root, { recursive: true, force: true });
});

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

async function viaTool(command: string): Promise<string> {
  try {
    return await execTool.execute({ command, timeoutSeconds: 10 }, ctx());
  } catch (e) {
    return `REFUSED: ${(e as Error).message}`;
  }
}

async function viaNode(command: string): Promise<string> {
  try {
    const r = await systemRun(systemRunParams.parse({ command, timeoutMs: 10_000 }), { stateDir: nodeState, env: { SIMPLECLAW_STATE_DIR: nodeState }, ask: async () => "no-surface" });
    return `exit code ${r.exitCode}`;
  } catch (e) {
    return `REFUSED: ${(e as Error).message}`;
  }
}

describe("the shared case table through the exec tool and node system.run", () => {
  it("runs most of the table on this machine", () => {
    expect(runnable.length).toBeGreaterThanOrEqual(150);
    expect(NODE_PATH).toBe(HOST_PATH);
  });

  describe.each([
    ["exec tool", viaTool],
    ["node system.run", viaNode],
  ] as const)("%s", (_name, read) => {
    it.each(runnable.filter((c) => c.allow).map((c) => [c.command] as const))("positive control %j runs", async (command) => {
      expect(await read(command)).toMatch(/^exit code \d+/);
    });
    it.each(runnable.filter((c) => !c.allow).map((c) => [c.cls, c.command, c.why] as const))("%s attack %j is refused", async (_cls, command, why) => {
      const out = await read(command);
      expect(out).toMatch(/^REFUSED: /);
      if (why) expect(out).toMatch(why);
    });
  });
});
