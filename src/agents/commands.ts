// Chat commands handled by the gateway before any model sees the message:
// /new and /reset, /status, /stop, /export-session <path> [--force], /approve and /deny,
// /cron list|approve|reject (scheduled jobs, docs/cron.md).
// Parsing and transcript formatting are pure; chat.ts carries them out.
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

// The Markdown export (and mdFence / mdInlineCode) live in infra/markdown.ts, shared with the
// Control UI's Export Markdown: one rule for every Markdown file made from a transcript.
export { mdFence, mdInlineCode, transcriptMarkdown } from "../infra/markdown.js";

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
