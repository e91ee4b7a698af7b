// The filesystem as the exec gate sees it (docs/exec.md, "How a decision is reached"): the one
// impure piece of a decision. The gate (src/security/exec-gate.ts) is pure and gets this
// injected; tests inject a fake.
import { accessSync, constants as FS, lstatSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import type { Resolver } from "../security/exec-parse.js";

function executable(p: string): string | null {
  try {
    if (!statSync(p).isFile()) return null;
    accessSync(p, FS.X_OK);
    return realpathSync.native(p);
  } catch {
    return null;
  }
}

/**
 * Real path of `p`, following symlinks on the existing part; the rest appended lexically.
 * The kernel's resolution (realpathSync.native), never Node's JS one: that normalises `..`
 * lexically first, so `lnk/../x` with `lnk -> /a/b` came out inside the link's directory while
 * the shell writes /a/x.
 */
function realpath(p: string): string | null {
  const missing: string[] = [];
  let cur = p;
  for (;;) {
    try {
      lstatSync(cur);
      break;
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) return p;
      missing.unshift(path.basename(cur));
      cur = parent;
    }
  }
  try {
    return path.join(realpathSync.native(cur), ...missing);
  } catch {
    return null; // a dangling symlink or a loop
  }
}

/** An existing regular file with other hard links (lstat: a symlink itself is never one). */
function hardLinked(p: string): boolean {
  try {
    const st = lstatSync(p);
    return st.isFile() && st.nlink > 1;
  } catch {
    return false;
  }
}

export const fsResolver: Resolver = { executable, realpath, hardLinked };
