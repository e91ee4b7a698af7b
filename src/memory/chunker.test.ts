import { describe, expect, it } from "vitest";
import { chunkMarkdown, estimateTokens } from "./chunker.js";

const linesOf = (text: string) => text.split("\n");

/** The file's lines startLine..endLine, joined: what a chunk must equal (no overlap cuts mid-line). */
function slice(text: string, start: number, end: number): string {
  return linesOf(text)
    .slice(start - 1, end)
    .join("\n");
}

describe("chunkMarkdown", () => {
  it("keeps a small file as one chunk with its line range", () => {
    const text = "# Memory\n\n- likes tea\n- lives in Lyon\n";
    expect(chunkMarkdown(text)).toEqual([{ startLine: 1, endLine: 4, text: "# Memory\n\n- likes tea\n- lives in Lyon" }]);
  });

  it("gives no chunks for empty or blank text", () => {
    expect(chunkMarkdown("")).toEqual([]);
    expect(chunkMarkdown("\n\n   \n")).toEqual([]);
  });

  it("splits a long file into ~maxTokens chunks that overlap and cover every line", () => {
    const text = Array.from({ length: 300 }, (_, i) => `line ${i + 1}: ${"word ".repeat(8)}`).join("\n");
    const chunks = chunkMarkdown(text, { maxTokens: 100, overlapTokens: 20 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) {
      expect(estimateTokens(c.text)).toBeLessThanOrEqual(100);
      expect(c.text).toBe(slice(text, c.startLine, c.endLine)); // exact text of its lines
    }
    expect(chunks[0]!.startLine).toBe(1);
    expect(chunks.at(-1)!.endLine).toBe(300);
    for (let i = 1; i < chunks.length; i++) {
      // overlap: the next chunk starts inside the previous one, but makes progress
      expect(chunks[i]!.startLine).toBeLessThanOrEqual(chunks[i - 1]!.endLine);
      expect(chunks[i]!.startLine).toBeGreaterThan(chunks[i - 1]!.startLine);
      expect(chunks[i]!.endLine).toBeGreaterThan(chunks[i - 1]!.endLine);
    }
  });

  it("without overlap, chunks are contiguous", () => {
    const text = Array.from({ length: 100 }, (_, i) => `l${i + 1} ${"x".repeat(30)}`).join("\n");
    const chunks = chunkMarkdown(text, { maxTokens: 50, overlapTokens: 0 });
    for (let i = 1; i < chunks.length; i++) expect(chunks[i]!.startLine).toBe(chunks[i - 1]!.endLine + 1);
  });

  it("prefers to start a chunk at a heading once the chunk is half full", () => {
    const section = (n: number) => `## Section ${n}\n${Array.from({ length: 6 }, () => "some text about it here").join("\n")}`;
    const text = [section(1), section(2), section(3)].join("\n");
    const chunks = chunkMarkdown(text, { maxTokens: 60, overlapTokens: 10 });
    expect(chunks.map((c) => c.text.split("\n")[0])).toEqual(["## Section 1", "## Section 2", "## Section 3"]);
  });

  it("cuts a single huge line into pieces that keep its line number", () => {
    const text = `intro\n${"a".repeat(5000)}\noutro`;
    const chunks = chunkMarkdown(text, { maxTokens: 100, overlapTokens: 0 });
    expect(chunks.length).toBeGreaterThanOrEqual(12);
    expect(chunks.every((c) => c.text.length <= 400)).toBe(true);
    expect(chunks.filter((c) => c.startLine === 2 && c.endLine === 2).length).toBeGreaterThan(10);
    expect(chunks.map((c) => c.text).join("")).toContain("outro");
  });

  it("never splits a surrogate pair", () => {
    const text = "😀".repeat(1000);
    for (const c of chunkMarkdown(text, { maxTokens: 25, overlapTokens: 0 })) {
      expect(c.text).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/);
    }
  });

  it("treats CRLF like LF", () => {
    expect(chunkMarkdown("a\r\nb\r\n")).toEqual([{ startLine: 1, endLine: 2, text: "a\nb" }]);
  });
});
