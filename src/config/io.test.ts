import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserError } from "../infra/errors.js";
import { CONFIG_VERSION } from "./migrate.js";
import {
  getAt,
  loadConfig,
  parseCliValue,
  parseConfigText,
  readRawConfig,
  saveRawConfig,
  setAt,
  splitKeyPath,
  unsetAt,
  validateConfig,
} from "./io.js";

function problems(raw: unknown): string[] {
  const v = validateConfig(raw);
  if (v.ok) throw new Error("expected the config to be invalid");
  return v.problems;
}

function thrown(fn: () => unknown): UserError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return err as UserError;
  }
  throw new Error("expected a UserError");
}

describe("validateConfig", () => {
  it("accepts an empty config and fills documented defaults", () => {
    const v = validateConfig({});
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.config.gateway.port).toBe(18789);
    expect(v.config.gateway.bind).toBe("loopback");
    expect(v.config.gateway.auth.mode).toBe("token");
    expect(v.config.gateway.auth.rateLimit).toEqual({ maxAttempts: 10, windowMs: 60_000, lockoutMs: 300_000, exemptLoopback: false, globalMaxAttempts: 100 });
    expect(v.config.session.dmScope).toBe("per-sender");
    expect(v.config.gateway.controlUi).toEqual({ enabled: true, allowedOrigins: [] });
    expect(v.config.gateway.trustedProxies).toEqual([]);
    expect(v.config.logging).toEqual({ level: "info", redactSensitive: true });
    expect(v.config.tools.exec.security).toBe("allowlist");
  });

  it("accepts the documented hardening profile as written", () => {
    const v = validateConfig({ tools: { exec: { enabled: false }, browser: { enabled: false }, http: { enabled: false }, fs: { workspaceOnly: true } } });
    expect(v.ok).toBe(true);
  });

  it("names an unknown key by its full path", () => {
    expect(problems({ gateway: { prot: 1 } })).toEqual(["gateway.prot: unknown key (remove it or check its spelling)"]);
    expect(problems({ bogus: true })[0]).toMatch(/^bogus: unknown key/);
    expect(problems({ gateway: { auth: { rateLimit: { maxAttempt: 3 } } } })[0]).toMatch(/^gateway\.auth\.rateLimit\.maxAttempt: unknown key/);
  });

  it("names the key, the bad value and the expected type for a wrong type", () => {
    const [p] = problems({ gateway: { port: "18789" } });
    expect(p).toContain("gateway.port");
    expect(p).toContain('"18789"');
    expect(p).toMatch(/expected number/);
    expect(problems({ logging: { redactSensitive: "no" } })[0]).toMatch(/^logging\.redactSensitive: got "no", expected boolean/);
  });

  it("refuses ports out of range and non-integers, naming the limit", () => {
    const [big] = problems({ gateway: { port: 70000 } });
    expect(big).toContain("gateway.port");
    expect(big).toContain("70000");
    expect(big).toContain("65535");
    const [zero] = problems({ gateway: { port: 0 } });
    expect(zero).toContain("gateway.port");
    expect(zero).toMatch(/>=\s*1/);
    expect(problems({ gateway: { port: 1.5 } })[0]).toMatch(/^gateway\.port: got 1\.5/);
    expect(problems({ gateway: { port: -1 } })[0]).toMatch(/^gateway\.port: got -1/);
  });

  it("lists the allowed values for an enum", () => {
    const [p] = problems({ gateway: { bind: "everywhere" } });
    expect(p).toBe('gateway.bind: got "everywhere", expected one of "loopback", "lan", "tailnet", "custom"');
    expect(problems({ gateway: { auth: { mode: "off" } } })[0]).toMatch(/^gateway\.auth\.mode: got "off", expected one of "token", "password", "none"/);
  });

  it('refuses dmPolicy "open" without "*" in allowFrom, and accepts it with', () => {
    const [p] = problems({ channels: { telegram: { dmPolicy: "open", allowFrom: ["123"] } } });
    expect(p).toContain("channels.telegram.allowFrom");
    expect(p).toContain('"*"');
    expect(p).toContain('["123"]');
    expect(problems({ channels: { slack: { dmPolicy: "open" } } })[0]).toContain("channels.slack.allowFrom");
    expect(validateConfig({ channels: { telegram: { dmPolicy: "open", allowFrom: ["*"] } } }).ok).toBe(true);
  });

  it("refuses TLS enabled without certificate paths or autoGenerate", () => {
    expect(problems({ gateway: { tls: { enabled: true } } })[0]).toMatch(/^gateway\.tls: needs certPath and keyPath, or autoGenerate/);
    expect(problems({ gateway: { tls: { enabled: true, certPath: "/c.pem" } } })[0]).toMatch(/^gateway\.tls:/);
    expect(validateConfig({ gateway: { tls: { enabled: true, autoGenerate: true } } }).ok).toBe(true);
    expect(validateConfig({ gateway: { tls: { enabled: true, certPath: "/c.pem", keyPath: "/k.pem" } } }).ok).toBe(true);
  });

  it('refuses bind "custom" without customBindHost', () => {
    expect(problems({ gateway: { bind: "custom" } })[0]).toMatch(/^gateway\.customBindHost: is required/);
  });

  it("refuses empty secrets", () => {
    expect(problems({ gateway: { auth: { token: "" } } })[0]).toMatch(/^gateway\.auth\.token: got ""/);
  });

  it("reports every problem, not just the first", () => {
    expect(problems({ gateway: { port: 0, bind: "x", extra: 1 } })).toHaveLength(3);
  });

  it("refuses a __proto__ key in parsed JSON instead of merging it", () => {
    const raw = JSON.parse('{"__proto__":{"polluted":true},"gateway":{"__proto__":{"port":1}}}');
    const p = problems(raw);
    expect(p.join("; ")).toContain("__proto__");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("truncates very long bad values in messages", () => {
    const [p] = problems({ gateway: { bind: "x".repeat(500) } });
    expect(p!.length).toBeLessThan(200);
  });
});

describe("splitKeyPath", () => {
  it("splits dotted paths", () => {
    expect(splitKeyPath("gateway.auth.token")).toEqual(["gateway", "auth", "token"]);
    expect(splitKeyPath("logging")).toEqual(["logging"]);
  });

  it.each(["__proto__", "gateway.__proto__.polluted", "constructor.prototype.x", "gateway.constructor", "a.prototype"])(
    "refuses %s with a usage error",
    (p) => {
      const e = thrown(() => splitKeyPath(p));
      expect(e.exitCode).toBe(2);
      expect(e.message).toContain("is not allowed");
    },
  );

  it.each(["", " ", ".", "gateway.", ".gateway", "gateway..port"])("refuses the malformed path %j", (p) => {
    expect(thrown(() => splitKeyPath(p)).exitCode).toBe(2);
  });
});

describe("getAt / setAt / unsetAt", () => {
  const raw = { gateway: { port: 1234, auth: { token: "t" } }, logging: { level: "debug" } };

  it("getAt reads nested values and returns undefined for missing ones", () => {
    expect(getAt(raw, ["gateway", "port"])).toBe(1234);
    expect(getAt(raw, ["gateway", "auth"])).toEqual({ token: "t" });
    expect(getAt(raw, ["gateway", "nope", "deeper"])).toBeUndefined();
    expect(getAt(raw, ["gateway", "port", "x"])).toBeUndefined();
  });

  it("getAt does not reach inherited properties", () => {
    expect(getAt(raw, ["toString"])).toBeUndefined();
    expect(getAt(raw, ["gateway", "constructor"])).toBeUndefined();
    expect(getAt(raw, ["__proto__"])).toBeUndefined();
  });

  it("setAt returns a copy with the value set, creating objects on the way", () => {
    const next = setAt(raw, ["gateway", "tls", "enabled"], true);
    expect(next.gateway).toEqual({ port: 1234, auth: { token: "t" }, tls: { enabled: true } });
    expect(raw.gateway).toEqual({ port: 1234, auth: { token: "t" } }); // input untouched
    expect(setAt({}, ["a", "b", "c"], 1)).toEqual({ a: { b: { c: 1 } } });
    expect(setAt(raw, ["gateway", "port"], 99).gateway).toMatchObject({ port: 99 });
  });

  it("setAt replaces null on the way and refuses to descend into a scalar or array", () => {
    expect(setAt({ a: null }, ["a", "b"], 1)).toEqual({ a: { b: 1 } });
    const e = thrown(() => setAt(raw, ["gateway", "port", "x"], 1));
    expect(e.message).toContain("gateway.port is not an object");
    expect(thrown(() => setAt({ a: [1] }, ["a", "b"], 1)).message).toContain("a is not an object");
  });

  it("setAt never writes through the prototype chain", () => {
    const next = setAt({}, ["toString", "x"], 1);
    expect(Object.hasOwn(next, "toString")).toBe(true);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(typeof Object.prototype.toString).toBe("function");
  });

  it("unsetAt removes the key and objects left empty by it", () => {
    const r1 = unsetAt(raw, ["gateway", "auth", "token"]);
    expect(r1.removed).toBe(true);
    expect(r1.raw).toEqual({ gateway: { port: 1234 }, logging: { level: "debug" } });
    const r2 = unsetAt(raw, ["logging", "level"]);
    expect(r2.raw).toEqual({ gateway: { port: 1234, auth: { token: "t" } } });
    expect(raw.gateway.auth.token).toBe("t"); // input untouched
  });

  it("unsetAt reports keys that are not set", () => {
    expect(unsetAt(raw, ["gateway", "bind"])).toEqual({ raw, removed: false });
    expect(unsetAt(raw, ["nope", "deeper"]).removed).toBe(false);
    expect(unsetAt(raw, ["gateway", "port", "x"]).removed).toBe(false);
  });

  it("unsetAt does not treat inherited properties as set", () => {
    expect(unsetAt(raw, ["toString"]).removed).toBe(false);
    expect(unsetAt(raw, ["gateway", "hasOwnProperty"]).removed).toBe(false);
  });
});

describe("parseCliValue", () => {
  it.each([
    ["42", 42],
    ["-1.5", -1.5],
    ["0", 0],
    ["true", true],
    ["false", false],
    ["null", null],
    ["[1, 2]", [1, 2]],
    ['["a","b"]', ["a", "b"]],
    ['{"a":1}', { a: 1 }],
    ["{a: 'x'}", { a: "x" }],
    ['"quoted string"', "quoted string"],
  ])("parses %j as JSON5", (text, value) => {
    expect(parseCliValue(text)).toEqual(value);
  });

  it.each(["hello", "loopback", "http://127.0.0.1:11434/v1", "abc def", "", "{not json", "sk-abc", "~/x"])("keeps %j as a plain string", (text) => {
    expect(parseCliValue(text)).toBe(text);
  });

  it("does not pollute prototypes with a __proto__ object", () => {
    const v = parseCliValue('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(v, "__proto__")).toBe(true);
  });
});

describe("files", () => {
  let dir: string;
  let env: Record<string, string>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "simpleclaw-io-"));
    env = { SIMPLECLAW_STATE_DIR: join(dir, "state") };
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("loadConfig without a file gives the defaults", () => {
    const loaded = loadConfig(env);
    expect(loaded.exists).toBe(false);
    expect(loaded.path).toBe(join(dir, "state", "simpleclaw.json"));
    expect(loaded.config.gateway.port).toBe(18789);
  });

  it("loadConfig reads JSON5 (comments, trailing commas, unquoted keys)", () => {
    mkdirSync(join(dir, "state"));
    writeFileSync(join(dir, "state", "simpleclaw.json"), "// my config\n{ gateway: { port: 12345, }, }\n");
    const loaded = loadConfig(env);
    expect(loaded.exists).toBe(true);
    expect(loaded.raw).toEqual({ gateway: { port: 12345 } });
    expect(loaded.config.gateway.port).toBe(12345);
  });

  it("loadConfig on invalid JSON5 throws a one-line UserError with exit 78", () => {
    mkdirSync(join(dir, "state"));
    writeFileSync(join(dir, "state", "simpleclaw.json"), "{ gateway: { port: 1234 ");
    const e = thrown(() => loadConfig(env));
    expect(e.exitCode).toBe(78);
    expect(e.message).toContain("simpleclaw.json");
    expect(e.message).toContain("not valid JSON5");
    expect(e.message).not.toContain("\n");
  });

  it("loadConfig on a non-object top level throws exit 78", () => {
    mkdirSync(join(dir, "state"));
    for (const text of ["[1,2]", "42", "null", '"str"']) {
      writeFileSync(join(dir, "state", "simpleclaw.json"), text);
      expect(thrown(() => loadConfig(env)).exitCode, text).toBe(78);
    }
  });

  it("loadConfig on schema errors throws exit 78 naming the key path", () => {
    mkdirSync(join(dir, "state"));
    writeFileSync(join(dir, "state", "simpleclaw.json"), '{"gateway":{"port":99999}}');
    const e = thrown(() => loadConfig(env));
    expect(e.exitCode).toBe(78);
    expect(e.message).toContain("gateway.port");
    expect(e.message).toContain("99999");
  });

  it("an empty file is an empty config", () => {
    mkdirSync(join(dir, "state"));
    writeFileSync(join(dir, "state", "simpleclaw.json"), "  \n");
    expect(loadConfig(env).raw).toEqual({});
  });

  it("SIMPLECLAW_CONFIG_PATH moves the file", () => {
    const other = join(dir, "elsewhere.json5");
    writeFileSync(other, "{logging:{level:'warn'}}");
    const loaded = loadConfig({ ...env, SIMPLECLAW_CONFIG_PATH: other });
    expect(loaded.path).toBe(other);
    expect(loaded.config.logging.level).toBe("warn");
  });

  it("saveRawConfig writes mode 600 in a 700 state dir, only what the user wrote (a new file also records the schema version), no temp files", () => {
    const old = process.umask(0);
    try {
      saveRawConfig({ gateway: { port: 2345 } }, env);
    } finally {
      process.umask(old);
    }
    const file = join(dir, "state", "simpleclaw.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "state")).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ version: CONFIG_VERSION, gateway: { port: 2345 } });
    expect(readdirSync(join(dir, "state"))).toEqual(["simpleclaw.json"]);
    expect(readRawConfig(env).raw).toEqual({ version: CONFIG_VERSION, gateway: { port: 2345 } });
    // An existing file is not re-stamped: its version changes only through doctor --fix.
    writeFileSync(file, JSON.stringify({ gateway: { port: 1 } }));
    readRawConfig(env); // an edit reads before it saves (a save over an unseen change is refused)
    saveRawConfig({ gateway: { port: 2346 } }, env);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ gateway: { port: 2346 } });
  });

  it("saveRawConfig refuses an invalid config and leaves the file alone", () => {
    saveRawConfig({ gateway: { port: 2345 } }, env);
    const e = thrown(() => saveRawConfig({ gateway: { port: "nope" } }, env));
    expect(e.exitCode).toBe(78);
    expect(e.message).toContain("gateway.port");
    expect(JSON.parse(readFileSync(join(dir, "state", "simpleclaw.json"), "utf8"))).toEqual({ version: CONFIG_VERSION, gateway: { port: 2345 } });
  });

  it("parseConfigText names the file in its error", () => {
    expect(thrown(() => parseConfigText("{", "/x/simpleclaw.json")).message).toMatch(/^\/x\/simpleclaw\.json is not valid JSON5/);
  });
});

