// `--deep`: live probes that prove findings instead of inferring them from the config.
//   - the running gateway: connect without credentials and with a wrong secret (both
//     must be refused), repeated wrong secrets must end in RATE_LIMITED, the port must
//     not be bound wider than the config says, and no plain HTTP when TLS is configured;
//   - the sandbox: a command run the way the exec tool runs it for a stranger's
//     (non-main) session must not read the state dir or open a socket to the gateway;
//   - the fs tools: the real read tool, in a channel agent's session, must not read the
//     config file outside the workspace.
// Each finding carries what the probe saw as its evidence.
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import http from "node:http";
import { connect as netConnect } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { groupSessionKey, mainSessionKey } from "../security/session-scope.js";
import { clientOptionsFromConfig } from "../protocol/local.js";
import { scrubEnv, runProcess } from "../exec/runner.js";
import { resolveBindHost } from "../security/exposure.js";
import { isLoopbackHost } from "../net/address.js";
import { errorMessage } from "../infra/errors.js";
import { GatewayClient, GatewayError } from "../protocol/client.js";
import { runSandboxed, selectBackend } from "../sandbox/backend.js";
import { DEFAULT_SANDBOX_PATH } from "../sandbox/bwrap.js";
import { effectiveSandbox } from "../security/sandbox-scope.js";
import { readTool } from "../tools/fs.js";
import { toolDecision } from "../security/tool-policy.js";
import type { ToolContext } from "../tools/types.js";
import { deepChecks as c } from "./deep-checks.js";
import { agentTools, channelAgent, gatewayReach } from "./exposure.js";
import { finding, type AuditInput, type Finding } from "./types.js";

export interface DeepOptions {
  url?: string;
  timeoutMs?: number;
  /** Upper bound on wrong-secret attempts in the lockout probe. */
  maxLockoutAttempts?: number;
}

const CLIENT = { name: "simpleclaw-audit", version: "1", platform: process.platform };

function wrongSecret(): string {
  return `audit-probe-wrong-${randomBytes(18).toString("base64url")}`;
}

type Attempt = { ok: true } | { ok: false; code: string; message: string };

async function tryConnect(url: string, auth: { token?: string; password?: string }, fingerprint: string | undefined, timeoutMs: number): Promise<Attempt> {
  try {
    const client = await GatewayClient.connect({ url, ...auth, ...(fingerprint ? { tlsFingerprint: fingerprint } : {}), timeoutMs, client: CLIENT });
    client.close();
    return { ok: true };
  } catch (err) {
    if (err instanceof GatewayError) return { ok: false, code: err.code, message: err.message };
    return { ok: false, code: "CONNECTION", message: errorMessage(err) };
  }
}

/** One raw connect with a wrong secret, optionally from a chosen local address; returns the error code. */
function rawWrongAttempt(url: string, auth: Record<string, string>, localAddress: string | undefined, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { handshakeTimeout: timeoutMs, rejectUnauthorized: false, perMessageDeflate: false, ...(localAddress ? { localAddress } : {}) });
    const done = (code: string) => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on("error", () => {});
      ws.terminate();
      resolve(code);
    };
    const timer = setTimeout(() => done("TIMEOUT"), timeoutMs);
    ws.on("error", (e) => done(`CONNECTION: ${errorMessage(e)}`));
    ws.on("close", () => done("CLOSED"));
    ws.on("message", (data) => {
      let frame: { type?: string; event?: string; ok?: boolean; error?: { code?: string } };
      try {
        frame = JSON.parse(String(data));
      } catch {
        return done("BAD_FRAME");
      }
      if (frame.type === "event" && frame.event === "connect.challenge") {
        ws.send(JSON.stringify({ type: "req", id: "audit-1", method: "connect", params: { role: "operator", auth, client: CLIENT } }));
      } else if (frame.type === "res") {
        done(frame.ok ? "OK" : (frame.error?.code ?? "ERROR"));
      }
    });
  });
}

/** Listening sockets on `port` from /proc/net/tcp{,6} (Linux; empty elsewhere). */
export function listeningAddresses(port: number): string[] {
  const out: string[] = [];
  for (const [file, v6] of [["/proc/net/tcp", false], ["/proc/net/tcp6", true]] as const) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== "0A") continue;
      const [hexAddr, hexPort] = cols[1]!.split(":") as [string, string];
      if (parseInt(hexPort, 16) !== port) continue;
      out.push(v6 ? decodeV6(hexAddr) : decodeV4(hexAddr));
    }
  }
  return [...new Set(out)];
}

function decodeV4(hex: string): string {
  const b = Buffer.from(hex, "hex");
  return `${b[3]}.${b[2]}.${b[1]}.${b[0]}`;
}

