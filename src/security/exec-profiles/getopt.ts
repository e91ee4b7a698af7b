// Option grammar for exec profiles (docs/exec.md, "Profiles"): a GNU getopt_long reader, so
// a profile decides on the option a word really IS, not on how it is spelled. It knows
//   - long options, `--opt=v` and `--opt v`, and unambiguous abbreviations (`--expr=` is
//     `--expression`); an ambiguous or unknown abbreviation is an error, never a guess;
//   - clustered short options (`-nE`), attached values (`-fFILE`, `-e1p`), optional values
//     (only attached: `-i.bak`, `--in-place=.bak`);
//   - `--` ends options (option-like words after it are operands); `-` is an operand;
//   - GNU permutation (options after operands) unless `stopAtOperand` (POSIX / `+` optstrings,
//     and every wrapper: the first operand starts the wrapped command).
// Pure: words in, parsed options out.

/** 0 = no value, 1 = required value, 2 = optional value (attached only). */
export type ArgKind = 0 | 1 | 2;

export interface Grammar {
  /** getopt optstring without the leading `+`: `nrs e: f: i::` (blanks are ignored). */
  short?: string;
  /**
   * Long options: the value is either a short letter (an alias with that letter's value kind)
   * or the value kind of a long-only option.
   */
  long?: Record<string, string | ArgKind>;
  /** Options end at the first operand. */
  stopAtOperand?: boolean;
}

export interface Opt {
  /** Canonical name: the short letter for aliased options, else the long name. */
  name: string;
  value?: string;
  /** The word(s) as written, for reasons. */
  spelled: string;
}

export type Parsed = { ok: true; opts: Opt[]; operands: string[] } | { ok: false; reason: string };

interface Compiled {
  short: Map<string, ArgKind>;
  long: Map<string, { name: string; kind: ArgKind }>;
  longNames: string[];
  stopAtOperand: boolean;
}

// Compiled once per grammar object: grammars are module constants. A grammar literal built
// per call would be compiled on every call and keep a WeakMap entry alive until the next GC.
const compiled = new WeakMap<Grammar, Compiled>();

function compile(g: Grammar): Compiled {
  const hit = compiled.get(g);
  if (hit) return hit;
  const short = new Map<string, ArgKind>();
  const spec = (g.short ?? "").replace(/\s+/g, "");
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    let kind: ArgKind = 0;
    if (spec[i + 1] === ":") {
      kind = spec[i + 2] === ":" ? 2 : 1;
      i += kind === 2 ? 2 : 1;
    }
    short.set(c, kind);
  }
  const long = new Map<string, { name: string; kind: ArgKind }>();
  for (const [name, v] of Object.entries(g.long ?? {})) {
    if (typeof v === "string") {
      const kind = short.get(v);
      if (kind === undefined) throw new Error(`grammar: --${name} aliases unknown short option -${v}`);
      long.set(name, { name: v, kind });
    } else long.set(name, { name, kind: v });
  }
  const c: Compiled = { short, long, longNames: [...long.keys()], stopAtOperand: !!g.stopAtOperand };
  compiled.set(g, c);
  return c;
}

/** Resolve a long option name (possibly abbreviated) the way getopt_long does. */
export function resolveLong(g: Grammar, word: string): { name: string; kind: ArgKind; full: string } | { error: string } {
  const c = compile(g);
  const exact = c.long.get(word);
  if (exact) return { ...exact, full: word };
  const matches = c.longNames.filter((n) => n.startsWith(word));
  if (matches.length === 0) return { error: `--${word} is not an option it knows` };
  const targets = new Set(matches.map((n) => c.long.get(n)!.name));
  if (targets.size > 1) return { error: `--${word} is an ambiguous abbreviation (${matches.slice(0, 4).map((m) => `--${m}`).join(", ")})` };
  return { ...c.long.get(matches[0]!)!, full: matches[0]! };
}

export function getopt(g: Grammar, args: readonly string[]): Parsed {
  const c = compile(g);
  const opts: Opt[] = [];
  const operands: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      i++;
      break;
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const word = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const r = resolveLong(g, word);
      if ("error" in r) return { ok: false, reason: r.error };
      if (eq >= 0) {
        if (r.kind === 0) return { ok: false, reason: `--${r.full} takes no value` };
        opts.push({ name: r.name, value: a.slice(eq + 1), spelled: a });
      } else if (r.kind === 1) {
        if (i + 1 >= args.length) return { ok: false, reason: `--${r.full} needs a value` };
        opts.push({ name: r.name, value: args[i + 1]!, spelled: `${a} ${args[i + 1]}` });
        i++;
      } else opts.push({ name: r.name, spelled: a });
      continue;
    }
    if (a.startsWith("-") && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const ch = a[j]!;
        const kind = c.short.get(ch);
        if (kind === undefined) return { ok: false, reason: `-${ch} is not an option it knows` };
        if (kind === 0) {
          opts.push({ name: ch, spelled: `-${ch}` });
          continue;
        }
        const rest = a.slice(j + 1);
        if (rest !== "") opts.push({ name: ch, value: rest, spelled: a });
        else if (kind === 2) opts.push({ name: ch, spelled: `-${ch}` });
        else {
          if (i + 1 >= args.length) return { ok: false, reason: `-${ch} needs a value` };
          opts.push({ name: ch, value: args[i + 1]!, spelled: `-${ch} ${args[i + 1]}` });
          i++;
        }
        break;
      }
      continue;
    }
    operands.push(a);
    if (c.stopAtOperand) {
      i++;
      break;
    }
  }
  for (; i < args.length; i++) operands.push(args[i]!);
  return { ok: true, opts, operands };
}
