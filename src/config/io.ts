// Reading, validating and writing simpleclaw.json (JSON5). Every problem becomes one
// message naming the key path, the bad value and what is expected. Writes are atomic
// and mode 600; the file keeps only what the user wrote (defaults are not expanded).
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import JSON5 from "json5";
import type { z } from "zod";
import { configSchema, type Config } from "./schema.js";
import { configPath as defaultConfigPath, stateDir as defaultStateDir, type Env } from "./paths.js";
import { ensureDir, readStateFile, withFileLock, writeFileAtomic } from "../infra/atomic-fs.js";
import { EXIT, UserError, errorMessage } from "../infra/errors.js";
import { CONFIG_VERSION, configVersion, migrateConfig, withVersion } from "./migrate.js";

export type RawConfig = Record<string, unknown>;

export interface LoadedConfig {
  path: string;
  exists: boolean;
  raw: RawConfig;
  config: Config;
  /** The file's schema version (0: none). An older file is migrated in memory only (see migrate.ts). */
  version: number;
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.map(String).join(".") || "(root)";
}

function valueAt(obj: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = obj;
  for (const k of path) {
    // Own keys only: `toString`, `__proto__` & co. are not config keys.
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, k)) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

function show(v: unknown): string {
  if (v === undefined) return "missing";
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** One line per schema problem: `<key path>: <what is wrong and what is expected>`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], raw: unknown): string[] {
  return issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((k) => `${formatPath([...issue.path, k])}: unknown key (remove it or check its spelling)`).join("; ");
    }
    const where = formatPath(issue.path);
    const got = show(valueAt(raw, issue.path));
    let expected = issue.message.replace(/^Invalid input: /, "").replace(/^Invalid option: /, "");
    if (issue.code === "invalid_type") expected = `expected ${issue.expected}`;
    if (issue.code === "invalid_value") expected = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    if (issue.code === "custom") return `${where}: ${issue.message} (got ${got})`;
    return `${where}: got ${got}, ${expected}`;
  });
}

export type Validation = { ok: true; config: Config } | { ok: false; problems: string[] };

export function validateConfig(raw: unknown): Validation {
  if (raw !== null && typeof raw === "object" && !Array.isArray(raw)) {
    const ver = configVersion(raw as RawConfig);
    if (!ver.ok && ver.newer !== undefined) return { ok: false, problems: [`version: ${ver.problem}`] };
  }
  const r = configSchema.safeParse(raw);
  if (r.success) return { ok: true, config: r.data };
  return { ok: false, problems: describeIssues(r.error.issues, raw) };
}

export function parseConfigText(text: string, path: string): RawConfig {
  let raw: unknown;
  try {
    raw = text.trim() === "" ? {} : JSON5.parse(text);
  } catch (err) {
    throw new UserError(`${path} is not valid JSON5 (${errorMessage(err)}); fix the syntax or restore a backup.`, EXIT.config);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new UserError(`${path} must contain a JSON5 object at the top level.`, EXIT.config);
  }
  return raw as RawConfig;
}

/**
 * What this process last read from (or wrote to) each config file: a digest of its text,
 * or null when there was none. saveRawConfig refuses to write over a file that changed
 * since then, so an edit (read, change, save) never silently drops another writer's.
 */
const lastSeen = new Map<string, string | null>();

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function currentDigest(path: string): string | null {
  try {
    const text = readStateFile(path);
    return text === undefined ? null : digest(text);
  } catch (err) {
    throw new UserError(`cannot read config ${path} (${errorMessage(err)}); check its permissions.`, EXIT.config);
  }
}

export function readRawConfig(env: Env = process.env): { path: string; exists: boolean; raw: RawConfig } {
  const path = defaultConfigPath(env);
  let text: string | undefined;
  try {
    text = readStateFile(path);
  } catch (err) {
    throw new UserError(`cannot read config ${path} (${errorMessage(err)}); check that you own it and its folder and can read them.`, EXIT.config);
  }
  if (text === undefined) {
    lastSeen.set(path, null);
    return { path, exists: false, raw: {} };
  }
  lastSeen.set(path, digest(text));
  return { path, exists: true, raw: parseConfigText(text, path) };
}

/**
 * Loads and validates; invalid config is a UserError with exit code 78, and so is a
 * config newer than this build understands. An older config is migrated in memory
 * (the file is only ever upgraded by `simpleclaw doctor --fix`, with a backup); `raw`
 * stays what is on disk.
 */
export function loadConfig(env: Env = process.env): LoadedConfig {
  const { path, exists, raw } = readRawConfig(env);
  const ver = configVersion(raw);
  if (!ver.ok) throw new UserError(`cannot use ${path}: ${ver.problem}.`, EXIT.config);
  const effective = ver.older ? migrateConfig(raw).raw : raw;
  const v = validateConfig(effective);
  if (!v.ok) {
    throw new UserError(
      `invalid config in ${path}: ${v.problems.join("; ")}. Fix it with \`simpleclaw config set <key> <value>\` or by editing the file.`,
      EXIT.config,
    );
  }
  return { path, exists, raw, config: v.config, version: ver.version };
}

