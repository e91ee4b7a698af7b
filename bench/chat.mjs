#!/usr/bin/env node
// SimpleClaw chat benchmark: messages through `chat.send` to a final reply, over a real
// WebSocket to a real gateway child process, with a zero-latency fake model
// (test/fakes/model-server.ts, echo mode, OpenAI Chat Completions SSE) in this process.
// Measures, on this machine:
//   1. latency send -> `final` event, 1 session, sequential     target: p50 gateway overhead < 5 ms
//      (overhead = end-to-end minus a direct fetch() of the same request body to the fake)
//   2. sustained messages/s, 1 session and N concurrent sessions  target: > 500 msgs/s (concurrent)
//   3. gateway VmRSS over a long run on a fresh gateway           target: plateaus (< 10 % growth
//                                                                  over the second half)
// Standalone: `npm run build && node bench/chat.mjs`; also called by bench/run.mjs.
// Flags: --messages=N (latency run, default 500) --warmup=N (50) --sessions=N (50)
// --concurrent=N (messages in the concurrent run, default 2500) --rss=N (10000)
// --reset-every=N (/new per session every N messages, default 100; 0 = never)
// --profile (run gateway #1 under --cpu-prof and print the top self-time functions)
// --profile-out=FILE (also keep that .cpuprofile, e.g. for Chrome DevTools)
// --json --strict (exit 1 if a target is missed).
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { arch, cpus, platform, release, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";

// Node 22 may announce type stripping (for the .ts fake) as experimental: drop that one
// warning, print every other warning as usual.
process.removeAllListeners("warning");
process.on("warning", (w) => {
  if (w.name === "ExperimentalWarning" && /type.?strip/i.test(w.message)) return;
  process.stderr.write(`${w.name}: ${w.message}\n`);
});

const REPO = fileURLToPath(new URL("../", import.meta.url));
const BIN = join(REPO, "bin", "simpleclaw.mjs");

export const TARGET = { overheadP50Ms: 5, msgsPerSec: 500, rssGrowthPct: 10 };

const children = new Set();
const tempDirs = new Set();

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");

function quantile(xs, q) {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
const median = (xs) => quantile(xs, 0.5);

function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("SIMPLECLAW_") || k === "NODE_OPTIONS" || k === "FAKE_API_KEY") continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** The machine a benchmark ran on, for the report header. */
export function machineInfo() {
  const cpuList = cpus();
  return {
    node: process.version,
    os: `${platform()} ${release()} ${arch()}`,
    cpu: cpuList[0]?.model?.trim() ?? "unknown",
    cores: cpuList.length,
    memGb: totalmem() / 1024 ** 3,
  };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function tryConnect(port) {
  return new Promise((resolve) => {
    const s = connect({ port, host: "127.0.0.1" });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => {
      s.destroy();
      resolve(false);
    });
  });
}

function procStatus(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (k) => {
      const m = new RegExp(`^${k}:\\s+(\\d+)\\s+kB`, "m").exec(status);
      return m ? Number(m[1]) / 1024 : NaN;
    };
    return { rssMb: kb("VmRSS"), hwmMb: kb("VmHWM") };
  } catch {
    return { rssMb: NaN, hwmMb: NaN };
  }
}

/** CPU seconds (user + system) a child has used so far, from /proc/<pid>/stat. */
function procCpuSec(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in USER_HZ (100 on Linux)
  } catch {
    return NaN;
  }
}

// ---- gateway child ----------------------------------------------------------------------

