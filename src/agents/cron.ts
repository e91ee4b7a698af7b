// The scheduler for scheduled jobs (docs/cron.md). One timer for the whole gateway: it is
// armed for the earliest next run of all jobs and, when it fires, starts every job that is
// due, computes each one's next run (cron-schedule.ts) and re-arms. Jobs and history live
// in state.db (cron-store.ts), so a restart knows what it missed: within the grace window a
// missed run runs once at start, older ones are recorded as `missed`. A job never runs twice
// at once. Whether a job may run, and to whom its reply may go, is security/cron-policy.ts;
// the run itself (an agent turn in the job's own session) and the delivery are the runner's.
import { randomBytes } from "node:crypto";
import { agentMayPropose, jobMayRun, initialApproval, MAX_PENDING_AGENT_JOBS, type DeliveryDecision, type DeliveryTarget } from "../security/cron-policy.js";
import { cronSessionKey, heartbeatSessionKey, parseSessionKey } from "../security/session-scope.js";
import type { Logger } from "../infra/log.js";
import { nextRunAfter, parseSchedule, ScheduleError, type Schedule, type ScheduleSpec } from "./cron-schedule.js";
import { OUTPUT_CHARS, type CronJob, type CronRun, type CronStore, type DeliveryStatus, type RunStatus } from "./cron-store.js";

export type { CronJob, CronRun };

/** Time and timers, injectable so tests move a fake clock instead of sleeping. */
export interface Clock {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

/** What one run produced: the reply text, a failure, or a reason it did nothing (heartbeat without HEARTBEAT.md). */
export type RunResult = { text: string; suppress?: boolean } | { error: string } | { skipped: string };

export interface JobRunner {
  /** Run one agent turn for the job in its session; resolves when the turn ends. */
  run(job: CronJob): Promise<RunResult>;
  /** Deliver the reply; throws DeliveryRefused when the policy says no, any other error for a failed send. */
  deliver(job: CronJob, text: string): Promise<void>;
  /** The delivery decision for a target, as of now (asked at add/edit time). */
  checkDelivery(target: DeliveryTarget): DeliveryDecision;
}

export class DeliveryRefused extends Error {}

export class CronError extends Error {
  constructor(
    readonly code: "INVALID_REQUEST" | "NOT_FOUND" | "FORBIDDEN" | "CONFLICT",
    message: string,
  ) {
    super(message);
  }
}

export interface HeartbeatDef {
  agentId: string;
  everyMinutes: number;
  deliver?: DeliveryTarget;
}

export interface CronDeps {
  store: CronStore;
  runner: JobRunner;
  clock?: Clock;
  logger?: Logger;
  /** How late a run may start and still run (default 15 minutes); later ones are recorded as missed. */
  graceMs?: number;
  /** Delivery attempts before the run is recorded with delivery "failed" (default 3), and the first backoff (doubles). */
  deliveryAttempts?: number;
  deliveryBackoffMs?: number;
  /** Agents that exist (agents.list ids). */
  agentExists(id: string): boolean;
  defaultAgentId(): string;
  /** Called after any change (jobs or runs) — the gateway broadcasts `cron.changed`. */
  onChange?(e: { jobId: string; what: string }): void;
}

export interface AddJobInput extends ScheduleSpec {
  name?: string;
  agentId?: string;
  prompt: string;
  /** A session key of the job's agent; default its own agent:<id>:cron:<jobId>. */
  sessionKey?: string;
  deliver?: DeliveryTarget;
  enabled?: boolean;
}

export interface EditJobInput extends ScheduleSpec {
  name?: string;
  prompt?: string;
  sessionKey?: string;
  deliver?: DeliveryTarget | null;
}

export const MAX_PROMPT_CHARS = 20_000;
export const MAX_JOBS = 5_000;
export { MAX_PENDING_AGENT_JOBS };
export const HEARTBEAT_PREFIX = "heartbeat-";
/**
 * At most this many job turns run at once; the others wait their turn (their row says
 * `running` meanwhile). After a long downtime every job due within the grace window is due at
 * the same moment: without a bound they would all start model calls and sandboxes together.
 */
export const MAX_CONCURRENT_RUNS = 4;
const MAX_TIMER_MS = 2 ** 31 - 1;

export class CronScheduler {
  private jobs = new Map<string, CronJob>();
  private running = new Map<string, Promise<void>>();
  private busy = 0;
  private waiting: Array<() => void> = [];
  private timer: unknown;
  private timerAt: number | undefined;
  private started = false;
  private stopped = false;
  private readonly clock: Clock;
  private readonly graceMs: number;

