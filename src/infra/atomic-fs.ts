// Atomic file writes for every state file: write a temp file in the same folder,
// fsync it, rename over the target, fsync the folder. A crash at any point leaves
// either the old or the new content, never a torn file.
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync, chmodSync } from "node:fs";
import { dirname, basename, join } from "node:path";
import { randomBytes } from "node:crypto";

export function ensureDir(path: string, mode = 0o700): void {
  mkdirSync(path, { recursive: true, mode });
}

export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "wx", mode);
    const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    chmodSync(tmp, mode); // umask may have narrowed or widened the create mode
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  try {
    const dfd = openSync(dir, "r");
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Directory fsync is best effort (not supported on every filesystem).
  }
}

/**
 * The text of a state file, or undefined when it does not exist (ENOENT). Any other
 * failure — the state dir cannot be searched (EACCES), a path component is a file
 * (ENOTDIR), the file is a folder — is thrown: `existsSync` says "missing" for all of
 * them, which made commands act on defaults instead of the real file.
 */
export function readStateFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{12}\.tmp$/;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

/**
 * Removes temp files that writeFileAtomic left behind when its process was killed
 * mid-write (the target itself is always whole). Files of still-running processes stay.
 * Returns the names removed.
 */
export function sweepStaleTemps(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

const LOCK_WAIT_MS = 5000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs `fn` while holding `<path>.lock` (mode 600, holding our pid), so read-compare-write
 * sequences of different processes on one file do not interleave. The lock is born whole: the
 * pid is written to a private temp file that is then hard-linked to the lock name (link fails
 * when the name exists), so a process killed at any moment never leaves an empty lock behind.
 * A lock left by a process that no longer runs is taken over; one held by a live process is
 * waited for up to 5 s. When it stays held, `onBusy` throws.
 */
export function withFileLock<T>(path: string, fn: () => T, onBusy: (lock: string) => never): T {
  const lock = `${path}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  const tmp = join(dirname(lock), `.${basename(lock)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  for (;;) {
    const fd = openSync(tmp, "wx", 0o600);
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, lock);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      let holder = NaN;
      try {
        holder = Number.parseInt(readFileSync(lock, "utf8"), 10);
      } catch {
        // vanished or unreadable: try again
      }
      if (Number.isInteger(holder) && holder > 0 && !processAlive(holder)) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) onBusy(lock);
      Atomics.wait(sleeper, 0, 0, 20);
      continue;
    } finally {
      rmSync(tmp, { force: true });
    }
    try {
      return fn();
    } finally {
      rmSync(lock, { force: true });
    }
  }
}
