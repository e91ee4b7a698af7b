// `simpleclaw doctor`: the I/O half. Gathers the facts each check in checks.ts judges
// (config file, modes, Node, sandbox probe, Chromium, model key or one tiny request,
// the gateway port) and applies the safe fixes: chmod 700/600 and the config schema
// migration (backup first, diff printed). Nothing else is ever changed.
import { chmodSync, constants, copyFileSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { createServer } from "node:net";
import { networkInterfaces } from "node:os";
import { dirname, join } from "node:path";
import { parseConfigText, validateConfig, type RawConfig } from "../config/io.js";
import { CONFIG_VERSION, configVersion, migrateConfig, type VersionInfo } from "../config/migrate.js";
import { statePaths, type Env } from "../config/paths.js";
import type { Config } from "../config/schema.js";
import type { ProviderCredentials } from "../agents/model-ref.js";
import { readStateFile, writeFileAtomic } from "../infra/atomic-fs.js";
import { errorMessage } from "../infra/errors.js";
import { MIN_NODE_VERSION, nodeVersionProblem } from "../infra/runtime.js";
import {
  browserCheck,
  configCheck,
  modelCheck,
  nodeCheck,
  permissionsCheck,
  portCheck,
  sandboxCheck,
  skillsCheck,
  versionCheck,
  type CheckResult,
  type ConfigFact,
  type ModeFact,
  type ModelFact,
  type PortFact,
} from "./checks.js";

export interface DoctorOptions {
  env?: Env;
  checkModel?: boolean;
}

interface ConfigState {
  fact: ConfigFact;
  raw?: RawConfig;
  version?: VersionInfo;
  /** The config the other checks use: the file's (migrated in memory), else the defaults. */
  config?: Config;
}

function readConfigState(path: string): ConfigState {
  let text: string | undefined;
  try {
    text = readStateFile(path);
  } catch (err) {
    return { fact: { state: "unreadable", path, message: errorMessage(err) } };
  }
  if (text === undefined) return { fact: { state: "missing", path } };
  let raw: RawConfig;
  try {
    raw = parseConfigText(text, path);
  } catch (err) {
    return { fact: { state: "syntax", path, message: errorMessage(err).replace(/^.*? is not valid JSON5 \((.*)\);.*$/s, "$1") } };
  }
  const version = configVersion(raw);
  if (!version.ok) return { fact: { state: "bad-version", path }, raw, version };
  const effective = version.older ? migrateConfig(raw).raw : raw;
  const v = validateConfig(effective);
  if (!v.ok) return { fact: { state: "invalid", path, problems: v.problems }, raw, version };
  return { fact: { state: "valid", path }, raw, version, config: v.config };
}

function modeFacts(env: Env): ModeFact[] {
  const p = statePaths(env);
  const stat = (path: string, kind: ModeFact["kind"]): ModeFact => {
    try {
      return { path, kind, mode: statSync(path).mode & 0o7777 };
    } catch {
      return { path, kind };
    }
  };
  const facts = [stat(p.dir, "dir"), stat(p.config, "file"), stat(p.credentials, "dir"), stat(join(p.dir, "exec-approvals.json"), "file"), stat(p.stateDb, "file")];
  try {
    for (const name of readdirSync(p.credentials)) {
      const f = stat(join(p.credentials, name), "file");
      if (f.mode !== undefined && statSync(f.path).isFile()) facts.push(f);
    }
  } catch {
    // no credentials dir
  }
  return facts.filter((f) => f.mode !== undefined || f.path === p.dir);
}

async function sandboxResult(config: Config): Promise<CheckResult> {
  const modes = [config.agents.defaults.sandbox.mode, ...config.agents.list.map((a) => a.sandbox?.mode ?? config.agents.defaults.sandbox.mode)];
  const mode = modes.includes("all") ? "all" : modes.includes("non-main") ? "non-main" : "off";
  if (mode === "off") return sandboxCheck({ mode, preference: config.agents.defaults.sandbox.backend, backend: { name: "none" } });
  const { selectBackend } = await import("../sandbox/backend.js");
  const pref = config.agents.defaults.sandbox.backend;
  const b = await selectBackend(pref);
  return sandboxCheck({
    mode,
    preference: pref,
    backend: b.name === "none" ? { name: "none", reason: b.reason } : { name: b.name, ...(b.version ? { version: b.version } : {}) },
  });
}

async function browserResult(config: Config, env: Env): Promise<CheckResult> {
  if (!config.tools.browser.enabled) return browserCheck({ enabled: false });
  if (config.browser.cdpUrl) return browserCheck({ enabled: true, cdpUrl: true });
  const { findChromium } = await import("../browser/service.js");
  try {
    return browserCheck({ enabled: true, cdpUrl: false, chromium: findChromium(config, env as NodeJS.ProcessEnv) });
  } catch (err) {
    return browserCheck({ enabled: true, cdpUrl: false, error: errorMessage(err) });
  }
}

async function modelResult(config: Config, env: Env, checkModel: boolean): Promise<CheckResult> {
  const { defaultAgent } = await import("../agents/workspace.js");
  const { loadProviderCredentials } = await import("../agents/model-ref.js");
  const agent = defaultAgent(config);
  const ref = agent.model?.primary ?? config.agents.defaults.model.primary ?? "";
  let creds: ProviderCredentials = {};
  try {
    creds = loadProviderCredentials(statePaths(env).credentials);
  } catch (err) {
    return modelCheck({ resolved: false, ref, reason: errorMessage(err), maybePlugin: false });
  }
  const primary = await modelFact(ref, config, env, creds, checkModel);
  const first = modelCheck(primary);
  if (first.status !== "fail") return first;
  // The primary cannot answer: does a fallback? Then replies still come, and it is a warning.
  for (const fb of agent.model?.fallbacks ?? config.agents.defaults.model.fallbacks) {
    const r = modelCheck(await modelFact(fb, config, env, creds, checkModel));
    if (r.status === "ok") return modelCheck(primary, { ref: fb, detail: r.detail });
  }
  return first;
}

async function modelFact(ref: string, config: Config, env: Env, creds: ProviderCredentials, checkModel: boolean): Promise<ModelFact> {
  const { providerEnvKey, resolveModel, parseModelRef } = await import("../agents/model-ref.js");
  const r = resolveModel(ref, config, env, creds);
  if (!r.ok) {
    const pluginsConfigured = (config.plugins.allow?.length ?? 0) > 0 || Object.keys(config.plugins.entries).length > 0 || config.plugins.load.paths.length > 0;
    return { resolved: false, ref, reason: r.reason, maybePlugin: pluginsConfigured && /neither built in/.test(r.reason) };
  }
  const providerId = parseModelRef(ref)?.providerId ?? "";
  const envKey = providerEnvKey(providerId);
  const keySource = !r.model.apiKey
    ? "nowhere (this endpoint takes none)"
    : env[envKey]
      ? `$${envKey}`
      : config.models.providers[providerId]?.apiKey
        ? `models.providers.${providerId}.apiKey`
        : "credentials/providers.json";
  if (!checkModel) return { resolved: true, ref, keySource };
  const { languageModel, describeModelError } = await import("../agents/models.js");
  const { generateText } = await import("ai");
  const started = Date.now();
  try {
    await generateText({
      model: languageModel(r.model),
      prompt: "Reply with the word ok.",
      maxOutputTokens: 16,
      maxRetries: 0,
      abortSignal: AbortSignal.timeout(30_000),
    });
    return { resolved: true, ref, keySource, probe: { ok: true, ms: Date.now() - started } };
  } catch (err) {
    return { resolved: true, ref, keySource, probe: { ok: false, message: describeModelError(err, ref) } };
  }
}

/** Whether our gateway answers /healthz on host:port (plain HTTP, or TLS without verification: it is only a liveness probe). */
function probeHealthz(host: string, port: number, tls: boolean): Promise<{ ours: boolean; detail: string }> {
  return new Promise((resolve) => {
    const probeHost = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
    const mod = tls ? https : http;
    const req = mod.request(
      { host: probeHost, port, path: "/healthz", method: "GET", timeout: 3000, ...(tls ? { rejectUnauthorized: false } : {}) },
      (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString().slice(0, 200)));
        res.on("end", () => {
          let ok = false;
          try {
            ok = res.statusCode === 200 && (JSON.parse(body) as { ok?: unknown }).ok === true;
          } catch {
            ok = false;
          }
          resolve({ ours: ok, detail: ok ? "simpleclaw" : `/healthz answered HTTP ${res.statusCode}` });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("no answer")));
    req.on("error", (err) => resolve({ ours: false, detail: `/healthz: ${errorMessage(err)}` }));
    req.end();
  });
}

export async function portFact(host: string, port: number, tls: boolean): Promise<PortFact> {
  const listened = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    const srv = createServer();
    srv.once("error", (err: NodeJS.ErrnoException) => resolve(err));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve(null)));
  });
  if (!listened) return { state: "free", host, port };
  if (listened.code !== "EADDRINUSE") return { state: "error", host, port, message: listened.code ?? listened.message };
  const probe = await probeHealthz(host, port, tls);
  return probe.ours ? { state: "ours", host, port } : { state: "foreign", host, port, detail: probe.detail };
}

