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
    const clean = this.redact ? this.redactor.text(msg) : msg;
    const extra = fields ? (this.redact ? this.redactor.value(fields) : fields) : undefined;
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
