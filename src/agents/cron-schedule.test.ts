import { Cron } from "croner";
import { describe, expect, it } from "vitest";
import { nextRunAfter, parseDuration, parseSchedule, zoneOffsetMinutes } from "./cron-schedule.js";

describe("schedules", () => {
  it("durations", () => {
    expect(parseDuration("20m")).toBe(1_200_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("2 d")).toBe(172_800_000);
    expect(parseDuration("20")).toBeUndefined();
    expect(parseDuration("-5m")).toBeUndefined();
    expect(parseDuration("0m")).toBeUndefined();
  });

  it("zone offsets", () => {
    expect(zoneOffsetMinutes("Europe/Berlin", Date.parse("2026-07-01T00:00:00Z"))).toBe(120);
    expect(zoneOffsetMinutes("Europe/Berlin", Date.parse("2026-01-01T00:00:00Z"))).toBe(60);
    expect(zoneOffsetMinutes("America/New_York", Date.parse("2026-11-01T05:59:59Z"))).toBe(-240);
    expect(zoneOffsetMinutes("America/New_York", Date.parse("2026-11-01T06:00:00Z"))).toBe(-300);
    expect(zoneOffsetMinutes("Asia/Kolkata", 0)).toBe(330);
  });

  it("the fast path agrees with croner's zone-aware evaluation, across DST changes in several zones", () => {
    const zones = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "America/Santiago", "UTC"];
    const exprs = ["30 2 * * *", "30 1 * * *", "0 3 * * 0", "*/15 * * * *", "0 9 1 * *", "45 23 * * 1-5", "0 0 29 2 *", "0 2 * 3,10 0"];
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let compared = 0;
    for (const tz of zones) {
      for (const expr of exprs) {
        const reference = new Cron(expr, { timezone: tz, paused: true });
        const schedule = parseSchedule({ cron: expr, tz }, Date.parse("2026-01-01T00:00:00Z"));
        for (let i = 0; i < 25; i++) {
          // around this year's DST changes, and anywhere in the year
          const base = [Date.parse("2026-03-29T00:00:00Z"), Date.parse("2026-11-01T04:00:00Z"), Date.parse("2026-04-05T14:00:00Z"), Date.parse("2026-10-04T14:00:00Z"), Date.parse("2026-01-01T00:00:00Z") + rand() * 365 * 86_400_000][i % 5]!;
          let after = Math.floor(base + (rand() - 0.5) * 2 * 86_400_000);
          // follow a few consecutive runs, as the scheduler does
          for (let k = 0; k < 3; k++) {
            const want = reference.nextRun(new Date(after))?.getTime() ?? null;
            expect(nextRunAfter(schedule, after), `${expr} in ${tz} after ${new Date(after).toISOString()}`).toBe(want);
            compared++;
            if (want === null) break;
            after = want;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(3000);
  });
});
