// Memory indexing, step 3 of 3 (sources → chunks → index): the index in state.db. One row
// per indexed file (content hash, mtime, size: what incremental re-indexing compares),
// its chunks with line ranges, an FTS5 table over chunk text and path (BM25), and an
// embedding cache keyed by (model, chunk content hash) so unchanged text is never
// embedded twice. Vectors are Float32 BLOBs; similarity is computed in JS (rank.ts).
import { migrate, transaction, type Db } from "../infra/db.js";
import type { Chunk } from "./chunker.js";

const MIGRATIONS = [
  `CREATE TABLE memory_files (
     agent_id TEXT NOT NULL,
     path TEXT NOT NULL,
     abs_path TEXT NOT NULL,
     hash TEXT NOT NULL,
     mtime_ms REAL NOT NULL,
     size INTEGER NOT NULL,
     chunks INTEGER NOT NULL,
     indexed_at INTEGER NOT NULL,
     PRIMARY KEY (agent_id, path)
   );
   CREATE TABLE memory_chunks (
     id INTEGER PRIMARY KEY,
     agent_id TEXT NOT NULL,
     path TEXT NOT NULL,
     start_line INTEGER NOT NULL,
     end_line INTEGER NOT NULL,
     hash TEXT NOT NULL,
     text TEXT NOT NULL
   );
   CREATE INDEX memory_chunks_file ON memory_chunks (agent_id, path);
   CREATE INDEX memory_chunks_hash ON memory_chunks (hash);
   CREATE VIRTUAL TABLE memory_fts USING fts5 (
     text, path, content = 'memory_chunks', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
   );
   CREATE TRIGGER memory_chunks_ai AFTER INSERT ON memory_chunks BEGIN
     INSERT INTO memory_fts (rowid, text, path) VALUES (new.id, new.text, new.path);
   END;
   CREATE TRIGGER memory_chunks_ad AFTER DELETE ON memory_chunks BEGIN
     INSERT INTO memory_fts (memory_fts, rowid, text, path) VALUES ('delete', old.id, old.text, old.path);
   END;
   CREATE TABLE memory_embeddings (
     model TEXT NOT NULL,
     hash TEXT NOT NULL,
     dims INTEGER NOT NULL,
     vector BLOB NOT NULL,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (model, hash)
   );
   CREATE TABLE memory_agents (
     agent_id TEXT PRIMARY KEY,
     workspace TEXT NOT NULL,
     synced_at INTEGER NOT NULL,
     last_error TEXT
   );`,
];

/** BM25 column weights: chunk text counts fully, the file path a little. */
const BM25 = "bm25(memory_fts, 1.0, 0.4)";

export interface FileRow {
  path: string;
  abs_path: string;
  hash: string;
  mtime_ms: number;
  size: number;
  chunks: number;
  indexed_at: number;
}

export interface ChunkHit {
  id: number;
  path: string;
  startLine: number;
  endLine: number;
  text: string;
  hash: string;
  bm25?: number;
}

export interface FileUpdate {
  path: string;
  abs: string;
  hash: string;
  mtimeMs: number;
  size: number;
  /** Undefined: content unchanged, only mtime/size are refreshed. */
  chunks?: Array<Chunk & { hash: string }>;
}

export interface AgentStats {
  files: number;
  chunks: number;
  bytes: number;
  lastIndexedAt?: number;
  syncedAt?: number;
  workspace?: string;
  lastError?: string | null;
}

export class MemoryStore {
  private stmts: Record<string, ReturnType<Db["prepare"]>> = {};

  constructor(readonly db: Db) {
    migrate(db, "memory", MIGRATIONS);
  }

  private st(sql: string): ReturnType<Db["prepare"]> {
    return (this.stmts[sql] ??= this.db.prepare(sql));
  }

  files(agentId: string): Map<string, FileRow> {
    const rows = this.st("SELECT path, abs_path, hash, mtime_ms, size, chunks, indexed_at FROM memory_files WHERE agent_id = ?").all(agentId) as unknown as FileRow[];
    return new Map(rows.map((r) => [r.path, r]));
  }