/** A gateway child on a free loopback port with a fresh state dir, talking to `fake`; `extraConfig` merges into the config. */
export async function startGateway(fake, { profileDir, extraConfig = {} } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "simpleclaw-chatbench-"));
  tempDirs.add(dir);
  chmodSync(dir, 0o700);
  const state = join(dir, "state");
  mkdirSync(state, { mode: 0o700 });
  const token = randomBytes(32).toString("base64url");
  const config = {
    gateway: { auth: { token } },
    agents: { defaults: { model: { primary: "fake/bench" } } },
    models: { providers: { fake: { api: "openai-completions", baseUrl: fake.url, apiKey: fake.apiKey } } },
    ...extraConfig,
  };
  writeFileSync(join(state, "simpleclaw.json"), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  const nodeArgs = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, BIN, "gateway", "--port", String(port)], {
    cwd: REPO,
    env: cleanEnv({ SIMPLECLAW_STATE_DIR: state }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  // Keep draining the pipes (a full pipe would block the gateway); remember the tail only.
  let output = "";
  const keep = (d) => {
    output = (output + d).slice(-8192);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let exited = null;
  child.once("exit", (code, signal) => {
    exited = { code, signal };
    children.delete(child);
  });
  const deadline = performance.now() + 15_000;
  for (;;) {
    if (exited) throw new Error(`gateway exited early (${JSON.stringify(exited)}):\n${output}`);
    if (await tryConnect(port)) break;
    if (performance.now() > deadline) throw new Error(`gateway did not accept on port ${port} within 15 s:\n${output}`);
    await sleep(5);
  }
  return { child, port, token, url: `ws://127.0.0.1:${port}/ws`, output: () => output, exited: () => exited };
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => child.kill("SIGKILL"), 10_000); // --cpu-prof needs time to write
    child.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Kill every gateway child and remove the temp dirs (synchronous; safe in exit handlers). */
export function cleanup() {
  for (const c of children) {
    try {
      c.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
  children.clear();
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}

// ---- client: the wire protocol by hand (src/protocol/schema.ts) -------------------------

/**
 * One operator connection. Every session has at most one message in flight, so a
 * `final` / `error` / `aborted` chat event for a session settles that session's send
 * (a `/new` answers inside chat.send, i.e. its final can arrive before the ack).
 */
async function openClient(url, token) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const waiting = new Map(); // sessionKey -> { resolve, reject }
  const acks = new Map(); // request id -> { resolve, reject }
  let nextId = 0;
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("gateway handshake timed out")), 10_000);
    ws.once("error", (e) => reject(e));
    ws.once("close", (code, reason) => reject(new Error(`gateway closed the connection during handshake (${code} ${reason})`)));
    ws.on("message", function hello(data) {
      const f = JSON.parse(data.toString());
      if (f.type === "event" && f.event === "connect.challenge") {
        ws.send(
          JSON.stringify({
            type: "req",
            id: "c1",
            method: "connect",
            params: { role: "operator", auth: { token }, client: { name: "bench", version: "0", platform: process.platform } },
          }),
        );
      } else if (f.type === "res" && f.id === "c1") {
        clearTimeout(timer);
        ws.off("message", hello);
        if (f.ok) resolve();
        else reject(new Error(`connect refused: ${f.error.code} ${f.error.message}`));
      }
    });
  });
  ws.removeAllListeners("error");
  ws.removeAllListeners("close");
  ws.on("error", () => {});
  const closed = new Promise((resolve) => ws.once("close", resolve));
  ws.on("close", (code) => {
    const err = new Error(`gateway connection closed (${code})`);
    for (const w of waiting.values()) w.reject(err);
    for (const a of acks.values()) a.reject(err);
  });
  ws.on("message", (data) => {
    const f = JSON.parse(data.toString());
    if (f.type === "res") {
      const a = acks.get(f.id);
      if (!a) return;
      acks.delete(f.id);
      if (f.ok) a.resolve(f.payload);
      else a.reject(new Error(`${f.error.code}: ${f.error.message}`));
    } else if (f.type === "event" && f.event === "chat") {
      const p = f.payload;
      if (p.state !== "final" && p.state !== "error" && p.state !== "aborted") return;
      const w = waiting.get(p.sessionKey);
      if (!w) return;
      waiting.delete(p.sessionKey);
      if (p.state === "final") w.resolve(p);
      else w.reject(new Error(`run ${p.runId} ended ${p.state}: ${p.message ?? p.text ?? ""}`));
    }
  });

  /** chat.send; resolves with { t0, t1 (when the final event arrived), final, ack } once both arrived. */
  function sendTimed(sessionKey, message) {
    const id = `r${++nextId}`;
    let t1 = 0;
    const done = new Promise((resolve, reject) =>
      waiting.set(sessionKey, {
        resolve: (v) => {
          t1 = performance.now();
          resolve(v);
        },
        reject,
      }),
    );
    const acked = new Promise((resolve, reject) => acks.set(id, { resolve, reject }));
    const t0 = performance.now();
    ws.send(JSON.stringify({ type: "req", id, method: "chat.send", params: { sessionKey, message, idempotencyKey: randomUUID() } }));
    return Promise.all([done, acked]).then(([final, ack]) => ({ t0, t1, final, ack }));
  }
  return {
    send: sendTimed,
    close: async () => {
      ws.close(1000);
      await closed;
    },
  };
}

