// Audit family "fs": permissions of the state on disk (docs/security-model.md) — state dir 700,
// config 600, credentials 700/600, exec-approvals.json 600, state.db 600, logs 600,
// TLS key 600, workspaces and what their prompt loads not writable by others — plus
// symlinked state and state kept in a cloud-synced folder.
import { expandHome } from "../config/paths.js";
import { finding, octal, type AuditInput, type CheckDef, type CheckFamily, type Finding, type FixAction, type PathInfo } from "./types.js";

const GROUP_WORLD_WRITE = 0o022;

const c = {
  stateWorldWritable: {
    id: "fs.state_dir.perms_world_writable",
    severity: ["critical"],
    fixable: true,
    title: "State directory is world-writable",
    meaning: "Any user on this machine can replace the config, credentials or exec allowlist in the state dir, i.e. take over the gateway.",
    remedy: "chmod 700 the state dir (`simpleclaw security audit --fix`).",
  },
  stateGroupWritable: {
    id: "fs.state_dir.perms_group_writable",
    severity: ["warn"],
    fixable: true,
    title: "State directory is group-writable",
    meaning: "Members of the directory's group can add or replace files in the state dir.",
    remedy: "chmod 700 the state dir (`simpleclaw security audit --fix`).",
  },
  stateReadable: {
    id: "fs.state_dir.perms_readable",
    severity: ["warn"],
    fixable: true,
    title: "State directory is readable by other users",
    meaning: "Other users can list (and reach files in) the state dir; the state dir should be 700.",
    remedy: "chmod 700 the state dir (`simpleclaw security audit --fix`).",
  },
  stateSymlink: {
    id: "fs.state_dir.symlink",
    severity: ["warn"],
    fixable: false,
    title: "State directory is a symlink",
    meaning: "The state dir is a symbolic link; whoever controls the link (or the folder it points into) controls where secrets are written.",
    remedy: "Replace the symlink with a real directory (or point SIMPLECLAW_STATE_DIR at the real path).",
  },
  configWritable: {
    id: "fs.config.perms_writable",
    severity: ["critical"],
    fixable: true,
    title: "Config file is writable by other users",
    meaning: "Other users can rewrite simpleclaw.json: change auth, bind, tools and sandbox settings.",
    remedy: "chmod 600 the config (`simpleclaw security audit --fix`).",
  },
  configWorldReadable: {
    id: "fs.config.perms_world_readable",
    severity: ["critical"],
    fixable: true,
    title: "Config file is world-readable",
    meaning: "Every user on this machine can read simpleclaw.json, which holds the gateway token.",
    remedy: "chmod 600 the config (`simpleclaw security audit --fix`), then consider rotating the gateway token.",
  },
  configGroupReadable: {
    id: "fs.config.perms_group_readable",
    severity: ["warn"],
    fixable: true,
    title: "Config file is group-readable",
    meaning: "Members of the file's group can read simpleclaw.json, which holds the gateway token.",
    remedy: "chmod 600 the config (`simpleclaw security audit --fix`).",
  },
  configSymlink: {
    id: "fs.config.symlink",
    severity: ["warn"],
    fixable: false,
    title: "Config file is a symlink",
    meaning: "simpleclaw.json is a symbolic link; its real location's permissions and owner decide who can change the gateway's settings. Config edits replace the link with a regular file.",
    remedy: "Replace the symlink with the real file (or point SIMPLECLAW_CONFIG_PATH at it).",
  },
  credDirWritable: {
    id: "fs.credentials_dir.perms_writable",
    severity: ["critical"],
    fixable: true,
    title: "Credentials directory is writable by other users",
    meaning: "Other users can replace channel tokens and approved-sender lists (credentials/*-allowFrom.json) and so let themselves in.",
    remedy: "chmod 700 credentials/ (`simpleclaw security audit --fix`).",
  },
  credDirReadable: {
    id: "fs.credentials_dir.perms_readable",
    severity: ["warn"],
    fixable: true,
    title: "Credentials directory is readable by other users",
    meaning: "Other users can list credentials/ (and read any file in it that is not 600).",
    remedy: "chmod 700 credentials/ (`simpleclaw security audit --fix`).",
  },
  credFileReadable: {
    id: "fs.credentials_file.perms_readable",
    severity: ["critical"],
    fixable: true,
    title: "Credential files are accessible to other users",
    meaning: "Files in credentials/ (bot tokens, API keys, approved senders) are readable or writable by the group or everyone.",
    remedy: "chmod 600 each file (`simpleclaw security audit --fix`), then rotate any token that may have been read.",
  },
  approvalsWritable: {
    id: "fs.exec_approvals.perms_writable",
    severity: ["critical"],
    fixable: true,
    title: "exec-approvals.json is writable by other users",
    meaning: "Other users can add entries to the exec allowlist, i.e. pre-approve any command for the agent.",
    remedy: "chmod 600 exec-approvals.json (`simpleclaw security audit --fix`).",
  },
  stateDbReadable: {
    id: "fs.state_db.perms_readable",
    severity: ["warn"],
    fixable: true,
    title: "Session database is accessible to other users",
    meaning: "state.db (sessions, transcripts, pairing, devices) or its -wal/-shm files are readable or writable by the group or everyone.",
    remedy: "chmod 600 state.db and its -wal/-shm files (`simpleclaw security audit --fix`).",
  },
  logsDirReadable: {
    id: "fs.logs_dir.perms_readable",
    severity: ["warn"],
    fixable: true,
    title: "Logs directory is accessible to other users",
    meaning: "logs/ is readable or writable by the group or everyone.",
    remedy: "chmod 700 logs/ (`simpleclaw security audit --fix`).",
  },
  logFileReadable: {
    id: "fs.log_file.perms_readable",
    severity: ["warn"],
    fixable: true,
    title: "Log files are accessible to other users",
    meaning: "Gateway logs (message metadata, errors) are readable or writable by the group or everyone.",
    remedy: "chmod 600 the log files (`simpleclaw security audit --fix`).",
  },
  tlsKeyReadable: {
    id: "fs.tls_key.perms_readable",
    severity: ["critical"],
    fixable: true,
    title: "TLS private key is accessible to other users",
    meaning: "The gateway's TLS private key is readable or writable by the group or everyone; whoever reads it can impersonate the gateway.",
    remedy: "chmod 600 the key (`simpleclaw security audit --fix`) and regenerate the certificate (clients must re-pin the fingerprint).",
  },
  workspaceWritable: {
    id: "fs.workspace.perms_writable",
    severity: ["critical", "warn"],
    fixable: true,
    title: "Workspace prompt files can be changed by other users",
    meaning: "An agent workspace, a file the prompt loads from it (AGENTS.md, SOUL.md, USER.md, MEMORY.md, HEARTBEAT.md), memory/ or skills/ (or anything under them), or a directory above the workspace (outside the state dir) without the sticky bit, is world-writable or owned by another user (critical) or group-writable (warn): whoever can write there plants instructions the agent reads in every session — lasting prompt injection with the agent's tools.",
    remedy: "chmod go-w the listed paths (`simpleclaw security audit --fix` does it for the workspace and what is in it; it never follows symlinks and never touches a directory above the workspace); chown files owned by another user back to yourself, or move the workspace (agents.defaults.workspace) somewhere only you can write.",
  },
  synced: {
    id: "fs.synced_dir",
    severity: ["warn"],
    fixable: false,
    title: "State or workspace inside a cloud-synced folder",
    meaning: "The state dir, config, an agent workspace or a memory path is inside a Dropbox, iCloud, OneDrive or Google Drive folder: secrets and transcripts are copied to a third party and to every synced device, and permissions are not preserved.",
    remedy: "Move it out of the synced folder (SIMPLECLAW_STATE_DIR, agents.defaults.workspace, memory.extraPaths).",
  },
} satisfies Record<string, CheckDef>;

