// Scheduled jobs and their run history in state.db (docs/cron.md). A job row carries its
// next run time, so a restart knows what it missed; every run, refusal, skip and miss
// is a row in cron_runs with status, duration and error, never dropped silently.
import type { StatementSync } from "node:sqlite";
import { migrate, statementCache, transaction, type Db } from "../infra/db.js";
import type { DeliveryTarget, JobApproval } from "../security/cron-policy.js";
import type { Schedule } from "./cron-schedule.js";

export interface CronJob {
  id: string;
  name: string | null;
  agentId: string;
  schedule: Schedule;
  prompt: string;
  sessionKey: string;
  deliver: DeliveryTarget | null;
  enabled: boolean;
  approval: JobApproval;
  /** "operator" (CLI, Control UI, RPC) or "agent" (the cron tool). */
  createdBy: "operator" | "agent";
  /** For agent-created jobs: the session whose run created it. */
  createdFrom: string | null;
  createdAt: number;
  updatedAt: number;
  nextRunAt: number | null;
  lastRunAt: number | null;
}

/** "running" is written when a run starts, so a run the gateway dies in still leaves its row. */
export type RunStatus = "running" | "ok" | "error" | "missed" | "skipped" | "refused";
export type DeliveryStatus = "none" | "delivered" | "failed" | "refused" | "suppressed";

export interface CronRun {
  id: number;
  jobId: string;
  scheduledAt: number | null;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
  status: RunStatus;
  error: string | null;
  delivery: DeliveryStatus;
  deliveryError: string | null;
  /** The start of the reply (at most OUTPUT_CHARS). */
  output: string | null;
  /** "schedule", "manual" (run now), "catch-up" (missed within grace, run at start). */
  trigger: string;
}

export const OUTPUT_CHARS = 2000;
/** Runs kept per job; older rows are pruned as new ones land. */
export const RUNS_KEPT = 200;

const MIGRATIONS = [
  `CREATE TABLE cron_jobs (
     id TEXT PRIMARY KEY, name TEXT, agent_id TEXT NOT NULL, schedule TEXT NOT NULL, prompt TEXT NOT NULL,
     session_key TEXT NOT NULL, deliver TEXT, enabled INTEGER NOT NULL, approval TEXT NOT NULL,
     created_by TEXT NOT NULL, created_from TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
     next_run_at INTEGER, last_run_at INTEGER);
   CREATE TABLE cron_runs (
     id INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL, scheduled_at INTEGER, started_at INTEGER NOT NULL,
     finished_at INTEGER, duration_ms INTEGER, status TEXT NOT NULL, error TEXT, delivery TEXT NOT NULL DEFAULT 'none',
     delivery_error TEXT, output TEXT, trigger TEXT NOT NULL DEFAULT 'schedule');
   CREATE INDEX cron_runs_by_job ON cron_runs (job_id, id);`,
];

export class CronStore {
  private readonly sql: (text: string) => StatementSync;

  constructor(private db: Db) {
    migrate(db, "cron", MIGRATIONS);
    this.sql = statementCache(db);
  }

  list(): CronJob[] {
    return (this.sql("SELECT * FROM cron_jobs ORDER BY created_at, id").all() as Array<Record<string, unknown>>).map(toJob);
  }

  get(id: string): CronJob | undefined {
    const row = this.sql("SELECT * FROM cron_jobs WHERE id = ?").get(id) as Record<string, unknown> | undefined;
    return row ? toJob(row) : undefined;
  }

