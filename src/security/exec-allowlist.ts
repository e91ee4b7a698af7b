// Allowlist entries and how one matches one simple command (docs/exec.md, "How a decision is
// reached"). The exec gate (src/security/exec-gate.ts) decides; this is its entry matcher.
//
// Entry semantics:
//   - `pattern`: a glob on the resolved absolute executable path. `*` matches within one
//     path component, `**` across components (`/usr/**` matches every program below
//     /usr; `**/` also matches zero directories), `?` one non-`/` character, `[…]` a
//     class (`[!…]`/`[^…]` negated), `\x` a literal x. A non-absolute pattern never
//     matches.
//   - `args` undefined: any arguments. Otherwise positional: args[i] is a glob on
//     argv[i+1] in which `*` matches any characters (including `/`) within that one
//     argument. A FINAL element exactly "**" matches any remaining arguments (zero or
//     more); every other element matches exactly one argument, so without a final "**"
//     the argument count must be equal. `[]` means "no arguments". (So the documented example
//     `args: ["*"]` means exactly one argument; use `["**"]` for "any".)
//   - Arguments the shell will pathname-expand (`ls *.txt`, Segment.globArgs) become an
//     unknown number of arguments: they match only under a final "**" (or `args`
//     undefined), never a positional element. `exactEntry` of such a segment therefore
//     does not match it again — it asks again rather than allowing more than was approved.
// Globs are our own tiny translation to RegExp (no braces, no extglob), not
// path.matchesGlob (experimental in Node 22, minimatch semantics that are harder to
// escape exactly).
import type { Segment } from "./exec-parse.js";

export interface AllowlistEntry {
  id: string;
  pattern: string;
  args?: string[];
  source: "manual" | "allow-always";
  createdAt: number;
  lastUsedAt?: number;
}

const GLOB_META = /[\\*?[\]{}]/g;

/** Escape glob metacharacters so the string matches only itself. */
export function escapeGlob(s: string): string {
  return s.replace(GLOB_META, (c) => "\\" + c);
}

const cache = { path: new Map<string, RegExp | null>(), arg: new Map<string, RegExp | null>() };

/**
 * Glob → anchored RegExp. mode "path": `*`/`?`/classes never match `/`, `**` does.
 * mode "arg": `*` and `**` match anything. Returns null for a malformed glob (matches nothing).
 */
export function globToRegExp(glob: string, mode: "path" | "arg"): RegExp | null {
  const hit = cache[mode].get(glob);
  if (hit !== undefined) return hit;
  const any = mode === "path" ? "[^/]" : "[\\s\\S]";
  let re = "";
  let ok = true;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "\\") {
      const next = glob[i + 1];
      if (next === undefined) {
        ok = false;
        break;
      }
      re += escapeRe(next);
      i++;
    } else if (c === "*") {
      if (glob[i + 1] === "*") {
        i++;
        if (mode === "path" && glob[i + 1] === "/") {
          re += "(?:[\\s\\S]*/)?";
          i++;
        } else re += "[\\s\\S]*";
      } else re += any + "*";
    } else if (c === "?") {
      re += any;
    } else if (c === "[") {
      const close = findClassEnd(glob, i);
      if (close < 0) {
        re += "\\[";
        continue;
      }
      let body = glob.slice(i + 1, close);
      let negate = false;
      if (body.startsWith("!") || body.startsWith("^")) {
        negate = true;
        body = body.slice(1);
      }
      let cls = "";
      for (let k = 0; k < body.length; k++) {
        const b = body[k]!;
        if (b === "\\" && k + 1 < body.length) {
          cls += escapeClass(body[++k]!);
        } else if (b === "-" && k > 0 && k < body.length - 1) {
          cls += "-";
        } else cls += escapeClass(b);
      }
      if (mode === "path") re += negate ? `[^/${cls}]` : `(?!/)[${cls}]`;
      else re += negate ? `[^${cls}]` : `[${cls}]`;
      i = close;
    } else {
      re += escapeRe(c);
    }
  }
  let out: RegExp | null = null;
  if (ok) {
    try {
      out = new RegExp("^" + re + "$", "u");
    } catch {
      out = null;
    }
  }
  cache[mode].set(glob, out);
  return out;
}

function findClassEnd(glob: string, open: number): number {
  let k = open + 1;
  if (glob[k] === "!" || glob[k] === "^") k++;
  if (glob[k] === "]") k++; // a leading ] is literal
  for (; k < glob.length; k++) {
    if (glob[k] === "\\") k++;
    else if (glob[k] === "]") return k;
  }
  return -1;
}

const escapeRe = (c: string) => c.replace(/[\\^$.*+?()[\]{}|/]/g, (m) => "\\" + m);
const escapeClass = (c: string) => c.replace(/[\\\]^[-]/g, (m) => "\\" + m);

const GLOB_CHARS = /[*?[\\]/;

export function globMatch(glob: string, value: string, mode: "path" | "arg"): boolean {
  // Most entries are literal paths and arguments: compare them as strings.
  if (!GLOB_CHARS.test(glob)) return glob === value;
  const re = globToRegExp(glob, mode);
  return re !== null && re.test(value);
}

/** Does one simple command match one entry (path glob + positional args)? */
export function matchSegment(seg: Pick<Segment, "argv" | "executable" | "globArgs">, entry: AllowlistEntry): boolean {
  if (typeof entry.pattern !== "string" || !entry.pattern.startsWith("/")) return false;
  if (!seg.executable.startsWith("/")) return false;
  if (!globMatch(entry.pattern, seg.executable, "path")) return false;
  if (entry.args === undefined) return true;
  if (!Array.isArray(entry.args)) return false;
  const args = seg.argv.slice(1);
  // docs/exec.md writes "any arguments" as ["*"]; a lone "*" therefore means the same as ["**"].
  const pats = entry.args.length === 1 && entry.args[0] === "*" ? ["**"] : entry.args;
  const rest = pats.length > 0 && pats[pats.length - 1] === "**";
  const fixed = rest ? pats.length - 1 : pats.length;
  if (rest ? args.length < fixed : args.length !== fixed) return false;
  // A globbing argument (argv index g) must sit under the trailing "**": args index g-1 >= fixed.
  for (const g of seg.globArgs ?? []) {
    if (!rest || g - 1 < fixed) return false;
  }
  for (let i = 0; i < fixed; i++) {
    if (typeof pats[i] !== "string" || !globMatch(pats[i]!, args[i]!, "arg")) return false;
  }
  return true;
}

/** The precise entry `allow-always` adds for a segment: this program, exactly these args. */
export function exactEntry(seg: Pick<Segment, "argv" | "executable">): Omit<AllowlistEntry, "id" | "createdAt" | "source"> {
  return { pattern: escapeGlob(seg.executable), args: seg.argv.slice(1).map(escapeGlob) };
}
