#!/usr/bin/env node
// Per-exec overhead of the bwrap sandbox: median wall time of `true` run through the
// exec runner on the host vs. inside bwrap (the same launcher the exec tool uses).
// Run standalone with `node bench/exec.mjs` after `npm run build`; `npm run bench` calls it.
// Flags: --runs=N (default 20), --json.
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

const { runProcess, scrubEnv } = await import("../dist/exec/runner.js");
const { runSandboxed, selectBackend } = await import("../dist/sandbox/backend.js");

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")).map(([k, v]) => [k, v ?? "true"]));
const RUNS = Math.max(20, Number(args.get("runs") ?? 20));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const base = mkdtempSync(join(tmpdir(), "sc-bench-exec-"));
const state = join(base, "state");
const ws = join(state, "workspace");
mkdirSync(ws, { recursive: true });
const env = { ...scrubEnv(process.env), PATH: "/usr/bin:/bin" };
const spec = { file: "/bin/sh", args: ["-c", "true"], cwd: ws, env, timeoutMs: 10_000, maxOutputBytes: 4096 };

async function sample(fn) {
  const xs = [];
  for (let i = 0; i < 3; i++) await fn(); // warm-up
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = await fn();
    xs.push(performance.now() - t0);
    if (r.exitCode !== 0) throw new Error(`run failed: ${JSON.stringify(r)}`);
  }
  return xs;
}

const result = { runs: RUNS };
try {
  const host = await sample(() => runProcess(spec));
  result.hostMs = median(host);
  const backend = await selectBackend("bwrap");
  if (backend.name === "bwrap") {
    const sb = await sample(() =>
      runSandboxed(backend, { workspace: ws, cwd: ws, workspaceAccess: "rw", network: false, env, command: ["/bin/sh", "-c", "true"] }, {
        timeoutMs: 10_000,
        maxOutputBytes: 4096,
        guard: { stateDir: state },
      }),
    );
    result.bwrapMs = median(sb);
    result.overheadMs = result.bwrapMs - result.hostMs;
  } else {
    result.skipped = backend.reason;
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}

if (args.has("json")) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  process.stdout.write(`\nexec overhead (\`true\`, median of ${RUNS})\n`);
  process.stdout.write(`  host (sh -c true)      ${result.hostMs.toFixed(1)} ms\n`);
  if (result.bwrapMs !== undefined) {
    process.stdout.write(`  bwrap sandbox          ${result.bwrapMs.toFixed(1)} ms\n`);
    process.stdout.write(`  sandbox overhead       ${result.overheadMs.toFixed(1)} ms per exec\n`);
  } else {
    process.stdout.write(`  bwrap sandbox          skipped: ${result.skipped}\n`);
  }
}