  constructor(private deps: CronDeps) {
    this.clock = deps.clock ?? systemClock;
    this.graceMs = deps.graceMs ?? 15 * 60_000;
    for (const j of deps.store.list()) this.jobs.set(j.id, j);
  }

  /** Catch up on what the gateway missed while it was down, then arm the timer. */
  start(): void {
    this.started = true;
    const torn = this.deps.store.failUnfinished(this.clock.now());
    if (torn > 0) this.deps.logger?.warn("scheduled job runs were cut short by the last stop", { runs: torn });
    this.tick("catch-up");
  }

  /** Stop the timer and wait for runs in flight (their chat runs are stopped by the chat service). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.running.values()]);
  }

  list(): CronJob[] {
    return [...this.jobs.values()].map((j) => ({ ...j }));
  }

  get(id: string): CronJob {
    const j = this.jobs.get(id);
    if (!j) throw new CronError("NOT_FOUND", `no scheduled job "${id}"; see simpleclaw cron list.`);
    return j;
  }

  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  runs(jobId?: string, limit?: number): CronRun[] {
    if (jobId !== undefined) this.get(jobId);
    return this.deps.store.runs(jobId, limit);
  }

  /** Add a job. Operator jobs are approved at once; agent jobs wait for the owner (cron-policy.ts initialApproval). */
  add(input: AddJobInput, createdBy: "operator" | "agent", createdFrom?: string, opts: { askedByOwner?: boolean } = {}): CronJob {
    const now = this.clock.now();
    if (this.deps.store.list().length >= MAX_JOBS) throw new CronError("CONFLICT", `there are already ${MAX_JOBS} scheduled jobs; remove some first.`);
    if (createdBy === "agent") {
      const pending = [...this.jobs.values()].filter((j) => j.approval === "pending");
      const may = agentMayPropose({ total: pending.length, fromThisSession: pending.filter((j) => j.createdFrom === (createdFrom ?? null)).length }, opts.askedByOwner === true);
      if (!may.ok) throw new CronError("CONFLICT", may.reason);
    }
    const agentId = input.agentId ?? this.deps.defaultAgentId();
    if (!this.deps.agentExists(agentId)) throw new CronError("INVALID_REQUEST", `agent "${agentId}" is not in agents.list.`);
    const schedule = this.schedule(input, now);
    const id = randomBytes(4).toString("hex");
    const job: CronJob = {
      id,
      name: input.name?.trim() || null,
      agentId,
      schedule,
      prompt: this.prompt(input.prompt),
      sessionKey: input.sessionKey !== undefined ? this.session(input.sessionKey, agentId) : cronSessionKey(agentId, id),
      deliver: input.deliver ? this.target(input.deliver) : null,
      enabled: input.enabled ?? true,
      approval: initialApproval(createdBy),
      createdBy,
      createdFrom: createdFrom ?? null,
      createdAt: now,
      updatedAt: now,
      nextRunAt: null,
      lastRunAt: null,
    };
    job.nextRunAt = this.firstRun(job, now);
    this.deps.store.insert(job);
    this.jobs.set(id, job);
    this.deps.logger?.info("scheduled job added", { jobId: id, createdBy, approval: job.approval, schedule: JSON.stringify(schedule) });
    this.changed(id, "added");
    return { ...job };
  }

  edit(id: string, patch: EditJobInput): CronJob {
    const job = this.own(id);
    const now = this.clock.now();
    const next: CronJob = { ...job, updatedAt: now };
    if (patch.name !== undefined) next.name = patch.name.trim() || null;
    if (patch.prompt !== undefined) next.prompt = this.prompt(patch.prompt);
    if (patch.sessionKey !== undefined) next.sessionKey = this.session(patch.sessionKey, job.agentId);
    if (patch.deliver !== undefined) next.deliver = patch.deliver ? this.target(patch.deliver) : null;
    if (["cron", "at", "in", "every"].some((k) => patch[k as keyof ScheduleSpec] !== undefined)) next.schedule = this.schedule(patch, now);
    next.nextRunAt = this.firstRun(next, now);
    this.save(next);
    this.changed(id, "edited");
    return { ...next };
  }

  remove(id: string): void {
    this.own(id);
    this.deps.store.remove(id);
    this.jobs.delete(id);
    this.changed(id, "removed");
    this.arm();
  }

  setEnabled(id: string, enabled: boolean): CronJob {
    const job = this.own(id);
    const now = this.clock.now();
    const next = { ...job, enabled, updatedAt: now };
    next.nextRunAt = this.firstRun(next, now);
    this.save(next);
    this.changed(id, enabled ? "enabled" : "disabled");
    return { ...next };
  }

