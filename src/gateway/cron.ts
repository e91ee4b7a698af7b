// Scheduled jobs inside the gateway (docs/cron.md): the scheduler (agents/cron.ts) gets a
// runner that turns a due job into one agent turn in the job's own session through the
// chat service (origin {kind:"job"}: tool policy, sandbox and exec approvals apply as for
// any non-owner run), and delivers the reply through the channel manager only after
// security/cron-policy.ts deliveryDecision admits the recipient — at add time and again at
// every delivery. Also the agent's cron tool access (only its session's jobs, always pending).
import { readRegularFile } from "../skills/regular-file.js";
import { join } from "node:path";
import type { ChatEvent, ChatService } from "../agents/chat.js";
import { CronScheduler, DeliveryRefused, HEARTBEAT_PREFIX, type CronJob, type HeartbeatDef, type RunResult } from "../agents/cron.js";
import { describeSchedule, nextRunAfter } from "../agents/cron-schedule.js";
import { CronStore } from "../agents/cron-store.js";
import { HEARTBEAT_FILE, HEARTBEAT_MAX_BYTES, heartbeatIsQuiet, heartbeatPrompt } from "../agents/heartbeat.js";
import { defaultAgent, findAgent, workspacePath } from "../agents/workspace.js";
import { approvalPrompt, type ChannelManager } from "../channels/manager.js";
import type { Env } from "../config/paths.js";
import type { Config } from "../config/schema.js";
import type { Db } from "../infra/db.js";
import type { Logger } from "../infra/log.js";
import { deliveryDecision, type DeliveryDecision, type DeliveryTarget } from "../security/cron-policy.js";
import type { CronJobRow } from "../protocol/results.js";
import type { AgentCronAccess } from "../tools/types.js";

export interface GatewayCronDeps {
  db: Db;
  config: () => Config;
  env: Env;
  chat: ChatService;
  channels: Pick<ChannelManager, "accessFor" | "sendTo">;
  logger: Logger;
  broadcast(event: string, payload: unknown): void;
}

export function heartbeatDefs(config: Config): HeartbeatDef[] {
  return config.agents.list.flatMap((a) => (a.heartbeat ? [{ agentId: a.id, everyMinutes: a.heartbeat.everyMinutes, ...(a.heartbeat.deliver ? { deliver: a.heartbeat.deliver } : {}) }] : []));
}

