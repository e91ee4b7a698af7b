// `simpleclaw doctor`: the pure half. Each function turns facts gathered from disk,
// the environment or a probe (doctor.ts) into one CheckResult: a status, what was
// found, and the fix. No I/O here, so every verdict is unit-tested (checks.test.ts).
import type { VersionInfo } from "../config/migrate.js";

export type CheckStatus = "ok" | "warn" | "fail" | "skip";

export interface CheckResult {
  id: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
  /** `doctor --fix` can repair this one. */
  fixable?: boolean;
}

export interface ModeFact {
  path: string;
  kind: "dir" | "file";
  /** Permission bits; undefined when the path does not exist. */
  mode?: number;
}

const octal = (m: number) => (m & 0o777).toString(8).padStart(3, "0");

/** What a path's mode must be: directories 700, files 600. */
export function wantedMode(kind: ModeFact["kind"]): number {
  return kind === "dir" ? 0o700 : 0o600;
}

/** State dir, config and credentials: any group/other bit is a failure (secrets live there). */
export function permissionsCheck(facts: readonly ModeFact[]): CheckResult & { chmods: Array<{ path: string; mode: number; was: number }> } {
  const chmods = facts
    .filter((f) => f.mode !== undefined && (f.mode & 0o077) !== 0)
    .map((f) => ({ path: f.path, mode: wantedMode(f.kind), was: f.mode! & 0o777 }));
  const present = facts.filter((f) => f.mode !== undefined).length;
  if (present === 0) return { id: "permissions", status: "skip", detail: "no state dir yet", chmods };
  if (chmods.length === 0) return { id: "permissions", status: "ok", detail: `${present} path(s) private (dirs 700, files 600)`, chmods };
  return {
    id: "permissions",
    status: "fail",
    detail: `readable or writable by others: ${chmods.map((c) => `${c.path} (${octal(c.was)})`).join(", ")}`,
    fix: `${chmods.map((c) => `chmod ${octal(c.mode)} ${c.path}`).join("; ")} (or simpleclaw doctor --fix)`,
    fixable: true,
    chmods,
  };
}

export type ConfigFact =
  | { state: "missing"; path: string }
  | { state: "unreadable" | "syntax"; path: string; message: string }
  | { state: "invalid"; path: string; problems: string[] }
  | { state: "bad-version"; path: string }
  | { state: "valid"; path: string };

export function configCheck(f: ConfigFact): CheckResult {
  const id = "config";
  switch (f.state) {
    case "missing":
      return { id, status: "warn", detail: `no config at ${f.path}; built-in defaults apply`, fix: "simpleclaw onboard" };
    case "unreadable":
      return { id, status: "fail", detail: `cannot read ${f.path}: ${f.message}`, fix: `check the owner and mode of ${f.path}` };
    case "syntax":
      return { id, status: "fail", detail: `${f.path} is not valid JSON5: ${f.message}`, fix: "fix the syntax, or restore a simpleclaw.json.bak-* backup" };
    case "invalid":
      return {
        id,
        status: "fail",
        detail: `${f.path}: ${f.problems.join("; ")}`,
        fix: "simpleclaw config set <key> <value> / config unset <key>, or edit the file",
      };
    case "bad-version":
      return { id, status: "fail", detail: `${f.path} cannot be checked: its version is not one this simpleclaw knows (see config-version)` };
    case "valid":
      return { id, status: "ok", detail: `${f.path} is valid` };
  }
}

export function versionCheck(v: VersionInfo | undefined, current: number): CheckResult {
  const id = "config-version";
  if (!v) return { id, status: "skip", detail: "no config file to version" };
  if (!v.ok) {
    return v.newer !== undefined
      ? { id, status: "fail", detail: v.problem, fix: "upgrade simpleclaw (the gateway refuses this config and exits 78)" }
      : { id, status: "fail", detail: v.problem, fix: `set version to ${current}, or remove it and run simpleclaw doctor --fix` };
  }
  if (v.current) return { id, status: "ok", detail: `version ${v.version} (current)` };
  return {
    id,
    status: "warn",
    detail: `version ${v.version === 0 ? "0 (no version key)" : v.version}, older than ${current}; the gateway runs it upgraded in memory`,
    fix: "simpleclaw doctor --fix (backs the file up, then upgrades it)",
    fixable: true,
  };
}

export function nodeCheck(version: string, problem: string | null, min: string): CheckResult {
  if (problem) return { id: "node", status: "fail", detail: `Node.js ${version} is older than ${min}`, fix: "run through npm (npx simpleclaw …) so the pinned Node 22 is used, or upgrade Node" };
  return { id: "node", status: "ok", detail: `Node.js ${version} (>= ${min})` };
}

export interface SandboxFact {
  /** The strictest mode any agent uses. */
  mode: "off" | "non-main" | "all";
  preference: string;
  backend: { name: string; version?: string; reason?: string };
}

export function sandboxCheck(f: SandboxFact): CheckResult {
  const id = "sandbox";
  if (f.mode === "off") return { id, status: "ok", detail: "not needed: sandbox.mode is off for every agent (tools run on the host)" };
  if (f.backend.name !== "none") {
    return { id, status: "ok", detail: `${f.backend.name}${f.backend.version ? ` ${f.backend.version}` : ""} available for sandbox.mode ${f.mode} (backend ${f.preference})` };
  }
  const who = f.mode === "all" ? "every session's tools" : "tools in non-main sessions (other chats, groups)";
  return {
    id,
    status: f.mode === "all" ? "fail" : "warn",
    detail: `sandbox.mode ${f.mode} needs a sandbox but none is usable (${f.backend.reason ?? "unknown"}); ${who} will refuse to run`,
    fix: "install bubblewrap (Debian/Ubuntu: apt install bubblewrap) or Docker, or set agents.defaults.sandbox.backend to the one you have",
  };
}

