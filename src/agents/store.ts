// Sessions and transcripts in state.db. A session key points at its current
// transcript; /new and /reset archive it and start another. Messages are stored
// as the AI SDK's ModelMessage JSON, so a transcript resumes exactly after a restart.
import { randomUUID } from "node:crypto";
import type { ModelMessage } from "ai";
import type { StatementSync } from "node:sqlite";
import { migrate, statementCache, transaction, type Db } from "../infra/db.js";

export interface SessionRow {
  key: string;
  agentId: string;
  transcriptId: string;
  createdAt: number;
  updatedAt: number;
  inputTokens: number;
  outputTokens: number;
  lastModel: string | null;
  messageCount: number;
}

export interface TranscriptEntry {
  id: number;
  runId: string | null;
  role: string;
  message: ModelMessage;
  createdAt: number;
}

const MIGRATIONS = [
  `CREATE TABLE sessions (
     key TEXT PRIMARY KEY, agent_id TEXT NOT NULL, transcript_id TEXT NOT NULL,
     created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
     input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0, last_model TEXT);
   CREATE TABLE transcripts (
     id TEXT PRIMARY KEY, session_key TEXT NOT NULL, created_at INTEGER NOT NULL, archived_at INTEGER);
   CREATE TABLE messages (
     id INTEGER PRIMARY KEY AUTOINCREMENT, transcript_id TEXT NOT NULL REFERENCES transcripts(id),
     run_id TEXT, role TEXT NOT NULL, content TEXT NOT NULL, created_at INTEGER NOT NULL);
   CREATE INDEX messages_by_transcript ON messages (transcript_id, id);`,
  `ALTER TABLE sessions ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
   UPDATE sessions SET message_count = (SELECT COUNT(*) FROM messages m WHERE m.transcript_id = sessions.transcript_id);`,
];

export class SessionStore {
  private readonly sql: (text: string) => StatementSync;

  constructor(private db: Db) {
    migrate(db, "sessions", MIGRATIONS);
    this.sql = statementCache(db);
  }


  get(key: string): SessionRow | undefined {
    const row = this.sql("SELECT * FROM sessions WHERE key = ?").get(key) as Record<string, unknown> | undefined;
    return row ? toSession(row) : undefined;
  }

  /** The session, created with an empty transcript on first use. */
  ensure(key: string, agentId: string): SessionRow {
    const existing = this.get(key);
    if (existing) return existing;
    const now = Date.now();
    const transcriptId = randomUUID();
    transaction(this.db, () => {
      this.sql("INSERT INTO transcripts (id, session_key, created_at) VALUES (?, ?, ?)").run(transcriptId, key, now);
      this.sql("INSERT INTO sessions (key, agent_id, transcript_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")
        .run(key, agentId, transcriptId, now, now);
    });
    return this.get(key)!;
  }

  list(): SessionRow[] {
    const rows = this.sql("SELECT * FROM sessions ORDER BY updated_at DESC").all() as Array<Record<string, unknown>>;
    return rows.map(toSession);
  }

  /**
   * The current transcript's messages, oldest first. Recently used transcripts are kept
   * in memory (keyed by transcript id, so a reset can never serve a stale one); the
   * database stays the source of truth and every append goes to it first.
   */
  history(key: string): ModelMessage[] {
    const s = this.get(key);
    if (!s) return [];
    const hit = this.recent.get(s.transcriptId);
    if (hit) {
      this.recent.delete(s.transcriptId);
      this.recent.set(s.transcriptId, hit);
      return [...hit];
    }
    const messages = this.entries(key).map((e) => e.message);
    this.remember(s.transcriptId, messages);
    return [...messages];
  }

  /**
   * The newest messages of the current transcript whose stored JSON adds up to at most
   * `maxChars`, oldest first, and how many older messages were not read: what a run needs
   * (agents/history.ts), read newest first and stopped at the bound, so a run's memory does
   * not grow with the transcript.
   */
  tail(key: string, maxChars: number): { messages: ModelMessage[]; older: number } {
    const s = this.get(key);
    if (!s) return { messages: [], older: 0 };
    const out: ModelMessage[] = [];
    let total = 0;
    for (const row of this.sql("SELECT content FROM messages WHERE transcript_id = ? ORDER BY id DESC").iterate(s.transcriptId) as Iterable<{ content: string }>) {
      total += row.content.length;
      if (total > maxChars) break;
      out.push(JSON.parse(row.content) as ModelMessage);
    }
    out.reverse();
    return { messages: out, older: Math.max(0, s.messageCount - out.length) };
  }

