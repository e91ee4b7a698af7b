// The gateway's SQLite database (state.db, node:sqlite, WAL, mode 600). Each module
// that keeps state in it registers numbered migrations; they run once, in order,
// inside a transaction, tracked per module in the `migrations` table.
import { chmodSync, existsSync } from "node:fs";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { UserError, errorMessage } from "./errors.js";

export type Db = DatabaseSync;

/** SQLite primary result codes (sqlite3.h) that say what is wrong with the file itself. */
const SQLITE = { perm: 3, busy: 5, locked: 6, readonly: 8, ioerr: 10, corrupt: 11, full: 13, cantopen: 14, notadb: 26 } as const;

/**
 * One sentence for a state.db that cannot be opened: what is wrong and what to do. A
 * garbage, truncated or foreign file, a folder in its place, a lock held by another
 * process or a permission problem would otherwise end as SQLite's bare "file is not a
 * database" / "unable to open database file", naming neither the file nor a fix.
 */
export function stateDbOpenError(path: string, err: unknown): UserError {
  const code = ((err as { errcode?: number })?.errcode ?? -1) & 0xff;
  const why = errorMessage(err);
  let fix: string;
  if (code === SQLITE.busy || code === SQLITE.locked) {
    fix = "another process holds it locked; stop that process (another gateway?) and try again";
  } else if (code === SQLITE.perm || code === SQLITE.readonly) {
    fix = "check that you own it and can read and write it and its folder";
  } else if (code === SQLITE.full) {
    fix = "the disk is full; free some space and try again";
  } else if (code === SQLITE.notadb || code === SQLITE.corrupt) {
    fix = "it is damaged or not a SimpleClaw database; restore it from a backup, or move it aside to start with an empty one (sessions, cron jobs and paired devices are then gone)";
  } else {
    fix =
      "check that it is a regular file you can read and write (not a folder) and that its folder exists; move anything else aside to start with an empty one";
  }
  return new UserError(`cannot open the state database ${path} (${why}): ${fix}.`);
}

export function openStateDb(path: string): Db {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path);
    db.exec("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
    // The state dir is 700 already; the files are 600 as well (docs/security-model.md).
    for (const suffix of ["", "-wal", "-shm"]) if (existsSync(path + suffix)) chmodSync(path + suffix, 0o600);
    db.exec("CREATE TABLE IF NOT EXISTS migrations (module TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (module, version))");
    return db;
  } catch (err) {
    try {
      db?.close();
    } catch {
      // already closed or never opened
    }
    throw stateDbOpenError(path, err);
  }
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
