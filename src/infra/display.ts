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

/** A ZWJ inside an emoji sequence (👨‍💻): between a pictograph (maybe with VS16 or a skin tone) and a pictograph. */
const EMOJI_BEFORE = /[\p{Extended_Pictographic}\p{Emoji_Modifier}]\uFE0F?$/u;
const EMOJI_AFTER = /^\p{Extended_Pictographic}/u;
/** A ZWNJ/ZWJ that shapes a non-Latin script (Persian, Arabic, Indic): between two such letters or marks. */
const SCRIPT_BEFORE = /(?![A-Za-z])[\p{L}\p{M}]$/u;
const SCRIPT_AFTER = /^(?![A-Za-z])\p{L}/u;

/**
 * The joiners U+200D/U+200C are kept where they are part of how the text is written — inside an
 * emoji sequence, or between letters of a script they shape — since there they change what is
 * seen; anywhere else they are invisible and shown escaped like every other format character.
 */
function joinerIsVisible(ch: string, at: number, whole: string): boolean {
  const before = whole.slice(Math.max(0, at - 3), at);
  const after = whole.slice(at + 1, at + 3);
  if (ch === "\u200d" && EMOJI_BEFORE.test(before) && EMOJI_AFTER.test(after)) return true;
  return SCRIPT_BEFORE.test(before) && SCRIPT_AFTER.test(after);
}

export function escapeForDisplay(text: string, opts: { oneLine?: boolean } = {}): string {
  return text.replace(UNSAFE, (ch, at: number, whole: string) => {
    if ((ch === "\u200d" || ch === "\u200c") && joinerIsVisible(ch, at, whole)) return ch;
    if (ch === "\t") return opts.oneLine ? "\\t" : ch;
    if (ch === "\n") return opts.oneLine ? "\\n" : ch;
    if (Object.hasOwn(ESCAPES, ch)) return ESCAPES[ch]!;
    const cp = ch.codePointAt(0)!;
    return cp < 0x100 ? `\\x${cp.toString(16).padStart(2, "0")}` : `\\u{${cp.toString(16)}}`;
  });
}
