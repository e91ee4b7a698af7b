// `simpleclaw import openclaw` end to end (docs/migrating-from-openclaw.md): each fixture
// written by the real OpenClaw 2026.9.6 is materialized into a HOME, imported by the real
// CLI as a child process, and then a real gateway runs on the result: the approved
// Telegram sender is answered (fake Bot API), a stranger gets a pairing code, an
// allowlisted command runs and another asks, the imported provider and key reach the
// (fake) model. Bad input ends in one sentence, a non-zero exit and nothing written.
import { spawnSync } from "node:child_process";
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startGateway } from "../src/gateway/start.js";
import { startFakeModelServer } from "./fakes/model-server.js";
import { startFakeTelegram } from "./fakes/telegram.js";
import { cleanupAll, onCleanup, rawConnect, REPO_ROOT, runCli, type Json } from "./helpers/gateway.js";
import { settle, waitFor } from "./helpers/wait.js";
import { missing } from "./helpers/system-deps.js";

const FIXTURES = resolve(REPO_ROOT, "..", "shared", "fixtures", "openclaw");
const HAVE_FIXTURES = existsSync(join(FIXTURES, "materialize.py"));
// The imported setups sandbox non-main sessions: their audit is clean only where bubblewrap works.
const noBwrap = await missing("bubblewrap", import.meta.url);
if (!HAVE_FIXTURES) console.warn(`skipping the OpenClaw import tests: no fixtures at ${FIXTURES}`);

const BOT_TOKEN = "7000000001:AAFixtureFakeBotToken000000000000";
const API_KEY = "sk-fixture-000";

afterEach(cleanupAll);

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A real HOME made from a fixture by its own materialize.py; returns HOME and a fresh SimpleClaw state dir. */
function materialize(name: string): { home: string; oc: string; state: string } {
  const root = tempDir(`oc-${name}-`);
  const home = join(root, "home");
  const r = spawnSync("python3", [join(FIXTURES, "materialize.py"), join(FIXTURES, name), home], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`materialize ${name} failed: ${r.stderr}`);
  return { home, oc: join(home, ".openclaw"), state: join(root, "simpleclaw") };
}

async function importCli(home: string, state: string, args: string[] = []) {
  const r = await runCli(["import", "openclaw", ...args], { HOME: home, SIMPLECLAW_STATE_DIR: state }, { timeoutMs: 60_000 });
  return { ...r, json: args.includes("--json") && r.code === 0 ? (JSON.parse(r.stdout) as Json) : undefined };
}

const readJson = (p: string): Json => JSON.parse(readFileSync(p, "utf8"));
const mode = (p: string) => statSync(p).mode & 0o777;

