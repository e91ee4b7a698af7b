#!/usr/bin/env node
// SimpleClaw benchmarks (run with `npm run bench`, which builds first and uses the
// project's pinned Node 22). Measures, on this machine:
//   1. `simpleclaw --version` wall time vs. `node -e 0`         target: ratio <= 1.5x
//   2. gateway spawn -> TCP port accepting connections           target: < 300 ms
//   3. gateway resident memory (VmRSS) after 10 s idle           target: < 80 MB
//   5. exec overhead: `true` on the host vs inside bwrap (bench/exec.mjs), median of 20
//   6. `security audit --json` wall time, no --deep (bench/audit.mjs)     target: < 300 ms
//   6b. exec gate decision p50/p99 for a 1 KB command (bench/exec-gate.mjs) target: p99 < 1 ms
//   6c. scheduled jobs (bench/cron.mjs): idle CPU with 1,000 jobs vs none (target Δ < 20 ms over
//       3 s), next run of all 1,000 jobs (target < 50 ms)
//   7. memory: index 10,000 notes (time, DB size), keyword search p50/p99 (bench/memory.mjs)  target: p99 < 10 ms
//   4. chat.send -> final through a real gateway (bench/chat.mjs): p50 gateway overhead
//      < 5 ms, > 500 msgs/s over 50 sessions, RSS plateau over 10,000 messages
//   8. container image size, built with podman (bench/image.mjs)      target: < 300 MB
// Flags: --runs=N (startup samples, default 7 for 1 and 5 for 2/3), --idle=SECONDS
// (default 10), --json (machine-readable output), --strict (exit 1 if a target is missed),
// --no-chat (skip 4), --chat-profile (4 with the gateway under --cpu-prof), --no-image (skip 8).
//   8. load (bench/load.mjs): 500 clients + 50 concurrent chats — gateway RSS, /healthz p99,
//      CPU per delivered event — and a stalled reader's peak RSS (no targets: numbers only)
// Flags: --runs=N (startup samples, default 7 for 1 and 5 for 2/3), --idle=SECONDS
// (default 10), --json (machine-readable output), --strict (exit 1 if a target is missed),
// --no-chat (skip 4), --no-load (skip 8), --chat-profile (4 with the gateway under --cpu-prof).
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { randomBytes } from "node:crypto";
import { benchChat, chatDetails, chatRows, cleanup as cleanupChat, freePort, machineInfo, tryConnect, TARGET as CHAT_TARGET } from "./chat.mjs";
import { auditRows, benchAudit } from "./audit.mjs";
import { benchExecGate, execGateRows } from "./exec-gate.mjs";
import { benchCron, cronRows } from "./cron.mjs";
import { benchLoad, cleanup as cleanupLoad, loadRows } from "./load.mjs";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const BIN = join(REPO, "bin", "simpleclaw.mjs");

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, "").split("=");
    return [k, v ?? "true"];
  }),
);
const RUNS_CLI = Math.max(7, Number(args.get("runs") ?? 7));
const RUNS_GW = Math.max(5, Number(args.get("runs") ?? 5));
const IDLE_MS = Number(args.get("idle") ?? 10) * 1000;
const JSON_OUT = args.has("json");
const STRICT = args.has("strict");
const CHAT = !args.has("no-chat");
const CHAT_PROFILE = args.has("chat-profile");
const IMAGE = !args.has("no-image");
const LOAD = !args.has("no-load");

const TARGET = { versionRatio: 1.5, startMs: 300, rssMb: 80, imageMb: 300 };

const children = new Set();
const tempDirs = new Set();

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");

/** Env for children: ours minus anything SIMPLECLAW_* or NODE_OPTIONS that could skew a run. */
function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("SIMPLECLAW_") || k === "NODE_OPTIONS") continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

function wall(cmdArgs) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, cmdArgs, { cwd: REPO, env: cleanEnv(), encoding: "utf8" });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmdArgs.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

// ---- 1. --version vs node -e 0 -------------------------------------------------------

function benchVersion() {
  wall(["-e", "0"]); // warm the page cache
  const v = wall([BIN, "--version"]);
  const baseline = [];
  const cli = [];
  // Interleave so drift (thermal, other load) hits both series alike.
  for (let i = 0; i < RUNS_CLI; i++) {
    baseline.push(wall(["-e", "0"]).ms);
    cli.push(wall([BIN, "--version"]).ms);
  }
  const b = median(baseline);
  const c = median(cli);
  return { version: v.stdout.trim(), baselineMs: b, cliMs: c, ratio: c / b, baselineRuns: baseline, cliRuns: cli };
}

// ---- 2 + 3. gateway start and idle RSS -----------------------------------------------


function makeStateDir() {
  const dir = mkdtempSync(join(tmpdir(), "simpleclaw-bench-"));
  tempDirs.add(dir);
  chmodSync(dir, 0o700);
  const state = join(dir, "state");
  mkdirSync(state, { mode: 0o700 });
  const file = join(state, "simpleclaw.json");
  writeFileSync(file, `${JSON.stringify({ gateway: { auth: { token: randomBytes(32).toString("base64url") } } }, null, 2)}\n`, { mode: 0o600 });
  return state;
}


