// How a local client (CLI, TUI, `security audit --deep`) finds and connects to the
// gateway on this machine: URL, secret and pinned TLS fingerprint default to what the
// local config says, so no flags are needed. Client side only: never imports the server.
import { existsSync, readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { readRawConfig, validateConfig } from "../config/io.js";
import { parsePort, statePaths } from "../config/paths.js";
import { configSchema, type Config } from "../config/schema.js";
import { EXIT, UserError } from "../infra/errors.js";
import { processAlive, readRuntimeRecord, type RuntimeRecord } from "../config/runtime-record.js";
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

/** The local config, or the defaults plus the reason when it is invalid (status still tries the defaults). */
function localConfig(): { config: Config; problem?: string } {
  const { raw, path } = readRawConfig();
  const v = validateConfig(raw);
  if (v.ok) return { config: v.config };
  return { config: configSchema.parse({}), problem: `invalid config in ${path}: ${v.problems.join("; ")}` };
}

export interface GatewayTarget {
  url: string;
  /** Where the URL came from: a flag, SIMPLECLAW_GATEWAY_PORT, the running gateway's record, or the config. */
  source: "flag" | "env" | "running" | "config";
  /** The TLS fingerprint the running gateway recorded (its own certificate). */
  fingerprint256?: string;
  /** A record left by a gateway that is no longer running (mentioned when nothing answers). */
  stale?: RuntimeRecord;
}

/** Accept http(s):// for ws(s):// and a bare host:port path, so `--url http://127.0.0.1:18789/` works. */
export function normalizeGatewayUrl(input: string): string {
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    throw new UserError(`--url "${input}" is not a URL; give the gateway's address, e.g. ws://127.0.0.1:18789/ws.`, EXIT.usage);
  }
  if (u.protocol === "http:") u.protocol = "ws:";
  else if (u.protocol === "https:") u.protocol = "wss:";
  else if (u.protocol !== "ws:" && u.protocol !== "wss:") {
    throw new UserError(`--url must start with ws://, wss://, http:// or https://, got ${u.protocol}//.`, EXIT.usage);
  }
  if (u.pathname === "/" || u.pathname === "") u.pathname = "/ws";
  return u.href;
}

function hostForClient(host: string): string {
  const h = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return h.includes(":") ? `[${h}]` : h;
}

/**
 * Which gateway a local client talks to (pure): --url, then SIMPLECLAW_GATEWAY_PORT, then
 * the running gateway's record (a gateway started with --port is found there), then the
 * config. A record whose process is gone is ignored and reported as stale.
 */
export function pickGatewayTarget(input: {
  flagUrl?: string | undefined;
  envPort?: number | undefined;
  record?: RuntimeRecord | undefined;
  recordAlive: boolean;
  config: { host: string; port: number; tls: boolean };
}): GatewayTarget {
  if (input.flagUrl) return { url: normalizeGatewayUrl(input.flagUrl), source: "flag" };
  const scheme = input.config.tls ? "wss" : "ws";
  if (input.envPort !== undefined) return { url: `${scheme}://${hostForClient(input.config.host)}:${input.envPort}/ws`, source: "env" };
  const r = input.record;
  if (r && input.recordAlive) {
    return {
      url: `${r.tls ? "wss" : "ws"}://${hostForClient(r.host)}:${r.port}/ws`,
      source: "running",
      ...(r.fingerprint256 ? { fingerprint256: r.fingerprint256 } : {}),
    };
  }
  return { url: `${scheme}://${hostForClient(input.config.host)}:${input.config.port}/ws`, source: "config", ...(r ? { stale: r } : {}) };
}

interface LocalClientOptions extends ClientOptions {
  target: GatewayTarget;
  /** Where the secret came from, for error messages. */
  secretFrom: string;
  configProblem?: string;
}