/** Every file under `dir` with its bytes and mtime, to prove a run wrote nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[p] = `${statSync(p).mtimeMs}:${readFileSync(p).toString("base64")}`;
    }
  };
  walk(dir);
  return out;
}

describe.skipIf(!HAVE_FIXTURES || noBwrap)("simpleclaw import openclaw", () => {
  it("telegram-owner: secrets land in credentials/, the audit is clean, and the gateway behaves as OpenClaw was set up", async () => {
    const { home, state } = materialize("telegram-owner");
    const r = await importCli(home, state, ["--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.json.audit.critical).toBe(0);
    expect(r.json.summary.imported).toBeGreaterThan(10);
    const skipped = r.json.items.filter((i: Json) => i.status === "skipped").map((i: Json) => `${i.from}: ${i.reason}`);
    expect(skipped.join("\n")).toMatch(/1 paired device\(s\): devices are not imported/);

    // No secret in the main config; each where SimpleClaw keeps it, mode 600.
    const configText = readFileSync(join(state, "simpleclaw.json"), "utf8");
    expect(configText).not.toContain(BOT_TOKEN);
    expect(configText).not.toContain(API_KEY);
    expect(readJson(join(state, "credentials", "telegram.json"))).toEqual({ botToken: BOT_TOKEN });
    expect(readJson(join(state, "credentials", "providers.json"))).toEqual({ "fixture-llm": { apiKey: API_KEY } });
    for (const f of ["simpleclaw.json", "credentials/telegram.json", "credentials/providers.json", "credentials/telegram-allowFrom.json", "exec-approvals.json"]) {
      expect(mode(join(state, f)), f).toBe(0o600);
    }
    expect(mode(join(state, "credentials"))).toBe(0o700);
    const cfg = readJson(join(state, "simpleclaw.json"));
    expect(cfg.agents.list).toEqual([{ id: "pip", default: true, name: "Pip" }]);
    expect(cfg.channels.telegram).toMatchObject({ enabled: true, dmPolicy: "pairing", allowFrom: ["424242001"], owners: ["424242002"] });
    // Memory notes were copied into the SimpleClaw workspace.
    expect(readFileSync(join(state, "workspace", "memory", "2026-12-02.md"), "utf8")).toBe(readFileSync(join(home, "assistant", "memory", "2026-12-02.md"), "utf8"));

    // The same audit the operator runs, as a child process: exit 0 = no critical finding.
    const audit = await runCli(["security", "audit", "--json"], { HOME: home, SIMPLECLAW_STATE_DIR: state });
    expect(audit.code).toBe(0);

    // Run it. Test plumbing only, like the fixture's own generation: point the channel
    // and the provider at local fakes (the secrets stay the imported ones).
    const tg = await startFakeTelegram({ token: BOT_TOKEN, botUsername: "pip_bot" });
    onCleanup(() => tg.close());
    const model = await startFakeModelServer({ apiKey: API_KEY });
    onCleanup(() => model.close());
    cfg.channels.telegram.apiRoot = tg.apiRoot;
    cfg.models.providers["fixture-llm"].baseUrl = model.url;
    writeFileSync(join(state, "simpleclaw.json"), JSON.stringify(cfg), { mode: 0o600 });
    const gw = await startGateway({ env: { SIMPLECLAW_STATE_DIR: state, HOME: home }, port: 0, pretty: null, say: () => {} });
    onCleanup(() => gw.close());

    // Sam was approved in OpenClaw (state database): admitted, answered by the imported model.
    await tg.sendDirect({ id: "424242002", name: "Sam" }, "hello from sam");
    const reply = await waitFor(() => tg.sent().find((m) => m.text === "echo: hello from sam"));
    expect(reply).toBeTruthy();
    expect(model.requests[0]!.authorized).toBe(true);
    expect(model.requests[0]!.model).toBe("fixture-chat-1");
    // Alex is in the config allowFrom (as "tg:424242001" in OpenClaw).
    await tg.sendDirect({ id: "424242001", name: "Alex" }, "hello from alex");
    await waitFor(() => tg.sent().find((m) => m.text === "echo: hello from alex"));
    // A stranger (and Robin, whose OpenClaw request was still pending) get a pairing code only.
    const before = model.requests.length;
    await tg.sendDirect({ id: "424242004", name: "Robin" }, "let me in");
    const code = await waitFor(() => tg.sent().find((m) => /pairing code is [A-Z2-9]{8}/.test(m.text)));
    expect(code.text).not.toContain("HK6TF3P9"); // OpenClaw's old code is not carried over
    await settle(300);
    expect(model.requests.length).toBe(before);

    // Exec: /usr/bin/uptime is on the imported allowlist and runs; /usr/bin/id asks the owner.
    model.script({ toolCalls: [{ name: "exec", input: { command: "/usr/bin/uptime" } }] }, (req) => ({ text: `ran: ${req.toolResults.at(-1)?.content ?? ""}` }));
    await tg.sendDirect({ id: "424242002", name: "Sam" }, "how long has the box been up?");
    const ran = await waitFor(() => tg.sent().find((m) => m.text.startsWith("ran:")), 15_000);
    expect(ran.text).toMatch(/exit code 0/);
    expect(ran.text).toMatch(/load average/);
    model.script({ toolCalls: [{ name: "exec", input: { command: "/usr/bin/id" } }] }, { text: "after id" });
    await tg.sendDirect({ id: "424242002", name: "Sam" }, "who am i?");
    const prompt = await waitFor(() => tg.sent().find((m) => /Approval needed/.test(m.text)), 15_000);
    expect(prompt.text).toContain("/usr/bin/id");
  }, 90_000);

  it("hardened-lan: LAN bind with password, rate limit, TLS and a strict sandbox come over; the gateway takes the password over TLS", async () => {
    const { home, state } = materialize("hardened-lan");
    const r = await importCli(home, state, ["--json"]);
    expect(r.code).toBe(0);
    expect(r.json.audit.critical).toBe(0);
    const cfg = readJson(join(state, "simpleclaw.json"));
    expect(cfg.gateway).toMatchObject({
      bind: "lan",
      auth: { mode: "password", rateLimit: { maxAttempts: 5, windowMs: 60000, lockoutMs: 300000, exemptLoopback: false } },
      tls: { enabled: true, autoGenerate: true },
      controlUi: { allowedOrigins: ["https://openclaw.lan.fixture.invalid:18789"] },
    });
    expect(cfg.agents.defaults.sandbox).toEqual({ mode: "all", workspaceAccess: "ro" });
    expect(cfg.tools.deny).toEqual(expect.arrayContaining(["group:runtime", "group:fs", "browser"]));
    expect(cfg.tools.exec.security).toBe("deny");
    expect(cfg.plugins.allow).toEqual([]);
    const approvals = readJson(join(state, "exec-approvals.json"));
    expect(approvals.defaults).toEqual({ security: "deny", ask: "always", askFallback: "deny" });
    expect(approvals.agents.main.allowlist.map((e: Json) => e.pattern)).toEqual(["/usr/bin/uptime"]);
    const changed = r.json.items.filter((i: Json) => i.status === "changed").map((i: Json) => i.from);
    expect(changed).toContain("plugins.allow");

    const gw = await startGateway({ env: { SIMPLECLAW_STATE_DIR: state, HOME: home }, port: 0, pretty: null, say: () => {} });
    onCleanup(() => gw.close());
    expect(gw.url).toMatch(/^wss:/);
    const url = `wss://127.0.0.1:${gw.port}/ws`;
    const ok = await rawConnect(url, { password: "fixture-LAN-passphrase-not-real-7c2e9a41" }, { ws: { rejectUnauthorized: false } });
    expect(ok.res.ok).toBe(true);
    ok.c.ws.close();
    const bad = await rawConnect(url, { password: "not-the-password" }, { ws: { rejectUnauthorized: false } });
    expect(bad.res.error.code).toBe("UNAUTHORIZED");
  }, 60_000);

  it("baseline: imports, skips BOOTSTRAP.md, and a gateway starts on the result", async () => {
    const { home, state } = materialize("baseline");
    const r = await importCli(home, state);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Summary: \d+ imported, \d+ changed, \d+ not imported\./);
    expect(r.stdout).toMatch(/BOOTSTRAP\.md: OpenClaw's first-run script/);
    expect(r.stdout).toMatch(/Security audit: no critical finding/);
    expect(existsSync(join(state, "workspace", "BOOTSTRAP.md"))).toBe(false);
    expect(readFileSync(join(state, "workspace", "SOUL.md"), "utf8")).toMatch(/fixture placeholder/);
    const gw = await startGateway({ env: { SIMPLECLAW_STATE_DIR: state, HOME: home }, port: 0, pretty: null, say: () => {} });
    onCleanup(() => gw.close());
    const cfg = readJson(join(state, "simpleclaw.json"));
    const ok = await rawConnect(gw.url, { token: cfg.gateway.auth.token });
    expect(ok.res.ok).toBe(true);
    ok.c.ws.close();
  }, 60_000);

  it("--dry-run writes nothing; a second import changes nothing; an existing config is backed up first", async () => {
    const { home, state } = materialize("telegram-owner");
    const dry = await importCli(home, state, ["--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/dry run: nothing written/);
    expect(dry.stdout).toMatch(/Would write:/);
    expect(existsSync(state)).toBe(false);

    mkdirSync(state, { recursive: true, mode: 0o700 });
    const mine = `${JSON.stringify({ logging: { level: "debug" } }, null, 2)}\n`;
    writeFileSync(join(state, "simpleclaw.json"), mine, { mode: 0o600 });
    const first = await importCli(home, state, ["--json"]);
    expect(first.code).toBe(0);
    expect(first.json.backups).toHaveLength(1);
    expect(readFileSync(first.json.backups[0], "utf8")).toBe(mine);
    expect(readJson(join(state, "simpleclaw.json")).logging).toEqual({ level: "debug" }); // the operator's own keys stay

    const before = snapshot(state);
    const second = await importCli(home, state, ["--json"]);
    expect(second.code).toBe(0);
    expect(second.json.writes).toEqual([]);
    expect(second.json.backups).toEqual([]);
    expect(snapshot(state)).toEqual(before);
  }, 60_000);

  it("--workspace reference points the config at the OpenClaw workspace instead of copying it", async () => {
    const { home, state } = materialize("telegram-owner");
    const r = await importCli(home, state, ["--workspace", "reference"]);
    expect(r.code).toBe(0);
    expect(readJson(join(state, "simpleclaw.json")).agents.defaults.workspace).toBe(join(home, "assistant"));
    expect(existsSync(join(state, "workspace"))).toBe(false);
  }, 60_000);

  it("security wins: open DMs and wildcard groups with the sandbox off are made safe unless --keep-insecure", async () => {
    const { home, oc, state } = materialize("telegram-owner");
    const path = join(oc, "openclaw.json");
    const oconf = readJson(path);
    oconf.channels.telegram.dmPolicy = "open";
    oconf.channels.telegram.allowFrom = ["*"];
    oconf.channels.telegram.groupPolicy = "open";
    oconf.channels.telegram.groups["*"] = { requireMention: false };
    oconf.agents.defaults.sandbox = { mode: "off" };
    oconf.gateway.bind = "lan";
    oconf.gateway.auth = { mode: "none" };
    writeFileSync(path, JSON.stringify(oconf));

    const safe = await importCli(home, state, ["--json"]);
    expect(safe.code).toBe(0);
    expect(safe.json.audit.critical).toBe(0);
    const cfg = readJson(join(state, "simpleclaw.json"));
    expect(cfg.channels.telegram.dmPolicy).toBe("pairing");
    expect(cfg.channels.telegram.allowFrom).toEqual([]);
    expect(cfg.channels.telegram.groupPolicy).toBe("allowlist");
    expect(cfg.channels.telegram.groups["*"]).toBeUndefined();
    expect(cfg.gateway.auth.mode).toBe("token");
    const reasons = safe.json.items.filter((i: Json) => i.status === "changed").map((i: Json) => `${i.from}: ${i.reason}`).join("\n");
    expect(reasons).toMatch(/channels\.telegram\.dmPolicy: "open" became "pairing"/);
    expect(reasons).toMatch(/gateway\.auth\.mode: no auth on a lan bind is refused/);

    const state2 = `${state}-insecure`;
    onCleanup(() => rmSync(state2, { recursive: true, force: true }));
    const kept = await importCli(home, state2, ["--json", "--keep-insecure"]);
    expect(kept.code).toBe(0);
    expect(readJson(join(state2, "simpleclaw.json")).channels.telegram.dmPolicy).toBe("open");
    expect(kept.json.audit.critical).toBeGreaterThan(0);
  }, 60_000);

  describe("bad input: one sentence, non-zero exit, nothing written", () => {
    it("a missing dir", async () => {
      const root = tempDir("oc-missing-");
      const state = join(root, "simpleclaw");
      const r = await runCli(["import", "openclaw", "--from", join(root, "nope")], { HOME: root, SIMPLECLAW_STATE_DIR: state });
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/^error: no OpenClaw state directory at .*nope; pass --from/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(state)).toBe(false);
    });

    it("a corrupt config", async () => {
      const { home, oc, state } = materialize("baseline");
      writeFileSync(join(oc, "openclaw.json"), '{ "gateway": { "mode": "local", ');
      const r = await importCli(home, state);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/openclaw\.json is not valid JSON5 .*restore one of OpenClaw's backups/);
      expect(existsSync(state)).toBe(false);
    });

    it("a FIFO as the config (the import would hang reading it)", async () => {
      const { home, oc, state } = materialize("baseline");
      rmSync(join(oc, "openclaw.json"));
      spawnSync("mkfifo", [join(oc, "openclaw.json")]);
      const r = await importCli(home, state);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/openclaw\.json is not a regular file/);
      expect(existsSync(state)).toBe(false);
    });

    it("a hard link in the workspace to another of the owner's files is not copied; the rest is", async () => {
      const { home, oc, state } = materialize("telegram-owner");
      linkSync(join(oc, "config-journal-fingerprint.key"), join(home, "assistant", "memory", "notes.md"));
      const r = await importCli(home, state);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/memory\/notes\.md: a hard link \(2 links\)/);
      expect(existsSync(join(state, "workspace", "memory", "notes.md"))).toBe(false);
      expect(existsSync(join(state, "workspace", "memory", "2026-12-02.md"))).toBe(true);
    });

    it("a config written by a newer OpenClaw", async () => {
      const { home, oc, state } = materialize("telegram-owner");
      const p = join(oc, "openclaw.json");
      const c = readJson(p);
      c.meta.lastTouchedVersion = "2027.3.1";
      writeFileSync(p, JSON.stringify(c));
      const r = await importCli(home, state);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/written by OpenClaw 2027\.3\.1, newer than this importer knows/);
      expect(existsSync(state)).toBe(false);
    });

    it("OPENCLAW_STATE_DIR is honoured", async () => {
      const { home, oc, state } = materialize("baseline");
      const moved = join(home, "elsewhere");
      spawnSync("mv", [oc, moved]);
      const r = await runCli(["import", "openclaw", "--dry-run"], { HOME: home, SIMPLECLAW_STATE_DIR: state, OPENCLAW_STATE_DIR: moved });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`at ${moved}`);
    });
  });
});
