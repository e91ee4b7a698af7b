// The pure check functions, one family at a time: each fixture config triggers the
// family's checks, and the clean config triggers nothing above info.
import { describe, expect, it } from "vitest";
import { configSchema } from "../config/schema.js";
import { buildReport, runChecks } from "./audit.js";
import { auditBrowser } from "./browser.js";
import { auditChannels } from "./channels.js";
import { auditConfig } from "./config.js";
import { auditFs, syncedFolder } from "./fs.js";
import { auditGateway } from "./gateway.js";
import { auditPlugins } from "./plugins.js";
import { auditRuntime } from "./runtime.js";
import { auditSandbox, dangerousMount } from "./sandbox.js";
import { auditTools } from "./tools.js";
import type { AuditInput, Finding, PathInfo, PluginInfo } from "./types.js";

const S = "/home/u/.simpleclaw";

function file(path: string, mode: number, extra: Partial<PathInfo> = {}): PathInfo {
  return { path, exists: true, isSymlink: false, type: "file", mode, ...extra };
}

function input(raw: Record<string, unknown> = {}, over: Partial<AuditInput> = {}): AuditInput {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success && !over.configError) throw new Error(`fixture config invalid: ${parsed.error.message}`);
  const paths = {
    stateDir: S,
    config: `${S}/simpleclaw.json`,
    credentials: `${S}/credentials`,
    logs: `${S}/logs`,
    stateDb: `${S}/state.db`,
    execApprovals: `${S}/exec-approvals.json`,
    plugins: `${S}/plugins`,
    tlsKeys: [`${S}/tls/gateway-key.pem`],
  };
  return {
    platform: "linux",
    nodeVersion: "22.20.0",
    uid: 1000,
    home: "/home/u",
    env: {},
    paths,
    configExists: true,
    raw,
    config: parsed.success ? parsed.data : configSchema.parse({}),
    stat: {
      [S]: { ...file(S, 0o700), type: "dir" },
      [paths.config]: file(paths.config, 0o600),
      [paths.credentials]: { ...file(paths.credentials, 0o700), type: "dir" },
    },
    credentialsFiles: [],
    logFiles: [],
    stateDbFiles: [],
    workspaces: [{ agentId: "main", path: `${S}/workspace` }],
    workspaceFiles: [],
    plugins: [],
    sandboxBackends: { auto: { name: "bwrap" } },
    approvedSenders: {},
    ...over,
  };
}

const TOKEN = "0123456789abcdef0123456789abcdef0123";
const CLEAN = { gateway: { auth: { token: TOKEN } } };
const ids = (fs: Finding[]) => fs.map((f) => f.checkId);
const byId = (fs: Finding[], id: string) => fs.find((f) => f.checkId === id)!;

describe("clean config", () => {
  it("reports nothing but the attack-surface summary", () => {
    const r = buildReport(runChecks(input(CLEAN)));
    expect(r.summary).toEqual({ critical: 0, warn: 0, info: 1 });
    expect(ids(r.findings)).toEqual(["summary.attack_surface"]);
  });

  it("the seed's hardening profile is clean too", () => {
    const r = buildReport(runChecks(input({ ...CLEAN, tools: { exec: { enabled: false }, browser: { enabled: false }, http: { enabled: false }, fs: { workspaceOnly: true } } })));
    expect(r.summary.critical + r.summary.warn).toBe(0);
  });
});

