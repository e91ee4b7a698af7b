// Allowlist matching: path globs, positional argument globs, the trailing "**", globbing
// arguments, exact entries (allow-always) and their escaping.
import { describe, expect, it } from "vitest";
import type { Segment } from "./exec-parse.js";
import { escapeGlob, exactEntry, globMatch, matchSegment, type AllowlistEntry } from "./exec-allowlist.js";

const seg = (executable: string, ...args: string[]): Segment => ({ argv: [executable.split("/").pop()!, ...args], executable, text: args.join(" ") });
const entry = (pattern: string, args?: string[]): AllowlistEntry => ({ id: pattern, pattern, args, source: "manual", createdAt: 0 });

describe("path globs", () => {
  it.each([
    ["/usr/bin/ls", "/usr/bin/ls", true],
    ["/usr/bin/ls", "/usr/bin/lsblk", false],
    ["/usr/bin/ls", "/usr/bin/l", false],
    ["/usr/bin/*", "/usr/bin/ls", true],
    ["/usr/bin/*", "/usr/bin/sub/ls", false],
    ["/usr/*", "/usr/bin/ls", false],
    ["/usr/**", "/usr/bin/ls", true],
    ["/usr/**", "/usr/local/bin/x", true],
    ["/usr/**/ls", "/usr/bin/ls", true],
    ["/usr/**/ls", "/usr/ls", true],
    ["/usr/**/ls", "/usr/bin/lsx", false],
    ["/usr/bin/l?", "/usr/bin/ls", true],
    ["/usr/bin/l?", "/usr/bin/l/", false],
    ["/usr/bin/l[sn]", "/usr/bin/ls", true],
    ["/usr/bin/l[!s]", "/usr/bin/ls", false],
    ["/usr/bin/l[!s]", "/usr/bin/ln", true],
    ["/usr/bin/l[a-z]", "/usr/bin/ls", true],
    ["/usr/bin/python3.*", "/usr/bin/python3.11", true],
    ["/usr/bin/python3.*", "/usr/bin/python3x11", false], // `.` is literal
    ["/usr/bin/a+b", "/usr/bin/a+b", true],
    ["/usr/bin/a+b", "/usr/bin/aab", false],
    ["/usr/bin/(x)", "/usr/bin/(x)", true],
    ["/usr/bin/\\*", "/usr/bin/*", true],
    ["/usr/bin/\\*", "/usr/bin/ls", false],
    ["/usr/bin/[", "/usr/bin/[", true], // unclosed class is a literal [
    ["/usr/bin/\\[", "/usr/bin/[", true],
    ["/usr/bin/ls\\", "/usr/bin/ls", false], // malformed: trailing backslash matches nothing
  ] as const)("%s vs %s → %s", (pattern, path, want) => {
    expect(globMatch(pattern, path, "path")).toBe(want);
    expect(matchSegment(seg(path), entry(pattern))).toBe(want);
  });

  it("relative or empty patterns never match", () => {
    expect(matchSegment(seg("/usr/bin/ls"), entry("ls"))).toBe(false);
    expect(matchSegment(seg("/usr/bin/ls"), entry("**"))).toBe(false);
    expect(matchSegment(seg("/usr/bin/ls"), entry(""))).toBe(false);
    expect(matchSegment(seg("/usr/bin/ls"), entry("/**"))).toBe(true);
  });
});

describe("argument globs", () => {
  const ls = "/usr/bin/ls";
  it("undefined args match any args; [] only none", () => {
    expect(matchSegment(seg(ls, "-la", "/"), entry(ls))).toBe(true);
    expect(matchSegment(seg(ls), entry(ls, []))).toBe(true);
    expect(matchSegment(seg(ls, "-l"), entry(ls, []))).toBe(false);
  });

  it("elements match positionally, one argument each; count must match", () => {
    expect(matchSegment(seg(ls, "-la"), entry(ls, ["-la"]))).toBe(true);
    expect(matchSegment(seg(ls, "-la", "x"), entry(ls, ["-la"]))).toBe(false);
    expect(matchSegment(seg(ls), entry(ls, ["-la"]))).toBe(false);
    expect(matchSegment(seg(ls, "-l"), entry(ls, ["*"]))).toBe(true);
    expect(matchSegment(seg(ls, "-l", "x"), entry(ls, ["*", "*"]))).toBe(true); // each "*" is exactly one arg…
    expect(matchSegment(seg(ls, "-l", "x", "y"), entry(ls, ["*", "*"]))).toBe(false);
    expect(matchSegment(seg(ls, "-l", "x"), entry(ls, ["*"]))).toBe(true); // …except a lone ["*"], the documented "any args"
    expect(matchSegment(seg(ls, "x", "-l"), entry(ls, ["-l", "*"]))).toBe(false);
  });

  it("* inside an arg glob matches any characters of that argument, including /", () => {
    expect(matchSegment(seg(ls, "/tmp/a/b"), entry(ls, ["/tmp/*"]))).toBe(true);
    expect(matchSegment(seg(ls, "--color=always"), entry(ls, ["--color=*"]))).toBe(true);
    expect(matchSegment(seg(ls, "--colour=always"), entry(ls, ["--color=*"]))).toBe(false);
    expect(matchSegment(seg(ls, "a b"), entry(ls, ["a?b"]))).toBe(true);
    expect(matchSegment(seg(ls, "a\nb"), entry(ls, ["a*b"]))).toBe(true);
  });

  it('a final "**" matches zero or more remaining args', () => {
    const e = entry(ls, ["-l", "**"]);
    expect(matchSegment(seg(ls, "-l"), e)).toBe(true);
    expect(matchSegment(seg(ls, "-l", "a", "b"), e)).toBe(true);
    expect(matchSegment(seg(ls, "-a", "-l"), e)).toBe(false);
    expect(matchSegment(seg(ls), e)).toBe(false);
    expect(matchSegment(seg(ls), entry(ls, ["**"]))).toBe(true);
  });

  it('a non-final "**" matches exactly one argument', () => {
    const e = entry(ls, ["**", "-l"]);
    expect(matchSegment(seg(ls, "x", "-l"), e)).toBe(true);
    expect(matchSegment(seg(ls, "x", "y", "-l"), e)).toBe(false);
  });

  it("globbing arguments (shell expands them) only match under the trailing **", () => {
    const g = (...args: string[]): Segment => ({ ...seg(ls, ...args), globArgs: args.map((a, i) => (a.includes("*") ? i + 1 : -1)).filter((i) => i > 0) });
    expect(matchSegment(g("*.txt"), entry(ls))).toBe(true);
    expect(matchSegment(g("*.txt"), entry(ls, ["**"]))).toBe(true);
    expect(matchSegment(g("-l", "*.txt"), entry(ls, ["-l", "**"]))).toBe(true);
    expect(matchSegment(g("*.txt"), entry(ls, ["*"]))).toBe(true); // lone ["*"] = any args = ["**"]
    expect(matchSegment(g("*.txt", "-l"), entry(ls, ["*", "*"]))).toBe(false);
    expect(matchSegment(g("*.txt"), entry(ls, ["*.txt"]))).toBe(false);
    expect(matchSegment(g("*.txt", "-l"), entry(ls, ["*", "**"]))).toBe(false);
    expect(matchSegment(g("*.txt"), { ...entry(ls), ...exactEntry(g("*.txt")) })).toBe(false);
  });

  it("malformed entries match nothing", () => {
    expect(matchSegment(seg(ls, "x"), { ...entry(ls), args: "x" as unknown as string[] })).toBe(false);
    expect(matchSegment(seg(ls, "x"), { ...entry(ls), args: [1 as unknown as string] })).toBe(false);
    expect(matchSegment(seg(ls), { ...entry(ls), pattern: undefined as unknown as string })).toBe(false);
  });
});

