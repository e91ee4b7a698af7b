// The input line: text, cursor and history, changed by key presses. Pure state; the
// screen draws it. Keys follow readline's names (node:readline emitKeypressEvents).

export interface Key {
  name?: string;
  ctrl?: boolean;
  meta?: boolean;
  shift?: boolean;
  sequence?: string;
}

export type EditResult = "changed" | "submit" | "ignored";

export class LineEditor {
  /** Code points, so the cursor never splits a surrogate pair. */
  private chars: string[] = [];
  cursor = 0;
  private history: string[] = [];
  private historyIndex = -1;
  private draft = "";
  /** Whether any of the current line came from a bracketed paste (see `paste`). */
  pasted = false;

  constructor(private maxHistory = 200) {}

  get text(): string {
    return this.chars.join("");
  }

  /** Text before the cursor (for placing the terminal cursor). */
  get beforeCursor(): string {
    return this.chars.slice(0, this.cursor).join("");
  }

  set(text: string): void {
    this.chars = [...text];
    this.cursor = this.chars.length;
    this.pasted = false;
  }

  /**
   * Inserts one key of a bracketed paste (docs/tui.md): its text goes into the line as it
   * is, Return and Enter included (as a newline), so a paste never submits anything. Other
   * keys inside a paste (arrows, Ctrl-…) are dropped: pasted bytes never edit or navigate.
   */
  paste(str: string | undefined, key: Key): EditResult {
    let text: string;
    if (key.name === "return" || key.name === "enter") text = "\n";
    else if (key.name === "tab") text = " ";
    else if (key.ctrl || key.meta || str === undefined) return "ignored";
    else text = [...str].filter((c) => c >= " " && c !== "\x7f").join("");
    if (text === "") return "ignored";
    const add = [...text];
    this.chars.splice(this.cursor, 0, ...add);
    this.cursor += add.length;
    this.pasted = true;
    return "changed";
  }

  clear(): void {
    this.set("");
    this.historyIndex = -1;
  }

  /** Takes the line (recording it in history) and empties the editor. */
  take(): string {
    const line = this.text;
    if (line.trim() !== "" && this.history.at(-1) !== line) {
      this.history.push(line);
      if (this.history.length > this.maxHistory) this.history.shift();
    }
    this.clear();
    return line;
  }

  /** Applies one key press. Printable input arrives as `str` with no ctrl/meta. */
  key(str: string | undefined, key: Key): EditResult {
    if (key.ctrl) {
      switch (key.name) {
        case "a":
          this.cursor = 0;
          return "changed";
        case "e":
          this.cursor = this.chars.length;
          return "changed";
        case "b":
          return this.move(-1);
        case "f":
          return this.move(1);
        case "u":
          this.chars.splice(0, this.cursor);
          this.cursor = 0;
          return "changed";
        case "k":
          this.chars.splice(this.cursor);
          return "changed";
        case "w":
          return this.deleteWordBack();
        case "h":
          return this.backspace();
        default:
          return "ignored";
      }
    }
    switch (key.name) {
      case "return":
      case "enter":
        return "submit";
      case "backspace":
        return key.meta ? this.deleteWordBack() : this.backspace();
      case "delete":
        if (this.cursor >= this.chars.length) return "ignored";
        this.chars.splice(this.cursor, 1);
        return "changed";
      case "left":
        return this.move(-1);
      case "right":
        return this.move(1);
      case "home":
        this.cursor = 0;
        return "changed";
      case "end":
        this.cursor = this.chars.length;
        return "changed";
      case "up":
        return this.recall(1);
      case "down":
        return this.recall(-1);
      default:
        break;
    }
    if (key.meta || str === undefined || str === "") return "ignored";
    const printable = [...str].filter((c) => c >= " " && c !== "\x7f");
    if (printable.length === 0) return "ignored";
    this.chars.splice(this.cursor, 0, ...printable);
    this.cursor += printable.length;
    return "changed";
  }

  private move(d: number): EditResult {
    const next = Math.min(this.chars.length, Math.max(0, this.cursor + d));
    if (next === this.cursor) return "ignored";
    this.cursor = next;
    return "changed";
  }

  private backspace(): EditResult {
    if (this.cursor === 0) return "ignored";
    this.chars.splice(this.cursor - 1, 1);
    this.cursor--;
    return "changed";
  }

  private deleteWordBack(): EditResult {
    let i = this.cursor;
    while (i > 0 && this.chars[i - 1] === " ") i--;
    while (i > 0 && this.chars[i - 1] !== " ") i--;
    if (i === this.cursor) return "ignored";
    this.chars.splice(i, this.cursor - i);
    this.cursor = i;
    return "changed";
  }

  /** dir 1 = older, -1 = newer; leaving the history restores what was being typed. */
  private recall(dir: 1 | -1): EditResult {
    const next = this.historyIndex + dir;
    if (next < -1 || next >= this.history.length) return "ignored";
    if (this.historyIndex === -1) this.draft = this.text;
    this.historyIndex = next;
    const text = next === -1 ? this.draft : this.history[this.history.length - 1 - next]!;
    this.chars = [...text];
    this.cursor = this.chars.length;
    return "changed";
  }
}