describe("config family", () => {
  it("invalid config → config.invalid (critical) with every key path", () => {
    const fs = auditConfig(input({ gateway: { port: "x" } }, { configError: { kind: "invalid", problems: ["gateway.port: got \"x\", expected number", "tools.bogus: unknown key (remove it or check its spelling)"] } }));
    const f = byId(fs, "config.invalid");
    expect(f.severity).toBe("critical");
    expect(f.evidence).toContain("gateway.port");
    expect(f.evidence).toContain("tools.bogus");
  });

  it("secrets in the config, dangerous flags and redaction off", () => {
    const fs = auditConfig(
      input({
        gateway: { auth: { mode: "password", password: "hunter2hunter2" }, nodes: { autoApproveLoopback: true } },
        channels: { slack: { botToken: "xoxb-1", appToken: "xapp-1" } },
        tools: { exec: { askFallback: "allow" } },
        logging: { redactSensitive: false },
      }),
    );
    expect(ids(fs)).toEqual(["config.secrets.gateway_password_in_config", "config.secrets.channel_token_in_config", "config.insecure_or_dangerous_flags", "logging.redact_off"]);
    expect(byId(fs, "config.secrets.channel_token_in_config").detail).toContain("channels.slack.botToken, channels.slack.appToken");
    expect(byId(fs, "config.secrets.gateway_password_in_config").evidence).not.toContain("hunter2");
    expect(byId(fs, "config.insecure_or_dangerous_flags").evidence).toContain("gateway.nodes.autoApproveLoopback=true");
    const redact = byId(fs, "logging.redact_off");
    expect(redact.fixable).toBe(true);
    expect(redact.fixes).toEqual([{ kind: "config-set", path: ["logging", "redactSensitive"], value: true }]);
  });
});

