// End to end: `simpleclaw onboard --non-interactive`, `simpleclaw doctor [--fix]`, the
// config version gate, and `simpleclaw gateway install|uninstall|start|stop|restart`
// against a fake systemctl/launchctl on PATH that records its argv. Every command is the
// real built CLI in a child process with a throw-away state dir and HOME.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { validateConfig } from "../src/config/io.js";
import { serviceCommand } from "../src/cli/service-actions.js";
import { startFakeModelServer } from "./fakes/model-server.js";
import { BIN, cleanupAll, onCleanup, runCli, sleep, startTestGateway, type Env } from "./helpers/gateway.js";
import { missing } from "./helpers/system-deps.js";
import { CONFIG_VERSION } from "../src/config/migrate.js";

afterEach(cleanupAll);

// These expect the audit that onboard and doctor run to find nothing critical, which needs a
// working sandbox backend (bubblewrap): without one, `sandbox.unavailable` is critical.
const noBwrap = await missing("bubblewrap", import.meta.url);
const noTmux = await missing("tmux", import.meta.url);

const mode = (p: string) => statSync(p).mode & 0o777;
const API_KEY = "sk-ant-e2e-0123456789abcdef";

function tempDir(prefix = "simpleclaw-onb-"): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function freshState(): { root: string; state: string; env: Env } {
  const root = tempDir();
  const state = join(root, "state");
  return { root, state, env: { SIMPLECLAW_STATE_DIR: state, HOME: root, XDG_CONFIG_HOME: join(root, "xdg") } };
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const srv = http.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

function readJson(p: string): Record<string, any> {
  return JSON.parse(readFileSync(p, "utf8"));
}

async function onboardAnthropic(env: Env, extra: string[] = []) {
  return runCli(["onboard", "--non-interactive", "--provider", "anthropic", "--api-key-env", "E2E_KEY", ...extra], { ...env, E2E_KEY: API_KEY }, { timeoutMs: 40_000 });
}

describe("simpleclaw onboard --non-interactive", () => {
  it.skipIf(noBwrap)("creates a valid config with secure defaults, keys in credentials/ only, and prints the audit summary", async () => {
    const { state, env } = freshState();
    const r = await onboardAnthropic(env, ["--channel", "telegram", "--channel-token-env", "TG"]);
    // (TG is unset here on purpose: a missing channel token is a usage error, nothing written)
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/--channel-token-env TG: that environment variable is empty or unset/);
    expect(existsSync(state)).toBe(false);

    const tg = "123456789:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ";
    const ok = await runCli(
      ["onboard", "--non-interactive", "--provider", "anthropic", "--api-key-env", "E2E_KEY", "--channel", "telegram", "--channel-token-env", "TG"],
      { ...env, E2E_KEY: API_KEY, TG: tg },
      { timeoutMs: 40_000 },
    );
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    const cfgPath = join(state, "simpleclaw.json");
    const text = readFileSync(cfgPath, "utf8");
    const v = validateConfig(JSON.parse(text));
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.config.version).toBe(CONFIG_VERSION);
    expect(v.config.gateway.bind).toBe("loopback");
    expect(v.config.gateway.auth.mode).toBe("token");
    expect(Buffer.from(v.config.gateway.auth.token!, "base64url")).toHaveLength(32);
    expect(v.config.agents.defaults.sandbox.mode).toBe("non-main");
    expect(v.config.tools.exec).toMatchObject({ security: "allowlist", ask: "on-miss" });
    expect(v.config.channels.telegram?.enabled).toBe(true);
    // secrets: only in credentials/, never in the config
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(tg);
    expect(readJson(join(state, "credentials", "providers.json"))).toEqual({ anthropic: { apiKey: API_KEY } });
    expect(readJson(join(state, "credentials", "telegram.json"))).toEqual({ botToken: tg });
    // modes
    expect(mode(state)).toBe(0o700);
    expect(mode(cfgPath)).toBe(0o600);
    expect(mode(join(state, "credentials"))).toBe(0o700);
    expect(mode(join(state, "credentials", "providers.json"))).toBe(0o600);
    expect(mode(join(state, "credentials", "telegram.json"))).toBe(0o600);
    // workspace seeded, audit summary printed with no critical finding
    expect(existsSync(join(state, "workspace", "AGENTS.md"))).toBe(true);
    expect(ok.stdout).toMatch(/Security audit: 0 critical, \d+ warn, \d+ info\./);
    expect(ok.stdout).toContain("simpleclaw pairing approve telegram");

    // the CLI agrees: config validate, and the audit as its own command
    expect((await runCli(["config", "validate"], env)).code).toBe(0);
  }, 90_000);

  it.skipIf(noBwrap)("never overwrites an existing config without --force, backs it up with --force, and keeps the token", async () => {
    const { state, env } = freshState();
    expect((await onboardAnthropic(env)).code).toBe(0);
    const cfgPath = join(state, "simpleclaw.json");
    const first = readFileSync(cfgPath, "utf8");

    const again = await onboardAnthropic(env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists; nothing was changed\. Pass --force/);
    expect(readFileSync(cfgPath, "utf8")).toBe(first);
    expect(readdirSync(state).filter((f) => f.includes(".bak-"))).toEqual([]);

    const forced = await onboardAnthropic(env, ["--force"]);
    expect(forced.code).toBe(0);
    const backups = readdirSync(state).filter((f) => f.startsWith("simpleclaw.json.bak-"));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(state, backups[0]!), "utf8")).toBe(first);
    expect(mode(join(state, backups[0]!))).toBe(0o600);
    // Re-running setup keeps the gateway token (clients stay signed in); --rotate-token replaces it.
    const token = (raw: string) => JSON.parse(raw).gateway.auth.token as string;
    expect(token(readFileSync(cfgPath, "utf8"))).toBe(token(first));
    expect(forced.stdout).toContain("Kept the existing gateway token (pass --rotate-token for a new one).");
    const rotated = await onboardAnthropic(env, ["--force", "--rotate-token"]);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).not.toContain("Kept the existing gateway token");
    expect(token(readFileSync(cfgPath, "utf8"))).not.toBe(token(first));
  }, 90_000);

  it.each([
    [[], /--non-interactive needs --provider/],
    [["--provider", "anthropic"], /needs its API key: --api-key-env NAME or --api-key-stdin/],
    [["--provider", "openai-compatible", "--model", "m"], /needs --base-url/],
    [["--provider", "openai-compatible", "--base-url", "http://127.0.0.1:9/v1"], /needs --model/],
    [["--provider", "gemini", "--api-key-env", "X"], /--provider must be one of anthropic, openai, openai-compatible/],
    [["--provider", "anthropic", "--api-key-env", "NOPE_UNSET"], /NOPE_UNSET: that environment variable is empty or unset/],
  ])("a missing or bad flag (%j) is one sentence and exit 2", async (args, re) => {
    const { state, env } = freshState();
    const r = await runCli(["onboard", "--non-interactive", ...args], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(re);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(existsSync(state)).toBe(false);
  });

  it("the wizard refuses to run without a terminal", async () => {
    const { env } = freshState();
    const r = await runCli(["onboard"], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a terminal; use `simpleclaw onboard --non-interactive/);
  });
});

describe("simpleclaw doctor", () => {
  it.skipIf(noBwrap)("reports each problem on a broken state dir, and --fix repairs permissions and migrates with a backup", async () => {
    const { state, env } = freshState();
    expect((await onboardAnthropic(env)).code).toBe(0);
    const cfgPath = join(state, "simpleclaw.json");
    const cfg = readJson(cfgPath);
    delete cfg.version; // a config from before versioning
    cfg.gateway.port = await freePort();
    writeFileSync(cfgPath, JSON.stringify(cfg, null, 2));
    chmodSync(cfgPath, 0o644);
    chmodSync(state, 0o755);
    chmodSync(join(state, "credentials", "providers.json"), 0o644);

    const r = await runCli(["doctor"], env, { timeoutMs: 40_000 });
    expect(r.code).toBe(1);
    const line = (id: string) => r.stdout.split("\n").find((l) => l.slice(6).startsWith(`${id} `)) ?? "";
    expect(line("config")).toMatch(/^ok /);
    expect(line("config-version")).toMatch(/^WARN .*version 0 \(no version key\).*fix: simpleclaw doctor --fix/);
    expect(line("permissions")).toMatch(/^FAIL /);
    expect(line("permissions")).toContain(`${state} (755)`);
    expect(line("permissions")).toContain(`${cfgPath} (644)`);
    expect(line("permissions")).toContain("providers.json (644)");
    expect(line("node")).toMatch(/^ok /);
    expect(line("model")).toMatch(/^ok .*anthropic\/claude-sonnet-4-5, key from credentials\/providers\.json/);
    expect(line("port")).toMatch(/^ok .* is free/);
    expect(line("browser")).toMatch(/^skip /);
    expect(line("sandbox")).toMatch(/^(ok|WARN) /);

    const fixed = await runCli(["doctor", "--fix"], env, { timeoutMs: 40_000 });
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain(`fixed: chmod 700 ${state} (was 755)`);
    expect(fixed.stdout).toContain(`fixed: chmod 600 ${cfgPath} (was 644)`);
    expect(fixed.stdout).toMatch(new RegExp(`fixed: migrated .* from config version 0 to ${CONFIG_VERSION}`));
    expect(fixed.stdout).toContain(`+  "version": ${CONFIG_VERSION},`); // the printed diff
    expect(mode(state)).toBe(0o700);
    expect(mode(cfgPath)).toBe(0o600);
    expect(mode(join(state, "credentials", "providers.json"))).toBe(0o600);
    const after = readJson(cfgPath);
    expect(after).toMatchObject({ version: CONFIG_VERSION });
    const backups = readdirSync(state).filter((f) => f.startsWith("simpleclaw.json.bak-"));
    expect(backups).toHaveLength(1);
    expect(readJson(join(state, backups[0]!))).toEqual(cfg);
    expect(mode(join(state, backups[0]!))).toBe(0o600);

    const again = await runCli(["doctor", "--json"], env, { timeoutMs: 40_000 });
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout);
    expect(report.checks.find((c: any) => c.id === "config-version").status).toBe("ok");
    expect(report.checks.find((c: any) => c.id === "permissions").status).toBe("ok");
  }, 120_000);

  it("reports an unknown key with its path and refuses to migrate instead of dropping it", async () => {
    const { state, env } = freshState();
    mkdirSync(state, { mode: 0o700 });
    const cfgPath = join(state, "simpleclaw.json");
    const raw = { gateway: { port: await freePort(), bogusKey: 1 }, retiredSection: { keep: "me" } };
    writeFileSync(cfgPath, JSON.stringify(raw), { mode: 0o600 });
    const r = await runCli(["doctor", "--fix"], env, { timeoutMs: 40_000 });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`not fixed: config migration 0 → ${CONFIG_VERSION}: the config has problems to fix first`));
    expect(r.stdout).toMatch(/FAIL  config .*gateway\.bogusKey: unknown key.*retiredSection: unknown key/);
    expect(readJson(cfgPath)).toEqual(raw); // untouched: nothing dropped
    expect(readdirSync(state).filter((f) => f.includes(".bak-"))).toEqual([]);
  }, 60_000);

  it("tells our gateway on the port from another program", async () => {
    const gw = await startTestGateway();
    const { state, env } = freshState();
    mkdirSync(state, { mode: 0o700 });
    writeFileSync(join(state, "simpleclaw.json"), JSON.stringify({ version: CONFIG_VERSION, gateway: { port: gw.port } }), { mode: 0o600 });
    const ours = await runCli(["doctor", "--json"], env, { timeoutMs: 40_000 });
    const portOf = (out: string) => JSON.parse(out).checks.find((c: any) => c.id === "port");
    expect(portOf(ours.stdout)).toMatchObject({ status: "ok" });
    expect(portOf(ours.stdout).detail).toContain("held by a running simpleclaw gateway");

    const other = http.createServer((_req, res) => res.writeHead(404).end("nope"));
    await new Promise<void>((r) => other.listen(0, "127.0.0.1", () => r()));
    onCleanup(() => new Promise((r) => other.close(r)));
    writeFileSync(join(state, "simpleclaw.json"), JSON.stringify({ version: CONFIG_VERSION, gateway: { port: (other.address() as AddressInfo).port } }), { mode: 0o600 });
    const foreign = await runCli(["doctor", "--json"], env, { timeoutMs: 40_000 });
    expect(foreign.code).toBe(1);
    expect(portOf(foreign.stdout)).toMatchObject({ status: "fail" });
    expect(portOf(foreign.stdout).detail).toMatch(/in use by another program \(\/healthz answered HTTP 404\)/);
  }, 60_000);

  it.skipIf(noBwrap)("--check-model sends one tiny request through the real provider code", async () => {
    const fake = await startFakeModelServer({ apiKey: "compat-key" });
    onCleanup(() => fake.close());
    const { env } = freshState();
    const ob = await runCli(
      ["onboard", "--non-interactive", "--provider", "openai-compatible", "--base-url", fake.url, "--model", "tiny", "--api-key-env", "K"],
      { ...env, K: "compat-key" },
      { timeoutMs: 40_000 },
    );
    expect(ob.code).toBe(0);
    const r = await runCli(["doctor", "--check-model", "--json"], env, { timeoutMs: 40_000 });
    const model = JSON.parse(r.stdout).checks.find((c: any) => c.id === "model");
    expect(model.status).toBe("ok");
    expect(model.detail).toMatch(/local\/tiny answered in \d+ ms/);
    expect(fake.requests.filter((q) => q.authorized && q.model === "tiny")).toHaveLength(1);

    // a wrong key is a failure with the provider's answer
    const bad = await runCli(["doctor", "--check-model", "--json"], { ...env, LOCAL_API_KEY: "wrong" }, { timeoutMs: 40_000 });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).checks.find((c: any) => c.id === "model")).toMatchObject({ status: "fail" });
  }, 90_000);

  it("a primary without a key is a warning, not a failure, when a fallback answers", async () => {
    const fake = await startFakeModelServer({ apiKey: "fallback-key" });
    onCleanup(() => fake.close());
    const { state, env } = freshState();
    mkdirSync(state, { mode: 0o700 });
    writeFileSync(
      join(state, "simpleclaw.json"),
      JSON.stringify({
        agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5", fallbacks: ["local/tiny"] } } },
        models: { providers: { local: { api: "openai-completions", baseUrl: fake.url, apiKey: "fallback-key" } } },
      }),
      { mode: 0o600 },
    );
    const r = await runCli(["doctor", "--check-model", "--json"], { ...env, ANTHROPIC_API_KEY: "" }, { timeoutMs: 40_000 });
    const model = JSON.parse(r.stdout).checks.find((c: any) => c.id === "model");
    expect(model.status).toBe("warn");
    expect(model.detail).toMatch(/^primary anthropic\/claude-sonnet-4-5: .*; replies come from the fallback local\/tiny \(local\/tiny answered in \d+ ms/);
  }, 90_000);
});

describe("config versions and the gateway", () => {
  it("refuses a config newer than it understands with exit 78", async () => {
    const { state, env } = freshState();
    mkdirSync(state, { mode: 0o700 });
    writeFileSync(join(state, "simpleclaw.json"), JSON.stringify({ version: 99, gateway: { auth: { token: "x".repeat(40) } } }), { mode: 0o600 });
    const r = await runCli(["gateway", "run", "--port", "0"], env);
    expect(r.code).toBe(78);
    expect(r.stderr.trim()).toMatch(/^error: cannot use .*simpleclaw\.json: the config is version 99, newer than this simpleclaw understands \(up to \d+\)/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("simpleclaw gateway install|uninstall|start|stop|restart (systemd, fake systemctl)", () => {
  function fakeTool(root: string, name: string, exitCode = 0): { bin: string; log: string } {
    const bin = join(root, "fakebin");
    mkdirSync(bin, { recursive: true });
    const log = join(root, `${name}.log`);
    writeFileSync(join(bin, name), `#!/bin/sh\nprintf '%s\\n' "$*" >> "${log}"\nexit ${exitCode}\n`, { mode: 0o755 });
    return { bin, log };
  }
  const calls = (log: string) => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []);

  it("writes the unit, drives systemctl --user, and uninstall removes it", async () => {
    const { root, state, env } = freshState();
    const fake = fakeTool(root, "systemctl");
    const e = { ...env, PATH: `${fake.bin}:${process.env.PATH}`, SIMPLECLAW_GATEWAY_TOKEN: "must-not-leak-into-the-unit" };
    const unit = join(root, "xdg", "systemd", "user", "simpleclaw-gateway.service");

    const start0 = await runCli(["gateway", "start"], e);
    expect(start0.code).toBe(1);
    expect(start0.stderr).toMatch(/not installed .*run simpleclaw gateway install first/);

    const inst = await runCli(["gateway", "install"], e);
    expect(inst.stderr).toBe("");
    expect(inst.code).toBe(0);
    expect(calls(fake.log)).toEqual(["--user daemon-reload", "--user enable simpleclaw-gateway.service", "--user restart simpleclaw-gateway.service"]);
    const text = readFileSync(unit, "utf8");
    expect(text).toContain(`ExecStart=${process.execPath} ${BIN} gateway\n`);
    expect(text).toContain(`Environment=SIMPLECLAW_STATE_DIR=${state}\n`);
    expect(text).toContain("Restart=on-failure\n");
    expect(text).toContain("RestartPreventExitStatus=78\n");
    expect(text).not.toContain("must-not-leak");
    expect(text).not.toMatch(/TOKEN|API_KEY/);

    for (const action of ["stop", "start", "restart"]) {
      const r = await runCli(["gateway", action], e);
      expect(r.code).toBe(0);
    }
    expect(calls(fake.log).slice(3)).toEqual(["--user stop simpleclaw-gateway.service", "--user start simpleclaw-gateway.service", "--user restart simpleclaw-gateway.service"]);

    const un = await runCli(["gateway", "uninstall"], e);
    expect(un.code).toBe(0);
    expect(existsSync(unit)).toBe(false);
    expect(calls(fake.log).slice(6)).toEqual(["--user disable --now simpleclaw-gateway.service", "--user daemon-reload"]);
    const un2 = await runCli(["gateway", "uninstall"], e);
    expect(un2.code).toBe(0);
    expect(un2.stdout).toMatch(/Nothing to uninstall/);
  }, 60_000);

  it("a failing systemctl is one sentence and exit 1", async () => {
    const { root, env } = freshState();
    const fake = fakeTool(root, "systemctl", 1);
    const r = await runCli(["gateway", "install"], { ...env, PATH: `${fake.bin}:${process.env.PATH}` });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^error: systemctl --user daemon-reload failed: exit status 1\.$/);
  });

  it("macOS: writes the plist and drives launchctl bootstrap/bootout", async () => {
    const { root, state } = freshState();
    const fake = fakeTool(root, "launchctl");
    const env = { PATH: `${fake.bin}:${process.env.PATH}`, HOME: root, SIMPLECLAW_STATE_DIR: state };
    const lines: string[] = [];
    const deps = { platform: "darwin" as const, env, uid: 501, node: "/opt/node22/bin/node", out: (l: string) => lines.push(l) };
    await serviceCommand("install", deps);
    const plist = join(root, "Library", "LaunchAgents", "ai.simpleclaw.gateway.plist");
    const text = readFileSync(plist, "utf8");
    expect(text).toContain("<string>/opt/node22/bin/node</string>");
    expect(text).toContain(`<string>${BIN}</string>`);
    expect(text).toContain(`<key>SIMPLECLAW_STATE_DIR</key>\n    <string>${state}</string>`);
    await serviceCommand("restart", deps);
    await serviceCommand("stop", deps);
    await serviceCommand("uninstall", deps);
    expect(existsSync(plist)).toBe(false);
    expect(calls(fake.log)).toEqual([
      "bootout gui/501/ai.simpleclaw.gateway",
      `bootstrap gui/501 ${plist}`,
      "kickstart -k gui/501/ai.simpleclaw.gateway",
      "kill SIGTERM gui/501/ai.simpleclaw.gateway",
      "bootout gui/501/ai.simpleclaw.gateway",
    ]);
  });
});

