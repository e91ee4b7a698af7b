// Audit family "browser": the Chrome DevTools Protocol endpoint the browser tool drives.
// CDP has no authentication of its own: whoever reaches the port controls the browser,
// its cookies and logged-in sessions, so it must stay on loopback or sit behind auth.
import { describeCdpExposure } from "../security/browser-policy.js";
import { finding, type AuditInput, type CheckDef, type CheckFamily, type Finding } from "./types.js";

const c = {
  noAuth: {
    id: "browser.control_no_auth",
    severity: ["critical"],
    fixable: false,
    title: "Browser control endpoint without authentication",
    meaning: "browser.cdpUrl points to a CDP endpoint on another host and carries no credentials (no user:password, no token in the URL): anyone who reaches it — on loopback, any local process, including a sandboxed command with network access — controls that browser and every session logged in there.",
    remedy: "Use a CDP endpoint on loopback (let SimpleClaw launch Chromium), or a hosted browser URL that requires a token, over wss://.",
  },
  nonLoopback: {
    id: "browser.cdp_non_loopback",
    severity: ["critical"],
    fixable: false,
    title: "Browser DevTools port exposed beyond loopback",
    meaning: "browser.cdpUrl points to a CDP port on a LAN, wildcard or bare host address: the DevTools port is listening on the network, where any machine can attach to the browser.",
    remedy: "Start Chromium with --remote-debugging-address=127.0.0.1 and point browser.cdpUrl at 127.0.0.1, or unset browser.cdpUrl.",
  },
  http: {
    id: "browser.remote_cdp_http",
    severity: ["warn"],
    fixable: false,
    title: "Remote browser control over an unencrypted connection",
    meaning: "browser.cdpUrl uses http:// or ws:// to a non-loopback host: page contents, cookies and any token travel in clear text.",
    remedy: "Use https:// or wss:// for a remote CDP endpoint.",
  },
} satisfies Record<string, CheckDef>;

export const browserChecks: readonly CheckDef[] = Object.values(c);

const byId: Record<string, CheckDef> = { [c.noAuth.id]: c.noAuth, [c.nonLoopback.id]: c.nonLoopback, [c.http.id]: c.http };

/** The browser tool's own exposure decision (security/browser-policy.ts), reported as findings: one rule, two readers. */
export function auditBrowser(input: AuditInput): Finding[] {
  if (!input.config.browser?.cdpUrl) return [];
  const exposure = describeCdpExposure(input.config);
  const toolNote = input.config.tools.browser.enabled ? "" : " (tools.browser is disabled, but the endpoint itself is exposed)";
  return exposure.findings
    .filter((f) => byId[f.checkId])
    .map((f) => finding(byId[f.checkId]!, { detail: `${f.detail}${toolNote}`, evidence: `browser.cdpUrl=${exposure.endpoint ?? "(unparseable)"}` }));
}

export const browserFamily: CheckFamily = { name: "browser", checks: browserChecks, run: auditBrowser };
