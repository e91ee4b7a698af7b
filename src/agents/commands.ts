// Chat commands handled by the gateway before any model sees the message:
// /new and /reset, /status, /stop, /export-session <path> [--force], /approve and /deny,
// /cron list|approve|reject (scheduled jobs, docs/cron.md).
// Parsing and transcript formatting are pure; chat.ts carries them out.
import type { ModelMessage } from "ai";
import type { TranscriptEntry } from "./store.js";

export type ChatCommand =
  | { name: "new" }
  | { name: "status" }
  | { name: "stop" }
  | { name: "export"; path: string | undefined; force: boolean }
  | { name: "help" }
  | { name: "approve"; id: string | undefined; decision: "allow-once" | "allow-always" | "deny" }
  | { name: "cron"; action: "list" | "approve" | "reject" | undefined; id: string | undefined };

export function parseCommand(text: string): ChatCommand | undefined {
  const trimmed = text.trim();
  const m = /^\/([a-z-]+)(?:@\S+)?(?:\s+([\s\S]*))?$/.exec(trimmed);
  if (!m) return undefined;
  const args = (m[2] ?? "").trim();
  switch (m[1]) {
    case "new":
    case "reset":
      return { name: "new" };
    case "status":
      return { name: "status" };
    case "stop":
      return { name: "stop" };
    case "help":
      return { name: "help" };
    case "approve": {
      const [id, mode] = args.split(/\s+/);
      return { name: "approve", id: id || undefined, decision: mode === "always" ? "allow-always" : "allow-once" };
    }
    case "cron": {
      const [action, id] = args.split(/\s+/);
      const known = action === "list" || action === "approve" || action === "reject" ? action : undefined;
      return { name: "cron", action: known ?? (action ? undefined : "list"), id: id || undefined };
    }
    case "deny":
      return { name: "approve", id: args.split(/\s+/)[0] || undefined, decision: "deny" };
    case "export-session": {
      const words = args.length ? args.split(/\s+/) : [];
      const force = words.includes("--force");
      const rest = words.filter((w) => w !== "--force");
      return { name: "export", path: rest.length ? rest.join(" ") : undefined, force };
    }
    default:
      return undefined;
  }
}

export const COMMAND_HELP =
  "Commands: /new or /reset (start a new transcript; the old one is archived), /status, /stop (stop the current reply), /export-session <path> [--force], /approve <id> [always], /deny <id>, /cron [list|approve <id>|reject <id>] (scheduled jobs; owner only, in their DM).";

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

function partsText(message: ModelMessage): string[] {
  if (typeof message.content === "string") return [mdFence(message.content, "text")];
  const out: string[] = [];
  for (const p of message.content as Array<Record<string, unknown>>) {
    if (p.type === "text") out.push(mdFence(String(p.text), "text"));
    else if (p.type === "tool-call") out.push(`**tool call** ${mdInlineCode(String(p.toolName))}\n\n${mdFence(JSON.stringify(p.input, null, 2) ?? "", "json")}`);
    else if (p.type === "tool-result") {
      const o = p.output as { type: string; value: unknown };
      const label = o.type.startsWith("error") ? "tool error" : "tool result";
      out.push(`**${label}** ${mdInlineCode(String(p.toolName))}\n\n${mdFence(typeof o.value === "string" ? o.value : (JSON.stringify(o.value) ?? ""))}`);
    }
  }
  return out;
}

/**
 * The Markdown export: every text that came from the model, a tool or a sender is in a
 * fenced block (mdFence), so opening the file in a Markdown viewer renders none of it.
 */
export function transcriptMarkdown(sessionKey: string, entries: TranscriptEntry[], exportedAt: Date): string {
  const lines = [`# Session ${mdInlineCode(sessionKey)}`, "", `Exported ${exportedAt.toISOString()} — ${entries.length} messages.`, ""];
  for (const e of entries) {
    lines.push(`## ${e.role} · ${new Date(e.createdAt).toISOString()}`, "", ...partsText(e.message).flatMap((t) => [t, ""]));
  }
  return lines.join("\n");
}

export function transcriptJson(sessionKey: string, entries: TranscriptEntry[], exportedAt: Date): string {
  return `${JSON.stringify(
    {
      version: 1,
      sessionKey,
      exportedAt: exportedAt.toISOString(),
      messages: entries.map((e) => ({ role: e.role, createdAt: e.createdAt, runId: e.runId, message: e.message })),
    },
    null,
    2,
  )}\n`;
}
