import { describe, expect, it } from "vitest";
import { chunkText } from "./chunk.js";

function fencesBalanced(s: string): boolean {
  return (s.match(/^```/gm) ?? []).length % 2 === 0;
}

describe("chunkText", () => {
  it("keeps short text whole", () => {
    expect(chunkText("hello", 4096)).toEqual(["hello"]);
    expect(chunkText("   ", 4096)).toEqual([]);
  });

  it("splits on paragraphs and never exceeds the limit", () => {
    const paras = Array.from({ length: 30 }, (_, i) => `Paragraph ${i} ` + "word ".repeat(60).trim());
    const chunks = chunkText(paras.join("\n\n"), 2000);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(2000);
    // every paragraph survives intact inside one chunk
    for (const p of paras) expect(chunks.some((c) => c.includes(p))).toBe(true);
    expect(chunks.join("\n\n")).toBe(paras.join("\n\n"));
  });

  it("never splits inside a code block that fits", () => {
    const code = "```ts\n" + Array.from({ length: 40 }, (_, i) => `const line${i} = ${i};`).join("\n") + "\n```";
    const text = "intro ".repeat(300).trim() + "\n\n" + code + "\n\nafter";
    const chunks = chunkText(text, 2000);
    expect(chunks.some((c) => c.includes(code))).toBe(true);
    for (const c of chunks) expect(fencesBalanced(c)).toBe(true);
  });

  it("re-fences a code block longer than one message", () => {
    const body = Array.from({ length: 400 }, (_, i) => `echo ${i}`).join("\n");
    const chunks = chunkText("```sh\n" + body + "\n```", 1000);
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(1000);
      expect(c.startsWith("```sh\n")).toBe(true);
      expect(c.endsWith("\n```")).toBe(true);
    }
    const lines = chunks.flatMap((c) => c.split("\n").slice(1, -1));
    expect(lines.join("\n")).toBe(body);
  });

  it("hard-splits a single huge word", () => {
    const chunks = chunkText("x".repeat(10_000), 4096);
    expect(chunks.map((c) => c.length)).toEqual([4096, 4096, 1808]);
  });

  it("respects each platform limit", () => {
    const text = "lorem ipsum ".repeat(2000);
    for (const limit of [4096, 2000, 4000]) for (const c of chunkText(text, limit)) expect(c.length).toBeLessThanOrEqual(limit);
  });
});