describe("fs family", () => {
  it("loose state dir, config, credentials, approvals, db, logs and TLS key", () => {
    const i = input(CLEAN);
    i.stat[S] = { ...file(S, 0o777), type: "dir" };
    i.stat[i.paths.config] = file(i.paths.config, 0o666);
    i.stat[i.paths.credentials] = { ...file(i.paths.credentials, 0o775), type: "dir" };
    i.stat[i.paths.execApprovals] = file(i.paths.execApprovals, 0o664);
    i.stat[i.paths.logs] = { ...file(i.paths.logs, 0o755), type: "dir" };
    i.stat[i.paths.tlsKeys[0]!] = file(i.paths.tlsKeys[0]!, 0o644);
    i.credentialsFiles = [file(`${S}/credentials/telegram.json`, 0o644), file(`${S}/credentials/slack.json`, 0o600)];
    i.stateDbFiles = [file(`${S}/state.db`, 0o644)];
    i.logFiles = [file(`${S}/logs/gateway.log`, 0o640)];
    const fs = auditFs(i);
    expect(ids(fs).sort()).toEqual(
      [
        "fs.state_dir.perms_world_writable",
        "fs.config.perms_writable",
        "fs.credentials_dir.perms_writable",
        "fs.credentials_file.perms_readable",
        "fs.exec_approvals.perms_writable",
        "fs.state_db.perms_readable",
        "fs.logs_dir.perms_readable",
        "fs.log_file.perms_readable",
        "fs.tls_key.perms_readable",
      ].sort(),
    );
    expect(byId(fs, "fs.state_dir.perms_world_writable").severity).toBe("critical");
    expect(byId(fs, "fs.credentials_file.perms_readable").fixes).toEqual([{ kind: "chmod", path: `${S}/credentials/telegram.json`, mode: 0o600 }]);
    expect(byId(fs, "fs.config.perms_writable").fixes).toEqual([{ kind: "chmod", path: i.paths.config, mode: 0o600 }]);
    expect(fs.every((f) => f.fixable)).toBe(true);
  });

  it("one loose path is one finding: the worst of its problems (a 777 dir is world-writable, not three findings)", () => {
    const worst = (mode: number) => {
      const i = input(CLEAN);
      i.stat[S] = { ...file(S, mode), type: "dir" };
      return ids(auditFs(i)).filter((x) => x.startsWith("fs.state_dir."));
    };
    expect(worst(0o777)).toEqual(["fs.state_dir.perms_world_writable"]);
    expect(worst(0o770)).toEqual(["fs.state_dir.perms_group_writable"]);
    expect(worst(0o755)).toEqual(["fs.state_dir.perms_readable"]);
    expect(worst(0o700)).toEqual([]);
  });

  it("group-readable config is a warning, symlinks are reported and fixed at their target", () => {
    const i = input(CLEAN);
    i.stat[i.paths.config] = file(i.paths.config, 0o640, { isSymlink: true, realpath: "/data/sc.json" });
    const fs = auditFs(i);
    expect(ids(fs)).toEqual(["fs.config.symlink", "fs.config.perms_group_readable"]);
    expect(byId(fs, "fs.config.perms_group_readable").fixes).toEqual([{ kind: "chmod", path: "/data/sc.json", mode: 0o600 }]);
    expect(byId(fs, "fs.config.symlink").fixable).toBe(false);
  });

  it("state or workspace in a synced folder", () => {
    expect(syncedFolder("/Users/u/Library/Mobile Documents/com~apple~CloudDocs/x")).toBe("iCloud Drive");
    expect(syncedFolder("/home/u/Dropbox/sc")).toBe("Dropbox");
    expect(syncedFolder("/home/u/dropboxes")).toBeUndefined();
    const fs = auditFs(input(CLEAN, { workspaces: [{ agentId: "main", path: "/home/u/OneDrive - Acme/ws" }] }));
    expect(byId(fs, "fs.synced_dir").detail).toContain("OneDrive");
  });

  it("workspace: anything the prompt loads that another user can change is one finding per workspace, worst first", () => {
    const W = `${S}/workspace`;
    const dir = (path: string, mode: number, extra: Partial<PathInfo> = {}) => ({ ...file(path, mode, extra), type: "dir" as const });
    const clean = [dir(W, 0o700, { uid: 1000 }), file(`${W}/AGENTS.md`, 0o644, { uid: 1000 }), dir(`${W}/memory`, 0o755, { uid: 1000 })];
    const run = (entries: PathInfo[]) => auditFs(input(CLEAN, { workspaceFiles: [{ path: W, agentIds: ["main", "work"], entries }] })).filter((f) => f.checkId === "fs.workspace.perms_writable");
    // Control: owner-only writable (readable by others is not this finding).
    expect(run(clean)).toEqual([]);
    // Group-writable only → warn, fixed with go-w keeping the rest of the mode.
    const g = run([...clean, file(`${W}/SOUL.md`, 0o664, { uid: 1000 })]);
    expect(g).toHaveLength(1);
    expect(g[0]!.severity).toBe("warn");
    expect(g[0]!.detail).toContain(`${W}/SOUL.md`);
    expect(g[0]!.detail).toContain("main, work");
    expect(g[0]!.fixes).toEqual([{ kind: "chmod", path: `${W}/SOUL.md`, mode: 0o644 }]);
    // World-writable memory dir (sticky or not) and a memory note → critical, one finding listing both.
    const w = run([...clean.slice(0, 2), dir(`${W}/memory`, 0o1777, { uid: 1000 }), file(`${W}/memory/2026-01-01.md`, 0o666, { uid: 1000 })]);
    expect(w).toHaveLength(1);
    expect(w[0]!.severity).toBe("critical");
    expect(w[0]!.fixes).toEqual([
      { kind: "chmod", path: `${W}/memory`, mode: 0o755 },
      { kind: "chmod", path: `${W}/memory/2026-01-01.md`, mode: 0o644 },
    ]);
    // Owned by another (non-root) user: critical, and not fixable by chmod.
    const o = run([...clean, file(`${W}/MEMORY.md`, 0o644, { uid: 1001 })]);
    expect(o[0]!.severity).toBe("critical");
    expect(o[0]!.detail).toContain("owned by uid 1001");
    expect(o[0]!.fixable).toBe(false);
    expect(run([...clean, file(`${W}/MEMORY.md`, 0o644, { uid: 0 })])).toEqual([]);
    // A symlinked prompt file is judged (and fixed) at its target.
    const l = run([...clean, file(`${W}/USER.md`, 0o666, { uid: 1000, isSymlink: true, realpath: "/data/user.md" })]);
    expect(l[0]!.fixes).toEqual([{ kind: "chmod", path: "/data/user.md", mode: 0o644 }]);
  });

  it("workspace: a directory above it that others can write (no sticky bit) or that another user owns is reported, never fixed", () => {
    const W = "/srv/shared/ws";
    const dir = (path: string, mode: number, uid = 0) => ({ ...file(path, mode, { uid }), type: "dir" as const });
    const entries = [dir(W, 0o700, 1000)];
    const run = (ancestors: PathInfo[]) => auditFs(input(CLEAN, { workspaceFiles: [{ path: W, agentIds: ["main"], entries, ancestors }] })).filter((f) => f.checkId === "fs.workspace.perms_writable");
    // Controls: root-owned 755 parents, /tmp-like 1777 (sticky: nobody may rename our entries), our own home.
    expect(run([dir("/srv/shared", 0o755), dir("/srv", 0o755), dir("/", 0o755)])).toEqual([]);
    expect(run([dir("/tmp", 0o1777), dir("/", 0o755)])).toEqual([]);
    expect(run([dir("/home/u", 0o755, 1000), dir("/home", 0o755)])).toEqual([]);
    const w = run([dir("/srv/shared", 0o777), dir("/srv", 0o755)]);
    expect(w[0]!.severity).toBe("critical");
    expect(w[0]!.detail).toContain("/srv/shared (a parent directory, mode 777");
    expect(w[0]!.fixable).toBe(false);
    expect(run([dir("/srv/shared", 0o775)])[0]!.severity).toBe("warn");
    expect(run([dir("/srv/shared", 0o755, 1001)])[0]!.detail).toContain("owned by uid 1001");
  });

  it("windows skips permission bits", () => {
    const i = input(CLEAN, { platform: "win32" });
    i.stat[S] = { ...file(S, 0o777), type: "dir" };
    expect(auditFs(i)).toEqual([]);
  });
});

