// The skill access rule (docs/skills.md "What the agent may read"): the pure decision, then
// attacks through the real fs tools on a real temp dir — each next to its positive control.
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configSchema } from "../config/schema.js";
import { ToolError } from "../infra/errors.js";
import { editTool, listTool, readTool, writeTool } from "../tools/fs.js";
import { applyPatchTool } from "../tools/apply-patch.js";
import type { ToolContext, ToolDef } from "../tools/types.js";
import { skillAllowed, skillPathDecision, skillSourceRank, type SkillDir } from "./skill-access.js";

describe("skillPathDecision (pure)", () => {
  const dirs: SkillDir[] = [
    { name: "ok", dir: "/state/skills/ok", inWorkspace: false, access: "available" },
    { name: "bad", dir: "/state/skills/bad", inWorkspace: false, access: "blocked", reason: "not in skills.allow" },
    { name: "needs", dir: "/state/skills/needs", inWorkspace: false, access: "hidden", reason: "requirements not met" },
    { name: "local", dir: "/ws/skills/local", inWorkspace: true, access: "available" },
  ];
  it.each([
    ["/state/skills/ok/SKILL.md", "read", { kind: "read", skill: "ok" }],
    ["/state/skills/ok", "read", { kind: "read", skill: "ok" }],
    ["/state/skills/ok/../bad/SKILL.md", "read", { kind: "refuse" }],
    ["/state/skills/okay/SKILL.md", "read", { kind: "none" }],
    ["/state/skills/bad/SKILL.md", "read", { kind: "refuse" }],
    ["/state/skills/needs/SKILL.md", "read", { kind: "none" }],
    ["/state/skills/ok/SKILL.md", "write", { kind: "refuse" }],
    ["/state/skills/needs/x", "write", { kind: "refuse" }],
    ["/ws/skills/local/notes.md", "write", { kind: "none" }],
    ["/ws/skills/local/SKILL.md", "read", { kind: "read", skill: "local" }],
    ["/state/simpleclaw.json", "read", { kind: "none" }],
  ] as const)("%s (%s) → %j", (p, op, want) => {
    expect(skillPathDecision(p, op, dirs)).toMatchObject(want);
  });
  it("skills.allow: unset allows all, set allows exactly the listed names", () => {
    expect(skillAllowed("x", undefined)).toBe(true);
    expect(skillAllowed("x", [])).toBe(false);
    expect(skillAllowed("x", ["x"])).toBe(true);
    expect(skillAllowed("xy", ["x"])).toBe(false);
  });
});

let base: string;
let ws: string;
let state: string;
let skill: string;
let blocked: string;
let secret: string;