describe.skipIf(noTmux)("simpleclaw onboard (interactive, driven through tmux)", () => {
  function tmuxSession(env: Env) {
    const sock = `simpleclaw-onb-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const tmux = (...args: string[]) => spawnSync("tmux", ["-L", sock, ...args], { encoding: "utf8" });
    const vars = Object.entries(env).map(([k, v]) => `${k}='${v}'`).join(" ");
    const cmd = `env -i PATH='${process.env.PATH}' TERM=xterm-256color ${vars} '${process.execPath}' '${BIN}' onboard; echo "ONBOARD-EXIT=$?"; sleep 60`;
    expect(tmux("new-session", "-d", "-x", "160", "-y", "50", "-s", "w", cmd).status).toBe(0);
    onCleanup(() => tmux("kill-server"));
    const screen = () => tmux("capture-pane", "-p", "-t", "w", "-S", "-200").stdout;
    const waitFor = async (re: RegExp, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!re.test(screen())) {
        if (Date.now() > deadline) throw new Error(`no ${re} on screen:\n${screen()}`);
        await sleep(50);
      }
    };
    const keys = (...k: string[]) => tmux("send-keys", "-t", "w", ...k);
    const type = (text: string) => tmux("send-keys", "-t", "w", "-l", text);
    return { screen, waitFor, keys, type };
  }

  it("happy path: OpenAI, default model, key typed, no channel", async () => {
    const { state, env } = freshState();
    const t = tmuxSession(env);
    await t.waitFor(/Which model provider\?/);
    t.keys("Down");
    await sleep(100);
    t.keys("Enter");
    await t.waitFor(/API key/);
    t.type("sk-openai-typed-0123456789");
    t.keys("Enter");
    // api.openai.com is out of reach here: the check says so and the wizard goes on.
    await t.waitFor(/Could not check the endpoint/, 20_000);
    await t.waitFor(/Model id/);
    t.keys("Enter"); // default gpt-4.1
    await t.waitFor(/Connect a chat channel now\?/);
    t.keys("Enter"); // not now
    await t.waitFor(/ONBOARD-EXIT=\d+/, 40_000);
    const screen = t.screen();
    expect(screen).toContain("ONBOARD-EXIT=0");
    expect(screen).toMatch(/Security audit: 0 critical/);
    expect(screen).not.toContain("sk-openai-typed-0123456789"); // masked
    const v = validateConfig(readJson(join(state, "simpleclaw.json")));
    expect(v.ok && v.config.agents.defaults.model.primary).toBe("openai/gpt-4.1");
    expect(readJson(join(state, "credentials", "providers.json"))).toEqual({ openai: { apiKey: "sk-openai-typed-0123456789" } });
    expect(mode(join(state, "simpleclaw.json"))).toBe(0o600);
  }, 60_000);

  it("OpenAI-compatible: Enter takes the base URL and model shown", async () => {
    const { state, env } = freshState();
    const t = tmuxSession(env);
    await t.waitFor(/Which model provider\?/);
    t.keys("Down");
    await sleep(100);
    t.keys("Down");
    await sleep(100);
    t.keys("Enter");
    await t.waitFor(/Base URL of the endpoint/);
    t.keys("Enter"); // the shown http://127.0.0.1:11434/v1
    await t.waitFor(/API key, if the endpoint needs one/);
    t.keys("Enter");
    await t.waitFor(/Could not check the endpoint: nothing is listening at http:\/\/127\.0\.0\.1:11434\/v1/);
    await t.waitFor(/Model id/);
    t.keys("Enter"); // the shown llama3.1
    await t.waitFor(/Connect a chat channel now\?/);
    t.keys("Enter");
    await t.waitFor(/ONBOARD-EXIT=\d+/, 40_000);
    expect(t.screen()).toContain("ONBOARD-EXIT=0");
    const v = validateConfig(readJson(join(state, "simpleclaw.json")));
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    const [id, model] = v.config.agents.defaults.model.primary!.split("/");
    expect(model).toBe("llama3.1");
    expect(v.config.models.providers[id!]?.baseUrl).toBe("http://127.0.0.1:11434/v1");
  }, 60_000);

  it("OpenAI-compatible: checks the endpoint with the key and offers the models it lists", async () => {
    const fake = await startFakeModelServer({ apiKey: "sk-local-0123456789", models: ["llama3.1:8b", "qwen2.5:7b"] });
    onCleanup(() => fake.close());
    const { state, env } = freshState();
    const t = tmuxSession(env);
    await t.waitFor(/Which model provider\?/);
    t.keys("Down");
    await sleep(100);
    t.keys("Down");
    await sleep(100);
    t.keys("Enter");
    await t.waitFor(/Base URL of the endpoint/);
    t.type(fake.url);
    t.keys("Enter");
    await t.waitFor(/API key, if the endpoint needs one/);
    t.type("sk-local-0123456789");
    t.keys("Enter");
    await t.waitFor(/The endpoint answers: 2 models available/);
    await t.waitFor(/qwen2\.5:7b/);
    t.keys("Down"); // the second listed model
    await sleep(100);
    t.keys("Enter");
    await t.waitFor(/Connect a chat channel now\?/);
    t.keys("Enter");
    await t.waitFor(/ONBOARD-EXIT=\d+/, 40_000);
    expect(t.screen()).toContain("ONBOARD-EXIT=0");
    expect(t.screen()).not.toContain("sk-local-0123456789");
    const v = validateConfig(readJson(join(state, "simpleclaw.json")));
    expect(v.ok && v.config.agents.defaults.model.primary?.split("/")[1]).toBe("qwen2.5:7b");
  }, 60_000);

  it("asks before replacing a config, and keeps it on the default answer (No)", async () => {
    const { state, env } = freshState();
    mkdirSync(state, { mode: 0o700 });
    const cfgPath = join(state, "simpleclaw.json");
    writeFileSync(cfgPath, '{ gateway: { port: 19999 } } // mine\n', { mode: 0o600 });
    const t = tmuxSession(env);
    await t.waitFor(/already exists\. Replace it\?/);
    t.keys("Enter");
    await t.waitFor(/ONBOARD-EXIT=\d+/);
    expect(t.screen()).toMatch(/Kept your config; nothing was written/);
    expect(readFileSync(cfgPath, "utf8")).toBe("{ gateway: { port: 19999 } } // mine\n");
    expect(readdirSync(state)).toEqual(["simpleclaw.json"]);
  }, 60_000);
});