describe("gateway family", () => {
  it("non-loopback without auth, TLS off, origins wildcard (critical when remote)", () => {
    const fs = auditGateway(input({ gateway: { bind: "lan", auth: { mode: "none" }, controlUi: { allowedOrigins: ["*"] } } }));
    expect(ids(fs)).toEqual(["gateway.bind_no_auth", "gateway.tls_off_remote", "gateway.control_ui.allowed_origins_wildcard"]);
    expect(byId(fs, "gateway.control_ui.allowed_origins_wildcard").severity).toBe("critical");
  });

  it("loopback without auth", () => {
    expect(ids(auditGateway(input({ gateway: { auth: { mode: "none" } } })))).toEqual(["gateway.loopback_no_auth"]);
  });

  it("short token, env token beats config", () => {
    expect(ids(auditGateway(input({ gateway: { auth: { token: "short" } } })))).toEqual(["gateway.token_too_short"]);
    expect(auditGateway(input({ gateway: { auth: { token: "short" } } }, { env: { SIMPLECLAW_GATEWAY_TOKEN: TOKEN } }))).toEqual([]);
  });

  it("weak password, weak rate limit, funnel/serve, wildcard origin on loopback is a warning", () => {
    const fs = auditGateway(
      input({ gateway: { auth: { mode: "password", password: "short", rateLimit: { maxAttempts: 1000 } }, tailscale: { mode: "funnel" }, controlUi: { allowedOrigins: ["*"] } } }),
    );
    expect(ids(fs)).toEqual(["gateway.password_weak", "gateway.auth_no_rate_limit", "gateway.tailscale_funnel", "gateway.control_ui.allowed_origins_wildcard"]);
    expect(byId(fs, "gateway.tailscale_funnel").severity).toBe("critical");
    expect(ids(auditGateway(input({ gateway: { auth: { token: TOKEN }, tailscale: { mode: "serve" } } })))).toEqual(["gateway.tailscale_serve"]);
    expect(byId(auditGateway(input({ gateway: { auth: { token: TOKEN }, controlUi: { allowedOrigins: ["*"] } } })), "gateway.control_ui.allowed_origins_wildcard").severity).toBe("warn");
  });
});

