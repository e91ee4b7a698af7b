// CLI commands that talk to a running gateway: `gateway status` and `gateway call`.
// Connection details default to what the local config says (URL, secret, and the
// auto-generated TLS certificate's fingerprint), so on the gateway's own machine
// no flags are needed.
import { existsSync, readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { readRawConfig, validateConfig } from "../config/io.js";
import { statePaths } from "../config/paths.js";
import { configSchema, type Config } from "../config/schema.js";
import { EXIT, UserError } from "../infra/errors.js";
import { resolveAuth } from "../security/auth.js";
import { resolveBindHost } from "../security/exposure.js";
import { autoCertPaths, fingerprintOf } from "../gateway/tls.js";
import { GatewayClient, GatewayError, type ClientOptions } from "../protocol/client.js";
import { version } from "../infra/version.js";
import { parsePort } from "../gateway/start.js";

export interface Flags {
  url?: string;
  token?: string;
  password?: string;
  tlsFingerprint?: string;
  json?: boolean;
}

function localConfig(): Config {
  const { raw } = readRawConfig();
  const v = validateConfig(raw);
  // A broken config should not stop `status` from trying the defaults.
  return v.ok ? v.config : configSchema.parse({});
}

export function clientOptionsFromConfig(flags: Flags, env = process.env): ClientOptions {
  const config = localConfig();
  const paths = statePaths(env);
  const tlsOn = config.gateway.tls.enabled;
  let url = flags.url;
  if (!url) {
    const bind = resolveBindHost(config.gateway.bind, config.gateway.customBindHost, networkInterfaces());
    let host = bind.ok ? bind.host : "127.0.0.1";
    if (host === "0.0.0.0") host = "127.0.0.1";
    if (host.includes(":")) host = `[${host}]`;
    const port = env.SIMPLECLAW_GATEWAY_PORT ? parsePort(env.SIMPLECLAW_GATEWAY_PORT, "SIMPLECLAW_GATEWAY_PORT") : config.gateway.port;
    url = `${tlsOn ? "wss" : "ws"}://${host}:${port}/ws`;
  }
  let tlsFingerprint = flags.tlsFingerprint;
  if (!tlsFingerprint && url.startsWith("wss:") && config.gateway.tls.autoGenerate) {
    const cert = autoCertPaths(paths.tls).cert;
    if (existsSync(cert)) tlsFingerprint = fingerprintOf(readFileSync(cert, "utf8"));
  }
  const auth = resolveAuth(config, env);
  const token = flags.token ?? (auth.mode === "token" ? auth.secret : undefined);
  const password = flags.password ?? (auth.mode === "password" ? auth.secret : undefined);
  return {
    url,
    token,
    password,
    tlsFingerprint,
    client: { name: "simpleclaw-cli", version, platform: process.platform },
  };
}

export async function connect(flags: Flags, extra: Partial<ClientOptions> = {}): Promise<GatewayClient> {
  const opts = { ...clientOptionsFromConfig(flags), ...extra };
  try {
    return await GatewayClient.connect(opts);
  } catch (err) {
    if (err instanceof GatewayError) {
      const retry = err.retryAfterMs ? ` Retry in ${Math.ceil(err.retryAfterMs / 1000)} s.` : "";
      throw new UserError(`${err.code === "CONNECTION" ? "" : `${err.code}: `}${err.message}${retry}`);
    }
    throw err;
  }
}

interface Status {
  version: string;
  bind: { mode: string; host: string; port: number };
  tls: { enabled: boolean; fingerprint256?: string };
  auth: { mode: string; source: string };
  uptimeMs: number;
  connections: { operator: number; node: number };
}

export async function gatewayStatus(flags: Flags): Promise<void> {
  const client = await connect(flags).catch((err: UserError) => {
    if (flags.json) process.stdout.write(`${JSON.stringify({ running: false, error: err.message })}\n`);
    throw err;
  });
  try {
    const s = await client.call<Status>("status");
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ running: true, ...s })}\n`);
      return;
    }
    const lines = [
      `running: yes (version ${s.version}, up ${Math.round(s.uptimeMs / 1000)} s)`,
      `bind: ${s.bind.mode} (${s.bind.host}), port ${s.bind.port}`,
      `tls: ${s.tls.enabled ? `on, SHA-256 fingerprint ${s.tls.fingerprint256}` : "off"}`,
      `auth: ${s.auth.mode}${s.auth.source !== "none" ? ` (secret from ${s.auth.source})` : ""}`,
      `clients: ${s.connections.operator} operator, ${s.connections.node} node`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await client.close();
  }
}

export async function gatewayCall(method: string, flags: Flags & { params: string }): Promise<void> {
  let params: unknown;
  try {
    params = JSON.parse(flags.params);
  } catch {
    throw new UserError(`--params is not valid JSON; pass an object such as '{"path":"gateway.port"}'.`, EXIT.usage);
  }
  if (params === null || typeof params !== "object" || Array.isArray(params)) {
    throw new UserError("--params must be a JSON object.", EXIT.usage);
  }
  const client = await connect(flags);
  try {
    const result = await client.call(method, params as Record<string, unknown>);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } catch (err) {
    if (err instanceof GatewayError) throw new UserError(`${err.code}: ${err.message}`);
    throw err;
  } finally {
    await client.close();
  }
}
