// What a CommonMark viewer would interpret in a document: the text outside fenced code
// blocks and inline code spans (where raw HTML, images and links are live). Used to
// prove an exported transcript keeps model text inert. Follows the CommonMark rules for
// fences: an opening run of >= 3 backticks or tildes (up to 3 spaces indent; a backtick
// fence's info string has no backticks), closed only by a run of the same character at
// least as long with nothing but spaces after it; an unclosed fence runs to the end.
export function liveMarkdown(md: string): string {
  const out: string[] = [];
  let open: { ch: string; len: number } | undefined;
  for (const line of md.split("\n")) {
    if (open) {
      const close = /^ {0,3}(`+|~+) *$/.exec(line);
      if (close && close[1]![0] === open.ch && close[1]!.length >= open.len) open = undefined;
      continue;
    }
    const start = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (start && !(start[1]![0] === "`" && start[2]!.includes("`"))) {
      open = { ch: start[1]![0]!, len: start[1]!.length };
      continue;
    }
    out.push(stripCodeSpans(line));
  }
  return out.join("\n");
}

/** Removes inline code spans: a run of N backticks up to the next run of exactly N. */
function stripCodeSpans(line: string): string {
  let res = "";
  let i = 0;
  while (i < line.length) {
    if (line[i] !== "`") {
      res += line[i++];
      continue;
    }
    let n = 0;
    while (line[i + n] === "`") n++;
    let j = i + n;
    let end = -1;
    while (j < line.length) {
      if (line[j] === "`") {
        let m = 0;
        while (line[j + m] === "`") m++;
        if (m === n) {
          end = j;
          break;
        }
        j += m;
      } else j++;
    }
    if (end < 0) {
      res += line.slice(i, i + n); // no closing run: the backticks are literal
      i += n;
    } else i = end + n;
  }
  return res;
}