async function startGateway() {
  const port = await freePort();
  const state = makeStateDir();
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, "gateway", "--port", String(port)], {
    cwd: REPO,
    env: cleanEnv({ SIMPLECLAW_STATE_DIR: state }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  let exited = null;
  child.once("exit", (code, signal) => {
    exited = { code, signal };
    children.delete(child);
  });
  const deadline = t0 + 10_000;
  for (;;) {
    if (exited) throw new Error(`gateway exited early (${JSON.stringify(exited)}):\n${output}`);
    if (await tryConnect(port)) break;
    if (performance.now() > deadline) throw new Error(`gateway did not accept on port ${port} within 10 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 2));
  }
  const startMs = performance.now() - t0;
  return { child, port, startMs, acceptedAt: performance.now(), output: () => output };
}

function rssMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function benchGateway() {
  // Starts are sequential (so they do not compete for the CPU); the idle waits overlap.
  const gws = [];
  for (let i = 0; i < RUNS_GW; i++) gws.push(await startGateway());
  const rss = await Promise.all(
    gws.map(async (g) => {
      const wait = g.acceptedAt + IDLE_MS - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      return rssMb(g.child.pid);
    }),
  );
  await Promise.all(gws.map((g) => stop(g.child)));
  return { startMs: median(gws.map((g) => g.startMs)), startRuns: gws.map((g) => g.startMs), rssMb: median(rss), rssRuns: rss };
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

function cleanup() {
  cleanupChat();
  cleanupLoad();
  for (const c of children) {
    try {
      c.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}
process.on("exit", cleanup);
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });
}

// ---- report ---------------------------------------------------------------------------

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) => `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(" | ")} |`;
  return [line(rows[0]), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.slice(1).map(line)].join("\n");
}

const machine = machineInfo();

if (!JSON_OUT) {
  process.stdout.write(
    `SimpleClaw benchmarks\n  Node ${machine.node} | ${machine.os}\n  CPU ${machine.cpu} x ${machine.cores} cores | RAM ${fmt(machine.memGb)} GB\n` +
      `  runs: --version ${RUNS_CLI}x, gateway ${RUNS_GW}x, idle ${IDLE_MS / 1000} s${CHAT ? ", chat bench on (--no-chat skips it)" : ""}\n\n`,
  );
}

/** bench/exec.mjs in its own process: median `true` on the host vs in bwrap. */
function benchExec() {
  const r = spawnSync(process.execPath, [join(REPO, "bench", "exec.mjs"), "--json"], { cwd: REPO, env: cleanEnv(), encoding: "utf8" });
  if (r.status !== 0) return { error: (r.stderr || "exec bench failed").trim().split("\n").at(-1) };
  return JSON.parse(r.stdout);
}

function execRows(e) {
  if (e.error) return [{ metric: "exec: bwrap sandbox overhead", shown: `n/a (${e.error})`, target: "", ok: true }];
  if (e.skipped) return [{ metric: "exec: bwrap sandbox overhead", shown: `skipped (${e.skipped})`, target: "", ok: true }];
  return [
    {
      metric: `exec \`true\`: host / bwrap (median of ${e.runs})`,
      shown: `${fmt(e.hostMs)} ms / ${fmt(e.bwrapMs)} ms (+${fmt(e.overheadMs)} ms per exec)`,
      target: "",
      ok: true,
    },
  ];
}

/** bench/memory.mjs in its own process: index 10,000 notes, then keyword search latency. */
function benchMemory() {
  const r = spawnSync(process.execPath, [join(REPO, "bench", "memory.mjs"), "--json"], { cwd: REPO, env: cleanEnv(), encoding: "utf8" });
  if (r.status !== 0) return { error: (r.stderr || "memory bench failed").trim().split("\n").at(-1) };
  return JSON.parse(r.stdout);
}

function memoryRows(m) {
  if (m.error) return [{ metric: "memory: keyword search", shown: `n/a (${m.error})`, target: "", ok: true }];
  return [
    { metric: `memory: index ${m.files} notes from scratch`, shown: `${fmt(m.indexMs / 1000, 2)} s, state.db ${fmt(m.dbBytes / 1024 / 1024)} MB`, target: "", ok: true },
    {
      metric: "memory: keyword search p50 / p99",
      value: m.keywordP99Ms,
      shown: `${fmt(m.keywordP50Ms, 2)} ms / ${fmt(m.keywordP99Ms, 2)} ms`,
      target: "p99 < 10 ms",
      ok: m.keywordP99Ms < 10 && m.probeOk,
    },
  ];
}

/** bench/image.mjs in its own process: build the image with podman, report its size. */
function benchImage() {
  const r = spawnSync(process.execPath, [join(REPO, "bench", "image.mjs"), "--json"], { cwd: REPO, env: cleanEnv(), encoding: "utf8" });
  if (r.status !== 0) return { error: (r.stderr || "image bench failed").trim().split("\n").at(-1) };
  return JSON.parse(r.stdout);
}

