// Running the gateway as a per-user service: the systemd user unit (Linux) and the
// launchd agent plist (macOS), as pure text generators, plus where each file lives.
// Only non-secret settings go in: the token and API keys stay in the state dir.
import { join } from "node:path";

export const SYSTEMD_UNIT = "simpleclaw-gateway.service";
export const LAUNCHD_LABEL = "ai.simpleclaw.gateway";

export interface ServiceSpec {
  /** Absolute path of the Node.js binary (>= 22.12.0) that runs the gateway. */
  node: string;
  /** Absolute path of bin/simpleclaw.mjs. */
  bin: string;
  /** Non-secret environment to pass (SIMPLECLAW_STATE_DIR, SIMPLECLAW_CONFIG_PATH). */
  env: Record<string, string>;
  /** Where launchd writes stdout/stderr (macOS only). */
  logDir?: string;
}

/** Environment variables a unit may carry: paths only, never a secret. */
export const SERVICE_ENV_KEYS = ["SIMPLECLAW_STATE_DIR", "SIMPLECLAW_CONFIG_PATH"] as const;

export function serviceEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of SERVICE_ENV_KEYS) if (env[k]) out[k] = env[k]!;
  return out;
}

export function systemdUnitPath(env: Record<string, string | undefined>, home: string): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith("/") ? env.XDG_CONFIG_HOME : join(home, ".config");
  return join(base, "systemd", "user", SYSTEMD_UNIT);
}

export function launchdPlistPath(home: string): string {
  return join(home, "Library", "LaunchAgents", `${LAUNCHD_LABEL}.plist`);
}

/** systemd quoting: double quotes around words with spaces or specials; `%` doubled (specifier escape). */
export function systemdQuote(word: string): string {
  const escaped = word.replace(/%/g, "%%");
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

export function systemdUnit(spec: ServiceSpec): string {
  const lines = [
    "# Written by `simpleclaw gateway install`; regenerate it with the same command.",
    "[Unit]",
    "Description=SimpleClaw gateway (personal AI assistant)",
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${[spec.node, spec.bin, "gateway"].map(systemdQuote).join(" ")}`,
    ...Object.entries(spec.env).map(([k, v]) => `Environment=${systemdQuote(`${k}=${v}`)}`),
    "Restart=on-failure",
    "RestartSec=5",
    "# 78 = invalid or too-new config: restarting cannot help, so do not loop.",
    "RestartPreventExitStatus=78",
    "",
    "[Install]",
    "WantedBy=default.target",
    "",
  ];
  return lines.join("\n");
}

function xml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function launchdPlist(spec: ServiceSpec): string {
  const envEntries = Object.entries(spec.env);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    "<dict>",
    "  <key>Label</key>",
    `  <string>${LAUNCHD_LABEL}</string>`,
    "  <key>ProgramArguments</key>",
    "  <array>",
    ...[spec.node, spec.bin, "gateway"].map((a) => `    <string>${xml(a)}</string>`),
    "  </array>",
    ...(envEntries.length
      ? ["  <key>EnvironmentVariables</key>", "  <dict>", ...envEntries.flatMap(([k, v]) => [`    <key>${xml(k)}</key>`, `    <string>${xml(v)}</string>`]), "  </dict>"]
      : []),
    "  <key>RunAtLoad</key>",
    "  <true/>",
    "  <!-- restart after a crash, not after a clean stop (SIGTERM exits 0) -->",
    "  <key>KeepAlive</key>",
    "  <dict>",
    "    <key>SuccessfulExit</key>",
    "    <false/>",
    "  </dict>",
    "  <!-- launchd has no RestartPreventExitStatus: wait a minute between restarts so a bad config (exit 78) cannot spin -->",
    "  <key>ThrottleInterval</key>",
    "  <integer>60</integer>",
    ...(spec.logDir
      ? [
          "  <key>StandardOutPath</key>",
          `  <string>${xml(join(spec.logDir, "launchd.out.log"))}</string>`,
          "  <key>StandardErrorPath</key>",
          `  <string>${xml(join(spec.logDir, "launchd.err.log"))}</string>`,
        ]
      : []),
    "</dict>",
    "</plist>",
    "",
  ];
  return lines.join("\n");
}

export type ServiceAction = "install" | "uninstall" | "start" | "stop" | "restart";

/** One service-manager call (argv without the program); `mayFail`: an error is expected when nothing is loaded. */
export interface ServiceCall {
  args: string[];
  mayFail?: boolean;
}

/**
 * The systemctl calls for an action, in order. `install` runs after the unit file is
 * written; `uninstall`'s `before` runs before the file is removed, `after` once it is gone.
 */
export function systemctlCalls(action: ServiceAction): { before: ServiceCall[]; after: ServiceCall[] } {
  const u = ["--user"];
  switch (action) {
    case "install":
      return { before: [], after: [{ args: [...u, "daemon-reload"] }, { args: [...u, "enable", SYSTEMD_UNIT] }, { args: [...u, "restart", SYSTEMD_UNIT] }] };
    case "uninstall":
      return { before: [{ args: [...u, "disable", "--now", SYSTEMD_UNIT], mayFail: true }], after: [{ args: [...u, "daemon-reload"] }] };
    default:
      return { before: [], after: [{ args: [...u, action, SYSTEMD_UNIT] }] };
  }
}

/** The launchctl calls for an action (same `before`/`after` split around writing or removing the plist). */
export function launchctlCalls(action: ServiceAction, uid: number, plist: string): { before: ServiceCall[]; after: ServiceCall[] } {
  const domain = `gui/${uid}`;
  const target = `${domain}/${LAUNCHD_LABEL}`;
  switch (action) {
    case "install":
      // An older copy may be loaded: unload it (an error just means it was not), then load the new plist.
      return { before: [{ args: ["bootout", target], mayFail: true }], after: [{ args: ["bootstrap", domain, plist] }] };
    case "uninstall":
      return { before: [{ args: ["bootout", target], mayFail: true }], after: [] };
    case "start":
      return { before: [], after: [{ args: ["kickstart", target] }] };
    case "stop":
      return { before: [], after: [{ args: ["kill", "SIGTERM", target] }] };
    case "restart":
      return { before: [], after: [{ args: ["kickstart", "-k", target] }] };
  }
}
