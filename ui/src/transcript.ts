// Stored transcript messages (AI SDK ModelMessage, as chat.history returns them) turned
// into display items, and the client-side export of a session as JSON or Markdown.
import type { HistoryEntry } from "../../src/protocol/results.js";
import { transcriptMarkdown as markdownExport } from "../../src/infra/markdown.js";
export type { HistoryEntry };

export type Item =
  | { kind: "user"; text: string; key: string }
  | { kind: "assistant"; text: string; key: string }
  | { kind: "tool-call"; name: string; detail: string; key: string }
  | { kind: "tool-result"; name: string; detail: string; error: boolean; key: string };

const MAX_DETAIL = 400;

export function clip(s: string, max = MAX_DETAIL): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** A tool input as one short line: `command` for exec, else compact JSON. */
export function describeInput(input: unknown): string {
  if (input && typeof input === "object" && "command" in input && typeof (input as { command: unknown }).command === "string") {
    return (input as { command: string }).command;
  }
  try {
    return JSON.stringify(input) ?? "";
  } catch {
    return String(input);
  }
}

function outputText(output: unknown): string {
  if (output && typeof output === "object" && "value" in output) {
    const v = (output as { value: unknown }).value;
    return typeof v === "string" ? v : JSON.stringify(v);
  }
  return typeof output === "string" ? output : JSON.stringify(output);
}

export function toItems(entries: HistoryEntry[]): Item[] {
  const items: Item[] = [];
  for (const e of entries) {
    const m = e.message;
    const key = String(e.id);
    if (m.role === "system") continue;
    if (typeof m.content === "string") {
      if (m.role === "user" || m.role === "assistant") items.push({ kind: m.role === "user" ? "user" : "assistant", text: m.content, key });
      continue;
    }
    if (!Array.isArray(m.content)) continue;
    m.content.forEach((part: any, i: number) => {
      const k = `${key}.${i}`;
      if (part?.type === "text" && typeof part.text === "string" && part.text.length) {
        if (m.role === "user" || m.role === "assistant") items.push({ kind: m.role === "user" ? "user" : "assistant", text: part.text, key: k });
      } else if (part?.type === "tool-call") {
        items.push({ kind: "tool-call", name: String(part.toolName), detail: clip(describeInput(part.input)), key: k });
      } else if (part?.type === "tool-result") {
        const out = part.output;
        const error = !!out && typeof out === "object" && typeof out.type === "string" && out.type.startsWith("error");
        items.push({ kind: "tool-result", name: String(part.toolName), detail: clip(outputText(out)), error, key: k });
      }
    });
  }
  return items;
}

export function transcriptJson(sessionKey: string, entries: HistoryEntry[]): string {
  return `${JSON.stringify({ sessionKey, exportedAt: new Date().toISOString(), messages: entries }, null, 2)}\n`;
}

/**
 * The Markdown export is the gateway's own (src/infra/markdown.ts, as /export-session writes it):
 * every text from the model, a tool or a sender sits in a fence no line of it can close, so a
 * Markdown viewer shows it and renders none of it (no image beacons, HTML or links).
 */
export function transcriptMarkdown(sessionKey: string, entries: HistoryEntry[]): string {
  return `${markdownExport(sessionKey, entries, new Date())}\n`;
}

/** Offers `text` as a file download (Blob URL; nothing leaves the browser). */
export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ago(ts: number | null | undefined, now = Date.now()): string {
  if (!ts) return "—";
  const s = Math.round((now - ts) / 1000);
  if (s < 0) return `in ${fmtDur(-s)}`;
  if (s < 5) return "just now";
  return `${fmtDur(s)} ago`;
}

function fmtDur(s: number): string {
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

export function until(ts: number, now = Date.now()): string {
  const s = Math.round((ts - now) / 1000);
  return s <= 0 ? "expired" : `in ${fmtDur(s)}`;
}
