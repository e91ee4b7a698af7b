import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configReferenceMarkdown } from "./reference.js";

describe("docs/configuration.md", () => {
  it("matches the schema (regenerate with `npm run docs`)", () => {
    const committed = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");
    expect(committed).toBe(configReferenceMarkdown());
  });

  it("lists gateway keys with their defaults", () => {
    const md = configReferenceMarkdown();
    expect(md).toContain("| `gateway.port` | integer (1–65535) | `18789` |");
    expect(md).toContain('| `gateway.bind` | "loopback" \\| "lan" \\| "tailnet" \\| "custom" | `"loopback"` |');
    expect(md).toContain("| `gateway.auth.rateLimit.maxAttempts` |");
  });
});
