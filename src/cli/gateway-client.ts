// CLI commands that talk to a running gateway: `gateway status` and `gateway call`.
// Connection details default to what the local config says (URL, secret, and the
// auto-generated TLS certificate's fingerprint), so on the gateway's own machine
// no flags are needed.
import { EXIT, UserError } from "../infra/errors.js";
import { connect, type Flags } from "../protocol/local.js";
import { GatewayError } from "../protocol/client.js";

export { connect, type Flags };

interface Status {
  version: string;
  bind: { mode: string; host: string; port: number };
  tls: { enabled: boolean; fingerprint256?: string };
  auth: { mode: string; source: string };
  uptimeMs: number;
  connections: { operator: number; node: number };
}

export async function gatewayStatus(flags: Flags): Promise<void> {
  let client;
  try {
    client = await connect(flags);
  } catch (err) {
    if (!(err instanceof UserError) || !/^no gateway is running/.test(err.message)) throw err;
    // Not running is an answer, not an error: say so, exit 3 (as service managers do).
    if (flags.json) process.stdout.write(`${JSON.stringify({ running: false, reason: err.message })}\n`);
    else process.stdout.write(`running: no — ${err.message}\n`);
    process.exitCode = EXIT.notRunning;
    return;
  }
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