export const fsChecks: readonly CheckDef[] = Object.values(c);

/** Path segments that mark a cloud-synced folder. */
const SYNC_MARKERS: Array<[RegExp, string]> = [
  [/(^|\/)dropbox( \([^/]*\))?(\/|$)/i, "Dropbox"],
  [/(^|\/)mobile documents(\/|$)/i, "iCloud Drive"],
  [/(^|\/)icloud ?drive(\/|$)/i, "iCloud Drive"],
  [/(^|\/)onedrive( - [^/]*)?(\/|$)/i, "OneDrive"],
  [/(^|\/)library\/cloudstorage(\/|$)/i, "a macOS CloudStorage provider"],
  [/(^|\/)google ?drive(\/|$)/i, "Google Drive"],
  [/(^|\/)my drive(\/|$)/i, "Google Drive"],
];

export function syncedFolder(path: string): string | undefined {
  const p = path.replace(/\\/g, "/");
  for (const [re, name] of SYNC_MARKERS) if (re.test(p)) return name;
  return undefined;
}

function fixTarget(info: PathInfo): string {
  return info.isSymlink && info.realpath ? info.realpath : info.path;
}

function chmod(info: PathInfo, mode: number): FixAction[] {
  return [{ kind: "chmod", path: fixTarget(info), mode }];
}

function modeEvidence(info: PathInfo): string {
  return `${info.path}${info.isSymlink ? ` -> ${info.realpath ?? "?"}` : ""} mode ${octal(info.mode)}`;
}

