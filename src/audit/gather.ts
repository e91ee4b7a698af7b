// The audit's only disk reads for the static checks: the config (raw + validated, or
// salvaged when invalid), stat results of the state files, plugins on disk, approved
// senders, exec-approvals.json layers and which sandbox backends this machine has.
// Everything lands in one AuditInput that the pure checks reason about.
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import JSON5 from "json5";
import { workspacePath } from "../agents/workspace.js";
import { PROMPT_FILES } from "../agents/prompt.js";
import { describeIssues } from "../config/io.js";
import { configPath, expandHome, statePaths, type Env } from "../config/paths.js";
import { configSchema, type Config } from "../config/schema.js";
import { approvalsPath } from "../exec/approvals-file.js";
import { processAlive, readRuntimeRecord } from "../config/runtime-record.js";
import { autoCertPaths } from "../net/tls.js";
import { hashTree } from "../plugins/install.js";
import { selectBackend, type BackendPreference } from "../sandbox/backend.js";
import { UserError, errorMessage } from "../infra/errors.js";
import type { AuditInput, AuditSkill, BackendProbe, ConfigProblem, PathInfo, PluginInfo } from "./types.js";
import { skillReports, type SkillReport } from "../skills/report.js";
import { BUILTIN_CHANNELS } from "../config/channels.js";
import { isInside } from "../security/fs-containment.js";

export function pathInfo(path: string): PathInfo {
  let l;
  try {
    l = lstatSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR" ? { path, exists: false, isSymlink: false } : { path, exists: false, isSymlink: false, error: errorMessage(err) };
  }
  const info: PathInfo = { path, exists: true, isSymlink: l.isSymbolicLink(), mode: l.mode & 0o7777, uid: l.uid };
  let s = l;
  if (l.isSymbolicLink()) {
    try {
      s = statSync(path);
      info.mode = s.mode & 0o7777;
      info.uid = s.uid;
    } catch (err) {
      info.error = `dangling symlink (${errorMessage(err)})`;
      info.mode = undefined;
    }
  }
  info.type = s.isDirectory() ? "dir" : s.isFile() ? "file" : "other";
  try {
    info.realpath = realpathSync(path);
  } catch {
    // dangling
  }
  return info;
}

function dirFiles(dir: string, filter: (name: string) => boolean = () => true): PathInfo[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter(filter)
    .map((n) => pathInfo(join(dir, n)))
    .filter((p) => p.type === "file");
}

/** How many entries under a workspace's memory/ and skills/ the audit inspects at most. */
export const MAX_MEMORY_ENTRIES = 5000;

/**
 * Everything a workspace puts into the agent's prompt (docs/security-model.md): the workspace
 * dir itself, each prompt file (AGENTS.md, SOUL.md, USER.md, MEMORY.md, and HEARTBEAT.md,
 * which heartbeat runs read), and memory/ and skills/ (skills are instructions the agent
 * follows) with every file and directory under them. lstat only: a symlinked directory is
 * reported, not walked into.
 */
export function workspaceEntries(workspace: string): PathInfo[] {
  const root = pathInfo(workspace);
  if (!root.exists) return [];
  const base = root.realpath ?? workspace;
  const out: PathInfo[] = [root];
  for (const name of [...PROMPT_FILES, "HEARTBEAT.md"]) {
    const p = pathInfo(join(base, name));
    if (p.exists) out.push(p);
  }
  let seen = 0;
  for (const sub of ["memory", "skills"]) {
    const top = pathInfo(join(base, sub));
    if (!top.exists) continue;
    out.push(top);
    const queue = top.isSymlink || top.type !== "dir" ? [] : [top.path];
    while (queue.length && seen < MAX_MEMORY_ENTRIES) {
      const dir = queue.shift()!;
      let names: string[];
      try {
        names = readdirSync(dir).sort();
      } catch {
        continue;
      }
      for (const n of names) {
        if (++seen > MAX_MEMORY_ENTRIES) break;
        const p = pathInfo(join(dir, n));
        out.push(p);
        if (!p.isSymlink && p.type === "dir") queue.push(p.path);
      }
    }
  }
  return out;
}

