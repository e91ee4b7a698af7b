// Pure pieces of the TUI: what a typed line means, how tool calls, approvals and the
// status line read, terminal-safe text and display widths. No I/O here (tested beside).
import { escapeForDisplay } from "../infra/display.js";
import { parseSessionKey } from "../security/session-scope.js";
import { sandboxRequired, type SandboxMode } from "../security/sandbox-scope.js";

export type ApprovalDecision = "allow-once" | "allow-always" | "deny";

export type InputAction =
  | { kind: "empty" }
  | { kind: "quit" }
  | { kind: "help" }
  | { kind: "stop" }
  | { kind: "status" }
  /** `!command`: run on this machine, not through the agent ("" → usage). */
  | { kind: "local"; command: string }
  /** A message, or a slash command the gateway answers (/new, /export-session, plugin commands …). */
  | { kind: "send"; text: string };

/** What one submitted line asks for. Only a `!` in the very first column means the local shell. */
export function parseInput(line: string): InputAction {
  if (line.startsWith("!")) return { kind: "local", command: line.slice(1).trim() };
  const text = line.trim();
  if (text === "") return { kind: "empty" };
  const m = /^\/([a-z-]+)(?:\s|$)/.exec(text);
  switch (m?.[1]) {
    case "quit":
    case "exit":
      return { kind: "quit" };
    case "help":
      return { kind: "help" };
    case "stop":
      return { kind: "stop" };
    case "status":
      return { kind: "status" };
    default:
      return { kind: "send", text };
  }
}

/** The single key that answers an approval prompt: a = once, A = always, d/D = deny. */
export function approvalDecisionForKey(key: string): ApprovalDecision | undefined {
  if (key === "a") return "allow-once";
  if (key === "A") return "allow-always";
  if (key === "d" || key === "D") return "deny";
  return undefined;
}

export const TUI_HELP = [
  "Type a message and press Enter to send it to the agent.",
  "  /new                      start a new conversation (the old transcript is archived)",
  "  /status                   session, model, tokens, sandbox and tools (from the gateway)",
  "  /stop                     stop the current reply and drop queued messages",
  "  /export-session <path>    the gateway writes the transcript to <path> on its machine",
  "  /quit                     leave (also Ctrl-D on an empty line, or Ctrl-C twice)",
  "  !<command>                run <command> in /bin/sh on THIS machine, not through the agent",
  "Ctrl-C stops a running reply or local command. Approval prompts: a = allow once, A = allow always, d = deny.",
].join("\n");

// ---- terminal-safe text -------------------------------------------------------------

/**
 * Text from the model, the gateway or a local command, made safe to print: escape
 * sequences and control characters are dropped (no terminal injection, no cursor games
 * that would break the prompt), tabs become spaces, CR LF / lone CR become LF.
 */
export function sanitize(text: string): string {
  return escapeForDisplay(
    text
      // CSI / OSC / other ESC sequences
      .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, "")
      .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g, "")
      .replace(/\x1b[@-_]?/g, "")
      .replace(/\r\n?/g, "\n")
      .replace(/\t/g, "  ")
      // remaining C0 (except LF), DEL and C1 controls
      .replace(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/g, ""),
  ); // what is left that could deceive (bidi overrides, zero-width characters) is shown escaped
}

const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
const ZERO = /[\u0300-\u036f\u200b-\u200f\ufe00-\ufe0f]/u;

/** Columns one character takes (0, 1 or 2); a close approximation of wcwidth. */
export function charWidth(ch: string): number {
  if (ZERO.test(ch)) return 0;
  return WIDE.test(ch) ? 2 : 1;
}

/** Display width of text (ANSI sequences take no room). */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of stripAnsi(text)) w += charWidth(ch);
  return w;
}

/** Cuts plain text to at most `width` columns, ending in "…" when it had to cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return "";
  if (displayWidth(text) <= width) return text;
  let out = "";
  let w = 0;
  for (const ch of text) {
    const cw = charWidth(ch);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return `${out}…`;
}

/** Splits plain text into its first `width` columns and the rest. */
export function splitAtWidth(text: string, width: number): [string, string] {
  let w = 0;
  let i = 0;
  for (const ch of text) {
    const cw = charWidth(ch);
    if (w + cw > width) break;
    w += cw;
    i += ch.length;
  }
  return [text.slice(0, i), text.slice(i)];
}

// ---- tool calls -----------------------------------------------------------------------

function oneLine(text: string): string {
  return sanitize(text).replace(/\s*\n\s*/g, " ⏎ ").trim();
}

/** Tool input in one short line: `command="ls -la"`, or compact JSON for anything nested. */
export function summarizeArgs(input: unknown, max = 80): string {
  let text: string;
  if (input === undefined) text = "";
  else if (input !== null && typeof input === "object" && !Array.isArray(input)) {
    const entries = Object.entries(input as Record<string, unknown>);
    text = entries.every(([, v]) => v === null || ["string", "number", "boolean"].includes(typeof v))
      ? entries.map(([k, v]) => `${k}=${typeof v === "string" ? JSON.stringify(v) : String(v)}`).join(" ")
      : JSON.stringify(input);
  } else text = JSON.stringify(input) ?? "";
  return truncate(oneLine(text), max);
}

