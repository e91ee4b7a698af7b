// Implementations of `simpleclaw memory …` (lazy-loaded). They open state.db themselves;
// WAL mode lets them run next to a gateway that is indexing the same files.
import { statSync } from "node:fs";
import { findAgent, defaultAgent, workspacePath } from "../agents/workspace.js";
import { loadConfig } from "../config/io.js";
import { statePaths } from "../config/paths.js";
import type { Config } from "../config/schema.js";
import { ensureDir } from "../infra/atomic-fs.js";
import { openStateDb } from "../infra/db.js";
import { EXIT, UserError } from "../infra/errors.js";
import { MAX_RESULTS_LIMIT, MemoryService, type SyncResult } from "../memory/service.js";

const out = (s: string): void => void process.stdout.write(`${s}\n`);

function open(): { config: Config; memory: MemoryService; close(): void; dbPath: string } {
  const { config } = loadConfig();
  const paths = statePaths();
  ensureDir(paths.dir, 0o700);
  const db = openStateDb(paths.stateDb);
  const memory = new MemoryService({ config, env: process.env, db });
  return {
    config,
    memory,
    dbPath: paths.stateDb,
    close: () => {
      if (db.isOpen) db.close();
    },
  };
}

function agentIds(config: Config, id: string | undefined): string[] {
  if (id === undefined) return config.agents.list.map((a) => a.id);
  if (!findAgent(config, id)) throw new UserError(`agent "${id}" is not in agents.list; see \`simpleclaw config get agents.list\`.`, EXIT.usage);
  return [id];
}

function summary(r: SyncResult): string {
  if (!r.workspace) return `${r.agentId}: no workspace yet (nothing to index)`;
  const parts = [`${r.files} file(s)`, `${r.changed} re-indexed`, `${r.removed} removed`, `${r.chunks} chunk(s) written`];
  if (r.embedded) parts.push(`${r.embedded} embedded`);
  return `${r.agentId}: ${parts.join(", ")} in ${Math.round(r.ms)} ms${r.embeddingError ? `\n  embeddings: ${r.embeddingError}` : ""}`;
}

export async function memoryIndex(opts: { force?: boolean; agent?: string; json?: boolean }): Promise<void> {
  const s = open();
  try {
    const results: SyncResult[] = [];
    for (const id of agentIds(s.config, opts.agent)) results.push(await s.memory.sync(id, { force: !!opts.force }));
    if (opts.json) return out(JSON.stringify(results, null, 2));
    for (const r of results) out(summary(r));
    if (!s.config.memory.enabled) out("note: memory.enabled is false, so agents cannot use memory tools; the index is kept for the CLI.");
  } finally {
    s.close();
  }
}

export async function memorySearch(query: string, opts: { agent?: string; max?: string; json?: boolean }): Promise<void> {
  if (query.trim() === "") throw new UserError("the search query is empty; give some words to look for.", EXIT.usage);
  const max = Number(opts.max ?? 6);
  if (!Number.isInteger(max) || max < 1 || max > MAX_RESULTS_LIMIT) {
    throw new UserError(`--max must be a whole number from 1 to ${MAX_RESULTS_LIMIT}, got "${opts.max}".`, EXIT.usage);
  }
  const s = open();
  try {
    const [id] = opts.agent ? agentIds(s.config, opts.agent) : [defaultAgent(s.config).id];
    const r = await s.memory.search(id!, query, { maxResults: max });
    if (opts.json) return out(JSON.stringify({ agentId: id, query, ...r }, null, 2));
    if (r.note) process.stderr.write(`note: ${r.note}\n`);
    if (r.hits.length === 0) return out(`No memory matches "${query}".`);
    r.hits.forEach((h, i) => {
      out(`${i > 0 ? "\n" : ""}[${i + 1}] ${h.path}:${h.startLine}-${h.endLine}  score ${h.score.toFixed(3)}${h.date ? `  (${h.date})` : ""}`);
      out(h.snippet.replace(/^/gm, "    "));
    });
  } finally {
    s.close();
  }
}

export async function memoryStatus(opts: { agent?: string; json?: boolean }): Promise<void> {
  const s = open();
  try {
    const emb = s.config.memory.embeddings;
    const { embedder, problem } = s.memory.embeddings();
    const agents = agentIds(s.config, opts.agent).map((id) => {
      const agent = findAgent(s.config, id)!;
      const st = s.memory.store.stats(id);
      return {
        agentId: id,
        workspace: workspacePath(s.config, agent, process.env),
        files: st.files,
        chunks: st.chunks,
        bytes: st.bytes,
        lastIndexedAt: st.lastIndexedAt ? new Date(st.lastIndexedAt).toISOString() : null,
        lastSyncAt: st.syncedAt ? new Date(st.syncedAt).toISOString() : null,
        ...(embedder ? { embeddings: s.memory.store.embeddingCount(id, embedder.key) } : {}),
        ...(st.lastError ? { lastError: st.lastError } : {}),
      };
    });
    let dbBytes = 0;
    for (const suffix of ["", "-wal"]) dbBytes += statSafe(s.dbPath + suffix);
    const status = {
      enabled: s.config.memory.enabled,
      watch: s.config.memory.watch,
      extraPaths: s.config.memory.extraPaths,
      embeddings: { provider: emb.provider, ...(embedder ? { model: embedder.label } : {}), ...(problem ? { problem } : {}) },
      database: { path: s.dbPath, bytes: dbBytes },
      agents,
    };
    if (opts.json) return out(JSON.stringify(status, null, 2));
    out(`memory: ${status.enabled ? "enabled" : "disabled (memory.enabled is false)"}, watcher ${status.watch ? "on" : "off"} while the gateway runs`);
    out(`embeddings: ${emb.provider === "none" ? "none (keyword search only)" : (embedder?.label ?? emb.provider)}${problem ? ` — ${problem}` : ""}`);
    out(`database: ${s.dbPath} (${(dbBytes / 1024 / 1024).toFixed(1)} MB)`);
    if (status.extraPaths.length) out(`extra paths: ${status.extraPaths.join(", ")}`);
    for (const a of agents) {
      out(`${a.agentId}: ${a.files} file(s), ${a.chunks} chunk(s), ${(a.bytes / 1024).toFixed(1)} KB of notes — workspace ${a.workspace}`);
      out(`  last indexed: ${a.lastSyncAt ?? "never (run \`simpleclaw memory index\`)"}`);
      if (a.embeddings) out(`  embeddings: ${a.embeddings.embedded} chunk(s) embedded, ${a.embeddings.pending} pending`);
      if (a.lastError) out(`  last error: ${a.lastError}`);
    }
  } finally {
    s.close();
  }
}

function statSafe(p: string): number {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
}