export type BrowserFact = { enabled: false } | { enabled: true; cdpUrl: boolean; chromium?: string; error?: string };

export function browserCheck(f: BrowserFact): CheckResult {
  const id = "browser";
  if (!f.enabled) return { id, status: "skip", detail: "tools.browser.enabled is false" };
  if (f.cdpUrl) return { id, status: "ok", detail: "attaches to browser.cdpUrl (no local Chromium needed)" };
  if (f.chromium) return { id, status: "ok", detail: `Chromium at ${f.chromium}` };
  return { id, status: "fail", detail: f.error ?? "no Chromium found", fix: "apt install chromium, or set browser.executablePath" };
}

export type ModelFact =
  | { resolved: false; ref: string; reason: string; maybePlugin: boolean }
  | { resolved: true; ref: string; keySource: string; probe?: { ok: true; ms: number } | { ok: false; message: string } };

/**
 * The default agent's model. A primary that cannot answer while a fallback can is a warning,
 * not a failure: replies still come (from the fallback).
 */
export function modelCheck(f: ModelFact, workingFallback?: { ref: string; detail: string }): CheckResult {
  const r = primaryModelCheck(f);
  if (r.status !== "fail" || !workingFallback) return r;
  return {
    id: r.id,
    status: "warn",
    detail: `primary ${f.ref}: ${r.detail}; replies come from the fallback ${workingFallback.ref} (${workingFallback.detail})`,
    ...(r.fix ? { fix: r.fix } : {}),
  };
}

function primaryModelCheck(f: ModelFact): CheckResult {
  const id = "model";
  if (!f.resolved) {
    if (f.maybePlugin) return { id, status: "warn", detail: `${f.ref}: ${f.reason} (it may come from a plugin; doctor does not load plugins)` };
    return { id, status: "fail", detail: f.reason, fix: "simpleclaw onboard, or put the key in credentials/providers.json / the provider's environment variable" };
  }
  if (!f.probe) return { id, status: "ok", detail: `${f.ref}, key from ${f.keySource} (not contacted; add --check-model to send one tiny request)` };
  if (f.probe.ok) return { id, status: "ok", detail: `${f.ref} answered in ${f.probe.ms} ms (key from ${f.keySource})` };
  return { id, status: "fail", detail: f.probe.message, fix: "check the API key, the model id (agents.defaults.model.primary) and the provider's baseUrl" };
}

export type PortFact =
  | { state: "free"; host: string; port: number }
  | { state: "ours"; host: string; port: number }
  | { state: "foreign"; host: string; port: number; detail: string }
  | { state: "error"; host: string; port: number; message: string };

export function portCheck(f: PortFact): CheckResult {
  const id = "port";
  const where = `${f.host}:${f.port}`;
  switch (f.state) {
    case "free":
      return { id, status: "ok", detail: `${where} is free` };
    case "ours":
      return { id, status: "ok", detail: `${where} is held by a running simpleclaw gateway (/healthz answered)` };
    case "foreign":
      return { id, status: "fail", detail: `${where} is in use by another program (${f.detail})`, fix: "stop that program, or pick another port: simpleclaw config set gateway.port <port>" };
    case "error":
      return { id, status: "fail", detail: `cannot listen on ${where}: ${f.message}`, fix: "pick another port or bind (gateway.port / gateway.bind)" };
  }
}

/** 1 when any check failed; warnings alone still exit 0. */
export interface SkillFact {
  name: string;
  source: string;
  status: "ready" | "blocked" | "unmet" | "shadowed" | "invalid" | "modified";
  reason?: string;
  /** Critical scanner findings (security/skill-scan.ts). */
  critical: number;
}

/** Skills (docs/skills.md): which ones the agent sees, and why the others are hidden. Never fails: the audit judges. */
export function skillsCheck(facts: readonly SkillFact[]): CheckResult {
  const id = "skills";
  if (facts.length === 0) return { id, status: "skip", detail: "no skills found" };
  const ready = facts.filter((f) => f.status === "ready");
  const problems = facts.filter((f) => f.status === "unmet" || f.status === "invalid" || f.status === "modified");
  const flagged = facts.filter((f) => f.critical > 0);
  const parts = [`${ready.length} of ${facts.length} shown to the agent`];
  for (const f of problems) parts.push(`${f.name} (${f.source}): ${f.reason ?? f.status}`);
  for (const f of flagged) parts.push(`${f.name}: ${f.critical} critical scanner finding(s)`);
  if (problems.length === 0 && flagged.length === 0) return { id, status: "ok", detail: parts.join("; ") };
  return {
    id,
    status: "warn",
    detail: parts.join("; "),
    fix: `${problems.some((p) => p.status === "unmet") ? "install what a skill needs (or ignore it); " : ""}simpleclaw skills check for details${flagged.length || problems.some((p) => p.status === "modified") ? "; simpleclaw security audit for the findings" : ""}`,
  };
}

export function exitCodeFor(results: readonly CheckResult[]): number {
  return results.some((r) => r.status === "fail") ? 1 : 0;
}
