// The gateway's SQLite database (state.db, node:sqlite, WAL, mode 600). Each module
// that keeps state in it registers numbered migrations; they run once, in order,
// inside a transaction, tracked per module in the `migrations` table.
import { chmodSync, existsSync } from "node:fs";
import { DatabaseSync, type StatementSync } from "node:sqlite";

export type Db = DatabaseSync;

export function openStateDb(path: string): Db {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;");
  // The state dir is 700 already; the files are 600 as well (docs/security-model.md).
  for (const suffix of ["", "-wal", "-shm"]) if (existsSync(path + suffix)) chmodSync(path + suffix, 0o600);
  db.exec("CREATE TABLE IF NOT EXISTS migrations (module TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (module, version))");
  return db;
}

/** Run `fn` in one write transaction: all of it lands, or none of it. */
export function transaction<T>(db: Db, fn: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const out = fn();
    db.exec("COMMIT");
    return out;
  } catch (err) {
    db.exec("ROLLBACK");
    throw err;
  }
}

export function migrate(db: Db, module: string, steps: string[]): void {
  const done = new Set(
    (db.prepare("SELECT version FROM migrations WHERE module = ?").all(module) as Array<{ version: number }>).map((r) => r.version),
  );
  steps.forEach((sql, i) => {
    if (done.has(i + 1)) return;
    transaction(db, () => {
      db.exec(sql);
      db.prepare("INSERT INTO migrations (module, version) VALUES (?, ?)").run(module, i + 1);
    });
  });
}

/** A prepare-once cache: `sql(text)` compiles each statement the first time only (compiling per message is measurable). */
export function statementCache(db: Db): (text: string) => StatementSync {
  const statements = new Map<string, StatementSync>();
  return (text) => {
    let st = statements.get(text);
    if (!st) {
      st = db.prepare(text);
      statements.set(text, st);
    }
    return st;
  };
}
