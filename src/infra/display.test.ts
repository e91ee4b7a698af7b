import { describe, expect, it } from "vitest";
import { escapeForDisplay } from "./display.js";

describe("escapeForDisplay", () => {
  it("shows a carriage return and an erase-line escape instead of letting them hide a command", () => {
    const cmd = "touch pwned; \x1b[2K\rls -la docs";
    expect(escapeForDisplay(cmd)).toBe("touch pwned; \\x1b[2K\\rls -la docs");
  });
  it("escapes bidi overrides, zero-width characters, BOM and C1 controls", () => {
    expect(escapeForDisplay("ls \u202edocs\u200b\ufeff\u0085")).toBe("ls \\u{202e}docs\\u{200b}\\u{feff}\\x85");
    expect(escapeForDisplay("a\u2066b\u2069c")).toBe("a\\u{2066}b\\u{2069}c");
  });
  it("keeps tab and newline, or escapes them for one-line display", () => {
    expect(escapeForDisplay("a\tb\nc")).toBe("a\tb\nc");
    expect(escapeForDisplay("a\tb\nc", { oneLine: true })).toBe("a\\tb\\nc");
  });
  it("keeps joiners that are part of the writing (emoji sequences, Persian ZWNJ), escapes them anywhere else", () => {
    for (const s of ["👨\u200d💻", "🏳\ufe0f\u200d🌈", "👩🏽\u200d🚀", "می\u200cخواهم", "क्\u200dष"]) expect(escapeForDisplay(s)).toBe(s);
    // invisible between Latin letters or digits, at an edge, or doubled: two ids that look the same
    expect(escapeForDisplay("ad\u200dmin")).toBe("ad\\u{200d}min");
    expect(escapeForDisplay("ad\u200cmin")).toBe("ad\\u{200c}min");
    expect(escapeForDisplay("\u200d😀")).toBe("\\u{200d}😀");
    expect(escapeForDisplay("😀\u200d")).toBe("😀\\u{200d}");
    expect(escapeForDisplay("😀\u200d\u200d😀")).toBe("😀\\u{200d}\\u{200d}😀");
    expect(escapeForDisplay("12\u200c34")).toBe("12\\u{200c}34");
  });
  it("leaves ordinary text, non-Latin letters and emoji alone", () => {
    const s = "grüße 你好 😀 ls -la 'x'";
    expect(escapeForDisplay(s)).toBe(s);
  });
});