export function toolCallLine(name: string | undefined, input: unknown, max = 80): string {
  const args = summarizeArgs(input, max);
  return `⚙ ${name ?? "tool"}${args ? ` ${args}` : ""}`;
}

export function toolResultLine(name: string | undefined, result: string | undefined, error: string | undefined, max = 100): string {
  if (error !== undefined) return `✗ ${name ?? "tool"} failed: ${truncate(oneLine(error), max)}`;
  const first = truncate(oneLine(result ?? ""), max);
  return `↳ ${name ?? "tool"}${first ? `: ${first}` : " done"}`;
}

// ---- approvals --------------------------------------------------------------------------

export interface ApprovalRequest {
  id: string;
  command: string;
  cwd?: string;
  agentId?: string;
  sessionKey?: string;
  expiresAt?: number;
}

/** The log lines shown when an approval arrives (full command; the prompt itself is short). */
export function approvalLines(a: ApprovalRequest, now = Date.now()): string[] {
  const secs = a.expiresAt ? Math.max(0, Math.round((a.expiresAt - now) / 1000)) : undefined;
  return [
    `exec approval ${a.id}${a.agentId ? ` — agent ${a.agentId}` : ""}${a.sessionKey ? `, session ${a.sessionKey}` : ""}${secs !== undefined ? ` (expires in ${secs} s)` : ""}`,
    `  $ ${escapeForDisplay(a.command, { oneLine: true })}`,
    ...(a.cwd ? [`  in ${sanitize(a.cwd)}`] : []),
  ];
}

export const APPROVAL_CHOICES = "[a]llow once / [A]llow always / [d]eny";

export function decisionText(d: string): string {
  return d === "allow-once" ? "allowed once" : d === "allow-always" ? "allowed always" : d === "deny" ? "denied" : d;
}

// ---- status line ------------------------------------------------------------------------

export interface SessionInfo {
  agentId: string;
  sessionKey: string;
  /** Configured primary model (plus fallbacks), or the model the last reply came from. */
  model: string;
  /** The configured primary model ref, when known. */
  primary?: string;
  sandbox: string;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * Agent, model and sandbox of a session as the gateway's running config (from
 * `config.get`) decides them. Defensive: a missing piece reads "unknown", never a guess.
 */
export function describeSession(config: unknown, sessionKey: string | undefined): SessionInfo {
  const agents = obj(obj(config).agents);
  const list = Array.isArray(agents.list) ? agents.list.map(obj) : [];
  const defaults = obj(agents.defaults);
  const fallbackAgent = list.find((a) => a.default === true) ?? list[0];
  const key = sessionKey ?? (str(fallbackAgent?.id) ? `agent:${String(fallbackAgent!.id)}:main` : "(default)");
  const agentId = parseSessionKey(key)?.agentId ?? str(fallbackAgent?.id) ?? "unknown";
  const agent = list.find((a) => a.id === agentId) ?? {};
  const ownModel = obj(agent.model);
  const defModel = obj(defaults.model);
  const primary = str(ownModel.primary) ?? str(defModel.primary);
  const fallbacks = Array.isArray(ownModel.fallbacks) ? ownModel.fallbacks : Array.isArray(defModel.fallbacks) ? defModel.fallbacks : [];
  const model = primary ? `${primary}${fallbacks.length ? ` (+${fallbacks.length} fallback${fallbacks.length > 1 ? "s" : ""})` : ""}` : "not set";
  const sb = { ...obj(defaults.sandbox), ...obj(agent.sandbox) };
  const mode = str(sb.mode);
  let sandbox = "unknown";
  if (mode === "off" || mode === "non-main" || mode === "all") {
    const required = sandboxRequired(mode as SandboxMode, key);
    sandbox = required
      ? `on (${str(sb.backend) ?? "?"}, network ${sb.network === true ? "on" : "off"})`
      : mode === "off"
        ? "off"
        : `off (mode ${mode}, main session)`;
  }
  return { agentId, sessionKey: key, model, primary, sandbox };
}

export function statusLine(info: SessionInfo, activity: string): string {
  return `agent ${info.agentId} · model ${info.model} · session ${info.sessionKey} · sandbox ${info.sandbox} · ${activity}`;
}

// ---- history ----------------------------------------------------------------------------

/** The text of a transcript message (tool parts left out), for the short history shown on start. */
export function messageText(message: unknown): string {
  const m = obj(message);
  if (typeof m.content === "string") return m.content;
  if (!Array.isArray(m.content)) return "";
  return m.content
    .map(obj)
    .filter((p) => p.type === "text" && typeof p.text === "string")
    .map((p) => p.text as string)
    .join("");
}
