// Implementations of `simpleclaw node run` and `simpleclaw nodes …` (lazy-loaded).
import { randomUUID } from "node:crypto";
import { EXIT, UserError } from "../infra/errors.js";
import { GatewayError } from "../protocol/client.js";
import { connect, type Flags } from "./gateway-client.js";

export async function nodeRun(opts: { url: string; token?: string; password?: string; name?: string; tlsFingerprint?: string; reconnectMax: string }): Promise<void> {
  const max = Number(opts.reconnectMax);
  if (!Number.isFinite(max) || max <= 0) throw new UserError("--reconnect-max must be a positive number of seconds.", EXIT.usage);
  const { runNodeHost } = await import("../node-host/host.js");
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  await runNodeHost({
    url: opts.url,
    token: opts.token ?? process.env.SIMPLECLAW_GATEWAY_TOKEN,
    password: opts.password ?? process.env.SIMPLECLAW_GATEWAY_PASSWORD,
    name: opts.name,
    tlsFingerprint: opts.tlsFingerprint,
    reconnectMaxMs: max * 1000,
    signal: ac.signal,
  });
}

interface NodeRow {
  nodeId: string;
  name: string;
  platform: string;
  version: string;
  commands: string[];
  connectedAt: number;
  remoteAddress: string;
}

export async function nodesList(opts: Flags & { json?: boolean }): Promise<void> {
  const client = await connect(opts);
  try {
    const { nodes } = await client.call<{ nodes: NodeRow[] }>("nodes.list");
    if (opts.json) return void process.stdout.write(`${JSON.stringify(nodes, null, 2)}\n`);
    if (!nodes.length) return void process.stdout.write("No nodes are connected.\n");
    for (const n of nodes) {
      process.stdout.write(`${n.nodeId.slice(0, 12)}  ${n.name}  ${n.platform}  from ${n.remoteAddress}  since ${new Date(n.connectedAt).toISOString()}\n    ${n.commands.join(", ")}\n`);
    }
  } finally {
    await client.close();
  }
}

export async function nodesInvoke(nodeRef: string, command: string, opts: Flags & { params: string; timeout: string }): Promise<void> {
  let params: unknown;
  try {
    params = JSON.parse(opts.params);
  } catch {
    throw new UserError(`--params is not valid JSON; pass an object such as '{"name":"git"}'.`, EXIT.usage);
  }
  if (params === null || typeof params !== "object" || Array.isArray(params)) throw new UserError("--params must be a JSON object.", EXIT.usage);
  const timeoutMs = Number(opts.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 600_000) throw new UserError("--timeout must be milliseconds from 1 to 600000.", EXIT.usage);
  const client = await connect(opts, { timeoutMs: timeoutMs + 5000 });
  try {
    const res = await client.call<{ result: unknown }>("node.invoke", { nodeId: nodeRef, command, params, timeoutMs, idempotencyKey: randomUUID() });
    process.stdout.write(`${JSON.stringify(res.result, null, 2)}\n`);
  } catch (err) {
    if (err instanceof GatewayError) throw new UserError(`${err.code}: ${err.message}`);
    throw err;
  } finally {
    await client.close();
  }
}
