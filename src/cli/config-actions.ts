// Implementations of the config commands (loaded only when one runs).
import { z } from "zod";
import {
  getAt,
  parseCliValue,
  readRawConfig,
  saveRawConfig,
  setAt,
  splitKeyPath,
  unsetAt,
  validateConfig,
} from "../config/io.js";
import { configSchema, type Config } from "../config/schema.js";
import { statePaths } from "../config/paths.js";
import { reloadPlan } from "../config/reload.js";
import { modelRefProblems } from "../config/model-refs.js";
import { processAlive, readRuntimeRecord } from "../config/runtime-record.js";
import { Redactor, isSecretKey } from "../infra/redact.js";
import { pluginSecretPaths } from "../plugins/secrets.js";
import { EXIT, UserError, errorMessage } from "../infra/errors.js";

function print(value: unknown): void {
  process.stdout.write(typeof value === "string" ? `${value}\n` : `${JSON.stringify(value, null, 2)}\n`);
}

export function configGet(path?: string): void {
  const { raw, path: file } = readRawConfig();
  const v = validateConfig(raw);
  if (!v.ok) throw new UserError(`invalid config in ${file}: ${v.problems.join("; ")}.`, EXIT.config);
  // Same redaction as the config.get RPC (infra/redact.ts). Naming one secret key exactly
  // (`config get gateway.auth.token`) prints that one value: the operator asked for it.
  const parts = path ? splitKeyPath(path) : [];
  const value = parts.length ? getAt(v.config, parts) : v.config;
  if (value === undefined) throw new UserError(`${path} is not set and has no default.`);
  const secrets = pluginSecretPaths(v.config, statePaths().plugins, file);
  const named = parts.length > 0 && typeof value === "string" && (isSecretKey(parts.at(-1)!) || secrets.some((p) => p.length === parts.length && p.every((x, i) => x === "*" || x === parts[i])));
  if (named) return print(value);
  const redactor = new Redactor();
  const whole = redactor.value(v.config, secrets);
  print(parts.length ? getAt(whole, parts) : whole);
}

export async function configSet(path: string, text: string): Promise<void> {
  const parts = splitKeyPath(path);
  const { raw } = readRawConfig();
  const parsed = parseCliValue(text);
  let next = setAt(raw, parts, parsed);
  let v = validateConfig(next);
  if (!v.ok && typeof parsed !== "string") {
    // `config set gateway.auth.token 12345` means the string "12345".
    const asString = setAt(raw, parts, text);
    if (validateConfig(asString).ok) {
      next = asString;
      v = validateConfig(next);
    }
  }
  // A value the schema refuses is a mistake on the command line (exit 2), not a broken config.
  if (!v.ok) throw new UserError(`not saved: ${v.problems.join("; ")}.`, EXIT.usage);
  const before = validateConfig(raw);
  // A model ref naming a provider nobody provides is refused too (only ones this change introduces).
  const had = new Set(before.ok ? modelRefProblems(before.config).map((p) => `${p.path}: ${p.message}`) : []);
  const refs = modelRefProblems(v.config).map((p) => `${p.path}: ${p.message}`).filter((p) => !had.has(p));
  if (refs.length) throw new UserError(`not saved: ${refs.join("; ")}.`, EXIT.usage);
  saveRawConfig(next);
  process.stdout.write(`set ${path}\n`);
  await tellRunningGateway(before.ok ? before.config : undefined, v.config);
}

/**
 * After a write: when a gateway runs on this machine, have it re-read the file now and
 * say what that did: applied live, or "restart needed" for keys such as the port
 * (config/reload.ts decides which). With no gateway running there is nothing to say.
 */
async function tellRunningGateway(before: Config | undefined, after: Config): Promise<void> {
  const record = readRuntimeRecord(statePaths(process.env).dir);
  if (!record || !processAlive(record.pid)) return;
  const plan = before ? reloadPlan(before, after) : { live: ["(whole config)"], restart: [] };
  let restart = plan.restart;
  if (plan.live.length) {
    try {
      const { connect } = await import("../protocol/local.js");
      const client = await connect({});
      try {
        const r = await client.call<{ ok: true; applied: string[]; restartNeeded: string[] } | { ok: false; problem: string }>("config.reload");
        if (!r.ok) throw new UserError(`saved, but the running gateway refused the file: ${r.problem}`, EXIT.config);
        process.stdout.write(`applied to the running gateway (pid ${record.pid})\n`);
        restart = [...new Set([...restart, ...r.restartNeeded])];
      } finally {
        await client.close();
      }
    } catch (err) {
      if (err instanceof UserError && err.exitCode === EXIT.config) throw err;
      process.stdout.write(`saved; could not reach the running gateway to apply it now (${errorMessage(err)}); it re-reads the file on its own within a second\n`);
    }
  }
  if (restart.length) {
    process.stdout.write(
      `restart needed: the running gateway (pid ${record.pid}) applies ${restart.join(", ")} only after a restart (simpleclaw gateway restart for the service, or stop it and start it again)\n`,
    );
  }
}

export async function configUnset(path: string): Promise<void> {
  const parts = splitKeyPath(path);
  const { raw } = readRawConfig();
  const { raw: next, removed } = unsetAt(raw, parts);
  if (!removed) {
    process.stdout.write(`${path} was not set\n`);
    return;
  }
  const v = validateConfig(next);
  if (!v.ok) throw new UserError(`not saved: removing ${path} leaves an invalid config: ${v.problems.join("; ")}.`, EXIT.config);
  const before = validateConfig(raw);
  saveRawConfig(next);
  process.stdout.write(`unset ${path}\n`);
  await tellRunningGateway(before.ok ? before.config : undefined, v.config);
}

export function configValidate(): void {
  const { raw, path, exists } = readRawConfig();
  const v = validateConfig(raw);
  if (!v.ok) {
    throw new UserError(`invalid config in ${path}:\n  ${v.problems.join("\n  ")}`, EXIT.config);
  }
  const refs = modelRefProblems(v.config);
  if (refs.length) throw new UserError(`invalid config in ${path}:\n  ${refs.map((p) => `${p.path}: ${p.message}`).join("\n  ")}`, EXIT.config);
  process.stdout.write(exists ? `config OK: ${path}\n` : `no config file at ${path}; the defaults are valid\n`);
}

export function configSchemaPrint(): void {
  print(z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }));
}