  /** The owner approves an agent-created job: from now on it runs on its schedule. */
  approve(id: string): CronJob {
    const job = this.own(id);
    if (job.approval === "approved") throw new CronError("CONFLICT", `job ${id} is already approved.`);
    const now = this.clock.now();
    const next: CronJob = { ...job, approval: "approved", updatedAt: now };
    next.nextRunAt = this.firstRun(next, now);
    this.save(next);
    this.deps.logger?.info("scheduled job approved", { jobId: id });
    this.changed(id, "approved");
    return { ...next };
  }

  /** The owner rejects a pending job: it is removed. */
  reject(id: string): void {
    const job = this.own(id);
    if (job.approval === "approved") throw new CronError("CONFLICT", `job ${id} is not pending; remove it with simpleclaw cron rm ${id}.`);
    this.deps.store.remove(id);
    this.jobs.delete(id);
    this.deps.logger?.info("scheduled job rejected", { jobId: id });
    this.changed(id, "rejected");
  }

  /** Run a job now, outside its schedule. Refused for a pending or disabled job, while it runs, and while the scheduler is off. */
  runNow(id: string): { started: true } {
    const job = this.get(id);
    // Not started: cron.enabled is false (the gateway never starts the scheduler then), and "no job runs" includes run-now.
    if (!this.started || this.stopped) throw new CronError("FORBIDDEN", `job ${id} cannot run: scheduled jobs are off (cron.enabled is false, or the gateway is stopping).`);
    const may = jobMayRun(job);
    if (!may.ok) throw new CronError("FORBIDDEN", `job ${id} cannot run: ${may.reason}.`);
    if (this.running.has(id)) throw new CronError("CONFLICT", `job ${id} is running already.`);
    this.launch(job, "manual", null);
    return { started: true };
  }

  /** Heartbeats from config (agents.list[].heartbeat): in-memory interval jobs, replaced on every config change. */
  setHeartbeats(defs: HeartbeatDef[]): void {
    const now = this.clock.now();
    const want = new Map(defs.map((d) => [`${HEARTBEAT_PREFIX}${d.agentId}`, d]));
    for (const id of [...this.jobs.keys()]) if (id.startsWith(HEARTBEAT_PREFIX) && !want.has(id)) this.jobs.delete(id);
    for (const [id, d] of want) {
      const everyMs = d.everyMinutes * 60_000;
      const old = this.jobs.get(id);
      if (old && old.schedule.kind === "every" && old.schedule.everyMs === everyMs) {
        old.deliver = d.deliver ?? null;
        continue;
      }
      const schedule: Schedule = { kind: "every", everyMs, anchor: now };
      this.jobs.set(id, {
        id,
        name: `heartbeat (${d.agentId})`,
        agentId: d.agentId,
        schedule,
        prompt: "",
        sessionKey: heartbeatSessionKey(d.agentId),
        deliver: d.deliver ?? null,
        enabled: true,
        approval: "approved",
        createdBy: "operator",
        createdFrom: "config",
        createdAt: now,
        updatedAt: now,
        nextRunAt: nextRunAfter(schedule, now),
        lastRunAt: null,
      });
    }
    if (this.started) this.arm();
  }

  /** Next run of every job, recomputed from their schedules (what the bench times). */
  computeNextRuns(now = this.clock.now()): number {
    let n = 0;
    for (const j of this.jobs.values()) if (nextRunAfter(j.schedule, now) !== null) n++;
    return n;
  }

  /** When the single timer fires next (undefined: not armed). */
  armedFor(): number | undefined {
    return this.timerAt;
  }

  // ---------------------------------------------------------------------------------------

  private own(id: string): CronJob {
    const job = this.get(id);
    if (id.startsWith(HEARTBEAT_PREFIX)) throw new CronError("INVALID_REQUEST", `${id} is configured in agents.list[].heartbeat; change it there.`);
    return job;
  }

  private save(job: CronJob): void {
    this.deps.store.update(job);
    this.jobs.set(job.id, job);
    this.arm();
  }

  private changed(jobId: string, what: string): void {
    try {
      this.deps.onChange?.({ jobId, what });
    } catch {
      // a listener's failure is not the scheduler's
    }
    if (this.started) this.arm();
  }

  private schedule(spec: ScheduleSpec, now: number): Schedule {
    try {
      return parseSchedule(spec, now);
    } catch (err) {
      if (err instanceof ScheduleError) throw new CronError("INVALID_REQUEST", err.message);
      throw err;
    }
  }