  private recent = new Map<string, ModelMessage[]>();

  private remember(transcriptId: string, messages: ModelMessage[]): void {
    this.recent.set(transcriptId, messages);
    if (this.recent.size > 256) this.recent.delete(this.recent.keys().next().value!);
  }

  entries(key: string, limit?: number): TranscriptEntry[] {
    const s = this.get(key);
    if (!s) return [];
    const rows = (
      limit
        ? this.sql("SELECT * FROM (SELECT * FROM messages WHERE transcript_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id ASC")
            .all(s.transcriptId, limit)
        : this.sql("SELECT * FROM messages WHERE transcript_id = ? ORDER BY id ASC").all(s.transcriptId)
    ) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      id: r.id as number,
      runId: (r.run_id as string | null) ?? null,
      role: r.role as string,
      message: JSON.parse(r.content as string) as ModelMessage,
      createdAt: r.created_at as number,
    }));
  }

  /** Append one run's messages (and its usage) in a single transaction. */
  append(key: string, runId: string, messages: ModelMessage[], usage?: { inputTokens?: number; outputTokens?: number; model?: string }): void {
    const s = this.get(key);
    if (!s) throw new Error(`no session ${key}`);
    const now = Date.now();
    transaction(this.db, () => {
      const insert = this.sql("INSERT INTO messages (transcript_id, run_id, role, content, created_at) VALUES (?, ?, ?, ?, ?)");
      for (const m of messages) insert.run(s.transcriptId, runId, m.role, JSON.stringify(m), now);
      this.sql(
          `UPDATE sessions SET updated_at = ?, input_tokens = input_tokens + ?, output_tokens = output_tokens + ?,
             last_model = COALESCE(?, last_model), message_count = message_count + ? WHERE key = ?`,
        )
        .run(now, usage?.inputTokens ?? 0, usage?.outputTokens ?? 0, usage?.model ?? null, messages.length, key);
    });
    // Only after the transaction committed: the cache never holds what the database lacks.
    this.recent.get(s.transcriptId)?.push(...(JSON.parse(JSON.stringify(messages)) as ModelMessage[]));
  }

  /** Archive the current transcript and start an empty one. Returns the archived transcript id. */
  reset(key: string): string | undefined {
    const s = this.get(key);
    if (!s) return undefined;
    const now = Date.now();
    const next = randomUUID();
    transaction(this.db, () => {
      this.sql("UPDATE transcripts SET archived_at = ? WHERE id = ?").run(now, s.transcriptId);
      this.sql("INSERT INTO transcripts (id, session_key, created_at) VALUES (?, ?, ?)").run(next, key, now);
      this.sql("UPDATE sessions SET transcript_id = ?, updated_at = ?, input_tokens = 0, output_tokens = 0, message_count = 0 WHERE key = ?")
        .run(next, now, key);
    });
    return s.transcriptId;
  }

  archivedTranscripts(key: string): Array<{ id: string; createdAt: number; archivedAt: number }> {
    return (
      this.sql("SELECT id, created_at, archived_at FROM transcripts WHERE session_key = ? AND archived_at IS NOT NULL ORDER BY archived_at")
        .all(key) as Array<Record<string, number | string>>
    ).map((r) => ({ id: r.id as string, createdAt: r.created_at as number, archivedAt: r.archived_at as number }));
  }
}

function toSession(r: Record<string, unknown>): SessionRow {
  return {
    key: r.key as string,
    agentId: r.agent_id as string,
    transcriptId: r.transcript_id as string,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    inputTokens: r.input_tokens as number,
    outputTokens: r.output_tokens as number,
    lastModel: (r.last_model as string | null) ?? null,
    messageCount: (r.message_count as number) ?? 0,
  };
}
