// Implementations of `simpleclaw dashboard` and `simpleclaw status` (lazy-loaded).
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { EXIT, UserError, errorMessage } from "../infra/errors.js";
import { escapeForDisplay } from "../infra/display.js";
import { clientOptionsFromConfig, connect, type Flags } from "../protocol/local.js";
import type { AuditReportResult, CronJobRow, ExecApproval, PendingDevice, PairingRequestRow, SessionRow } from "../protocol/results.js";

/** The Control UI's http(s) address for a gateway WebSocket URL. */
export function controlUiUrl(wsUrl: string): string {
  const u = new URL(wsUrl);
  u.protocol = u.protocol === "wss:" ? "https:" : "http:";
  u.pathname = "/";
  u.search = "";
  u.hash = "";
  if (u.hostname === "0.0.0.0") u.hostname = "127.0.0.1";
  return u.href;
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter).filter(Boolean)) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

function opener(): string | undefined {
  if (process.platform === "darwin") return findOnPath("open");
  if (process.platform === "win32") return undefined;
  return findOnPath("xdg-open");
}

export async function dashboard(opts: Flags & { open: boolean }): Promise<void> {
  const client = await connect(opts);
  let link: string;
  try {
    const enabled = await client.call<{ value: unknown }>("config.get", { path: "gateway.controlUi.enabled" });
    if (enabled.value === false) throw new UserError("the Control UI is off on this gateway (gateway.controlUi.enabled: false); turn it on with `simpleclaw config set gateway.controlUi.enabled true` and restart the gateway.");
    const { code } = await client.call<{ code: string; expiresAt: number }>("auth.signin.code");
    link = `${controlUiUrl(clientOptionsFromConfig(opts).url)}#signin=${code}`;
  } finally {
    await client.close();
  }
  const cmd = opts.open ? opener() : undefined;
  if (cmd) {
    try {
      const child = spawn(cmd, [link], { detached: true, stdio: "ignore" });
      child.on("error", () => {});
      child.unref();
      process.stdout.write(`Opened the Control UI at ${controlUiUrl(link)} in your browser (signed in with a one-time code, valid 60 s).\n`);
      return;
    } catch {
      // fall through to printing the link
    }
  }
  const why = opts.open ? "No browser opener (xdg-open) found here. " : "";
  process.stdout.write(`${why}Open this link within 60 s; it signs you in once:\n${link}\n`);
}

interface ChannelStatusRow {
  channel: string;
  enabled: boolean;
  running: boolean;
  error?: string;
}

interface GatewayStatus {
  version: string;
  pid: number;
  uptimeMs: number;
  bind: { mode: string; host: string; port: number };
  tls: { enabled: boolean };
  auth: { mode: string };
  connections: { operator: number; node: number };
}

export async function status(opts: Flags & { json?: boolean }): Promise<void> {
  let client;
  try {
    client = await connect(opts);
  } catch (err) {
    if (!(err instanceof UserError) || !/^no gateway is running/.test(err.message)) throw err;
    if (opts.json) process.stdout.write(`${JSON.stringify({ running: false, reason: err.message })}\n`);
    else process.stdout.write(`gateway: not running — ${err.message}\n`);
    process.exitCode = EXIT.notRunning;
    return;
  }
  try {
    const [gw, channels, sessions, approvals, pairing, devices, cron] = await Promise.all([
      client.call<GatewayStatus>("status"),
      client.call<{ channels: ChannelStatusRow[] }>("channels.status"),
      client.call<{ sessions: SessionRow[] }>("sessions.list"),
      client.call<{ pending: ExecApproval[] }>("exec.approval.list"),
      client.call<{ channels: Array<{ channel: string; pending: PairingRequestRow[] }> }>("pairing.list", {}),
      client.call<{ pending: PendingDevice[] }>("device.pair.list"),
      client.call<{ jobs: CronJobRow[] }>("cron.list").catch(() => ({ jobs: [] as CronJobRow[] })),
    ]);
    const jobsPending = cron.jobs.filter((j) => j.approval === "pending");
    let audit: AuditReportResult | { error: string };
    try {
      audit = await client.call<AuditReportResult>("security.audit", {});
    } catch (err) {
      audit = { error: errorMessage(err) };
    }
    const pairingPending = pairing.channels.flatMap((c) => c.pending.map((p) => ({ channel: c.channel, ...p })));
    if (opts.json) {
      process.stdout.write(
        `${JSON.stringify({ running: true, gateway: gw, channels: channels.channels, sessions: sessions.sessions.length, approvals: approvals.pending, pairing: pairingPending, devices: devices.pending, jobs: { total: cron.jobs.length, pending: jobsPending.map((j) => j.id) }, audit: "error" in audit ? audit : { ts: audit.ts, summary: audit.summary } }, null, 2)}\n`,
      );
      return;
    }
    const lines: string[] = [];
    lines.push(`gateway: running (version ${gw.version}, pid ${gw.pid}, up ${Math.round(gw.uptimeMs / 1000)} s) on ${gw.bind.host}:${gw.bind.port}, auth ${gw.auth.mode}${gw.tls.enabled ? ", TLS" : ""}; ${gw.connections.operator} operator / ${gw.connections.node} node clients`);
    const chans = channels.channels.filter((c) => c.enabled || c.running || c.error);
    lines.push(`channels: ${chans.length ? chans.map((c) => `${c.channel} ${c.running ? "connected" : c.error ? `failed (${escapeForDisplay(c.error, { oneLine: true })})` : "not connected"}`).join(", ") : "none enabled (simpleclaw channels add <channel>)"}`);
    const last = [...sessions.sessions].sort((a, b) => b.updatedAt - a.updatedAt)[0];
    lines.push(`sessions: ${sessions.sessions.length}${last ? ` (latest ${last.key}, ${new Date(last.updatedAt).toISOString()})` : ""}`);
    lines.push(`approvals waiting: ${approvals.pending.length}`);
    for (const a of approvals.pending) lines.push(`  ${a.id}  ${escapeForDisplay(a.command, { oneLine: true })}  → simpleclaw approvals approve ${a.id}`);
    lines.push(`pairing requests: ${pairingPending.length}`);
    for (const p of pairingPending) lines.push(`  ${p.channel} ${p.code}  from ${escapeForDisplay(p.senderName ?? p.senderId, { oneLine: true })}  → simpleclaw pairing approve ${p.channel} ${p.code}`);
    lines.push(`device pairing requests: ${devices.pending.length}${devices.pending.length ? " (simpleclaw devices list)" : ""}`);
    lines.push(`scheduled jobs: ${cron.jobs.length}${jobsPending.length ? `, ${jobsPending.length} created by the agent waiting for approval` : ""}`);
    for (const j of jobsPending) lines.push(`  ${j.id}  ${j.schedule}  ${escapeForDisplay(j.prompt.slice(0, 80), { oneLine: true })}  → simpleclaw cron approve ${j.id}`);
    if ("error" in audit) lines.push(`audit: could not run (${audit.error})`);
    else lines.push(`audit: ${audit.summary.critical} critical, ${audit.summary.warn} warn, ${audit.summary.info} info${audit.summary.critical + audit.summary.warn ? " (simpleclaw security audit for details)" : ""}`);
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await client.close();
  }
}
