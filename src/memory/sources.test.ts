import { describe, expect, it } from "vitest";
import { extraPathsAbsolute, memoryDisplayPath, memoryPathDecision, type MemoryRoot } from "./sources.js";

const roots: MemoryRoot[] = [
  { path: "/ws/MEMORY.md", kind: "file", source: "workspace", label: "MEMORY.md" },
  { path: "/ws/memory", kind: "dir", source: "workspace", label: "memory/" },
  { path: "/vault", kind: "dir", source: "extra", label: "/vault" },
  { path: "/one/file.md", kind: "file", source: "extra", label: "/one/file.md" },
];

describe("memoryPathDecision", () => {
  it("allows MEMORY.md, notes under memory/ and extraPaths", () => {
    for (const p of ["/ws/MEMORY.md", "/ws/memory/a.md", "/ws/memory/x/y/z.MD", "/vault/n.md", "/one/file.md"]) {
      expect(memoryPathDecision(p, roots).ok, p).toBe(true);
    }
  });
  it("refuses everything else", () => {
    for (const p of ["/ws/AGENTS.md", "/ws/memory.md", "/ws/memoryx/a.md", "/ws/memory", "/vault", "/one/other.md", "/etc/passwd", "/ws/memory/a.txt", "/vaultx/a.md"]) {
      expect(memoryPathDecision(p, roots).ok, p).toBe(false);
    }
  });
});

describe("paths", () => {
  it("resolves extraPaths against the workspace and ~", () => {
    expect(extraPathsAbsolute("/ws", ["notes", "/abs", "../up"])).toEqual(["/ws/notes", "/abs", "/up"]);
    expect(extraPathsAbsolute("/ws", ["~/n"])[0]).toMatch(/^\/.+\/n$/);
  });
  it("shows workspace files relative, others absolute", () => {
    expect(memoryDisplayPath("/ws/memory/a.md", "/ws")).toBe("memory/a.md");
    expect(memoryDisplayPath("/vault/a.md", "/ws")).toBe("/vault/a.md");
  });
});
