// `simpleclaw import openclaw`, step 1 of 3 (docs/migrating-from-openclaw.md): read an
// OpenClaw state dir without changing it. The config (JSON5), the two tables of its state
// database we map (approved DM senders, exec approvals), the counts of what we do not map,
// and the workspace files. Every problem a user can cause is one UserError sentence.
import { closeSync, constants as FS, existsSync, fstatSync, lstatSync, openSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import JSON5 from "json5";
import { expandHome, type Env } from "../config/paths.js";
import { EXIT, UserError, errorMessage } from "../infra/errors.js";
import { openVerifiedSync } from "../security/fs-containment.js";

/** The largest openclaw.json read (OpenClaw's own are a few KiB). */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
/** The largest workspace file copied (the memory indexer skips larger notes anyway). */
export const MAX_WORKSPACE_FILE_BYTES = 4 * 1024 * 1024;

/** The newest OpenClaw release this importer was checked against (fixtures written by 2026.9.6). */
export const KNOWN_OPENCLAW = { year: 2026, month: 9, label: "2026.9.x" } as const;

export interface ApprovedEntry {
  channel: string;
  accountId: string;
  id: string;
  updatedAt: number;
}

export interface OpenClawSource {
  /** The OpenClaw state dir (~/.openclaw). */
  dir: string;
  configPath: string;
  /** The home `~` and `__HOME__` stand for (the parent of a `.openclaw` dir, else $HOME). */
  home: string;
  config: Record<string, unknown>;
  /** `meta.lastTouchedVersion`, when the config records one. */
  version?: string;
  /** Rows of channel_pairing_allow_entries; undefined when the table is absent. */
  approved?: ApprovedEntry[];
  /** exec_approvals_config.raw_json (parsed); undefined when absent. */
  execApprovals?: Record<string, unknown>;
  /** Things we count in order to report them as not imported. */
  counts: { pairedDevices: number; pendingPairing: number; cronJobs: number };
  /** Why the state database could not be read, when it could not. */
  dbProblem?: string;
  /** Files from older OpenClaw layouts that exist here but whose format we have not verified. */
  legacyFiles: string[];
}

export interface SourceOptions {
  from?: string;
  env?: Env;
}

/** Where the OpenClaw state dir and config are: --from, else $OPENCLAW_STATE_DIR, else ~/.openclaw. */
export function locateOpenClaw(opts: SourceOptions): { dir: string; configPath: string } {
  const env = opts.env ?? process.env;
  const dir = resolve(expandHome(opts.from ?? env.OPENCLAW_STATE_DIR ?? join(homedir(), ".openclaw")));
  const configPath = !opts.from && env.OPENCLAW_CONFIG_PATH ? resolve(expandHome(env.OPENCLAW_CONFIG_PATH)) : join(dir, "openclaw.json");
  return { dir, configPath };
}

/** "2026.9.6" → newer than the newest release we know? (Patch releases of a known month are fine.) */
export function isNewerThanKnown(version: string): boolean {
  const m = /^(\d{4})\.(\d{1,2})(?:\.|$|-)/.exec(version);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  return year > KNOWN_OPENCLAW.year || (year === KNOWN_OPENCLAW.year && month > KNOWN_OPENCLAW.month);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function readOpenClaw(opts: SourceOptions = {}): OpenClawSource {
  const { dir, configPath } = locateOpenClaw(opts);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UserError(`no OpenClaw state directory at ${dir}; pass --from <dir> (or set OPENCLAW_STATE_DIR) to the folder that holds openclaw.json.`);
  }
  if (!existsSync(configPath)) {
    throw new UserError(`no OpenClaw config at ${configPath}; pass --from <dir> pointing at the folder that holds openclaw.json.`);
  }
  const text = readConfigText(configPath);
  let config: unknown;
  try {
    config = JSON5.parse(text);
  } catch (err) {
    throw new UserError(`${configPath} is not valid JSON5 (${errorMessage(err)}); fix it or restore one of OpenClaw's backups (openclaw.json.bak) and run the import again.`, EXIT.config);
  }
  if (!isRecord(config)) {
    throw new UserError(`${configPath} does not hold a JSON object, so it is not an OpenClaw config; nothing was imported.`, EXIT.config);
  }
  const meta = isRecord(config.meta) ? config.meta : {};
  const version = typeof meta.lastTouchedVersion === "string" ? meta.lastTouchedVersion : undefined;
  if (version && isNewerThanKnown(version)) {
    throw new UserError(
      `${configPath} was written by OpenClaw ${version}, newer than this importer knows (up to ${KNOWN_OPENCLAW.label}); upgrade simpleclaw, or import from a backup written by an older OpenClaw. Nothing was imported.`,
      EXIT.config,
    );
  }
  const home = basename(dir) === ".openclaw" ? dirname(dir) : homedir();
  const source: OpenClawSource = {
    dir,
    configPath,
    home,
    config,
    ...(version ? { version } : {}),
    counts: { pairedDevices: 0, pendingPairing: 0, cronJobs: 0 },
    legacyFiles: [],
  };
  readStateDb(source);
  for (const rel of ["exec-approvals.json", "devices/paired.json", "credentials"]) {
    if (existsSync(join(dir, rel))) source.legacyFiles.push(rel);
  }
  return source;
}

/**
 * Reads openclaw.json: a regular file (a link to one is fine) of at most MAX_CONFIG_BYTES.
 * Opened non-blocking and checked on the descriptor, so a FIFO, a device (/dev/zero) or a
 * huge file is one sentence instead of a hang or an exhausted memory.
 */
function readConfigText(configPath: string): string {
  let fd: number;
  try {
    fd = openSync(configPath, FS.O_RDONLY | FS.O_NONBLOCK);
  } catch (err) {
    throw new UserError(`cannot read ${configPath} (${errorMessage(err)}); check its permissions.`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UserError(`${configPath} is not a regular file (a FIFO, device or folder), so it is not an OpenClaw config; nothing was imported.`, EXIT.config);
    if (st.size > MAX_CONFIG_BYTES) throw new UserError(`${configPath} is ${st.size} bytes, more than an OpenClaw config can be (limit ${MAX_CONFIG_BYTES}); nothing was imported.`, EXIT.config);
    return readFileSync(fd, "utf8");
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot read ${configPath} (${errorMessage(err)}); check its permissions.`);
  } finally {
    closeSync(fd);
  }
}

function readStateDb(source: OpenClawSource): void {
  const path = join(source.dir, "state", "openclaw.sqlite");
  if (!existsSync(path)) return;
  // SQLite opens the database and its side files with blocking reads: a FIFO or device in
  // their place would hang the import.
  for (const p of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) {
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (!st.isFile()) {
      source.dbProblem = `${p} is not a regular file`;
      return;
    }
  }
  let db: DatabaseSync;
  try {
    // Read-only: the import never changes OpenClaw's state. A -wal side file is read too.
    db = new DatabaseSync(path, { readOnly: true });
  } catch (err) {
    source.dbProblem = `cannot open ${path} (${errorMessage(err)})`;
    return;
  }
  try {
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name));
    if (tables.has("channel_pairing_allow_entries")) {
      source.approved = (
        db.prepare("SELECT channel_key, account_id, entry, updated_at FROM channel_pairing_allow_entries ORDER BY channel_key, account_id, sort_order, entry").all() as Array<{
          channel_key: string;
          account_id: string;
          entry: string;
          updated_at: number;
        }>
      ).map((r) => ({ channel: String(r.channel_key), accountId: String(r.account_id), id: String(r.entry), updatedAt: Number(r.updated_at) || 0 }));
    }
    if (tables.has("exec_approvals_config")) {
      const row = db.prepare("SELECT raw_json FROM exec_approvals_config WHERE config_key = 'current'").get() as { raw_json?: string } | undefined;
      if (row?.raw_json) {
        try {
          const parsed: unknown = JSON.parse(row.raw_json);
          if (isRecord(parsed)) source.execApprovals = parsed;
        } catch {
          source.dbProblem = "the exec approvals stored in the state database are not valid JSON";
        }
      }
    }
    const count = (table: string) => (tables.has(table) ? Number((db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n) : 0);
    source.counts = { pairedDevices: count("device_pairing_paired"), pendingPairing: count("channel_pairing_requests"), cronJobs: count("cron_jobs") };
  } catch (err) {
    source.dbProblem = `cannot read ${path} (${errorMessage(err)})`;
  } finally {
    db.close();
  }
}

/** Replaces OpenClaw's `~` (and a fixture's `__HOME__`) with the OpenClaw user's home. */
export function hostPath(p: string, home: string): string {
  const swapped = p.startsWith("__HOME__") ? home + p.slice("__HOME__".length) : p;
  const expanded = expandHome(swapped, home);
  return isAbsolute(expanded) ? expanded : resolve(home, expanded);
}

export interface WorkspaceFile {
  /** Relative to the workspace: `MEMORY.md`, `memory/2026-11-28.md`. */
  rel: string;
  /** The file under the workspace's real path. */
  abs: string;
  /** The workspace's real path (reads are verified to stay inside it). */
  root: string;
}

/** Why a workspace entry is not carried over, from its lstat; undefined when it is. */
function notCopied(st: { isSymbolicLink(): boolean; isFile(): boolean; nlink: number; size: number }): string | undefined {
  if (st.isSymbolicLink()) return "a symlink; copy its target by hand if you want it (it may point outside the workspace)";
  if (!st.isFile()) return "not a regular file";
  if (st.nlink > 1) return `a hard link (${st.nlink} links) that may share its bytes with a file outside the workspace; copy it by hand if you want it`;
  if (st.size > MAX_WORKSPACE_FILE_BYTES) return `larger than ${MAX_WORKSPACE_FILE_BYTES} bytes, which is no note`;
  return undefined;
}

/** Workspace files worth carrying over (regular, single-link, bounded files only; a link could lead anywhere). */
export function listWorkspaceFiles(dir: string): { files: WorkspaceFile[]; skipped: Array<{ rel: string; reason: string }> } {
  const files: WorkspaceFile[] = [];
  const skipped: Array<{ rel: string; reason: string }> = [];
  if (!existsSync(dir)) return { files, skipped };
  let root: string;
  try {
    root = realpathSync(dir);
  } catch {
    return { files, skipped };
  }
  const top = ["AGENTS.md", "SOUL.md", "USER.md", "IDENTITY.md", "MEMORY.md", "BOOTSTRAP.md"];
  const consider = (rel: string) => {
    const abs = join(root, rel);
    let st;
    try {
      st = lstatSync(abs);
    } catch {
      return;
    }
    const why = notCopied(st);
    if (why) skipped.push({ rel, reason: why });
    else if (rel === "BOOTSTRAP.md") skipped.push({ rel, reason: "OpenClaw's first-run script; SimpleClaw seeds its own workspace instead" });
    else files.push({ rel, abs, root });
  };
  for (const name of top) consider(name);
  const memDir = join(root, "memory");
  const memSt = existsSync(memDir) ? lstatSync(memDir) : undefined;
  if (memSt?.isSymbolicLink()) skipped.push({ rel: "memory", reason: "a symlink; copy the notes by hand if you want them (it may point outside the workspace)" });
  else if (memSt?.isDirectory()) {
    for (const name of readdirSync(memDir).sort()) if (name.endsWith(".md")) consider(`memory/${name}`);
  }
  return { files, skipped };
}

/**
 * The bytes of a listed workspace file, read through a descriptor proven to be that very
 * file inside the workspace (fs-containment openVerifiedSync: O_NOFOLLOW | O_NONBLOCK, then
 * dev/ino and real-path checks), with the listing's rules checked again on it: a file
 * swapped for a link, a FIFO, a hard link or a huge file after the listing is refused.
 */
export function readWorkspaceFile(f: WorkspaceFile): Buffer {
  const opened = openVerifiedSync(f.abs, f.root);
  if (!opened.ok) throw new UserError(`${opened.reason}; it changed while the import read the workspace, so nothing was written. Run the import again.`);
  try {
    const why = notCopied({ isSymbolicLink: () => false, isFile: () => opened.stats.isFile(), nlink: opened.stats.nlink, size: opened.stats.size });
    if (why) throw new UserError(`${f.abs} is ${why.replace(/;.*$/, "")}; it changed while the import read the workspace, so nothing was written. Run the import again.`);
    const buf = readFileSync(opened.fd);
    if (buf.length > MAX_WORKSPACE_FILE_BYTES) throw new UserError(`${f.abs} grew while the import read it; nothing was written. Run the import again.`);
    return buf;
  } finally {
    closeSync(opened.fd);
  }
}
