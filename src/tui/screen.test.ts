import { describe, expect, it } from "vitest";
import { Screen, type LiveView } from "./screen.js";

/** A tiny terminal model: enough of CR, LF, cursor up/right and erase-down to check the layout. */
class FakeTerm {
  rows: string[] = [""];
  r = 0;
  c = 0;
  columns = 40;
  write(data: string): void {
    const re = /\x1b\[(\d*)([A-Za-z])|\r|\n|[^\x1b\r\n]/gu;
    for (const m of data.matchAll(re)) {
      const t = m[0];
      if (t === "\r") this.c = 0;
      else if (t === "\n") {
        this.r++;
        this.c = 0;
        while (this.rows.length <= this.r) this.rows.push("");
      } else if (m[2] === "A") this.r -= Number(m[1] || 1);
      else if (m[2] === "C") this.c += Number(m[1] || 1);
      else if (m[2] === "J") {
        this.rows[this.r] = this.rows[this.r]!.slice(0, this.c);
        this.rows.length = this.r + 1;
      } else if (m[2] === "m") continue;
      else {
        const row = this.rows[this.r]!.padEnd(this.c, " ");
        this.rows[this.r] = row.slice(0, this.c) + t + row.slice(this.c + 1);
        this.c++;
      }
    }
  }
}

function setup(view: Partial<LiveView> = {}) {
  const term = new FakeTerm();
  let input = "";
  const screen = new Screen(term, () => ({ lines: [{ text: "status" }], prompt: "> ", input: { text: input, beforeCursor: input }, ...view }));
  return { term, screen, setInput: (t: string) => (input = t) };
}

describe("Screen", () => {
  it("keeps the status line and prompt at the bottom while lines are logged above", () => {
    const { term, screen, setInput } = setup();
    screen.render();
    setInput("typing");
    screen.render();
    screen.log("first");
    screen.log("second");
    expect(term.rows).toEqual(["first", "second", "status", "> typing"]);
    expect(term.c).toBe(8);
  });

  it("shows a streamed partial line in the live region and commits whole lines", () => {
    const { term, screen } = setup();
    screen.render();
    screen.stream("hel");
    expect(term.rows).toEqual(["hel", "status", "> "]);
    screen.stream("lo\nwor");
    expect(term.rows).toEqual(["hello", "wor", "status", "> "]);
    screen.endStream();
    screen.log("next");
    expect(term.rows).toEqual(["hello", "wor", "next", "status", "> "]);
  });

  it("never lets a live line wrap: long streamed text is committed in terminal-wide pieces", () => {
    const { term, screen } = setup();
    screen.render();
    screen.stream("x".repeat(100));
    expect(term.rows.slice(0, -2).every((r) => r.length <= 39)).toBe(true);
    expect(term.rows.slice(0, -2).join("")).toBe("x".repeat(100));
  });

  it("scrolls long input horizontally so the cursor stays visible", () => {
    const { term, screen, setInput } = setup();
    setInput("y".repeat(80));
    screen.render();
    const prompt = term.rows.at(-1)!;
    expect(prompt.startsWith("> ")).toBe(true);
    expect(prompt.length).toBeLessThanOrEqual(39);
    expect(term.c).toBeLessThanOrEqual(39);
  });
});