/**
 * One session, `count` messages one after another. Every `resetEvery` messages a `/new`
 * is sent first (not counted, not in the latency samples; its time is in the wall clock).
 */
async function runSession(client, sessionKey, count, resetEvery, onMessage) {
  for (let i = 0; i < count; i++) {
    if (resetEvery > 0 && i > 0 && i % resetEvery === 0) {
      const r = await client.send(sessionKey, "/new");
      if (r.final.command !== "new") throw new Error(`/new was not handled as a command: ${JSON.stringify(r.final)}`);
    }
    const text = `bench ${sessionKey} #${i}`;
    const r = await client.send(sessionKey, text);
    if (r.final.text !== `echo: ${text}`) throw new Error(`unexpected reply ${JSON.stringify(r.final.text)} to ${JSON.stringify(text)}`);
    onMessage?.(r, text);
  }
}

// ---- phases -------------------------------------------------------------------------------

/** Fake-side hook: when the fake has a whole request, note the time (and keep the body if asked). */
function hookFake(fake) {
  const seen = new Map(); // lastUserText -> { tFake, body }
  let keep = false;
  fake.setDefault((req) => {
    if (keep) seen.set(req.lastUserText, { tFake: performance.now(), body: req.body });
    fake.requests.length = 0; // the fake records every request; do not let the bench grow
    return { text: `echo: ${req.lastUserText ?? ""}` };
  });
  return {
    seen,
    keep: (on) => {
      keep = on;
      if (!on) seen.clear();
    },
  };
}

/** POST a request body straight to the fake with fetch (what the gateway's model call costs at least). */
async function direct(fake, body) {
  const t0 = performance.now();
  const res = await fetch(`${fake.url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${fake.apiKey}` },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 200 || !text.includes("[DONE]")) throw new Error(`direct POST to the fake failed: HTTP ${res.status}`);
  return ms;
}

async function latencyPhase(gw, fake, hook, { messages, warmup, resetEvery }) {
  const client = await openClient(gw.url, gw.token);
  const key = "agent:main:bench-latency";
  await runSession(client, "agent:main:bench-warmup", warmup, resetEvery);
  hook.keep(true);
  const samples = [];
  const t0 = performance.now();
  await runSession(client, key, messages, resetEvery, (r, text) => samples.push({ text, t0: r.t0, t1: r.t1 }));
  const wallMs = performance.now() - t0;
  await client.close();
  const seen = new Map(hook.seen);
  hook.keep(false);

  // Replay every recorded model request straight to the fake (same bodies, same order),
  // after a warm-up of the fetch path, to pair each message with its bare model cost.
  for (let i = 0; i < Math.min(warmup, samples.length); i++) await direct(fake, seen.get(samples[i].text).body);
  const rows = [];
  for (const s of samples) {
    const rec = seen.get(s.text);
    if (!rec) throw new Error(`the fake never saw ${s.text}`);
    const directMs = await direct(fake, rec.body);
    const e2e = s.t1 - s.t0;
    rows.push({ e2e, directMs, overhead: e2e - directMs, inbound: rec.tFake - s.t0, outbound: s.t1 - rec.tFake });
  }
  const col = (k) => rows.map((r) => r[k]);
  return {
    messages,
    resets: resetEvery > 0 ? Math.floor((messages - 1) / resetEvery) : 0,
    wallMs,
    msgsPerSec: messages / (wallMs / 1000),
    e2e: { p50: quantile(col("e2e"), 0.5), p99: quantile(col("e2e"), 0.99) },
    direct: { p50: quantile(col("directMs"), 0.5), p99: quantile(col("directMs"), 0.99) },
    overhead: { p50: quantile(col("overhead"), 0.5), p99: quantile(col("overhead"), 0.99) },
    overheadOfMedians: quantile(col("e2e"), 0.5) - quantile(col("directMs"), 0.5),
    inbound: { p50: quantile(col("inbound"), 0.5), p99: quantile(col("inbound"), 0.99) },
    outbound: { p50: quantile(col("outbound"), 0.5), p99: quantile(col("outbound"), 0.99) },
  };
}

/**
 * `sessions` sessions in parallel on one operator connection, each sequential, `total`
 * messages in all. `marks` are message totals at which onMark(total) is called
 * synchronously (RSS sampling).
 */
