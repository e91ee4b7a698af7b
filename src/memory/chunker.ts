// Memory indexing, step 2 of 3 (sources → chunks → index): splits one Markdown file into
// overlapping chunks of about `maxTokens` tokens, each keeping the 1-based line range it
// came from so a search hit can point at `path:start-end`. Pure: text in, chunks out.

export interface Chunk {
  /** 1-based, inclusive. */
  startLine: number;
  /** 1-based, inclusive. */
  endLine: number;
  text: string;
}

export interface ChunkOptions {
  /** Target chunk size in (estimated) tokens. Default 400. */
  maxTokens?: number;
  /** Tokens of the previous chunk repeated at the start of the next one. Default 80. */
  overlapTokens?: number;
}

/** A rough, tokenizer-free estimate (≈ 4 characters per token for English prose). */
export const CHARS_PER_TOKEN = 4;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

interface Piece {
  line: number;
  text: string;
}

/** Lines of the file; a line longer than `max` characters is cut into pieces (same line number). */
function pieces(text: string, max: number): Piece[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  if (lines.length > 1 && lines.at(-1) === "") lines.pop(); // the final newline ends a line, it does not start one
  const out: Piece[] = [];
  lines.forEach((line, i) => {
    if (line.length <= max) return void out.push({ line: i + 1, text: line });
    let at = 0;
    while (at < line.length) {
      let end = Math.min(line.length, at + max);
      // never split a surrogate pair
      if (end < line.length && /[\ud800-\udbff]/.test(line[end - 1]!)) end--;
      out.push({ line: i + 1, text: line.slice(at, end) });
      at = end;
    }
  });
  return out;
}

const isHeading = (s: string) => /^#{1,6}\s/.test(s);

/**
 * Chunk a file's text. Chunks break between lines, preferring to start a new chunk at a
 * Markdown heading once the current one is at least half full; each chunk after the
 * first begins with the last ~overlapTokens of the previous one. Blank-only text gives
 * no chunks.
 */
export function chunkMarkdown(text: string, opts: ChunkOptions = {}): Chunk[] {
  const maxChars = Math.max(16, Math.floor((opts.maxTokens ?? 400) * CHARS_PER_TOKEN));
  const overlapChars = Math.max(0, Math.min(Math.floor((opts.overlapTokens ?? 80) * CHARS_PER_TOKEN), Math.floor(maxChars / 2)));
  const all = pieces(text, maxChars);
  const chunks: Chunk[] = [];
  let cur: Piece[] = [];
  let size = 0; // characters in cur, counting one newline per piece after the first
  let fresh = 0; // pieces in cur that were not carried over as overlap

  const flush = () => {
    if (fresh === 0) return;
    const body = cur.map((p) => p.text).join("\n");
    if (body.trim() !== "") chunks.push({ startLine: cur[0]!.line, endLine: cur.at(-1)!.line, text: body });
    // Carry the tail of this chunk over as the next one's overlap.
    const carry: Piece[] = [];
    let carried = 0;
    for (let i = cur.length - 1; i > 0 && overlapChars > 0; i--) {
      const add = cur[i]!.text.length + 1;
      if (carried + add > overlapChars) break;
      carry.unshift(cur[i]!);
      carried += add;
    }
    cur = carry;
    size = carry.reduce((n, p, i) => n + p.text.length + (i ? 1 : 0), 0);
    fresh = 0;
  };

  for (const p of all) {
    const add = p.text.length + (cur.length ? 1 : 0);
    const full = size + add > maxChars;
    const headingBreak = isHeading(p.text) && fresh > 0 && size >= maxChars / 2;
    if ((full || headingBreak) && fresh > 0) {
      flush();
      // A heading starts clean: do not glue the previous section's tail in front of it.
      if (headingBreak) {
        cur = [];
        size = 0;
      }
    }
    // The overlap plus this piece may still be too big: drop overlap from the front.
    while (cur.length && size + p.text.length + 1 > maxChars) {
      const first = cur.shift()!;
      size -= first.text.length + (cur.length ? 1 : 0);
    }
    size += p.text.length + (cur.length ? 1 : 0);
    cur.push(p);
    fresh++;
  }
  flush();
  return chunks;
}