function decodeV6(hex: string): string {
  const words: string[] = [];
  for (let i = 0; i < 4; i++) {
    const b = Buffer.from(hex.slice(i * 8, i * 8 + 8), "hex");
    const le = Buffer.from([b[3]!, b[2]!, b[1]!, b[0]!]);
    words.push(le.subarray(0, 2).toString("hex"), le.subarray(2, 4).toString("hex"));
  }
  const s = words.map((w) => w.replace(/^0+(?=.)/, "")).join(":");
  if (s === "0:0:0:0:0:0:0:0") return "::";
  if (s === "0:0:0:0:0:0:0:1") return "::1";
  const m = /^0:0:0:0:0:ffff:([0-9a-f]+):([0-9a-f]+)$/.exec(s);
  if (m) {
    const n = (parseInt(m[1]!, 16) << 16) | parseInt(m[2]!, 16);
    return `::ffff:${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  return s;
}

function tcpOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ host, port });
    const done = (ok: boolean) => {
      clearTimeout(t);
      s.destroy();
      resolve(ok);
    };
    const t = setTimeout(() => done(false), timeoutMs);
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
  });
}

function plainHttp(host: string, port: number, timeoutMs: number): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: "/", timeout: timeoutMs }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (e) => resolve({ error: errorMessage(e) }));
  });
}

function realOr(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

async function gatewayProbes(input: AuditInput, opts: DeepOptions, out: Finding[]): Promise<number | undefined> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  let base;
  try {
    base = clientOptionsFromConfig(opts.url ? { url: opts.url } : {}, input.env);
  } catch (err) {
    out.push(finding(c.probeFailed, { detail: `The gateway address could not be worked out: ${errorMessage(err)}`, evidence: errorMessage(err) }));
    return undefined;
  }
  const url = base.url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    out.push(finding(c.probeFailed, { detail: `${url} is not a gateway URL.`, evidence: `url=${url}` }));
    return undefined;
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  const port = Number(parsed.port || (parsed.protocol === "wss:" ? 443 : 80));
  const fp = base.tlsFingerprint;
  const cfg = input.config.gateway;

  const noCreds = await tryConnect(url, {}, fp, timeoutMs);
  if (!noCreds.ok && noCreds.code === "CONNECTION") {
    out.push(
      finding(c.probeFailed, {
        detail: `No gateway answered at ${url}, so the live gateway probes did not run.`,
        evidence: `connect ${url}: ${noCreds.message}`,
      }),
    );
    return undefined;
  }
  if (noCreds.ok) {
    out.push(
      finding(c.unauthAccepted, {
        detail: `The gateway at ${url} let a client in without any token or password.`,
        evidence: `connect ${url} with auth {} → hello-ok`,
      }),
    );
  }
  const mode = input.config.gateway.auth.mode;
  const wrongAuth = mode === "password" ? { password: wrongSecret() } : { token: wrongSecret() };
  const wrong = await tryConnect(url, wrongAuth, fp, timeoutMs);
  if (wrong.ok) {
    out.push(
      finding(c.wrongAccepted, {
        detail: `The gateway at ${url} let a client in with a random wrong ${mode === "password" ? "password" : "token"}.`,
        evidence: `connect ${url} with a random ${Object.keys(wrongAuth)[0]} → hello-ok`,
      }),
    );
  }

  // Lockout: only meaningful when the gateway checks secrets at all.
  const rl = cfg.auth.rateLimit;
  const harmless = !(isLoopbackHost(host) || host === "0.0.0.0" || host === "::") || rl.exemptLoopback;
  if ((!noCreds.ok || !wrong.ok) && harmless) {
    const limit = Math.min(rl.maxAttempts + 1, opts.maxLockoutAttempts ?? 60);
    // All of loopback is one client for the lockout (docs/security-model.md): wrong secrets sent
    // from this machine to a loopback gateway would lock the owner out for lockoutMs. So the
    // active probe runs only where it is harmless — a remote URL, or loopback exempted (which
    // is itself what it then reports) — and the lockout rule is otherwise proven by the tests.
    const loopTarget = isLoopbackHost(host) || host === "0.0.0.0" || host === "::";
    const localAddress: string | undefined = undefined;
    const target = new URL(url);
    if (host === "0.0.0.0") target.hostname = "127.0.0.1";
    const codes: string[] = [];
    for (let i = 0; i < limit; i++) {
      const code = await rawWrongAttempt(target.href, { [Object.keys(wrongAuth)[0]!]: wrongSecret() }, localAddress, timeoutMs);
      codes.push(code);
      if (code === "RATE_LIMITED" || code.startsWith("CONNECTION") || code === "OK") break;
    }
    const last = codes[codes.length - 1] ?? "";
    if (last.startsWith("CONNECTION") && codes.length === 1 && localAddress) {
      out.push(finding(c.probeFailed, { detail: `The lockout probe could not connect from ${localAddress}.`, evidence: last }));
    } else if (last !== "RATE_LIMITED") {
      out.push(
        finding(c.noLockout, {
          detail: `${codes.length} wrong secrets in a row from ${localAddress ?? "this machine"} were never answered RATE_LIMITED${rl.exemptLoopback && loopTarget ? " (gateway.auth.rateLimit.exemptLoopback is true)" : ""}.`,
          evidence: `${codes.length} attempts: ${[...new Set(codes)].join(", ")}; maxAttempts=${rl.maxAttempts}`,
        }),
      );
    }
  }

  // What the port is really bound to, vs the address the config binds to.
  const bindMode = gatewayReach(input.config, input.env).bind; // SIMPLECLAW_GATEWAY_BIND beats gateway.bind
  const expected = resolveBindHost(bindMode, cfg.customBindHost, networkInterfaces());
  const local = isLoopbackHost(host) || Object.values(networkInterfaces()).some((l) => l?.some((a) => a.address === host));
  if (expected.ok && expected.host !== "0.0.0.0" && expected.host !== "::" && local) {
    const want = expected.host;
    const wantLoopback = isLoopbackHost(want);
    const bound = listeningAddresses(port);
    const wide = bound.filter((a) => {
      const v4 = a.replace(/^::ffff:/, "");
      return v4 !== want && !(wantLoopback && isLoopbackHost(v4));
    });
    const answering: string[] = [];
    if (wantLoopback) {
      const external = Object.values(networkInterfaces())
        .flatMap((l) => l ?? [])
        .filter((a) => !a.internal && a.family === "IPv4")
        .map((a) => a.address);
      for (const a of external.slice(0, 3)) if (await tcpOpen(a, port, Math.min(timeoutMs, 1500))) answering.push(a);
    }
    if (wide.length || answering.length) {
      out.push(
        finding(c.listenMismatch, {
          detail: `gateway.bind is ${bindMode} (${want}), but port ${port} is ${wide.length ? `bound to ${wide.join(", ")}` : ""}${wide.length && answering.length ? " and " : ""}${answering.length ? `answers on ${answering.join(", ")}` : ""}.`,
          evidence: `listening on port ${port}: ${bound.join(", ") || "(unknown)"}; TCP connect to non-loopback addresses: ${answering.join(", ") || (wantLoopback ? "refused" : "not tried")}`,
        }),
      );
    }
  }

  if (cfg.tls.enabled) {
    const h = host === "0.0.0.0" ? "127.0.0.1" : host;
    const r = await plainHttp(h, port, timeoutMs);
    if (r.status !== undefined) {
      out.push(
        finding(c.plaintext, {
          detail: `gateway.tls.enabled is true, but http://${h}:${port}/ answered over plain HTTP.`,
          evidence: `GET http://${h}:${port}/ → HTTP ${r.status}`,
        }),
      );
    }
  }
  return port;
}