async function concurrentPhase(gw, { sessions, total, resetEvery, prefix, marks = [], onMark }) {
  const client = await openClient(gw.url, gw.token);
  const per = Math.ceil(total / sessions);
  let done = 0;
  const pending = [...marks].sort((a, b) => a - b);
  const cpu0 = procCpuSec(gw.child.pid);
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  const lat = [];
  await Promise.all(
    Array.from({ length: sessions }, (_, s) =>
      runSession(client, `agent:main:${prefix}-${s}`, per, resetEvery, (r) => {
        done++;
        lat.push(r.t1 - r.t0);
        while (pending.length && done >= pending[0]) onMark?.(pending.shift(), performance.now() - t0);
      }),
    ),
  );
  const wallMs = performance.now() - t0;
  const cpuSec = procCpuSec(gw.child.pid) - cpu0;
  const self = process.cpuUsage(self0);
  await client.close();
  return {
    sessions,
    messages: done,
    resets: resetEvery > 0 ? sessions * Math.floor((per - 1) / resetEvery) : 0,
    wallMs,
    msgsPerSec: done / (wallMs / 1000),
    gatewayCpuPct: (cpuSec / (wallMs / 1000)) * 100,
    /** This process: the fake model server plus the client. */
    benchCpuPct: ((self.user + self.system) / 1000 / wallMs) * 100,
    e2e: { p50: quantile(lat, 0.5), p99: quantile(lat, 0.99) },
  };
}

// ---- profile summary ----------------------------------------------------------------------

/**
 * Self time from the gateway's .cpuprofile: the top functions, and the same grouped by
 * where the code lives (a dist/ file, a node_modules package, node internals, GC).
 * `(idle)` is left out of both: it is time the gateway waited for I/O.
 */
function profileSummary(profileDir, n = 5, keepAt) {
  const file = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) return undefined;
  if (keepAt) copyFileSync(join(profileDir, file), keepAt);
  const prof = JSON.parse(readFileSync(join(profileDir, file), "utf8"));
  const byId = new Map(prof.nodes.map((node) => [node.id, node]));
  const self = new Map();
  const where = new Map();
  let total = 0;
  prof.samples.forEach((id, i) => {
    const dt = prof.timeDeltas[i] ?? 0;
    const cf = byId.get(id).callFrame;
    if (cf.functionName === "(idle)") return;
    total += dt;
    const url = cf.url.replace(`file://${REPO}`, "").replace(/^file:\/\//, "");
    const key = `${cf.functionName || "(anonymous)"} ${url ? `${url}:${cf.lineNumber + 1}` : ""}`.trim();
    self.set(key, (self.get(key) ?? 0) + dt);
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
    const group = pkg ?? (url.startsWith("dist/") ? url : url.startsWith("node:") ? "node internals (JS)" : url ? url : cf.functionName.startsWith("(") ? cf.functionName : "native / builtins");
    where.set(group, (where.get(group) ?? 0) + dt);
  });
  const top = (m) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([fn, us]) => ({ fn, ms: us / 1000, pct: (us / total) * 100 }));
  return { busyMs: total / 1000, functions: top(self), groups: top(where) };
}

// ---- main ---------------------------------------------------------------------------------

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) => `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(" | ")} |`;
  return [line(rows[0]), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.slice(1).map(line)].join("\n");
}

