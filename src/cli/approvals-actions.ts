// Implementations of `simpleclaw approvals …` (lazy-loaded).
import { statePaths } from "../config/paths.js";
import { addEntry, ApprovalsFileError, loadApprovals, removeEntry } from "../exec/approvals-file.js";
import type { PendingApproval } from "../exec/approvals.js";
import { escapeForDisplay } from "../infra/display.js";
import { EXIT, UserError } from "../infra/errors.js";
import { GatewayError } from "../protocol/client.js";
import { connect, type Flags } from "./gateway-client.js";

export async function approvalsList(opts: Flags & { json?: boolean }): Promise<void> {
  const client = await connect(opts);
  try {
    const { pending } = await client.call<{ pending: PendingApproval[] }>("exec.approval.list");
    if (opts.json) return void process.stdout.write(`${JSON.stringify(pending, null, 2)}\n`);
    if (pending.length === 0) return void process.stdout.write("No commands are waiting for approval.\n");
    for (const p of pending) {
      const left = Math.max(0, Math.round((p.expiresAt - Date.now()) / 1000));
      // The model wrote this command: show control, bidi and zero-width characters escaped.
      process.stdout.write(`${p.id}  ${escapeForDisplay(p.sessionKey, { oneLine: true })}  in ${escapeForDisplay(p.cwd, { oneLine: true })}  (${left} s left)\n    ${escapeForDisplay(p.command, { oneLine: true })}\n`);
    }
  } finally {
    await client.close();
  }
}

export async function approvalsResolve(id: string, decision: "allow-once" | "allow-always" | "deny", opts: Flags): Promise<void> {
  const client = await connect(opts);
  try {
    await client.call("exec.approval.resolve", { id, decision });
    process.stdout.write(`${id}: ${decision}\n`);
  } catch (err) {
    if (err instanceof GatewayError) throw new UserError(err.message);
    throw err;
  } finally {
    await client.close();
  }
}

function file() {
  try {
    return loadApprovals(statePaths().dir);
  } catch (err) {
    if (err instanceof ApprovalsFileError) throw new UserError(err.message, EXIT.config);
    throw err;
  }
}

export function allowlistList(opts: { agent?: string; json?: boolean }): void {
  const f = file();
  const rows = Object.entries(f.agents)
    .filter(([id]) => !opts.agent || id === opts.agent)
    .flatMap(([agentId, a]) => a.allowlist.map((e) => ({ agentId, ...e })));
  if (opts.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  if (rows.length === 0) return void process.stdout.write("The exec allowlist is empty.\n");
  for (const r of rows) {
    process.stdout.write(`${r.id}  ${r.agentId}  ${escapeForDisplay(r.pattern, { oneLine: true })}${r.args ? ` ${escapeForDisplay(JSON.stringify(r.args), { oneLine: true })}` : " (any args)"}  [${r.source}]\n`);
  }
}

export function allowlistAdd(pattern: string, opts: { agent: string; args?: string[] }): void {
  if (!pattern.startsWith("/")) {
    throw new UserError(`allowlist patterns are absolute executable paths or globs (like /usr/bin/ls), not "${pattern}".`, EXIT.usage);
  }
  file();
  const e = addEntry(statePaths().dir, opts.agent, { pattern, ...(opts.args ? { args: opts.args } : {}), source: "manual" });
  process.stdout.write(`Added ${e.id}: ${e.pattern}${e.args ? ` ${JSON.stringify(e.args)}` : " (any args)"} for agent ${opts.agent}\n`);
}

export function allowlistRemove(id: string): void {
  file();
  const removed = removeEntry(statePaths().dir, id);
  if (!removed) throw new UserError(`no allowlist entry with id ${id}; see simpleclaw approvals allowlist list.`);
  process.stdout.write(`Removed ${id} (${removed.pattern})\n`);
}
