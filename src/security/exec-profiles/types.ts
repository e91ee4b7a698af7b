// What an exec profile is (docs/exec.md, "Profiles"): for one program known to be able to
// run code (other programs, scripts, or a shell) through its options or inputs, the
// decision whether one argument list stays inside the program's safe use. Pure.
import { getopt, type Grammar, type Opt } from "./getopt.js";

export interface ProfileContext {
  /**
   * Whether the program may write `path` (as written; relative to the command's cwd): inside the
   * confinement root and not a protected path (git metadata, security/fs-containment.ts).
   */
  confined(path: string): boolean;
}

export interface WrappedCommand {
  /** The command the wrapper runs (argv[0] is the program as the wrapper will look it up). */
  argv: string[];
  /** The wrapper appends arguments nobody can see now (xargs: from stdin). */
  extraArgs?: boolean;
  /** argv[0] is an applet of the same multi-call binary (busybox sed …), not a program on PATH. */
  applet?: boolean;
}

export type Verdict = { ok: true; inner?: WrappedCommand } | { ok: false; reason: string };

export type ProfileKind =
  /** Runs code through some options or operands; everything else is safe. */
  | "code"
  /** Runs its arguments as a command: gated by what it wraps. */
  | "wrapper"
  /** A shell, interpreter, editor or package runner: any real use runs code. */
  | "interpreter"
  /** Changes privileges or confinement: always a miss. */
  | "privileged";

export interface Profile {
  names: readonly string[];
  kind: ProfileKind;
  /** What the safe profile admits, in a few words (docs/exec.md lists these). */
  safe: string;
  check(args: readonly string[], ctx: ProfileContext, name: string): Verdict;
}

export const ok: Verdict = { ok: true };
export const miss = (reason: string): Verdict => ({ ok: false, reason });

export interface GnuSpec {
  names: readonly string[];
  kind?: ProfileKind;
  safe: string;
  grammar: Grammar;
  /** Canonical option name → why it runs code (or reads/sends/writes what it must not). */
  code?: Record<string, string>;
  /** Options whose value is a file the program writes: it must be inside the confinement root. */
  writes?: readonly string[];
  /** Extra checks on the parsed options and operands (scripts, programs, operand forms). */
  operands?: (p: { opts: Opt[]; operands: string[] }, ctx: ProfileContext, name: string) => Verdict;
}

/** A profile from a getopt grammar: unknown options and code options are a miss. */
export function gnuProfile(spec: GnuSpec): Profile {
  return {
    names: spec.names,
    kind: spec.kind ?? "code",
    safe: spec.safe,
    check(args, ctx, name) {
      const p = getopt(spec.grammar, args);
      if (!p.ok) return miss(`${name}: ${p.reason}`);
      for (const o of p.opts) {
        const why = spec.code && Object.hasOwn(spec.code, o.name) ? spec.code[o.name] : undefined;
        if (why) return miss(`${name} ${o.spelled}: ${why}`);
        if (spec.writes?.includes(o.name) && o.value !== undefined && o.value !== "-" && !ctx.confined(o.value)) {
          return miss(`${name} ${o.spelled}: writes a file outside the workspace`);
        }
      }
      return spec.operands ? spec.operands(p, ctx, name) : ok;
    },
  };
}

/** Only --version / --help (and the program's own info flags) without anything else. */
export function infoOnly(names: readonly string[], kind: ProfileKind, what: string, flags: readonly string[] = []): Profile {
  const allowed = new Set(["--version", "--help", ...flags]);
  return {
    names,
    kind,
    safe: `only ${[...allowed].join(", ")}`,
    check(args, _ctx, name) {
      if (args.length === 1 && allowed.has(args[0]!)) return ok;
      return miss(`${name} ${what}; its safe profile admits only ${[...allowed].join(" / ")}`);
    },
  };
}
