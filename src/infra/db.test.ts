import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { openStateDb } from "./db.js";
import { UserError } from "./errors.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sc-db-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function openError(path: string): UserError {
  try {
    openStateDb(path).close();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return err as UserError;
  }
  throw new Error("openStateDb did not fail");
}

describe("openStateDb on a state.db it cannot use", () => {
  it("garbage bytes: names the file and says how to recover, and leaves the file alone", () => {
    const path = join(dir, "state.db");
    const junk = "not a database ".repeat(40);
    writeFileSync(path, junk);
    const e = openError(path);
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/damaged or not a SimpleClaw database; restore it from a backup, or move it aside/);
    expect(e.message).not.toMatch(/\n/);
    expect(readFileSync(path, "utf8")).toBe(junk); // not overwritten, not "repaired"
  });

  it("a folder in its place: names the file and says what it must be", () => {
    const path = join(dir, "state.db");
    mkdirSync(path);
    const e = openError(path);
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/regular file/);
  });

  it("locked by another process: says so instead of a bare 'database is locked'", () => {
    const path = join(dir, "state.db");
    const other = new DatabaseSync(path);
    other.exec("PRAGMA journal_mode = WAL; CREATE TABLE t (x); PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; INSERT INTO t VALUES (1)");
    try {
      const e = openError(path);
      expect(e.message).toContain(path);
      expect(e.message).toMatch(/another process holds it locked/);
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
  }, 15_000);

  it("positive control: a zero-length or missing state.db opens as a new, empty database", () => {
    writeFileSync(join(dir, "empty.db"), "");
    for (const name of ["empty.db", "missing.db"]) {
      const db = openStateDb(join(dir, name));
      expect(db.prepare("SELECT count(*) AS n FROM migrations").get()).toEqual({ n: 0 });
      db.close();
    }
  });
});
