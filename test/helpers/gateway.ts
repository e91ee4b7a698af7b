// Shared helpers for the end-to-end gateway tests: a throw-away state dir per test,
// a real gateway on 127.0.0.1 (any free port), a raw WebSocket with a frame queue,
// raw HTTP (no client-side path normalisation), and child-process runners for the CLI.
// Everything a helper creates is registered for `cleanupAll()` (call it in afterEach).
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import type { RunningGateway } from "../../src/gateway/server.js";
import { startGateway } from "../../src/gateway/start.js";

export type Env = Record<string, string | undefined>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BIN = join(REPO_ROOT, "bin", "simpleclaw.mjs");

const cleanups: Array<() => unknown | Promise<unknown>> = [];

/** Registers something to undo in `cleanupAll()` (LIFO). */
export function onCleanup(fn: () => unknown | Promise<unknown>): void {
  cleanups.push(fn);
}

/** Runs every registered cleanup (last registered first); never throws. */
export async function cleanupAll(): Promise<void> {
  while (cleanups.length) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch {
      // best effort
    }
  }
}

export function randomToken(): string {
  return randomBytes(24).toString("base64url");
}

export interface TempState {
  dir: string;
  configPath: string;
  /** Env for startGateway: only SIMPLECLAW_STATE_DIR (plus `extraEnv`). */
  env: Env;
}

/** mkdtemp under the OS temp dir; writes `config` as simpleclaw.json when given. */
export function tempStateDir(config?: Record<string, unknown>, extraEnv: Env = {}): TempState {
  const dir = mkdtempSync(join(tmpdir(), "simpleclaw-test-"));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const configPath = join(dir, "simpleclaw.json");
  if (config !== undefined) writeConfig(dir, config);
  return { dir, configPath, env: { SIMPLECLAW_STATE_DIR: dir, ...extraEnv } };
}

export function writeConfig(dir: string, config: Record<string, unknown>): void {
  writeFileSync(join(dir, "simpleclaw.json"), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}

export interface TestGateway {
  gw: RunningGateway;
  env: Env;
  dir: string;
  /** ws[s]://127.0.0.1:PORT/ws */
  url: string;
  /** http[s]://127.0.0.1:PORT */
  httpUrl: string;
  port: number;
  /** The secret in force (token or password; env beats config). */
  token: string | undefined;
  /** Lines the gateway "said" (banner, generated-token notice). */
  said: string[];
  close(): Promise<void>;
}

/**
 * Starts the real gateway in-process on 127.0.0.1:0. Unless the config picks another
 * auth mode or sets a token, a random token is added to the config first.
 */
export async function startTestGateway(config: Record<string, Json> = {}, extraEnv: Env = {}): Promise<TestGateway> {
  const cfg: Record<string, Json> = structuredClone(config);
  cfg.gateway ??= {};
  cfg.gateway.auth ??= {};
  const mode = cfg.gateway.auth.mode ?? "token";
  if (mode === "token" && cfg.gateway.auth.token === undefined && !extraEnv.SIMPLECLAW_GATEWAY_TOKEN) {
    cfg.gateway.auth.token = randomToken();
  }
  const state = tempStateDir(cfg, extraEnv);
  const said: string[] = [];
  const gw = await startGateway({ env: state.env, port: 0, pretty: null, say: (l) => said.push(l) });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await gw.close();
  };
  onCleanup(close);
  const token =
    mode === "token"
      ? (extraEnv.SIMPLECLAW_GATEWAY_TOKEN ?? cfg.gateway.auth.token)
      : mode === "password"
        ? (extraEnv.SIMPLECLAW_GATEWAY_PASSWORD ?? cfg.gateway.auth.password)
        : undefined;
  const scheme = gw.url.startsWith("wss:") ? "https" : "http";
  return {
    gw,
    env: state.env,
    dir: state.dir,
    url: gw.url,
    httpUrl: `${scheme}://127.0.0.1:${gw.port}`,
    port: gw.port,
    token,
    said,
    close,
  };
}

// ---- raw WebSocket ---------------------------------------------------------------

export interface Handshake {
  opened: boolean;
  /** HTTP status when the server refused the upgrade. */
  status?: number;
  error?: string;
}

