// `simpleclaw logs [-f]` (lazy-loaded): the gateway's JSON-line log in <state>/logs, newest
// file first, shown one readable line per record and redacted again on the way out (a log
// written with logging.redactSensitive false still does not print the gateway secret or keys).
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { readRawConfig, validateConfig } from "../config/io.js";
import { statePaths } from "../config/paths.js";
import { EXIT, UserError } from "../infra/errors.js";
import { escapeForDisplay } from "../infra/display.js";
import { Redactor } from "../infra/redact.js";

const FILE = /^gateway-\d{4}-\d{2}-\d{2}\.log$/;

function newestLog(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir).filter((f) => FILE.test(f)).sort();
  return files.length ? join(dir, files[files.length - 1]!) : undefined;
}

function localRedactor(): Redactor {
  const env = process.env;
  const secrets: Array<string | undefined> = [env.SIMPLECLAW_GATEWAY_TOKEN, env.SIMPLECLAW_GATEWAY_PASSWORD, env.ANTHROPIC_API_KEY, env.OPENAI_API_KEY, env.TELEGRAM_BOT_TOKEN];
  const v = validateConfig(readRawConfig().raw);
  if (v.ok) {
    const c = v.config;
    secrets.push(c.gateway.auth.token, c.gateway.auth.password, c.memory.embeddings.apiKey);
    for (const p of Object.values(c.models.providers)) secrets.push(p.apiKey);
  }
  return new Redactor(secrets);
}

/** One record as a person reads it: `time level message key=value…`; a non-JSON line as is. */
export function formatLogLine(line: string, redactor: Redactor): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return escapeForDisplay(redactor.text(line), { oneLine: true });
  }
  if (rec === null || typeof rec !== "object") return escapeForDisplay(redactor.text(line), { oneLine: true });
  const { time, level, msg, ...rest } = redactor.value(rec) as Record<string, unknown>;
  const extra = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  const text = `${String(time ?? "").replace("T", " ").replace(/\.\d+Z$/, "Z")} ${String(level ?? "").padEnd(5)} ${String(msg ?? "")}${extra.length ? `  ${extra.join(" ")}` : ""}`;
  return escapeForDisplay(text, { oneLine: true });
}

export async function logs(opts: { follow?: boolean; lines: string; json?: boolean }): Promise<void> {
  const n = Number(opts.lines);
  if (!Number.isInteger(n) || n < 0 || n > 100_000) throw new UserError("--lines must be a whole number from 0 to 100000.", EXIT.usage);
  const dir = statePaths(process.env).logs;
  const redactor = localRedactor();
  const show = (line: string) => process.stdout.write(`${opts.json ? redactor.text(line) : formatLogLine(line, redactor)}\n`);
  let file = newestLog(dir);
  if (!file && !opts.follow) throw new UserError(`no gateway log in ${dir} yet; start the gateway (npx simpleclaw gateway) and it writes one.`);
  let offset = 0;
  if (file) {
    const text = readFileSync(file, "utf8");
    offset = Buffer.byteLength(text);
    const lines = text.split("\n").filter(Boolean);
    for (const line of n === 0 ? [] : lines.slice(-n)) show(line);
  }
  if (!opts.follow) return;
  // Follow: poll the newest file (a gateway started on a later day writes a new one).
  let partial = "";
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    const newest = newestLog(dir);
    if (newest && newest !== file) {
      file = newest;
      offset = 0;
      partial = "";
    }
    if (!file) continue;
    const size = statSync(file).size;
    if (size < offset) offset = 0; // truncated
    if (size === offset) continue;
    const fd = openSync(file, "r");
    const buf = Buffer.alloc(size - offset);
    readSync(fd, buf, 0, buf.length, offset);
    closeSync(fd);
    offset = size;
    const chunk = partial + buf.toString("utf8");
    const parts = chunk.split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) if (line) show(line);
  }
}
