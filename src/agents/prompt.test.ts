import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildSystemPrompt, PER_FILE_MAX_CHARS, PROMPT_FILES, TOTAL_MAX_CHARS } from "./prompt.js";
import { OWNER_ENTRIES } from "../security/owner-files.js";
import { seedWorkspace } from "./workspace.js";

const base = { agentId: "main", sessionKey: "agent:main:main", workspace: "/ws", tools: [], sandbox: "off", now: new Date("2026-11-25T12:00:00Z"), timeZone: "UTC" };

describe("buildSystemPrompt", () => {
  it("includes the files, tools, workspace, sandbox and date", () => {
    const p = buildSystemPrompt({
      ...base,
      tools: [{ name: "read", description: "Read a file." }],
      sandbox: "this session runs in a bubblewrap sandbox",
      files: { "AGENTS.md": "RULES-HERE", "SOUL.md": "PERSONA-HERE" },
    });
    expect(p).toContain("RULES-HERE");
    expect(p).toContain("PERSONA-HERE");
    expect(p).toContain("- read: Read a file.");
    expect(p).toContain("Workspace: /ws");
    expect(p).toContain("bubblewrap");
    expect(p).toContain("2026");
    expect(p).toContain("UTC");
  });

  it("caps each file and the total, with a marker", () => {
    const huge = "x".repeat(PER_FILE_MAX_CHARS + 500);
    const p = buildSystemPrompt({ ...base, files: { "AGENTS.md": huge, "SOUL.md": huge, "USER.md": huge, "MEMORY.md": huge } });
    expect(p).toContain("500 more characters of AGENTS.md not shown");
    expect(p.length).toBeLessThan(TOTAL_MAX_CHARS + 4_000);
    expect(p).toMatch(/more characters of MEMORY\.md not shown/);
  });
});

describe("buildSystemPrompt in a session other than the owner's main session", () => {
  const files = { "AGENTS.md": "RULES-HERE", "SOUL.md": "PERSONA-HERE", "USER.md": "OWNER-ADDRESS", "MEMORY.md": "DOOR-CODE-4711" };

  it("leaves out USER.md and MEMORY.md for a guest's DM session, a group, a job and the heartbeat (they were in every prompt before)", () => {
    for (const sessionKey of ["agent:main:telegram:direct:12345", "agent:main:slack:group:g1", "agent:main:cron:j1", "agent:main:heartbeat"]) {
      const p = buildSystemPrompt({ ...base, sessionKey, files });
      expect(p, sessionKey).not.toContain("OWNER-ADDRESS");
      expect(p, sessionKey).not.toContain("DOOR-CODE-4711");
      expect(p).not.toContain("## USER.md");
      expect(p).toContain("RULES-HERE");
      expect(p).toContain("PERSONA-HERE");
      expect(p).toContain("This is not the owner's main session");
    }
  });

  it("reads neither from the workspace for a guest; the main session reads all four (control)", () => {
    const dir = mkdtempSync(join(tmpdir(), "sc-prompt-"));
    try {
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      const guest = buildSystemPrompt({ ...base, workspace: dir, sessionKey: "agent:main:telegram:direct:12345" });
      expect(guest).not.toMatch(/OWNER-ADDRESS|DOOR-CODE-4711/);
      expect(guest).toContain("RULES-HERE");
      const owner = buildSystemPrompt({ ...base, workspace: dir });
      for (const text of Object.values(files)) expect(owner).toContain(text);
      expect(owner).not.toContain("This is not the owner's main session");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a guest's prompt does not follow a prompt file that is a symbolic link (planted by a sandboxed command where the owner has no SOUL.md: it read MEMORY.md or any host file into the guest's prompt); the owner's main session still does (control)", () => {
    const base_ = mkdtempSync(join(tmpdir(), "sc-prompt-"));
    const dir = join(base_, "ws");
    try {
      mkdirSync(dir);
      writeFileSync(join(base_, "host-secret.txt"), "HOST-TOKEN-9931");
      writeFileSync(join(dir, "MEMORY.md"), "DOOR-CODE-4711");
      writeFileSync(join(dir, "AGENTS.md"), "RULES-HERE");
      symlinkSync("MEMORY.md", join(dir, "SOUL.md"));
      const viaMemory = buildSystemPrompt({ ...base, workspace: dir, sessionKey: "agent:main:telegram:direct:12345" });
      expect(viaMemory).not.toContain("DOOR-CODE-4711");
      expect(viaMemory).toContain("RULES-HERE");
      rmSync(join(dir, "SOUL.md"));
      symlinkSync(join(base_, "host-secret.txt"), join(dir, "SOUL.md"));
      const viaHost = buildSystemPrompt({ ...base, workspace: dir, sessionKey: "agent:main:telegram:group:-100" });
      expect(viaHost).not.toContain("HOST-TOKEN-9931");
      // Control: the owner may keep a prompt file as a link (e.g. into a dotfiles repo).
      expect(buildSystemPrompt({ ...base, workspace: dir })).toContain("HOST-TOKEN-9931");
    } finally {
      rmSync(base_, { recursive: true, force: true });
    }
  });

  it("a prompt file that is a FIFO or not a regular file is left out, in every session (a FIFO named SOUL.md hung the gateway on its synchronous read)", () => {
    const dir = mkdtempSync(join(tmpdir(), "sc-prompt-"));
    try {
      writeFileSync(join(dir, "AGENTS.md"), "RULES-HERE");
      execFileSync("mkfifo", [join(dir, "SOUL.md")]);
      mkdirSync(join(dir, "USER.md"));
      for (const sessionKey of ["agent:main:main", "agent:main:telegram:direct:12345"]) {
        const p = buildSystemPrompt({ ...base, workspace: dir, sessionKey });
        expect(p).toContain("RULES-HERE");
        expect(p).not.toContain("## SOUL.md");
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the prompt files are the first owner entries of security/owner-files.ts", () => {
    expect(OWNER_ENTRIES.slice(0, PROMPT_FILES.length).map((e) => e.name)).toEqual([...PROMPT_FILES]);
  });
});

describe("seedWorkspace", () => {
  it("creates the templates once and never overwrites the owner's edits", () => {
    const dir = mkdtempSync(join(tmpdir(), "sc-ws-"));
    try {
      const ws = join(dir, "workspace");
      seedWorkspace(ws);
      for (const f of ["AGENTS.md", "SOUL.md", "USER.md", "MEMORY.md"]) expect(readFileSync(join(ws, f), "utf8").length).toBeGreaterThan(20);
      writeFileSync(join(ws, "SOUL.md"), "my own persona");
      seedWorkspace(ws);
      expect(readFileSync(join(ws, "SOUL.md"), "utf8")).toBe("my own persona");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