export interface RawWs {
  ws: WebSocket;
  /** Settles when the upgrade succeeded or failed (never rejects). */
  handshake: Promise<Handshake>;
  /** Every parsed frame received so far, in order (including ones already taken by next()). */
  received: Json[];
  /** The next frame not yet taken; rejects on timeout or when the socket closed with none left. */
  next(timeoutMs?: number): Promise<Json>;
  /** Skips frames until one matches. */
  nextWhere(pred: (f: Json) => boolean, timeoutMs?: number): Promise<Json>;
  send(frame: unknown): void;
  sendRaw(data: string | Buffer, opts?: { binary?: boolean }): void;
  closed: Promise<{ code: number; reason: string }>;
  isOpen(): boolean;
}

export function rawWs(url: string, opts: WebSocket.ClientOptions = {}): RawWs {
  const ws = new WebSocket(url, { perMessageDeflate: false, ...opts });
  onCleanup(() => ws.terminate());
  const queue: Json[] = [];
  const received: Json[] = [];
  const waiters: Array<{ resolve: (f: Json) => void; reject: (e: Error) => void }> = [];
  let closeInfo: { code: number; reason: string } | undefined;

  let settle!: (h: Handshake) => void;
  const handshake = new Promise<Handshake>((r) => (settle = r));
  const closed = new Promise<{ code: number; reason: string }>((resolveClosed) => {
    ws.on("close", (code, reason) => {
      closeInfo = { code, reason: reason.toString() };
      settle({ opened: false, error: `closed ${code}` });
      for (const w of waiters.splice(0)) w.reject(new Error(`socket closed (${code} ${closeInfo.reason}) with no frame left`));
      resolveClosed(closeInfo);
    });
  });
  ws.on("open", () => settle({ opened: true }));
  ws.on("error", (err) => settle({ opened: false, error: err.message }));
  ws.on("unexpected-response", (_req, res) => {
    settle({ opened: false, status: res.statusCode });
    res.resume();
    ws.terminate();
  });
  ws.on("message", (data, isBinary) => {
    let frame: Json;
    try {
      frame = JSON.parse(data.toString());
    } catch {
      frame = { unparsed: data.toString(), isBinary };
    }
    received.push(frame);
    const w = waiters.shift();
    if (w) w.resolve(frame);
    else queue.push(frame);
  });

  const next = (timeoutMs = 5000): Promise<Json> => {
    if (queue.length) return Promise.resolve(queue.shift());
    if (closeInfo) return Promise.reject(new Error(`socket closed (${closeInfo.code} ${closeInfo.reason}) with no frame left`));
    return new Promise((resolveNext, rejectNext) => {
      const w = {
        resolve: (f: Json) => {
          clearTimeout(timer);
          resolveNext(f);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          rejectNext(e);
        },
      };
      const timer = setTimeout(() => {
        const i = waiters.indexOf(w);
        if (i >= 0) waiters.splice(i, 1);
        rejectNext(new Error(`no frame within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.push(w);
    });
  };

  return {
    ws,
    handshake,
    received,
    next,
    async nextWhere(pred, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const f = await next(Math.max(1, deadline - Date.now()));
        if (pred(f)) return f;
      }
    },
    send(frame) {
      ws.send(JSON.stringify(frame));
    },
    sendRaw(data, o = {}) {
      ws.send(data, { binary: o.binary ?? typeof data !== "string" });
    },
    closed,
    isOpen: () => ws.readyState === WebSocket.OPEN,
  };
}

let idCounter = 0;
export const nextId = () => `t${++idCounter}`;

export function connectRequest(
  auth: Record<string, string | undefined> = {},
  extra: { role?: string; id?: string; client?: Json; [k: string]: Json } = {},
): Json {
  const { role = "operator", id = nextId(), client = { name: "e2e-test", version: "1", platform: process.platform }, ...rest } = extra;
  const cleanAuth = Object.fromEntries(Object.entries(auth).filter(([, v]) => v !== undefined));
  return { type: "req", id, method: "connect", params: { role, auth: cleanAuth, client, ...rest } };
}

/** Opens a raw socket, waits for the challenge, sends connect, returns the socket and the response frame. */
export async function rawConnect(
  url: string,
  auth: Record<string, string | undefined>,
  opts: { role?: string; ws?: WebSocket.ClientOptions } = {},
): Promise<{ c: RawWs; challenge: Json; res: Json }> {
  const c = rawWs(url, opts.ws);
  const h = await c.handshake;
  if (!h.opened) throw new Error(`upgrade failed: ${JSON.stringify(h)}`);
  const challenge = await c.next();
  const req = connectRequest(auth, { role: opts.role });
  c.send(req);
  const res = await c.nextWhere((f) => f.type === "res");
  return { c, challenge, res };
}

/** Sends a request on an authenticated raw socket and returns its response frame. */
export async function rawCall(c: RawWs, method: string, params?: Json): Promise<Json> {
  const id = nextId();
  c.send(params === undefined ? { type: "req", id, method } : { type: "req", id, method, params });
  return c.nextWhere((f) => f.type === "res" && f.id === id);
}

// ---- raw HTTP --------------------------------------------------------------------

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** GET with the path sent byte-for-byte (fetch/URL would normalise "/../"). */
export function rawHttp(
  port: number,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; tls?: boolean; localAddress?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolveRes, rejectRes) => {
    const mod = opts.tls ? https : http;
    const req = mod.request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: opts.method ?? "GET",
        headers: opts.headers,
        localAddress: opts.localAddress,
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolveRes({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", rejectRes);
      },
    );
    req.on("error", rejectRes);
    req.end();
  });
}

// ---- child processes --------------------------------------------------------------

/** process.env without any SIMPLECLAW_* (so the developer's own setup never leaks in), plus `extra`. */
export function childEnv(extra: Env = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("SIMPLECLAW_")) env[k] = v;
  delete env.NODE_OPTIONS; // vitest may set loaders we do not want in the child
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/simpleclaw.mjs ...args` to completion (Node = the one running the tests). */
export function runCli(args: string[], env: Env = {}, opts: { node?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return runNode([BIN, ...args], env, opts);
}

export function runNode(args: string[], env: Env = {}, opts: { node?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn(opts.node ?? process.execPath, args, { cwd: REPO_ROOT, env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 20_000);
    child.on("error", rejectRun);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, stdout, stderr });
    });
  });
}

export interface ChildGateway {
  child: ChildProcess;
  port: number;
  url: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `re` in stdout+stderr (polls; output arrives in chunks). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns `node <bin> gateway --port 0` and resolves once the banner names the port.
 * `bin` defaults to the repo's bin/simpleclaw.mjs.
 */
export function spawnGateway(env: Env, opts: { bin?: string; args?: string[]; timeoutMs?: number; /** Leave out the default `--port 0`. */ ownPort?: boolean } = {}): Promise<ChildGateway> {
  return new Promise((resolveGw, rejectGw) => {
    const child = spawn(process.execPath, [opts.bin ?? BIN, "gateway", "run", ...(opts.ownPort ? [] : ["--port", "0"]), ...(opts.args ?? [])], {
      cwd: REPO_ROOT,
      env: childEnv(env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    onCleanup(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    let out = "";
    let err = "";
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      child.on("exit", (code, signal) => r({ code, signal })),
    );
    const timer = setTimeout(() => rejectGw(new Error(`gateway did not start:\n${out}\n${err}`)), opts.timeoutMs ?? 15_000);
    let done = false;
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (wss?:\/\/[^\s]+:(\d+)\/ws)/.exec(out);
      if (m && !done) {
        done = true;
        clearTimeout(timer);
        const waitFor = async (re: RegExp, timeoutMs = 5000): Promise<RegExpExecArray> => {
          const deadline = Date.now() + timeoutMs;
          for (;;) {
            const found = re.exec(out + err);
            if (found) return found;
            if (Date.now() > deadline) throw new Error(`no ${re} in gateway output:\n${out}\n${err}`);
            await sleep(20);
          }
        };
        resolveGw({ child, port: Number(m[2]), url: m[1]!, stdout: () => out, stderr: () => err, waitFor, exited });
      }
    });
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    void exited.then((e) => {
      if (!done) {
        clearTimeout(timer);
        rejectGw(new Error(`gateway exited early (${e.code}/${e.signal}):\n${out}\n${err}`));
      }
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
