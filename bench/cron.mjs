#!/usr/bin/env node
// Scheduled jobs (src/agents/cron.ts, built dist/): what 1,000 jobs cost. (1) Idle CPU:
// process.cpuUsage() over a few seconds with the scheduler started and no job vs 1,000 jobs
// (cron expressions in several time zones, intervals, one-shots; none due in the window) —
// the scheduler keeps one timer, so the difference should be nothing measurable. (2) The
// time to compute the next run of all 1,000 jobs (croner's nextRun, cached patterns), first
// call and median of 20. Used by bench/run.mjs; run alone with `node bench/cron.mjs
// [--json] [--idle=SECONDS]` after `npm run build`.
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

export const CRON_TARGET = { nextRunsMs: 50, idleCpuMs: 20 };

const ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney"];

async function idleCpu(ms) {
  const before = process.cpuUsage();
  await new Promise((r) => setTimeout(r, ms));
  const d = process.cpuUsage(before);
  return (d.user + d.system) / 1000;
}

export async function benchCron({ jobs = 1000, idleSeconds = 3 } = {}) {
  const { openStateDb } = await import("../dist/infra/db.js");
  const { CronStore } = await import("../dist/agents/cron-store.js");
  const { CronScheduler } = await import("../dist/agents/cron.js");
  const make = () =>
    new CronScheduler({
      store: new CronStore(openStateDb(":memory:")),
      runner: { run: async () => ({ text: "" }), deliver: async () => {}, checkDelivery: () => ({ allowed: true, owner: true }) },
      agentExists: () => true,
      defaultAgentId: () => "main",
    });

  // Baseline: a started scheduler with no job.
  const empty = make();
  empty.start();
  await idleCpu(300); // let start-up work settle
  const idleEmptyMs = await idleCpu(idleSeconds * 1000);
  await empty.stop();

  const full = make();
  const now = Date.now();
  const nowHour = new Date(now).getUTCHours();
  for (let i = 0; i < jobs; i++) {
    const kind = i % 3;
    if (kind === 0) {
      // a daily cron time at least two hours away from now, in one of several zones
      const hour = (nowHour + 2 + (i % 20)) % 24;
      full.add({ cron: `${i % 60} ${hour} * * *`, tz: ZONES[i % ZONES.length], prompt: `job ${i}` }, "operator");
    } else if (kind === 1) full.add({ every: `${60 + (i % 600)}m`, prompt: `job ${i}` }, "operator");
    else full.add({ in: `${2 + (i % 48)}h`, prompt: `job ${i}` }, "operator");
  }
  full.start();
  const armed = full.armedFor();
  await idleCpu(300);
  const idleJobsMs = await idleCpu(idleSeconds * 1000);

  const t0 = performance.now();
  const computed = full.computeNextRuns(Date.now());
  const firstMs = performance.now() - t0;
  const times = [];
  for (let r = 0; r < 20; r++) {
    const t = performance.now();
    full.computeNextRuns(Date.now() + r * 3_600_000);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  await full.stop();

  // The worst kind: 1,000 weekly cron schedules, every one in a time zone.
  const tzOnly = make();
  for (let i = 0; i < jobs; i++) tzOnly.add({ cron: `${i % 60} ${i % 24} * * ${i % 7}`, tz: ZONES[i % ZONES.length], prompt: `job ${i}` }, "operator");
  const tzTimes = [];
  for (let r = 0; r < 21; r++) {
    const t = performance.now();
    tzOnly.computeNextRuns(Date.now() + r * 3_600_000);
    tzTimes.push(performance.now() - t);
  }
  tzTimes.sort((a, b) => a - b);
  return {
    jobs,
    computed,
    idleSeconds,
    idleEmptyMs,
    idleJobsMs,
    idleDeltaMs: idleJobsMs - idleEmptyMs,
    nextRunsFirstMs: firstMs,
    nextRunsMedianMs: times[times.length >> 1],
    allCronTzMedianMs: tzTimes[tzTimes.length >> 1],
    allCronTzMaxMs: tzTimes[tzTimes.length - 1],
    armedInMin: armed === undefined ? null : Math.round((armed - Date.now()) / 60_000),
  };
}

export function cronRows(r) {
  if (r.error) return [{ metric: "scheduled jobs (1,000)", shown: `n/a (${r.error})`, target: "", ok: false }];
  return [
    {
      metric: `idle CPU over ${r.idleSeconds} s: ${r.jobs} jobs vs none`,
      value: r.idleDeltaMs,
      shown: `${r.idleJobsMs.toFixed(1)} ms vs ${r.idleEmptyMs.toFixed(1)} ms (Δ ${r.idleDeltaMs.toFixed(1)} ms)`,
      target: `Δ < ${CRON_TARGET.idleCpuMs} ms`,
      ok: r.idleDeltaMs < CRON_TARGET.idleCpuMs,
    },
    {
      metric: `next run of all ${r.jobs} jobs (first / median of 20)`,
      value: r.nextRunsFirstMs,
      shown: `${r.nextRunsFirstMs.toFixed(2)} ms / ${r.nextRunsMedianMs.toFixed(2)} ms`,
      target: `< ${CRON_TARGET.nextRunsMs} ms`,
      ok: r.nextRunsFirstMs < CRON_TARGET.nextRunsMs,
    },
    {
      metric: `next run of ${r.jobs} cron jobs all in time zones (median / max of 21)`,
      value: r.allCronTzMedianMs,
      shown: `${r.allCronTzMedianMs.toFixed(2)} ms / ${r.allCronTzMaxMs.toFixed(2)} ms`,
      target: `median < ${CRON_TARGET.nextRunsMs} ms`,
      ok: r.allCronTzMedianMs < CRON_TARGET.nextRunsMs,
    },
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const idle = Number(process.argv.find((a) => a.startsWith("--idle="))?.split("=")[1] ?? 3);
  const r = await benchCron({ idleSeconds: idle });
  if (process.argv.includes("--json")) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  else {
    process.stdout.write(
      `scheduled jobs: idle CPU over ${r.idleSeconds} s with ${r.jobs} jobs ${r.idleJobsMs.toFixed(1)} ms vs ${r.idleEmptyMs.toFixed(1)} ms with none (Δ ${r.idleDeltaMs.toFixed(1)} ms); ` +
        `next run of all ${r.jobs} jobs: first ${r.nextRunsFirstMs.toFixed(2)} ms, median ${r.nextRunsMedianMs.toFixed(2)} ms; ${r.jobs} cron jobs all in time zones: median ${r.allCronTzMedianMs.toFixed(2)} ms, max ${r.allCronTzMaxMs.toFixed(2)} ms; one timer armed for ${r.armedInMin} min from now\n`,
    );
  }
}