  /** Apply file updates and removals in one transaction. Returns chunks written. */
  apply(agentId: string, updates: FileUpdate[], removed: string[], now = Date.now()): number {
    let written = 0;
    transaction(this.db, () => {
      const delChunks = this.st("DELETE FROM memory_chunks WHERE agent_id = ? AND path = ?");
      const delFile = this.st("DELETE FROM memory_files WHERE agent_id = ? AND path = ?");
      const insChunk = this.st("INSERT INTO memory_chunks (agent_id, path, start_line, end_line, hash, text) VALUES (?, ?, ?, ?, ?, ?)");
      const upFile = this.st(
        `INSERT INTO memory_files (agent_id, path, abs_path, hash, mtime_ms, size, chunks, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (agent_id, path) DO UPDATE SET abs_path = excluded.abs_path, hash = excluded.hash, mtime_ms = excluded.mtime_ms,
           size = excluded.size, chunks = excluded.chunks, indexed_at = excluded.indexed_at`,
      );
      const touch = this.st("UPDATE memory_files SET abs_path = ?, mtime_ms = ?, size = ? WHERE agent_id = ? AND path = ?");
      for (const p of removed) {
        delChunks.run(agentId, p);
        delFile.run(agentId, p);
      }
      for (const u of updates) {
        if (!u.chunks) {
          touch.run(u.abs, u.mtimeMs, u.size, agentId, u.path);
          continue;
        }
        delChunks.run(agentId, u.path);
        for (const c of u.chunks) insChunk.run(agentId, u.path, c.startLine, c.endLine, c.hash, c.text);
        upFile.run(agentId, u.path, u.abs, u.hash, u.mtimeMs, u.size, u.chunks.length, now);
        written += u.chunks.length;
      }
    });
    return written;
  }

  markSynced(agentId: string, workspace: string, error: string | null, now = Date.now()): void {
    this.st(
      `INSERT INTO memory_agents (agent_id, workspace, synced_at, last_error) VALUES (?, ?, ?, ?)
       ON CONFLICT (agent_id) DO UPDATE SET workspace = excluded.workspace, synced_at = excluded.synced_at, last_error = excluded.last_error`,
    ).run(agentId, workspace, now, error);
  }

  /** When the agent's last sync started (ms), if it ever ran. */
  syncedAt(agentId: string): number | undefined {
    const r = this.st("SELECT synced_at FROM memory_agents WHERE agent_id = ?").get(agentId) as { synced_at: number } | undefined;
    return r?.synced_at;
  }

  /** Drop everything indexed for an agent (used by --force re-index from scratch). */
  clearAgent(agentId: string): void {
    transaction(this.db, () => {
      this.st("DELETE FROM memory_chunks WHERE agent_id = ?").run(agentId);
      this.st("DELETE FROM memory_files WHERE agent_id = ?").run(agentId);
    });
  }

  /**
   * Keyword candidates: FTS5 MATCH (an expression from query.ts) ranked by BM25. The FTS
   * index is ranked on its own (joining the chunks table inside that query makes SQLite
   * probe the index once per chunk, or look every match up before the LIMIT); the top
   * rows are then looked up by id and filtered to the agent, fetching deeper only when
   * other agents' chunks crowded the top.
   */
  keyword(agentId: string, match: string, limit: number): ChunkHit[] {
    const ranked = this.st(`SELECT rowid AS id, ${BM25} AS bm25 FROM memory_fts WHERE memory_fts MATCH ? ORDER BY bm25 LIMIT ?`);
    const lookup = this.st("SELECT id, path, start_line AS startLine, end_line AS endLine, text, hash FROM memory_chunks WHERE id = ? AND agent_id = ?");
    for (let fetch = limit; ; fetch *= 4) {
      const rows = ranked.all(match, fetch) as Array<{ id: number; bm25: number }>;
      const hits: ChunkHit[] = [];
      for (const r of rows) {
        const c = lookup.get(r.id, agentId) as unknown as ChunkHit | undefined;
        if (c) hits.push({ ...c, bm25: r.bm25 });
        if (hits.length === limit) return hits;
      }
      if (rows.length < fetch) return hits;
    }
  }