/**
 * Validates, then writes atomically with mode 600 (creating the state dir 700). The write
 * holds simpleclaw.json.lock, and when this process read the file before, it is refused
 * if someone else (another command, the gateway) wrote the file in between: their change
 * is kept and the command says to run again, instead of the last writer silently winning.
 */
export function saveRawConfig(raw: RawConfig, env: Env = process.env): void {
  const path = defaultConfigPath(env);
  // A config this build creates is born at the current schema version; an existing file
  // keeps its version until `doctor --fix` migrates it.
  if (!existsSync(path) && raw.version === undefined) raw = withVersion(raw, CONFIG_VERSION);
  const v = validateConfig(raw);
  if (!v.ok) throw new UserError(`refusing to save an invalid config: ${v.problems.join("; ")}.`, EXIT.config);
  ensureDir(defaultStateDir(env));
  ensureDir(dirname(path));
  const text = `${JSON.stringify(raw, null, 2)}\n`;
  withFileLock(
    path,
    () => {
      if (lastSeen.has(path) && currentDigest(path) !== lastSeen.get(path)) {
        throw new UserError(
          `not saved: ${path} changed while this command was editing it (another simpleclaw command or the gateway wrote it); run the command again.`,
        );
      }
      writeFileAtomic(path, text, 0o600);
      lastSeen.set(path, digest(text));
    },
    (lock) => {
      throw new UserError(`not saved: another process is writing ${path} (it holds ${lock}); try again, or delete the lock file if nothing else is running.`);
    },
  );
}

// ---- key paths (`gateway.auth.token`) -------------------------------------------------

export function splitKeyPath(keyPath: string): string[] {
  const parts = keyPath.split(".");
  if (keyPath.trim() === "" || parts.some((p) => p === "")) {
    throw new UserError(`"${keyPath}" is not a config key path; use dotted keys like gateway.port.`, EXIT.usage);
  }
  for (const p of parts) {
    if (p === "__proto__" || p === "constructor" || p === "prototype") {
      throw new UserError(`"${keyPath}" is not a config key path; "${p}" is not allowed as a key.`, EXIT.usage);
    }
  }
  return parts;
}

export function getAt(obj: unknown, parts: readonly string[]): unknown {
  return valueAt(obj, parts);
}

/** Returns a copy of `raw` with the value at `parts` set (creating objects on the way). */
export function setAt(raw: RawConfig, parts: readonly string[], value: unknown): RawConfig {
  const copy = structuredClone(raw);
  let cur: Record<string, unknown> = copy;
  for (const [i, k] of parts.entries()) {
    if (i === parts.length - 1) {
      cur[k] = value;
      break;
    }
    const next = Object.hasOwn(cur, k) ? cur[k] : undefined;
    if (next === undefined || next === null || typeof next !== "object" || Array.isArray(next)) {
      if (next !== undefined && next !== null) {
        throw new UserError(`${formatPath(parts.slice(0, i + 1))} is not an object, so ${formatPath(parts)} cannot be set.`, EXIT.usage);
      }
      cur[k] = {};
    }
    cur = cur[k] as Record<string, unknown>;
  }
  return copy;
}

/** Returns a copy of `raw` without the key at `parts` (and without objects left empty by it). */
export function unsetAt(raw: RawConfig, parts: readonly string[]): { raw: RawConfig; removed: boolean } {
  const copy = structuredClone(raw);
  const trail: Array<Record<string, unknown>> = [copy];
  let cur: unknown = copy;
  for (const k of parts.slice(0, -1)) {
    if (cur === null || typeof cur !== "object") return { raw, removed: false };
    cur = Object.hasOwn(cur, k) ? (cur as Record<string, unknown>)[k] : undefined;
    if (cur === null || typeof cur !== "object") return { raw, removed: false };
    trail.push(cur as Record<string, unknown>);
  }
  const last = parts[parts.length - 1]!;
  const parent = trail[trail.length - 1]!;
  if (!Object.hasOwn(parent, last)) return { raw, removed: false };
  delete parent[last];
  for (let i = trail.length - 1; i > 0; i--) {
    if (Object.keys(trail[i]!).length > 0) break;
    delete trail[i - 1]![parts[i - 1]!];
  }
  return { raw: copy, removed: true };
}

/** `config set` values: JSON5 when it parses (numbers, booleans, arrays, objects), else a plain string. */
export function parseCliValue(text: string): unknown {
  try {
    return JSON5.parse(text);
  } catch {
    return text;
  }
}
