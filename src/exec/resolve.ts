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

/**
 * A resolver that remembers every question the gate asked and the answer it got, so a decision
 * that waited (for the owner's approval) can be checked against the filesystem as it is now:
 * `changed()` asks them all again and names the first path whose answer differs (a redirect
 * target swapped for a link, a program replaced or shadowed earlier in PATH), else null.
 */
export function recordingResolver(base: Resolver = fsResolver): { resolver: Resolver; changed(): string | null } {
  const seen: Array<{ q: keyof Resolver; p: string; a: string | boolean | null }> = [];
  const ask = <K extends keyof Resolver>(q: K, p: string): ReturnType<Resolver[K]> => {
    const a = base[q](p) as ReturnType<Resolver[K]>;
    seen.push({ q, p, a });
    return a;
  };
  return {
    resolver: { executable: (p) => ask("executable", p), realpath: (p) => ask("realpath", p), hardLinked: (p) => ask("hardLinked", p) },
    changed() {
      for (const { q, p, a } of seen) if (base[q](p) !== a) return p;
      return null;
    },
  };
}
