// When a scheduled job runs next (docs/cron.md "Schedules"): a cron expression in a time
// zone (croner computes the occurrences; its own timers are never started — the scheduler
// keeps one timer for every job), a one-shot time ("at" an ISO time, or "in 20m"), or a
// fixed interval. Pure: a schedule and an instant in, the next instant out.
import { Cron } from "croner";

export type Schedule =
  | { kind: "cron"; expr: string; tz?: string }
  | { kind: "at"; at: number }
  | { kind: "every"; everyMs: number; anchor: number };

export const MIN_INTERVAL_MS = 60_000;
/**
 * The longest duration an `in` or `every` takes (ten years). Longer ones name instants a Date
 * cannot hold (past the year 275760), which broke every listing that formats the job.
 */
export const MAX_DURATION_MS = 3650 * 86_400_000;

export class ScheduleError extends Error {}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "20m", "1h30m", "2d", "90s" → milliseconds; undefined when it is not such a duration (or longer than MAX_DURATION_MS). */
export function parseDuration(text: string): number | undefined {
  const t = text.trim().toLowerCase().replace(/\s+/g, "");
  if (!/^(\d+(s|m|h|d|w))+$/.test(t)) return undefined;
  let ms = 0;
  for (const m of t.matchAll(/(\d+)(s|m|h|d|w)/g)) ms += Number(m[1]) * UNITS[m[2]!]!;
  return ms > 0 && ms <= MAX_DURATION_MS ? ms : undefined;
}

/**
 * A cron expression's seconds field, when it has one (six or seven fields), must name one
 * second: anything else (`*`, `?`, `*\/5`, `0,30`, a range) fires more than once a minute —
 * the one-minute floor `every` has, for every kind of schedule.
 */
function cronFiresSubMinute(expr: string): boolean {
  const fields = expr.split(/\s+/);
  if (fields.length < 6) return false;
  return !/^\d{1,2}$/.test(fields[0]!) || Number(fields[0]) > 59;
}

/** Whether `tz` is an IANA time zone this runtime knows. */
export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const patterns = new Map<string, Cron>();

/**
 * A croner pattern object (no callback, so croner starts no timer), cached per expression
 * and zone — or, for the fast path, per expression and fixed UTC offset in minutes.
 */
function cronFor(expr: string, tz: string | undefined, utcOffset?: number): Cron {
  const key = `${tz ?? ""}\u0000${utcOffset ?? ""}\u0000${expr}`;
  let c = patterns.get(key);
  if (!c) {
    c = new Cron(expr, { ...(utcOffset !== undefined ? { utcOffset } : tz ? { timezone: tz } : {}), paused: true });
    if (patterns.size > 10_000) patterns.clear();
    patterns.set(key, c);
  }
  return c;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

const offsetCache = new Map<string, number>();
const BUCKET_MS = 15 * 60_000;

/**
 * The zone's offset from UTC at instant `t`, in minutes (Berlin in summer: 120). Offsets change
 * only on quarter-hour boundaries, so the answer is cached per zone and quarter hour
 * (formatToParts costs tens of microseconds; the scheduler asks twice per cron job).
 */
export function zoneOffsetMinutes(tz: string, t: number): number {
  const bucket = Math.floor(t / BUCKET_MS);
  const key = `${tz}|${bucket}`;
  const hit = offsetCache.get(key);
  if (hit !== undefined) return hit;
  const off = computeOffset(tz, bucket * BUCKET_MS);
  if (offsetCache.size > 100_000) offsetCache.clear();
  offsetCache.set(key, off);
  return off;
}

function computeOffset(tz: string, t: number): number {
  let f = zoneFormats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    zoneFormats.set(tz, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(t))) if (part.type !== "literal") p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return Math.round((wall - Math.floor(t / 1000) * 1000) / 60_000);
}

const FAST_SPAN_MS = 20 * 86_400_000;

/**
 * The next occurrence of a cron expression in a time zone. Croner's own zone arithmetic costs
 * up to a millisecond per call, so the common case takes a fast path: evaluate at the zone's
 * current fixed offset, and keep the answer when the offset is the same there and no more
 * than 20 days lie between (so no DST change can have happened in between). Around a DST
 * change, or for rare schedules, croner's zone-aware evaluation decides — the one source of
 * truth for nonexistent (spring-forward) and repeated (fall-back) wall-clock times.
 */
function nextCronRun(expr: string, tz: string | undefined, after: number): number | null {
  if (tz) {
    const off = zoneOffsetMinutes(tz, after);
    const c = cronFor(expr, undefined, off).nextRun(new Date(after));
    if (c && c.getTime() - after <= FAST_SPAN_MS && zoneOffsetMinutes(tz, c.getTime()) === off) return c.getTime();
  }
  const next = cronFor(expr, tz).nextRun(new Date(after));
  return next ? next.getTime() : null;
}