/** The directories above a workspace up to /, leaving out the state dir and anything inside it. */
export function workspaceAncestors(workspace: string, stateDir: string): PathInfo[] {
  const out: PathInfo[] = [];
  let dir = dirname(resolve(workspace));
  for (;;) {
    if (!isInside(stateDir, dir)) out.push(pathInfo(dir));
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return out;
}

/** Drops each key an issue points at (best effort) until the rest validates. */
export function salvageConfig(raw: Record<string, unknown>): Config {
  let cur: unknown = structuredClone(raw);
  for (let i = 0; i < 20; i++) {
    const r = configSchema.safeParse(cur);
    if (r.success) return r.data;
    let changed = false;
    for (const issue of r.error.issues) {
      const paths = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
      for (const p of paths) {
        if (p.length === 0) continue;
        let parent: unknown = cur;
        for (const k of p.slice(0, -1)) parent = parent && typeof parent === "object" ? (parent as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined;
        const last = p[p.length - 1] as PropertyKey;
        if (parent && typeof parent === "object" && Object.hasOwn(parent, last)) {
          if (Array.isArray(parent)) parent.splice(Number(last), 1);
          else delete (parent as Record<PropertyKey, unknown>)[last];
          changed = true;
        } else if (p.length > 1) {
          // A refinement on an object (e.g. tls needs certPath): drop that object.
          let gp: unknown = cur;
          for (const k of p.slice(0, -2)) gp = gp && typeof gp === "object" ? (gp as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined;
          const k2 = p[p.length - 2] as PropertyKey;
          if (gp && typeof gp === "object" && !Array.isArray(gp) && Object.hasOwn(gp, k2)) {
            delete (gp as Record<PropertyKey, unknown>)[k2];
            changed = true;
          }
        }
      }
    }
    if (!changed) break;
  }
  return configSchema.parse({});
}

export function readConfigForAudit(path: string): { exists: boolean; raw?: Record<string, unknown>; error?: ConfigProblem; config: Config } {
  if (!existsSync(path)) return { exists: false, raw: {}, config: configSchema.parse({}) };
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    return { exists: true, error: { kind: "unreadable", problems: [`${path}: ${errorMessage(err)}`] }, config: configSchema.parse({}) };
  }
  let raw: unknown;
  try {
    raw = text.trim() === "" ? {} : JSON5.parse(text);
  } catch (err) {
    return { exists: true, error: { kind: "syntax", problems: [errorMessage(err)] }, config: configSchema.parse({}) };
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return { exists: true, error: { kind: "syntax", problems: ["(root): must be a JSON5 object"] }, config: configSchema.parse({}) };
  }
  const rawObj = raw as Record<string, unknown>;
  const r = configSchema.safeParse(rawObj);
  if (r.success) return { exists: true, raw: rawObj, config: r.data };
  return { exists: true, raw: rawObj, error: { kind: "invalid", problems: describeIssues(r.error.issues, rawObj) }, config: salvageConfig(rawObj) };
}

const MANIFESTS = ["simpleclaw.plugin.json", "package.json"];
const LOCKFILES = ["package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock", "bun.lockb"];
const EXACT = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;


export function inspectPlugin(dir: string, fallbackId: string): PluginInfo {
  const info: PluginInfo = { id: fallbackId, dir: pathInfo(dir), unpinned: [], hasLockfile: LOCKFILES.some((f) => existsSync(join(dir, f))) };
  let pkg: Record<string, unknown> | undefined;
  for (const m of MANIFESTS) {
    const p = join(dir, m);
    if (!existsSync(p)) continue;
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(readFileSync(p, "utf8")) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (m === "package.json") pkg = json;
    if (info.manifest) continue;
    info.manifest = m;
    if (typeof json.id === "string") info.id = json.id;
    const entry = [json.entry, json.main].find((x): x is string => typeof x === "string");
    if (entry) info.entry = entry;
  }
  if (!pkg && existsSync(join(dir, "package.json"))) pkg = undefined;
  if (pkg) {
    for (const field of ["dependencies", "optionalDependencies"]) {
      const deps = pkg[field];
      if (!deps || typeof deps !== "object") continue;
      for (const [name, spec] of Object.entries(deps as Record<string, unknown>)) {
        if (typeof spec !== "string" || !EXACT.test(spec.trim())) info.unpinned.push(`${name}@${String(spec)}`);
      }
    }
  }
  if (info.entry !== undefined) {
    const base = info.dir.realpath ?? resolve(dir);
    const lexical = resolve(base, info.entry);
    let real = lexical;
    try {
      real = realpathSync(lexical);
    } catch {
      // missing entry: judge the lexical path
    }
    info.entryResolved = real;
    info.entryInside = isInside(base, real);
  }
  return info;
}

export function findPlugins(pluginsDir: string, loadPaths: string[], home: string, stateDir: string): PluginInfo[] {
  const out: PluginInfo[] = [];
  const seen = new Set<string>();
  // plugins/installs.json (written by `simpleclaw plugins install`): id → {version, integrity, …}.
  const installs = readJson(join(pluginsDir, "installs.json"));
  const pinned = (id: string): boolean => {
    const r = installs && typeof installs === "object" ? (installs as Record<string, unknown>)[id] : undefined;
    if (!r || typeof r !== "object") return false;
    const rec = r as Record<string, unknown>;
    return typeof rec.version === "string" && EXACT.test(rec.version) && typeof rec.integrity === "string" && rec.integrity.length > 0;
  };
  const add = (dir: string, id: string, source: "installed" | "load.paths") => {
    const real = (() => {
      try {
        return realpathSync(dir);
      } catch {
        return dir;
      }
    })();
    if (seen.has(real)) return;
    seen.add(real);
    const info = inspectPlugin(dir, id);
    info.source = source;
    if (source === "installed") {
      info.pinnedInstall = pinned(info.id);
      const rec = installs && typeof installs === "object" ? ((installs as Record<string, unknown>)[info.id] as { filesHash?: unknown } | undefined) : undefined;
      if (rec && typeof rec.filesHash === "string") {
        try {
          info.modifiedSinceInstall = hashTree(dir) !== rec.filesHash;
        } catch {
          info.modifiedSinceInstall = true;
        }
      }
    }
    out.push(info);
  };
  const scanParent = (parent: string, source: "installed" | "load.paths") => {
    let names: string[] = [];
    try {
      names = readdirSync(parent).filter((n) => !n.startsWith("."));
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(parent, n);
      try {
        if (statSync(p).isDirectory()) add(p, n, source);
      } catch {
        // dangling entry
      }
    }
  };
  scanParent(pluginsDir, "installed");
  for (const lp of loadPaths) {
    const p = resolve(stateDir, expandHome(lp, home));
    if (MANIFESTS.some((m) => existsSync(join(p, m)))) add(p, p.split("/").pop() ?? p, "load.paths");
    else scanParent(p, "load.paths");
  }
  return out;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

/** Every skill of every agent's workspace, the state dir and allowed plugins, scanned (once per folder). */
export function gatherSkills(config: Config, workspaces: Array<{ path: string; realpath?: string }>, env: Env, configDir: string): AuditSkill[] {
  const out: AuditSkill[] = [];
  const seen = new Set<string>();
  const spaces = workspaces.length ? workspaces : [{ path: "" }];
  for (const w of spaces) {
    let reports: SkillReport[];
    try {
      reports = skillReports({ config, ...(w.path ? { workspace: w.realpath ?? w.path } : {}), env, configDir }).skills;
    } catch {
      continue;
    }
    for (const r of reports) {
      const key = `${r.realDir ?? r.dir}\0${r.status}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ name: r.name, source: r.source, ...(r.plugin ? { plugin: r.plugin } : {}), dir: r.realDir ?? r.dir, status: r.status, ...(r.reason ? { reason: r.reason } : {}), ...(r.pinned !== undefined ? { pinned: r.pinned } : {}), findings: r.findings });
    }
  }
  return out;
}

export interface GatherOptions {
  env?: Env;
  home?: string;
  /** Injected for unit tests; defaults to the real selectBackend(). */
  probeBackend?: (pref: BackendPreference) => Promise<BackendProbe>;
}

export async function gatherAuditInput(opts: GatherOptions = {}): Promise<AuditInput> {
  const env = opts.env ?? process.env;
  const home = opts.home ?? homedir();
  const sp = statePaths(env);
  const cfgPath = configPath(env);
  const st = pathInfo(sp.dir);
  if (st.exists && st.type !== "dir") throw new UserError(`the state dir ${sp.dir} is not a directory.`);
  if (st.error) throw new UserError(`the state dir ${sp.dir} cannot be inspected (${st.error}).`);
  const read = readConfigForAudit(cfgPath);
  const config = read.config;
  const tlsKeys = [autoCertPaths(sp.tls).key];
  if (config.gateway.tls.keyPath) tlsKeys.push(resolve(sp.dir, expandHome(config.gateway.tls.keyPath, home)));
  const paths = {
    stateDir: sp.dir,
    config: cfgPath,
    credentials: sp.credentials,
    logs: sp.logs,
    stateDb: sp.stateDb,
    execApprovals: approvalsPath(sp.dir),
    plugins: join(sp.dir, "plugins"),
    tlsKeys: [...new Set(tlsKeys)],
  };
  const stat: Record<string, PathInfo> = {};
  for (const p of [paths.stateDir, paths.config, paths.credentials, paths.logs, paths.execApprovals, ...paths.tlsKeys]) stat[p] = pathInfo(p);

  const workspaces = config.agents.list.map((a) => {
    const p = workspacePath(config, a, env);
    let real: string | undefined;
    try {
      real = realpathSync(p);
    } catch {
      // not created yet
    }
    return { agentId: a.id, path: p, ...(real ? { realpath: real } : {}) };
  });

  const workspaceFiles: AuditInput["workspaceFiles"] = [];
  for (const w of workspaces) {
    const key = w.realpath ?? w.path;
    const known = workspaceFiles.find((x) => x.path === key);
    if (known) known.agentIds.push(w.agentId);
    else workspaceFiles.push({ path: key, agentIds: [w.agentId], entries: workspaceEntries(w.path), ancestors: workspaceAncestors(key, st.realpath ?? sp.dir) });
  }

  const approvedSenders: AuditInput["approvedSenders"] = {};
  for (const ch of [...BUILTIN_CHANNELS, ...Object.keys(config?.channels?.custom ?? {})]) {
    const f = readJson(join(sp.credentials, `${ch}-allowFrom.json`)) as { allowFrom?: Array<{ id?: unknown; owner?: unknown }> } | undefined;
    if (!f || !Array.isArray(f.allowFrom)) continue;
    const ids = f.allowFrom.filter((a) => typeof a?.id === "string").map((a) => a.id as string);
    approvedSenders[ch] = { ids, owners: f.allowFrom.filter((a) => a?.owner === true && typeof a.id === "string").map((a) => a.id as string) };
  }

  let execApprovals: AuditInput["execApprovals"];
  const af = readJson(paths.execApprovals) as { defaults?: Record<string, unknown>; agents?: Record<string, Record<string, unknown>> } | undefined;
  if (af && typeof af === "object") {
    const pick = (o: Record<string, unknown> | undefined) => ({
      ...(typeof o?.security === "string" ? { security: o.security } : {}),
      ...(typeof o?.ask === "string" ? { ask: o.ask } : {}),
      ...(Array.isArray(o?.allowlist)
        ? {
            allowlist: (o.allowlist as unknown[])
              .filter((e): e is Record<string, unknown> => !!e && typeof e === "object" && typeof (e as Record<string, unknown>).pattern === "string")
              .map((e) => ({ id: String(e.id ?? ""), pattern: e.pattern as string, ...(Array.isArray(e.args) ? { args: (e.args as unknown[]).map(String) } : {}) })),
          }
        : {}),
    });
    const agents: NonNullable<AuditInput["execApprovals"]>["agents"] = {};
    for (const [id, a] of Object.entries(af.agents ?? {})) if (a && typeof a === "object") agents[id] = pick(a);
    execApprovals = { defaults: pick(af.defaults), agents };
  }

  const prefs = new Set<BackendPreference>();
  const d = config.agents.defaults.sandbox;
  for (const a of config.agents.list) {
    if ((a.sandbox?.mode ?? d.mode) !== "off") prefs.add(a.sandbox?.backend ?? d.backend);
  }
  const probe =
    opts.probeBackend ??
    (async (pref: BackendPreference): Promise<BackendProbe> => {
      const b = await selectBackend(pref);
      return b.name === "none" ? { name: "none", reason: b.reason } : { name: b.name };
    });
  const sandboxBackends: AuditInput["sandboxBackends"] = {};
  await Promise.all([...prefs].map(async (p) => (sandboxBackends[p] = await probe(p))));

  const rec = readRuntimeRecord(sp.dir);
  const gatewayRuntime: AuditInput["gatewayRuntime"] =
    rec && processAlive(rec.pid)
      ? { pid: rec.pid, host: rec.host, port: rec.port, ...(rec.ignoredForwarding && Array.isArray(rec.ignoredForwarding.peers) && Array.isArray(rec.ignoredForwarding.headers) ? { ignoredForwarding: rec.ignoredForwarding } : {}) }
      : undefined;

  // Scheduled jobs from state.db (read-only) plus the configured heartbeats (docs/cron.md).
  let cronJobs: AuditInput["cronJobs"] = [];
  let cronError: string | undefined;
  try {
    const { readJobsReadOnly } = await import("../agents/cron-store.js");
    cronJobs = (await readJobsReadOnly(paths.stateDb)).map((j) => ({ id: j.id, agentId: j.agentId, sessionKey: j.sessionKey, deliver: j.deliver, createdBy: j.createdBy, approval: j.approval, enabled: j.enabled }));
  } catch (err) {
    cronError = errorMessage(err);
  }
  for (const a of config.agents.list) {
    if (a.heartbeat) cronJobs.push({ id: `heartbeat-${a.id}`, agentId: a.id, sessionKey: `agent:${a.id}:heartbeat`, deliver: a.heartbeat.deliver ?? null, createdBy: "operator", approval: "approved", enabled: true, heartbeat: true });
  }

  const loadPaths = Array.isArray(config.plugins?.load?.paths) ? config.plugins.load.paths : [];
  const skills = gatherSkills(config, workspaces, env, dirname(cfgPath));
  return {
    platform: process.platform,
    nodeVersion: process.versions.node,
    ...(typeof process.getuid === "function" ? { uid: process.getuid() } : {}),
    home,
    env,
    paths,
    configExists: read.exists,
    ...(read.raw ? { raw: read.raw } : {}),
    ...(read.error ? { configError: read.error } : {}),
    config,
    stat,
    credentialsFiles: dirFiles(paths.credentials),
    logFiles: dirFiles(paths.logs),
    stateDbFiles: [paths.stateDb, `${paths.stateDb}-wal`, `${paths.stateDb}-shm`].map(pathInfo).filter((p) => p.exists),
    workspaces,
    workspaceFiles,
    plugins: findPlugins(paths.plugins, loadPaths, home, dirname(cfgPath)),
    skills,
    sandboxBackends,
    approvedSenders,
    ...(execApprovals ? { execApprovals } : {}),
    ...(gatewayRuntime ? { gatewayRuntime } : {}),
    cronJobs,
    ...(cronError ? { cronError } : {}),
  };
}
