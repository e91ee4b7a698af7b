// How a local client (CLI, TUI, `security audit --deep`) finds and connects to the
// gateway on this machine: URL, secret and pinned TLS fingerprint default to what the
// local config says, so no flags are needed. Client side only: never imports the server.
import { existsSync, readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { readRawConfig, validateConfig } from "../config/io.js";
import { parsePort, statePaths } from "../config/paths.js";
import { configSchema, type Config } from "../config/schema.js";
import { UserError } from "../infra/errors.js";
import { version } from "../infra/version.js";
import { autoCertPaths, fingerprintOf } from "../net/tls.js";
import { resolveAuth } from "../security/auth.js";
import { resolveBindHost } from "../security/exposure.js";
import { GatewayClient, GatewayError, type ClientOptions } from "./client.js";

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
