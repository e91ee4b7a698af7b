// Shared types of the security audit (docs/security/audit-checks.md). Every check is a pure function
// from an AuditInput (config + stat results + env, gathered once by gather.ts) to
// findings; fixes are data applied by fix.ts. Nothing here does I/O.
import type { Config } from "../config/schema.js";
import type { Env } from "../config/paths.js";
import type { ScanFinding } from "../security/skill-scan.js";

export type Severity = "critical" | "warn" | "info";

export const SEVERITIES: readonly Severity[] = ["critical", "warn", "info"];

/** A safe, reversible change `--fix` may apply. */
export type FixAction =
  | { kind: "chmod"; path: string; mode: number }
  | { kind: "config-set"; path: string[]; value: unknown };

/** One catalog entry. `id` may contain a placeholder such as `<channel>`. */
export interface CheckDef {
  id: string;
  /** The severities this check can report (first = the usual one). */
  severity: readonly Severity[];
  fixable: boolean;
  title: string;
  /** Catalog: what the finding means. */
  meaning: string;
  /** Catalog and default `fix` text: how to fix it. */
  remedy: string;
  /** Only reported by `--deep` (live probes). */
  deep?: boolean;
}

export interface Finding {
  checkId: string;
  severity: Severity;
  title: string;
  detail: string;
  evidence: string;
  fix: string;
  fixable: boolean;
  /** What `--fix` would do (never printed in the JSON report). */
  fixes?: FixAction[];
}

/** lstat/stat of one path, as data. `mode` is the permission bits of the target (after symlinks). */
export interface PathInfo {
  path: string;
  exists: boolean;
  isSymlink: boolean;
  type?: "file" | "dir" | "other";
  mode?: number;
  uid?: number;
  /** realpath, when it resolves. */
  realpath?: string;
  /** Why it could not be inspected (EACCES…). */
  error?: string;
}

export interface PluginInfo {
  id: string;
  dir: PathInfo;
  /** Which manifest was read (simpleclaw.plugin.json or package.json), if any. */
  manifest?: string;
  /** The entry point the manifest declares. */
  entry?: string;
  /** Real path of the entry (or its lexical resolution when it does not exist). */
  entryResolved?: string;
  /** Whether the entry stays inside the plugin's real directory. */
  entryInside?: boolean;
  /** Dependencies declared with a range (`^1.2.0`, `latest`, a git URL…) and no lockfile. */
  unpinned: string[];
  hasLockfile: boolean;
  /** Where it was found: installed under <state>/plugins, or a plugins.load.paths entry. */
  source?: "installed" | "load.paths";
  /** Whether plugins/installs.json pins it (exact version + integrity); only for installed plugins. */
  pinnedInstall?: boolean;
  /** The installed files no longer hash to the filesHash recorded at install time. */
  modifiedSinceInstall?: boolean;
}

/** A skill found on disk (skills/report.ts), as the audit sees it. */
export interface AuditSkill {
  name: string;
  source: "workspace" | "state" | "plugin";
  plugin?: string;
  dir: string;
  /** The loader's decision (skills/loader.ts SkillStatus). */
  status: "ready" | "blocked" | "unmet" | "shadowed" | "invalid" | "modified";
  reason?: string;
  /** State-dir skills: pinned in skill-pins.json. */
  pinned?: boolean;
  findings: ScanFinding[];
}

export interface BackendProbe {
  name: "bwrap" | "docker" | "none";
  reason?: string;
}

export interface ConfigProblem {
  kind: "unreadable" | "syntax" | "invalid";
  problems: string[];
}

export interface AuditPaths {
  stateDir: string;
  config: string;
  credentials: string;
  logs: string;
  stateDb: string;
  execApprovals: string;
  plugins: string;
  /** TLS private keys in use or on disk (auto-generated key, gateway.tls.keyPath). */
  tlsKeys: string[];
}

