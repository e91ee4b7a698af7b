// Audit family "skills" (docs/skills.md): what the skill scanner (security/skill-scan.ts)
// finds in every skill on disk, installed skills that changed since their pin or were never
// pinned, and skills the loader had to skip. gather.ts collects them (skills/report.ts).
import { SKILL_SCAN_CHECKS, type SkillScanCheckId } from "../security/skill-scan.js";
import { finding, type AuditInput, type CheckDef, type CheckFamily, type Finding } from "./types.js";

const scanRemedy =
  "Read the lines named in the finding. If the skill is not yours to trust, remove it (`simpleclaw skills remove <name>`, or delete the workspace folder) or keep it out of skills.allow (`simpleclaw skills deny <name>`).";

const scan = (id: SkillScanCheckId, title: string, severity: CheckDef["severity"]): CheckDef => ({
  id,
  severity,
  fixable: false,
  title,
  meaning: `The skill scanner found that a skill ${SKILL_SCAN_CHECKS[id]}. Reported critical for skills the agent can see (or will, once requirements are met); warn for skills skills.allow blocks or another skill shadows. The scanner is a static tripwire: a clean result is not proof of safety.`,
  remedy: scanRemedy,
});

const c = {
  downloadExec: scan("skills.download_exec", "A skill downloads and runs code", ["critical", "warn"]),
  encodedExec: scan("skills.encoded_exec", "A skill decodes and runs a hidden payload", ["critical", "warn"]),
  secretAccess: scan("skills.secret_access", "A skill reads or sends secrets", ["critical", "warn"]),
  hiddenText: scan("skills.hidden_text", "A skill hides text from the reader", ["critical", "warn"]),
  promptOverride: scan("skills.prompt_override", "A skill tells the agent to drop its rules or approvals", ["critical", "warn"]),
  encodedBlob: scan("skills.encoded_blob", "A skill carries a long encoded blob", ["warn"]),
  modified: {
    id: "skills.modified",
    severity: ["critical"],
    fixable: false,
    title: "Installed skill no longer matches the hash pinned at install",
    meaning: "A skill under <state>/skills no longer hashes (sha256 over its files) to what `simpleclaw skills install` recorded in skill-pins.json: its instructions changed after you reviewed them. The agent no longer sees it.",
    remedy: "Find out what changed it, then reinstall from a source you trust (`simpleclaw skills install <source> --replace`) or remove it (`simpleclaw skills remove <name>`).",
  },
  unpinned: {
    id: "skills.unpinned",
    severity: ["warn"],
    fixable: false,
    title: "Skill in the state dir without a pin",
    meaning: "A skill under <state>/skills has no hash in skill-pins.json (it was copied there by hand), so a later change to it goes unnoticed.",
    remedy: "Reinstall it with `simpleclaw skills install <folder> --replace` (which scans and pins it), or remove it.",
  },
  noAllowlist: {
    id: "skills.no_allowlist",
    severity: ["info"],
    fixable: false,
    title: "Skills present without skills.allow",
    meaning: "skills.allow is not set, so every skill whose requirements are met is shown to the agent, including one dropped into a skills folder later.",
    remedy: "Pin the skills you trust: `simpleclaw skills allow <name>` (the first call lists every skill found, so none disappears).",
  },
  invalid: {
    id: "skills.invalid",
    severity: ["info"],
    fixable: false,
    title: "Skill skipped: malformed",
    meaning: "A skill folder could not be used (no SKILL.md, bad front matter, a symbolic link, a name that does not match its folder). The agent does not see it.",
    remedy: "Fix the SKILL.md front matter (name, description) or remove the folder; `simpleclaw skills list` says what is wrong.",
  },
} satisfies Record<string, CheckDef>;

export const skillsChecks: readonly CheckDef[] = Object.values(c);

const scanDefs: Record<string, CheckDef> = Object.fromEntries([c.downloadExec, c.encodedExec, c.secretAccess, c.hiddenText, c.promptOverride, c.encodedBlob].map((d) => [d.id, d]));

export function auditSkills(input: AuditInput): Finding[] {
  const skills = input.skills ?? [];
  const out: Finding[] = [];
  for (const s of skills) {
    const where = s.source === "plugin" ? `plugin ${s.plugin}` : s.source === "state" ? "state dir" : "workspace";
    const dormant = s.status === "blocked" || s.status === "shadowed";
    const groups = new Map<string, typeof s.findings>();
    for (const f of s.findings) groups.set(`${f.checkId}\0${f.severity}`, [...(groups.get(`${f.checkId}\0${f.severity}`) ?? []), f]);
    for (const list of groups.values()) {
      const def = scanDefs[list[0]!.checkId];
      if (!def) continue;
      const sev = list[0]!.severity === "critical" && dormant ? "warn" : list[0]!.severity;
      if (!def.severity.includes(sev)) continue;
      out.push(
        finding(def, {
          severity: sev,
          detail: `skill ${s.name} (${where}${dormant ? `, ${s.status}` : ""}): ${list.map((f) => `${f.file}:${f.line} ${f.message}`).join("; ")}.`,
          evidence: list.map((f) => `${s.dir}/${f.file}:${f.line}: ${f.excerpt}`).join("\n"),
        }),
      );
    }
  }
  const modified = skills.filter((s) => s.status === "modified");
  if (modified.length) {
    out.push(finding(c.modified, { detail: modified.map((s) => `skill ${s.name}: ${s.reason ?? "modified since install"}`).join("; ") + ".", evidence: modified.map((s) => s.dir).join("; ") }));
  }
  const unpinned = skills.filter((s) => s.source === "state" && s.pinned === false);
  if (unpinned.length) {
    out.push(finding(c.unpinned, { detail: `${unpinned.map((s) => s.name).join(", ")} ${unpinned.length === 1 ? "is" : "are"} in the state dir without a pin in skill-pins.json.`, evidence: unpinned.map((s) => s.dir).join("; ") }));
  }
  const usable = skills.filter((s) => s.status !== "invalid");
  if (usable.length && input.config.skills?.allow === undefined) {
    out.push(finding(c.noAllowlist, { detail: `${usable.length} skill(s) found and skills.allow is not set.`, evidence: usable.map((s) => s.name).join(", ") }));
  }
  const invalid = skills.filter((s) => s.status === "invalid");
  if (invalid.length) {
    out.push(finding(c.invalid, { detail: invalid.map((s) => `${s.dir}: ${s.reason}`).join("; ") + ".", evidence: invalid.map((s) => s.dir).join("; ") }));
  }
  return out;
}

export const skillsFamily: CheckFamily = { name: "skills", checks: skillsChecks, run: auditSkills };