describe("gateway family: a proxy in front without gateway.trustedProxies", () => {
  const ID = "gateway.trusted_proxies_missing";
  const seen = (peers: string[]) => ({ gatewayRuntime: { pid: 42, host: "0.0.0.0", port: 18789, ignoredForwarding: { peers, headers: ["x-forwarded-for"], since: 0 } } });
  const lan = { gateway: { bind: "lan", tls: { enabled: true, autoGenerate: true }, auth: { token: TOKEN } } };
  const run = (raw: Record<string, unknown>, over: Partial<AuditInput> = {}) => auditGateway(input(raw, over)).filter((f) => f.checkId === ID);

  it("the running gateway saw forwarded headers from an untrusted peer (non-loopback bind) → warn, naming the peer", () => {
    const f = run(lan, seen(["10.0.0.5"]));
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe("warn");
    expect(f[0]!.detail).toContain("10.0.0.5");
    expect(f[0]!.detail).toContain("x-forwarded-for");
  });

  it("a local reverse proxy on a loopback bind: warn; critical when loopback is exempt from the lockout", () => {
    expect(run(CLEAN, seen(["127.0.0.1"]))[0]!.severity).toBe("warn");
    const ex = run({ gateway: { auth: { token: TOKEN, rateLimit: { exemptLoopback: true } } } }, seen(["127.0.0.1"]));
    expect(ex[0]!.severity).toBe("critical");
    expect(ex[0]!.detail).toContain("exempt");
  });

  it("control: the peer is in gateway.trustedProxies (now), or nothing was seen → no finding", () => {
    expect(run({ ...lan, gateway: { ...lan.gateway, trustedProxies: ["10.0.0.0/8"] } }, seen(["10.0.0.5"]))).toEqual([]);
    expect(run(lan)).toEqual([]);
    expect(run(CLEAN, { gatewayRuntime: { pid: 42, host: "127.0.0.1", port: 18789 } })).toEqual([]);
  });

  it("from the config alone: an https origin allowed while the gateway serves plain HTTP means a TLS proxy in front", () => {
    const cfg = (origins: string[], extra: Record<string, unknown> = {}) => ({ gateway: { auth: { token: TOKEN }, controlUi: { allowedOrigins: origins }, ...extra } });
    expect(run(cfg(["https://claw.example.com"]))[0]!.severity).toBe("warn");
    // controls: loopback https origin, gateway's own TLS, trusted proxies set, Tailscale serve terminating TLS
    expect(run(cfg(["https://localhost:8443", "http://claw.example.com"]))).toEqual([]);
    expect(run(cfg(["https://claw.example.com"], { tls: { enabled: true, autoGenerate: true } }))).toEqual([]);
    expect(run(cfg(["https://claw.example.com"], { trustedProxies: ["127.0.0.1"] }))).toEqual([]);
    expect(run(cfg(["https://claw.example.ts.net"], { tailscale: { mode: "serve" } }))).toEqual([]);
  });
});

describe("browser family", () => {
  it("remote CDP without auth on a LAN host over ws://", () => {
    const fs = auditBrowser(input({ browser: { cdpUrl: "ws://192.168.1.20:9222/devtools/browser/x" } }));
    expect(ids(fs).sort()).toEqual(["browser.cdp_non_loopback", "browser.control_no_auth", "browser.remote_cdp_http"]);
  });
  it("loopback CDP without credentials is still uncontrolled: any local process can drive it", () => {
    expect(ids(auditBrowser(input({ browser: { cdpUrl: "http://127.0.0.1:9222" } })))).toEqual(["browser.control_no_auth"]);
  });
  it("authenticated loopback and authenticated wss endpoints are fine; no cdpUrl (pipe) is fine", () => {
    expect(auditBrowser(input({ browser: { cdpUrl: "ws://user:pw@127.0.0.1:9222/devtools/browser/x" } }))).toEqual([]);
    expect(auditBrowser(input({ browser: { cdpUrl: "wss://browser.example.com/?token=abc" } }))).toEqual([]);
    expect(auditBrowser(input({}))).toEqual([]);
  });
});

