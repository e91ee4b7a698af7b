// The import report (docs/migrating-from-openclaw.md) shows text from the OpenClaw dir.
import { describe, expect, it } from "vitest";
import { formatImportReport, type ImportResult } from "./openclaw-apply.js";

const result = (from: string, reason?: string): ImportResult => ({
  source: { dir: "/h/.openclaw", config: "/h/.openclaw/openclaw.json", version: "2026.9.6" },
  target: { stateDir: "/s", config: "/s/simpleclaw.json" },
  dryRun: true,
  items: [{ status: "skipped", from, ...(reason ? { reason } : {}) }],
  writes: [`/s/workspace/memory/${from}`],
  backups: [],
  summary: { imported: 0, changed: 0, skipped: 1 },
});

describe("formatImportReport", () => {
  it("shows ordinary names as they are (positive control)", () => {
    const out = formatImportReport(result("gateway.someKey", "no SimpleClaw equivalent"));
    expect(out).toContain("  gateway.someKey: no SimpleClaw equivalent\n");
    expect(out).toContain("  /s/workspace/memory/gateway.someKey\n");
  });

  it("escapes terminal controls, bidi overrides and line breaks from the OpenClaw dir", () => {
    const hostile = "channels.telegram.groups.\u001b]0;pwned\u0007\u001b[2J\u202e-100\nSummary: 0 imported";
    const out = formatImportReport(result(hostile, "left out canvas\u001b[1A\u001b[2K"));
    expect(out).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(out).toContain("groups.\\x1b]0;pwned\\x07\\x1b[2J\\u{202e}-100\\nSummary: 0 imported");
    expect(out).toContain("left out canvas\\x1b[1A\\x1b[2K");
    // One real Summary line: a newline in a key cannot fake another.
    expect(out.split("\n").filter((l) => l.startsWith("Summary:"))).toHaveLength(1);
  });
});
