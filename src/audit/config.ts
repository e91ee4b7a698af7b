// Audit family "config": the config file itself (does it validate?), secrets written
// into it instead of credentials/ or the environment, dangerous switches, log redaction.
import { rawAt } from "./exposure.js";
import { BUILTIN_CHANNELS } from "../config/channels.js";
import { finding, type AuditInput, type CheckDef, type CheckFamily, type Finding } from "./types.js";

const c = {
  invalid: {
    id: "config.invalid",
    severity: ["critical"],
    fixable: false,
    title: "Config file is invalid",
    meaning: "simpleclaw.json cannot be read, is not valid JSON5, or does not match the schema. The gateway refuses to start (exit 78); the audit continues with defaults in place of the broken keys.",
    remedy: "Fix each listed key (`simpleclaw config validate` shows the same list), or restore a backup.",
  },
  passwordInConfig: {
    id: "config.secrets.gateway_password_in_config",
    severity: ["warn"],
    fixable: false,
    title: "Gateway password stored in the config file",
    meaning: "gateway.auth.password is written in simpleclaw.json, where it ends up in backups, dotfile repos and screen shares of the config.",
    remedy: "Move it to SIMPLECLAW_GATEWAY_PASSWORD (or switch to token auth) and `simpleclaw config unset gateway.auth.password`.",
  },
  channelToken: {
    id: "config.secrets.channel_token_in_config",
    severity: ["warn"],
    fixable: false,
    title: "Channel tokens stored in the config file",
    meaning: "A bot token or app secret is written in simpleclaw.json instead of credentials/<channel>.json (600) or the environment.",
    remedy: "Store it with `simpleclaw channels add <channel>` (writes credentials/<channel>.json) or an environment variable, then unset the config key.",
  },
  providerKey: {
    id: "config.secrets.provider_key_in_config",
    severity: ["warn"],
    fixable: false,
    title: "Model API key stored in the config file",
    meaning: "models.providers.<id>.apiKey is written in simpleclaw.json instead of credentials/providers.json or the environment.",
    remedy: "Move the key to credentials/providers.json (600) or the provider's environment variable, then unset the config key.",
  },
  flags: {
    id: "config.insecure_or_dangerous_flags",
    severity: ["warn"],
    fixable: false,
    title: "Dangerous settings are switched on",
    meaning: "One or more settings that widen what the agent or remote devices may do are on: the http tool reaching private networks, auto-approved loopback node pairing, approvals that run on timeout, shell access on nodes, elevated (host) exec.",
    remedy: "Turn each listed setting back to its default unless you need it (`simpleclaw config unset <key>`).",
  },
  redactOff: {
    id: "logging.redact_off",
    severity: ["warn"],
    fixable: true,
    title: "Secret redaction in logs is off",
    meaning: "logging.redactSensitive is false: tokens, API keys and Authorization headers can be written to logs/ in clear text.",
    remedy: "`simpleclaw config set logging.redactSensitive true` (or `simpleclaw security audit --fix`).",
  },
} satisfies Record<string, CheckDef>;

export const configChecks: readonly CheckDef[] = Object.values(c);

export function dangerousFlags(input: AuditInput): string[] {
  const cfg = input.config;
  const flags: string[] = [];
  if (cfg.tools.http.allowPrivateNetwork && cfg.tools.http.enabled) flags.push("tools.http.allowPrivateNetwork=true (the http tool can reach localhost and the LAN; cloud instance services stay refused)");
  if (cfg.gateway.nodes.autoApproveLoopback) flags.push("gateway.nodes.autoApproveLoopback=true (any local process can pair as a node)");
  if (cfg.tools.exec.askFallback === "allow") flags.push('tools.exec.askFallback="allow" (unanswered approvals run the command)');
  const nodeAllow = cfg.gateway.nodes.commands.allow.filter((x) => x === "*" || x === "system.run");
  if (nodeAllow.length) flags.push(`gateway.nodes.commands.allow contains ${nodeAllow.map((x) => JSON.stringify(x)).join(", ")} (shell commands on paired nodes)`);
  if (cfg.tools.elevated.enabled) flags.push("tools.elevated.enabled=true (sandboxed sessions may run commands on the host)");
  return flags;
}

export function auditConfig(input: AuditInput): Finding[] {
  const out: Finding[] = [];
  const { raw } = input;
  if (input.configError) {
    const e = input.configError;
    const what = e.kind === "unreadable" ? "cannot be read" : e.kind === "syntax" ? "is not valid JSON5" : `fails validation (${e.problems.length} problem${e.problems.length === 1 ? "" : "s"})`;
    out.push(
      finding(c.invalid, {
        detail: `${input.paths.config} ${what}. The gateway will not start with it; this audit used defaults where the config is broken.`,
        evidence: e.problems.join("; "),
      }),
    );
  }
  if (raw !== undefined) {
    if (typeof rawAt(raw, ["gateway", "auth", "password"]) === "string") {
      out.push(finding(c.passwordInConfig, { detail: `gateway.auth.password is set in ${input.paths.config}.`, evidence: "gateway.auth.password is set (value not shown)" }));
    }
    const keys: string[] = [];
    for (const ch of BUILTIN_CHANNELS) {
      for (const k of ["botToken", "appToken", "signingSecret"]) {
        if (typeof rawAt(raw, ["channels", ch, k]) === "string") keys.push(`channels.${ch}.${k}`);
      }
    }
    if (keys.length) {
      out.push(finding(c.channelToken, { detail: `${keys.join(", ")} ${keys.length === 1 ? "is" : "are"} set in ${input.paths.config}.`, evidence: `${keys.join(", ")} set (values not shown)` }));
    }
    const providers = rawAt(raw, ["models", "providers"]);
    const pkeys =
      providers && typeof providers === "object"
        ? Object.keys(providers).filter((id) => typeof rawAt(providers, [id, "apiKey"]) === "string").map((id) => `models.providers.${id}.apiKey`)
        : [];
    if (pkeys.length) {
      out.push(finding(c.providerKey, { detail: `${pkeys.join(", ")} ${pkeys.length === 1 ? "is" : "are"} set in ${input.paths.config}.`, evidence: `${pkeys.join(", ")} set (values not shown)` }));
    }
  }
  const flags = dangerousFlags(input);
  if (flags.length) {
    out.push(finding(c.flags, { detail: `${flags.length} dangerous setting${flags.length === 1 ? " is" : "s are"} on: ${flags.join("; ")}.`, evidence: flags.map((f) => f.replace(/ \(.*\)$/, "")).join(", ") }));
  }
  if (!input.config.logging.redactSensitive) {
    out.push(
      finding(c.redactOff, {
        detail: "logging.redactSensitive is false, so secrets that reach a log line are written as they are.",
        evidence: "logging.redactSensitive=false",
        fixes: [{ kind: "config-set", path: ["logging", "redactSensitive"], value: true }],
      }),
    );
  }
  return out;
}

export const configFamily: CheckFamily = { name: "config", checks: configChecks, run: auditConfig };