export async function benchChat(opts = {}) {
  const o = {
    messages: 500,
    warmup: 50,
    sessions: 50,
    concurrent: 2500,
    rss: 10_000,
    resetEvery: 100,
    profile: false,
    profileOut: undefined,
    log: () => {},
    ...opts,
  };
  o.messages = Math.max(500, o.messages);
  o.concurrent = Math.max(2000, o.concurrent);
  const { startFakeModelServer } = await import("../test/fakes/model-server.ts");
  const fake = await startFakeModelServer({ apiKey: randomBytes(16).toString("hex") });
  const hook = hookFake(fake);
  let profileDir;
  if (o.profile) {
    profileDir = mkdtempSync(join(tmpdir(), "simpleclaw-chatbench-prof-"));
    tempDirs.add(profileDir);
  }
  try {
    // Gateway #1: latency (1 session), then throughput (1 session and `sessions` sessions).
    o.log(`gateway #1: ${o.warmup} warm-up + ${o.messages} sequential messages, 1 session …`);
    const gw1 = await startGateway(fake, { profileDir });
    const latency = await latencyPhase(gw1, fake, hook, o);
    o.log(`gateway #1: ${o.concurrent} messages over ${o.sessions} concurrent sessions …`);
    const concurrent = await concurrentPhase(gw1, { sessions: o.sessions, total: o.concurrent, resetEvery: o.resetEvery, prefix: "bench-conc" });
    if (gw1.exited()) throw new Error(`gateway #1 died: ${gw1.output()}`);
    await stop(gw1.child);
    const profile = profileDir ? profileSummary(profileDir, 8, o.profileOut) : undefined;

    // Gateway #2 (fresh): RSS while `rss` messages go through `sessions` sessions.
    o.log(`gateway #2: ${o.rss} messages over ${o.sessions} sessions, sampling RSS …`);
    const gw2 = await startGateway(fake);
    await sleep(1000); // let start-up settle before the 0 sample
    const quarter = o.rss / 4;
    const series = [{ messages: 0, ...procStatus(gw2.child.pid), atMs: 0 }];
    const rssRun = await concurrentPhase(gw2, {
      sessions: o.sessions,
      total: o.rss,
      resetEvery: o.resetEvery,
      prefix: "bench-rss",
      marks: [1, 2, 3, 4].map((k) => k * quarter),
      onMark: (messages, atMs) => series.push({ messages, ...procStatus(gw2.child.pid), atMs }),
    });
    if (gw2.exited()) throw new Error(`gateway #2 died: ${gw2.output()}`);
    await stop(gw2.child);
    const half = series[2].rssMb;
    const end = series[4].rssMb;
    const growthPct = ((end - half) / half) * 100;
    return {
      options: { messages: o.messages, warmup: o.warmup, sessions: o.sessions, concurrent: o.concurrent, rss: o.rss, resetEvery: o.resetEvery },
      latency,
      concurrent,
      rss: { series, growthSecondHalfPct: growthPct, plateau: growthPct < TARGET.rssGrowthPct, run: rssRun },
      profile,
    };
  } finally {
    await fake.close();
    for (const c of [...children]) await stop(c);
    for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
    tempDirs.clear();
  }
}

export function chatRows(r) {
  const l = r.latency;
  const c = r.concurrent;
  const rss = r.rss;
  return [
    {
      metric: "chat.send -> final, p50 gateway overhead",
      shown: `${fmt(l.overhead.p50, 2)} ms (p99 ${fmt(l.overhead.p99, 2)} ms)`,
      target: `< ${TARGET.overheadP50Ms} ms`,
      ok: l.overhead.p50 < TARGET.overheadP50Ms,
    },
    {
      metric: "chat.send -> final, end-to-end",
      shown: `p50 ${fmt(l.e2e.p50, 2)} ms, p99 ${fmt(l.e2e.p99, 2)} ms`,
      target: "",
      ok: true,
    },
    { metric: "msgs/s, 1 session (sequential)", shown: `${fmt(l.msgsPerSec, 0)}/s`, target: "", ok: true },
    {
      metric: `msgs/s, ${c.sessions} sessions in parallel`,
      shown: `${fmt(c.msgsPerSec, 0)}/s (gateway CPU ${fmt(c.gatewayCpuPct, 0)} %)`,
      target: `> ${TARGET.msgsPerSec}/s`,
      ok: c.msgsPerSec > TARGET.msgsPerSec,
    },
    {
      metric: `gateway RSS growth, ${rss.series[2].messages} -> ${rss.series[4].messages} msgs`,
      shown: `${fmt(rss.growthSecondHalfPct, 1)} % (${fmt(rss.series[2].rssMb)} -> ${fmt(rss.series[4].rssMb)} MB)`,
      target: `< ${TARGET.rssGrowthPct} % (plateau)`,
      ok: Number.isFinite(rss.growthSecondHalfPct) ? rss.plateau : true,
    },
  ];
}

