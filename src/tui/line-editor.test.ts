import { describe, expect, it } from "vitest";
import { LineEditor } from "./line-editor.js";

function type(ed: LineEditor, text: string): void {
  for (const ch of text) ed.key(ch, { name: ch, sequence: ch });
}

describe("LineEditor", () => {
  it("inserts at the cursor and moves with arrows, Home/End, Ctrl-A/E", () => {
    const ed = new LineEditor();
    type(ed, "helo");
    ed.key(undefined, { name: "left" });
    type(ed, "l");
    expect(ed.text).toBe("hello");
    expect(ed.beforeCursor).toBe("hell");
    ed.key(undefined, { name: "a", ctrl: true });
    type(ed, ">");
    ed.key(undefined, { name: "end" });
    type(ed, "!");
    expect(ed.text).toBe(">hello!");
  });

  it("edits: backspace, delete, Ctrl-U, Ctrl-K, Ctrl-W", () => {
    const ed = new LineEditor();
    type(ed, "one two three");
    ed.key(undefined, { name: "w", ctrl: true });
    expect(ed.text).toBe("one two ");
    ed.key(undefined, { name: "backspace" });
    expect(ed.text).toBe("one two");
    ed.key(undefined, { name: "home" });
    ed.key(undefined, { name: "delete" });
    expect(ed.text).toBe("ne two");
    ed.key(undefined, { name: "right" });
    ed.key(undefined, { name: "k", ctrl: true });
    expect(ed.text).toBe("n");
    ed.key(undefined, { name: "home" });
    ed.key(undefined, { name: "u", ctrl: true });
    expect(ed.text).toBe("n");
    ed.key(undefined, { name: "end" });
    ed.key(undefined, { name: "u", ctrl: true });
    expect(ed.text).toBe("");
  });

  it("keeps surrogate pairs whole and ignores control input", () => {
    const ed = new LineEditor();
    type(ed, "a🎉");
    ed.key(undefined, { name: "backspace" });
    expect(ed.text).toBe("a");
    expect(ed.key("\x1b", { name: "escape" })).toBe("ignored");
    expect(ed.key("\x07", { name: "g", ctrl: true })).toBe("ignored");
    expect(ed.key("x", { name: "x", meta: true })).toBe("ignored");
    expect(ed.text).toBe("a");
  });

  it("submits on Enter and recalls history with up/down, restoring the draft", () => {
    const ed = new LineEditor();
    type(ed, "first");
    expect(ed.key("\r", { name: "return" })).toBe("submit");
    expect(ed.take()).toBe("first");
    type(ed, "second");
    ed.take();
    type(ed, "draft");
    ed.key(undefined, { name: "up" });
    expect(ed.text).toBe("second");
    ed.key(undefined, { name: "up" });
    expect(ed.text).toBe("first");
    expect(ed.key(undefined, { name: "up" })).toBe("ignored");
    ed.key(undefined, { name: "down" });
    ed.key(undefined, { name: "down" });
    expect(ed.text).toBe("draft");
  });
});

describe("bracketed paste", () => {
  it("pasted Return/Enter become newlines in the line; nothing submits", () => {
    const ed = new LineEditor();
    for (const ch of "hi\r!rm x\ry\n") {
      const key = ch === "\r" ? { name: "return" } : ch === "\n" ? { name: "enter" } : { name: ch, sequence: ch };
      expect(ed.paste(ch, key)).toBe("changed");
    }
    expect(ed.text).toBe("hi\n!rm x\ny\n");
    expect(ed.pasted).toBe(true);
    // Keys that would navigate or edit are dropped inside a paste.
    expect(ed.paste(undefined, { name: "up" })).toBe("ignored");
    expect(ed.paste("\x15", { name: "u", ctrl: true })).toBe("ignored");
    expect(ed.text).toBe("hi\n!rm x\ny\n");
    ed.take();
    expect(ed.pasted).toBe(false);
  });

  it("typed text is not marked as pasted (control)", () => {
    const ed = new LineEditor();
    ed.key("a", { name: "a" });
    expect(ed.pasted).toBe(false);
    expect(ed.key("\r", { name: "return" })).toBe("submit");
  });
});
