// The durable chat queue (docs/agents.md#queue-and-crashes): a message is written to
// state.db, with its idempotency key, in one transaction before chat.send acknowledges
// it. On start, messages that never began run in order; one that was running when the
// gateway died is marked failed, visibly, in its transcript. Idempotency keys are kept
// for 24 hours, so a retry after a restart returns the first answer and runs nothing.
import type { RunOrigin } from "../security/principal.js";
import { migrate, statementCache, transaction, type Db } from "../infra/db.js";
import type { StatementSync } from "node:sqlite";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;

export interface StoredResult {
  runId: string;
  sessionKey: string;
  status: "started" | "queued" | "done";
}

export interface QueuedMessage {
  runId: string;
  sessionKey: string;
  agentId: string;
  text: string;
  origin: RunOrigin;
  /** "running" only for a message whose run had begun when the gateway stopped. */
  state: "queued" | "running";
  createdAt: number;
}

const MIGRATIONS = [
  `CREATE TABLE chat_queue (
     seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL UNIQUE, session_key TEXT NOT NULL,
     agent_id TEXT NOT NULL, text TEXT NOT NULL, origin TEXT NOT NULL, state TEXT NOT NULL,
     created_at INTEGER NOT NULL);
   CREATE TABLE idempotency (key TEXT PRIMARY KEY, result TEXT NOT NULL, created_at INTEGER NOT NULL);
   CREATE INDEX idempotency_by_age ON idempotency (created_at);`,
];

export class ChatQueueStore {
  private readonly sql: (text: string) => StatementSync;
  private writes = 0;

  constructor(
    private db: Db,
    private now: () => number = Date.now,
  ) {
    migrate(db, "chat-queue", MIGRATIONS);
    this.sql = statementCache(db);
    this.prune();
  }


  /** The first result for `key` if it was used within the last 24 hours. */
  lookup(key: string): StoredResult | undefined {
    const row = this.sql("SELECT result, created_at FROM idempotency WHERE key = ?").get(key) as { result: string; created_at: number } | undefined;
    if (!row || this.now() - row.created_at >= IDEMPOTENCY_TTL_MS) return undefined;
    return JSON.parse(row.result) as StoredResult;
  }

  /** Persist an accepted message (when it will run later) and its idempotency key: both or neither. */
  accept(message: Omit<QueuedMessage, "state" | "createdAt"> | undefined, key: string | undefined, result: StoredResult): void {
    const now = this.now();
    transaction(this.db, () => {
      if (message) {
        this.sql("INSERT INTO chat_queue (run_id, session_key, agent_id, text, origin, state, created_at) VALUES (?, ?, ?, ?, ?, 'queued', ?)")
          .run(message.runId, message.sessionKey, message.agentId, message.text, JSON.stringify(message.origin), now);
      }
      if (key) this.sql("INSERT OR REPLACE INTO idempotency (key, result, created_at) VALUES (?, ?, ?)").run(key, JSON.stringify(result), now);
    });
    if (key && ++this.writes % 1000 === 0) this.prune();
  }

  started(runId: string): void {
    this.sql("UPDATE chat_queue SET state = 'running' WHERE run_id = ?").run(runId);
  }

  /** The run ended (answered, failed, aborted or dropped): it is no longer owed. */
  finished(runId: string): void {
    this.sql("DELETE FROM chat_queue WHERE run_id = ?").run(runId);
  }

  /** Messages still owed, oldest first. */
  pending(): QueuedMessage[] {
    return (this.sql("SELECT * FROM chat_queue ORDER BY seq").all() as Array<Record<string, unknown>>).map((r) => ({
      runId: r.run_id as string,
      sessionKey: r.session_key as string,
      agentId: r.agent_id as string,
      text: r.text as string,
      origin: JSON.parse(r.origin as string) as RunOrigin,
      state: r.state === "running" ? "running" : "queued",
      createdAt: r.created_at as number,
    }));
  }

  prune(): void {
    this.sql("DELETE FROM idempotency WHERE created_at < ?").run(this.now() - IDEMPOTENCY_TTL_MS);
  }
}
