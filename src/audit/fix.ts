// `--fix`: applies only the safe, reversible actions attached to findings — permission
// changes (700/600) and the config keys marked fixable. A config file is backed up
// (simpleclaw.json.bak-<ts>, mode 600) before it is edited and is then written
// atomically. Secrets, bind and auth are never touched.
import { chmodSync, copyFileSync, readFileSync, realpathSync, statSync } from "node:fs";
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
  for (const a of actions) {
    if (a.kind !== "chmod") continue;
    try {
      const before = statSync(a.path).mode & 0o7777;
      if ((before & 0o777) === a.mode) continue;
      chmodSync(a.path, (before & ~0o777) | a.mode);
      note(`chmod ${octal(a.mode)} ${a.path} (was ${octal(before)})`);
    } catch (err) {
      skip(`chmod ${octal(a.mode)} ${a.path}: ${errorMessage(err)}`);
    }
  }
  const sets = actions.filter((a): a is Extract<FixAction, { kind: "config-set" }> => a.kind === "config-set");
  if (sets.length) {
    const keys = sets.map((s) => s.path.join(".")).join(", ");
    if (input.configError) {
      skip(`${keys} in ${input.paths.config}: the config is invalid; fix the reported problems first`);
      return res;
    }
    let target = input.paths.config;
    try {
      target = realpathSync(target);
    } catch {
      // not a symlink / missing: write the path itself
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
      }
    } catch (err) {
      skip(`${keys} in ${target}: ${errorMessage(err)}`);
    }
  }
  return res;
}
