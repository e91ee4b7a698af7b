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
  it("leaves ordinary text, non-Latin letters and emoji alone", () => {
    const s = "grüße 你好 😀 ls -la 'x'";
    expect(escapeForDisplay(s)).toBe(s);
  });
});