function localClientOptions(flags: Flags, env = process.env): LocalClientOptions {
  const { config, problem } = localConfig();
  const paths = statePaths(env);
  const bind = resolveBindHost(config.gateway.bind, config.gateway.customBindHost, networkInterfaces());
  const record = flags.url || env.SIMPLECLAW_GATEWAY_PORT ? undefined : readRuntimeRecord(paths.dir);
  const target = pickGatewayTarget({
    flagUrl: flags.url,
    envPort: env.SIMPLECLAW_GATEWAY_PORT ? parsePort(env.SIMPLECLAW_GATEWAY_PORT, "SIMPLECLAW_GATEWAY_PORT") : undefined,
    record,
    recordAlive: record ? processAlive(record.pid) : false,
    config: { host: bind.ok ? bind.host : "127.0.0.1", port: config.gateway.port, tls: config.gateway.tls.enabled },
  });
  let tlsFingerprint = flags.tlsFingerprint ?? target.fingerprint256;
  if (!tlsFingerprint && target.url.startsWith("wss:") && config.gateway.tls.autoGenerate) {
    const cert = autoCertPaths(paths.tls).cert;
    if (existsSync(cert)) tlsFingerprint = fingerprintOf(readFileSync(cert, "utf8"));
  }
  const auth = resolveAuth(config, env);
  const token = flags.token ?? (auth.mode === "token" ? auth.secret : undefined);
  const password = flags.password ?? (auth.mode === "password" ? auth.secret : undefined);
  const secretFrom =
    flags.token !== undefined ? "--token" : flags.password !== undefined ? "--password"
    : auth.source === "env" ? `SIMPLECLAW_GATEWAY_${auth.mode.toUpperCase()}`
    : auth.source === "config" ? `gateway.auth.${auth.mode} in the config` : "nowhere";
  return {
    url: target.url,
    token,
    password,
    tlsFingerprint,
    client: { name: "simpleclaw-cli", version, platform: process.platform },
    target,
    secretFrom,
    ...(problem ? { configProblem: problem } : {}),
  };
}

export function clientOptionsFromConfig(flags: Flags, env = process.env): ClientOptions {
  const { target: _t, secretFrom: _s, configProblem: _c, ...opts } = localClientOptions(flags, env);
  return opts;
}

/** One sentence with the next step, for a failed connection. */
export function explainConnectError(err: GatewayError, o: Pick<LocalClientOptions, "url" | "target" | "secretFrom" | "configProblem">): string {
  if (o.configProblem && (err.code === "UNAUTHORIZED" || err.code === "CONNECTION")) {
    return `${o.configProblem}; fix it (simpleclaw config validate) or pass --url and --token.`;
  }
  if (err.code === "UNAUTHORIZED") {
    return `UNAUTHORIZED: the gateway at ${o.url} refused the secret from ${o.secretFrom} (${err.message.replace(/\.$/, "")}); check that it is this gateway's, or pass --token.`;
  }
  if (err.code === "RATE_LIMITED") {
    const retry = err.retryAfterMs ? ` Retry in ${Math.ceil(err.retryAfterMs / 1000)} s.` : "";
    return `${err.message}${retry}`;
  }
  if (err.code === "CONNECTION") {
    if (/HTTP 404/.test(err.message) && !new URL(o.url).pathname.startsWith("/ws")) {
      return `${err.message.replace(/\.$/, "")}: the gateway's WebSocket endpoint is /ws, e.g. --url ${new URL("/ws", o.url).href}.`;
    }
    if (/ECONNREFUSED/.test(err.message)) {
      const stale = o.target.stale ? ` (the gateway last recorded on port ${o.target.stale.port}, pid ${o.target.stale.pid}, is no longer running)` : "";
      return `no gateway is running at ${o.url}${stale}; start it with \`npx simpleclaw gateway\` (or \`npm start\`), or pass --url.`;
    }
    return err.message;
  }
  return `${err.code}: ${err.message}`;
}

export async function connect(flags: Flags, extra: Partial<ClientOptions> = {}): Promise<GatewayClient> {
  const local = localClientOptions(flags);
  const { target: _t, secretFrom: _s, configProblem: _c, ...base } = local;
  try {
    return await GatewayClient.connect({ ...base, ...extra });
  } catch (err) {
    if (err instanceof GatewayError) throw new UserError(explainConnectError(err, local));
    throw err;
  }
}