  private prompt(text: string): string {
    const t = text.trim();
    if (!t) throw new CronError("INVALID_REQUEST", "the job's prompt is empty.");
    if (t.length > MAX_PROMPT_CHARS) throw new CronError("INVALID_REQUEST", `the prompt has ${t.length} characters; the limit is ${MAX_PROMPT_CHARS}.`);
    return t;
  }

  private session(key: string, agentId: string): string {
    const p = parseSessionKey(key);
    if (!p) throw new CronError("INVALID_REQUEST", `"${key}" is not a session key (agent:<agentId>:…).`);
    if (p.agentId !== agentId) throw new CronError("INVALID_REQUEST", `session ${key} belongs to agent "${p.agentId}", not the job's agent "${agentId}".`);
    return key;
  }

  /** A delivery target is checked when the job is added or edited, and again at every delivery. */
  private target(t: DeliveryTarget): DeliveryTarget {
    const target: DeliveryTarget = { channel: t.channel, peer: String(t.peer), chat: t.chat ?? "direct" };
    const d = this.deps.runner.checkDelivery(target);
    if (!d.allowed) throw new CronError("FORBIDDEN", `cannot deliver to ${target.channel}:${target.peer}: ${d.reason}. Jobs deliver only to the owner or to senders and groups the channel already admits.`);
    return target;
  }

  /**
   * The first run to aim for after a change; only runnable jobs have one. A one-shot keeps its
   * time (so a late approval within grace still runs it) unless it already ran at or after it.
   */
  private firstRun(job: CronJob, now: number): number | null {
    if (!jobMayRun(job).ok) return null;
    if (job.schedule.kind === "at") return job.lastRunAt === null || job.schedule.at > job.lastRunAt ? job.schedule.at : null;
    return nextRunAfter(job.schedule, now);
  }

  /** Arm the one timer for the earliest next run. */
  private arm(): void {
    if (!this.started || this.stopped) return;
    let earliest: number | undefined;
    for (const j of this.jobs.values()) if (j.nextRunAt !== null && (earliest === undefined || j.nextRunAt < earliest)) earliest = j.nextRunAt;
    if (earliest === this.timerAt && this.timer !== undefined) return;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.timerAt = earliest;
    if (earliest === undefined) return;
    const delay = Math.min(Math.max(0, earliest - this.clock.now()), MAX_TIMER_MS);
    this.timer = this.clock.setTimer(() => {
      this.timer = undefined;
      this.timerAt = undefined;
      this.tick("schedule");
    }, delay);
  }

  /** Start every due job: late beyond grace → missed; still running → skipped; else run. */
  private tick(trigger: "schedule" | "catch-up"): void {
    if (this.stopped) return;
    const now = this.clock.now();
    for (const job of this.jobs.values()) {
      if (job.nextRunAt === null || job.nextRunAt > now) continue;
      const scheduled = job.nextRunAt;
      if (!jobMayRun(job).ok) {
        this.persist(job, { nextRunAt: null });
        continue;
      }
      const after = Math.max(now, scheduled);
      this.persist(job, job.schedule.kind === "at" ? { nextRunAt: null, enabled: false } : { nextRunAt: nextRunAfter(job.schedule, after) });
      const late = now - scheduled;
      if (late > this.graceMs) {
        this.record(job, { scheduledAt: scheduled, startedAt: now, status: "missed", error: `the gateway was not running (or was suspended) at ${new Date(scheduled).toISOString()}; missed by ${Math.round(late / 60_000)} min, more than the ${Math.round(this.graceMs / 60_000)} min grace`, trigger });
        continue;
      }
      if (this.running.has(job.id)) {
        this.record(job, { scheduledAt: scheduled, startedAt: now, status: "skipped", error: "the previous run was still going", trigger });
        continue;
      }
      this.launch(job, late > 1000 && trigger === "catch-up" ? "catch-up" : "schedule", scheduled);
    }
    this.arm();
  }

  private persist(job: CronJob, patch: Partial<CronJob>): void {
    Object.assign(job, patch);
    if (!job.id.startsWith(HEARTBEAT_PREFIX)) this.deps.store.update(job);
  }

