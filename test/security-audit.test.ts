// `simpleclaw security audit` as a user runs it: the real CLI against throw-away state
// dirs (one fixture per check family, a clean one), --fix, --json against a schema, and
// --deep against a weak and a hardened running gateway.
import { chmodSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { cleanupAll, randomToken, runCli, spawnGateway, tempStateDir, writeConfig } from "./helpers/gateway.js";
import { missing } from "./helpers/system-deps.js";

afterEach(cleanupAll);

const findingSchema = z.strictObject({
  checkId: z.string().regex(/^[a-z][A-Za-z0-9_.-]+$/),
  severity: z.enum(["critical", "warn", "info"]),
  title: z.string().min(1),
  detail: z.string().min(1),
  evidence: z.string(),
  fix: z.string().min(1),
  fixable: z.boolean(),
});
const reportSchema = z.strictObject({
  version: z.literal(1),
  ts: z.number().int().positive(),
  summary: z.strictObject({ critical: z.number().int().min(0), warn: z.number().int().min(0), info: z.number().int().min(0) }),
  findings: z.array(findingSchema),
  fixed: z.strictObject({ changed: z.array(z.string()), skipped: z.array(z.string()), backup: z.string().optional() }).optional(),
});
type Report = z.infer<typeof reportSchema>;

const TOKEN = "x".repeat(8) + randomToken();

async function audit(env: Record<string, string | undefined>, ...flags: string[]): Promise<{ code: number | null; report: Report; stderr: string }> {
  const r = await runCli(["security", "audit", "--json", ...flags], env, { timeoutMs: 60_000 });
  // --json prints exactly one JSON object and nothing else on stdout.
  const report = reportSchema.parse(JSON.parse(r.stdout));
  const s = { critical: 0, warn: 0, info: 0 };
  for (const f of report.findings) s[f.severity]++;
  expect(report.summary).toEqual(s);
  return { code: r.code, report, stderr: r.stderr };
}

const ids = (r: Report) => r.findings.map((f) => f.checkId);

// A clean or hardened setup audits clean only where a sandbox backend works (bubblewrap);
// without one, `sandbox.unavailable` is critical and the sandbox probes have nothing to run in.
const noBwrap = await missing("bubblewrap", import.meta.url);

describe("simpleclaw security audit (static)", () => {
  it.skipIf(noBwrap)("a clean config: exit 0, no critical and no warning", async () => {
    const state = tempStateDir({ gateway: { auth: { token: TOKEN } } });
    const { code, report } = await audit(state.env);
    expect(code).toBe(0);
    expect(report.summary.critical).toBe(0);
    expect(report.summary.warn).toBe(0);
    expect(ids(report)).toEqual(["summary.attack_surface"]);
  });

  it.skipIf(noBwrap)("human output is grouped by severity with a summary line", async () => {
    const state = tempStateDir({ gateway: { auth: { mode: "none" } }, logging: { redactSensitive: false } });
    const r = await runCli(["security", "audit"], state.env);
    expect(r.code).toBe(1);
    const out = r.stdout;
    expect(out.indexOf("CRITICAL (1)")).toBeGreaterThan(-1);
    expect(out.indexOf("CRITICAL (1)")).toBeLessThan(out.indexOf("WARN (1)"));
    expect(out.indexOf("WARN (1)")).toBeLessThan(out.indexOf("INFO (1)"));
    expect(out).toContain("gateway.loopback_no_auth: Gateway accepts connections without authentication");
    expect(out).toMatch(/Summary: 1 critical, 1 warn, 1 info — 1 fixable with `simpleclaw security audit --fix`\.\n$/);
  });

  it("config family: an invalid config is config.invalid with its key paths, and the rest is still audited", async () => {
    const state = tempStateDir();
    writeFileSync(state.configPath, '{ gateway: { port: "x", auth: { mode: "none" } }, logging: { redact: true } }', { mode: 0o600 });
    const { code, report } = await audit(state.env);
    expect(code).toBe(1);
    const inv = report.findings.find((f) => f.checkId === "config.invalid")!;
    expect(inv.severity).toBe("critical");
    expect(inv.evidence).toContain("gateway.port");
    expect(inv.evidence).toContain("logging.redact: unknown key");
    expect(ids(report)).toContain("gateway.loopback_no_auth");
  });

  it("config family: secrets in the config and dangerous flags", async () => {
    const state = tempStateDir({
      gateway: { auth: { mode: "password", password: "correct-horse-battery" } },
      channels: { telegram: { botToken: "123:abc" } },
      tools: { http: { allowPrivateNetwork: true } },
    });
    const { report } = await audit(state.env);
    expect(ids(report)).toEqual(expect.arrayContaining(["config.secrets.gateway_password_in_config", "config.secrets.channel_token_in_config", "config.insecure_or_dangerous_flags"]));
    expect(JSON.stringify(report)).not.toContain("correct-horse-battery");
    expect(JSON.stringify(report)).not.toContain("123:abc");
  });

  it("fs family: loose permissions on the state dir, config, credentials and logs", async () => {
    const state = tempStateDir({ gateway: { auth: { token: TOKEN } } });
    chmodSync(state.dir, 0o777);
    chmodSync(state.configPath, 0o644);
    mkdirSync(join(state.dir, "credentials"));
    chmodSync(join(state.dir, "credentials"), 0o755);
    writeFileSync(join(state.dir, "credentials", "telegram.json"), "{}");
    chmodSync(join(state.dir, "credentials", "telegram.json"), 0o644);
    mkdirSync(join(state.dir, "logs"), { mode: 0o700 });
    writeFileSync(join(state.dir, "logs", "gateway.log"), "");
    chmodSync(join(state.dir, "logs", "gateway.log"), 0o644);
    const { code, report } = await audit(state.env);
    expect(code).toBe(1);
    expect(ids(report)).toEqual(
      expect.arrayContaining([
        "fs.state_dir.perms_world_writable",
        "fs.config.perms_world_readable",
        "fs.credentials_dir.perms_readable",
        "fs.credentials_file.perms_readable",
        "fs.log_file.perms_readable",
      ]),
    );
    expect(report.findings.find((f) => f.checkId === "fs.config.perms_world_readable")!.evidence).toContain("mode 644");
  });

  it("gateway family: a LAN bind without auth", async () => {
    const state = tempStateDir({ gateway: { bind: "lan", auth: { mode: "none" }, controlUi: { allowedOrigins: ["*"] } } });
    const { code, report } = await audit(state.env);
    expect(code).toBe(1);
    expect(ids(report)).toEqual(expect.arrayContaining(["gateway.bind_no_auth", "gateway.tls_off_remote", "gateway.control_ui.allowed_origins_wildcard"]));
  });

  it("browser family: a remote CDP endpoint without auth", async () => {
    const state = tempStateDir({ gateway: { auth: { token: TOKEN } }, browser: { cdpUrl: "ws://10.0.0.7:9222" } });
    const { report } = await audit(state.env);
    expect(ids(report)).toEqual(expect.arrayContaining(["browser.cdp_non_loopback", "browser.control_no_auth", "browser.remote_cdp_http"]));
  });

  it("tools family: elevated wildcard and exec security full", async () => {
    const state = tempStateDir({ gateway: { auth: { token: TOKEN } }, tools: { exec: { security: "full" }, elevated: { enabled: true, allowFrom: { telegram: ["*"] } } } });
    const { report } = await audit(state.env);
    expect(ids(report)).toEqual(expect.arrayContaining(["tools.elevated.allowFrom.telegram.wildcard", "tools.exec.security_full_configured"]));
  });

  it("channels and sandbox families: open DMs and groups with the sandbox off", async () => {
    const state = tempStateDir({
      gateway: { auth: { token: TOKEN } },
      agents: { defaults: { sandbox: { mode: "off" } } },
      channels: { slack: { enabled: true, dmPolicy: "open", allowFrom: ["*"], groupPolicy: "open" } },
    });
    const { code, report } = await audit(state.env);
    expect(code).toBe(1);
    expect(ids(report)).toEqual(
      expect.arrayContaining([
        "channels.slack.dm_policy_open",
        "channels.slack.group_policy_open",
        "security.exposure.open_access_with_runtime",
        "sandbox.off_with_open_access",
        "security.trust_model.multi_user_heuristic",
      ]),
    );
    const group = report.findings.find((f) => f.checkId === "channels.slack.group_policy_open")!;
    expect(group).toMatchObject({ severity: "critical", fixable: true });
  });

  it("plugins family: a plugin on disk without plugins.allow, with an escaping entry", async () => {
    const state = tempStateDir({ gateway: { auth: { token: TOKEN } }, plugins: { entries: { ghost: {} } } });
    const p = join(state.dir, "plugins", "helper");
    mkdirSync(p, { recursive: true });
    writeFileSync(join(p, "simpleclaw.plugin.json"), JSON.stringify({ id: "helper", name: "Helper", version: "1.0.0", entry: "../../evil.js" }));
    writeFileSync(join(p, "package.json"), JSON.stringify({ name: "helper", dependencies: { lib: "latest" } }));
    const { code, report } = await audit(state.env);
    expect(code).toBe(1);
    expect(ids(report)).toEqual(expect.arrayContaining(["plugins.extensions_no_allowlist", "plugins.allow_phantom_entries", "plugins.installs_unpinned", "plugins.entry_escape"]));
  });

  it("exit 2 when the audit cannot run", async () => {
    const state = tempStateDir();
    const notDir = join(state.dir, "file");
    writeFileSync(notDir, "");
    const r = await runCli(["security", "audit", "--json"], { SIMPLECLAW_STATE_DIR: notDir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: the audit could not run: the state dir .* is not a directory\.\n$/);
  });
});

describe("simpleclaw security audit --fix", () => {
  it.skipIf(noBwrap)("leaves a broken state dir clean, backs up the config, and a second run has nothing fixable", async () => {
    const state = tempStateDir({
      gateway: { auth: { token: TOKEN } },
      logging: { redactSensitive: false },
      channels: { telegram: { enabled: true, groupPolicy: "open" } },
    });
    chmodSync(state.dir, 0o775);
    chmodSync(state.configPath, 0o666);
    writeFileSync(join(state.dir, "exec-approvals.json"), '{"version":1,"defaults":{},"agents":{}}');
    chmodSync(join(state.dir, "exec-approvals.json"), 0o666);
    const before = readFileSync(state.configPath, "utf8");

    const r = await runCli(["security", "audit", "--fix"], state.env);
    expect(r.stdout).toContain(`fixed: chmod 700 ${state.dir} (was 775)`);
    expect(r.stdout).toContain(`fixed: chmod 600 ${state.configPath} (was 666)`);
    expect(r.stdout).toContain(`fixed: chmod 600 ${join(state.dir, "exec-approvals.json")} (was 666)`);
    expect(r.stdout).toContain("fixed: set logging.redactSensitive = true (was false)");
    expect(r.stdout).toContain('fixed: set channels.telegram.groupPolicy = "allowlist" (was "open")');
    expect(r.stdout).toMatch(/fixed: backed up .*simpleclaw\.json to .*simpleclaw\.json\.bak-\d+/);
    expect(r.code).toBe(0);

    expect(statSync(state.dir).mode & 0o777).toBe(0o700);
    expect(statSync(state.configPath).mode & 0o777).toBe(0o600);
    const backups = readdirSync(state.dir).filter((n) => n.startsWith("simpleclaw.json.bak-"));
    expect(backups).toHaveLength(1);
    expect(statSync(join(state.dir, backups[0]!)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(state.dir, backups[0]!), "utf8")).toBe(before);
    // The token was not touched.
    expect(JSON.parse(readFileSync(state.configPath, "utf8")).gateway.auth.token).toBe(TOKEN);

    const second = await audit(state.env, "--fix");
    expect(second.code).toBe(0);
    expect(second.report.findings.filter((f) => f.fixable)).toEqual([]);
    expect(second.report.fixed).toEqual({ changed: [], skipped: [] });
    expect(second.report.summary.warn).toBe(0);
  });

  it("never changes bind or auth", async () => {
    const state = tempStateDir({ gateway: { bind: "lan", auth: { mode: "none" } } });
    const before = readFileSync(state.configPath, "utf8");
    const r = await audit(state.env, "--fix");
    expect(r.code).toBe(1);
    expect(r.report.fixed!.changed).toEqual([]);
    expect(readFileSync(state.configPath, "utf8")).toBe(before);
  });
});

describe("simpleclaw security audit --deep", () => {
  it("against a weak gateway (auth none on loopback, sandbox off) proves the holes", async () => {
    const state = tempStateDir({ gateway: { auth: { mode: "none" } }, agents: { defaults: { sandbox: { mode: "off" } } } });
    const gw = await spawnGateway(state.env);
    const { code, report } = await audit(state.env, "--deep", "--url", gw.url);
    expect(code).toBe(1);
    const got = ids(report);
    expect(got).toEqual(expect.arrayContaining(["gateway.probe_unauth_accepted", "gateway.probe_wrong_secret_accepted", "sandbox.probe_escape"]));
    expect(got).not.toContain("gateway.probe_failed");
    const esc = report.findings.find((f) => f.checkId === "sandbox.probe_escape")!;
    expect(esc.detail).toContain(`read ${join(state.dir, "simpleclaw.json")}`);
    expect(esc.detail).toContain(`from the state dir ${state.dir}`);
    expect(esc.detail).toContain(`opened a TCP socket to the gateway on 127.0.0.1:${gw.port}`);
    expect(report.findings.find((f) => f.checkId === "gateway.probe_unauth_accepted")!.evidence).toContain("hello-ok");
  });

  it.skipIf(noBwrap)("against a hardened loopback gateway reports no probe finding and does not lock the owner out (no lockout probe from loopback)", async () => {
    const state = tempStateDir({ gateway: { auth: { token: TOKEN } }, agents: { defaults: { sandbox: { mode: "all" } } } });
    const gw = await spawnGateway(state.env);
    const { code, report } = await audit(state.env, "--deep", "--url", gw.url);
    expect(report.findings.filter((f) => f.checkId.includes("probe"))).toEqual([]);
    expect(code).toBe(0);
    // The owner can still connect from 127.0.0.1 after the lockout probe.
    const status = await runCli(["gateway", "status", "--url", gw.url, "--token", TOKEN], state.env);
    expect(status.code).toBe(0);
  });

  it.skipIf(noBwrap)("a hardened config with a leaky sandbox (network on) and fs outside the workspace is caught", async () => {
    const state = tempStateDir({
      gateway: { auth: { token: TOKEN, rateLimit: { exemptLoopback: true } } },
      tools: { fs: { workspaceOnly: false } },
      agents: { defaults: { sandbox: { mode: "non-main", network: true } } },
    });
    const gw = await spawnGateway(state.env);
    const { report } = await audit(state.env, "--deep", "--url", gw.url);
    const got = ids(report);
    expect(got).toEqual(expect.arrayContaining(["sandbox.probe_escape", "tools.fs.probe_escape", "gateway.probe_no_lockout"]));
    expect(report.findings.find((f) => f.checkId === "sandbox.probe_escape")!.evidence).toContain("STATE_HIDDEN, SOCKET_OPEN");
  });

  // Before a4714ee the sandbox probe reported a fresh default install: bubblewrap bind-mounts
  // the workspace (<state>/workspace), so the state dir's path exists inside the sandbox as an
  // empty parent directory, and "the state dir is listable" was reported as an escape.
  it.skipIf(noBwrap)("a fresh default install (onboard, workspace inside the state dir) has no sandbox.probe_escape: empty parent dirs are not state", async () => {
    const state = tempStateDir();
    const onb = await runCli(["onboard", "--non-interactive", "--provider", "openai-compatible", "--base-url", "http://127.0.0.1:9/v1", "--model", "m"], state.env, { timeoutMs: 60_000 });
    expect(onb.code).toBe(0);
    expect(statSync(join(state.dir, "workspace", "AGENTS.md")).isFile()).toBe(true);
    writeFileSync(join(state.dir, "credentials", "telegram.json"), '{"botToken":"1:x"}', { mode: 0o600 });
    const gw = await spawnGateway(state.env);
    const { report } = await audit(state.env, "--deep", "--url", gw.url);
    expect(ids(report)).not.toContain("gateway.probe_failed"); // the probes did run
    expect(ids(report)).not.toContain("sandbox.probe_escape");
    expect(report.findings.filter((f) => f.severity === "critical")).toEqual([]);
  });

  it.skipIf(noBwrap)("control: a config kept inside the (sandbox-mounted) workspace is read by the sandboxed probe → sandbox.probe_escape, critical", async () => {
    const state = tempStateDir();
    const onb = await runCli(["onboard", "--non-interactive", "--provider", "openai-compatible", "--base-url", "http://127.0.0.1:9/v1", "--model", "m"], state.env, { timeoutMs: 60_000 });
    expect(onb.code).toBe(0);
    // The misconfiguration: the config moved into the workspace the sandbox bind-mounts.
    const inWorkspace = join(state.dir, "workspace", "simpleclaw.json");
    writeFileSync(inWorkspace, readFileSync(state.configPath), { mode: 0o600 });
    const env = { ...state.env, SIMPLECLAW_CONFIG_PATH: inWorkspace };
    const gw = await spawnGateway(env);
    const { code, report } = await audit(env, "--deep", "--url", gw.url);
    const esc = report.findings.find((f) => f.checkId === "sandbox.probe_escape");
    expect(esc?.severity).toBe("critical");
    expect(esc!.detail).toContain(`read ${inWorkspace}`);
    expect(esc!.detail).toContain("bwrap sandbox");
    expect(esc!.detail).not.toContain("opened a TCP socket"); // network stays off
    expect(code).toBe(1);
  });

  it("a gateway started from another config: bound wider than the loopback config, plain HTTP though TLS is configured", async () => {
    const state = tempStateDir({ gateway: { bind: "lan", auth: { token: TOKEN } } });
    const gw = await spawnGateway(state.env);
    // The owner since changed the config, but the running gateway was never restarted.
    writeConfig(state.dir, { gateway: { bind: "loopback", auth: { token: TOKEN }, tls: { enabled: true, autoGenerate: true } } });
    const { code, report } = await audit(state.env, "--deep", "--url", `ws://127.0.0.1:${gw.port}/ws`);
    expect(code).toBe(1);
    const mismatch = report.findings.find((f) => f.checkId === "gateway.probe_listen_mismatch")!;
    expect(mismatch.detail).toContain(`port ${gw.port} is bound to 0.0.0.0`);
    expect(report.findings.find((f) => f.checkId === "gateway.probe_plaintext_served")!.evidence).toMatch(new RegExp(`GET http://127\\.0\\.0\\.1:${gw.port}/ → HTTP \\d{3}`));
  });

  it("with no gateway running, reports gateway.probe_failed (warn)", async () => {
    const state = tempStateDir({ gateway: { auth: { token: TOKEN } } });
    const { report } = await audit(state.env, "--deep", "--url", "ws://127.0.0.1:1/ws");
    const f = report.findings.find((x) => x.checkId === "gateway.probe_failed")!;
    expect(f.severity).toBe("warn");
    expect(f.evidence).toContain("ws://127.0.0.1:1/ws");
  });
});