export function createGatewayCron(deps: GatewayCronDeps): { scheduler: CronScheduler; agentAccess: AgentCronAccess } {
  const checkDelivery = (t: DeliveryTarget): DeliveryDecision => {
    let access;
    try {
      access = deps.channels.accessFor(t.channel);
    } catch (err) {
      return { allowed: false, reason: `the approved senders of ${t.channel} cannot be read (${(err as Error).message})` };
    }
    return deliveryDecision(t, access.cfg, access.state);
  };

  /**
   * One agent turn in the job's session; resolves when the run ends. When the job delivers to
   * the channel's owner (decided now, by cron-policy), exec approvals the run needs are also
   * asked in that DM, as for the owner's own messages; the owner answers with /approve there.
   */
  const turn = (job: CronJob, message: string): Promise<RunResult> =>
    new Promise((resolve) => {
      const t = job.deliver;
      const toOwner = !!t && (t.chat ?? "direct") === "direct" && ((d) => d.allowed && d.owner)(checkDelivery(t));
      const ownerChat = toOwner && t ? { channel: t.channel, peer: t.peer } : undefined;
      try {
        deps.chat.send({
          sessionKey: job.sessionKey,
          message,
          origin: { kind: "job", jobId: job.id, ...(ownerChat ? { ownerChat } : {}) },
          listener: (e: ChatEvent) => {
            if (e.state === "final") resolve({ text: e.text });
            else if (e.state === "error") resolve({ error: e.message });
            else if (e.state === "aborted") resolve({ error: "the run was stopped" });
            else if (e.state === "status" && e.approval && ownerChat) {
              void deps.channels.sendTo(ownerChat.channel, ownerChat.peer, `Scheduled job ${job.id}: ${approvalPrompt(e.approval)}`, { literal: true }).catch(() => {});
            }
          },
        });
      } catch (err) {
        resolve({ error: (err as Error).message });
      }
    });

  const scheduler = new CronScheduler({
    store: new CronStore(deps.db),
    logger: deps.logger,
    graceMs: deps.config().cron.graceMinutes * 60_000,
    agentExists: (id) => !!findAgent(deps.config(), id),
    defaultAgentId: () => defaultAgent(deps.config()).id,
    onChange: (e) => deps.broadcast("cron.changed", e),
    runner: {
      checkDelivery,
      async run(job) {
        if (!job.id.startsWith(HEARTBEAT_PREFIX)) return turn(job, job.prompt);
        const config = deps.config();
        const agent = findAgent(config, job.agentId);
        if (!agent) return { skipped: `agent ${job.agentId} is no longer configured` };
        const file = join(workspacePath(config, agent, deps.env), HEARTBEAT_FILE);
        // Opened without following a link or blocking and judged on the descriptor: the
        // workspace is the agent's, and a FIFO or link swapped in after a by-name check would
        // hang the gateway or be read.
        let bytes: Buffer | undefined;
        try {
          bytes = readRegularFile(file, HEARTBEAT_MAX_BYTES + 1);
        } catch {
          return { skipped: `no ${HEARTBEAT_FILE} in the workspace` };
        }
        if (!bytes) return { skipped: `${HEARTBEAT_FILE} is not a regular file` };
        if (bytes.length > HEARTBEAT_MAX_BYTES) return { skipped: `${HEARTBEAT_FILE} is larger than ${HEARTBEAT_MAX_BYTES} bytes` };
        const text = bytes.toString("utf8");
        if (!text.trim()) return { skipped: `${HEARTBEAT_FILE} is empty` };
        const r = await turn(job, heartbeatPrompt(text, new Date()));
        return "text" in r && heartbeatIsQuiet(r.text) ? { ...r, suppress: true } : r;
      },
      async deliver(job, text) {
        const t = job.deliver!;
        const d = checkDelivery(t);
        if (!d.allowed) throw new DeliveryRefused(d.reason);
        const r = await deps.channels.sendTo(t.channel, t.peer, text);
        if (!r.ok) throw new Error(r.error);
      },
    },
  });
  scheduler.setHeartbeats(heartbeatDefs(deps.config()));

  const mine = (agentId: string, sessionKey: string) => (j: CronJob) => j.agentId === agentId && j.createdBy === "agent" && j.createdFrom === sessionKey;
  const agentAccess: AgentCronAccess = {
    add(req) {
      const job = scheduler.add({ ...req.schedule, prompt: req.prompt, agentId: req.agentId, ...(req.name ? { name: req.name } : {}), ...(req.deliver ? { deliver: req.deliver } : {}) }, "agent", req.sessionKey, { askedByOwner: req.askedByOwner === true });
      return { id: job.id, schedule: describeSchedule(job.schedule), nextRunAt: intendedNext(job, Date.now()), approval: job.approval, deliver: job.deliver ? `${job.deliver.channel}:${job.deliver.peer}` : "nobody (it stays in the job's session)" };
    },
    list: (agentId, sessionKey) =>
      scheduler
        .list()
        .filter(mine(agentId, sessionKey))
        .map((j) => ({ id: j.id, name: j.name, schedule: describeSchedule(j.schedule), approval: j.approval, enabled: j.enabled, nextRunAt: intendedNext(j, Date.now()), prompt: j.prompt })),
    remove(agentId, sessionKey, id) {
      const job = scheduler.list().find((j) => j.id === id);
      if (!job || !mine(agentId, sessionKey)(job)) return false;
      scheduler.remove(id);
      return true;
    },
  };
  return { scheduler, agentAccess };
}

/** The next run a job has, or for a pending one the run it would have once approved. */
export function intendedNext(j: CronJob, now: number): number | null {
  if (j.nextRunAt !== null) return j.nextRunAt;
  if (j.approval !== "pending" || !j.enabled) return null;
  return j.schedule.kind === "at" ? j.schedule.at : nextRunAfter(j.schedule, now);
}

/** A job as clients see it (cron.list, cron.add …). */
export function jobRow(j: CronJob, running: boolean, now = Date.now()): CronJobRow {
  return {
    id: j.id,
    name: j.name,
    agentId: j.agentId,
    schedule: describeSchedule(j.schedule),
    scheduleSpec: j.schedule,
    prompt: j.prompt,
    sessionKey: j.sessionKey,
    deliver: j.deliver,
    enabled: j.enabled,
    approval: j.approval,
    createdBy: j.createdBy,
    createdFrom: j.createdFrom,
    createdAt: j.createdAt,
    nextRunAt: intendedNext(j, now),
    lastRunAt: j.lastRunAt,
    running,
    heartbeat: j.id.startsWith(HEARTBEAT_PREFIX),
  };
}