  chunksByIds(ids: number[]): ChunkHit[] {
    if (ids.length === 0) return [];
    const q = this.st("SELECT id, path, start_line AS startLine, end_line AS endLine, text, hash FROM memory_chunks WHERE id = ?");
    return ids.map((id) => q.get(id) as unknown as ChunkHit | undefined).filter((r): r is ChunkHit => !!r);
  }

  /** Chunks of the agent with no cached vector for `model`: what still needs embedding. */
  missingEmbeddings(agentId: string, model: string, limit: number): Array<{ hash: string; text: string }> {
    return this.st(
      `SELECT c.hash AS hash, min(c.text) AS text FROM memory_chunks c
       LEFT JOIN memory_embeddings e ON e.model = ? AND e.hash = c.hash
       WHERE c.agent_id = ? AND e.hash IS NULL GROUP BY c.hash LIMIT ?`,
    ).all(model, agentId, limit) as unknown as Array<{ hash: string; text: string }>;
  }

  putEmbeddings(model: string, rows: Array<{ hash: string; vector: Float32Array }>, now = Date.now()): void {
    transaction(this.db, () => {
      const ins = this.st("INSERT OR REPLACE INTO memory_embeddings (model, hash, dims, vector, created_at) VALUES (?, ?, ?, ?, ?)");
      for (const r of rows) ins.run(model, r.hash, r.vector.length, new Uint8Array(r.vector.buffer, r.vector.byteOffset, r.vector.byteLength), now);
    });
  }

  /** Every chunk of the agent that has a vector for `model`. */
  vectors(agentId: string, model: string): Array<{ id: number; vector: Float32Array }> {
    const rows = this.st(
      `SELECT c.id AS id, e.vector AS vector FROM memory_chunks c JOIN memory_embeddings e ON e.model = ? AND e.hash = c.hash WHERE c.agent_id = ?`,
    ).all(model, agentId) as unknown as Array<{ id: number; vector: Uint8Array }>;
    return rows.map((r) => ({ id: r.id, vector: toFloat32(r.vector) }));
  }

  /** Remove cached vectors no chunk uses any more. */
  pruneEmbeddings(): number {
    const r = this.st("DELETE FROM memory_embeddings WHERE hash NOT IN (SELECT hash FROM memory_chunks)").run();
    return Number(r.changes);
  }

  embeddingCount(agentId: string, model: string): { embedded: number; pending: number } {
    const row = this.st(
      `SELECT count(DISTINCT c.hash) AS total, count(DISTINCT e.hash) AS embedded FROM memory_chunks c
       LEFT JOIN memory_embeddings e ON e.model = ? AND e.hash = c.hash WHERE c.agent_id = ?`,
    ).get(model, agentId) as { total: number; embedded: number };
    return { embedded: row.embedded, pending: row.total - row.embedded };
  }

  stats(agentId: string): AgentStats {
    const f = this.st("SELECT count(*) AS files, coalesce(sum(chunks), 0) AS chunks, coalesce(sum(size), 0) AS bytes, max(indexed_at) AS last FROM memory_files WHERE agent_id = ?").get(
      agentId,
    ) as { files: number; chunks: number; bytes: number; last: number | null };
    const a = this.st("SELECT workspace, synced_at, last_error FROM memory_agents WHERE agent_id = ?").get(agentId) as
      | { workspace: string; synced_at: number; last_error: string | null }
      | undefined;
    return {
      files: f.files,
      chunks: f.chunks,
      bytes: f.bytes,
      ...(f.last !== null ? { lastIndexedAt: f.last } : {}),
      ...(a ? { syncedAt: a.synced_at, workspace: a.workspace, lastError: a.last_error } : {}),
    };
  }
}

/** A BLOB back to the Float32Array it was written from (copied when unaligned). */
export function toFloat32(blob: Uint8Array): Float32Array {
  if (blob.byteOffset % 4 === 0) return new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4);
  return new Float32Array(blob.slice().buffer);
}