export interface ScheduleSpec {
  /** A 5- or 6-field cron expression. */
  cron?: string;
  /** IANA time zone for `cron` (default: the gateway's). */
  tz?: string;
  /** One shot: an ISO 8601 time ("2026-12-24T18:00:00+01:00"). */
  at?: string;
  /** One shot: a duration from now ("20m", "1h30m"). */
  in?: string;
  /** Interval: a duration ("30m", "6h"), at least one minute. */
  every?: string;
}

/** A schedule from what a person typed (CLI, Control UI, the cron tool); throws ScheduleError with one clear sentence. */
export function parseSchedule(spec: ScheduleSpec, now: number): Schedule {
  const given = (["cron", "at", "in", "every"] as const).filter((k) => spec[k] !== undefined && spec[k] !== "");
  if (given.length !== 1) throw new ScheduleError(`give exactly one schedule: cron (with optional tz), at, in or every${given.length ? ` (got ${given.join(", ")})` : ""}.`);
  if (spec.tz !== undefined && given[0] !== "cron") throw new ScheduleError("tz applies to cron schedules only.");
  if (spec.cron !== undefined && spec.cron !== "") {
    const expr = spec.cron.trim();
    if (spec.tz !== undefined && !validTimeZone(spec.tz)) throw new ScheduleError(`"${spec.tz}" is not a time zone; use an IANA name such as Europe/Berlin.`);
    if (cronFiresSubMinute(expr)) throw new ScheduleError(`cron expression "${expr}" would run more than once a minute; its seconds field (the first of six) must be a single second such as 0.`);
    try {
      const c = cronFor(expr, spec.tz);
      if (!c.nextRun(new Date(now))) throw new ScheduleError(`cron expression "${expr}" never fires again.`);
    } catch (err) {
      if (err instanceof ScheduleError) throw err;
      throw new ScheduleError(`"${expr}" is not a cron expression (${(err as Error).message.replace(/^CronPattern: /, "")}); e.g. "0 9 * * 1-5" for 09:00 on weekdays.`);
    }
    return { kind: "cron", expr, ...(spec.tz ? { tz: spec.tz } : {}) };
  }
  if (spec.in !== undefined) {
    const ms = parseDuration(spec.in);
    if (ms === undefined) throw new ScheduleError(`"${spec.in}" is not a duration of at most 3650d; use e.g. 20m, 2h or 1h30m.`);
    return { kind: "at", at: now + ms };
  }
  if (spec.at !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(spec.at.trim())) {
      throw new ScheduleError(`"${spec.at}" is not an ISO time with a zone; use e.g. 2026-12-24T18:00:00+01:00 or …Z.`);
    }
    const at = Date.parse(spec.at);
    if (!Number.isFinite(at)) throw new ScheduleError(`"${spec.at}" is not a valid time.`);
    if (at <= now) throw new ScheduleError(`${new Date(at).toISOString()} is in the past.`);
    return { kind: "at", at };
  }
  const ms = parseDuration(spec.every!);
  if (ms === undefined) throw new ScheduleError(`"${spec.every}" is not a duration of at most 3650d; use e.g. 30m or 6h.`);
  if (ms < MIN_INTERVAL_MS) throw new ScheduleError(`an interval must be at least 1m (got ${spec.every}).`);
  return { kind: "every", everyMs: ms, anchor: now };
}

/** The first run strictly after `after` (ms since the epoch), or null when the schedule is over. */
export function nextRunAfter(s: Schedule, after: number): number | null {
  switch (s.kind) {
    case "at":
      return s.at > after ? s.at : null;
    case "every": {
      if (after < s.anchor) return s.anchor + s.everyMs;
      const n = Math.floor((after - s.anchor) / s.everyMs) + 1;
      return s.anchor + n * s.everyMs;
    }
    case "cron":
      return nextCronRun(s.expr, s.tz, after);
  }
}

/** One line for people: "cron 0 9 * * 1-5 (Europe/Berlin)", "at 2026-…Z", "every 30m". */
export function describeSchedule(s: Schedule): string {
  if (s.kind === "cron") return `cron ${s.expr}${s.tz ? ` (${s.tz})` : ""}`;
  if (s.kind === "at") return `at ${new Date(s.at).toISOString()}`;
  return `every ${formatDuration(s.everyMs)}`;
}

export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [u, secs] of [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]] as const) {
    if (rest >= secs) {
      parts.push(`${Math.floor(rest / secs)}${u}`);
      rest %= secs;
    }
  }
  return parts.join("") || "0s";
}
