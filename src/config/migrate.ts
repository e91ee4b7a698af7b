// Config schema versions: which version a raw simpleclaw.json is, and the registry of
// pure migrations (old raw → new raw) that `simpleclaw doctor --fix` applies (after a
// backup) and that loadConfig applies in memory. A migration may move or retire a key
// only by saying so; any key that disappears without a declaration stops the upgrade.
// No zod here: this runs before the schema sees the file.

export type RawConfig = Record<string, unknown>;

/** The config version this build writes and understands. */
export const CONFIG_VERSION = 2;
/** A config without a `version` key predates versioning. */
export const UNVERSIONED = 0;

export interface Migration {
  from: number;
  to: number;
  /** One line for the doctor's output. */
  summary: string;
  /** Pure: returns a new object, never mutates its input, passes unknown keys through. */
  up(raw: RawConfig): RawConfig;
  /** Key paths this migration moves or removes on purpose → what happened to each. */
  retires?: Record<string, string>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    from: 0,
    to: 1,
    summary: "record the config schema version (version: 1); nothing else changes",
    up: (raw) => withVersion(raw, 1),
  },
  {
    from: 1,
    to: 2,
    summary:
      'session.dmScope "per-peer" / "per-channel-peer" become "per-sender" (the owner\'s DMs go to the main session, everyone else keeps a session of their own); "main" stays',
    up: (raw) => {
      const out = withVersion(raw, 2);
      const session = out.session;
      if (session && typeof session === "object" && !Array.isArray(session)) {
        const scope = (session as RawConfig).dmScope;
        if (scope === "per-peer" || scope === "per-channel-peer") (session as RawConfig).dmScope = "per-sender";
      }
      return out;
    },
  },
];

/** Returns a copy with `version` set, placed after `$schema` (or first) so it is easy to spot. */
export function withVersion(raw: RawConfig, version: number): RawConfig {
  const out: RawConfig = {};
  if (Object.hasOwn(raw, "$schema")) out.$schema = raw.$schema;
  out.version = version;
  for (const [k, v] of Object.entries(raw)) if (k !== "$schema" && k !== "version") out[k] = structuredClone(v);
  return out;
}

export type VersionInfo =
  | { ok: true; version: number; current: boolean; older: boolean }
  | { ok: false; problem: string; newer?: number };

/** The file's schema version: a missing `version` is the oldest (0). */
export function configVersion(raw: RawConfig, current = CONFIG_VERSION): VersionInfo {
  if (!Object.hasOwn(raw, "version")) return { ok: true, version: UNVERSIONED, current: current === UNVERSIONED, older: current > UNVERSIONED };
  const v = raw.version;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
    return { ok: false, problem: `version: got ${JSON.stringify(v)}, expected a whole number from 1 to ${current}` };
  }
  if (v > current) {
    return {
      ok: false,
      newer: v,
      problem: `the config is version ${v}, newer than this simpleclaw understands (up to ${current}); upgrade simpleclaw, or restore the backup made before the newer version rewrote it`,
    };
  }
  return { ok: true, version: v, current: v === current, older: v < current };
}

/** Every leaf key path of a JSON value (`a.b`, `list[0].id`); empty objects/arrays count as leaves. */
export function leafPaths(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return prefix ? [prefix] : [];
    return value.flatMap((v, i) => leafPaths(v, `${prefix}[${i}]`));
  }
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 0) return prefix ? [prefix] : [];
    return keys.flatMap((k) => leafPaths((value as RawConfig)[k], prefix ? `${prefix}.${k}` : k));
  }
  return prefix ? [prefix] : [];
}

export interface MigrationResult {
  from: number;
  to: number;
  raw: RawConfig;
  /** The summaries of the migrations applied, in order. */
  steps: string[];
  /** Keys moved or removed on purpose, with what happened to them. */
  retired: Array<{ path: string; note: string }>;
  /** Keys that disappeared without a declaration: the upgrade must not be written. */
  lost: string[];
}

/**
 * Applies the migrations from the file's version up to `target`. Throws on a config
 * that is newer than `target` or has a bad `version`, or when no chain of migrations
 * reaches `target`. Never mutates `raw`.
 */
export function migrateConfig(raw: RawConfig, opts: { migrations?: readonly Migration[]; target?: number } = {}): MigrationResult {
  const migrations = opts.migrations ?? MIGRATIONS;
  const target = opts.target ?? CONFIG_VERSION;
  const info = configVersion(raw, target);
  if (!info.ok) throw new Error(info.problem);
  let cur: RawConfig = structuredClone(raw);
  let version = info.version;
  const steps: string[] = [];
  const retired: MigrationResult["retired"] = [];
  const lost: string[] = [];
  while (version < target) {
    const m = migrations.find((x) => x.from === version);
    if (!m || m.to <= version) throw new Error(`no migration from config version ${version} to ${target}`);
    const before = leafPaths(cur);
    const next = m.up(structuredClone(cur));
    const after = new Set(leafPaths(next));
    for (const p of before) {
      if (after.has(p)) continue;
      const declared = declaredFor(p, m.retires ?? {});
      if (declared !== undefined) retired.push({ path: p, note: declared });
      else lost.push(p);
    }
    steps.push(`version ${m.from} → ${m.to}: ${m.summary}`);
    cur = next;
    version = m.to;
  }
  return { from: info.version, to: version, raw: cur, steps, retired, lost };
}

/** A declaration for `a.b` covers `a.b` itself and everything below it. */
function declaredFor(path: string, retires: Record<string, string>): string | undefined {
  for (const [p, note] of Object.entries(retires)) {
    if (path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`)) return note;
  }
  return undefined;
}
