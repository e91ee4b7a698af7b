// Memory, from files to answers: sync (sources.ts → chunker.ts → store.ts, incremental:
// unchanged files are skipped by mtime/size, then by content hash; deleted files are
// removed), optional embeddings of new chunks, and search (query.ts keyword candidates +
// cosine candidates → rank.ts). One instance per process over state.db: the gateway
// (with a watcher per agent), the CLI, and the memory tools through ToolServices.
import { createHash } from "node:crypto";
import { closeSync, readFileSync } from "node:fs";
import { realpath } from "node:fs/promises";
import path from "node:path";
import { findAgent, workspacePath } from "../agents/workspace.js";
import { loadProviderCredentials, type ProviderCredentials } from "../agents/model-ref.js";
import type { Config } from "../config/schema.js";
import { statePaths, type Env } from "../config/paths.js";
import type { Db } from "../infra/db.js";
import { isInside, openVerifiedSync } from "../security/fs-containment.js";
import { chunkMarkdown } from "./chunker.js";
import { describeEmbeddingError, resolveEmbedder, type Embedder } from "./embeddings.js";
import { ftsQuery } from "./query.js";
import { cosine, rankCandidates, type Candidate } from "./rank.js";
import { extraPathsAbsolute, listMemoryFiles, MAX_MEMORY_FILE_BYTES, memoryRoots, yieldToLoop, type MemoryFile } from "./sources.js";
import { MemoryStore, type FileRow, type FileUpdate } from "./store.js";
import type { MemoryAccess, MemoryHit, MemorySearchOptions, MemorySearchResult } from "./types.js";
import { watchMemory, type MemoryWatch } from "./watcher.js";

export const SNIPPET_MAX_CHARS = 700;
export const MAX_RESULTS_LIMIT = 50;
const APPLY_BATCH = 500;
/** Read about this many bytes of notes between yields to the event loop. */
const READ_SLICE_BYTES = 2 * 1024 * 1024;
const EMBED_BATCH = 256;