function imageRows(i) {
  if (i.skipped) return [{ metric: "container image size", shown: `skipped (${i.skipped})`, target: "", ok: true }];
  if (i.error) return [{ metric: "container image size", shown: `n/a (${i.error})`, target: "", ok: true }];
  const mb = i.bytes / 1e6;
  return [
    {
      metric: "container image size (podman, uncompressed)",
      value: mb,
      shown: `${fmt(mb, 0)} MB (debian:bookworm-slim ${fmt(i.baseBytes / 1e6, 0)} MB; build ${fmt(i.buildMs / 1000, 0)} s)`,
      target: `< ${TARGET.imageMb} MB`,
      ok: mb < TARGET.imageMb,
    },
  ];
}

let failed = false;
try {
  const v = benchVersion();
  const g = await benchGateway();
  const exec = benchExec();
  const memory = benchMemory();
  let audit;
  try {
    audit = benchAudit();
  } catch (err) {
    audit = { error: err instanceof Error ? err.message.split("\n")[0] : String(err) };
  }
  let gate;
  try {
    gate = await benchExecGate();
  } catch (err) {
    gate = { error: err instanceof Error ? err.message.split("\n")[0] : String(err) };
  }
  let cron;
  try {
    cron = await benchCron();
  } catch (err) {
    cron = { error: err instanceof Error ? err.message.split("\n")[0] : String(err) };
  }
  const image = IMAGE ? benchImage() : undefined;
  const chat = CHAT ? await benchChat({ profile: CHAT_PROFILE, log: JSON_OUT ? () => {} : (line) => process.stderr.write(`${line}\n`) }) : undefined;
  let load;
  if (LOAD) {
    try {
      load = await benchLoad();
    } catch (err) {
      load = { error: err instanceof Error ? err.message.split("\n")[0] : String(err) };
    }
  }
  const results = [
    {
      metric: "`simpleclaw --version` / `node -e 0`",
      value: v.ratio,
      shown: `${fmt(v.ratio, 2)}x (${fmt(v.cliMs)} ms vs ${fmt(v.baselineMs)} ms)`,
      target: `<= ${TARGET.versionRatio}x`,
      ok: v.ratio <= TARGET.versionRatio,
    },
    {
      metric: "gateway spawn -> port accepting",
      value: g.startMs,
      shown: `${fmt(g.startMs)} ms`,
      target: `< ${TARGET.startMs} ms`,
      ok: g.startMs < TARGET.startMs,
    },
    {
      metric: `gateway idle RSS after ${IDLE_MS / 1000} s`,
      value: g.rssMb,
      shown: Number.isFinite(g.rssMb) ? `${fmt(g.rssMb)} MB` : "n/a (no /proc)",
      target: `< ${TARGET.rssMb} MB`,
      ok: Number.isFinite(g.rssMb) ? g.rssMb < TARGET.rssMb : true,
    },
    ...(chat ? chatRows(chat) : []),
    ...execRows(exec),
    ...memoryRows(memory),
    ...(load ? loadRows(load) : []),
    ...auditRows(audit),
    ...execGateRows(gate),
    ...cronRows(cron),
    ...(image ? imageRows(image) : []),
  ];
  failed = results.some((r) => !r.ok);
  if (JSON_OUT) {
    process.stdout.write(
      `${JSON.stringify(
        {
          machine,
          version: v.version,
          versionCmd: { medianMs: v.cliMs, runsMs: v.cliRuns },
          nodeBaseline: { medianMs: v.baselineMs, runsMs: v.baselineRuns },
          ratio: v.ratio,
          gatewayStart: { medianMs: g.startMs, runsMs: g.startRuns },
          idleRss: { medianMb: g.rssMb, runsMb: g.rssRuns, idleMs: IDLE_MS },
          chat,
          exec,
          memory,
          load,
          audit,
          image,
          targets: { ...TARGET, ...(chat ? { chat: CHAT_TARGET } : {}) },
          ok: !failed,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    process.stdout.write(
      `${table([["metric (median)", "result", "target", ""], ...results.map((r) => [r.metric, r.shown, r.target, r.target ? (r.ok ? "ok" : "MISSED") : ""])])}\n\n`,
    );
    process.stdout.write(
      `samples (ms): node -e 0 [${v.baselineRuns.map((x) => fmt(x)).join(", ")}]\n` +
        `              --version [${v.cliRuns.map((x) => fmt(x)).join(", ")}]\n` +
        `              start     [${g.startRuns.map((x) => fmt(x)).join(", ")}]\n` +
        `samples (MB): idle RSS  [${g.rssRuns.map((x) => fmt(x)).join(", ")}]\n`,
    );
    if (chat) process.stdout.write(`\n${chatDetails(chat)}\n`);
  }
} catch (err) {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  cleanup();
  process.exit(2);
}
cleanup();
process.exitCode = STRICT && failed ? 1 : 0;
