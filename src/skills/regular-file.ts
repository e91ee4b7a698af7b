// Reading a file in a skill folder that someone else may be changing (docs/skills.md): the
// loader, the pin check and the scanner read through here.
import { closeSync, constants as FS, fstatSync, openSync, readFileSync, readSync } from "node:fs";

/**
 * A file's bytes (at most `max`: the first `max`), or undefined when the path is not a regular
 * file by the time it is opened. Skill folders in the workspace are the agent's: between an
 * lstat and a read it can swap a FIFO in (a blocking read would hang the gateway) or a link.
 * Opened without following a link and without blocking, then checked on the descriptor.
 */
export function readRegularFile(p: string, max?: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(p, FS.O_RDONLY | FS.O_NOFOLLOW | FS.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ELOOP") return undefined;
    throw err;
  }
  try {
    if (!fstatSync(fd).isFile()) return undefined;
    if (max === undefined) return readFileSync(fd);
    const buf = Buffer.alloc(max);
    const n = readSync(fd, buf, 0, max, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
