// The exec profile registry (docs/exec.md, "Profiles"): which program a resolved executable
// really is, and its profile. A program is known by its real identity: the basename of the
// resolved executable, with GNU/Homebrew `g` prefixes (gsed), version suffixes (python3.12,
// perl5.36), Debian alternatives suffixes (vim.basic, nc.openbsd, fakeroot-sysv) and
// multi-call binaries (busybox, toybox, setarch as linux32) normalised. Pure.
import path from "node:path";
import { FILE_PROFILES } from "./files.js";
import { INTERPRETER_PROFILES } from "./interpreters.js";
import { TOOL_PROFILES } from "./tools.js";
import type { Profile } from "./types.js";
import { WRAPPER_PROFILES } from "./wrappers.js";

export const PROFILES: readonly Profile[] = [...TOOL_PROFILES, ...FILE_PROFILES, ...WRAPPER_PROFILES, ...INTERPRETER_PROFILES];

const BY_NAME = new Map<string, Profile>();
for (const p of PROFILES) {
  for (const n of p.names) {
    if (BY_NAME.has(n)) throw new Error(`exec profiles: ${n} is listed twice`);
    BY_NAME.set(n, p);
  }
}

/** Binaries that act as whichever program they are invoked as (argv[0]). */
const MULTICALL = new Set(["busybox", "toybox", "coreutils", "setarch"]);

/** GNU tools Homebrew installs with a `g` prefix (gsed, gawk, gfind…): only these lose the g (gzip is not zip). */
const GNU_TOOLS = new Set(["sed", "awk", "find", "xargs", "tar", "sort", "split", "make", "diff", "diff3", "sdiff", "cmp", "timeout", "env", "nice", "nohup", "stdbuf", "time",
  "cp", "mv", "ln", "install", "rm", "rmdir", "unlink", "mkdir", "touch", "truncate", "shred", "tee", "chmod", "chown", "chgrp", "dd",
  "patch", "uniq", "shuf", "csplit"]);

/** Normalise one name to a profile name, if it names a profiled program. */
export function normalizeName(name: string): string | undefined {
  if (BY_NAME.has(name)) return name;
  if (NORMALIZED.has(name)) return NORMALIZED.get(name);
  const found = normalizeUncached(name);
  if (NORMALIZED.size >= 4096) NORMALIZED.clear();
  NORMALIZED.set(name, found);
  return found;
}
/** Names already normalised (bounded: cleared when full). */
const NORMALIZED = new Map<string, string | undefined>();

function normalizeUncached(name: string): string | undefined {
  const candidates: string[] = [];
  // A script installed under its program's name: npm -> npm/bin/npm-cli.js, vitest -> vitest.mjs.
  const noScript = name.replace(/\.(c|m)?js$|\.(py|rb|pl|sh)$/, "").replace(/-cli$/, "");
  const noSuffix = noScript.replace(/\.(basic|tiny|gtk3?|nox|athena|openbsd|traditional|nmap|bsd|real)$|-(sysv|tcp)$/, "");
  candidates.push(noSuffix);
  const noVersion = noSuffix.replace(/-?\d+(\.\d+)*[a-z]?$/, "");
  candidates.push(noVersion);
  for (const c of [noSuffix, noVersion]) if (c.startsWith("g") && GNU_TOOLS.has(c.slice(1))) candidates.push(c.slice(1));
  return candidates.find((c) => c !== "" && BY_NAME.has(c));
}

/**
 * The identities a command is known by: the resolved executable's (normalised) name, for a
 * multi-call binary the name it was invoked as, and a profiled name it was invoked by (npm is a
 * symlink to npm-cli.js: it is npm as well). Every identity's profile must agree.
 */
export function identities(typed: string, executable: string): string[] {
  const real = path.basename(executable);
  const asTyped = path.basename(typed);
  const out = new Set<string>();
  if (MULTICALL.has(real) || MULTICALL.has(normalizeName(real) ?? "")) {
    const n = normalizeName(asTyped);
    out.add(n ?? asTyped);
    // An applet without a profile is decided as the multi-call binary too (busybox has daemons
    // among its applets); coreutils' applets are the coreutils programs, decided by their own names.
    const binary = normalizeName(real) ?? real;
    if (asTyped === real || (n === undefined && binary !== "coreutils")) out.add(binary);
  } else {
    const r = normalizeName(real) ?? real;
    out.add(r);
    // More profiles only ever narrow: a link named like a profiled program is decided as that too.
    const n = normalizeName(asTyped);
    if (n !== undefined && BY_NAME.get(n) !== BY_NAME.get(r)) out.add(n);
  }
  return [...out];
}

export function profileFor(identity: string): Profile | undefined {
  return BY_NAME.get(identity);
}

export type { Profile };
