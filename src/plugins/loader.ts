// Loads the plugins the operator allowed: discover (manifests only) → decide
// (plugins.allow, enabled) → verify an installed plugin's files against the hash pinned
// at install (docs/plugins.md "Integrity") → check the entry stays in the folder → validate the
// plugin's config → import the entry → register(api) with a deadline. Any failure
// is recorded in the plugin's report and the gateway goes on without it.
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import type { Config } from "../config/schema.js";
import { loadDecision } from "../security/plugin-allowlist.js";
import { discoverPlugins } from "./discover.js";
import { checkInstalledIntegrity, readInstalls, type InstallRecord } from "./install.js";
import { PluginHost, type PluginApi, type PluginLogger, type PluginReport } from "./host.js";
import { resolveEntry, type PluginManifest } from "./manifest.js";

const REGISTER_TIMEOUT_MS = 10_000;

export interface LoadOptions {
  config: Config;
  configPath: string;
  pluginsDir: string;
  /** Built-in tool names a plugin may not take. */
  reservedTools?: ReadonlySet<string>;
  logger?: PluginLogger;
}

const quiet: PluginLogger = { info() {}, warn() {}, error() {} };

/** Validates plugins.entries.<id>.config against the manifest's JSON Schema. */
export function validatePluginConfig(manifest: PluginManifest, value: unknown): { ok: true; config: unknown } | { ok: false; error: string } {
  if (!manifest.configSchema) return { ok: true, config: value };
  let schema: z.ZodType;
  try {
    schema = z.fromJSONSchema(manifest.configSchema as never);
  } catch (err) {
    return { ok: false, error: `its manifest's configSchema is not a usable JSON Schema (${(err as Error).message})` };
  }
  const r = schema.safeParse(value ?? {});
  if (r.success) return { ok: true, config: r.data };
  const issue = r.error.issues[0]!;
  const at = ["plugins", "entries", manifest.id, "config", ...issue.path.map(String)].join(".");
  return { ok: false, error: `${at} ${issue.message}` };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000}s`)), ms);
      t.unref?.();
    }),
  ]);
}

type RegisterFn = (api: PluginApi) => unknown;

function registerExport(mod: Record<string, unknown>): RegisterFn | undefined {
  if (typeof mod.register === "function") return mod.register as RegisterFn;
  const d = mod.default as Record<string, unknown> | ((api: PluginApi) => unknown) | undefined;
  if (typeof d === "function") return d as RegisterFn;
  if (d && typeof d.register === "function") return d.register as RegisterFn;
  return undefined;
}

export async function loadPlugins(opts: LoadOptions): Promise<PluginHost> {
  const log = opts.logger ?? quiet;
  const host = new PluginHost(opts.reservedTools, (id, hook, err) => log.warn("plugin hook failed", { plugin: id, hook, err: (err as Error)?.message ?? String(err) }));
  const { plugins } = opts.config;
  let warnedNoAllow = false;
  let installs: Record<string, InstallRecord> | undefined;
  let installsError: string | undefined;
  try {
    installs = readInstalls(opts.pluginsDir);
  } catch (err) {
    installsError = (err as Error).message;
  }
  for (const d of discoverPlugins(opts.pluginsDir, plugins.load.paths, dirname(opts.configPath))) {
    const id = d.manifest?.id ?? d.dir;
    const base: PluginReport = { id, dir: d.dir, status: "error", ...(d.manifest ? { name: d.manifest.name, version: d.manifest.version } : {}) };
    if (!d.manifest || d.error) {
      host.reports.push({ ...base, reason: d.error ?? "no manifest" });
      log.warn("plugin not loaded", { plugin: id, reason: d.error });
      continue;
    }
    const m = d.manifest;
    const decision = loadDecision(m.id, plugins);
    if (!decision.load) {
      host.reports.push({ ...base, status: decision.status, reason: decision.reason });
      if (decision.status === "blocked") log.warn("plugin not in plugins.allow; not loaded", { plugin: m.id, dir: d.dir });
      continue;
    }
    if (decision.warning && !warnedNoAllow) {
      warnedNoAllow = true;
      log.warn(decision.warning);
    }
    if (d.source === "installed") {
      // Before any of its code is imported: the files must be the ones pinned at install.
      const integrity = installsError
        ? { pinned: true as const, ok: false as const, reason: installsError }
        : checkInstalledIntegrity(d.dir, installs?.[m.id]);
      if (integrity.pinned && !integrity.ok) {
        const reason = `integrity check failed: ${integrity.reason}`;
        host.reports.push({ ...base, reason });
        log.error("plugin refused: integrity check failed, not loaded", { plugin: m.id, dir: d.dir, reason: integrity.reason });
        continue;
      }
    }
    const entry = resolveEntry(d.dir, m.entry);
    if (!entry.ok) {
      host.reports.push({ ...base, reason: entry.error });
      log.error("plugin refused", { plugin: m.id, reason: entry.error });
      continue;
    }
    const cfg = validatePluginConfig(m, plugins.entries[m.id]?.config);
    if (!cfg.ok) {
      host.reports.push({ ...base, reason: `invalid config: ${cfg.error}` });
      log.error("plugin refused: invalid config", { plugin: m.id, reason: cfg.error });
      continue;
    }
    const pluginLog: PluginLogger = {
      info: (msg, f) => log.info(msg, { plugin: m.id, ...f }),
      warn: (msg, f) => log.warn(msg, { plugin: m.id, ...f }),
      error: (msg, f) => log.error(msg, { plugin: m.id, ...f }),
    };
    const staged = host.stage(m.id, cfg.config, pluginLog);
    try {
      const mod = (await import(pathToFileURL(entry.path).href)) as Record<string, unknown>;
      const register = registerExport(mod);
      if (!register) throw new Error(`${m.entry} exports no register(api) function`);
      await withTimeout(Promise.resolve().then(() => register(staged.api)), REGISTER_TIMEOUT_MS, "register(api)");
    } catch (err) {
      const reason = `register failed: ${(err as Error)?.message ?? String(err)}`;
      host.reports.push({ ...base, reason });
      log.error("plugin failed to load", { plugin: m.id, reason });
      continue;
    }
    const contributes = staged.commit();
    host.reports.push({ ...base, status: "loaded", contributes });
    log.info("plugin loaded", { plugin: m.id, version: m.version, ...contributes });
  }
  return host;
}