/** One finding for several files with loose permissions. */
function filesFinding(def: CheckDef, files: PathInfo[], what: string, want: number): Finding | undefined {
  const bad = files.filter((f) => f.exists && f.mode !== undefined && (f.mode & 0o077) !== 0);
  if (!bad.length) return undefined;
  return finding(def, {
    detail: `${bad.length} ${what} ${bad.length === 1 ? "is" : "are"} not mode ${octal(want)}: ${bad.map((f) => f.path).join(", ")}.`,
    evidence: bad.map(modeEvidence).join("; "),
    fixes: bad.filter((f) => !f.isSymlink || f.realpath).flatMap((f) => chmod(f, want)),
  });
}

/**
 * Why another local user could change a workspace path, worst first: world-writable (a
 * sticky bit does not help: anyone may still add a file), owned by another user (who can
 * chmod it at will; root is not "another user"), group-writable.
 */
export function workspaceLooseness(info: PathInfo, uid: number | undefined): { severity: "critical" | "warn"; why: string } | undefined {
  if (!info.exists || info.mode === undefined) return undefined;
  if (info.mode & 0o002) return { severity: "critical", why: `mode ${octal(info.mode)}: every user can write it` };
  if (uid !== undefined && info.uid !== undefined && info.uid !== uid && info.uid !== 0) return { severity: "critical", why: `owned by uid ${info.uid}, not you (uid ${uid})` };
  if (info.mode & 0o020) return { severity: "warn", why: `mode ${octal(info.mode)}: its group can write it` };
  return undefined;
}

/**
 * A directory above the workspace lets another user rename the workspace away and put their
 * own in its place when they can write it — unless the sticky bit (/tmp) stops them from
 * renaming entries they do not own. Owned by another (non-root) user: they can do anything.
 */
export function ancestorLooseness(info: PathInfo, uid: number | undefined): { severity: "critical" | "warn"; why: string } | undefined {
  if (!info.exists || info.mode === undefined) return undefined;
  if (uid !== undefined && info.uid !== undefined && info.uid !== uid && info.uid !== 0) return { severity: "critical", why: `a parent directory owned by uid ${info.uid}, not you (uid ${uid})` };
  if (info.mode & 0o1000) return undefined;
  if (info.mode & 0o002) return { severity: "critical", why: `a parent directory, mode ${octal(info.mode)}: every user can rename the workspace and put another in its place` };
  if (info.mode & 0o020) return { severity: "warn", why: `a parent directory, mode ${octal(info.mode)}: its group can rename the workspace and put another in its place` };
  return undefined;
}

function workspaceFindings(input: AuditInput): Finding[] {
  const out: Finding[] = [];
  for (const ws of input.workspaceFiles) {
    const loose = [
      ...ws.entries.flatMap((e) => {
        const l = workspaceLooseness(e, input.uid);
        return l ? [{ e, ...l }] : [];
      }),
      // Reported, never fixed: a directory above the workspace is outside what --fix may touch.
      ...(ws.ancestors ?? []).flatMap((e) => {
        const l = ancestorLooseness(e, input.uid);
        return l ? [{ e, ...l, ancestor: true }] : [];
      }),
    ];
    if (!loose.length) continue;
    const severity = loose.some((l) => l.severity === "critical") ? "critical" : "warn";
    // chmod go-w, keeping the rest of the mode; a symlink's target only when it resolves
    // (fix.ts still refuses symlinks and anything outside the state dir and workspaces).
    const fixes = loose
      .filter((l) => !("ancestor" in l) && l.e.mode! & GROUP_WORLD_WRITE && (!l.e.isSymlink || l.e.realpath))
      .flatMap((l) => chmod(l.e, l.e.mode! & 0o777 & ~GROUP_WORLD_WRITE));
    out.push(
      finding(c.workspaceWritable, {
        severity,
        detail: `In the workspace of agent ${ws.agentIds.join(", ")} (${ws.path}), ${loose.length} path(s) the agent reads into its prompt can be changed by other users: ${loose.map((l) => `${l.e.path} (${l.why})`).join("; ")}.`,
        evidence: loose.map((l) => `${modeEvidence(l.e)}${l.e.uid !== undefined ? ` uid ${l.e.uid}` : ""}`).join("; "),
        fixes,
      }),
    );
  }
  return out;
}