describe("exactEntry", () => {
  it("pins the exact program and arguments", () => {
    const s = seg("/usr/bin/ls", "-la", "/tmp");
    const e = exactEntry(s);
    expect(e).toEqual({ pattern: "/usr/bin/ls", args: ["-la", "/tmp"] });
    const full = { ...e, id: "x", source: "allow-always" as const, createdAt: 1 };
    expect(matchSegment(s, full)).toBe(true);
    expect(matchSegment(seg("/usr/bin/ls", "-la"), full)).toBe(false);
    expect(matchSegment(seg("/usr/bin/ls", "-la", "/tmp", "/etc"), full)).toBe(false);
    expect(matchSegment(seg("/usr/bin/lsx", "-la", "/tmp"), full)).toBe(false);
  });

  it("escapes glob metacharacters so they only match themselves", () => {
    const s = seg("/opt/we*ird?/b[in]/x{y}\\z", "*", "?", "[a]", "a\\b", "{a,b}", "**");
    const e = exactEntry(s);
    expect(e.pattern).toBe("/opt/we\\*ird\\?/b\\[in\\]/x\\{y\\}\\\\z");
    expect(e.args).toEqual(["\\*", "\\?", "\\[a\\]", "a\\\\b", "\\{a,b\\}", "\\*\\*"]);
    const full = { ...e, id: "x", source: "allow-always" as const, createdAt: 1 };
    expect(matchSegment(s, full)).toBe(true);
    // the escaped "**" is not a trailing wildcard, and * no longer matches anything
    expect(matchSegment(seg("/opt/we*ird?/b[in]/x{y}\\z", "x", "?", "[a]", "a\\b", "{a,b}", "**"), full)).toBe(false);
    expect(matchSegment(seg("/opt/weXird?/b[in]/x{y}\\z", "*", "?", "[a]", "a\\b", "{a,b}", "**"), full)).toBe(false);
    expect(matchSegment(seg("/opt/we*ird?/b[in]/x{y}\\z", "*", "?", "[a]", "a\\b", "{a,b}", "**", "more"), full)).toBe(false);
    expect(matchSegment(seg("/opt/we*ird?/bi/x{y}\\z", "*", "?", "[a]", "a\\b", "{a,b}", "**"), full)).toBe(false);
  });

  it("escapeGlob round-trips arbitrary strings", () => {
    for (const s of ["", "plain", "a*b?c[d]e{f}g\\h", "**", "\\", "[!x]", "é/ü", "(x)|y$^.+"]) {
      expect(globMatch(escapeGlob(s), s, "arg"), s).toBe(true);
      expect(globMatch(escapeGlob(s), s + "x", "arg"), s).toBe(false);
    }
  });
});

describe("the documented args: [\"*\"]", () => {
  it("a lone \"*\" means any arguments, as in the documented example", () => {
    const seg = { argv: ["ls", "-la", "/tmp"], executable: "/usr/bin/ls", text: "ls -la /tmp" };
    expect(matchSegment(seg, { id: "x", pattern: "/usr/bin/ls", args: ["*"], source: "manual", createdAt: 0 })).toBe(true);
    expect(matchSegment({ ...seg, argv: ["ls"] }, { id: "x", pattern: "/usr/bin/ls", args: ["*"], source: "manual", createdAt: 0 })).toBe(true);
    expect(matchSegment(seg, { id: "x", pattern: "/usr/bin/ls", args: ["*", "*"], source: "manual", createdAt: 0 })).toBe(true);
    expect(matchSegment(seg, { id: "x", pattern: "/usr/bin/ls", args: ["-la"], source: "manual", createdAt: 0 })).toBe(false);
  });
});