interface Log {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface MemoryServiceOptions {
  config: Config;
  env: Env;
  db: Db;
  logger?: Log;
  now?: () => Date;
  /** Test-only: see MemoryReadHooks. */
  readHooks?: MemoryReadHooks;
}

export interface SyncResult {
  agentId: string;
  /** Real path of the workspace, or undefined when it does not exist. */
  workspace?: string;
  files: number;
  /** Files re-chunked. */
  changed: number;
  /** Files whose mtime changed but content did not. */
  touched: number;
  removed: number;
  chunks: number;
  embedded: number;
  embeddingError?: string;
  ms: number;
}

export interface SyncOptions {
  /** Re-chunk every file (and retry embeddings), ignoring mtime and hash. */
  force?: boolean;
  signal?: AbortSignal;
}

const sha256 = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");

/**
 * Read a file found by the walk, through the one containment helper: the descriptor must be
 * the walked path itself, reached through real folders only, inside the root it was found
 * under (openVerifiedSync: O_NOFOLLOW, then /proc/self/fd + dev/ino + realpath checks), so
 * a folder swapped for a symbolic link after the walk cannot redirect the read
 * (docs/memory.md). Synchronous on purpose: notes are small, and the caller yields to the
 * event loop between slices (an async read costs far more per file).
 */
function readMemoryFile(f: MemoryFile, workspaceReal: string, hooks?: MemoryReadHooks): { text: string; mtimeMs: number; size: number } | undefined {
  const opened = openVerifiedSync(f.abs, f.root, hooks);
  if (!opened.ok) return undefined;
  const { fd, stats: st } = opened;
  try {
    if (st.size > MAX_MEMORY_FILE_BYTES) return undefined;
    // A hard link in the workspace may share its bytes with any file of the owner's (as in the walk).
    if (isInside(workspaceReal, f.abs) && st.nlink > 1) return undefined;
    const buf = readFileSync(fd);
    if (buf.includes(0)) return undefined; // binary: not a note
    return { text: buf.toString("utf8"), mtimeMs: st.mtimeMs, size: st.size };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Test-only seam: runs right before each indexer read opens its file. */
export interface MemoryReadHooks {
  beforeOpenSync?: (path: string) => void;
}

export class MemoryService implements MemoryAccess {
  readonly store: MemoryStore;
  private embedderResolved = false;
  private embedder: Embedder | undefined;
  private embedderProblem: string | undefined;
  /** Per-agent chain of syncs: one at a time. */
  private chains = new Map<string, Promise<unknown>>();
  private synced = new Set<string>();
  private vectorCache = new Map<string, { key: string; rows: Array<{ id: number; vector: Float32Array }> }>();
  private queryVectors = new Map<string, Float32Array>();
  private watches = new Map<string, MemoryWatch>();
  /** Agents whose files a ready watcher is following (their index is kept fresh without a sync per search). */
  private watched = new Set<string>();
  private closed = false;
  private abort = new AbortController();

  constructor(private opts: MemoryServiceOptions) {
    this.store = new MemoryStore(opts.db);
  }

  private get config(): Config {
    return this.opts.config;
  }

  /** The embedder, resolved once (undefined when provider is "none" or it cannot be set up). */
  embeddings(): { embedder?: Embedder; problem?: string } {
    if (!this.embedderResolved) {
      this.embedderResolved = true;
      let creds: ProviderCredentials = {};
      try {
        creds = loadProviderCredentials(statePaths(this.opts.env).credentials);
      } catch {
        // a broken providers.json is reported by the model code; embeddings just go without it
      }
      const r = resolveEmbedder(this.config, this.opts.env, creds);
      if (r.ok) this.embedder = r.embedder;
      else this.embedderProblem = r.reason;
    }
    return { embedder: this.embedder, problem: this.embedderProblem };
  }

  /** The agent's workspace path (configured) and its real path when it exists. */
  async workspaceOf(agentId: string): Promise<{ configured: string; real?: string }> {
    const agent = findAgent(this.config, agentId);
    if (!agent) throw new Error(`agent "${agentId}" is not in agents.list.`);
    const configured = workspacePath(this.config, agent, this.opts.env);
    const real = await realpath(configured).catch(() => undefined);
    return { configured, real };
  }

  /** Bring the agent's index up to date with its files. Syncs of one agent run one at a time. */
  sync(agentId: string, opts: SyncOptions = {}): Promise<SyncResult> {
    if (this.closed) return Promise.reject(new Error("the memory index is shut down."));
    const prev = this.chains.get(agentId) ?? Promise.resolve();
    const run = prev.catch(() => {}).then(() => this.doSync(agentId, opts));
    this.chains.set(agentId, run);
    void run.finally(() => {
      if (this.chains.get(agentId) === run) this.chains.delete(agentId);
    }).catch(() => {});
    return run;
  }

  private async doSync(agentId: string, opts: SyncOptions): Promise<SyncResult> {
    if (this.closed) throw new Error("the memory index is shut down.");
    const t0 = performance.now();
    const startedAt = Date.now();
    const signal = opts.signal ?? this.abort.signal;
    const { real: ws } = await this.workspaceOf(agentId);
    const existing = this.store.files(agentId);
    let files: MemoryFile[] = [];
    if (ws) files = await listMemoryFiles(ws, await memoryRoots(ws, this.config.memory.extraPaths));

    // mtime has a coarse clock tick: a file changed around the last sync may keep its mtime and
    // size across an edit, so such "racy" files are always re-read (their hash decides).
    const racyAfter = (this.store.syncedAt(agentId) ?? 0) - 2000;
    const candidates = files.filter((f) => {
      const ex = existing.get(f.path);
      return opts.force || !ex || ex.mtime_ms !== f.mtimeMs || ex.size !== f.size || ex.abs_path !== f.abs || f.mtimeMs >= racyAfter;
    });
    const updates: FileUpdate[] = [];
    const chunkOpts = { maxTokens: this.config.memory.chunkTokens, overlapTokens: this.config.memory.chunkOverlapTokens };
    const seen = new Set(files.map((f) => f.path));
    let bytesSinceYield = 0;
    for (const f of candidates) {
      if (signal.aborted) break;
      if (bytesSinceYield > READ_SLICE_BYTES) {
        bytesSinceYield = 0;
        await yieldToLoop();
      }
      const read = ws ? readMemoryFile(f, ws, this.opts.readHooks) : undefined;
      if (!read) {
        seen.delete(f.path); // vanished or unreadable since the walk: drop it from the index
        continue;
      }
      bytesSinceYield += read.size + 4096;
      const hash = sha256(read.text);
      const ex: FileRow | undefined = existing.get(f.path);
      if (!opts.force && ex && ex.hash === hash) {
        updates.push({ path: f.path, abs: f.abs, hash, mtimeMs: read.mtimeMs, size: read.size });
        continue;
      }
      const chunks = chunkMarkdown(read.text, chunkOpts).map((c) => ({ ...c, hash: sha256(c.text) }));
      updates.push({ path: f.path, abs: f.abs, hash, mtimeMs: read.mtimeMs, size: read.size, chunks });
    }
    if (signal.aborted) throw new Error("memory sync was cancelled.");
    const removed = [...existing.keys()].filter((p) => !seen.has(p));
    let chunks = 0;
    updates.sort((a, b) => (a.path < b.path ? -1 : 1));
    for (let i = 0; i < Math.max(updates.length, 1); i += APPLY_BATCH) {
      chunks += this.store.apply(agentId, updates.slice(i, i + APPLY_BATCH), i === 0 ? removed : []);
    }
    const changed = updates.filter((u) => u.chunks).length;
    if (changed || removed.length) this.vectorCache.delete(agentId);

    let embedded = 0;
    let embeddingError: string | undefined;
    const { embedder, problem } = this.embeddings();
    if (problem) embeddingError = problem;
    if (embedder) {
      try {
        embedded = await this.embedMissing(agentId, embedder, signal);
      } catch (err) {
        embeddingError = describeEmbeddingError(err, embedder.label);
      }
      if (embedded) this.vectorCache.delete(agentId);
    }
    if (removed.length) this.store.pruneEmbeddings();
    this.store.markSynced(agentId, ws ?? "", embeddingError ?? null, startedAt);
    this.synced.add(agentId);
    const result: SyncResult = {
      agentId,
      ...(ws ? { workspace: ws } : {}),
      files: seen.size,
      changed,
      touched: updates.length - changed,
      removed: removed.length,
      chunks,
      embedded,
      ...(embeddingError ? { embeddingError } : {}),
      ms: performance.now() - t0,
    };
    if (changed || removed.length || embeddingError) {
      this.opts.logger?.info("memory indexed", { agentId, changed, removed: removed.length, chunks, embedded, ms: Math.round(result.ms) });
    }
    if (embeddingError) this.opts.logger?.warn("memory embeddings failed; search falls back to keywords for unembedded notes", { agentId, err: embeddingError });
    return result;
  }

  private async embedMissing(agentId: string, embedder: Embedder, signal: AbortSignal): Promise<number> {
    let n = 0;
    for (;;) {
      const todo = this.store.missingEmbeddings(agentId, embedder.key, EMBED_BATCH);
      if (todo.length === 0) return n;
      const vectors = await embedder.embedMany(
        todo.map((t) => t.text),
        signal,
      );
      if (vectors.length !== todo.length) throw new Error(`expected ${todo.length} embeddings, got ${vectors.length}`);
      this.store.putEmbeddings(
        embedder.key,
        todo.map((t, i) => ({ hash: t.hash, vector: vectors[i]! })),
      );
      n += todo.length;
    }
  }

  private async queryVector(embedder: Embedder, query: string, signal?: AbortSignal): Promise<Float32Array> {
    const k = `${embedder.key}\n${query}`;
    const hit = this.queryVectors.get(k);
    if (hit) return hit;
    const v = await embedder.embed(query, signal);
    if (this.queryVectors.size >= 200) this.queryVectors.delete(this.queryVectors.keys().next().value!);
    this.queryVectors.set(k, v);
    return v;
  }

  private vectorsOf(agentId: string, key: string): Array<{ id: number; vector: Float32Array }> {
    const c = this.vectorCache.get(agentId);
    if (c && c.key === key) return c.rows;
    const rows = this.store.vectors(agentId, key);
    this.vectorCache.set(agentId, { key, rows });
    return rows;
  }

  /** Search an agent's memory. Syncs first unless a watcher keeps this agent fresh. */
  async search(agentId: string, query: string, opts: MemorySearchOptions): Promise<MemorySearchResult> {
    if (!this.watched.has(agentId) || !this.synced.has(agentId)) await this.sync(agentId, { signal: opts.signal });
    return this.searchIndex(agentId, query, opts);
  }

  /** Search the index as it is (no sync). */
  async searchIndex(agentId: string, query: string, opts: MemorySearchOptions): Promise<MemorySearchResult> {
    const max = Math.max(1, Math.min(MAX_RESULTS_LIMIT, Math.floor(opts.maxResults)));
    const pool = Math.max(20, max * 4);
    const keep = (p: string) => !opts.workspaceOnly || !path.isAbsolute(p);
    const byId = new Map<number, Candidate>();
    const match = ftsQuery(query);
    if (match) {
      for (const h of this.store.keyword(agentId, match, pool * (opts.workspaceOnly ? 2 : 1))) {
        if (keep(h.path)) byId.set(h.id, { id: h.id, path: h.path, startLine: h.startLine, endLine: h.endLine, text: h.text, bm25: h.bm25 });
      }
    }
    let mode: MemorySearchResult["mode"] = "keyword";
    let note: string | undefined;
    const { embedder, problem } = this.embeddings();
    if (problem) note = problem;
    if (embedder && query.trim()) {
      try {
        const qv = await this.queryVector(embedder, query, opts.signal);
        const scored = this.vectorsOf(agentId, embedder.key)
          .map((r) => ({ id: r.id, cos: cosine(qv, r.vector) }))
          .filter((r) => r.cos > 0)
          .sort((a, b) => b.cos - a.cos)
          .slice(0, pool);
        const missing = scored.filter((s) => !byId.has(s.id)).map((s) => s.id);
        for (const h of this.store.chunksByIds(missing)) {
          if (keep(h.path)) byId.set(h.id, { id: h.id, path: h.path, startLine: h.startLine, endLine: h.endLine, text: h.text });
        }
        for (const s of scored) {
          const c = byId.get(s.id);
          if (c) c.cosine = s.cos;
        }
        mode = "hybrid";
      } catch (err) {
        note = `${describeEmbeddingError(err, embedder.label)} Showing keyword matches only.`;
      }
    }
    const w = this.config.memory.weights;
    const ranked = rankCandidates([...byId.values()], {
      vectors: mode === "hybrid",
      vectorWeight: w.vector,
      keywordWeight: w.keyword,
      recencyWeight: w.recency,
      halfLifeDays: this.config.memory.recencyHalfLifeDays,
      now: this.opts.now?.() ?? new Date(),
      maxResults: max,
    });
    const hits: MemoryHit[] = ranked.map((r) => ({
      path: r.path,
      startLine: r.startLine,
      endLine: r.endLine,
      score: Math.round(r.score * 1000) / 1000,
      snippet: r.text.length > SNIPPET_MAX_CHARS ? `${r.text.slice(0, SNIPPET_MAX_CHARS).trimEnd()} …` : r.text,
      ...(r.date ? { date: r.date } : {}),
    }));
    return { hits, mode, ...(note ? { note } : {}) };
  }

  /** Index every agent, then watch their memory files (when memory.watch is on). */
  async start(): Promise<void> {
    for (const agent of this.config.agents.list) {
      if (this.closed) return;
      try {
        if (this.config.memory.watch) await this.watchAgent(agent.id);
        await this.sync(agent.id);
      } catch (err) {
        if (!this.closed) this.opts.logger?.warn("memory index failed", { agentId: agent.id, err: (err as Error).message });
      }
    }
  }

  private async watchAgent(agentId: string): Promise<void> {
    const { configured, real } = await this.workspaceOf(agentId);
    const extras = await Promise.all(
      extraPathsAbsolute(real ?? configured, this.config.memory.extraPaths).map(async (p) => (await realpath(p).catch(() => undefined)) ?? p),
    );
    let pending = false;
    let running = false;
    const trigger = () => {
      if (this.closed) return;
      if (running) return void (pending = true);
      running = true;
      this.sync(agentId)
        .catch((err: Error) => this.opts.logger?.warn("memory re-index failed", { agentId, err: err.message }))
        .finally(() => {
          running = false;
          if (pending) {
            pending = false;
            trigger();
          }
        });
    };
    if (!real) {
      // No workspace yet (it is seeded on the agent's first run): look again every 2 s.
      const timer = setInterval(() => {
        void realpath(configured).then(
          async () => {
            clearInterval(timer);
            this.watches.delete(agentId);
            if (!this.closed) await this.watchAgent(agentId).then(trigger);
          },
          () => {},
        );
      }, 2000);
      timer.unref();
      this.watches.set(agentId, { close: async () => clearInterval(timer) });
      return;
    }
    const w = await watchMemory({ workspace: real, extras }, trigger, (err) => this.opts.logger?.warn("memory watcher error", { agentId, err: err.message }));
    if (this.closed) return void (await w.close());
    this.watches.set(agentId, w);
    this.watched.add(agentId);
  }

  /** Stop watchers and wait for running syncs (which stop at their next step). */
  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    await Promise.all([...this.watches.values()].map((w) => w.close().catch(() => {})));
    this.watches.clear();
    this.watched.clear();
    await Promise.all([...this.chains.values()].map((c) => c.catch(() => {})));
  }
}