export function chatDetails(r) {
  const l = r.latency;
  const c = r.concurrent;
  const lines = [
    `latency run: ${l.messages} messages (+${l.resets} /new), 1 session, after ${r.options.warmup} warm-up; /new every ${r.options.resetEvery}`,
    `  end-to-end  p50 ${fmt(l.e2e.p50, 2)} ms  p99 ${fmt(l.e2e.p99, 2)} ms`,
    `  direct POST p50 ${fmt(l.direct.p50, 2)} ms  p99 ${fmt(l.direct.p99, 2)} ms   (same request bodies, fetch -> fake, replayed afterwards)`,
    `  overhead    p50 ${fmt(l.overhead.p50, 2)} ms  p99 ${fmt(l.overhead.p99, 2)} ms   (per message: end-to-end - its direct POST; p50(e2e) - p50(direct) = ${fmt(l.overheadOfMedians, 2)} ms)`,
    `  split       send -> fake has request p50 ${fmt(l.inbound.p50, 2)} ms (p99 ${fmt(l.inbound.p99, 2)}), fake answers -> final at client p50 ${fmt(l.outbound.p50, 2)} ms (p99 ${fmt(l.outbound.p99, 2)})`,
    `concurrent run: ${c.messages} messages (+${c.resets} /new) over ${c.sessions} sessions in ${fmt(c.wallMs / 1000, 2)} s; per-message p50 ${fmt(c.e2e.p50, 1)} ms, p99 ${fmt(c.e2e.p99, 1)} ms`,
    `  CPU: gateway ${fmt(c.gatewayCpuPct, 0)} %, bench process (fake model + client) ${fmt(c.benchCpuPct, 0)} % of one core; ${fmt((c.gatewayCpuPct * 10) / c.msgsPerSec, 2)} ms gateway CPU per message`,
    `RSS run (fresh gateway): ${r.rss.run.messages} messages (+${r.rss.run.resets} /new) over ${r.rss.run.sessions} sessions, ${fmt(r.rss.run.msgsPerSec, 0)} msgs/s`,
    `  ${r.rss.series.map((s) => `${s.messages}: ${fmt(s.rssMb)} MB`).join(" | ")}   (peak VmHWM ${fmt(r.rss.series.at(-1).hwmMb)} MB)`,
    `  ${r.rss.plateau ? "plateaus" : "does NOT plateau"}: ${fmt(r.rss.growthSecondHalfPct, 1)} % growth from ${r.rss.series[2].messages} to ${r.rss.series[4].messages} messages`,
  ];
  if (r.profile) {
    lines.push(`gateway #1 CPU profile (whole life, ${fmt(r.profile.busyMs / 1000, 2)} s busy; % of busy time), top self time:`);
    for (const p of r.profile.functions) lines.push(`  ${fmt(p.pct, 1).padStart(5)} %  ${fmt(p.ms, 0).padStart(6)} ms  ${p.fn}`);
    lines.push("  by location:");
    for (const p of r.profile.groups) lines.push(`  ${fmt(p.pct, 1).padStart(5)} %  ${fmt(p.ms, 0).padStart(6)} ms  ${p.fn}`);
  }
  return lines.join("\n");
}

// ---- standalone ---------------------------------------------------------------------------

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const args = new Map(
    process.argv.slice(2).map((a) => {
      const [k, v] = a.replace(/^--/, "").split("=");
      return [k, v ?? "true"];
    }),
  );
  const num = (k, d) => (args.has(k) ? Number(args.get(k)) : d);
  const JSON_OUT = args.has("json");
  const STRICT = args.has("strict");
  process.on("exit", cleanup);
  for (const sig of ["SIGINT", "SIGTERM"]) {
    process.on(sig, () => {
      cleanup();
      process.exit(130);
    });
  }
  const machine = machineInfo();
  if (!JSON_OUT) {
    process.stdout.write(
      `SimpleClaw chat benchmark\n  Node ${machine.node} | ${machine.os}\n  CPU ${machine.cpu} x ${machine.cores} cores | RAM ${fmt(machine.memGb)} GB\n\n`,
    );
  }
  try {
    const r = await benchChat({
      messages: num("messages", 500),
      warmup: num("warmup", 50),
      sessions: num("sessions", 50),
      concurrent: num("concurrent", 2500),
      rss: num("rss", 10_000),
      resetEvery: num("reset-every", 100),
      profile: args.has("profile") || args.has("profile-out"),
      profileOut: args.get("profile-out"),
      log: JSON_OUT ? () => {} : (line) => process.stderr.write(`${line}\n`),
    });
    const rows = chatRows(r);
    const failed = rows.some((x) => !x.ok);
    if (JSON_OUT) {
      process.stdout.write(`${JSON.stringify({ machine, ...r, targets: TARGET, ok: !failed }, null, 2)}\n`);
    } else {
      process.stdout.write(`${table([["metric", "result", "target", ""], ...rows.map((x) => [x.metric, x.shown, x.target, x.target ? (x.ok ? "ok" : "MISSED") : ""])])}\n\n`);
      process.stdout.write(`${chatDetails(r)}\n`);
    }
    cleanup();
    process.exitCode = STRICT && failed ? 1 : 0;
  } catch (err) {
    process.stderr.write(`chat bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    cleanup();
    process.exit(2);
  }
}