  /** Write a run's row, or close the "running" row `runId` written when it started. Returns the row id. */
  private record(job: CronJob, r: Partial<CronRun> & { startedAt: number; status: RunStatus; trigger: string }, runId?: number): number | undefined {
    if (!this.jobs.has(job.id)) return undefined; // removed (or rejected) while it ran: its history went with it
    const outcome = {
      finishedAt: r.status === "running" ? null : (r.finishedAt ?? r.startedAt),
      durationMs: r.status === "running" ? null : (r.durationMs ?? 0),
      status: r.status,
      error: r.error ?? null,
      delivery: r.delivery ?? "none",
      deliveryError: r.deliveryError ?? null,
      output: r.output ?? null,
    };
    if (runId !== undefined) this.deps.store.finishRun(runId, outcome);
    else runId = this.deps.store.addRun({ jobId: job.id, scheduledAt: r.scheduledAt ?? null, startedAt: r.startedAt, trigger: r.trigger, ...outcome });
    if (r.status === "running") {
      this.changed(job.id, "run");
      return runId;
    }
    if (r.status !== "ok") this.deps.logger?.warn(`scheduled job ${r.status}`, { jobId: job.id, error: r.error ?? undefined });
    this.changed(job.id, "run");
    return runId;
  }

  private launch(job: CronJob, trigger: string, scheduledAt: number | null): void {
    const startedAt = this.clock.now();
    this.persist(job, { lastRunAt: startedAt });
    const p = this.execute(job, trigger, scheduledAt, startedAt).finally(() => {
      this.running.delete(job.id);
      this.changed(job.id, "finished");
    });
    this.running.set(job.id, p);
    this.changed(job.id, "started");
  }

  private async execute(job: CronJob, trigger: string, scheduledAt: number | null, startedAt: number): Promise<void> {
    const runId = this.record(job, { scheduledAt, startedAt, status: "running", trigger });
    let result: RunResult;
    // Free place: the turn starts now, in this same tick; else wait for one.
    if (this.busy < MAX_CONCURRENT_RUNS) this.busy++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      // Waiting for a slot can take a while: the job may be gone, or the gateway stopping.
      const current = this.jobs.get(job.id);
      if (this.stopped) result = { skipped: "the gateway stopped before the run's turn came" };
      else if (!current) result = { skipped: "the job was removed before its run started" };
      else if (current.approval !== "approved") result = { skipped: "the job was changed and waits for the owner's approval again" };
      else result = await this.deps.runner.run({ ...current });
    } catch (err) {
      result = { error: err instanceof Error ? err.message : String(err) };
    } finally {
      this.release();
    }
    const finishedAt = this.clock.now();
    const base = { scheduledAt, startedAt, finishedAt, durationMs: finishedAt - startedAt, trigger };
    if ("skipped" in result) return void this.record(job, { ...base, status: "skipped", error: result.skipped }, runId);
    if ("error" in result) return void this.record(job, { ...base, status: "error", error: result.error }, runId);
    const output = result.text.slice(0, OUTPUT_CHARS);
    let delivery: DeliveryStatus = "none";
    let deliveryError: string | undefined;
    // Delivery follows the job as it is when the reply is ready, not as it was at the start.
    const now = this.jobs.get(job.id);
    if (now?.deliver && result.suppress) delivery = "suppressed";
    else if (now?.deliver && result.text.trim()) {
      ({ delivery, deliveryError } = await this.deliver(job.id, result.text));
    }
    this.record(job, { ...base, status: "ok", output, delivery, ...(deliveryError ? { deliveryError } : {}) }, runId);
  }

  /** Hand the place to the longest waiting run, or free it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy--;
  }

  /**
   * Deliver with bounded retries and backoff; a refusal is final. Every outcome lands in the
   * run's row. Each attempt takes the job as it is then: one removed while it ran (or during a
   * backoff) delivers nothing, and a recipient the owner changed or removed is the one used —
   * the owner's edit takes effect for a run already in flight, never the old target.
   */
  private async deliver(jobId: string, text: string): Promise<{ delivery: DeliveryStatus; deliveryError?: string }> {
    const attempts = this.deps.deliveryAttempts ?? 3;
    let wait = this.deps.deliveryBackoffMs ?? 2000;
    let last = "";
    for (let i = 1; i <= attempts; i++) {
      const job = this.jobs.get(jobId);
      if (!job) return { delivery: "none", deliveryError: "the job was removed before its reply was delivered" };
      if (!job.deliver) return { delivery: "none" };
      try {
        await this.deps.runner.deliver({ ...job }, text);
        return { delivery: "delivered" };
      } catch (err) {
        if (err instanceof DeliveryRefused) return { delivery: "refused", deliveryError: err.message };
        last = err instanceof Error ? err.message : String(err);
        if (i < attempts && !this.stopped) {
          await this.clock.sleep(wait);
          wait *= 2;
        }
      }
    }
    return { delivery: "failed", deliveryError: `${last} (after ${attempts} attempts)` };
  }
}