async function portResult(config: Config, env: Env): Promise<CheckResult> {
  const { effectiveBindMode, resolveBindHost } = await import("../security/exposure.js");
  const mode = effectiveBindMode(config.gateway.bind, env);
  if (!mode.ok) return { id: "port", status: "fail", detail: mode.message };
  const bind = resolveBindHost(mode.mode, config.gateway.customBindHost, networkInterfaces());
  if (!bind.ok) return { id: "port", status: "fail", detail: bind.message, fix: "change gateway.bind" };
  const raw = env.SIMPLECLAW_GATEWAY_PORT;
  const port = raw && /^\d+$/.test(raw.trim()) ? Number(raw) : config.gateway.port;
  if (port === 0) return { id: "port", status: "ok", detail: "port 0: the gateway picks a free port" };
  return portCheck(await portFact(bind.host, port, config.gateway.tls.enabled));
}

export interface DoctorReport {
  ok: boolean;
  checks: CheckResult[];
}

async function skillsResult(config: Config, env: Env, cfgPath: string): Promise<CheckResult> {
  try {
    const [{ skillReports }, { defaultAgent, workspacePath }] = await Promise.all([import("../skills/report.js"), import("../agents/workspace.js")]);
    const { skills } = skillReports({ config, workspace: workspacePath(config, defaultAgent(config), env), env, configDir: dirname(cfgPath) });
    return skillsCheck(skills.filter((s) => s.status !== "shadowed").map((s) => ({ name: s.name, source: s.source, status: s.status, ...(s.reason ? { reason: s.reason } : {}), critical: s.findings.filter((f) => f.severity === "critical").length })));
  } catch (err) {
    return { id: "skills", status: "warn", detail: `skills could not be checked: ${(err as Error).message}` };
  }
}

