import { Cron } from "croner";
import { describe, expect, it } from "vitest";
import { describeSchedule, nextRunAfter, parseDuration, parseSchedule, zoneOffsetMinutes } from "./cron-schedule.js";

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

  it("attack: a seconds field that fires more than once a minute (every second) is refused; control: one second of each minute, and five fields, are fine", () => {
    const now = Date.parse("2026-05-01T10:00:00Z");
    for (const expr of ["* * * * * *", "? * * * * *", "*/5 * * * * *", "0,30 * * * * *", "0-59 * * * * *", "* 0 9 * * *", "* * * * * * 2027", "60 * * * * *"]) {
      expect(() => parseSchedule({ cron: expr }, now), expr).toThrow(/more than once a minute/);
    }
    expect(nextRunAfter(parseSchedule({ cron: "30 0 9 * * *", tz: "UTC" }, now), now)).toBe(Date.parse("2026-05-02T09:00:30Z"));
    const n1 = nextRunAfter(parseSchedule({ cron: "5 * * * * *" }, now), now)!;
    expect(nextRunAfter(parseSchedule({ cron: "5 * * * * *" }, now), n1)! - n1).toBe(60_000);
    expect(() => parseSchedule({ cron: "* * * * *" }, now)).not.toThrow();
    expect(() => parseSchedule({ cron: "@hourly" }, now)).not.toThrow();
  });

  it("attack: an `in` or `every` so long its time cannot be a Date (it broke every listing of the jobs) is refused; control: ten years is accepted and listable", () => {
    const now = Date.parse("2026-05-01T10:00:00Z");
    for (const spec of [{ in: "14800000w" }, { every: "14800000w" }, { in: "3651d" }, { every: "99999999999999999999d" }]) {
      expect(() => parseSchedule(spec, now), JSON.stringify(spec)).toThrow(/not a duration of at most 3650d/);
    }
    for (const spec of [{ in: "3650d" }, { every: "521w" }]) {
      const s = parseSchedule(spec, now);
      expect(new Date(nextRunAfter(s, now)!).toISOString()).toMatch(/^203\d-/);
      expect(() => describeSchedule(s)).not.toThrow();
    }
  });
});
