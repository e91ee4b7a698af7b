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
import { configSchema } from "../config/schema.js";
import { statePaths } from "../config/paths.js";
import { Redactor, isSecretKey } from "../infra/redact.js";
import { pluginSecretPaths } from "../plugins/secrets.js";
import { EXIT, UserError } from "../infra/errors.js";

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

export function configSet(path: string, text: string): void {
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
  saveRawConfig(next);
  process.stdout.write(`set ${path}\n`);
}

export function configUnset(path: string): void {
  const parts = splitKeyPath(path);
  const { raw } = readRawConfig();
  const { raw: next, removed } = unsetAt(raw, parts);
  if (!removed) {
    process.stdout.write(`${path} was not set\n`);
    return;
  }
  const v = validateConfig(next);
  if (!v.ok) throw new UserError(`not saved: removing ${path} leaves an invalid config: ${v.problems.join("; ")}.`, EXIT.config);
  saveRawConfig(next);
  process.stdout.write(`unset ${path}\n`);
}

export function configValidate(): void {
  const { raw, path, exists } = readRawConfig();
  const v = validateConfig(raw);
  if (!v.ok) {
    throw new UserError(`invalid config in ${path}:\n  ${v.problems.join("\n  ")}`, EXIT.config);
  }
  process.stdout.write(exists ? `config OK: ${path}\n` : `no config file at ${path}; the defaults are valid\n`);
}

export function configSchemaPrint(): void {
  print(z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }));
}
