// Implementation of `simpleclaw import openclaw` (lazy-loaded): import, print the report,
// then run the security audit on the result so the operator sees where it stands.
import { EXIT } from "../infra/errors.js";

export interface ImportFlags {
  from?: string;
  dryRun?: boolean;
  json?: boolean;
  workspace?: "copy" | "reference";
  keepInsecure?: boolean;
}

export async function importOpenClawCommand(flags: ImportFlags): Promise<void> {
  const { importOpenClaw, formatImportReport } = await import("../import/openclaw-apply.js");
  const result = importOpenClaw({
    ...(flags.from ? { from: flags.from } : {}),
    dryRun: !!flags.dryRun,
    workspace: flags.workspace ?? "copy",
    keepInsecure: !!flags.keepInsecure,
  });
  let audit: { critical: number; warn: number; criticalChecks: string[] } | undefined;
  if (!result.dryRun) {
    const { runAudit } = await import("../audit/audit.js");
    const { report } = await runAudit();
    audit = {
      critical: report.summary.critical,
      warn: report.summary.warn,
      criticalChecks: report.findings.filter((f) => f.severity === "critical").map((f) => f.checkId),
    };
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...result, ...(audit ? { audit } : {}) }, null, 2)}\n`);
  } else {
    process.stdout.write(formatImportReport(result));
    if (audit) {
      process.stdout.write(
        audit.critical
          ? `Security audit: ${audit.critical} critical finding(s) (${audit.criticalChecks.join(", ")}); run \`simpleclaw security audit\` for details.\n`
          : `Security audit: no critical finding (${audit.warn} warning(s); \`simpleclaw security audit\` lists them).\n`,
      );
    }
  }
  process.exitCode = EXIT.ok;
}
