// The Debian packages some tests need besides npm's: bubblewrap (the exec sandbox),
// Chromium (the browser tool, the Control UI), tmux (a terminal for the TUI and the
// onboarding wizard) and podman (the container image). A test file asks with
//
//   const noTmux = await missing("tmux", import.meta.url);
//   describe.skipIf(noTmux)("…", () => { … });
//
// On a machine without the package the tests are skipped, and the run ends with ONE line
// naming what to install (test/helpers/system-deps-reporter.ts prints it). Where the
// packages must be there — `.ci/run` sets SIMPLECLAW_REQUIRE_SYSTEM_DEPS=1 — a missing one
// fails the test file instead of skipping it.
import { spawnSync } from "node:child_process";
import { accessSync, appendFileSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { bwrapAvailable } from "../../src/sandbox/bwrap.js";

export type SystemDep = "bubblewrap" | "chromium" | "tmux" | "podman";

/** What `apt-get install` needs for each (Debian package names). */
export const PACKAGES: Record<SystemDep, string[]> = {
  bubblewrap: ["bubblewrap"],
  chromium: ["chromium"],
  tmux: ["tmux"],
  // Rootful podman with the runc runtime (crun fails on hybrid cgroups), CNI networking
  // for published ports, and mmdebstrap for the locally made base images.
  podman: ["podman", "runc", "containernetworking-plugins", "iptables", "mmdebstrap", "podman-compose"],
};

/** Set by .ci/run: a missing package fails the tests that need it. */
export const REQUIRE_ENV = "SIMPLECLAW_REQUIRE_SYSTEM_DEPS";
/** A file the reporter reads at the end of the run (one JSON line per skip). */
export const RECORD_ENV = "SIMPLECLAW_SYSTEM_DEPS_RECORD";

export interface Probe {
  ok: boolean;
  /** Why not, in a few words. */
  reason?: string;
  /** The executable found (chromium). */
  path?: string;
}

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

function runs(file: string, args: string[]): boolean {
  const r = spawnSync(file, args, { stdio: "ignore", timeout: 10_000 });
  return r.status === 0;
}

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Chromium as the tests look for it: $CHROMIUM_PATH, then chromium / chromium-browser / google-chrome on PATH. */
export function findChromiumExecutable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CHROMIUM_PATH) return executable(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : undefined;
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    for (const name of ["chromium", "chromium-browser", "google-chrome"]) if (executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

const probes: Record<SystemDep, () => Promise<Probe>> = {
  // Not only installed: able to make a sandbox here (user namespaces allowed).
  bubblewrap: async () => {
    const s = await bwrapAvailable();
    return s.ok ? { ok: true } : { ok: false, reason: s.reason };
  },
  chromium: async () => {
    const path = findChromiumExecutable();
    return path ? { ok: true, path } : { ok: false, reason: "no chromium on PATH" };
  },
  tmux: async () => (runs("tmux", ["-V"]) ? { ok: true } : { ok: false, reason: "tmux is not installed" }),
  podman: async () => {
    if (process.getuid?.() !== 0) return { ok: false, reason: "the container test runs rootful podman and needs root" };
    const absent = ["podman", "runc", "mmdebstrap"].filter((c) => !runs(c, ["--version"]));
    return absent.length ? { ok: false, reason: `not installed: ${absent.join(", ")}` } : { ok: true };
  },
};

const cache = new Map<SystemDep, Promise<Probe>>();

/** Is `dep` usable here? Probed once per test file. */
export function systemDep(dep: SystemDep): Promise<Probe> {
  let p = cache.get(dep);
  if (!p) cache.set(dep, (p = probes[dep]()));
  return p;
}

/**
 * For `describe.skipIf` / `it.skipIf`: true when `dep` is missing here. The skip is recorded
 * for the end-of-run line. With SIMPLECLAW_REQUIRE_SYSTEM_DEPS=1 it throws instead, which
 * fails the test file (call it at the top level of the file).
 */
export async function missing(dep: SystemDep, testFileUrl: string): Promise<boolean> {
  const probe = await systemDep(dep);
  if (probe.ok) return false;
  const file = relative(REPO_ROOT, fileURLToPath(testFileUrl));
  if (process.env[REQUIRE_ENV] === "1") {
    throw new Error(
      `${file} needs ${dep} (${probe.reason}); ${REQUIRE_ENV}=1 makes that a failure, not a skip. Install: apt-get install ${PACKAGES[dep].join(" ")}`,
    );
  }
  const record = process.env[RECORD_ENV];
  if (record) appendFileSync(record, `${JSON.stringify({ dep, file, reason: probe.reason })}\n`);
  return true;
}