describe("tools family", () => {
  it("elevated wildcard and long lists", () => {
    const many = Array.from({ length: 30 }, (_, i) => String(i));
    const fs = auditTools(input({ tools: { elevated: { enabled: true, allowFrom: { telegram: ["*"], slack: many } } } }));
    expect(ids(fs)).toEqual(["tools.elevated.allowFrom.telegram.wildcard", "tools.elevated.allowFrom.slack.large"]);
    expect(byId(fs, "tools.elevated.allowFrom.telegram.wildcard").severity).toBe("critical");
  });

  it("security full: warn alone, critical with an open channel and the sandbox off", () => {
    expect(byId(auditTools(input({ tools: { exec: { security: "full" } } })), "tools.exec.security_full_configured").severity).toBe("warn");
    const open = {
      tools: { exec: { security: "full", ask: "off" } },
      agents: { defaults: { sandbox: { mode: "off" } } },
      channels: { telegram: { enabled: true, dmPolicy: "open", allowFrom: ["*"] } },
    };
    const fs = auditTools(input(open));
    expect(byId(fs, "tools.exec.security_full_configured").severity).toBe("critical");
    expect(ids(fs)).toContain("tools.exec.ask_off_with_open_access");
  });

  it("exec-approvals.json can make the effective policy stricter, never looser", () => {
    const i = input({ tools: { exec: { security: "full" } } }, { execApprovals: { defaults: { security: "allowlist" }, agents: {} } });
    expect(auditTools(i)).toEqual([]);
  });

  it("allowlist entries: shells/interpreters with open arguments are critical, unidentifiable patterns warn", () => {
    const allowlist = [
      { id: "a", pattern: "/usr/bin/python3", args: ["*"] },
      { id: "b", pattern: "/usr/bin/*" },
      { id: "c", pattern: "/usr/bin/ls", args: ["*"] },
      { id: "d", pattern: "/usr/bin/sed" },
      { id: "e", pattern: "/usr/bin/python3", args: ["/srv/tool.py"] },
    ];
    const fs = auditTools(input({}, { execApprovals: { defaults: {}, agents: { main: { allowlist } } } }));
    expect(fs.map((f) => [f.checkId, f.severity])).toEqual([
      ["tools.exec.allowlist_interpreter_any_args", "critical"],
      ["tools.exec.allowlist_unprofiled", "warn"],
    ]);
  });

  it("fs and apply_patch outside the workspace", () => {
    expect(ids(auditTools(input({ tools: { fs: { workspaceOnly: false }, exec: { applyPatch: { workspaceOnly: false } } } })))).toEqual([
      "tools.fs.workspace_only_off",
      "tools.exec.apply_patch_workspace_only_off",
    ]);
  });
});