  insert(job: CronJob): void {
    this.sql(
      `INSERT INTO cron_jobs (id, name, agent_id, schedule, prompt, session_key, deliver, enabled, approval, created_by, created_from,
         created_at, updated_at, next_run_at, last_run_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(...jobValues(job));
  }

  update(job: CronJob): void {
    this.sql(
      `UPDATE cron_jobs SET name = ?, agent_id = ?, schedule = ?, prompt = ?, session_key = ?, deliver = ?, enabled = ?, approval = ?,
         created_by = ?, created_from = ?, created_at = ?, updated_at = ?, next_run_at = ?, last_run_at = ? WHERE id = ?`,
    ).run(...jobValues(job).slice(1), job.id);
  }

  remove(id: string): boolean {
    return transaction(this.db, () => {
      this.sql("DELETE FROM cron_runs WHERE job_id = ?").run(id);
      return Number(this.sql("DELETE FROM cron_jobs WHERE id = ?").run(id).changes) > 0;
    });
  }

  /** Record a run (status, times, delivery); returns its id. Keeps the newest RUNS_KEPT per job. */
  addRun(r: Omit<CronRun, "id">): number {
    return transaction(this.db, () => {
      const id = Number(
        this.sql(
          `INSERT INTO cron_runs (job_id, scheduled_at, started_at, finished_at, duration_ms, status, error, delivery, delivery_error, output, trigger)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(r.jobId, r.scheduledAt, r.startedAt, r.finishedAt, r.durationMs, r.status, r.error, r.delivery, r.deliveryError, r.output?.slice(0, OUTPUT_CHARS) ?? null, r.trigger).lastInsertRowid,
      );
      // This job's own rows beyond its newest RUNS_KEPT (ids are shared by every job, so a
      // distance in ids would let a busy job's rows push a quiet job's history out).
      this.sql(
        "DELETE FROM cron_runs WHERE job_id = ? AND id <= (SELECT id FROM cron_runs WHERE job_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
      ).run(r.jobId, r.jobId, RUNS_KEPT);
      return id;
    });
  }

  /** Close a run written as "running" with its outcome. */
  finishRun(id: number, r: Omit<CronRun, "id" | "jobId" | "scheduledAt" | "startedAt" | "trigger">): void {
    this.sql(
      `UPDATE cron_runs SET finished_at = ?, duration_ms = ?, status = ?, error = ?, delivery = ?, delivery_error = ?, output = ? WHERE id = ?`,
    ).run(r.finishedAt, r.durationMs, r.status, r.error, r.delivery, r.deliveryError, r.output?.slice(0, OUTPUT_CHARS) ?? null, id);
  }

  /** Runs still "running" from a gateway that stopped (a crash, kill -9) become errors; returns how many. */
  failUnfinished(now: number): number {
    return Number(
      this.sql(`UPDATE cron_runs SET status = 'error', finished_at = ?, duration_ms = ? - started_at, error = ? WHERE status = 'running'`).run(
        now,
        now,
        "the gateway stopped while this run was in progress (a crash or a kill); it was not finished",
      ).changes,
    );
  }

  runs(jobId?: string, limit = 50): CronRun[] {
    const rows = (
      jobId
        ? this.sql("SELECT * FROM cron_runs WHERE job_id = ? ORDER BY id DESC LIMIT ?").all(jobId, limit)
        : this.sql("SELECT * FROM cron_runs ORDER BY id DESC LIMIT ?").all(limit)
    ) as Array<Record<string, unknown>>;
    return rows.map(toRun);
  }
}

function jobValues(j: CronJob): Array<string | number | null> {
  return [
    j.id,
    j.name,
    j.agentId,
    JSON.stringify(j.schedule),
    j.prompt,
    j.sessionKey,
    j.deliver ? JSON.stringify(j.deliver) : null,
    j.enabled ? 1 : 0,
    j.approval,
    j.createdBy,
    j.createdFrom,
    j.createdAt,
    j.updatedAt,
    j.nextRunAt,
    j.lastRunAt,
  ];
}

function toJob(r: Record<string, unknown>): CronJob {
  return {
    id: r.id as string,
    name: (r.name as string | null) ?? null,
    agentId: r.agent_id as string,
    schedule: JSON.parse(r.schedule as string) as Schedule,
    prompt: r.prompt as string,
    sessionKey: r.session_key as string,
    deliver: r.deliver ? (JSON.parse(r.deliver as string) as DeliveryTarget) : null,
    enabled: r.enabled === 1,
    approval: r.approval === "approved" ? "approved" : "pending",
    createdBy: r.created_by === "operator" ? "operator" : "agent",
    createdFrom: (r.created_from as string | null) ?? null,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    nextRunAt: (r.next_run_at as number | null) ?? null,
    lastRunAt: (r.last_run_at as number | null) ?? null,
  };
}

function toRun(r: Record<string, unknown>): CronRun {
  return {
    id: r.id as number,
    jobId: r.job_id as string,
    scheduledAt: (r.scheduled_at as number | null) ?? null,
    startedAt: r.started_at as number,
    finishedAt: (r.finished_at as number | null) ?? null,
    durationMs: (r.duration_ms as number | null) ?? null,
    status: r.status as RunStatus,
    error: (r.error as string | null) ?? null,
    delivery: r.delivery as DeliveryStatus,
    deliveryError: (r.delivery_error as string | null) ?? null,
    output: (r.output as string | null) ?? null,
    trigger: r.trigger as string,
  };
}

/**
 * The jobs in a state.db, opened read-only (the audit reads them while the gateway runs):
 * [] when there is no database or no jobs table yet.
 */
export async function readJobsReadOnly(dbPath: string): Promise<CronJob[]> {
  const { existsSync } = await import("node:fs");
  if (!existsSync(dbPath)) return [];
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    const has = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'cron_jobs'").get();
    if (!has) return [];
    return (db.prepare("SELECT * FROM cron_jobs ORDER BY created_at, id").all() as Array<Record<string, unknown>>).map(toJob);
  } finally {
    db.close();
  }
}
