// One view of every skill for the operator (CLI, doctor, audit, the skills.list RPC): the
// loader's decision plus the scanner's findings and the pin, as data.
import type { Config } from "../config/schema.js";
import { type Env } from "../config/paths.js";
import { worstSeverity, type ScanFinding, type ScanSeverity } from "../security/skill-scan.js";
import { scanSkillDir, type ScanBudget } from "./files.js";
import { loadSkills, type SkillEntry } from "./loader.js";

export interface SkillReport extends SkillEntry {
  findings: ScanFinding[];
  worst?: ScanSeverity;
  /** Files the scanner did not read (binary, too large, links). */
  unscanned: string[];
}

export function skillReports(opts: { config: Config; workspace?: string; env?: Env; configDir?: string; scanBudget?: ScanBudget }): { skills: SkillReport[]; problems: string[] } {
  const loaded = loadSkills(opts);
  const skills = loaded.skills.map((s): SkillReport => {
    if (!s.realDir) return { ...s, findings: [], unscanned: [] };
    try {
      const { findings, skipped } = scanSkillDir(s.realDir, opts.scanBudget);
      const worst = worstSeverity(findings);
      return { ...s, findings, ...(worst ? { worst } : {}), unscanned: skipped };
    } catch (err) {
      return { ...s, findings: [], unscanned: [`(the folder could not be read: ${(err as Error).message})`] };
    }
  });
  return { skills, problems: loaded.problems };
}