export function auditFs(input: AuditInput): Finding[] {
  const out: Finding[] = [];
  const { paths, stat } = input;
  const permsApply = input.platform !== "win32";

  const state = stat[paths.stateDir];
  if (state?.exists) {
    if (state.isSymlink) {
      out.push(finding(c.stateSymlink, { detail: `${paths.stateDir} points to ${state.realpath ?? "(unresolvable)"}.`, evidence: modeEvidence(state) }));
    }
    if (permsApply && state.mode !== undefined) {
      const m = state.mode;
      const ev = modeEvidence(state);
      // One finding per directory: the worst of its problems (the fix, chmod 700, covers all).
      if (m & 0o002) out.push(finding(c.stateWorldWritable, { detail: `${paths.stateDir} is mode ${octal(m)}: every user can write into it.`, evidence: ev, fixes: chmod(state, 0o700) }));
      else if (m & 0o020) out.push(finding(c.stateGroupWritable, { detail: `${paths.stateDir} is mode ${octal(m)}: its group can write into it.`, evidence: ev, fixes: chmod(state, 0o700) }));
      else if (m & 0o055) out.push(finding(c.stateReadable, { detail: `${paths.stateDir} is mode ${octal(m)}; it should be 700.`, evidence: ev, fixes: chmod(state, 0o700) }));
    }
  }

  const cfg = stat[paths.config];
  if (cfg?.exists) {
    if (cfg.isSymlink) {
      out.push(finding(c.configSymlink, { detail: `${paths.config} points to ${cfg.realpath ?? "(unresolvable)"}.`, evidence: modeEvidence(cfg) }));
    }
    if (permsApply && cfg.mode !== undefined) {
      const m = cfg.mode;
      const ev = modeEvidence(cfg);
      if (m & GROUP_WORLD_WRITE) out.push(finding(c.configWritable, { detail: `${paths.config} is mode ${octal(m)}: others can change it.`, evidence: ev, fixes: chmod(cfg, 0o600) }));
      else if (m & 0o004) out.push(finding(c.configWorldReadable, { detail: `${paths.config} is mode ${octal(m)}: every user can read it, and any secret written in it.`, evidence: ev, fixes: chmod(cfg, 0o600) }));
      else if (m & 0o040) out.push(finding(c.configGroupReadable, { detail: `${paths.config} is mode ${octal(m)}: its group can read it.`, evidence: ev, fixes: chmod(cfg, 0o600) }));
    }
  }

  if (permsApply) {
    const cred = stat[paths.credentials];
    if (cred?.exists && cred.mode !== undefined) {
      const m = cred.mode;
      const ev = modeEvidence(cred);
      if (m & GROUP_WORLD_WRITE) out.push(finding(c.credDirWritable, { detail: `${paths.credentials} is mode ${octal(m)}: others can add or replace credential files.`, evidence: ev, fixes: chmod(cred, 0o700) }));
      else if (m & 0o055) out.push(finding(c.credDirReadable, { detail: `${paths.credentials} is mode ${octal(m)}; it should be 700.`, evidence: ev, fixes: chmod(cred, 0o700) }));
    }
    const credFiles = filesFinding(c.credFileReadable, input.credentialsFiles, "credential file(s)", 0o600);
    if (credFiles) out.push(credFiles);

    const appr = stat[paths.execApprovals];
    if (appr?.exists && appr.mode !== undefined && appr.mode & GROUP_WORLD_WRITE) {
      out.push(finding(c.approvalsWritable, { detail: `${paths.execApprovals} is mode ${octal(appr.mode)}: others can pre-approve commands.`, evidence: modeEvidence(appr), fixes: chmod(appr, 0o600) }));
    }

    const db = filesFinding(c.stateDbReadable, input.stateDbFiles, "database file(s)", 0o600);
    if (db) out.push(db);

    const logs = stat[paths.logs];
    if (logs?.exists && logs.mode !== undefined && logs.mode & 0o077) {
      out.push(finding(c.logsDirReadable, { detail: `${paths.logs} is mode ${octal(logs.mode)}; it should be 700.`, evidence: modeEvidence(logs), fixes: chmod(logs, 0o700) }));
    }
    const logFiles = filesFinding(c.logFileReadable, input.logFiles, "log file(s)", 0o600);
    if (logFiles) out.push(logFiles);

    const keys = filesFinding(c.tlsKeyReadable, paths.tlsKeys.map((k) => stat[k]).filter((x): x is PathInfo => !!x), "TLS key file(s)", 0o600);
    if (keys) out.push(keys);

    out.push(...workspaceFindings(input));
  }

  const candidates: Array<[string, string]> = [
    ["state dir", state?.realpath ?? paths.stateDir],
    ["config", cfg?.realpath ?? paths.config],
    ...input.workspaces.map((w): [string, string] => [`workspace of agent ${w.agentId}`, w.realpath ?? w.path]),
    ...input.config.memory.extraPaths.map((p): [string, string] => ["memory.extraPaths entry", expandHome(p, input.home)]),
  ];
  const synced = candidates.flatMap(([what, p]) => {
    const provider = syncedFolder(p);
    return provider ? [{ what, p, provider }] : [];
  });
  if (synced.length) {
    out.push(
      finding(c.synced, {
        detail: synced.map((s) => `the ${s.what} (${s.p}) is inside ${s.provider}`).join("; ") + ".",
        evidence: synced.map((s) => s.p).join("; "),
      }),
    );
  }
  return out;
}

export const fsFamily: CheckFamily = { name: "fs", checks: fsChecks, run: auditFs };
