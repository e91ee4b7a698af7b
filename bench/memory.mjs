#!/usr/bin/env node
// Memory index benchmark: generate N Markdown notes (default 10,000) in a temporary
// workspace, index them from scratch through the real MemoryService (real files, real
// SQLite FTS5 in a fresh state.db), report the time and the database size, then time
// keyword-only searches (the memory_search path with embeddings off): p50 / p99.
// Run standalone with `node bench/memory.mjs` after `npm run build`; `npm run bench` calls it.
// Flags: --notes=N (default 10000), --queries=N (default 300), --json, --strict.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

const { MemoryService } = await import("../dist/memory/service.js");
const { configSchema } = await import("../dist/config/schema.js");
const { openStateDb } = await import("../dist/infra/db.js");

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")).map(([k, v]) => [k, v ?? "true"]));
const NOTES = Math.max(100, Number(args.get("notes") ?? 10_000));
const QUERIES = Math.max(50, Number(args.get("queries") ?? 300));
const JSON_OUT = args.has("json");
const KEEP = args.get("keep");
const STRICT = args.has("strict");
export const TARGET = { keywordP50Ms: 10, keywordP99Ms: 10 };

// Deterministic text: a Zipf-distributed vocabulary of made-up words plus a few real ones.
let seed = 0x9e3779b9;
const rand = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
};
const SYL = ["ka", "lo", "mi", "ren", "to", "sa", "vin", "da", "po", "le", "qu", "zor", "an", "bel", "cy", "dru", "eth", "fa", "gil", "hu"];
const REAL = ["meeting", "garden", "budget", "travel", "doctor", "birthday", "project", "invoice", "recipe", "password", "flight", "hotel", "dentist", "school", "car", "insurance", "tax", "book", "movie", "concert"];
const VOCAB = [...REAL];
while (VOCAB.length < 5000) VOCAB.push(Array.from({ length: 2 + Math.floor(rand() * 3) }, () => SYL[Math.floor(rand() * SYL.length)]).join(""));
const word = () => VOCAB[Math.min(VOCAB.length - 1, Math.floor(Math.pow(rand(), 2.2) * VOCAB.length))];
const sentence = () => {
  const n = 6 + Math.floor(rand() * 12);
  const w = Array.from({ length: n }, word);
  w[0] = w[0][0].toUpperCase() + w[0].slice(1);
  return `${w.join(" ")}.`;
};

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

const base = mkdtempSync(join(tmpdir(), "sc-bench-memory-"));
const result = { notes: NOTES, queries: QUERIES };
try {
  const ws = join(base, "workspace");
  mkdirSync(join(ws, "memory", "daily"), { recursive: true });
  mkdirSync(join(ws, "memory", "topics"), { recursive: true });
  writeFileSync(join(ws, "MEMORY.md"), `# Memory\n\n${Array.from({ length: 20 }, () => `- ${sentence()}`).join("\n")}\n`);
  let bytes = 0;
  const t0 = Date.UTC(2020, 0, 1);
  for (let i = 0; i < NOTES; i++) {
    const paras = 1 + Math.floor(rand() * 4);
    const body = Array.from({ length: paras }, () => Array.from({ length: 2 + Math.floor(rand() * 5) }, sentence).join(" ")).join("\n\n");
    const text = `# Note ${i}: ${word()} ${word()}\n\n${body}\n\nref-${i}-marker\n`;
    const name = i % 2 === 0 ? `daily/${new Date(t0 + i * 86_400_000 / 4).toISOString().slice(0, 10)}-${i}.md` : `topics/${word()}-${i}.md`;
    writeFileSync(join(ws, "memory", name), text);
    bytes += Buffer.byteLength(text);
  }
  result.corpusBytes = bytes;

  const state = join(base, "state");
  mkdirSync(state, { mode: 0o700 });
  const dbPath = join(state, "state.db");
  const db = openStateDb(dbPath);
  const config = configSchema.parse({ agents: { defaults: { workspace: ws } } });
  const memory = new MemoryService({ config, env: { SIMPLECLAW_STATE_DIR: state }, db });

  let t = performance.now();
  const sync = await memory.sync("main");
  result.indexMs = performance.now() - t;
  result.files = sync.files;
  result.chunks = sync.chunks;
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  result.dbBytes = statSync(dbPath).size;

  // An incremental pass with nothing changed (files outside the racy window are only stat'ed).
  t = performance.now();
  await memory.sync("main");
  result.noopSyncMs = performance.now() - t;

  // Queries: rare words, common words, multi-word questions, a unique marker, no match.
  const queries = [];
  for (let i = 0; i < QUERIES; i++) {
    const k = i % 5;
    if (k === 0) queries.push(VOCAB[1000 + Math.floor(rand() * 4000)]);
    else if (k === 1) queries.push(`${REAL[i % REAL.length]} ${word()}`);
    else if (k === 2) queries.push(`what did we say about the ${word()} and ${word()} ${word()}?`);
    else if (k === 3) queries.push(`ref-${Math.floor(rand() * NOTES)}-marker`);
    else queries.push(`zzqx${i}nothing`);
  }
  for (const q of queries.slice(0, 20)) await memory.searchIndex("main", q, { maxResults: 6 }); // warm-up
  const times = [];
  let hits = 0;
  for (const q of queries) {
    const s = performance.now();
    const r = await memory.searchIndex("main", q, { maxResults: 6 });
    times.push(performance.now() - s);
    hits += r.hits.length > 0 ? 1 : 0;
  }
  result.keywordP50Ms = percentile(times, 50);
  result.keywordP99Ms = percentile(times, 99);
  result.keywordMaxMs = Math.max(...times);
  result.queriesWithHits = hits;
  // Correctness spot check: a unique marker finds its note first.
  const probe = await memory.searchIndex("main", "ref-4242-marker", { maxResults: 1 });
  result.probeOk = NOTES <= 4242 || /-4242\.md$/.test(probe.hits[0]?.path ?? "");
  await memory.close();
  db.close();
  result.ok = result.keywordP99Ms < TARGET.keywordP99Ms && result.probeOk;
} finally {
  if (!KEEP) rmSync(base, { recursive: true, force: true });
  else process.stderr.write(`kept ${base}\n`);
}

const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");
if (JSON_OUT) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else {
  process.stdout.write(
    [
      `memory: ${result.files} notes (${fmt(result.corpusBytes / 1024 / 1024)} MB of Markdown), ${result.chunks} chunks`,
      `  index from scratch: ${fmt(result.indexMs / 1000, 2)} s; no-op re-sync: ${fmt(result.noopSyncMs)} ms`,
      `  state.db size: ${fmt(result.dbBytes / 1024 / 1024)} MB`,
      `  keyword search (${QUERIES} queries, ${result.queriesWithHits} with hits): p50 ${fmt(result.keywordP50Ms, 2)} ms, p99 ${fmt(result.keywordP99Ms, 2)} ms, max ${fmt(result.keywordMaxMs, 2)} ms (target < ${TARGET.keywordP99Ms} ms)`,
      `  probe query found its note: ${result.probeOk ? "yes" : "NO"}`,
    ].join("\n") + "\n",
  );
}
process.exitCode = STRICT && !result.ok ? 1 : 0;
