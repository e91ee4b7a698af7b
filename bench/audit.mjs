#!/usr/bin/env node
// `simpleclaw security audit --json` wall time (static checks, no --deep) against a
// fresh temporary state dir with a typical config (token auth, one channel with
// pairing, an approved sender, exec-approvals.json, a log file). Median of N runs after
// one warm-up. Used by bench/run.mjs; run alone with `node bench/audit.mjs [--json]`.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { randomBytes } from "node:crypto";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const BIN = join(REPO, "bin", "simpleclaw.mjs");
export const AUDIT_TARGET_MS = 300;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function benchAudit({ runs = 7 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "simpleclaw-bench-audit-"));
  try {
    chmodSync(dir, 0o700);
    const config = {
      gateway: { auth: { token: randomBytes(32).toString("base64url") } },
      channels: { telegram: { enabled: true } },
    };
    writeFileSync(join(dir, "simpleclaw.json"), JSON.stringify(config), { mode: 0o600 });
    mkdirSync(join(dir, "credentials"), { mode: 0o700 });
    writeFileSync(join(dir, "credentials", "telegram-allowFrom.json"), JSON.stringify({ version: 1, allowFrom: [{ id: "1", approvedAt: 0, owner: true }] }), { mode: 0o600 });
    writeFileSync(join(dir, "exec-approvals.json"), JSON.stringify({ version: 1, defaults: {}, agents: {} }), { mode: 0o600 });
    mkdirSync(join(dir, "logs"), { mode: 0o700 });
    writeFileSync(join(dir, "logs", "gateway.log"), "", { mode: 0o600 });
    const env = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("SIMPLECLAW_") && k !== "NODE_OPTIONS") env[k] = v;
    env.SIMPLECLAW_STATE_DIR = dir;
    const once = () => {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [BIN, "security", "audit", "--json"], { cwd: REPO, env, encoding: "utf8" });
      const ms = performance.now() - t0;
      if (r.status !== 0 && r.status !== 1) throw new Error(`security audit exited ${r.status}: ${r.stderr}`);
      return { ms, report: JSON.parse(r.stdout) };
    };
    const first = once();
    const samples = [];
    for (let i = 0; i < runs; i++) samples.push(once().ms);
    return { medianMs: median(samples), runsMs: samples, findings: first.report.summary };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function auditRows(a) {
  if (a.error) return [{ metric: "`security audit` (no --deep)", shown: `n/a (${a.error})`, target: `< ${AUDIT_TARGET_MS} ms`, ok: false }];
  return [{ metric: "`security audit` wall time (no --deep)", value: a.medianMs, shown: `${a.medianMs.toFixed(1)} ms`, target: `< ${AUDIT_TARGET_MS} ms`, ok: a.medianMs < AUDIT_TARGET_MS }];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = benchAudit();
  if (process.argv.includes("--json")) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  else process.stdout.write(`security audit: median ${r.medianMs.toFixed(1)} ms [${r.runsMs.map((x) => x.toFixed(1)).join(", ")}]\n`);
}