describe("channels family", () => {
  const openAll = { channels: { telegram: { enabled: true, dmPolicy: "open", allowFrom: ["*"], groupPolicy: "open", groups: { "-100": { requireMention: false } } } } };

  it("open DM and open groups, sandboxed: dm critical, group warn, no host exposure", () => {
    const fs = auditChannels(input({ ...openAll, session: { dmScope: "per-sender" } }));
    expect(ids(fs)).toEqual(["channels.telegram.dm_policy_open", "channels.telegram.group_policy_open", "channels.telegram.group_mention_off", "security.trust_model.multi_user_heuristic"]);
    expect(byId(fs, "channels.telegram.group_policy_open").severity).toBe("warn");
    expect(byId(fs, "channels.telegram.group_policy_open").fixes).toEqual([{ kind: "config-set", path: ["channels", "telegram", "groupPolicy"], value: "allowlist" }]);
  });

  it("with the sandbox off, open groups are critical and strangers reach host exec", () => {
    const fs = auditChannels(input({ ...openAll, agents: { defaults: { sandbox: { mode: "off" } } } }));
    expect(byId(fs, "channels.telegram.group_policy_open").severity).toBe("critical");
    expect(byId(fs, "security.exposure.open_access_with_runtime").severity).toBe("critical");
  });

  it("dmScope main with open DMs lands strangers in the unsandboxed main session", () => {
    const fs = auditChannels(input({ session: { dmScope: "main" }, channels: { slack: { enabled: true, dmPolicy: "open", allowFrom: ["*"] } } }));
    expect(ids(fs)).toContain("security.exposure.open_access_with_runtime");
    expect(byId(fs, "session.dm_scope_shared").severity).toBe("critical");
  });

  it("per-sender (default) with open DMs: strangers get their own sandboxed sessions (control)", () => {
    const fs = auditChannels(input({ channels: { slack: { enabled: true, dmPolicy: "open", allowFrom: ["*"] } } }));
    expect(ids(fs)).not.toContain("security.exposure.open_access_with_runtime");
    expect(ids(fs)).not.toContain("session.dm_scope_shared");
  });

  it("several approved senders sharing dmScope main → a shared-session finding, fixable to per-sender", () => {
    const fs = auditChannels(input({ session: { dmScope: "main" }, channels: { telegram: { enabled: true } } }, { approvedSenders: { telegram: { ids: ["1", "2"], owners: ["1"] } } }));
    expect(ids(fs)).toEqual(["session.dm_scope_shared", "security.trust_model.multi_user_heuristic"]);
    expect(byId(fs, "security.trust_model.multi_user_heuristic").detail).toContain("share one conversation");
    expect(byId(fs, "session.dm_scope_shared").severity).toBe("critical");
    expect(byId(fs, "session.dm_scope_shared").fixes).toEqual([{ kind: "config-set", path: ["session", "dmScope"], value: "per-sender" }]);
    // control: the default per-sender scope shares nothing
    const perSender = auditChannels(input({ channels: { telegram: { enabled: true } } }, { approvedSenders: { telegram: { ids: ["1", "2"], owners: ["1"] } } }));
    expect(ids(perSender)).toEqual(["security.trust_model.multi_user_heuristic"]);
  });

  it("approved senders do not count under dmPolicy allowlist (it admits exactly allowFrom)", () => {
    const fs = auditChannels(input({ session: { dmScope: "main" }, channels: { telegram: { enabled: true, dmPolicy: "allowlist", allowFrom: ["1"] } } }, { approvedSenders: { telegram: { ids: ["1", "2", "3"], owners: ["1"] } } }));
    expect(ids(fs)).toEqual([]);
  });

  it('a "*" group under groupPolicy allowlist is open: critical with the sandbox off, and --fix disables the wildcard', () => {
    const wild = { agents: { defaults: { sandbox: { mode: "off" } } }, channels: { telegram: { enabled: true, groupPolicy: "allowlist", groups: { "*": { requireMention: true }, "-1001": {} } } } };
    const fs = auditChannels(input(wild));
    const f = byId(fs, "channels.telegram.group_policy_open");
    expect(f.severity).toBe("critical");
    expect(f.fixes).toEqual([{ kind: "config-set", path: ["channels", "telegram", "groups", "*", "allow"], value: false }]);
    expect(ids(fs)).toContain("security.exposure.open_access_with_runtime");
    // groupPolicy open plus a wildcard: both are fixed, or the wildcard would stay open.
    const both = byId(auditChannels(input({ ...wild, channels: { telegram: { ...wild.channels.telegram, groupPolicy: "open" } } })), "channels.telegram.group_policy_open");
    expect(both.fixes).toHaveLength(2);
    // control: listed groups only, or a wildcard narrowed by allowFrom, admit no stranger
    expect(ids(auditChannels(input({ ...wild, channels: { telegram: { enabled: true, groups: { "-1001": {} } } } })))).not.toContain("channels.telegram.group_policy_open");
    expect(ids(auditChannels(input({ ...wild, channels: { telegram: { enabled: true, groups: { "*": { allowFrom: ["42"] } } } } })))).not.toContain("channels.telegram.group_policy_open");
  });

  it("disabled channels are not audited", () => {
    expect(auditChannels(input({ channels: { telegram: { enabled: false, groupPolicy: "open" } } }))).toEqual([]);
  });
});