export interface AuditInput {
  platform: NodeJS.Platform;
  nodeVersion: string;
  /** Current user id (undefined on Windows). */
  uid?: number;
  home: string;
  env: Env;
  paths: AuditPaths;
  configExists: boolean;
  /** The config as written (undefined when it could not be read or parsed). */
  raw?: Record<string, unknown>;
  configError?: ConfigProblem;
  /** The validated config; when invalid, a best-effort salvage with defaults for the broken keys. */
  config: Config;
  /** stat results by absolute path (state dir, config, credentials dir, exec approvals, state.db, logs dir…). */
  stat: Record<string, PathInfo>;
  credentialsFiles: PathInfo[];
  logFiles: PathInfo[];
  stateDbFiles: PathInfo[];
  /** Agent workspaces (agent id → absolute path). */
  workspaces: Array<{ agentId: string; path: string; realpath?: string }>;
  /**
   * What each distinct workspace feeds into the agent's prompt, lstat'ed: the workspace dir,
   * every prompt file (agents/prompt.ts PROMPT_FILES), memory/ and everything under it
   * (symlinked directories are not walked into). `ancestors`: the directories above the
   * workspace (real path) up to /, except the state dir and what is inside it (checked as state).
   */
  workspaceFiles: Array<{ path: string; agentIds: string[]; entries: PathInfo[]; ancestors?: PathInfo[] }>;
  plugins: PluginInfo[];
  /** Skills in the agents' workspaces, the state dir and allowed plugins, with scanner findings (absent: not gathered). */
  skills?: AuditSkill[];
  /** selectBackend() results for each backend preference some sandboxed agent uses. */
  sandboxBackends: Partial<Record<"auto" | "bwrap" | "docker", BackendProbe>>;
  /** Senders approved through pairing (credentials/<channel>-allowFrom.json), by channel. */
  approvedSenders: Record<string, { ids: string[]; owners: string[] }>;
  /**
   * The running gateway of this state dir (gateway-runtime.json, when its pid is alive): where
   * it listens and the forwarding headers it had to ignore (config/runtime-record.ts).
   */
  gatewayRuntime?: { pid: number; host: string; port: number; ignoredForwarding?: { peers: string[]; headers: string[]; since: number } };
  /**
   * Scheduled jobs (state.db cron_jobs, read-only) and heartbeats (agents.list[].heartbeat),
   * for the cron family; `cronError` when state.db could not be read.
   */
  cronJobs?: Array<{
    id: string;
    agentId: string;
    sessionKey: string;
    deliver: { channel: string; peer: string; chat?: "direct" | "group" } | null;
    createdBy: "operator" | "agent";
    approval: "approved" | "pending";
    enabled: boolean;
    heartbeat?: boolean;
  }>;
  cronError?: string;
  /** exec-approvals.json's policy layers, when readable. */
  execApprovals?: {
    defaults: { security?: string; ask?: string };
    agents: Record<string, { security?: string; ask?: string; allowlist?: Array<{ id: string; pattern: string; args?: string[] }> }>;
  };
}

export interface CheckFamily {
  name: string;
  checks: readonly CheckDef[];
  run(input: AuditInput): Finding[];
}

export interface AuditReport {
  version: 1;
  ts: number;
  summary: { critical: number; warn: number; info: number };
  findings: Finding[];
}

/** Builds a finding from its catalog entry; `fixable` is true only when fix actions are attached. */
export function finding(
  def: CheckDef,
  f: { id?: string; severity?: Severity; title?: string; detail: string; evidence: string; fix?: string; fixes?: FixAction[] },
): Finding {
  const severity = f.severity ?? def.severity[0]!;
  if (!def.severity.includes(severity)) throw new Error(`check ${def.id} cannot report severity ${severity}`);
  const fixes = def.fixable && f.fixes && f.fixes.length > 0 ? f.fixes : undefined;
  return {
    checkId: f.id ?? def.id,
    severity,
    title: f.title ?? def.title,
    detail: f.detail,
    evidence: f.evidence,
    fix: f.fix ?? def.remedy,
    fixable: !!fixes,
    ...(fixes ? { fixes } : {}),
  };
}

/** Octal string of permission bits, e.g. "644". */
export function octal(mode: number | undefined): string {
  return mode === undefined ? "?" : (mode & 0o777).toString(8).padStart(3, "0");
}
