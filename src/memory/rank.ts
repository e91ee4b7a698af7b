// Memory search, ranking: merges keyword (FTS5 BM25) and vector (cosine) candidates into
// one ordered list. Scores are weighted (memory.weights.vector / .keyword), then dated
// notes (memory/2026-11-20.md) fade with age (memory.weights.recency, halfLifeDays);
// MEMORY.md and undated notes are evergreen. Pure: candidates and a clock in, order out.

export interface Candidate {
  id: number;
  path: string;
  startLine: number;
  endLine: number;
  text: string;
  /** FTS5 bm25(): negative, more negative = better. Absent when no keyword hit. */
  bm25?: number;
  /** Cosine similarity with the query vector. Absent when no vector. */
  cosine?: number;
}

export interface RankOptions {
  /** Whether the query had a vector (embeddings on and the query embedded). */
  vectors: boolean;
  vectorWeight: number;
  keywordWeight: number;
  /** 0..1: how much of a dated note's score age can take away. 0 = no decay. */
  recencyWeight: number;
  halfLifeDays: number;
  now: Date;
  maxResults: number;
  /** Drop results below this final score. */
  minScore?: number;
}

export interface Ranked extends Candidate {
  score: number;
  keywordScore: number;
  vectorScore: number;
  /** The note's date, when its path carries one. */
  date?: string;
}

/**
 * The date a note is about, from its path: `memory/2026-11-20.md`,
 * `memory/2026-11-20-standup.md`, `memory/journal/2026-11-20.md`. `MEMORY.md` is
 * evergreen (undefined), as is any path without a valid date.
 */
export function noteDate(path: string): string | undefined {
  const parts = path.split(/[\\/]/);
  const base = parts.at(-1) ?? "";
  if (parts.length === 1 && base === "MEMORY.md") return undefined;
  for (let i = parts.length - 1; i >= 0; i--) {
    const m = /(?:^|[^0-9])(\d{4})-(\d{2})-(\d{2})(?![0-9])/.exec(parts[i]!);
    if (!m) continue;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const t = Date.UTC(y, mo - 1, d);
    const back = new Date(t);
    if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) continue;
    return `${m[1]}-${m[2]}-${m[3]}`;
  }
  return undefined;
}

/** Multiplier in [1 - recencyWeight, 1]: 1 for evergreen notes and today's, halving the decayable part every halfLifeDays. */
export function recencyFactor(date: string | undefined, now: Date, recencyWeight: number, halfLifeDays: number): number {
  if (!date || recencyWeight <= 0 || halfLifeDays <= 0) return 1;
  const w = Math.min(1, recencyWeight);
  const ageDays = Math.max(0, (now.getTime() - Date.parse(`${date}T00:00:00Z`)) / 86_400_000 - 1); // a note dated today or yesterday is fresh
  return 1 - w + w * Math.pow(0.5, ageDays / halfLifeDays);
}

export function rankCandidates(cands: Candidate[], o: RankOptions): Ranked[] {
  // Keyword scores relative to the best keyword hit of this query (bm25 has no fixed scale).
  const best = Math.max(0, ...cands.map((c) => (c.bm25 !== undefined ? -c.bm25 : 0)));
  const wv = Math.max(0, o.vectorWeight);
  const wk = Math.max(0, o.keywordWeight);
  const total = o.vectors ? wv + wk : 1;
  const out: Ranked[] = [];
  for (const c of cands) {
    const keywordScore = c.bm25 !== undefined && best > 0 ? Math.max(0, -c.bm25) / best : 0;
    const vectorScore = c.cosine !== undefined ? Math.max(0, Math.min(1, c.cosine)) : 0;
    let score = o.vectors ? (total > 0 ? (wv * vectorScore + wk * keywordScore) / total : 0) : keywordScore;
    const date = noteDate(c.path);
    score *= recencyFactor(date, o.now, o.recencyWeight, o.halfLifeDays);
    if (score <= (o.minScore ?? 0)) continue;
    out.push({ ...c, score, keywordScore, vectorScore, ...(date ? { date } : {}) });
  }
  out.sort((a, b) => b.score - a.score || a.path.localeCompare(b.path) || a.startLine - b.startLine);
  return out.slice(0, Math.max(0, o.maxResults));
}

/** Cosine similarity of two equal-length vectors (0 when either is all zeros). */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
