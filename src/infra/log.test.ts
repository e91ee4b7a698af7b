import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LOG_BURST, LOG_STRING_MAX_CHARS, LOG_WINDOW_MS, Logger } from "./log.js";
import { REDACTED, Redactor } from "./redact.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "simpleclaw-log-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function sink() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return { stream, text: () => chunks.join("") };
}

function lines(file: string): Array<Record<string, unknown>> {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const SECRET = "gw-token-0123456789abcdef";
const OPENAI = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123456789";

describe("Logger file output", () => {
  it("writes JSON lines to logs/gateway-YYYY-MM-DD.log, creating the dir 700 and the file 600", () => {
    const logs = join(dir, "logs");
    const log = new Logger({ logsDir: logs, pretty: null });
    log.info("hello", { a: 1 });
    log.warn("second");
    expect(statSync(logs).mode & 0o777).toBe(0o700);
    expect(log.filePath).toBe(join(logs, `gateway-${new Date().toISOString().slice(0, 10)}.log`));
    expect(readdirSync(logs)).toEqual([`gateway-${new Date().toISOString().slice(0, 10)}.log`]);
    expect(statSync(log.filePath!).mode & 0o777).toBe(0o600);
    const recs = lines(log.filePath!);
    expect(recs).toHaveLength(2);
    expect(recs[0]).toMatchObject({ level: "info", msg: "hello", a: 1 });
    expect(recs[1]).toMatchObject({ level: "warn", msg: "second" });
    expect(Number.isNaN(Date.parse(String(recs[0]!.time)))).toBe(false);
  });

  it("creates the file 600 even under a permissive umask", () => {
    const old = process.umask(0);
    try {
      const log = new Logger({ logsDir: join(dir, "logs"), pretty: null });
      log.info("x");
      expect(statSync(log.filePath!).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });

  it("appends to an existing file and does not widen its mode", () => {
    const logs = join(dir, "logs");
    const first = new Logger({ logsDir: logs, pretty: null });
    first.info("one");
    const second = new Logger({ logsDir: logs, pretty: null });
    second.info("two");
    expect(lines(first.filePath!).map((r) => r.msg)).toEqual(["one", "two"]);
    expect(statSync(first.filePath!).mode & 0o777).toBe(0o600);
  });

  it("keeps one record per line even when messages contain newlines (no log forging)", () => {
    const log = new Logger({ logsDir: join(dir, "logs"), pretty: null });
    log.warn('bad frame\n{"level":"info","msg":"forged"}', { detail: "a\r\nb" });
    const recs = lines(log.filePath!);
    expect(recs).toHaveLength(1);
    expect(recs[0]!.msg).toBe('bad frame\n{"level":"info","msg":"forged"}');
  });

  it("writes no file without a logsDir", () => {
    const log = new Logger({ pretty: null });
    log.error("nowhere");
    expect(log.filePath).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("Logger redaction", () => {
  it("redacts known secrets and secret shapes in the message, fields and pretty output", () => {
    const out = sink();
    const log = new Logger({ logsDir: join(dir, "logs"), redactor: new Redactor([SECRET]), pretty: out.stream });
    log.info(`client sent ${SECRET}`, {
      headers: { authorization: `Bearer ${SECRET}` },
      token: "some-token",
      nested: { apiKey: "k-123", note: `key ${OPENAI}` },
      port: 18789,
    });
    const file = readFileSync(log.filePath!, "utf8");
    for (const text of [file, out.text()]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain("some-token");
      expect(text).not.toContain("k-123");
      expect(text).not.toContain(OPENAI);
      expect(text).toContain(REDACTED);
      expect(text).toContain("18789");
    }
    const rec = lines(log.filePath!)[0]!;
    expect(rec.msg).toBe(`client sent ${REDACTED}`);
    expect(rec.token).toBe(REDACTED);
    expect(rec.headers).toEqual({ authorization: REDACTED });
  });

  it("redacts errors passed as fields", () => {
    const log = new Logger({ logsDir: join(dir, "logs"), redactor: new Redactor([SECRET]), pretty: null });
    log.error("request failed", { err: new Error(`401 for ${SECRET}`) });
    const rec = lines(log.filePath!)[0]!;
    expect(rec.err).toEqual({ name: "Error", message: `401 for ${REDACTED}` });
  });

  it("writes secrets verbatim when redaction is off (logging.redactSensitive: false)", () => {
    const out = sink();
    const log = new Logger({ logsDir: join(dir, "logs"), redactor: new Redactor([SECRET]), redact: false, pretty: out.stream });
    log.info(`client sent ${SECRET}`, { token: "some-token" });
    const rec = lines(log.filePath!)[0]!;
    expect(rec.msg).toBe(`client sent ${SECRET}`);
    expect(rec.token).toBe("some-token");
    expect(out.text()).toContain(SECRET);
  });
});

describe("Logger levels", () => {
  it("defaults to info: debug is dropped", () => {
    const out = sink();
    const log = new Logger({ logsDir: join(dir, "logs"), pretty: out.stream });
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    expect(lines(log.filePath!).map((r) => r.level)).toEqual(["info", "warn", "error"]);
    expect(out.text()).not.toMatch(/debug/);
    expect(out.text().trim().split("\n")).toHaveLength(3);
  });

  it("level debug keeps everything", () => {
    const log = new Logger({ logsDir: join(dir, "logs"), level: "debug", pretty: null });
    log.debug("d");
    log.info("i");
    expect(lines(log.filePath!).map((r) => r.msg)).toEqual(["d", "i"]);
  });

  it("level warn drops debug and info", () => {
    const log = new Logger({ logsDir: join(dir, "logs"), level: "warn", pretty: null });
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    expect(lines(log.filePath!).map((r) => r.msg)).toEqual(["w", "e"]);
  });

  it("level error keeps only errors; nothing logged means no file", () => {
    const log = new Logger({ logsDir: join(dir, "logs"), level: "error", pretty: null });
    log.warn("w");
    expect(existsSync(log.filePath!)).toBe(false);
    log.error("e");
    expect(lines(log.filePath!).map((r) => r.msg)).toEqual(["e"]);
  });
});

describe("Logger pretty output", () => {
  it("writes one short human line per record", () => {
    const out = sink();
    const log = new Logger({ pretty: out.stream });
    log.warn("something odd", { code: 7 });
    expect(out.text()).toMatch(/^\d\d:\d\d:\d\d warn  something odd \{"code":7\}\n$/);
  });
});

describe("Logger with a pre-existing log file", () => {
  it("appends without failing when the file already exists with mode 600", () => {
    const logs = join(dir, "logs");
    const first = new Logger({ logsDir: logs, pretty: null });
    writeFileSync(first.filePath!, "");
    chmodSync(first.filePath!, 0o600);
    first.info("after");
    expect(lines(first.filePath!).map((r) => r.msg)).toEqual(["after"]);
  });
});

describe("Logger terminal line", () => {
  it("attack: a chat sender's display name with a C1 CSI, an ESC sequence, a bidi override or a line break reaches the terminal escaped, on one line (control: plain text and the JSON file keep it as it was)", () => {
    const out = sink();
    const logs = join(dir, "logs");
    const log = new Logger({ logsDir: logs, pretty: out.stream });
    const name = "Eve\u009b2J\u001b]0;pwned\u0007 \u202e)1018 di( \n12:00:00 info  pairing approved";
    log.info(`pairing requested by ${name}`, { channel: "telegram", name });
    log.info("plain line", { name: "Zoë 中文" });
    const text = out.text();
    expect(text.split("\n").filter(Boolean)).toHaveLength(2);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(text).toContain("\\x9b2J");
    expect(text).toContain("\\u{202e}");
    expect(text).toContain('"name":"Zoë 中文"');
    expect(lines(log.filePath!)[0]).toMatchObject({ name });
  });
});

describe("Logger: what a flood can make it write", () => {
  it("attack: 10,000 refused connections each logging a 16 KiB header stay a few dozen short lines, and the log says how many were left out", () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(new Date("2026-01-02T03:00:00Z"));
      const log = new Logger({ logsDir: join(dir, "logs"), pretty: null });
      const origin = `https://${"a".repeat(16_000)}.example`;
      for (let i = 0; i < 10_000; i++) log.warn("websocket origin refused", { origin, addr: "203.0.113.9" });
      expect(statSync(log.filePath!).size).toBeLessThan(100_000);
      let recs = lines(log.filePath!);
      expect(recs).toHaveLength(LOG_BURST + 1);
      expect(String(recs[0]!.origin)).toMatch(/…\[\d+ more characters\]$/);
      expect(String(recs[0]!.origin).length).toBeLessThan(LOG_STRING_MAX_CHARS + 40);
      expect(String(recs.at(-1)!.msg)).toMatch(/^websocket origin refused — more than 20 lines like this in 10 s; further ones are not logged until /);
      // after the window, the next one is logged, with the count of those left out
      vi.setSystemTime(new Date(Date.now() + LOG_WINDOW_MS));
      log.warn("websocket origin refused", { origin: "https://evil.example", addr: "203.0.113.9" });
      recs = lines(log.filePath!);
      expect(recs.at(-2)).toMatchObject({ level: "warn", msg: `websocket origin refused — ${10_000 - LOG_BURST} more line(s) like this were not logged`, suppressed: 10_000 - LOG_BURST });
      expect(recs.at(-1)).toMatchObject({ msg: "websocket origin refused", origin: "https://evil.example" });
    } finally {
      vi.useRealTimers();
    }
  });

  it("control: different messages are each logged, and a cut string is cut after redaction (a secret near the cut is never half shown)", () => {
    const log = new Logger({ logsDir: join(dir, "logs"), pretty: null, redactor: new Redactor([SECRET]) });
    for (let i = 0; i < 50; i++) log.info(`event ${i}`);
    log.warn("long", { text: `${"b".repeat(LOG_STRING_MAX_CHARS - 5)}${SECRET}` });
    const recs = lines(log.filePath!);
    expect(recs).toHaveLength(51);
    expect(JSON.stringify(recs)).not.toContain(SECRET.slice(0, 5));
    expect(String(recs.at(-1)!.text)).toBe(`${"b".repeat(LOG_STRING_MAX_CHARS - 5)}${REDACTED.slice(0, 5)}…[${REDACTED.length - 5} more characters]`);
  });
});
