// The exec gate (docs/exec.md, "How a decision is reached"): the one decision whether a shell
// command line runs, asks the owner, or is denied. The exec tool, node `system.run`, the
// approvals flow and the audit all call it; nothing else decides. Pure: the filesystem is
// reached only through the injected resolver.
//
// Order: the effective policy (deny / ask always / full) → characters and cwd → the parsed
// command (src/security/exec-parse.ts: simple commands, resolved programs, confined redirects) →
// per simple command its real identity and profile (exec-profiles/), wrappers unwrapped
// recursively → the allowlist. What comes back is the decision, one sentence why, and the
// exact program line that will run (what is approved is byte-for-byte what runs).
import { posix } from "node:path";
import { analyzeCommand, resolveProgramName, MAX_COMMAND_LENGTH, type AnalyzeOptions, type Resolver } from "./exec-parse.js";
import { matchSegment, type AllowlistEntry } from "./exec-allowlist.js";
import type { ExecPolicy } from "./exec-policy.js";
import { identities, normalizeName, profileFor } from "./exec-profiles/index.js";
import type { Profile, ProfileContext, WrappedCommand } from "./exec-profiles/types.js";
import { HARMLESS_ENV } from "./exec-profiles/wrappers.js";
import { isInside, protectedWriteReason } from "./fs-containment.js";

export interface ExecCaller {
  /** Who asks: the agent's exec tool, or the gateway asking a node (system.run). */
  kind: "agent" | "node";
  agentId: string;
  sessionKey?: string;
  sandboxed: boolean;
  /** The request came from the owner (a chat owner or an operator client). */
  owner: boolean;
}

export interface ExecGateInput {
  command: string;
  caller: ExecCaller;
  policy: ExecPolicy;
  allowlist: readonly AllowlistEntry[];
  /** The PATH the command runs with (only absolute entries are searched). */
  PATH: string;
  /** Absolute, real working directory. */
  cwd: string;
  /** Confinement root for cwd and file redirections; null: no file redirections, cwd anywhere. */
  root: string | null;
  home?: string;
  /** Environment variables the caller adds (node system.run); any but harmless ones are a miss. */
  env?: Record<string, string>;
  resolver: Resolver;
}

export interface GateSegment {
  argv: string[];
  executable: string;
  /** The program's real identity (profile names), e.g. ["sed"] for /opt/homebrew/bin/gsed. */
  identity: string[];
  /** Source text of the simple command (for a wrapped command: its words). */
  text: string;
  /** Index of the wrapper segment that runs this one. */
  wrappedBy?: number;
  globArgs?: number[];
  /** The allowlist entry that admitted it. */
  entry?: AllowlistEntry;
}

export type GateDecision = "allow" | "ask" | "deny";

export interface ExecGateResult {
  decision: GateDecision;
  /** One sentence. */
  reason: string;
  /** Exactly what runs: `/bin/sh -c <command>` in `cwd`. */
  run: { file: "/bin/sh"; args: ["-c", string]; cwd: string };
  /** Every simple command, wrapped ones included (empty when the line could not be parsed). */
  segments: GateSegment[];
}

const MAX_WRAP_DEPTH = 8;
// C0/C1 controls (except tab and newline), DEL, and invisible format characters (zero-width,
// bidi overrides/isolates, BOM): they make what a person sees differ from what runs.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\p{Cf}]/u;

function hex(ch: string): string {
  return "U+" + ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
}

/** Glob metacharacters that are not escaped: such an entry argument is a pattern, not literal words. */
function literalArgs(e: AllowlistEntry): boolean {
  if (!Array.isArray(e.args)) return false;
  for (const a of e.args) {
    if (typeof a !== "string") return false;
    for (let i = 0; i < a.length; i++) {
      if (a[i] === "\\") i++;
      else if ("*?[".includes(a[i]!)) return false;
    }
  }
  return true;
}

class Miss extends Error {}

export function decideExecGate(input: ExecGateInput): ExecGateResult {
  const { command, policy } = input;
  const run = { file: "/bin/sh" as const, args: ["-c", command] as ["-c", string], cwd: input.cwd };
  const segments: GateSegment[] = [];
  const out = (decision: GateDecision, reason: string): ExecGateResult => ({ decision, reason, run, segments });

  if (policy.security === "deny") return out("deny", "exec is off: the effective tools.exec.security is deny.");
  const bad = CONTROL.exec(command);
  if (bad) return out("deny", `the command contains the invisible or control character ${hex(bad[0])}, so what is shown would not be what runs; it is refused.`);
  if (command.length > MAX_COMMAND_LENGTH) return out("deny", `the command is longer than ${MAX_COMMAND_LENGTH} characters.`);
  if (input.root !== null) {
    const root = input.resolver.realpath(input.root);
    if (root === null || !isInside(root, input.cwd)) return out("deny", `the working directory ${input.cwd} is outside the workspace ${input.root}.`);
  }

  const why = missReason(input, segments);
  if (policy.ask === "always") return out("ask", "every command needs approval (ask: always).");
  if (policy.security === "full") return out("allow", "security is full.");
  if (why === null) return out("allow", "every command matches the allowlist.");
  if (policy.ask === "off") return out("deny", `not allowed because ${why}, and ask is off.`);
  return out("ask", `needs approval because ${why}.`);
}