describe("sandbox family", () => {
  it("off with open access", () => {
    const fs = auditSandbox(input({ agents: { defaults: { sandbox: { mode: "off" } } }, channels: { discord: { enabled: true, groupPolicy: "open" } } }));
    expect(ids(fs)).toEqual(["sandbox.off_with_open_access"]);
  });

  it("unavailable backend, network on, docker backend with mode off", () => {
    const fs = auditSandbox(
      input(
        { agents: { defaults: { sandbox: { network: true } }, list: [{ id: "main", default: true }, { id: "ops", sandbox: { mode: "off", backend: "docker" } }] } },
        { sandboxBackends: { auto: { name: "none", reason: "bwrap unavailable: not found" } } },
      ),
    );
    expect(ids(fs)).toEqual(["sandbox.unavailable", "sandbox.docker_config_mode_off", "sandbox.network_enabled"]);
    expect(byId(fs, "sandbox.unavailable").evidence).toContain("bwrap unavailable");
  });

  it("dangerous bind mounts from the raw config and a workspace that is the home dir", () => {
    const raw = { agents: { defaults: { sandbox: { docker: { binds: ["/var/run/docker.sock:/var/run/docker.sock", "/home/u/project:/work"] } } } } };
    const i = input({}, { raw, workspaces: [{ agentId: "main", path: "/home/u" }], configError: { kind: "invalid", problems: ["agents.defaults.sandbox.docker: unknown key"] } });
    const f = byId(auditSandbox(i), "sandbox.dangerous_bind_mount");
    expect(f.detail).toContain("container engine socket");
    expect(f.detail).toContain("the home directory");
    expect(f.detail).not.toContain("/home/u/project");
    expect(dangerousMount("~/.ssh", { home: "/home/u", stateDir: S })).toMatch(/\.ssh/);
    expect(dangerousMount("/home/u", { home: "/home/u", stateDir: S })).toBe("the home directory");
    expect(dangerousMount("/home/u/code", { home: "/home/u", stateDir: S })).toBeUndefined();
    // Inside the state dir only the agent workspaces are the agent's (credentials/ was not flagged).
    expect(dangerousMount(`${S}/credentials`, { home: "/home/u", stateDir: S })).toMatch(/part of the SimpleClaw state dir/);
    expect(dangerousMount(`${S}/workspace`, { home: "/home/u", stateDir: S })).toBeUndefined();
    expect(dangerousMount(`${S}/workspace-pip/sub`, { home: "/home/u", stateDir: S })).toBeUndefined();
  });
});

describe("plugins family", () => {
  const plugin = (id: string, over: Partial<PluginInfo> = {}): PluginInfo => ({
    id,
    dir: { ...file(`${S}/plugins/${id}`, 0o700), type: "dir" },
    manifest: "package.json",
    entry: "index.js",
    entryResolved: `${S}/plugins/${id}/index.js`,
    entryInside: true,
    unpinned: [],
    hasLockfile: true,
    ...over,
  });

  it("no allowlist, phantom entries, unpinned deps, escaping entry", () => {
    const i = input({ plugins: { entries: { ghost: {} } } }, { plugins: [plugin("a", { unpinned: ["left-pad@^1.0.0"], hasLockfile: false }), plugin("b", { entryInside: false, entryResolved: "/tmp/evil.js" })] });
    const fs = auditPlugins(i);
    expect(ids(fs)).toEqual(["plugins.extensions_no_allowlist", "plugins.allow_phantom_entries", "plugins.installs_unpinned", "plugins.entry_escape"]);
    expect(byId(fs, "plugins.entry_escape").severity).toBe("critical");
    expect(byId(fs, "plugins.allow_phantom_entries").detail).toContain('"ghost"');
  });

  it("an allowlist naming the installed plugins is clean", () => {
    expect(auditPlugins(input({ plugins: { allow: ["a"] } }, { plugins: [plugin("a", { source: "installed", pinnedInstall: true })] }))).toEqual([]);
  });

  it("an installed plugin with no installs.json record is unpinned; a load.paths plugin is not held to it", () => {
    const fs = auditPlugins(input({ plugins: { allow: ["a", "b"] } }, { plugins: [plugin("a", { source: "installed", pinnedInstall: false }), plugin("b", { source: "load.paths" })] }));
    expect(ids(fs)).toEqual(["plugins.installs_unpinned"]);
    expect(fs[0]!.detail).toBe("a: no version + integrity record in plugins/installs.json.");
  });
});

describe("runtime family", () => {
  it("flags Node older than 22.12.0", () => {
    expect(ids(auditRuntime(input(CLEAN, { nodeVersion: "22.11.0" })))).toEqual(["runtime.node_version_unsupported"]);
    expect(auditRuntime(input(CLEAN, { nodeVersion: "22.12.0" }))).toEqual([]);
  });
});