/** A workspace to run the probes in: the agent's own when it exists, else a throw-away one. */
function probeWorkspace(input: AuditInput, agentId: string): { dir: string; temp: boolean } {
  const ws = input.workspaces.find((w) => w.agentId === agentId);
  const real = ws ? (ws.realpath ?? realOr(ws.path)) : undefined;
  if (real) return { dir: real, temp: false };
  return { dir: realpathSync(mkdtempSync(join(tmpdir(), "simpleclaw-audit-ws-"))), temp: true };
}

async function sandboxProbe(input: AuditInput, port: number | undefined, opts: DeepOptions, out: Finding[]): Promise<void> {
  const { config } = input;
  const agent = channelAgent(config);
  if (!agentTools(config, agent).exec) return; // exec is off: nothing to escape with
  const key = groupSessionKey(agent.id, "audit", "probe");
  const sb = effectiveSandbox(config, agent, key);
  const ws = probeWorkspace(input, agent.id);
  try {
    const stateDir = input.paths.stateDir;
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const sock = port
      ? `if command -v bash >/dev/null 2>&1; then bash -c ${q(`exec 3<>/dev/tcp/127.0.0.1/${port}`)} 2>/dev/null && echo SOCKET_OPEN || echo SOCKET_REFUSED; else echo SOCKET_UNTESTED; fi`
      : "echo SOCKET_UNTESTED";
    // Try to read what matters — config, exec approvals, credentials, the state database —
    // and report only what was actually read. (A bind-mounted workspace inside the state dir
    // makes its parent directories exist, empty, in the sandbox: that is not a leak.)
    const secrets = [input.paths.config, input.paths.execApprovals, input.paths.stateDb, ...input.credentialsFiles.map((f) => f.path)].filter((f) => existsSync(f));
    const reads = secrets.map((f) => `head -c 1 ${q(f)} >/dev/null 2>&1 && echo ${q(`STATE_READ:${f}`)}`).join("; ");
    const script = `${reads ? `${reads}; ` : ""}{ ${secrets.length ? secrets.map((f) => `test -r ${q(f)}`).join(" || ") : "false"}; } && echo STATE_READABLE || echo STATE_HIDDEN; ${sock}`;
    const env = scrubEnv(process.env);
    const timeoutMs = (opts.timeoutMs ?? 5000) * 3;
    let result;
    let where: string;
    if (!sb.required) {
      env.PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
      where = `on the host (sandbox.mode ${sb.mode})`;
      result = await runProcess({ file: "/bin/sh", args: ["-c", script], cwd: ws.dir, env, timeoutMs, maxOutputBytes: 4096 });
    } else {
      const backend = await selectBackend(sb.backend);
      if (backend.name === "none") return; // sandbox.unavailable already says exec refuses to run
      env.PATH = DEFAULT_SANDBOX_PATH;
      where = `in the ${backend.name} sandbox (network ${sb.network ? "on" : "off"}, workspace ${sb.workspaceAccess})`;
      result = await runSandboxed(
        backend,
        { workspace: ws.dir, cwd: ws.dir, workspaceAccess: sb.workspaceAccess, network: sb.network, env, command: ["/bin/sh", "-c", script] },
        { timeoutMs, maxOutputBytes: 4096, guard: { stateDir, home: input.home } },
      );
    }
    if (result.error) {
      out.push(finding(c.probeFailed, { detail: `The sandbox probe could not start ${where}: ${result.error}.`, evidence: result.error }));
      return;
    }
    const saw = result.stdout;
    const read = saw.split("\n").filter((l) => l.startsWith("STATE_READ:")).map((l) => l.slice("STATE_READ:".length));
    const leaks = [read.length ? `read ${read.join(", ")} from the state dir ${stateDir}` : "", saw.includes("SOCKET_OPEN") ? `opened a TCP socket to the gateway on 127.0.0.1:${port}` : ""].filter(Boolean);
    if (leaks.length) {
      out.push(
        finding(c.sandboxEscape, {
          detail: `A command run for a group (non-main) session of agent ${agent.id} ${where} ${leaks.join(" and ")}.`,
          evidence: `session ${key}: ${saw.trim().split("\n").join(", ")} (exit ${result.exitCode})`,
        }),
      );
    }
  } finally {
    if (ws.temp) rmSync(ws.dir, { recursive: true, force: true });
  }
}

