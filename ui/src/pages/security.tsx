// Security: runs (on open, and again on request) the static audit on the gateway host (security.audit, the same checks
// as `simpleclaw security audit`) and lists findings by severity. --fix and --deep stay
// with the CLI.
import type { Gateway } from "../gateway";
import { useAction } from "../hooks";
import { useEffect, useState } from "preact/hooks";
import type { AuditFinding as Finding, AuditReportResult as Report } from "../../../src/protocol/results.js";

const SEVERITIES = ["critical", "warn", "info"] as const;

export function SecurityPage(props: { gw: Gateway }) {
  const act = useAction();
  const [report, setReport] = useState<Report | undefined>(undefined);
  const audit = () => void act.run(async () => setReport(await props.gw.call<Report>("security.audit", {}, 120_000)));
  // The page opens with a current report: a blank page until a click hid the findings.
  useEffect(audit, [props.gw]);
  return (
    <div>
      <div class="page-head">
        <h2>Security audit</h2>
        <button id="run-audit" disabled={act.busy} onClick={audit}>
          {act.busy ? "Auditing…" : report ? "Run again" : "Run audit"}
        </button>
      </div>
      <p class="muted">
        Checks the gateway's config, file permissions, channels, tools, sandbox and plugins. To apply the safe fixes or
        probe the running gateway, use <code>simpleclaw security audit --fix</code> / <code>--deep</code> on the host.
      </p>
      {act.error && (
        <p class="error" role="alert">
          {act.error}
        </p>
      )}
      {report && (
        <>
          <p id="audit-summary" class="summary">
            <span class="pill critical">{report.summary.critical} critical</span> <span class="pill warn">{report.summary.warn} warn</span>{" "}
            <span class="pill info">{report.summary.info} info</span> <span class="muted small">at {new Date(report.ts).toLocaleString()}</span>
          </p>
          {SEVERITIES.map((sev) => {
            const list = report.findings.filter((f) => f.severity === sev);
            if (!list.length) return null;
            return (
              <section key={sev} data-severity={sev}>
                <h3 class={`sev ${sev}`}>{sev}</h3>
                {list.map((f, i) => (
                  <article class={`card finding ${sev}`} key={`${f.checkId}-${i}`} data-check-id={f.checkId}>
                    <h4>
                      {f.title} <code class="muted small">{f.checkId}</code>
                    </h4>
                    <p>{f.detail}</p>
                    <p class="small">
                      <b>evidence:</b> <code>{f.evidence}</code>
                    </p>
                    <p class="small">
                      <b>fix:</b> {f.fix}
                      {f.fixable ? " (fixable with simpleclaw security audit --fix)" : ""}
                    </p>
                  </article>
                ))}
              </section>
            );
          })}
          {report.findings.length === 0 && <p>No findings.</p>}
        </>
      )}
    </div>
  );
}