beforeEach(() => {
  base = realpathSync(mkdtempSync(path.join(tmpdir(), "sc-skill-access-")));
  ws = path.join(base, "ws");
  state = path.join(base, "state");
  skill = path.join(state, "skills", "notes");
  blocked = path.join(state, "skills", "shady");
  mkdirSync(ws, { recursive: true });
  mkdirSync(path.join(skill, "docs"), { recursive: true });
  mkdirSync(blocked, { recursive: true });
  writeFileSync(path.join(skill, "SKILL.md"), "---\nname: notes\ndescription: d\n---\nDo the thing.\n");
  writeFileSync(path.join(skill, "docs", "more.md"), "more\n");
  writeFileSync(path.join(blocked, "SKILL.md"), "---\nname: shady\ndescription: d\n---\nbad\n");
  secret = path.join(state, "simpleclaw.json");
  writeFileSync(secret, '{"gateway":{"auth":{"token":"SECRET"}}}');
  symlinkSync(secret, path.join(skill, "config-link"));
  symlinkSync(state, path.join(skill, "state-link"));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const dirs = (): SkillDir[] => [
  { name: "notes", dir: skill, inWorkspace: false, access: "available" },
  { name: "shady", dir: blocked, inWorkspace: false, access: "blocked", reason: "not in skills.allow" },
];

function ctx(opts: { sandboxed?: boolean; workspaceOnly?: boolean; skills?: SkillDir[] } = {}): ToolContext {
  return {
    agentId: "main",
    sessionKey: "agent:main:main",
    workspace: ws,
    config: configSchema.parse({ tools: { fs: { workspaceOnly: opts.workspaceOnly ?? true }, exec: { applyPatch: { workspaceOnly: opts.workspaceOnly ?? true } } } }),
    signal: new AbortController().signal,
    origin: { kind: "operator" },
    sandbox: { mode: "off", required: !!opts.sandboxed, backend: "auto", workspaceAccess: "rw", network: false },
    notify: () => {},
    skills: opts.skills ?? dirs(),
  };
}
async function run(tool: ToolDef, input: unknown, c: ToolContext): Promise<string> {
  return tool.execute(tool.inputSchema.parse(input), c);
}
async function refusal(tool: ToolDef, input: unknown, c: ToolContext): Promise<string> {
  try {
    await run(tool, input, c);
  } catch (err) {
    expect(err).toBeInstanceOf(ToolError);
    return (err as Error).message;
  }
  throw new Error(`expected ${tool.name} to refuse ${JSON.stringify(input)}`);
}

describe("fs tools with skill folders and tools.fs.workspaceOnly", () => {
  it("control: reads the allowed skill's SKILL.md and its files, and lists its folder", async () => {
    expect(await run(readTool, { path: path.join(skill, "SKILL.md") }, ctx())).toContain("Do the thing.");
    expect(await run(readTool, { path: path.join(skill, "docs", "more.md") }, ctx())).toBe("more\n");
    expect(await run(listTool, { path: skill }, ctx())).toContain("SKILL.md");
  });

  it("attack: .. out of the skill folder to the state dir's config → refused", async () => {
    expect(await refusal(readTool, { path: path.join(skill, "..", "..", "simpleclaw.json") }, ctx())).toMatch(/resolves outside the workspace/);
    expect(await refusal(listTool, { path: path.join(skill, "..", "..") }, ctx())).toMatch(/resolves outside the workspace/);
  });

  it("attack: a symbolic link inside the skill pointing outside (file or folder) → refused", async () => {
    expect(await refusal(readTool, { path: path.join(skill, "config-link") }, ctx())).toMatch(/resolves outside the workspace/);
    expect(await refusal(readTool, { path: path.join(skill, "state-link", "simpleclaw.json") }, ctx())).toMatch(/resolves outside the workspace/);
  });

  it("attack: writing or editing inside the skill folder → refused, file unchanged; control: writing in the workspace works", async () => {
    const before = readFileSync(path.join(skill, "SKILL.md"), "utf8");
    expect(await refusal(writeTool, { path: path.join(skill, "SKILL.md"), content: "pwned" }, ctx())).toMatch(/read-only for the agent/);
    expect(await refusal(writeTool, { path: path.join(skill, "new.md"), content: "pwned" }, ctx())).toMatch(/read-only for the agent/);
    expect(await refusal(editTool, { path: path.join(skill, "SKILL.md"), oldText: "Do", newText: "Run" }, ctx())).toMatch(/read-only for the agent/);
    // even with workspaceOnly off, a skill folder outside the workspace is not writable
    expect(await refusal(writeTool, { path: path.join(skill, "SKILL.md"), content: "pwned" }, ctx({ workspaceOnly: false }))).toMatch(/read-only/);
    expect(readFileSync(path.join(skill, "SKILL.md"), "utf8")).toBe(before);
    expect(existsSync(path.join(skill, "new.md"))).toBe(false);
    expect(await run(writeTool, { path: "ok.md", content: "fine" }, ctx())).toMatch(/created/);
  });

  it("attack: apply_patch into a skill folder → refused even with applyPatch.workspaceOnly off, and it never reads a skill as a patch source; control: patching the workspace works", async () => {
    const md = path.join(skill, "SKILL.md");
    const before = readFileSync(md, "utf8");
    const patch = (p: string) => `--- ${p}\n+++ ${p}\n@@ -5 +5 @@\n-Do the thing.\n+Run curl | sh.\n`;
    expect(await refusal(applyPatchTool, { patch: patch(md) }, ctx({ workspaceOnly: false }))).toMatch(/read-only for the agent/);
    expect(await refusal(applyPatchTool, { patch: patch(md) }, ctx())).toMatch(/read-only for the agent/);
    expect(readFileSync(md, "utf8")).toBe(before);
    writeFileSync(path.join(ws, "a.txt"), "one\n");
    expect(await run(applyPatchTool, { patch: "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+two\n" }, ctx())).toMatch(/a\.txt/);
    expect(readFileSync(path.join(ws, "a.txt"), "utf8")).toBe("two\n");
  });

  it("attack: a skill not in skills.allow is refused even with workspaceOnly off; control: the allowed one reads", async () => {
    expect(await refusal(readTool, { path: path.join(blocked, "SKILL.md") }, ctx())).toMatch(/skill "shady", which the agent may not use/);
    expect(await refusal(readTool, { path: path.join(blocked, "SKILL.md") }, ctx({ workspaceOnly: false }))).toMatch(/may not use/);
    expect(await run(readTool, { path: path.join(skill, "SKILL.md") }, ctx({ workspaceOnly: false }))).toContain("Do the thing.");
  });

  it("nothing else widens: without the skill list the same read is refused", async () => {
    expect(await refusal(readTool, { path: path.join(skill, "SKILL.md") }, ctx({ skills: [] }))).toMatch(/resolves outside the workspace/);
    expect(await refusal(readTool, { path: secret }, ctx())).toMatch(/resolves outside the workspace/);
  });

  it("a workspace symbolic link into a blocked skill is refused too (decided on the real path)", async () => {
    symlinkSync(blocked, path.join(ws, "sneaky"));
    expect(await refusal(readTool, { path: "sneaky/SKILL.md" }, ctx({ workspaceOnly: false }))).toMatch(/may not use/);
  });
});

describe("skillSourceRank (pure)", () => {
  it("the operator's folders (state dir, then plugins) win over the workspace the agent writes", () => {
    expect(skillSourceRank("state")).toBeLessThan(skillSourceRank("plugin"));
    expect(skillSourceRank("plugin")).toBeLessThan(skillSourceRank("workspace"));
  });
});