async function fsProbe(input: AuditInput, out: Finding[]): Promise<void> {
  const { config } = input;
  const agent = channelAgent(config);
  if (!toolDecision({ name: "read", group: "fs" }, config, agent).allowed) return;
  const target = [input.paths.config, input.paths.execApprovals, ...input.credentialsFiles.map((f) => f.path), input.paths.stateDb].find((p) => existsSync(p));
  if (!target) return;
  const ws = probeWorkspace(input, agent.id);
  try {
    const keys = [mainSessionKey(agent.id), groupSessionKey(agent.id, "audit", "probe")];
    for (const sessionKey of keys) {
      const ctx: ToolContext = {
        agentId: agent.id,
        sessionKey,
        workspace: ws.dir,
        config,
        signal: AbortSignal.timeout(10_000),
        origin: sessionKey === keys[0] ? { kind: "operator", client: "simpleclaw-audit" } : { kind: "channel", channel: "audit", peer: "probe" },
        sandbox: effectiveSandbox(config, agent, sessionKey),
        notify: () => {},
      };
      let text: string | undefined;
      try {
        text = await readTool.execute({ path: target }, ctx);
      } catch {
        continue; // refused: good
      }
      out.push(
        finding(c.fsEscape, {
          detail: `read ${target} from ${sessionKey} (workspace ${ws.dir}) returned its content.`,
          evidence: `read {path: ${JSON.stringify(target)}} in ${sessionKey} → ${text.length} characters; tools.fs.workspaceOnly=${config.tools.fs.workspaceOnly}, sandbox required: ${ctx.sandbox.required}`,
        }),
      );
      break;
    }
  } finally {
    if (ws.temp) rmSync(ws.dir, { recursive: true, force: true });
  }
}

export async function runDeepProbes(input: AuditInput, opts: DeepOptions = {}): Promise<Finding[]> {
  const out: Finding[] = [];
  const step = async (what: string, fn: () => Promise<unknown>) => {
    try {
      return await fn();
    } catch (err) {
      out.push(finding(c.probeFailed, { detail: `The ${what} probe failed: ${errorMessage(err)}.`, evidence: errorMessage(err) }));
      return undefined;
    }
  };
  const port = (await step("gateway", () => gatewayProbes(input, opts, out))) as number | undefined;
  await step("sandbox", () => sandboxProbe(input, port, opts, out));
  await step("workspace read", () => fsProbe(input, out));
  return out;
}
