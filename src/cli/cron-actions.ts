// Implementations of `simpleclaw cron …` (lazy-loaded): calls to the gateway's cron.* methods.
import type { CronJobRow, CronRunRow } from "../protocol/results.js";
import { GatewayError } from "../protocol/client.js";
import { escapeForDisplay } from "../infra/display.js";
import { EXIT, UserError } from "../infra/errors.js";
import { connect, type Flags } from "./gateway-client.js";

async function call<T>(opts: Flags, method: string, params: Record<string, unknown>): Promise<T> {
  const client = await connect(opts);
  try {
    return await client.call<T>(method, params);
  } catch (err) {
    if (err instanceof GatewayError) throw new UserError(err.message);
    throw err;
  } finally {
    await client.close();
  }
}

const iso = (t: number | null) => (t === null ? "—" : new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z"));
const line = (s: string) => escapeForDisplay(s, { oneLine: true });

function state(j: CronJobRow): string {
  if (j.approval === "pending") return "PENDING approval";
  if (j.running) return "running";
  return j.enabled ? "enabled" : "disabled";
}

function describe(j: CronJobRow): string {
  // The recipient of an agent-created job is the id of whoever asked, as their channel gave it: escaped too.
  const to = j.deliver ? line(`${j.deliver.channel}:${j.deliver.chat === "group" ? "group:" : ""}${j.deliver.peer}`) : "no delivery";
  return [
    `${j.id}  ${state(j)}  ${j.schedule}  next ${iso(j.nextRunAt)}${j.name ? `  "${line(j.name)}"` : ""}`,
    `    agent ${j.agentId}, session ${j.sessionKey}, ${to}, created by ${j.createdBy === "agent" ? `the agent (${line(j.createdFrom ?? "?")})` : "the operator"}${j.heartbeat ? " (agents.list[].heartbeat)" : ""}`,
    // The prompt may come from the model: control, bidi and zero-width characters shown escaped.
    // A pending job shows its whole prompt (what is approved is what is shown); others a marked preview.
    `    ${j.approval === "pending" || j.prompt.length <= 300 ? line(j.prompt) : `${line(j.prompt.slice(0, 300))}… (${j.prompt.length - 300} more characters)`}`,
  ].join("\n");
}

function schedule(opts: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ["cron", "tz", "at", "in", "every"]) if (typeof opts[k] === "string") out[k] = opts[k] as string;
  return out;
}

function target(opts: { channel?: string; to?: string; group?: boolean }): Record<string, unknown> | undefined {
  if (!opts.channel && !opts.to) return undefined;
  if (!opts.channel || !opts.to) throw new UserError("give both --channel and --to to deliver a job's reply.", EXIT.usage);
  return { channel: opts.channel, peer: opts.to, chat: opts.group ? "group" : "direct" };
}

export async function cronList(opts: Flags & { json?: boolean }): Promise<void> {
  const { jobs } = await call<{ jobs: CronJobRow[] }>(opts, "cron.list", {});
  if (opts.json) return void process.stdout.write(`${JSON.stringify(jobs, null, 2)}\n`);
  if (!jobs.length) return void process.stdout.write("No scheduled jobs. Add one with: simpleclaw cron add --every 1d --prompt \"…\"\n");
  process.stdout.write(`${jobs.map(describe).join("\n")}\n`);
  const pending = jobs.filter((j) => j.approval === "pending").length;
  if (pending) process.stdout.write(`${pending} job(s) created by the agent wait for approval: simpleclaw cron approve <id> (or reject <id>).\n`);
}

export async function cronAdd(opts: Flags & Record<string, unknown>): Promise<void> {
  const deliver = target(opts as { channel?: string; to?: string; group?: boolean });
  const { job } = await call<{ job: CronJobRow }>(opts, "cron.add", {
    prompt: opts.prompt,
    ...(opts.name ? { name: opts.name } : {}),
    ...(opts.agent ? { agentId: opts.agent } : {}),
    ...(opts.session ? { sessionKey: opts.session } : {}),
    ...(opts.disabled ? { enabled: false } : {}),
    ...(deliver ? { deliver } : {}),
    ...schedule(opts),
  });
  if (opts.json) return void process.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
  process.stdout.write(`Added job ${job.id}.\n${describe(job)}\n`);
}

export async function cronEdit(id: string, opts: Flags & Record<string, unknown>): Promise<void> {
  const deliver = opts.deliver === false ? null : target(opts as { channel?: string; to?: string; group?: boolean });
  const { job } = await call<{ job: CronJobRow }>(opts, "cron.edit", {
    id,
    ...(opts.prompt ? { prompt: opts.prompt } : {}),
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.session ? { sessionKey: opts.session } : {}),
    ...(deliver !== undefined ? { deliver } : {}),
    ...schedule(opts),
  });
  if (opts.json) return void process.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
  process.stdout.write(`Changed job ${job.id}.\n${describe(job)}\n`);
}

const DONE: Record<string, (id: string) => string> = {
  "cron.remove": (id) => `Removed job ${id} and its history.`,
  "cron.enable": (id) => `Enabled job ${id}.`,
  "cron.disable": (id) => `Disabled job ${id}.`,
  "cron.run": (id) => `Started job ${id}; see simpleclaw cron runs ${id}.`,
  "cron.approve": (id) => `Approved job ${id}: it now runs on its schedule.`,
  "cron.reject": (id) => `Rejected job ${id}: it is removed.`,
};

export async function cronSimple(method: string, id: string, opts: Flags): Promise<void> {
  await call(opts, method, { id });
  process.stdout.write(`${DONE[method]!(id)}\n`);
}

export async function cronRuns(id: string | undefined, opts: Flags & { limit: string; json?: boolean }): Promise<void> {
  const limit = Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UserError("--limit must be a whole number from 1 to 500.", EXIT.usage);
  const { runs } = await call<{ runs: CronRunRow[] }>(opts, "cron.runs", { ...(id ? { id } : {}), limit });
  if (opts.json) return void process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
  if (!runs.length) return void process.stdout.write("No runs recorded yet.\n");
  for (const r of runs) {
    const took = r.durationMs === null ? "" : ` ${(r.durationMs / 1000).toFixed(1)} s`;
    const delivery = r.delivery === "none" ? "" : `  delivery ${r.delivery}${r.deliveryError ? ` (${line(r.deliveryError)})` : ""}`;
    process.stdout.write(`${iso(r.startedAt)}  ${r.jobId}  ${r.status}${took}  [${r.trigger}]${delivery}${r.error ? `\n    ${line(r.error)}` : ""}\n`);
  }
}
