#!/usr/bin/env node
// Load and slow-client benchmark (docs/operations.md): a real gateway child process,
// a fake model (test/fakes/model-server.ts, streaming 8 deltas per answer) in this process.
//   1. 500 authenticated operator clients (from 20 loopback source addresses) connected at
//      once, while 50 sessions chat concurrently: gateway RSS (after connect, peak),
//      GET /healthz latency p50/p99 polled all along, and gateway CPU per delivered event
//      (every chat event reaches all 500 clients).
//   2. A stalled reader: one client stops reading while it asks for 20 large chat.history
//      results and chats keep broadcasting deltas: the gateway's peak RSS above its level
//      before, and how the client was closed.
// Prints numbers; it is not a test. `node bench/load.mjs [--json] [--clients=500] [--chats=50] [--turns=2]`
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { cleanup as cleanupChat, startGateway as startChatGateway } from "./chat.mjs";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const BIN = join(REPO, "bin", "simpleclaw.mjs");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");
const children = new Set();

function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
}
function rssMb(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}
function cpuSec(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

const startGateway = (fake) => startChatGateway(fake, { extraConfig: { logging: { level: "warn" } } });

/** An authenticated operator connection; counts chat events; resolves runs by session. */
function openClient(url, token, localAddress, passive = false) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, localAddress, maxPayload: 512 * 1024 * 1024 });
    const c = { ws, events: 0, waiting: new Map(), acks: new Map(), n: 0, closed: undefined };
    const timer = setTimeout(() => reject(new Error("handshake timed out")), 15_000);
    ws.on("error", (e) => reject(e));
    ws.on("close", (code, reason) => {
      c.closed = { code, reason: reason.toString() };
      reject(new Error(`closed ${code}`));
    });
    ws.on("message", (data) => {
      // A passive watcher after its handshake only counts frames (the bench process must not be the bottleneck).
      if (passive && c.ready) {
        c.events++;
        return;
      }
      const f = JSON.parse(data.toString());
      if (f.type === "event") {
        if (f.event === "connect.challenge") {
          ws.send(JSON.stringify({ type: "req", id: "c", method: "connect", params: { role: "operator", auth: { token }, client: { name: "load-bench", version: "0", platform: process.platform } } }));
        } else if (f.event === "chat") {
          c.events++;
          const p = f.payload;
          if (p.state === "final" || p.state === "error" || p.state === "aborted") c.waiting.get(p.sessionKey)?.(p);
        }
      } else if (f.type === "res") {
        if (f.id === "c") {
          clearTimeout(timer);
          c.ready = true;
          f.ok ? resolve(c) : reject(new Error(f.error.message));
        } else c.acks.get(f.id)?.(f);
      }
    });
  });
}

function call(c, method, params) {
  const id = `r${++c.n}`;
  return new Promise((resolve) => {
    c.acks.set(id, (f) => {
      c.acks.delete(id);
      resolve(f);
    });
    c.ws.send(JSON.stringify({ type: "req", id, method, params }));
  });
}

async function chatTurn(c, sessionKey, message) {
  const done = new Promise((resolve) => c.waiting.set(sessionKey, resolve));
  const ack = await call(c, "chat.send", { sessionKey, message, idempotencyKey: randomUUID() });
  if (!ack.ok) throw new Error(`chat.send: ${ack.error.message}`);
  return done;
}

/** Polls GET /healthz every 20 ms from its own process (this one is busy being 500 clients). */
function healthPoller(port) {
  const script = `
    const http = require("node:http"); const lat = []; let on = true;
    process.on("SIGTERM", () => { on = false; });
    (async () => {
      while (on) {
        const t0 = performance.now();
        await new Promise((r) => http.get({ host: "127.0.0.1", port: ${port}, path: "/healthz", agent: false }, (res) => { res.resume(); res.on("end", r); }).on("error", r));
        lat.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 20));
      }
      process.stdout.write(JSON.stringify(lat));
    })();`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "ignore"] });
  children.add(child);
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  return {
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => {
          children.delete(child);
          resolve(JSON.parse(out || "[]"));
        });
        child.kill("SIGTERM");
      }),
  };
}

