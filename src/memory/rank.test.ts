import { describe, expect, it } from "vitest";
import { cosine, noteDate, rankCandidates, recencyFactor, type Candidate, type RankOptions } from "./rank.js";

const now = new Date("2026-11-20T12:00:00Z");
const base: RankOptions = { vectors: false, vectorWeight: 0.7, keywordWeight: 0.3, recencyWeight: 0.3, halfLifeDays: 30, now, maxResults: 10 };
let nextId = 1;
const cand = (path: string, extra: Partial<Candidate>): Candidate => ({ id: nextId++, path, startLine: 1, endLine: 5, text: path, ...extra });

describe("noteDate", () => {
  it("finds a date in the file or folder name", () => {
    expect(noteDate("memory/2026-11-20.md")).toBe("2026-11-20");
    expect(noteDate("memory/2026-11-20-standup.md")).toBe("2026-11-20");
    expect(noteDate("memory/journal/2026-01-02/notes.md")).toBe("2026-01-02");
    expect(noteDate("/home/me/notes/daily 2025-12-31.md")).toBe("2025-12-31");
  });
  it("treats MEMORY.md, undated notes and impossible dates as evergreen", () => {
    expect(noteDate("MEMORY.md")).toBeUndefined();
    expect(noteDate("memory/people.md")).toBeUndefined();
    expect(noteDate("memory/2026-02-30.md")).toBeUndefined();
    expect(noteDate("memory/12026-11-200.md")).toBeUndefined();
  });
});

describe("recencyFactor", () => {
  it("is 1 for evergreen notes and fresh notes, and decays toward 1 - weight", () => {
    expect(recencyFactor(undefined, now, 0.3, 30)).toBe(1);
    expect(recencyFactor("2026-11-20", now, 0.3, 30)).toBe(1);
    expect(recencyFactor("2026-10-20", now, 0.3, 30)).toBeCloseTo(0.7 + 0.3 * 0.5, 1);
    expect(recencyFactor("2016-01-01", now, 0.3, 30)).toBeCloseTo(0.7, 5);
    expect(recencyFactor("2030-01-01", now, 0.3, 30)).toBe(1); // future notes do not boost
  });
  it("is off with weight 0 or half-life 0", () => {
    expect(recencyFactor("2016-01-01", now, 0, 30)).toBe(1);
    expect(recencyFactor("2016-01-01", now, 0.3, 0)).toBe(1);
  });
});

describe("rankCandidates", () => {
  it("keyword-only: orders by bm25, best hit scores 1", () => {
    const r = rankCandidates([cand("memory/a.md", { bm25: -2 }), cand("memory/b.md", { bm25: -8 }), cand("memory/c.md", { bm25: -4 })], base);
    expect(r.map((x) => x.path)).toEqual(["memory/b.md", "memory/c.md", "memory/a.md"]);
    expect(r[0]!.score).toBe(1);
    expect(r[1]!.score).toBeCloseTo(0.5);
  });

  it("an old dated note loses to an equally relevant evergreen one; a fresh one ties", () => {
    const r = rankCandidates(
      [cand("memory/2025-01-01.md", { bm25: -5 }), cand("MEMORY.md", { bm25: -5 }), cand("memory/2026-11-19.md", { bm25: -5 })],
      base,
    );
    expect(r.map((x) => x.path)).toEqual(["MEMORY.md", "memory/2026-11-19.md", "memory/2025-01-01.md"]);
    expect(r[2]!.date).toBe("2025-01-01");
    expect(r[2]!.score).toBeGreaterThan(0.69); // decay is bounded by the recency weight
  });

  it("recency reorders close scores but not strong relevance gaps", () => {
    const r = rankCandidates([cand("memory/2024-01-01.md", { bm25: -10 }), cand("memory/2026-11-18.md", { bm25: -6 })], base);
    expect(r[0]!.path).toBe("memory/2024-01-01.md"); // 0.7 > 0.6
    const r2 = rankCandidates([cand("memory/2024-01-01.md", { bm25: -10 }), cand("memory/2026-11-18.md", { bm25: -8 })], base);
    expect(r2[0]!.path).toBe("memory/2026-11-18.md"); // 0.8 > 0.7
  });

  it("hybrid: weights vector and keyword scores", () => {
    const opts = { ...base, vectors: true };
    const r = rankCandidates(
      [
        cand("memory/kw-only.md", { bm25: -3 }), // 0.3 * 1
        cand("memory/vec-only.md", { cosine: 0.9 }), // 0.7 * 0.9 = 0.63
        cand("memory/both.md", { bm25: -1.5, cosine: 0.6 }), // 0.3 * 0.5 + 0.7 * 0.6 = 0.57
      ],
      opts,
    );
    expect(r.map((x) => x.path)).toEqual(["memory/vec-only.md", "memory/both.md", "memory/kw-only.md"]);
    expect(r[0]!.score).toBeCloseTo(0.63);
    expect(r[1]!.score).toBeCloseTo(0.57);
    expect(r[2]!.score).toBeCloseTo(0.3);
  });

  it("drops non-positive scores and caps at maxResults", () => {
    const r = rankCandidates(
      [cand("memory/neg.md", { cosine: -0.5 }), ...Array.from({ length: 20 }, (_, i) => cand(`memory/n${i}.md`, { bm25: -(i + 1) }))],
      { ...base, vectors: true, maxResults: 5 },
    );
    expect(r).toHaveLength(5);
    expect(r.some((x) => x.path === "memory/neg.md")).toBe(false);
  });
});

describe("cosine", () => {
  it("measures direction, not length", () => {
    expect(cosine(new Float32Array([1, 0]), new Float32Array([5, 0]))).toBeCloseTo(1);
    expect(cosine(new Float32Array([1, 0]), new Float32Array([0, 3]))).toBeCloseTo(0);
    expect(cosine(new Float32Array([0, 0]), new Float32Array([1, 1]))).toBe(0);
  });
});
