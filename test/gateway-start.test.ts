// End-to-end start-up and CLI behaviour, run through the real bin/simpleclaw.mjs in
// child processes (Node = the one running vitest, except for the old-Node check):
// invalid config, unsafe exposure, first-start token generation, busy port, version
// gate, `gateway status|call`, clean SIGTERM, and crash-safe state writes.
import { sweepStaleTemps, withFileLock } from "../src/infra/atomic-fs.js";
import { CONFIG_VERSION } from "../src/config/migrate.js";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { GatewayClient } from "../src/protocol/client.js";
import { loadConfig } from "../src/config/io.js";
import {
  childEnv,
  cleanupAll,
  REPO_ROOT,
  runCli,
  sleep,
  spawnGateway,
  startTestGateway,
  tempStateDir,
  writeConfig,
} from "./helpers/gateway.js";

afterEach(cleanupAll);

const NO_STACK = /^\s+at\s/m;
const pkgVersion = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
const mode = (p: string) => statSync(p).mode & 0o777;

describe("invalid config refuses to start (exit 78, key path named, no stack)", () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ["wrong type", { gateway: { port: "abc" } }, /gateway\.port/],
    ["port out of range", { gateway: { port: 70000 } }, /gateway\.port/],
    ["unknown key", { gateway: { prot: 18789 } }, /gateway\.prot.*unknown key/],
    ["unknown nested key", { gateway: { auth: { tokn: "x" } } }, /gateway\.auth\.tokn/],
    ["bad enum", { gateway: { bind: "everywhere" } }, /gateway\.bind/],
    ["bad auth mode", { gateway: { auth: { mode: "open" } } }, /gateway\.auth\.mode/],
    ["rate limit too small", { gateway: { auth: { rateLimit: { maxAttempts: 0 } } } }, /gateway\.auth\.rateLimit\.maxAttempts/],
    ["tls without cert", { gateway: { tls: { enabled: true } } }, /gateway\.tls/],
    ["custom bind without host", { gateway: { bind: "custom" } }, /gateway\.customBindHost/],
  ];
  for (const [name, config, pattern] of cases) {
    it(name, async () => {
      const state = tempStateDir(config as Record<string, unknown>);
      const before = readFileSync(state.configPath, "utf8");
      const r = await runCli(["gateway"], state.env);
      expect(r.code, r.stderr).toBe(78);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).toMatch(/^error: /);
      expect(r.stderr).not.toMatch(NO_STACK);
      expect(r.stdout).not.toMatch(/listening/);
      // The broken file is left alone (no token was added to it).
      expect(readFileSync(state.configPath, "utf8")).toBe(before);
    });
  }

  it("JSON5 syntax error", async () => {
    const state = tempStateDir();
    writeFileSync(state.configPath, "{ gateway: { port: 18789, ", { mode: 0o600 });
    const r = await runCli(["gateway"], state.env);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/JSON5/);
    expect(r.stderr).toContain(state.configPath);
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it("a top-level array", async () => {
    const state = tempStateDir();
    writeFileSync(state.configPath, "[1,2]", { mode: 0o600 });
    const r = await runCli(["gateway"], state.env);
    expect(r.code).toBe(78);
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it("JSON5 comments and trailing commas are fine", async () => {
    const state = tempStateDir();
    writeFileSync(state.configPath, "// mine\n{ gateway: { auth: { token: 'json5-token-abc', }, }, }\n", { mode: 0o600 });
    const gw = await spawnGateway(state.env);
    const client = await GatewayClient.connect({ url: gw.url, token: "json5-token-abc" });
    await client.close();
  });

  it("an invalid SIMPLECLAW_GATEWAY_PORT is a config error too", async () => {
    const state = tempStateDir({ gateway: { auth: { token: "t-123456" } } });
    const r = await runCli(["gateway", "run"], { ...state.env, SIMPLECLAW_GATEWAY_PORT: "80abc" });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/SIMPLECLAW_GATEWAY_PORT/);
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it("a bad --port is refused without a stack", async () => {
    const state = tempStateDir({ gateway: { auth: { token: "t-123456" } } });
    const r = await runCli(["gateway", "run", "--port", "-1"], state.env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/port/);
    expect(r.stderr).not.toMatch(NO_STACK);
  });
});

describe("unsafe exposure is refused", () => {
  it('bind "lan" with auth mode "none" → non-zero exit, clear message, nothing listening', async () => {
    const state = tempStateDir({ gateway: { bind: "lan", auth: { mode: "none" } } });
    const r = await runCli(["gateway", "run", "--port", "0"], state.env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/refusing to listen on 0\.0\.0\.0/);
    expect(r.stderr).toMatch(/"none"/);
    expect(r.stderr).not.toMatch(NO_STACK);
    expect(r.stdout).not.toMatch(/listening/);
  });

  it('bind "custom" 0.0.0.0 with auth "none" is refused too', async () => {
    const state = tempStateDir({ gateway: { bind: "custom", customBindHost: "0.0.0.0", auth: { mode: "none" } } });
    const r = await runCli(["gateway", "run", "--port", "0"], state.env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/refusing to listen/);
  });

  it('bind "lan" in password mode without a password is refused', async () => {
    const state = tempStateDir({ gateway: { bind: "lan", auth: { mode: "password" } } });
    const r = await runCli(["gateway", "run", "--port", "0"], state.env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without a gateway password/);
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it('auth "none" on loopback is allowed and anyone local may connect', async () => {
    const t = await startTestGateway({ gateway: { auth: { mode: "none" } } });
    const client = await GatewayClient.connect({ url: t.url });
    expect(await client.call("health")).toMatchObject({ ok: true });
    await client.close();
    expect((await fetch(`${t.httpUrl}/api/status`)).status).toBe(200);
  });

  it("password mode without any password on loopback: nobody can sign in", async () => {
    const t = await startTestGateway({ gateway: { auth: { mode: "password" } } });
    const err = await GatewayClient.connect({ url: t.url, password: "" }).catch((e: Error) => e);
    expect((err as { code?: string }).code).toBe("UNAUTHORIZED");
    expect((await fetch(`${t.httpUrl}/api/status`, { headers: { Authorization: "Bearer x" } })).status).toBe(401);
  });
});

describe("first start", () => {
  it("generates a token into a 600 config in a 700 state dir, and says how to see it", async () => {
    const parent = tempStateDir().dir;
    const stateDir = join(parent, "fresh", "state");
    const env = { SIMPLECLAW_STATE_DIR: stateDir };
    const gw = await spawnGateway(env);

    expect(mode(stateDir)).toBe(0o700);
    const configPath = join(stateDir, "simpleclaw.json");
    expect(mode(configPath)).toBe(0o600);
    const saved = JSON.parse(readFileSync(configPath, "utf8")) as { gateway: { auth: { token: string } } };
    const token = saved.gateway.auth.token;
    expect(token).toMatch(/^[A-Za-z0-9_-]{32,}$/);

    const out = gw.stdout() + gw.stderr();
    // A config the gateway creates is at the current schema version: no upgrade nag on a fresh install.
    expect((saved as unknown as { version: number }).version).toBe(CONFIG_VERSION);
    expect(out).not.toMatch(/older than|doctor --fix/);
    expect(out).toMatch(/simpleclaw config get gateway\.auth\.token/);
    expect(out).toContain(configPath);
    expect(out).not.toContain(token); // the banner never prints the secret itself
    expect(mode(join(stateDir, "logs"))).toBe(0o700);
    for (const f of readdirSync(join(stateDir, "logs"))) {
      expect(mode(join(stateDir, "logs", f))).toBe(0o600);
      expect(readFileSync(join(stateDir, "logs", f), "utf8")).not.toContain(token);
    }

    const shown = await runCli(["config", "get", "gateway.auth.token"], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout.trim()).toBe(token);

    const client = await GatewayClient.connect({ url: gw.url, token });
    expect(await client.call("health")).toMatchObject({ ok: true });
    await client.close();
  });

  it("a second start keeps the generated token", async () => {
    const state = tempStateDir();
    const gw1 = await spawnGateway(state.env);
    const token1 = loadConfig(state.env).config.gateway.auth.token;
    gw1.child.kill("SIGTERM");
    expect((await gw1.exited).code).toBe(0);
    const gw2 = await spawnGateway(state.env);
    expect(gw2.stdout()).not.toMatch(/Generated a gateway token/);
    expect(loadConfig(state.env).config.gateway.auth.token).toBe(token1);
  });

  it("does not generate a token when SIMPLECLAW_GATEWAY_TOKEN is set", async () => {
    const state = tempStateDir();
    const gw = await spawnGateway({ ...state.env, SIMPLECLAW_GATEWAY_TOKEN: "env-token-first-start" });
    expect(gw.stdout()).not.toMatch(/Generated/);
    expect(existsSync(state.configPath)).toBe(false);
    const client = await GatewayClient.connect({ url: gw.url, token: "env-token-first-start" });
    await client.close();
  });
});

describe("port already in use", () => {
  it("prints a clear one-line error and exits non-zero", async () => {
    const t = await startTestGateway();
    const state = tempStateDir({ gateway: { auth: { token: "another-token-1" } } });
    const r = await runCli(["gateway", "run", "--port", String(t.port)], state.env);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.stderr).toMatch(new RegExp(`port ${t.port} .*already in use`));
    expect(r.stderr).not.toMatch(NO_STACK);
    // the running gateway is unaffected
    expect((await fetch(`${t.httpUrl}/healthz`)).status).toBe(200);
  });

  it("SIMPLECLAW_GATEWAY_PORT pointing at a busy port fails the same way", async () => {
    const t = await startTestGateway();
    const state = tempStateDir({ gateway: { auth: { token: "another-token-1" } } });
    const r = await runCli(["gateway"], { ...state.env, SIMPLECLAW_GATEWAY_PORT: String(t.port) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already in use/);
  });
});

describe("runtime and version", () => {
  it("--version / -v print the package version", async () => {
    for (const flag of ["--version", "-v"]) {
      const r = await runCli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(pkgVersion);
    }
  });

  const sys = spawnSync("/usr/bin/node", ["--version"], { encoding: "utf8" });
  const sysVersion = sys.status === 0 ? sys.stdout.trim() : "";
  it.skipIf(!/^v20\./.test(sysVersion))(`refuses Node ${sysVersion || "20"} with one sentence and exit 1`, async () => {
    const r = await runCli(["--version"], {}, { node: "/usr/bin/node" });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("22.12.0");
    expect(r.stderr).toContain(sysVersion);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).not.toMatch(NO_STACK);
    const g = await runCli(["gateway"], { SIMPLECLAW_STATE_DIR: tempStateDir().dir }, { node: "/usr/bin/node" });
    expect(g.code).toBe(1);
    expect(g.stderr).toContain("22.12.0");
  });

  it("usage mistakes exit 2 (unknown command, unknown option, missing argument), not a crash", async () => {
    for (const args of [["frobnicate"], ["gateway", "status", "--frob"], ["gateway", "call"], ["pairing", "approve", "telegram"]]) {
      const r = await runCli(args, { SIMPLECLAW_STATE_DIR: tempStateDir().dir });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).not.toMatch(NO_STACK);
    }
    const v = await runCli(["--version"]);
    expect(v.code).toBe(0);
  });

  it("config set with a value the schema refuses exits 2 and leaves the file alone", async () => {
    const state = tempStateDir({ gateway: { port: 18789 } });
    const before = readFileSync(state.configPath, "utf8");
    const r = await runCli(["config", "set", "gateway.port", "abc"], state.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/gateway\.port/);
    expect(readFileSync(state.configPath, "utf8")).toBe(before);
  });
});

describe("gateway status / call against a running gateway", () => {
  async function running() {
    const state = tempStateDir({ gateway: { auth: { token: "status-token-abcdef" } } });
    const gw = await spawnGateway(state.env);
    const env = { ...state.env, SIMPLECLAW_GATEWAY_PORT: String(gw.port) };
    return { state, gw, env };
  }

  it("gateway status prints running, bind, port and auth", async () => {
    const { gw, env } = await running();
    const r = await runCli(["gateway", "status"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/running: yes/);
    expect(r.stdout).toMatch(/bind: loopback \(127\.0\.0\.1\)/);
    expect(r.stdout).toContain(`port ${gw.port}`);
    expect(r.stdout).toMatch(/auth: token/);
    expect(r.stdout).toMatch(/tls: off/);
    expect(r.stdout).not.toContain("status-token-abcdef");

    const j = await runCli(["gateway", "status", "--json"], env);
    expect(j.code).toBe(0);
    const s = JSON.parse(j.stdout) as { running: boolean; bind: { port: number }; auth: { mode: string } };
    expect(s.running).toBe(true);
    expect(s.bind.port).toBe(gw.port);
    expect(s.auth.mode).toBe("token");
  });

  it("gateway call health / config.get", async () => {
    const { env } = await running();
    const h = await runCli(["gateway", "call", "health"], env);
    expect(h.code, h.stderr).toBe(0);
    expect(JSON.parse(h.stdout)).toMatchObject({ ok: true });
    const c = await runCli(["gateway", "call", "config.get", "--params", '{"path":"gateway.auth"}'], env);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).not.toContain("status-token-abcdef");
    expect(JSON.parse(c.stdout)).toMatchObject({ value: { token: "[redacted]" } });
  });

  it("gateway call with a wrong --token fails with UNAUTHORIZED and no stack", async () => {
    const { env } = await running();
    const r = await runCli(["gateway", "call", "health", "--token", "wrong-one"], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/UNAUTHORIZED/);
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it("gateway call with an unknown method or bad --params fails cleanly", async () => {
    const { env } = await running();
    const u = await runCli(["gateway", "call", "no.such"], env);
    expect(u.code).toBe(1);
    expect(u.stderr).toMatch(/UNKNOWN_METHOD/);
    const p = await runCli(["gateway", "call", "health", "--params", "{nope"], env);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/--params/);
    for (const r of [u, p]) expect(r.stderr).not.toMatch(NO_STACK);
  });

  it("gateway status when nothing is running says so (exit 3) and how to start it", async () => {
    const t = await startTestGateway();
    const port = t.port;
    await t.close(); // a port that was just free
    const state = tempStateDir({ gateway: { auth: { token: "x-123456" } } });
    const r = await runCli(["gateway", "status"], { ...state.env, SIMPLECLAW_GATEWAY_PORT: String(port) });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/running: no/);
    expect(r.stdout).toMatch(/npx simpleclaw gateway/);
    expect(r.stderr).not.toMatch(NO_STACK);
    const j = await runCli(["gateway", "status", "--json"], { ...state.env, SIMPLECLAW_GATEWAY_PORT: String(port) });
    expect(j.code).toBe(3);
    expect(JSON.parse(j.stdout)).toMatchObject({ running: false });
  });

});

describe("signals", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal}: connected clients get a shutdown event and the process exits 0`, async () => {
      const state = tempStateDir({ gateway: { auth: { token: "sig-token-123456" } } });
      const gw = await spawnGateway(state.env);
      const client = await GatewayClient.connect({ url: gw.url, token: "sig-token-123456" });
      const shutdown = new Promise<unknown>((resolve) => client.onEvent((e, p) => e === "shutdown" && resolve(p)));
      gw.child.kill(signal);
      const payload = (await shutdown) as { reason: string };
      expect(payload.reason).toContain(signal);
      const exit = await gw.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      // the config is untouched and valid
      expect(loadConfig(state.env).config.gateway.auth.token).toBe("sig-token-123456");
    });
  }
});

describe("signals right at start-up", () => {
  it("SIGTERM the instant the listening banner appears still shuts down cleanly (10×)", async () => {
    const state = tempStateDir({ gateway: { auth: { token: "race-token-123456" } } });
    const results: Array<{ code: number | null; signal: NodeJS.Signals | null }> = [];
    for (let i = 0; i < 10; i++) {
      const gw = await spawnGateway(state.env);
      gw.child.kill("SIGTERM");
      results.push(await gw.exited);
    }
    expect(results).toEqual(Array.from({ length: 10 }, () => ({ code: 0, signal: null })));
  });
});

// ---- crash-safe writes -------------------------------------------------------------

const WRITER = `
import { writeFileAtomic } from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, "dist/infra/atomic-fs.js")).href)};
const [target, sizeText] = process.argv.slice(1); // node -e script a b → argv = [node, a, b]
const size = Number(sizeText);
let seq = 0;
for (;;) {
  seq++;
  const ch = String.fromCharCode(97 + (seq % 26));
  const body = JSON.stringify({ seq, len: size, pad: ch.repeat(size) });
  writeFileAtomic(target, body, 0o600);
  if (seq === 1) process.stdout.write("ready\\n");
}
`;

const CONFIG_WRITER = `
import { saveRawConfig } from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, "dist/config/io.js")).href)};
let seq = 0;
for (;;) {
  seq++;
  const paths = Array.from({ length: 2000 }, (_, i) => "/data/" + seq + "/" + i + "/" + "p".repeat(200));
  saveRawConfig({ gateway: { auth: { token: "crash-token-" + seq } }, memory: { extraPaths: paths } });
  if (seq === 1) process.stdout.write("ready\\n");
}
`;

const LOCKER = `
import { withFileLock } from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, "dist/infra/atomic-fs.js")).href)};
const [target] = process.argv.slice(1);
let seq = 0;
for (;;) {
  withFileLock(target, () => {}, (lock) => { throw new Error("busy: " + lock); });
  if (++seq === 1) process.stdout.write("ready\\n");
}
`;

function runAndKill(
  script: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
  delayMs: number,
  signal: NodeJS.Signals,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script, ...args], {
      cwd,
      env: childEnv(env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout.once("data", () => setTimeout(() => child.kill(signal), delayMs));
    child.on("exit", (code, sig) => {
      if (sig === signal) resolve();
      else reject(new Error(`writer exited ${code}/${sig} before the kill: ${err}`));
    });
  });
}

describe("a signal during a state write leaves valid state", () => {
  it("writeFileAtomic: SIGKILL/SIGTERM at random moments (20×) never leaves a torn file", async () => {
    const dir = tempStateDir().dir;
    const target = join(dir, "simpleclaw.json");
    const size = 2 * 1024 * 1024;
    let lastSeq = 0;
    let changed = 0;
    for (let i = 0; i < 20; i++) {
      await runAndKill(WRITER, [target, String(size)], {}, dir, 5 + Math.floor(Math.random() * 60), i % 2 ? "SIGTERM" : "SIGKILL");
      const parsed = JSON.parse(readFileSync(target, "utf8")) as { seq: number; len: number; pad: string };
      expect(parsed.len).toBe(size);
      expect(parsed.pad.length).toBe(size);
      expect(parsed.pad).toBe(String.fromCharCode(97 + (parsed.seq % 26)).repeat(size));
      expect(mode(target)).toBe(0o600);
      if (parsed.seq !== lastSeq) changed++;
      lastSeq = parsed.seq;
    }
    expect(changed).toBeGreaterThan(0);
    // Leftover temp files (a SIGKILL can strand one) are dot-files that never shadow the target.
    for (const f of readdirSync(dir)) {
      if (f === "simpleclaw.json") continue;
      expect(f).toMatch(/^\.simpleclaw\.json\.\d+\.[0-9a-f]+\.tmp$/);
      expect(mode(join(dir, f))).toBe(0o600);
    }
    // Sweeping (what the gateway does at start) removes them — their writers are dead — and nothing else.
    sweepStaleTemps(dir);
    expect(readdirSync(dir)).toEqual(["simpleclaw.json"]);
  }, 60_000);

  it("an existing state dir open to group/others is tightened to 700 at start, and that is logged", async () => {
    const state = tempStateDir({ gateway: { auth: { token: "perm-token-0123456789" } } });
    chmodSync(state.dir, 0o755);
    const gw = await spawnGateway(state.env);
    expect(mode(state.dir)).toBe(0o700);
    gw.child.kill("SIGTERM");
    await gw.exited;
    const logs = readdirSync(join(state.dir, "logs")).map((f) => readFileSync(join(state.dir, "logs", f), "utf8")).join("\n");
    expect(logs).toMatch(/state dir was readable by others; set it to 700.*755/);
  });

  it("the gateway clears temp files stranded by killed writers when it starts, and logs it", async () => {
    const state = tempStateDir({ gateway: { auth: { token: "sweep-token-0123456789" } } });
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid!;
    mkdirSync(join(state.dir, "credentials"), { recursive: true, mode: 0o700 });
    const stranded = [join(state.dir, `.simpleclaw.json.${dead}.00112233aabb.tmp`), join(state.dir, "credentials", `.telegram.json.${dead}.00112233aabb.tmp`)];
    for (const f of stranded) writeFileSync(f, "{torn", { mode: 0o600 });
    const gw = await spawnGateway(state.env);
    for (const f of stranded) expect(existsSync(f)).toBe(false);
    gw.child.kill("SIGTERM");
    await gw.exited;
    const logs = readdirSync(join(state.dir, "logs")).map((f) => readFileSync(join(state.dir, "logs", f), "utf8")).join("\n");
    expect(logs).toMatch(/removed a temp file left by an interrupted write/);
  });

  it("saveRawConfig (what `config set` uses) killed mid-loop: the config always loads and the CLI validates it", async () => {
    const state = tempStateDir({ gateway: { auth: { token: "crash-token-0" } } });
    for (let i = 0; i < 20; i++) {
      await runAndKill(CONFIG_WRITER, [], state.env as Record<string, string>, state.dir, Math.floor(Math.random() * 80), i % 2 ? "SIGKILL" : "SIGTERM");
      const cfg = loadConfig(state.env).config;
      const seq = Number(/^crash-token-(\d+)$/.exec(cfg.gateway.auth.token ?? "")?.[1]);
      expect(Number.isInteger(seq)).toBe(true);
      if (seq > 0) {
        expect(cfg.memory.extraPaths).toHaveLength(2000);
        expect(cfg.memory.extraPaths.every((p) => p.startsWith(`/data/${seq}/`))).toBe(true);
      }
      expect(mode(state.configPath)).toBe(0o600);
    }
    const v = await runCli(["config", "validate"], state.env);
    expect(v.code, v.stderr).toBe(0);
    const gw = await spawnGateway(state.env);
    const token = loadConfig(state.env).config.gateway.auth.token!;
    const client = await GatewayClient.connect({ url: gw.url, token });
    await client.close();
  }, 60_000);

  it("a writer killed at any moment while taking or holding the config lock never blocks the next one (30× SIGKILL)", async () => {
    const dir = tempStateDir().dir;
    const target = join(dir, "simpleclaw.json");
    for (let i = 0; i < 30; i++) {
      await runAndKill(LOCKER, [target], {}, dir, Math.floor(Math.random() * 15), "SIGKILL");
      const started = Date.now();
      // what the next `config set` does: it must get the lock at once (its holder is dead), not after 5 s of waiting and a refusal
      expect(withFileLock(target, () => "held", (lock) => { throw new Error(`busy: ${lock}`); })).toBe("held");
      expect(Date.now() - started).toBeLessThan(1000);
      expect(existsSync(`${target}.lock`)).toBe(false);
    }
    // a killed locker can strand only its private temp file, which the start-up sweep removes
    sweepStaleTemps(dir);
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);

  it("`config set` in the real CLI killed repeatedly leaves a parseable config", async () => {
    const state = tempStateDir({ gateway: { auth: { token: "cli-token-000000" } } });
    for (let i = 0; i < 8; i++) {
      const child = spawn(process.execPath, [join(REPO_ROOT, "bin/simpleclaw.mjs"), "config", "set", "gateway.auth.token", `cli-token-${i}-abcdef`], {
        cwd: state.dir,
        env: childEnv(state.env),
        stdio: "ignore",
      });
      const exited = new Promise((r) => child.on("exit", r));
      await sleep(Math.floor(Math.random() * 250));
      child.kill(i % 2 ? "SIGKILL" : "SIGTERM");
      await exited;
      const token = loadConfig(state.env).config.gateway.auth.token!;
      expect(token).toMatch(/^cli-token-(000000|\d+-abcdef)$/);
    }
    writeConfig(state.dir, { gateway: { auth: { token: "cli-token-final-1" } } });
    const r = await runCli(["config", "set", "gateway.port", "18790"], state.env);
    expect(r.code).toBe(0);
    expect(loadConfig(state.env).config.gateway.port).toBe(18790);
    expect(loadConfig(state.env).config.gateway.auth.token).toBe("cli-token-final-1");
  }, 60_000);
});

describe("finding the gateway without flags (gateway-runtime.json)", () => {
  it("a gateway started on another port is found by status and call without flags; after a crash the stale record is noticed", async () => {
    const state = tempStateDir({ gateway: { auth: { token: "found-token-0123456789" } } });
    const free = await startTestGateway();
    const port = free.port;
    await free.close();
    // `npm start --port N` reaches the CLI as a lone positional port.
    const gw = await spawnGateway(state.env, { args: [String(port)], ownPort: true });
    expect(gw.port).toBe(port);
    const record = JSON.parse(readFileSync(join(state.dir, "gateway-runtime.json"), "utf8")) as { port: number; pid: number };
    expect(record.port).toBe(port);
    expect(statSync(join(state.dir, "gateway-runtime.json")).mode & 0o777).toBe(0o600);
    const r = await runCli(["gateway", "status"], state.env); // no --url, no SIMPLECLAW_GATEWAY_PORT
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`port ${port}`);
    const h = await runCli(["gateway", "call", "health", "--url", `http://127.0.0.1:${port}/`], state.env);
    expect(h.code, h.stderr).toBe(0);
    gw.child.kill("SIGKILL"); // a crash leaves the record behind: it must be seen as stale
    await gw.exited;
    const s = await runCli(["gateway", "status"], state.env);
    expect(s.code).toBe(3);
    expect(s.stdout).toMatch(new RegExp(`last recorded on port ${port}, pid ${record.pid}, is no longer running`));
  });

  it("errors name the next step: the env var whose token is wrong, the /ws path, the broken config", async () => {
    const state = tempStateDir({ gateway: { auth: { token: "right-token-0123456789" } } });
    const gw = await spawnGateway(state.env);
    const wrong = await runCli(["gateway", "call", "health"], { ...state.env, SIMPLECLAW_GATEWAY_TOKEN: "not-the-token-0000" });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/refused the secret from SIMPLECLAW_GATEWAY_TOKEN/);
    const path = await runCli(["gateway", "call", "health", "--url", `ws://127.0.0.1:${gw.port}/nope`], state.env);
    expect(path.code).toBe(1);
    expect(path.stderr).toMatch(/WebSocket endpoint is \/ws/);
    writeFileSync(state.configPath, "{ gateway: { prot: 1 } }\n");
    const broken = await runCli(["gateway", "call", "health", "--url", `ws://127.0.0.1:${gw.port}/ws`], state.env);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/invalid config .*gateway\.prot/);
    expect(broken.stderr).not.toMatch(/missing gateway token/);
  });
});
