#!/usr/bin/env node
// Exec gate decision time (src/security/exec-gate.ts, built dist/): p50/p99 over N decisions
// of a ~1 KB command line (a pipeline of allowlisted, profiled programs and wrappers) against
// a fake resolver, so only the decision is measured. Used by bench/run.mjs; run alone with
// `node bench/exec-gate.mjs [--json]` after `npm run build`.
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

export const GATE_TARGET_P99_MS = 1;

export async function benchExecGate({ runs = 5000 } = {}) {
  const { decideExecGate } = await import("../dist/security/exec-gate.js");
  const progs = ["sed", "awk", "sort", "git", "find", "nice", "timeout", "grep", "wc", "head"];
  const resolver = { executable: (p) => (progs.includes(p.split("/").pop()) && p.startsWith("/usr/bin/") ? p : null), realpath: (p) => p };
  const allowlist = progs.map((n) => ({ id: n, pattern: `/usr/bin/${n}`, args: ["*"], source: "manual", createdAt: 0 }));
  const piece = "sed -n -e 's/a/b/g' -e '/x/p' f.txt | awk -F: '$3 > 100 {print $1}' | sort -k2,2n -t, | nice -n 5 timeout 5 grep -c foo; git log --oneline -5 && find . -name '*.md' -type f | head -3 | wc -l; ";
  let command = "";
  while (command.length < 1000) command += piece;
  command = command.slice(0, 1024).replace(/[;|&\s]+[^;|&]*$/, "");
  const input = {
    command,
    caller: { kind: "agent", agentId: "main", sandboxed: false, owner: false },
    policy: { security: "allowlist", ask: "off", askFallback: "deny", timeoutSeconds: 120 },
    allowlist,
    PATH: "/usr/bin",
    cwd: "/ws",
    root: "/ws",
    resolver,
  };
  const first = decideExecGate(input);
  for (let i = 0; i < 200; i++) decideExecGate(input);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    decideExecGate(input);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { bytes: command.length, decision: first.decision, p50Ms: times[Math.floor(runs * 0.5)], p99Ms: times[Math.floor(runs * 0.99)], runs };
}

export function execGateRows(r) {
  if (r.error) return [{ metric: "exec gate decision (1 KB command)", shown: `n/a (${r.error})`, target: `p99 < ${GATE_TARGET_P99_MS} ms`, ok: false }];
  return [
    { metric: `exec gate decision p50 (${r.bytes} B command, ${r.decision})`, value: r.p50Ms, shown: `${r.p50Ms.toFixed(3)} ms`, target: "", ok: true },
    { metric: `exec gate decision p99 (${r.bytes} B command, ${r.decision})`, value: r.p99Ms, shown: `${r.p99Ms.toFixed(3)} ms`, target: `< ${GATE_TARGET_P99_MS} ms`, ok: r.p99Ms < GATE_TARGET_P99_MS },
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await benchExecGate();
  if (process.argv.includes("--json")) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  else process.stdout.write(`exec gate: ${r.bytes} B command (${r.decision}): p50 ${r.p50Ms.toFixed(3)} ms, p99 ${r.p99Ms.toFixed(3)} ms over ${r.runs} decisions\n`);
}
