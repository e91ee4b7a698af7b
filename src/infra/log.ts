// Gateway logging: JSON lines to logs/gateway-YYYY-MM-DD.log (mode 600) and a short
// human line to stderr, shown escaped (infra/display.ts) since a terminal reads it. Every
// record passes through the Redactor first unless logging.redactSensitive is false.
import { appendFileSync, chmodSync, existsSync } from "node:fs";
import { join } from "node:path";
import { ensureDir } from "./atomic-fs.js";
import { Redactor } from "./redact.js";
import { escapeForDisplay } from "./display.js";

export type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * Bounds on what clients and chat senders can make the gateway write (docs/operations.md):
 * a flood of refused connections or unknown senders logged a line each, with header values
 * of up to 16 KiB, and filled the disk. Lines with the same level and message beyond
 * LOG_BURST in LOG_WINDOW_MS are not written; the first one left out says so, and the
 * next line after the window says how many were left out. A string longer than
 * LOG_STRING_MAX_CHARS (message or field) is cut, saying how much was cut.
 */
export const LOG_BURST = 20;
export const LOG_WINDOW_MS = 10_000;
export const LOG_STRING_MAX_CHARS = 2_000;
const MAX_TRACKED = 1_000;

function cut(s: string): string {
  return s.length > LOG_STRING_MAX_CHARS ? `${s.slice(0, LOG_STRING_MAX_CHARS)}…[${s.length - LOG_STRING_MAX_CHARS} more characters]` : s;
}

function cutStrings(v: unknown, depth = 0): unknown {
  if (typeof v === "string") return cut(v);
  if (depth > 8 || v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((x) => cutStrings(x, depth + 1));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cutStrings(x, depth + 1)]));
}

export interface LoggerOptions {
  logsDir?: string;
  level?: Level;
  redact?: boolean;
  redactor?: Redactor;
  /** Where the human-readable line goes; default process.stderr. null = nowhere. */
  pretty?: NodeJS.WritableStream | null;
}

export class Logger {
  readonly redactor: Redactor;
  private file: string | undefined;
  private level: Level;
  private redact: boolean;
  private pretty: NodeJS.WritableStream | null;
  private bursts = new Map<string, { start: number; count: number; suppressed: number }>();

  constructor(opts: LoggerOptions = {}) {
    this.redactor = opts.redactor ?? new Redactor();
    this.level = opts.level ?? "info";
    this.redact = opts.redact ?? true;
    this.pretty = opts.pretty === undefined ? process.stderr : opts.pretty;
    if (opts.logsDir) {
      ensureDir(opts.logsDir, 0o700);
      this.file = join(opts.logsDir, `gateway-${new Date().toISOString().slice(0, 10)}.log`);
    }
  }

  get filePath(): string | undefined {
    return this.file;
  }

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.write("debug", msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.write("info", msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.write("warn", msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.write("error", msg, fields);
  }

  private write(level: Level, msg: string, fields?: Record<string, unknown>): void {
    if (ORDER[level] < ORDER[this.level]) return;
    const now = Date.now();
    const key = `${level} ${msg}`;
    let b = this.bursts.get(key);
    if (!b || now - b.start >= LOG_WINDOW_MS) {
      if (b?.suppressed) this.emit(level, `${cut(msg)} — ${b.suppressed} more line(s) like this were not logged`, { suppressed: b.suppressed, since: new Date(b.start).toISOString() });
      if (!b && this.bursts.size >= MAX_TRACKED) {
        for (const [k, x] of this.bursts) if (now - x.start >= LOG_WINDOW_MS && !x.suppressed) this.bursts.delete(k);
        if (this.bursts.size >= MAX_TRACKED) this.bursts.clear();
      }
      b = { start: now, count: 0, suppressed: 0 };
      this.bursts.set(key, b);
    }
    if (b.count >= LOG_BURST) {
      if (b.suppressed++ === 0) this.emit(level, `${cut(msg)} — more than ${LOG_BURST} lines like this in ${LOG_WINDOW_MS / 1000} s; further ones are not logged until ${new Date(b.start + LOG_WINDOW_MS).toISOString()}`);
      return;
    }
    b.count++;
    this.emit(level, msg, fields);
  }

  private emit(level: Level, msg: string, fields?: Record<string, unknown>): void {
    const clean = cut(this.redact ? this.redactor.text(msg) : msg);
    const extra = fields ? (cutStrings(this.redact ? this.redactor.value(fields) : fields) as Record<string, unknown>) : undefined;
    const time = new Date().toISOString();
    if (this.file) {
      const line = `${JSON.stringify({ time, level, msg: clean, ...extra })}\n`;
      const fresh = !existsSync(this.file);
      appendFileSync(this.file, line, { mode: 0o600 });
      if (fresh) chmodSync(this.file, 0o600);
    }
    if (this.pretty) {
      const tail = extra && Object.keys(extra).length ? ` ${JSON.stringify(extra)}` : "";
      // A terminal reads this line: text from outside (a chat sender's name, a plugin's error) must
      // not move the cursor, retitle the window, reorder the line or start a fake new one.
      this.pretty.write(`${escapeForDisplay(`${time.slice(11, 19)} ${level.padEnd(5)} ${clean}${tail}`, { oneLine: true })}\n`);
    }
  }
}