export async function benchLoad(opts = {}) {
  const CLIENTS = opts.clients ?? 500;
  const CHATS = opts.chats ?? 50;
  const TURNS = opts.turns ?? 2;
  const { startFakeModelServer } = await import("../test/fakes/model-server.ts");
  const fake = await startFakeModelServer({ apiKey: "bench-key" });
  const chunks = ["one ", "two ", "three ", "four ", "five ", "six ", "seven ", "eight"];
  fake.setDefault((req) => (req.lastUserText?.startsWith("big ") ? { text: req.lastUserText } : { text: chunks.join(""), chunks, chunkDelayMs: 10 }));
  const gw = await startGateway(fake);
  const pid = gw.child.pid;
  try {
    const rssIdle = rssMb(pid);
    const clients = [];
    for (let i = 0; i < CLIENTS; i += 25) {
      const batch = [];
      for (let j = i; j < Math.min(CLIENTS, i + 25); j++) batch.push(openClient(gw.url, gw.token, `127.0.0.${2 + (j % 20)}`, j >= CHATS));
      clients.push(...(await Promise.all(batch)));
    }
    await sleep(500);
    const rssConnected = rssMb(pid);

    // 1. 50 concurrent chats while /healthz is polled and RSS sampled.
    let peak = rssConnected;
    const poller = healthPoller(gw.port);
    const rssSampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
    const eventsBefore = clients.reduce((n, c) => n + c.events, 0);
    const cpu0 = cpuSec(pid);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CHATS }, async (_, s) => {
        for (let t = 0; t < TURNS; t++) await chatTurn(clients[s], `agent:main:load-${s}`, `turn ${t} of session ${s}`);
      }),
    );
    const wallS = (performance.now() - t0) / 1000;
    const cpuUsed = cpuSec(pid) - cpu0;
    await sleep(300);
    clearInterval(rssSampler);
    const health = await poller.stop();
    const delivered = clients.reduce((n, c) => n + c.events, 0) - eventsBefore;
    const rssAfterLoad = rssMb(pid);
    for (const c of clients) c.ws.terminate();
    await sleep(1000);

    // 2. A stalled reader: large history results plus broadcast deltas it never reads.
    const owner = await openClient(gw.url, gw.token, "127.0.0.1");
    const big = `big ${"x".repeat(90_000)}`;
    for (let i = 0; i < 20; i++) await chatTurn(owner, "agent:main:big", big);
    const watcher = await openClient(gw.url, gw.token, "127.0.0.1");
    const stalled = await openClient(gw.url, gw.token, "127.0.0.30");
    stalled.ws._socket.pause();
    const rssBeforeStall = rssMb(pid);
    let stallPeak = rssBeforeStall;
    const sampler = setInterval(() => (stallPeak = Math.max(stallPeak, rssMb(pid))), 50);
    for (let i = 0; i < 20; i++) stalled.ws.send(JSON.stringify({ type: "req", id: `h${i}`, method: "chat.history", params: { sessionKey: "agent:main:big", limit: 1000 } }));
    // The stalled client's requests wait 5 s for it to read, then it is closed (and cut off 5 s later).
    await Promise.all([
      sleep(6000),
      ...Array.from({ length: 10 }, async (_, s) => {
        for (let t = 0; t < 4; t++) await chatTurn(watcher, `agent:main:stall-${s}`, `delta flood ${t}`);
      }),
    ]);
    clearInterval(sampler);
    stallPeak = Math.max(stallPeak, rssMb(pid));
    stalled.ws._socket.resume();
    for (let i = 0; i < 100 && !stalled.closed; i++) await sleep(50);
    const historyBytes = big.length * 2 * 20 * 20; // 20 requests × 40 messages of ~90 KB
    owner.ws.terminate();
    watcher.ws.terminate();
    stalled.ws.terminate();

    return {
      clients: CLIENTS,
      chats: CHATS,
      turns: CHATS * TURNS,
      wallS,
      rssIdleMb: rssIdle,
      rssConnectedMb: rssConnected,
      rssPeakMb: peak,
      rssAfterLoadMb: rssAfterLoad,
      healthzP50Ms: quantile(health, 0.5),
      healthzP99Ms: quantile(health, 0.99),
      healthzSamples: health.length,
      deliveredEvents: delivered,
      cpuS: cpuUsed,
      cpuUsPerEvent: (cpuUsed * 1e6) / delivered,
      stall: {
        requestedMb: historyBytes / 1024 / 1024,
        rssBeforeMb: rssBeforeStall,
        rssPeakMb: stallPeak,
        closed: stalled.closed ?? null,
      },
    };
  } finally {
    await fake.close();
    cleanup();
  }
}

export function cleanup() {
  cleanupChat();
  for (const c of children) c.kill("SIGKILL");
  children.clear();
}

export function loadRows(r) {
  if (r.error) return [{ metric: "load: 500 clients + 50 chats", shown: `n/a (${r.error})`, target: "", ok: true }];
  return [
    { metric: `load: gateway RSS idle / ${r.clients} clients / peak in ${r.chats} chats`, shown: `${fmt(r.rssIdleMb)} / ${fmt(r.rssConnectedMb)} / ${fmt(r.rssPeakMb)} MB`, target: "", ok: true },
    { metric: "load: GET /healthz p50 / p99 during the chats", shown: `${fmt(r.healthzP50Ms, 2)} / ${fmt(r.healthzP99Ms, 2)} ms (${r.healthzSamples} polls)`, target: "", ok: true },
    { metric: "load: gateway CPU per delivered chat event", shown: `${fmt(r.cpuUsPerEvent, 2)} µs (${r.deliveredEvents} events, ${fmt(r.cpuS, 2)} s CPU, ${r.turns} turns in ${fmt(r.wallS, 1)} s)`, target: "", ok: true },
    {
      metric: "stalled reader: gateway peak RSS over its level before",
      shown: `+${fmt(r.stall.rssPeakMb - r.stall.rssBeforeMb)} MB (asked for ${fmt(r.stall.requestedMb, 0)} MB of history); closed ${r.stall.closed ? `${r.stall.closed.code}` : "no"}`,
      target: "",
      ok: true,
    },
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")).map(([k, v]) => [k, v ?? "true"]));
  process.on("SIGINT", () => {
    cleanup();
    process.exit(130);
  });
  try {
    const r = await benchLoad({ clients: Number(args.get("clients") ?? 500), chats: Number(args.get("chats") ?? 50), turns: Number(args.get("turns") ?? 2) });
    if (args.has("json")) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    else for (const row of loadRows(r)) process.stdout.write(`${row.metric}: ${row.shown}\n`);
  } catch (err) {
    process.stderr.write(`load bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
    cleanup();
    process.exit(2);
  }
}