/** Glob characters: a written path containing one is a pattern, not a name (braces never get this far). */
const PATTERN = /[*?[]/;

/**
 * Programs that create or move directory entries that may be links: symbolic or hard links
 * (ln, link, cp -s/-l/-P/-a, patch's git symlink headers), links carried by archives and
 * repositories (tar, unzip, git, rsync, cpio), or a link moved to a new name (mv). Every write
 * check resolves paths as they are before the command line runs, so such a program in one part
 * of a line and a checked write in another (`ln -s ~/.bashrc out/x; echo … >> out/x`) is a miss.
 */
const LINK_MAKERS = new Set(["ln", "link", "cp", "mv", "tar", "bsdtar", "unzip", "git", "rsync", "patch", "cpio", "bsdcpio", "pax", "ditto", "7z", "7za", "7zz", "unsquashfs"]);

/** null when every simple command (wrapped ones included) is admitted; else why not. */
function missReason(input: ExecGateInput, segments: GateSegment[]): string | null {
  const opts: AnalyzeOptions = { PATH: input.PATH, cwd: input.cwd, workspace: input.root, resolver: input.resolver, ...(input.home ? { home: input.home } : {}) };
  const analysis = analyzeCommand(input.command, opts);
  if (!analysis.ok) return analysis.reason;
  const odd = Object.keys(input.env ?? {}).filter((k) => !HARMLESS_ENV.test(k));
  /** Top-level parts of the line that write checked paths, and that may create links. */
  const writers = new Set<number>();
  const linkers = new Map<number, string>();
  let current = 0;
  /** Written paths that name a workspace file but lead outside it (a link, a hard link): see admit. */
  const diverted: string[] = [];
  const ctx: ProfileContext = {
    confined(p) {
      writers.add(current);
      // A pattern (`.gi?/hooks`, `*`) names files nobody can see now: fail closed.
      if (input.root === null || PATTERN.test(p)) return false;
      const abs = p.startsWith("/") ? p : `${input.cwd}/${p}`;
      const real = input.resolver.realpath(abs);
      const root = input.resolver.realpath(input.root);
      // A file with other hard links may share its data with one outside: not confined.
      const ok = real !== null && root !== null && isInside(root, real) && protectedWriteReason(root, real) === null && !input.resolver.hardLinked(real);
      if (!ok && root !== null) {
        const named = posix.resolve(input.cwd, p);
        if (isInside(root, named) && protectedWriteReason(root, named) === null) diverted.push(p);
      }
      return ok;
    },
  };
  let first: string | null = null;
  for (const [i, seg] of analysis.segments.entries()) {
    current = i;
    if (seg.writesFile) writers.add(i);
    const start = segments.length;
    try {
      admit(input, opts, ctx, segments, { argv: seg.argv, executable: seg.executable, text: seg.text, ...(seg.globArgs ? { globArgs: seg.globArgs } : {}) }, 0, false, false, diverted);
    } catch (e) {
      if (!(e instanceof Miss)) throw e;
      first ??= e.message;
    }
    for (let k = start; k < segments.length; k++) {
      const maker = segments[k]!.identity.find((id) => LINK_MAKERS.has(id));
      if (maker !== undefined && !linkers.has(i)) linkers.set(i, maker);
    }
  }
  if (first !== null) return first;
  // A write is affected by a link maker that runs before it, or beside it in a pipeline.
  const parts = analysis.segments;
  for (const [l, name] of linkers) {
    for (const w of writers) {
      if (w > l || (w !== l && (parts[w]!.pipeline ?? 0) === (parts[l]!.pipeline ?? 0))) return `one part of the command (${name}) can create or move links and another part writes files, which are checked as they are before the line runs; run them as separate commands`;
    }
  }
  if (odd.length > 0) return `it sets environment variables that can change what runs (${odd.slice(0, 5).join(", ")})`;
  return null;
}

function admit(
  input: ExecGateInput,
  opts: AnalyzeOptions,
  ctx: ProfileContext,
  segments: GateSegment[],
  seg: { argv: string[]; executable: string; text: string; globArgs?: number[]; wrappedBy?: number },
  depth: number,
  extraArgs: boolean,
  applet: boolean,
  diverted: string[],
): void {
  if (depth > MAX_WRAP_DEPTH) throw new Miss(`wrappers are nested more than ${MAX_WRAP_DEPTH} deep`);
  const identity = applet ? [normalizeName(seg.argv[0]!) ?? seg.argv[0]!] : identities(seg.argv[0]!, seg.executable);
  const index = segments.length;
  const g: GateSegment = { ...seg, identity };
  segments.push(g);
  // Plain loops below, no closures: this runs for every simple command of every exec call.
  const profiles: Array<[string, Profile]> = [];
  for (const id of identity) {
    const p = profileFor(id);
    if (p !== undefined) profiles.push([id, p]);
  }
  const args = seg.argv.slice(1);
  for (const [id, p] of profiles) {
    if (p.kind === "privileged") {
      const v = p.check(args, ctx, id);
      throw new Miss(v.ok ? `${id} changes privileges` : v.reason);
    }
  }
  if (extraArgs && profiles.length > 0) {
    throw new Miss(`${identity[0]} would get arguments from stdin that its profile cannot check`);
  }
  let refused: string | undefined;
  let wrapperInner: WrappedCommand | undefined;
  let isWrapper = false;
  const divertedBefore = diverted.length;
  for (const [id, p] of profiles) {
    const v = p.check(args, ctx, id);
    if (!v.ok) refused ??= v.reason;
    else if (v.inner) wrapperInner ??= v.inner;
    if (p.kind === "wrapper") isWrapper = true;
  }

  const pathMatches: AllowlistEntry[] = [];
  for (const e of input.allowlist) if (matchSegment(seg, e) && !(extraArgs && literalArgs(e))) pathMatches.push(e);
  if (pathMatches.length === 0) {
    const label = `${seg.executable}${identity[0] && !seg.executable.endsWith("/" + identity[0]) ? ` (${identity[0]})` : ""}`;
    const miss = new Miss(`no allowlist entry matches ${label} in ${JSON.stringify(seg.text)}`);
    // Still a miss; the command it wraps is listed too, so allow-always approves the whole line
    // (otherwise it added the wrapper alone and the same line asked again).
    if (refused === undefined && wrapperInner) {
      try {
        admitWrapped(input, opts, ctx, segments, wrapperInner, seg.executable, index, depth, extraArgs, diverted);
      } catch (e) {
        if (!(e instanceof Miss)) throw e;
      }
    }
    throw miss;
  }
  // An entry with literal arguments is the owner's approval of exactly these words; any other
  // entry of a profiled program admits only the program's safe profile.
  let literal: AllowlistEntry | undefined;
  for (const e of pathMatches) if (literalArgs(e)) { literal = e; break; }
  if (refused !== undefined) {
    if (!literal || isWrapper) throw new Miss(`${refused} (an allowlist entry with open arguments admits only the safe profile)`);
    // Literal words approve what they name. A workspace path among them that a link (or a hard
    // link) now sends outside the workspace is not what the owner saw when approving them.
    if (diverted.length > divertedBefore) {
      throw new Miss(`${JSON.stringify(diverted[divertedBefore])} names a file in the workspace but now leads outside the workspace (a symbolic or hard link); the allowlist entry approved the words, not where a link sends them`);
    }
    g.entry = literal;
    return;
  }
  g.entry = literal ?? pathMatches[0]!;
  if (!wrapperInner) return;
  admitWrapped(input, opts, ctx, segments, wrapperInner, seg.executable, index, depth, extraArgs, diverted);
}

/** The command a wrapper runs (segment `index`), decided like any other. */
function admitWrapped(
  input: ExecGateInput,
  opts: AnalyzeOptions,
  ctx: ProfileContext,
  segments: GateSegment[],
  inner: WrappedCommand,
  wrapperExecutable: string,
  index: number,
  depth: number,
  extraArgs: boolean,
  diverted: string[],
): void {
  let executable: string;
  if (inner.applet) executable = wrapperExecutable;
  else {
    const r = resolveProgramName(inner.argv[0]!, opts);
    if (!r.ok) throw new Miss(`the command wrapped by ${segments[index]!.identity[0]}: ${r.reason}`);
    executable = r.executable;
  }
  admit(input, opts, ctx, segments, { argv: inner.argv, executable, text: inner.argv.join(" "), wrappedBy: index }, depth + 1, extraArgs || !!inner.extraArgs, !!inner.applet, diverted);
}

/**
 * What an allowlist entry admits, for the audit: "literal" (exact words), "interpreter" (a shell
 * or interpreter with open arguments), "unidentified" (open arguments for a pattern whose
 * program cannot be identified, so no profile narrows it), or "profiled"/"unprofiled".
 */
export function allowlistEntryScope(e: Pick<AllowlistEntry, "pattern" | "args">): "literal" | "interpreter" | "unidentified" | "profiled" | "unprofiled" {
  if (literalArgs({ id: "", source: "manual", createdAt: 0, ...e })) return "literal";
  const base = String(e.pattern).split("/").pop() ?? "";
  if (/[*?[\]\\]/.test(base) || base === "") return "unidentified";
  const id = normalizeName(base);
  const p = id ? profileFor(id) : undefined;
  if (!p) return "unprofiled";
  return p.kind === "interpreter" ? "interpreter" : "profiled";
}
