// Implementation of `simpleclaw security audit` (lazy-loaded): run the audit, print it
// grouped by severity (or as one JSON object), optionally fix and re-audit.
import { EXIT, UserError, errorMessage } from "../infra/errors.js";
import type { AuditReport, Finding, Severity } from "../audit/types.js";

export interface AuditFlags {
  deep?: boolean;
  fix?: boolean;
  json?: boolean;
  url?: string;
}

/** Exit code 2: the audit itself could not run. */
export const AUDIT_FAILED = 2;

const HEADINGS: Record<Severity, string> = { critical: "CRITICAL", warn: "WARN", info: "INFO" };
const MARKS: Record<Severity, string> = { critical: "✗", warn: "!", info: "·" };

export function formatReport(report: AuditReport, where: string): string {
  const lines = [`Security audit of ${where}`];
  for (const sev of ["critical", "warn", "info"] as const) {
    const fs = report.findings.filter((f) => f.severity === sev);
    if (!fs.length) continue;
    lines.push("", `${HEADINGS[sev]} (${fs.length})`);
    for (const f of fs) lines.push(...formatFinding(f));
  }
  const fixable = report.findings.filter((f) => f.fixable).length;
  const s = report.summary;
  lines.push(
    "",
    `Summary: ${s.critical} critical, ${s.warn} warn, ${s.info} info${fixable ? ` — ${fixable} fixable with \`simpleclaw security audit --fix\`` : ""}.`,
  );
  return `${lines.join("\n")}\n`;
}

function formatFinding(f: Finding): string[] {
  return [
    `  ${MARKS[f.severity]} ${f.checkId}: ${f.title}`,
    `      ${f.detail}`,
    `      evidence: ${f.evidence}`,
    `      fix: ${f.fix}${f.fixable ? " (fixable with --fix)" : ""}`,
  ];
}

export async function securityAudit(flags: AuditFlags): Promise<void> {
  const { runAudit, publicReport } = await import("../audit/audit.js");
  const run = async () => {
    try {
      return await runAudit({ ...(flags.deep ? { deep: true } : {}), ...(flags.url ? { url: flags.url } : {}) });
    } catch (err) {
      if (err instanceof UserError) throw new UserError(`the audit could not run: ${err.message}`, AUDIT_FAILED);
      throw new UserError(`the audit could not run: ${errorMessage(err)}.`, AUDIT_FAILED);
    }
  };
  let { report, input } = await run();
  let fixed: { changed: string[]; skipped: string[]; backup?: string } | undefined;
  if (flags.fix) {
    const { applyFixes } = await import("../audit/fix.js");
    const say = (l: string) => (flags.json ? process.stderr : process.stdout).write(l.startsWith("skipped: ") ? `${l}\n` : `fixed: ${l}\n`);
    fixed = applyFixes(input, report.findings, say);
    if (!flags.json) process.stdout.write(fixed.changed.length ? `${fixed.changed.length} change(s) made; auditing again.\n\n` : "Nothing to fix.\n\n");
    ({ report, input } = await run());
  }
  if (flags.json) {
    const out = { ...publicReport(report), ...(fixed ? { fixed } : {}) };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    process.stdout.write(formatReport(report, input.paths.stateDir));
  }
  process.exitCode = report.summary.critical > 0 ? EXIT.failure : EXIT.ok;
}