describe("concurrent writers (read, change, save)", () => {
  let dir: string;
  let env: Record<string, string>;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "simpleclaw-io-race-"));
    env = { SIMPLECLAW_STATE_DIR: join(dir, "state") };
    file = join(dir, "state", "simpleclaw.json");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("a save over a file someone else rewrote since this process read it is refused and their change stays", () => {
    saveRawConfig({ gateway: { port: 18000 } }, env);
    const { raw } = readRawConfig(env);
    // Another process (a second `config set`, the gateway) writes in between.
    const theirs = `${JSON.stringify({ version: CONFIG_VERSION, gateway: { port: 18000 }, logging: { level: "debug" } }, null, 2)}\n`;
    writeFileSync(file, theirs);
    const e = thrown(() => saveRawConfig(setAt(raw, ["gateway", "port"], 18001), env));
    expect(e.message).toMatch(/changed while this command was editing it .*run the command again/);
    expect(readFileSync(file, "utf8")).toBe(theirs);
    expect(readdirSync(join(dir, "state")).filter((n) => n.includes(".lock"))).toEqual([]);
  });

  it("two first-time writers: the second does not replace the config the first created", () => {
    readRawConfig(env); // no file yet
    writeFileSync((mkdirSync(join(dir, "state"), { recursive: true }), file), '{"gateway": {"port": 18002}}');
    thrown(() => saveRawConfig({ logging: { level: "debug" } }, env));
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ gateway: { port: 18002 } });
  });

  it("positive control: read, save, save again, read, save all work in one process", () => {
    const first = readRawConfig(env).raw;
    saveRawConfig(setAt(first, ["gateway", "port"], 18003), env);
    saveRawConfig({ gateway: { port: 18004 } }, env); // its own write is not someone else's
    const { raw } = readRawConfig(env);
    saveRawConfig(setAt(raw, ["logging", "level"], "debug"), env);
    expect(readRawConfig(env).raw).toMatchObject({ gateway: { port: 18004 }, logging: { level: "debug" } });
  });

  it("a lock left behind by a process that is gone is taken over", () => {
    mkdirSync(join(dir, "state"), { recursive: true });
    writeFileSync(`${file}.lock`, "999999999\n");
    saveRawConfig({ gateway: { port: 18005 } }, env);
    expect(readRawConfig(env).raw).toMatchObject({ gateway: { port: 18005 } });
    expect(readdirSync(join(dir, "state")).filter((n) => n.includes(".lock"))).toEqual([]);
  });

  it("a lock held by a live process: refused after waiting, nothing written", () => {
    mkdirSync(join(dir, "state"), { recursive: true });
    writeFileSync(`${file}.lock`, `${process.pid}\n`);
    const e = thrown(() => saveRawConfig({ gateway: { port: 18006 } }, env));
    expect(e.message).toMatch(/another process is writing .*simpleclaw\.json/);
    expect(readdirSync(join(dir, "state"))).toEqual(["simpleclaw.json.lock"]);
  }, 15_000);
});

