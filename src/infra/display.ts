// Showing untrusted text (a model's command or reply) to a person: one pure function used by
// every surface — CLI `approvals list`, `simpleclaw agent`, the TUI, the Control UI approvals
// page and chat approval prompts — so what a person reads is what the text really is
// (docs/exec.md, "Asking the owner"). Control characters (a `\r` that returns to the line start,
// an ANSI erase sequence), bidi overrides/isolates and zero-width characters are shown escaped:
// `\r`, `\x1b`, `\u{202e}`. Tab and newline stay as they are unless `oneLine` is set.

const ESCAPES: Record<string, string> = { "\r": "\\r", "\b": "\\b", "\f": "\\f", "\v": "\\v", "\0": "\\0" };
// C0/C1 controls, DEL, every format character (Cf: bidi controls, zero-width, BOM, soft
// hyphen, tags), line/paragraph separators and the lone surrogate halves.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\p{Cf}\u2028\u2029\p{Cs}]/gu;

export function escapeForDisplay(text: string, opts: { oneLine?: boolean } = {}): string {
  return text.replace(UNSAFE, (ch) => {
    if (ch === "\t") return opts.oneLine ? "\\t" : ch;
    if (ch === "\n") return opts.oneLine ? "\\n" : ch;
    if (Object.hasOwn(ESCAPES, ch)) return ESCAPES[ch]!;
    const cp = ch.codePointAt(0)!;
    return cp < 0x100 ? `\\x${cp.toString(16).padStart(2, "0")}` : `\\u{${cp.toString(16)}}`;
  });
}
