import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { auditChecksMarkdown, catalogEntry, registry } from "./registry.js";

// Every check id docs/security/audit-checks.md names (the catalog may add more, never drop these).
const SPEC_IDS = [
  "fs.state_dir.perms_world_writable", "fs.state_dir.perms_group_writable", "fs.state_dir.perms_readable", "fs.state_dir.symlink",
  "fs.config.perms_writable", "fs.config.perms_world_readable", "fs.config.perms_group_readable", "fs.config.symlink",
  "fs.credentials_dir.perms_writable", "fs.credentials_dir.perms_readable", "fs.credentials_file.perms_readable",
  "fs.exec_approvals.perms_writable", "fs.state_db.perms_readable", "fs.log_file.perms_readable", "fs.synced_dir",
  "gateway.bind_no_auth", "gateway.loopback_no_auth", "gateway.token_too_short", "gateway.password_weak", "gateway.auth_no_rate_limit",
  "gateway.tls_off_remote", "gateway.tailscale_funnel", "gateway.tailscale_serve", "gateway.control_ui.allowed_origins_wildcard",
  "config.secrets.gateway_password_in_config", "config.secrets.channel_token_in_config", "config.insecure_or_dangerous_flags", "logging.redact_off",
  "browser.control_no_auth", "browser.cdp_non_loopback", "browser.remote_cdp_http",
  "tools.elevated.allowFrom.<channel>.wildcard", "tools.elevated.allowFrom.<channel>.large", "tools.exec.security_full_configured",
  "tools.exec.ask_off_with_open_access", "tools.fs.workspace_only_off", "tools.exec.apply_patch_workspace_only_off",
  "channels.<ch>.dm_policy_open", "channels.<ch>.group_policy_open", "channels.<ch>.group_mention_off",
  "security.trust_model.multi_user_heuristic", "security.exposure.open_access_with_runtime",
  "sandbox.off_with_open_access", "sandbox.unavailable", "sandbox.docker_config_mode_off", "sandbox.network_enabled", "sandbox.dangerous_bind_mount",
  "plugins.extensions_no_allowlist", "plugins.allow_phantom_entries", "plugins.installs_unpinned", "plugins.entry_escape",
  "runtime.node_version_unsupported", "summary.attack_surface", "config.invalid",
  "gateway.probe_unauth_accepted", "gateway.probe_wrong_secret_accepted", "gateway.probe_listen_mismatch", "sandbox.probe_escape", "tools.fs.probe_escape",
  "gateway.probe_no_lockout", "gateway.probe_failed",
];

// Severity and fixable as docs/security/audit-checks.md lists them, for the ones it pins down.
const SPEC_SEVERITY: Record<string, string> = {
  "fs.state_dir.perms_world_writable": "critical", "fs.config.perms_world_readable": "critical", "fs.credentials_file.perms_readable": "critical",
  "gateway.bind_no_auth": "critical", "gateway.tailscale_funnel": "critical", "gateway.tailscale_serve": "info", "gateway.control_ui.allowed_origins_wildcard": "warn / critical",
  "channels.<ch>.dm_policy_open": "critical", "channels.<ch>.group_policy_open": "warn / critical", "sandbox.dangerous_bind_mount": "critical",
  "plugins.entry_escape": "critical", "runtime.node_version_unsupported": "critical", "gateway.probe_no_lockout": "warn", "summary.attack_surface": "info",
};

describe("audit check registry", () => {
  it("covers every check id in docs/security/audit-checks.md, each once", () => {
    const ids = registry.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of SPEC_IDS) expect(ids, id).toContain(id);
  });

  it("severities and fixability match the documented table", () => {
    for (const [id, sev] of Object.entries(SPEC_SEVERITY)) {
      const e = registry.find((x) => x.id === id)!;
      expect([...e.severity].sort().join(" / "), id).toBe(sev.split(" / ").sort().join(" / "));
    }
    const fixable = registry.filter((e) => e.fixable).map((e) => e.id);
    expect(fixable).toContain("channels.<ch>.group_policy_open");
    expect(fixable).toContain("logging.redact_off");
    expect(fixable).not.toContain("gateway.bind_no_auth");
    expect(fixable).toContain("session.dm_scope_shared");
    expect(fixable.every((id) => id.startsWith("fs.") || id === "logging.redact_off" || id === "channels.<ch>.group_policy_open" || id === "session.dm_scope_shared")).toBe(true);
  });

  it("maps concrete ids to their catalog entry", () => {
    expect(catalogEntry("channels.telegram.dm_policy_open")?.id).toBe("channels.<ch>.dm_policy_open");
    expect(catalogEntry("tools.elevated.allowFrom.slack.large")?.id).toBe("tools.elevated.allowFrom.<channel>.large");
    expect(catalogEntry("nope.nothing")).toBeUndefined();
  });

  it("docs/security/audit-checks.md matches the registry (regenerate with `npm run docs`)", () => {
    const committed = readFileSync(new URL("../../docs/security/audit-checks.md", import.meta.url), "utf8");
    expect(committed).toBe(auditChecksMarkdown());
    for (const e of registry) expect(committed).toContain(`| \`${e.id}\` |`);
  });
});