describe("a config that exists but cannot be reached is not 'no config'", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "simpleclaw-io-reach-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("a state dir path through a regular file (ENOTDIR): exit 78 naming the file, not the defaults", () => {
    writeFileSync(join(dir, "file"), "");
    const env = { SIMPLECLAW_STATE_DIR: join(dir, "file", "state") };
    const e = thrown(() => loadConfig(env));
    expect(e.exitCode).toBe(78);
    expect(e.message).toMatch(/^cannot read config .*simpleclaw\.json \(ENOTDIR.*check that you own it/);
  });

  it.skipIf(process.getuid?.() === 0)("a state dir this user cannot search (EACCES): exit 78, not the defaults", () => {
    const state = join(dir, "state");
    mkdirSync(state, { mode: 0o700 });
    writeFileSync(join(state, "simpleclaw.json"), '{"gateway": {"port": 1}}');
    chmodSync(state, 0o600); // no search permission
    try {
      expect(thrown(() => loadConfig({ SIMPLECLAW_STATE_DIR: state })).message).toMatch(/EACCES/);
    } finally {
      chmodSync(state, 0o700);
    }
  });

  it("positive control: a state dir that simply has no config yet gives the defaults", () => {
    const env = { SIMPLECLAW_STATE_DIR: join(dir, "fresh") };
    expect(loadConfig(env).exists).toBe(false);
    expect(readRawConfig(env).raw).toEqual({});
  });
});
