// Implementation of `simpleclaw doctor` (lazy-loaded): run the checks, optionally the
// safe fixes (then check again), print one line per check. Exit 1 when any check fails.
import type { CheckResult, CheckStatus } from "../doctor/checks.js";

const LABEL: Record<CheckStatus, string> = { ok: "ok  ", warn: "WARN", fail: "FAIL", skip: "skip" };

export function formatCheck(c: CheckResult): string {
  return `${LABEL[c.status]}  ${c.id.padEnd(14)} ${c.detail}${c.fix && c.status !== "ok" ? ` — fix: ${c.fix}` : ""}`;
}

export async function doctor(opts: { fix?: boolean; json?: boolean; checkModel?: boolean }): Promise<void> {
  const { runDoctor, applyDoctorFixes } = await import("../doctor/doctor.js");
  const { exitCodeFor } = await import("../doctor/checks.js");
  const log = (s: string) => (opts.json ? process.stderr : process.stdout).write(s);
  let report = await runDoctor({ checkModel: !!opts.checkModel });
  let fixed: Awaited<ReturnType<typeof applyDoctorFixes>> | undefined;
  if (opts.fix) {
    fixed = await applyDoctorFixes({ chmods: report.chmods });
    for (const line of fixed.changed) log(`fixed: ${line}\n`);
    if (fixed.diff) log(fixed.diff.endsWith("\n") ? fixed.diff : `${fixed.diff}\n`);
    for (const line of fixed.skipped) log(`not fixed: ${line}\n`);
    if (!fixed.changed.length && !fixed.skipped.length) log("Nothing to fix.\n");
    log("\n");
    report = await runDoctor({ checkModel: !!opts.checkModel });
  }
  if (opts.json) {
    const out = { ok: report.ok, checks: report.checks, ...(fixed ? { fixed: { changed: fixed.changed, skipped: fixed.skipped, ...(fixed.backup ? { backup: fixed.backup } : {}) } } : {}) };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    for (const c of report.checks) process.stdout.write(`${formatCheck(c)}\n`);
    const fails = report.checks.filter((c) => c.status === "fail").length;
    const warns = report.checks.filter((c) => c.status === "warn").length;
    const fixable = report.checks.some((c) => c.fixable && c.status !== "ok");
    process.stdout.write(
      `\n${fails} failed, ${warns} warning(s).${fixable && !opts.fix ? " Run `simpleclaw doctor --fix` for the fixable ones." : ""}\n`,
    );
  }
  process.exitCode = exitCodeFor(report.checks);
}
