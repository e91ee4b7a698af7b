// The audit runner: gather once, run every check family (pure), optionally the
// `--deep` live probes, and build the report (docs/security/audit-checks.md).
import { gatherAuditInput, type GatherOptions } from "./gather.js";
import { families } from "./registry.js";
import { SEVERITIES, type AuditInput, type AuditReport, type Finding } from "./types.js";

export interface AuditOptions extends GatherOptions {
  deep?: boolean;
  /** `--deep`: gateway URL to probe (default: from the config). */
  url?: string;
  /** `--deep`: per-probe timeout. */
  timeoutMs?: number;
}

/** Runs every static check on an already gathered input. */
export function runChecks(input: AuditInput): Finding[] {
  return families.flatMap((f) => f.run(input));
}

export function buildReport(findings: Finding[], ts = Date.now()): AuditReport {
  const rank = (f: Finding) => SEVERITIES.indexOf(f.severity);
  const sorted = findings.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map((x) => x.f);
  const summary = { critical: 0, warn: 0, info: 0 };
  for (const f of sorted) summary[f.severity]++;
  return { version: 1, ts, summary, findings: sorted };
}

export async function runAudit(options: AuditOptions = {}): Promise<{ report: AuditReport; input: AuditInput }> {
  const input = await gatherAuditInput(options);
  const findings = runChecks(input);
  if (options.deep) {
    const { runDeepProbes } = await import("./deep.js");
    findings.push(...(await runDeepProbes(input, { ...(options.url ? { url: options.url } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) })));
  }
  return { report: buildReport(findings), input };
}

/** The report as printed by `--json`: the internal fix actions are left out. */
export function publicReport(report: AuditReport): AuditReport {
  return { ...report, findings: report.findings.map(({ fixes: _fixes, ...f }) => f) };
}
