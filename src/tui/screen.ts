// Drawing: everything printed so far scrolls normally above a small "live region" at the
// bottom — the line a reply is still streaming into, the status line, and the prompt with
// the input being typed. Before anything is printed the live region is erased, and it is
// redrawn after. Every live line is kept narrower than the terminal so none wraps, which
// keeps the cursor arithmetic exact.
import { displayWidth, splitAtWidth, truncate } from "./format.js";

export interface Output {
  write(data: string): unknown;
  columns?: number;
}

export interface Style {
  dim(s: string): string;
  bold(s: string): string;
  inverse(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const sgr = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;

export function makeStyle(color: boolean): Style {
  if (!color) {
    const id = (s: string) => s;
    return { dim: id, bold: id, inverse: id, red: id, green: id, yellow: id, cyan: id };
  }
  return { dim: sgr(2, 22), bold: sgr(1, 22), inverse: sgr(7, 27), red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), cyan: sgr(36, 39) };
}

export interface LiveView {
  /** Lines above the prompt (plain text; each is cut to the terminal width, then styled). */
  lines: Array<{ text: string; style?: (s: string) => string }>;
  prompt: string;
  promptStyle?: (s: string) => string;
  /** The typed text and the part of it before the cursor; omitted → no input shown. */
  input?: { text: string; beforeCursor: string };
}

export class Screen {
  /** Streamed text after the last newline, shown in the live region until its line ends. */
  private partial = "";
  private partialStyle: ((s: string) => string) | undefined;
  /** Rows between the live region's first row and the cursor. */
  private cursorRow = 0;
  private drawn = false;

  constructor(
    private out: Output,
    private view: () => LiveView,
  ) {}

  private get width(): number {
    return Math.max(20, this.out.columns ?? 80);
  }

  /** Prints whole lines above the live region (a pending streamed line is finished first). */
  log(text: string): void {
    this.erase();
    let buf = "";
    if (this.partial !== "") {
      buf += `${this.applyPartial(this.partial)}\n`;
      this.partial = "";
    }
    buf += text.endsWith("\n") ? text : `${text}\n`;
    this.out.write(buf);
    this.draw();
  }

  /** Appends streamed text (already sanitized); complete lines go to the log at once. */
  stream(text: string, style?: (s: string) => string): void {
    if (text === "") return;
    if (style !== this.partialStyle && this.partial !== "") this.endStream();
    this.partialStyle = style;
    const room = this.width - 1;
    let buf = "";
    const pieces = (this.partial + text).split("\n");
    this.partial = pieces.pop()!;
    for (const line of pieces) buf += `${this.applyPartial(line)}\n`;
    // A line longer than the terminal is committed in full-width pieces.
    while (displayWidth(this.partial) > room) {
      const [head, rest] = splitAtWidth(this.partial, room);
      buf += `${this.applyPartial(head)}\n`;
      this.partial = rest;
    }
    this.erase();
    if (buf) this.out.write(buf);
    this.draw();
  }

  /** Ends the streamed line (if one is open), so the next output starts on a fresh line. */
  endStream(): void {
    if (this.partial === "") return;
    const line = this.partial;
    this.partial = "";
    this.log(this.applyPartial(line));
  }

  private applyPartial(s: string): string {
    return this.partialStyle ? this.partialStyle(s) : s;
  }

  /** Redraws the live region (after the input, the status or the size changed). */
  render(): void {
    this.erase();
    this.draw();
  }

  /** Removes the live region for good (on exit); output continues below what was logged. */
  close(): void {
    if (this.partial !== "") {
      this.erase();
      this.out.write(`${this.applyPartial(this.partial)}\n`);
      this.partial = "";
      this.drawn = false;
      return;
    }
    this.erase();
  }

  private erase(): void {
    if (!this.drawn) return;
    let seq = "\r";
    if (this.cursorRow > 0) seq += `\x1b[${this.cursorRow}A`;
    seq += "\x1b[J";
    this.out.write(seq);
    this.drawn = false;
    this.cursorRow = 0;
  }

  private draw(): void {
    const room = this.width - 1;
    const v = this.view();
    const rows: string[] = [];
    if (this.partial !== "") rows.push(this.applyPartial(truncate(this.partial, room)));
    for (const l of v.lines) {
      const t = truncate(l.text, room);
      rows.push(l.style ? l.style(t) : t);
    }
    const prompt = truncate(v.prompt, Math.max(1, room - 10));
    const promptW = displayWidth(prompt);
    let inputShown = "";
    let cursorCol = promptW;
    if (v.input) {
      // Horizontal scrolling: show a window of the input that contains the cursor.
      const space = Math.max(1, room - promptW);
      let before = v.input.beforeCursor;
      const after = v.input.text.slice(before.length);
      while (displayWidth(before) > space - 1) before = [...before].slice(1).join("");
      const [tail] = splitAtWidth(after, Math.max(0, space - displayWidth(before)));
      inputShown = before + tail;
      cursorCol = promptW + displayWidth(before);
    }
    const styledPrompt = v.promptStyle ? v.promptStyle(prompt) : prompt;
    this.out.write(`${rows.map((r) => `${r}\n`).join("")}${styledPrompt}${inputShown}\r${cursorCol > 0 ? `\x1b[${cursorCol}C` : ""}`);
    this.cursorRow = rows.length;
    this.drawn = true;
  }
}
