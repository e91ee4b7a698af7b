// The scheduler against a fake clock and one fake timer queue: no test sleeps real minutes.
import { describe, expect, it } from "vitest";
import { openStateDb } from "../infra/db.js";
import { CronStore } from "./cron-store.js";
import { CronScheduler, DeliveryRefused, MAX_CONCURRENT_RUNS, MAX_PENDING_AGENT_JOBS, type Clock, type JobRunner, type RunResult } from "./cron.js";
import type { CronJob } from "./cron-store.js";

class FakeClock implements Clock {
  timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private seq = 0;
  constructor(public t: number) {}
  now = () => this.t;
  setTimer = (fn: () => void, ms: number) => {
    const id = ++this.seq;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimer = (h: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== h);
  };
  sleep = (ms: number) => new Promise<void>((r) => this.setTimer(r, ms));
  /** Move time forward, firing every timer that comes due, in order, letting promises settle between. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flush();
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
    await flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((r) => setImmediate(r));
}

interface Harness {
  clock: FakeClock;
  store: CronStore;
  cron: CronScheduler;
  runs: Array<{ id: string; at: number }>;
  delivered: Array<{ id: string; text: string }>;
  runner: JobRunner & { result: (job: CronJob) => RunResult | Promise<RunResult>; deliverImpl: (job: CronJob, text: string) => Promise<void> };
}

function harness(start: string | number, opts: { store?: CronStore; runner?: Harness["runner"]; runs?: Harness["runs"]; graceMs?: number; start?: boolean } = {}): Harness {
  const clock = new FakeClock(typeof start === "number" ? start : Date.parse(start));
  const store = opts.store ?? new CronStore(openStateDb(":memory:"));
  const runs = opts.runs ?? [];
  const delivered: Array<{ id: string; text: string }> = [];
  const runner =
    opts.runner ??
    ({
      result: (job: CronJob) => ({ text: `done ${job.id}` }),
      deliverImpl: async (job: CronJob, text: string) => void delivered.push({ id: job.id, text }),
      async run(job: CronJob) {
        runs.push({ id: job.id, at: clock.now() });
        return this.result(job);
      },
      deliver(job: CronJob, text: string) {
        return this.deliverImpl(job, text);
      },
      checkDelivery: (t) => (t.peer === "stranger" ? { allowed: false, reason: "not admitted" } : { allowed: true, owner: t.peer === "owner" }),
    } as Harness["runner"]);
  const cron = new CronScheduler({
    store,
    runner,
    clock,
    graceMs: opts.graceMs ?? 15 * 60_000,
    agentExists: (id) => id === "main",
    defaultAgentId: () => "main",
    deliveryBackoffMs: 1000,
  });
  if (opts.start !== false) cron.start();
  return { clock, store, cron, runs, delivered, runner };
}

const iso = (t: number) => new Date(t).toISOString();

describe("cron schedules in time zones", () => {
  it("02:30 Europe/Berlin on the spring-forward day runs once (at 03:30 CEST), then at 02:30 again", async () => {
    const h = harness("2026-03-28T12:00:00Z");
    h.cron.add({ cron: "30 2 * * *", tz: "Europe/Berlin", prompt: "p" }, "operator");
    await h.clock.advance(3 * 86_400_000);
    expect(h.runs.map((r) => iso(r.at))).toEqual(["2026-03-29T01:30:00.000Z", "2026-03-30T00:30:00.000Z", "2026-03-31T00:30:00.000Z"]);
  });

  it("01:30 America/New_York on the fall-back day runs once, not at both 01:30s", async () => {
    const h = harness("2026-10-31T12:00:00Z");
    h.cron.add({ cron: "30 1 * * *", tz: "America/New_York", prompt: "p" }, "operator");
    await h.clock.advance(86_400_000);
    expect(h.runs.map((r) => iso(r.at))).toEqual(["2026-11-01T05:30:00.000Z"]);
    await h.clock.advance(86_400_000);
    expect(h.runs.map((r) => iso(r.at))).toEqual(["2026-11-01T05:30:00.000Z", "2026-11-02T06:30:00.000Z"]);
  });

  it("an unknown time zone or a bad expression is refused with one sentence", () => {
    const h = harness("2026-01-01T00:00:00Z");
    expect(() => h.cron.add({ cron: "0 9 * * *", tz: "Mars/Olympus", prompt: "p" }, "operator")).toThrow(/not a time zone/);
    expect(() => h.cron.add({ cron: "every day", prompt: "p" }, "operator")).toThrow(/not a cron expression/);
    expect(() => h.cron.add({ cron: "0 9 * * *", every: "1h", prompt: "p" }, "operator")).toThrow(/exactly one schedule/);
  });
});

describe("one-shot and interval jobs", () => {
  it('"in 20m" runs once 20 minutes later and then disables itself', async () => {
    const h = harness("2026-05-01T10:00:00Z");
    const job = h.cron.add({ in: "20m", prompt: "remind me" }, "operator");
    await h.clock.advance(19 * 60_000);
    expect(h.runs).toEqual([]);
    await h.clock.advance(60_000);
    expect(h.runs.map((r) => iso(r.at))).toEqual(["2026-05-01T10:20:00.000Z"]);
    await h.clock.advance(86_400_000);
    expect(h.runs).toHaveLength(1);
    expect(h.cron.get(job.id)).toMatchObject({ enabled: false, nextRunAt: null });
  });

  it("a one-shot that ran can be given a new time and enabled again; enabling it alone does not repeat it", async () => {
    const h = harness("2026-05-01T10:00:00Z");
    const job = h.cron.add({ in: "5m", prompt: "once" }, "operator");
    await h.clock.advance(10 * 60_000);
    expect(h.runs).toHaveLength(1);
    h.cron.setEnabled(job.id, true);
    await h.clock.advance(60 * 60_000);
    expect(h.runs).toHaveLength(1);
    h.cron.edit(job.id, { in: "10m" });
    await h.clock.advance(10 * 60_000);
    expect(h.runs.map((r) => iso(r.at))).toEqual(["2026-05-01T10:05:00.000Z", "2026-05-01T11:20:00.000Z"]);
  });

  it("an absolute ISO time runs at that instant; a past one is refused", async () => {
    const h = harness("2026-05-01T10:00:00Z");
    h.cron.add({ at: "2026-05-01T14:15:00+02:00", prompt: "p" }, "operator");
    expect(() => h.cron.add({ at: "2026-05-01T09:00:00Z", prompt: "p" }, "operator")).toThrow(/in the past/);
    expect(() => h.cron.add({ at: "2026-05-01 14:15", prompt: "p" }, "operator")).toThrow(/ISO time with a zone/);
    await h.clock.advance(3 * 3_600_000);
    expect(h.runs.map((r) => iso(r.at))).toEqual(["2026-05-01T12:15:00.000Z"]);
  });

  it("an interval runs every N minutes; under a minute is refused", async () => {
    const h = harness("2026-05-01T10:00:00Z");
    h.cron.add({ every: "30m", prompt: "p" }, "operator");
    expect(() => h.cron.add({ every: "10s", prompt: "p" }, "operator")).toThrow(/at least 1m/);
    await h.clock.advance(2 * 3_600_000);
    expect(h.runs.map((r) => iso(r.at))).toEqual(["10:30", "11:00", "11:30", "12:00"].map((t) => `2026-05-01T${t}:00.000Z`));
  });

  it("one timer serves every job: at most one is ever armed, for the earliest run", async () => {
    const h = harness("2026-05-01T10:00:00Z");
    for (let i = 1; i <= 50; i++) h.cron.add({ every: `${i + 1}m`, prompt: "p" }, "operator");
    expect(h.clock.timers).toHaveLength(1);
    expect(h.clock.timers[0]!.at).toBe(Date.parse("2026-05-01T10:02:00Z"));
    await h.clock.advance(10 * 60_000);
    expect(h.clock.timers.length).toBeLessThanOrEqual(1);
  });
});

describe("restarts, overlap, enable/disable and history", () => {
  it("a run missed while the gateway was down runs once at start within the grace window; an older one is recorded as missed", async () => {
    const store = new CronStore(openStateDb(":memory:"));
    const runs: Harness["runs"] = [];
    const first = harness("2026-05-01T10:00:00Z", { store, runs });
    const hourly = first.cron.add({ every: "1h", prompt: "hourly" }, "operator");
    const daily = first.cron.add({ cron: "0 6 * * *", tz: "UTC", prompt: "daily" }, "operator");
    await first.cron.stop();
    // Down from 10:00 until 11:05 (hourly's 11:00 is 5 min late) … and daily's 06:00 next day is hours late.
    const second = harness("2026-05-01T11:05:00Z", { store, runs });
    await second.clock.advance(0);
    expect(runs.map((r) => r.id)).toEqual([hourly.id]);
    expect(second.cron.runs(hourly.id)[0]).toMatchObject({ status: "ok", trigger: "catch-up", scheduledAt: Date.parse("2026-05-01T11:00:00Z") });
    await second.cron.stop();
    const third = harness("2026-05-02T09:00:00Z", { store, runs });
    await third.clock.advance(0);
    expect(runs.map((r) => r.id)).toEqual([hourly.id]); // both are far past grace: nothing runs
    expect(third.cron.runs(daily.id)[0]).toMatchObject({ status: "missed", scheduledAt: Date.parse("2026-05-02T06:00:00Z") });
    expect(third.cron.runs(hourly.id)[0]).toMatchObject({ status: "missed" });
    // …and the schedule goes on from now, once per occurrence.
    await third.clock.advance(3_600_000);
    expect(runs.map((r) => iso(r.at))).toEqual(["2026-05-01T11:05:00.000Z", "2026-05-02T10:00:00.000Z"]);
  });

  it("after a downtime, the jobs that are all due at once run at most MAX_CONCURRENT_RUNS at a time, and every one of them runs", async () => {
    const store = new CronStore(openStateDb(":memory:"));
    const runs: Harness["runs"] = [];
    const first = harness("2026-05-01T10:00:00Z", { store, runs });
    const ids = Array.from({ length: 10 }, (_, i) => first.cron.add({ every: "1h", prompt: `job ${i}` }, "operator").id);
    await first.cron.stop();
    const second = harness("2026-05-01T11:05:00Z", { store, runs, start: false });
    let inFlight = 0;
    let most = 0;
    const finish: Array<() => void> = [];
    second.runner.result = () => {
      most = Math.max(most, ++inFlight);
      return new Promise<RunResult>((r) => finish.push(() => (inFlight--, r({ text: "ok" }))));
    };
    second.cron.start();
    await second.clock.advance(0);
    expect(MAX_CONCURRENT_RUNS).toBe(4);
    expect(runs).toHaveLength(MAX_CONCURRENT_RUNS); // the rest wait for a place
    // a waiting job removed meanwhile never starts
    const waitingId = ids.find((id) => !runs.some((r) => r.id === id))!;
    second.cron.remove(waitingId);
    while (finish.length > 0) {
      finish.shift()!();
      await second.clock.advance(0);
    }
    expect(most).toBe(MAX_CONCURRENT_RUNS);
    expect(new Set(runs.map((r) => r.id))).toEqual(new Set(ids.filter((id) => id !== waitingId)));
    for (const id of ids.filter((id) => id !== waitingId)) expect(second.cron.runs(id)[0]).toMatchObject({ status: "ok", trigger: "catch-up" });
  });

  it("a run the gateway dies in (no stop, like kill -9) is in the history as an error after the restart, not lost", async () => {
    const store = new CronStore(openStateDb(":memory:"));
    const first = harness("2026-05-01T10:00:00Z", { store });
    first.runner.result = () => new Promise<RunResult>(() => {}); // never finishes: the process dies first
    const job = first.cron.add({ every: "1h", prompt: "p" }, "operator");
    first.cron.runNow(job.id);
    expect(first.cron.runs(job.id).map((r) => r.status)).toEqual(["running"]);
    // a new process on the same state.db
    const second = harness("2026-05-01T10:20:00Z", { store });
    const [row] = second.cron.runs(job.id);
    expect(row).toMatchObject({ status: "error", finishedAt: Date.parse("2026-05-01T10:20:00Z"), durationMs: 20 * 60_000 });
    expect(row!.error).toMatch(/stopped while this run was in progress/);
  });

  it("a long run is never doubled: the next tick records a skip instead of starting a second run", async () => {
    let release!: () => void;
    const h = harness("2026-05-01T10:00:00Z");
    h.runner.result = () => new Promise<RunResult>((r) => (release = () => r({ text: "finally" })));
    const job = h.cron.add({ every: "1m", prompt: "slow" }, "operator");
    await h.clock.advance(3.5 * 60_000);
    expect(h.runs).toHaveLength(1);
    expect(h.cron.isRunning(job.id)).toBe(true);
    expect(() => h.cron.runNow(job.id)).toThrow(/running already/);
    // newest first: the run in flight has its row from the start
    expect(h.cron.runs(job.id).map((r) => r.status)).toEqual(["skipped", "skipped", "running"]);
    release();
    await h.clock.advance(60_000);
    // The first run finished (its row closed as ok); the 10:04 tick started the second (slow again).
    expect(h.cron.runs(job.id).map((r) => r.status)).toEqual(["running", "skipped", "skipped", "ok"]);
    expect(h.runs.map((r) => iso(r.at))).toEqual(["2026-05-01T10:01:00.000Z", "2026-05-01T10:04:00.000Z"]);
  });

  it("a run in flight is still recorded when its job is disabled meanwhile; a removed job leaves no orphan history", async () => {
    let release!: () => void;
    const h = harness("2026-05-01T10:00:00Z");
    h.runner.result = () => new Promise<RunResult>((r) => (release = () => r({ text: "late" })));
    const job = h.cron.add({ every: "1h", prompt: "p" }, "operator");
    h.cron.runNow(job.id);
    h.cron.setEnabled(job.id, false);
    release();
    await h.clock.advance(0);
    expect(h.cron.runs(job.id).map((r) => [r.status, r.trigger])).toEqual([["ok", "manual"]]);
    const gone = h.cron.add({ every: "1h", prompt: "q" }, "operator");
    h.cron.runNow(gone.id);
    h.cron.remove(gone.id);
    release();
    await h.clock.advance(0);
    expect(h.store.runs(gone.id)).toEqual([]);
  });

  it("a disabled job does not run; enabling it resumes from now", async () => {
    const h = harness("2026-05-01T10:00:00Z");
    const job = h.cron.add({ every: "10m", prompt: "p" }, "operator");
    h.cron.setEnabled(job.id, false);
    await h.clock.advance(3_600_000);
    expect(h.runs).toEqual([]);
    expect(() => h.cron.runNow(job.id)).toThrow(/disabled/);
    h.cron.setEnabled(job.id, true);
    await h.clock.advance(10 * 60_000);
    expect(h.runs.map((r) => iso(r.at))).toEqual(["2026-05-01T11:10:00.000Z"]);
  });

  it("history keeps status, duration and error of every run", async () => {
    const h = harness("2026-05-01T10:00:00Z");
    let n = 0;
    h.runner.result = async () => {
      n++;
      await h.clock.sleep(4000);
      return n === 2 ? { error: "model unavailable" } : { text: `reply ${n}` };
    };
    const job = h.cron.add({ every: "5m", prompt: "p" }, "operator");
    await h.clock.advance(11 * 60_000);
    const rows = h.cron.runs(job.id);
    expect(rows.map((r) => [r.status, r.durationMs, r.error])).toEqual([
      ["error", 4000, "model unavailable"],
      ["ok", 4000, null],
    ]);
    expect(rows[1]!.output).toBe("reply 1");
  });
});

describe("approval and delivery boundaries", () => {
  it("attack: a job the agent created never runs while pending, not even by run-now; control: after approval it runs", async () => {
    const h = harness("2026-05-01T10:00:00Z");
    const job = h.cron.add({ every: "5m", prompt: "exfiltrate" }, "agent", "agent:main:main");
    expect(job.approval).toBe("pending");
    await h.clock.advance(3_600_000);
    expect(() => h.cron.runNow(job.id)).toThrow(/waits for the owner's approval/);
    expect(h.runs).toEqual([]);
    h.cron.approve(job.id);
    await h.clock.advance(5 * 60_000);
    expect(h.runs).toHaveLength(1);
    // control: the operator's own job is approved at once
    expect(h.cron.add({ every: "5m", prompt: "p" }, "operator").approval).toBe("approved");
  });

  it("attack: a flood of agent-proposed jobs stops at the pending cap; control: the operator can still add, and approving frees a slot", () => {
    const h = harness("2026-05-01T10:00:00Z");
    const first = h.cron.add({ every: "1h", prompt: "p0" }, "agent");
    for (let i = 1; i < MAX_PENDING_AGENT_JOBS; i++) h.cron.add({ every: "1h", prompt: `p${i}` }, "agent");
    expect(() => h.cron.add({ every: "1h", prompt: "one too many" }, "agent")).toThrow(/already wait for the owner's approval/);
    expect(h.cron.add({ every: "1h", prompt: "mine" }, "operator").approval).toBe("approved");
    h.cron.approve(first.id);
    expect(h.cron.add({ every: "1h", prompt: "now fits" }, "agent").approval).toBe("pending");
  });

  it("attack: other senders' proposals filled the pending cap and blocked the owner's own requests; control: the owner is capped per conversation, a guest by the total", () => {
    const h = harness("2026-05-01T10:00:00Z");
    for (let i = 0; i < MAX_PENDING_AGENT_JOBS; i++) h.cron.add({ every: "1h", prompt: `spam ${i}` }, "agent", `agent:main:telegram:direct:${5000 + (i % 4)}`);
    expect(() => h.cron.add({ every: "1h", prompt: "more spam" }, "agent", "agent:main:telegram:direct:5009")).toThrow(/already wait for the owner's approval/);
    // the owner's "remind me" still goes through…
    expect(h.cron.add({ in: "20m", prompt: "remind me" }, "agent", "agent:main:main", { askedByOwner: true }).approval).toBe("pending");
    // …and the owner's conversation has its own cap
    for (let i = 1; i < MAX_PENDING_AGENT_JOBS; i++) h.cron.add({ every: "1h", prompt: `mine ${i}` }, "agent", "agent:main:main", { askedByOwner: true });
    expect(() => h.cron.add({ every: "1h", prompt: "one too many" }, "agent", "agent:main:main", { askedByOwner: true })).toThrow(/from this conversation/);
    // a guest is still held by the total
    expect(() => h.cron.add({ every: "1h", prompt: "guest" }, "agent", "agent:main:telegram:direct:5010")).toThrow(/already wait/);
  });

  it("attack: run-now ran a job while the scheduler was off (cron.enabled false: \"no job runs\"); control: once started it runs", async () => {
    const h = harness("2026-05-01T10:00:00Z", { start: false });
    const job = h.cron.add({ every: "1h", prompt: "p" }, "operator");
    expect(() => h.cron.runNow(job.id)).toThrow(/scheduled jobs are off/);
    await h.clock.advance(0);
    expect(h.runs).toEqual([]);
    h.cron.start();
    h.cron.runNow(job.id);
    await h.clock.advance(0);
    expect(h.runs).toHaveLength(1);
    await h.cron.stop();
    expect(() => h.cron.runNow(job.id)).toThrow(/scheduled jobs are off/);
  });

  it("a pending one-shot approved late but within grace still runs once; rejecting removes it", async () => {
    const h = harness("2026-05-01T10:00:00Z");
    const late = h.cron.add({ in: "1m", prompt: "p" }, "agent");
    const rejected = h.cron.add({ in: "1m", prompt: "q" }, "agent");
    await h.clock.advance(5 * 60_000);
    expect(h.runs).toEqual([]);
    h.cron.approve(late.id);
    h.cron.reject(rejected.id);
    await h.clock.advance(0);
    expect(h.runs.map((r) => r.id)).toEqual([late.id]);
    expect(() => h.cron.get(rejected.id)).toThrow(/no scheduled job/);
  });

  it("attack: a delivery target the access rules do not admit is refused at add and edit; control: the owner is accepted", () => {
    const h = harness("2026-05-01T10:00:00Z");
    expect(() => h.cron.add({ every: "1h", prompt: "p", deliver: { channel: "telegram", peer: "stranger" } }, "operator")).toThrow(/cannot deliver/);
    const ok = h.cron.add({ every: "1h", prompt: "p", deliver: { channel: "telegram", peer: "owner" } }, "operator");
    expect(() => h.cron.edit(ok.id, { deliver: { channel: "telegram", peer: "stranger" } })).toThrow(/cannot deliver/);
    expect(h.cron.get(ok.id).deliver).toEqual({ channel: "telegram", peer: "owner", chat: "direct" });
  });

  it("delivery failures are retried with backoff, then recorded as failed; a refusal at delivery time is recorded, not retried", async () => {
    const h = harness("2026-05-01T10:00:00Z");
    const job = h.cron.add({ every: "10m", prompt: "p", deliver: { channel: "telegram", peer: "owner" } }, "operator");
    let calls = 0;
    h.runner.deliverImpl = async () => {
      calls++;
      if (calls < 3) throw new Error("telegram 502");
    };
    await h.clock.advance(10 * 60_000 + 3000); // backoff 1 s then 2 s
    expect(h.cron.runs(job.id)[0]).toMatchObject({ status: "ok", delivery: "delivered" });
    expect(calls).toBe(3);
    h.runner.deliverImpl = async () => {
      throw new Error("telegram 502");
    };
    await h.clock.advance(10 * 60_000 + 3000);
    expect(h.cron.runs(job.id)[0]).toMatchObject({ delivery: "failed", deliveryError: "telegram 502 (after 3 attempts)" });
    calls = 0;
    h.runner.deliverImpl = async () => {
      calls++;
      throw new DeliveryRefused("sender is no longer admitted");
    };
    await h.clock.advance(10 * 60_000);
    expect(h.cron.runs(job.id)[0]).toMatchObject({ delivery: "refused", deliveryError: "sender is no longer admitted" });
    expect(calls).toBe(1);
  });

  it("attack: a run in flight delivered to the recipient its job had at the start, after the owner removed the job or changed or dropped its recipient; control: an unchanged job delivers", async () => {
    const h = harness("2026-05-01T10:00:00Z");
    const to: string[] = [];
    h.runner.deliverImpl = async (job) => void to.push(`${job.id}->${job.deliver!.peer}`);
    let release: Array<() => void> = [];
    h.runner.result = () => new Promise<RunResult>((r) => release.push(() => r({ text: "secret summary" })));
    const target = { channel: "telegram", peer: "friend" };
    const kept = h.cron.add({ every: "1h", prompt: "p", deliver: target }, "operator");
    const removed = h.cron.add({ every: "1h", prompt: "p", deliver: target }, "operator");
    const dropped = h.cron.add({ every: "1h", prompt: "p", deliver: target }, "operator");
    const moved = h.cron.add({ every: "1h", prompt: "p", deliver: target }, "operator");
    for (const j of [kept, removed, dropped, moved]) h.cron.runNow(j.id);
    h.cron.remove(removed.id);
    h.cron.edit(dropped.id, { deliver: null });
    h.cron.edit(moved.id, { deliver: { channel: "telegram", peer: "owner" } });
    for (const r of release) r();
    await h.clock.advance(0);
    expect(to.sort()).toEqual([`${kept.id}->friend`, `${moved.id}->owner`].sort());
    expect(h.cron.runs(dropped.id)[0]).toMatchObject({ status: "ok", delivery: "none" });
    expect(h.store.runs(removed.id)).toEqual([]);

    // …and a job removed during a delivery backoff is not retried to its old recipient
    release = [];
    let calls = 0;
    h.runner.deliverImpl = async () => {
      calls++;
      throw new Error("telegram 502");
    };
    h.cron.runNow(kept.id);
    for (const r of release) r();
    await h.clock.advance(0);
    expect(calls).toBe(1);
    h.cron.remove(kept.id);
    await h.clock.advance(10_000);
    expect(calls).toBe(1);
  });

  it("heartbeats are interval jobs from config; a suppressed reply is not delivered", async () => {
    const h = harness("2026-05-01T10:00:00Z");
    h.runner.result = () => ({ text: "HEARTBEAT_OK", suppress: true });
    h.cron.setHeartbeats([{ agentId: "main", everyMinutes: 30, deliver: { channel: "telegram", peer: "owner" } }]);
    await h.clock.advance(60 * 60_000);
    expect(h.runs.map((r) => r.id)).toEqual(["heartbeat-main", "heartbeat-main"]);
    expect(h.delivered).toEqual([]);
    expect(h.cron.runs("heartbeat-main")[0]).toMatchObject({ status: "ok", delivery: "suppressed" });
    expect(() => h.cron.remove("heartbeat-main")).toThrow(/agents.list\[\].heartbeat/);
  });
});
