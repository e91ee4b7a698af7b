// `--fix`: applies only the safe, reversible actions attached to findings — permission
// changes (700/600; go-w for workspace files) and the config keys marked fixable. A config file is backed up
// (simpleclaw.json.bak-<ts>, mode 600; the newest KEEP_BACKUPS are kept) before it is
// edited and is then written atomically. Secrets, bind and auth are never touched.
// A symlink is never followed, and nothing outside the state dir, the workspaces and the
// config file itself is changed (docs/security/audit-checks.md); what is skipped is said.
import { chmodSync, closeSync, constants, copyFileSync, fchmodSync, fstatSync, lstatSync, openSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { isInside } from "../security/fs-containment.js";
import { getAt, parseConfigText, setAt, validateConfig } from "../config/io.js";
import { writeFileAtomic } from "../infra/atomic-fs.js";
import { errorMessage } from "../infra/errors.js";
import { octal, type AuditInput, type Finding, type FixAction } from "./types.js";

export interface FixResult {
  /** One line per change made, in order. */
  changed: string[];
  /** Fixes that could not be applied, with the reason. */
  skipped: string[];
  /** The config backup written, if the config was edited. */
  backup?: string;
}

/** Config backups --fix keeps (simpleclaw.json.bak-<ts>); older ones are removed. */
export const KEEP_BACKUPS = 5;

/** Removes all but the newest KEEP_BACKUPS backups of `target`; returns what was removed. */
export function pruneBackups(target: string, keep = KEEP_BACKUPS): string[] {
  const prefix = `${basename(target)}.bak-`;
  const dir = dirname(target);
  const backups = readdirSync(dir)
    .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
    .sort((a, b) => Number(b.slice(prefix.length)) - Number(a.slice(prefix.length)));
  const removed: string[] = [];
  for (const n of backups.slice(keep)) {
    const p = join(dir, n);
    if (lstatSync(p).isFile()) {
      rmSync(p);
      removed.push(p);
    }
  }
  return removed;
}

function realOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

function sameAction(a: FixAction, b: FixAction): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The distinct fix actions of `findings`, chmods first (directories before files). */
export function plannedFixes(findings: readonly Finding[]): FixAction[] {
  const out: FixAction[] = [];
  for (const f of findings) for (const a of f.fixes ?? []) if (!out.some((x) => sameAction(x, a))) out.push(a);
  return out;
}

export function applyFixes(input: AuditInput, findings: readonly Finding[], say: (line: string) => void = () => {}, now = Date.now()): FixResult {
  const res: FixResult = { changed: [], skipped: [] };
  const note = (line: string) => {
    res.changed.push(line);
    say(line);
  };
  const skip = (line: string) => {
    res.skipped.push(line);
    say(`skipped: ${line}`);
  };
  const actions = plannedFixes(findings);
  const roots = [input.paths.stateDir, ...input.workspaces.flatMap((w) => (w.realpath ? [w.path, w.realpath] : [w.path]))];
  const realRoots = roots.map(realOr);
  for (const a of actions) {
    if (a.kind !== "chmod") continue;
    const where = resolve(a.path);
    const isConfig = where === resolve(input.paths.config);
    if (!isConfig && !roots.some((r) => isInside(r, where))) {
      skip(`chmod ${octal(a.mode)} ${a.path}: outside the state dir and the workspaces`);
      continue;
    }
    // A symlinked directory on the way (workspace/memory -> /elsewhere) must not carry the
    // chmod out: the real parent has to be inside a real root too.
    if (!isConfig && !realRoots.some((r) => isInside(r, join(realOr(dirname(where)), basename(where))))) {
      skip(`chmod ${octal(a.mode)} ${a.path}: a symlinked directory leads outside the state dir and the workspaces, and --fix never follows symlinks`);
      continue;
    }
    let fd: number | undefined;
    try {
      if (lstatSync(where).isSymbolicLink()) {
        skip(`chmod ${octal(a.mode)} ${a.path}: it is a symlink, which --fix never follows`);
        continue;
      }
      // O_NOFOLLOW: a symlink swapped in after the lstat is refused, not followed.
      fd = openSync(where, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      const before = fstatSync(fd).mode & 0o7777;
      if ((before & 0o777) === a.mode) continue;
      fchmodSync(fd, (before & ~0o777) | a.mode);
      note(`chmod ${octal(a.mode)} ${a.path} (was ${octal(before)})`);
    } catch (err) {
      skip(`chmod ${octal(a.mode)} ${a.path}: ${errorMessage(err)}`);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  const sets = actions.filter((a): a is Extract<FixAction, { kind: "config-set" }> => a.kind === "config-set");
  if (sets.length) {
    const keys = sets.map((s) => s.path.join(".")).join(", ");
    if (input.configError) {
      skip(`${keys} in ${input.paths.config}: the config is invalid; fix the reported problems first`);
      return res;
    }
    const target = input.paths.config;
    try {
      if (lstatSync(target).isSymbolicLink()) {
        skip(`${keys} in ${target}: the config is a symlink, which --fix never follows; edit the file it points to yourself`);
        return res;
      }
    } catch {
      // missing: the read below reports it
    }
    try {
      const text = readFileSync(target, "utf8");
      let raw = parseConfigText(text, target);
      const edits: string[] = [];
      for (const s of sets) {
        const old = getAt(raw, s.path);
        if (JSON.stringify(old) === JSON.stringify(s.value)) continue;
        raw = setAt(raw, s.path, s.value);
        edits.push(`set ${s.path.join(".")} = ${JSON.stringify(s.value)} (was ${old === undefined ? "unset" : JSON.stringify(old)})`);
      }
      if (edits.length) {
        const v = validateConfig(raw);
        if (!v.ok) {
          skip(`${keys}: the edited config would not validate (${v.problems.join("; ")})`);
          return res;
        }
        const backup = `${target}.bak-${now}`;
        copyFileSync(target, backup);
        chmodSync(backup, 0o600);
        res.backup = backup;
        note(`backed up ${target} to ${backup}`);
        writeFileAtomic(target, `${JSON.stringify(raw, null, 2)}\n`, 0o600);
        for (const e of edits) note(`${e} in ${target}`);
        const pruned = pruneBackups(target);
        if (pruned.length) note(`removed ${pruned.length} old config backup(s), keeping the newest ${KEEP_BACKUPS}`);
      }
    } catch (err) {
      skip(`${keys} in ${target}: ${errorMessage(err)}`);
    }
  }
  return res;
}