/** Runs every check, in a fixed order. */
export async function runDoctor(opts: DoctorOptions = {}): Promise<DoctorReport & { chmods: ReturnType<typeof permissionsCheck>["chmods"] }> {
  const env = opts.env ?? process.env;
  const paths = statePaths(env);
  const cfg = readConfigState(paths.config);
  const perms = permissionsCheck(modeFacts(env));
  const checks: CheckResult[] = [configCheck(cfg.fact), versionCheck(cfg.version, CONFIG_VERSION), nodeCheck(process.version, nodeVersionProblem(process.version), MIN_NODE_VERSION)];
  const { chmods, ...permsResult } = perms;
  checks.push(permsResult);
  let config = cfg.config;
  if (!config && cfg.fact.state === "missing") {
    const { configSchema } = await import("../config/schema.js");
    config = configSchema.parse({});
  }
  if (config) {
    checks.push(await sandboxResult(config), await browserResult(config, env), await modelResult(config, env, !!opts.checkModel), await portResult(config, env), await skillsResult(config, env, paths.config));
  } else {
    for (const id of ["sandbox", "browser", "model", "port", "skills"]) checks.push({ id, status: "skip", detail: "needs a valid config first" });
  }
  return { ok: !checks.some((c) => c.status === "fail"), checks, chmods };
}

export interface FixOutcome {
  changed: string[];
  skipped: string[];
  backup?: string;
  diff?: string;
}

/** A backup next to the config: simpleclaw.json.bak-<ms timestamp>, mode 600, never overwriting one. */
export function backupConfig(path: string, now = Date.now()): string {
  let backup = `${path}.bak-${now}`;
  for (let i = 1; existsSync(backup); i++) backup = `${path}.bak-${now}-${i}`;
  copyFileSync(path, backup, constants.COPYFILE_EXCL);
  chmodSync(backup, 0o600);
  return backup;
}

/** `doctor --fix`: chmods first, then the config migration. Returns what changed and what was left. */
export async function applyDoctorFixes(opts: { env?: Env; chmods: Array<{ path: string; mode: number; was: number }>; now?: number }): Promise<FixOutcome> {
  const env = opts.env ?? process.env;
  const out: FixOutcome = { changed: [], skipped: [] };
  for (const c of [...opts.chmods].sort((a, b) => a.path.length - b.path.length)) {
    try {
      chmodSync(c.path, c.mode);
      out.changed.push(`chmod ${c.mode.toString(8)} ${c.path} (was ${c.was.toString(8).padStart(3, "0")})`);
    } catch (err) {
      out.skipped.push(`chmod ${c.mode.toString(8)} ${c.path}: ${errorMessage(err)}`);
    }
  }
  const path = statePaths(env).config;
  const cfg = readConfigState(path);
  if (!cfg.raw || !cfg.version?.ok || !cfg.version.older) return out;
  const m = migrateConfig(cfg.raw);
  if (m.lost.length) {
    out.skipped.push(`config migration ${m.from} → ${m.to}: it would drop ${m.lost.join(", ")}; the file was left alone (report this as a bug)`);
    return out;
  }
  const v = validateConfig(m.raw);
  if (!v.ok) {
    out.skipped.push(`config migration ${m.from} → ${m.to}: the config has problems to fix first (${v.problems.join("; ")}); the file was left alone`);
    return out;
  }
  const { createTwoFilesPatch } = await import("diff");
  const before = `${JSON.stringify(cfg.raw, null, 2)}\n`;
  const after = `${JSON.stringify(m.raw, null, 2)}\n`;
  out.backup = backupConfig(path, opts.now);
  out.changed.push(`backed up ${path} to ${out.backup} (600)`);
  writeFileAtomic(path, after, 0o600);
  out.diff = createTwoFilesPatch(`${path} (version ${m.from})`, `${path} (version ${m.to})`, before, after, undefined, undefined, { context: 2 });
  out.changed.push(`migrated ${path} from config version ${m.from} to ${m.to}: ${m.steps.join("; ")}`);
  for (const r of m.retired) out.changed.push(`  ${r.path}: ${r.note} (the old value is in the backup)`);
  return out;
}
