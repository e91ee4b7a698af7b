// Chat commands handled by the gateway before any model sees the message:
// /new and /reset, /status, /stop, /export-session <path> [--force].
// Parsing and transcript formatting are pure; chat.ts carries them out.
import type { ModelMessage } from "ai";
import type { TranscriptEntry } from "./store.js";

export type ChatCommand =
  | { name: "new" }
  | { name: "status" }
  | { name: "stop" }
  | { name: "export"; path: string | undefined; force: boolean }
  | { name: "help" }
  | { name: "approve"; id: string | undefined; decision: "allow-once" | "allow-always" | "deny" };

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
  "Commands: /new or /reset (start a new transcript; the old one is archived), /status, /stop (stop the current reply), /export-session <path> [--force], /approve <id> [always], /deny <id>.";

function partsText(message: ModelMessage): string[] {
  if (typeof message.content === "string") return [message.content];
  const out: string[] = [];
  for (const p of message.content as Array<Record<string, unknown>>) {
    if (p.type === "text") out.push(String(p.text));
    else if (p.type === "tool-call") out.push(`**tool call** \`${String(p.toolName)}\`\n\n\`\`\`json\n${JSON.stringify(p.input, null, 2)}\n\`\`\``);
    else if (p.type === "tool-result") {
      const o = p.output as { type: string; value: unknown };
      const label = o.type.startsWith("error") ? "tool error" : "tool result";
      out.push(`**${label}** \`${String(p.toolName)}\`\n\n\`\`\`\n${typeof o.value === "string" ? o.value : JSON.stringify(o.value)}\n\`\`\``);
    }
  }
  return out;
}

export function transcriptMarkdown(sessionKey: string, entries: TranscriptEntry[], exportedAt: Date): string {
  const lines = [`# Session ${sessionKey}`, "", `Exported ${exportedAt.toISOString()} — ${entries.length} messages.`, ""];
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
