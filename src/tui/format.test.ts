import { describe, expect, it } from "vitest";
import {
  approvalDecisionForKey,
  approvalLines,
  describeSession,
  displayWidth,
  messageText,
  parseInput,
  sanitize,
  splitAtWidth,
  statusLine,
  summarizeArgs,
  toolCallLine,
  toolResultLine,
  truncate,
} from "./format.js";

describe("parseInput", () => {
  it("tells local shell lines, TUI commands and messages apart", () => {
    expect(parseInput("!echo hi")).toEqual({ kind: "local", command: "echo hi" });
    expect(parseInput("!")).toEqual({ kind: "local", command: "" });
    // only a `!` in the first column means the local shell
    expect(parseInput(" !echo hi")).toEqual({ kind: "send", text: "!echo hi" });
    expect(parseInput("   ")).toEqual({ kind: "empty" });
    expect(parseInput("/quit")).toEqual({ kind: "quit" });
    expect(parseInput("/exit")).toEqual({ kind: "quit" });
    expect(parseInput("/help")).toEqual({ kind: "help" });
    expect(parseInput("/stop")).toEqual({ kind: "stop" });
    expect(parseInput(" /status ")).toEqual({ kind: "status" });
    expect(parseInput("/new")).toEqual({ kind: "send", text: "/new" });
    expect(parseInput("/export-session /tmp/x.md --force")).toEqual({ kind: "send", text: "/export-session /tmp/x.md --force" });
    expect(parseInput("/roll 2d6")).toEqual({ kind: "send", text: "/roll 2d6" });
    expect(parseInput("/quitting is hard")).toEqual({ kind: "send", text: "/quitting is hard" });
    expect(parseInput("hello /quit")).toEqual({ kind: "send", text: "hello /quit" });
  });
});

describe("approval keys", () => {
  it("a = once, A = always, d/D = deny, anything else nothing", () => {
    expect(approvalDecisionForKey("a")).toBe("allow-once");
    expect(approvalDecisionForKey("A")).toBe("allow-always");
    expect(approvalDecisionForKey("d")).toBe("deny");
    expect(approvalDecisionForKey("D")).toBe("deny");
    for (const k of ["", "y", "\r", " ", "aa"]) expect(approvalDecisionForKey(k)).toBeUndefined();
  });

  it("shows the full command, where it runs and when it expires", () => {
    const lines = approvalLines({ id: "abc123", command: "rm -rf x\x1b[2J", cwd: "/w", agentId: "main", sessionKey: "agent:main:main", expiresAt: 61_000 }, 1_000);
    expect(lines).toEqual(["exec approval abc123 — agent main, session agent:main:main (expires in 60 s)", "  $ rm -rf x\\x1b[2J", "  in /w"]);
  });
});

describe("sanitize", () => {
  it("drops escape sequences and control characters, keeps text and newlines", () => {
    expect(sanitize("a\x1b[31mred\x1b[0m b")).toBe("ared b");
    expect(sanitize("title\x1b]0;pwned\x07 end")).toBe("title end");
    expect(sanitize("x\r\ny\rz")).toBe("x\ny\nz");
    expect(sanitize("tab\there\x00\x07\x7f\u009b")).toBe("tab  here");
    expect(sanitize("héllo 世界 🎉")).toBe("héllo 世界 🎉");
  });
});

describe("widths", () => {
  it("counts wide characters as two columns and ANSI as none", () => {
    expect(displayWidth("abc")).toBe(3);
    expect(displayWidth("世界")).toBe(4);
    expect(displayWidth("\x1b[1mab\x1b[22m")).toBe(2);
    expect(truncate("abcdef", 4)).toBe("abc…");
    expect(truncate("abc", 4)).toBe("abc");
    expect(truncate("世界世界", 5)).toBe("世界…");
    expect(splitAtWidth("abcdef", 4)).toEqual(["abcd", "ef"]);
    expect(splitAtWidth("世界x", 3)).toEqual(["世", "界x"]);
  });
});

describe("tool lines", () => {
  it("names the tool with short arguments on one line", () => {
    expect(toolCallLine("exec", { command: "ls -la" })).toBe('⚙ exec command="ls -la"');
    expect(toolCallLine("read", { path: "a.txt", limit: 5, all: true })).toBe('⚙ read path="a.txt" limit=5 all=true');
    expect(toolCallLine("x", { nested: { a: 1 } })).toBe('⚙ x {"nested":{"a":1}}');
    expect(toolCallLine(undefined, undefined)).toBe("⚙ tool");
    expect(summarizeArgs({ command: "echo a\necho b" })).toBe('command="echo a\\necho b"');
    expect(summarizeArgs({ text: "x".repeat(200) }, 20)).toHaveLength(20);
  });

  it("shows the first part of a result, or the error", () => {
    expect(toolResultLine("exec", "exit code 0\nhello", undefined)).toBe("↳ exec: exit code 0 ⏎ hello");
    expect(toolResultLine("exec", "", undefined)).toBe("↳ exec done");
    expect(toolResultLine("exec", undefined, "denied by policy")).toBe("✗ exec failed: denied by policy");
  });
});

describe("describeSession", () => {
  const config = {
    agents: {
      defaults: { model: { primary: "fake/m", fallbacks: [] }, sandbox: { mode: "non-main", backend: "bwrap", network: false } },
      list: [{ id: "main" }, { id: "work", default: true, model: { primary: "openai/gpt-x", fallbacks: ["fake/m"] }, sandbox: { mode: "all" } }],
    },
  };

  it("uses the default agent's main session when none is given", () => {
    expect(describeSession(config, undefined)).toEqual({ agentId: "work", sessionKey: "agent:work:main", model: "openai/gpt-x (+1 fallback)", primary: "openai/gpt-x", sandbox: "on (bwrap, network off)" });
  });

  it("applies sandbox.mode non-main per session", () => {
    expect(describeSession(config, "agent:main:main")).toMatchObject({ agentId: "main", model: "fake/m", sandbox: "off (mode non-main, main session)" });
    expect(describeSession(config, "agent:main:telegram:direct:42")).toMatchObject({ sandbox: "on (bwrap, network off)" });
  });

  it("says unknown instead of guessing when the config is missing", () => {
    expect(describeSession(undefined, "agent:main:main")).toEqual({ agentId: "main", sessionKey: "agent:main:main", model: "not set", primary: undefined, sandbox: "unknown" });
  });

  it("makes one status line", () => {
    expect(statusLine({ agentId: "main", sessionKey: "agent:main:main", model: "fake/m", sandbox: "off" }, "idle")).toBe(
      "agent main · model fake/m · session agent:main:main · sandbox off · idle",
    );
  });
});

describe("messageText", () => {
  it("takes the text parts of a transcript message", () => {
    expect(messageText({ role: "user", content: "hi" })).toBe("hi");
    expect(messageText({ role: "assistant", content: [{ type: "text", text: "a" }, { type: "tool-call", toolName: "exec" }, { type: "text", text: "b" }] })).toBe("ab");
    expect(messageText(null)).toBe("");
  });
});
