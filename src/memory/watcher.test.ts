import { describe, expect, it } from "vitest";
import { watchRelevant } from "./watcher.js";

const t = { workspace: "/ws", extras: ["/notes/vault", "/ws/journal"] };

describe("watchRelevant", () => {
  it("follows MEMORY.md and memory/ in the workspace, nothing else there", () => {
    expect(watchRelevant("/ws", false, t)).toBe(true);
    expect(watchRelevant("/ws/MEMORY.md", true, t)).toBe(true);
    expect(watchRelevant("/ws/memory", false, t)).toBe(true);
    expect(watchRelevant("/ws/memory/2026-11-20.md", true, t)).toBe(true);
    expect(watchRelevant("/ws/memory/deep/er/x.md", true, t)).toBe(true);
    expect(watchRelevant("/ws/memory/deep", undefined, t)).toBe(true);
    expect(watchRelevant("/ws/AGENTS.md", true, t)).toBe(false);
    expect(watchRelevant("/ws/src", false, t)).toBe(false);
    expect(watchRelevant("/ws/node_modules", false, t)).toBe(false);
    expect(watchRelevant("/ws/memory/photo.jpg", true, t)).toBe(false);
    expect(watchRelevant("/ws/memory/.MEMORY.md.123.tmp", true, t)).toBe(false);
    expect(watchRelevant("/ws/memory/.git", false, t)).toBe(false);
  });

  it("follows extraPaths, inside or outside the workspace", () => {
    expect(watchRelevant("/notes/vault", false, t)).toBe(true);
    expect(watchRelevant("/notes/vault/a/b.md", true, t)).toBe(true);
    expect(watchRelevant("/notes/vault/a/b.pdf", true, t)).toBe(false);
    expect(watchRelevant("/ws/journal/x.md", true, t)).toBe(true);
    expect(watchRelevant("/notes/other.md", true, t)).toBe(false);
  });
});
