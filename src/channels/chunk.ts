// Splitting a reply into platform-sized messages: whole paragraphs where possible,
// never cutting inside a fenced code block (a block too long for one message is split
// by lines and each part re-fenced), then lines, then words, then characters.

type Block = { kind: "text"; text: string } | { kind: "code"; fence: string; lang: string; lines: string[] };

function blocks(text: string): Block[] {
  const out: Block[] = [];
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  let para: string[] = [];
  const flush = () => {
    if (para.length) out.push({ kind: "text", text: para.join("\n") });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(lines[i]!);
    if (open) {
      flush();
      const fence = open[2]!;
      const body: string[] = [];
      let j = i + 1;
      while (j < lines.length && !lines[j]!.trimStart().startsWith(fence)) body.push(lines[j++]!);
      out.push({ kind: "code", fence, lang: open[3]!.trim(), lines: body });
      i = j; // skip the closing fence (or run to the end when unclosed)
      continue;
    }
    if (lines[i]!.trim() === "") flush();
    else para.push(lines[i]!);
  }
  flush();
  return out;
}

function renderCode(fence: string, lang: string, lines: string[]): string {
  return `${fence}${lang}\n${lines.join("\n")}\n${fence}`;
}

/** Splits plain text that has no code fences into pieces of at most `limit` characters. */
function splitText(text: string, limit: number): string[] {
  if (text.length <= limit) return [text];
  const out: string[] = [];
  let cur = "";
  const push = () => {
    if (cur) out.push(cur);
    cur = "";
  };
  for (const line of text.split("\n")) {
    const candidate = cur ? `${cur}\n${line}` : line;
    if (candidate.length <= limit) {
      cur = candidate;
      continue;
    }
    push();
    if (line.length <= limit) {
      cur = line;
      continue;
    }
    for (const word of line.split(/(?<=\s)/)) {
      if ((cur + word).length <= limit) cur += word;
      else {
        push();
        let w = word;
        while (w.length > limit) {
          out.push(w.slice(0, limit));
          w = w.slice(limit);
        }
        cur = w;
      }
    }
  }
  push();
  return out;
}

function splitCode(b: Extract<Block, { kind: "code" }>, limit: number): string[] {
  const whole = renderCode(b.fence, b.lang, b.lines);
  if (whole.length <= limit) return [whole];
  const overhead = renderCode(b.fence, b.lang, []).length;
  const room = Math.max(1, limit - overhead);
  const parts: string[] = [];
  let cur: string[] = [];
  let size = 0;
  for (const raw of b.lines) {
    const pieces = raw.length > room ? (raw.match(new RegExp(`[\\s\\S]{1,${room}}`, "g")) ?? [""]) : [raw];
    for (const line of pieces) {
      if (cur.length && size + line.length + 1 > room) {
        parts.push(renderCode(b.fence, b.lang, cur));
        cur = [];
        size = 0;
      }
      cur.push(line);
      size += line.length + 1;
    }
  }
  if (cur.length) parts.push(renderCode(b.fence, b.lang, cur));
  return parts;
}

export function chunkText(text: string, limit: number): string[] {
  if (limit < 16) throw new Error("chunk limit too small");
  const trimmed = text.trim();
  if (trimmed.length === 0) return [];
  if (trimmed.length <= limit) return [trimmed];
  const pieces = blocks(trimmed).flatMap((b) => (b.kind === "code" ? splitCode(b, limit) : splitText(b.text, limit)));
  const out: string[] = [];
  let cur = "";
  for (const p of pieces) {
    const candidate = cur ? `${cur}\n\n${p}` : p;
    if (candidate.length <= limit) cur = candidate;
    else {
      if (cur) out.push(cur);
      cur = p;
    }
  }
  if (cur) out.push(cur);
  return out;
}
