// The job store's run history: the newest RUNS_KEPT rows of each job, whatever other jobs do.
import { describe, expect, it } from "vitest";
import { openStateDb } from "../infra/db.js";
import { CronStore, RUNS_KEPT, type CronRun } from "./cron-store.js";

const run = (jobId: string, startedAt: number): Omit<CronRun, "id"> => ({
  jobId,
  scheduledAt: startedAt,
  startedAt,
  finishedAt: startedAt,
  durationMs: 0,
  status: "ok",
  error: null,
  delivery: "delivered",
  deliveryError: null,
  output: `run at ${startedAt}`,
  trigger: "schedule",
});

describe("run history", () => {
  it("attack: a busy job's rows erased a quiet job's history (pruning counted every job's rows); control: each job keeps its newest RUNS_KEPT", () => {
    const store = new CronStore(openStateDb(":memory:"));
    let t = 0;
    for (let i = 0; i < 5; i++) {
      store.addRun(run("quiet", ++t));
      for (let k = 0; k < 100; k++) store.addRun(run("busy", ++t));
    }
    expect(store.runs("quiet", 500)).toHaveLength(5);
    const busy = store.runs("busy", 500);
    expect(busy).toHaveLength(RUNS_KEPT);
    expect(busy[0]!.startedAt).toBe(t);
    for (let i = 0; i < RUNS_KEPT + 10; i++) store.addRun(run("quiet", ++t));
    const quiet = store.runs("quiet", 500);
    expect(quiet).toHaveLength(RUNS_KEPT);
    expect(quiet.at(-1)!.startedAt).toBe(t - RUNS_KEPT + 1);
  });
});
