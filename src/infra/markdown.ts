// Markdown made from untrusted text (pure, no imports: the gateway's /export-session, the CLI's
// `agent --export` and the Control UI's Export Markdown all use it). Every text that came from
// the model, a tool or a chat sender goes into a fenced block no line of it can close, so a
// Markdown viewer renders none of it: no HTML, no images (a tracking pixel carrying the
// transcript in its URL), no links.

/** One transcript entry as chat.history and the session store give it. */
export interface ExportEntry {
  role: string;
  createdAt: number;
  message: { role: string; content: unknown };
}

/** The longest run of `ch` in `s`. */
function longestRun(s: string, ch: string): number {
  let best = 0;
  let run = 0;
  for (const c of s) {
    run = c === ch ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}

/**
 * `text` as a fenced code block no line of it can close: the fence is one backtick longer
 * than any backtick run inside. Inside a fenced block a Markdown viewer renders nothing —
 * no HTML (`<script>`, `<img>`, `<iframe>`), no images, no links — so text from the model,
 * a tool or a chat sender is shown exactly as it was and can neither run nor load anything
 * (docs/agents.md, `/export-session`).
 */
export function mdFence(text: string, info = ""): string {
  const fence = "`".repeat(Math.max(3, longestRun(text, "`") + 1));
  return `${fence}${info}\n${text.replace(/\r\n?/g, "\n")}\n${fence}`;
}

/** `text` as one inline code span (newlines become spaces): shown literally, never rendered. */
export function mdInlineCode(text: string): string {
  const flat = text.replace(/[\r\n]+/g, " ");
  const tick = "`".repeat(longestRun(flat, "`") + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") || flat === "" ? " " : "";
  return `${tick}${pad}${flat}${pad}${tick}`;
}

function partsText(message: ExportEntry["message"]): string[] {
  if (typeof message.content === "string") return [mdFence(message.content, "text")];
  if (!Array.isArray(message.content)) return [];
  const out: string[] = [];
  for (const p of message.content as Array<Record<string, unknown>>) {
    if (p.type === "text") out.push(mdFence(String(p.text), "text"));
    else if (p.type === "tool-call") out.push(`**tool call** ${mdInlineCode(String(p.toolName))}\n\n${mdFence(JSON.stringify(p.input, null, 2) ?? "", "json")}`);
    else if (p.type === "tool-result") {
      const o = (p.output ?? {}) as { type?: unknown; value: unknown };
      const label = typeof o.type === "string" && o.type.startsWith("error") ? "tool error" : "tool result";
      out.push(`**${label}** ${mdInlineCode(String(p.toolName))}\n\n${mdFence(typeof o.value === "string" ? o.value : (JSON.stringify(o.value) ?? ""))}`);
    }
  }
  return out;
}

/**
 * The Markdown export: every text that came from the model, a tool or a sender is in a
 * fenced block (mdFence), so opening the file in a Markdown viewer renders none of it.
 */
export function transcriptMarkdown(sessionKey: string, entries: readonly ExportEntry[], exportedAt: Date): string {
  const lines = [`# Session ${mdInlineCode(sessionKey)}`, "", `Exported ${exportedAt.toISOString()} — ${entries.length} messages.`, ""];
  for (const e of entries) {
    lines.push(`## ${e.role} · ${new Date(e.createdAt).toISOString()}`, "", ...partsText(e.message).flatMap((t) => [t, ""]));
  }
  return lines.join("\n");
}
