import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildSystemPrompt, PER_FILE_MAX_CHARS, TOTAL_MAX_CHARS } from "./prompt.js";
import { seedWorkspace } from "./workspace.js";

const base = { agentId: "main", workspace: "/ws", tools: [], sandbox: "off", now: new Date("2026-11-25T12:00:00Z"), timeZone: "UTC" };

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
