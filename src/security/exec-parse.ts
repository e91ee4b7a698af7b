// Exec command parsing (docs/exec.md, "How a decision is reached"): split a command line that
// will run as `/bin/sh -c <command>` into simple commands and resolve each one's program to an
// absolute real path, so the exec gate (src/security/exec-gate.ts) can decide every one of
// them. Pure: the filesystem is reached only through the injected `Resolver`.
//
// The rule is fail closed: whatever this analyzer cannot be sure about is `ok: false`
// (a miss, which asks or denies), never a guess. It is a careful lexer for the POSIX sh
// subset that needs no expansion, plus a refusal for everything else:
//   - supported: words with '…', "…" (with \ escapes), \ escapes, line continuations,
//     `#` comments, the separators `;` `&&` `||` `|` and newline, and a few redirections
//     (`2>&1`, `>/dev/null`, `<`/`>`/`>>` on plain literal paths inside the workspace);
//   - refused: every `$` expansion and backtick (also inside "…"), `(`/`)` (subshells,
//     process substitution, functions, bash `((`), `{ …; }` groups and brace expansion,
//     here-docs/strings, background `&`, bash-only operators (`|&`, `&>`, `;;`…), prefix
//     assignments, globs/tilde in the command word, control keywords, state-changing
//     builtins, control characters and non-ASCII punctuation/format characters
//     (look-alikes of operators and quotes, zero-width and bidi characters).
// What each program does with its arguments is the gate's business (exec-profiles/).
//
// Assumptions the caller must keep (the analysis is only as good as these):
//   - the shell gets the same PATH and cwd as `opts` (a relative/empty PATH entry before
//     the program's directory is not sure: the shell would search it), and a sanitized environment (no
//     BASH_ENV/ENV, no exported BASH_FUNC_*, no LD_PRELOAD/IFS/CDPATH/SHELLOPTS…);
//   - the analysis and the run see the same filesystem (run it inside the sandbox view
//     when the command runs there); a program allowlisted by path can still be replaced
//     between analysis and run by something that is not this command line.
//
// Globs in arguments (`ls *.txt`) are allowed here but reported in `Segment.globArgs`:
// the shell turns them into any number of arguments, so `allowlist.ts` only accepts them
// under a trailing "**" entry argument.
import path from "node:path";
import { isInside, protectedWriteReason } from "./fs-containment.js";

/** How the analysis sees the filesystem (src/exec/resolve.ts has the real one). */
export interface Resolver {
  /** Real path of `p` if it is an executable regular file, else null. */
  executable(p: string): string | null;
  /** Real path of `p`, symlinks on its existing part followed, the rest appended; null if that fails. */
  realpath(p: string): string | null;
  /**
   * True when `p` (a real path) is an existing regular file with more than one hard link: its
   * data may be a file outside the workspace too, so writing it is not confined.
   */
  hardLinked(p: string): boolean;
}

export interface Segment {
  /** Words after quote removal (and `~/` expansion when `home` is given); argv[0] as typed. */
  argv: string[];
  /** Absolute, realpath-resolved program the shell will run. */
  executable: string;
  /** Source text of this simple command (including its redirections). */
  text: string;
  /** Indices into argv (>= 1) of words the shell will pathname-expand (unquoted * ? [). */
  globArgs?: number[];
  /** The segment redirects output into a file (not /dev/null). */
  writesFile?: boolean;
  /** Segments joined by `|` share this number (they run at the same time); others run in order. */
  pipeline?: number;
}

export type Analysis = { ok: true; segments: Segment[] } | { ok: false; reason: string };

export interface AnalyzeOptions {
  /** The PATH the shell will use; only absolute entries are searched. */
  PATH: string;
  /** Absolute working directory the command runs in. */
  cwd: string;
  /** Confinement root; redirections may only touch files inside it. null: no file redirections. */
  workspace: string | null;
  resolver: Resolver;
  /** Home directory for `~/…` in arguments; without it `~` is not sure. */
  home?: string;
}

/** Longer inputs are not analyzed at all (a miss). */
export const MAX_COMMAND_LENGTH = 64 * 1024;

/** Shell reserved words (POSIX + bash/ksh/zsh). In command position: a miss. */
const KEYWORDS = new Set([
  "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac",
  "in", "function", "select", "!", "{", "}", "[[", "]]", "coproc", "time", "repeat", "foreach", "end",
]);

/** Builtins that exist as a real program too; resolved on PATH like any other command. */
const PATH_RESOLVED_BUILTINS = new Set(["echo", "printf", "true", "false", "test", "[", "pwd", "kill"]);

/** Shell builtins (dash + bash). Not in PATH_RESOLVED_BUILTINS → a miss. */
const BUILTINS = new Set([
  ".", ":", "alias", "bg", "bind", "break", "builtin", "caller", "cd", "chdir", "command", "compgen",
  "complete", "compopt", "continue", "declare", "dirs", "disown", "enable", "eval", "exec", "exit",
  "export", "fc", "fg", "getopts", "hash", "help", "history", "jobs", "let", "local", "logout",
  "mapfile", "popd", "pushd", "read", "readarray", "readonly", "return", "set", "shift", "shopt",
  "source", "suspend", "times", "trap", "type", "typeset", "ulimit", "umask", "unalias", "unset",
  "wait", "autoload", "bindkey", "emulate", "setopt", "unsetopt", "zmodload", "noglob", "nocorrect",
]);

// ---------------------------------------------------------------------------------------
// Lexer

interface WordToken {
  kind: "word";
  /** Value after quote removal. */
  value: string;
  /**
   * Which UTF-16 code units of `value` came from unquoted, unescaped source text: 1 = all of
   * them, 0 = none, else one byte per code unit (1 = unquoted). Ask with `unquotedAt`.
   */
  unq: 0 | 1 | Uint8Array;
  /** Source text of the word, quotes and escapes included. */
  raw: string;
  /** Digits directly followed by < or > (an IO number). */
  io: boolean;
  start: number;
  end: number;
}
interface OpToken {
  kind: "op";
  op: string;
  start: number;
  end: number;
}
type Token = WordToken | OpToken;

class NotSure extends Error {}
function notSure(reason: string): never {
  throw new NotSure(reason);
}

/** Longest first. Only `;` `&&` `||` `|` newline `<` `>` `>>` `>&` are accepted later. */
const OPERATORS = ["<<<", "<<-", "&>>", ";;&", "&&", "||", ";;", ";&", "|&", "&>", ">>", "<<", "<>", ">|", ">&", "<&", ";", "&", "|", "<", ">", "(", ")"];
const OP_START = new Set([";", "&", "|", "<", ">", "(", ")"]);
const isBlank = (c: string) => c === " " || c === "\t";
const isMeta = (c: string) => isBlank(c) || c === "\n" || OP_START.has(c);
/** Characters that end a plain run inside a word, and inside double quotes. */
const WORD_SPECIAL = new Set(["\\", "'", '"', "$", "`"]);
const DQ_SPECIAL = new Set(['"', "$", "`", "\\"]);

/** Characters rejected anywhere: controls, and non-ASCII that is not a letter or digit. */
export function characterProblem(s: string): string | null {
  try {
    checkCharacters(s);
    return null;
  } catch (e) {
    if (e instanceof NotSure) return e.message;
    throw e;
  }
}

function checkCharacters(s: string): void {
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0) notSure("the command contains a NUL byte");
    if ((cp < 0x20 && ch !== "\n" && ch !== "\t") || cp === 0x7f || (cp >= 0x80 && cp < 0xa0)) {
      notSure(`the command contains control character U+${hex(cp)}`);
    }
    if (cp >= 0x80 && !/^[\p{L}\p{N}]$/u.test(ch)) {
      notSure(`the command contains U+${hex(cp)}, which is not a letter or digit (look-alike, invisible or bidi character)`);
    }
  }
}
const hex = (cp: number) => cp.toString(16).toUpperCase().padStart(4, "0");

/** Scratch for one word's quoting while lexing (a word is never longer than the command). */
const QUOTING = new Uint8Array(MAX_COMMAND_LENGTH);
function quotingOf(len: number): 0 | 1 | Uint8Array {
  if (len === 0) return 1;
  const first = QUOTING[0]!;
  for (let k = 1; k < len; k++) if (QUOTING[k] !== first) return QUOTING.slice(0, len);
  return first === 1 ? 1 : 0;
}
const unquotedAt = (w: WordToken, i: number): boolean => (w.unq === 1 ? i < w.value.length : w.unq === 0 ? false : w.unq[i] === 1);

function lex(s: string): Token[] {
  const tokens: Token[] = [];
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s[i]!;
    if (isBlank(c)) {
      i++;
      continue;
    }
    if (c === "\\" && s[i + 1] === "\n") {
      i += 2;
      continue;
    }
    if (c === "\n") {
      tokens.push({ kind: "op", op: "\n", start: i, end: i + 1 });
      i++;
      continue;
    }
    if (c === "#") {
      while (i < n && s[i] !== "\n") i++;
      continue;
    }
    if (OP_START.has(c)) {
      const op = OPERATORS.find((o) => s.startsWith(o, i))!;
      tokens.push({ kind: "op", op, start: i, end: i + op.length });
      i += op.length;
      continue;
    }
    // A word: runs until an unquoted blank, newline or operator character. `unq` has one entry
    // per UTF-16 code unit of `value`; plain runs are copied as slices (no per-character strings).
    const start = i;
    let value = "";
    let len = 0; // code units in value; their quoting goes to QUOTING[0..len)
    while (i < n && !isMeta(s[i]!)) {
      const ch = s[i]!;
      if (ch === "\\") {
        if (s[i + 1] === "\n") {
          i += 2;
        } else if (i + 1 < n) {
          value += s[i + 1]!;
          QUOTING[len++] = 0;
          i += 2;
        } else {
          notSure("the command ends with a lone backslash");
        }
      } else if (ch === "'") {
        const close = s.indexOf("'", i + 1);
        if (close < 0) notSure("the command has an unterminated single quote");
        value += s.slice(i + 1, close);
        QUOTING.fill(0, len, len + close - i - 1);
        len += close - i - 1;
        i = close + 1;
      } else if (ch === '"') {
        i++;
        for (;;) {
          if (i >= n) notSure("the command has an unterminated double quote");
          const d = s[i]!;
          if (d === '"') {
            i++;
            break;
          }
          if (d === "$") notSure("the command uses $ expansion inside double quotes, whose value is unknown");
          if (d === "`") notSure("the command uses backtick command substitution");
          if (d === "\\") {
            const e = s[i + 1];
            if (e === "\n") {
              i += 2;
              continue;
            }
            if (e === "$" || e === "`" || e === '"' || e === "\\") {
              value += e;
              QUOTING[len++] = 0;
              i += 2;
              continue;
            }
            value += "\\";
            QUOTING[len++] = 0;
            i++;
            continue;
          }
          let j = i + 1;
          while (j < n && !DQ_SPECIAL.has(s[j]!)) j++;
          value += s.slice(i, j);
          QUOTING.fill(0, len, len + j - i);
          len += j - i;
          i = j;
        }
      } else if (ch === "$") {
        notSure("the command uses $ expansion (variable, command substitution or arithmetic), whose value is unknown");
      } else if (ch === "`") {
        notSure("the command uses backtick command substitution");
      } else {
        let j = i + 1;
        while (j < n && !isMeta(s[j]!) && !WORD_SPECIAL.has(s[j]!)) j++;
        value += s.slice(i, j);
        QUOTING.fill(1, len, len + j - i);
        len += j - i;
        i = j;
      }
    }
    // An IO number is a word that is solely digits in the source (`''2>x` is not one).
    const raw = s.slice(start, i);
    const io = /^[0-9]+$/.test(raw) && (s[i] === "<" || s[i] === ">");
    const unq = quotingOf(len);
    tokens.push({ kind: "word", value, unq, raw, io, start, end: i });
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------
// Parser: simple commands separated by ; && || | newline

interface Redirect {
  fd: string; // "" when no IO number
  op: string;
  target: WordToken;
}
interface SimpleCommand {
  words: WordToken[];
  redirects: Redirect[];
  start: number;
  end: number;
  /** Commands joined by `|` share a number: they run at the same time. */
  pipeline?: number;
}

const REFUSED_OPS: Record<string, string> = {
  "&": "the command starts a background job (&), which outlives the call",
  "&>": "the command uses &> (a redirection in bash, a background job in dash)",
  "&>>": "the command uses &>> (a redirection in bash, a background job in dash)",
  "|&": "the command uses |& (bash-only stderr pipe)",
  ";;": "the command uses ;; (case syntax)",
  ";&": "the command uses ;& (case syntax)",
  ";;&": "the command uses ;;& (case syntax)",
  "(": "the command uses ( … ) (subshell, process substitution or function definition)",
  ")": "the command uses ( … ) (subshell, process substitution or function definition)",
  "<<": "the command uses a here-document (<<)",
  "<<-": "the command uses a here-document (<<-)",
  "<<<": "the command uses a here-string (<<<)",
  "<>": "the command uses a read-write redirection (<>)",
  ">|": "the command uses a clobbering redirection (>|)",
  "<&": "the command duplicates an input file descriptor (<&)",
};
const REDIRECT_OPS = new Set(["<", ">", ">>", ">&"]);
const SEPARATORS = new Set([";", "\n", "&&", "||", "|"]);

function parse(tokens: Token[]): SimpleCommand[] {
  const commands: SimpleCommand[] = [];
  let cur: SimpleCommand | null = null;
  // After && || | a command must follow (newlines may come in between).
  let needCommand = false;
  let pipeline = 0;
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t]!;
    if (tok.kind === "op") {
      if (REFUSED_OPS[tok.op]) notSure(REFUSED_OPS[tok.op]!);
      if (REDIRECT_OPS.has(tok.op)) {
        const target = tokens[t + 1];
        if (target && target.kind === "op" && REFUSED_OPS[target.op]) notSure(REFUSED_OPS[target.op]!);
        if (!target || target.kind !== "word") notSure(`the redirection ${tok.op} has no target`);
        const prev = tokens[t - 1];
        const fdTok = prev && prev.kind === "word" && prev.io && prev.end === tok.start ? prev : undefined;
        const fd = fdTok ? fdTok.value : "";
        cur ??= { words: [], redirects: [], start: fdTok ? fdTok.start : tok.start, end: tok.end };
        cur.redirects.push({ fd, op: tok.op, target: target as WordToken });
        cur.end = (target as WordToken).end;
        t++;
        continue;
      }
      if (!SEPARATORS.has(tok.op)) notSure(`the command uses an unsupported operator ${JSON.stringify(tok.op)}`);
      if (tok.op === "\n" && !cur) continue; // blank line, or a line break after && || |
      if (!cur) notSure(`the command has ${JSON.stringify(tok.op)} without a command before it`);
      cur.pipeline = pipeline;
      if (tok.op !== "|") pipeline++;
      commands.push(cur);
      cur = null;
      needCommand = tok.op === "&&" || tok.op === "||" || tok.op === "|";
      continue;
    }
    if (tok.io) continue; // consumed as the fd of the following redirection
    cur ??= { words: [], redirects: [], start: tok.start, end: tok.end };
    cur.words.push(tok);
    cur.end = tok.end;
    needCommand = false;
  }
  if (cur) {
    cur.pipeline = pipeline;
    commands.push(cur);
  } else if (needCommand) notSure("the command ends with an operator that needs another command");
  if (commands.length === 0) notSure("the command is empty");
  return commands;
}

// ---------------------------------------------------------------------------------------
// Per simple command checks

const GLOB_CHARS = new Set(["*", "?", "["]);
function hasUnquoted(w: WordToken, pred: (c: string, i: number, value: string) => boolean): boolean {
  const v = w.value;
  if (w.unq === 0) return false;
  for (let i = 0; i < v.length; i++) if (unquotedAt(w, i) && pred(v[i]!, i, v)) return true;
  return false;
}

/** Brace expansion (bash/zsh): any unquoted { or }, except the literal word `{}`. */
// The predicates are module constants: a closure per call would allocate per word.
const isGlobChar = (c: string) => GLOB_CHARS.has(c);
const isBraceChar = (c: string) => c === "{" || c === "}";
const isTilde = (c: string) => c === "~";
const isGlobOrTilde = (c: string) => GLOB_CHARS.has(c) || c === "~";
/** A ~ after = or : (assignment-like words, PATH-like lists): some shells expand it. */
const isInnerTilde = (c: string, i: number, v: string) => c === "~" && i > 0 && (v[i - 1] === "=" || v[i - 1] === ":");
const hasBrace = (w: WordToken) => !(w.value === "{}" && w.unq === 1) && hasUnquoted(w, isBraceChar);

function checkRedirect(r: Redirect, opts: AnalyzeOptions): string /* resolved target */ | null {
  const t = r.target;
  const fdText = r.fd === "" ? "" : r.fd;
  const label = `${fdText}${r.op}${t.value}`;
  if (r.op === ">&") {
    if ((r.fd === "" || r.fd === "1" || r.fd === "2") && (t.value === "1" || t.value === "2") && t.unq === 1) return null;
    notSure(`the redirection ${label} is not one of 2>&1 / >&2`);
  }
  if (r.op === "<" ? !(r.fd === "" || r.fd === "0") : !(r.fd === "" || r.fd === "1" || r.fd === "2")) {
    notSure(`the redirection ${label} uses file descriptor ${r.fd}`);
  }
  if (t.value === "") notSure("a redirection has an empty target");
  if (hasUnquoted(t, isGlobOrTilde) || hasBrace(t)) {
    notSure(`the redirection target ${JSON.stringify(t.value)} is not a plain literal path`);
  }
  if (t.value === "/dev/null") return null;
  if (opts.workspace === null) notSure(`the redirection ${label} writes a file, and no workspace is configured for redirections`);
  const resolved = path.resolve(opts.cwd, t.value);
  const ws = path.resolve(opts.workspace!);
  // A redirection writes a file below the workspace (the workspace directory itself is no file).
  if (!isInside(ws, resolved) || resolved === ws) notSure(`the redirection ${label} touches a file outside the workspace`);
  const wsReal = opts.resolver.realpath(ws);
  // The kernel resolves `..` after symlinks (`lnk/../x` with lnk -> /a/b is /a/x): resolve the
  // path as written, not the lexically normalised one.
  const real = opts.resolver.realpath(path.isAbsolute(t.value) ? t.value : `${opts.cwd}/${t.value}`);
  if (wsReal === null || real === null) return notSure(`the redirection target ${JSON.stringify(t.value)} cannot be resolved`);
  if (!isInside(wsReal, real!) || real === wsReal) notSure(`the redirection ${label} leads outside the workspace through a symlink`);
  const protectedWhy = protectedWriteReason(wsReal, real!);
  if (protectedWhy) notSure(`the redirection ${label} writes a file that ${protectedWhy}`);
  if (opts.resolver.hardLinked(real!)) notSure(`the redirection ${label} writes a file with other hard links, which may be outside the workspace`);
  return real;
}

/** PATH split into entries, absolute ones normalised (no trailing slash); the last PATH is kept. */
let lastPath: { PATH: string; dirs: string[] } | null = null;
function pathDirs(PATH: string): string[] {
  if (lastPath?.PATH !== PATH) {
    lastPath = { PATH, dirs: PATH.split(":").map((d) => (d !== "" && path.isAbsolute(d) ? path.normalize(d).replace(/(?<=.)\/$/, "") : d)) };
  }
  return lastPath.dirs;
}

/** The absolute real path the shell (or a wrapper's execvp) runs for `name`; throws NotSure. */
function resolveProgram(name: string, opts: AnalyzeOptions): string {
  if (name.includes("/")) {
    const real = opts.resolver.executable(path.isAbsolute(name) ? name : `${opts.cwd}/${name}`);
    if (real === null) notSure(`${name} is not an executable file`);
    return real!;
  }
  for (const dir of pathDirs(opts.PATH)) {
    // The shell WOULD search "" / relative entries (relative to cwd, whatever is there when
    // it runs); they are never used to resolve, and one before the hit makes it not sure.
    if (dir === "" || !path.isAbsolute(dir)) {
      notSure(`PATH has a relative entry ${JSON.stringify(dir)} before the one that holds ${name}`);
    }
    const real = opts.resolver.executable(dir === "/" ? dir + name : dir + "/" + name);
    if (real !== null) return real;
  }
  return notSure(`cannot find ${name} on PATH`);
}

/** Resolve a program named by a wrapper (nice NAME …): the same PATH rules as the shell's. */
export function resolveProgramName(name: string, opts: AnalyzeOptions): { ok: true; executable: string } | { ok: false; reason: string } {
  try {
    if (name === "" || /[^\x21-\x7e]/.test(name)) notSure(`the wrapped command name ${JSON.stringify(name)} is empty or has unusual characters`);
    return { ok: true, executable: resolveProgram(name, opts) };
  } catch (e) {
    if (e instanceof NotSure) return { ok: false, reason: e.message };
    throw e;
  }
}


function analyzeSimple(cmd: SimpleCommand, source: string, opts: AnalyzeOptions, writes: string[]): Segment {
  let writesFile = false;
  for (const r of cmd.redirects) {
    const target = checkRedirect(r, opts);
    if (target) {
      writes.push(target);
      if (r.op !== "<") writesFile = true;
    }
  }
  const text = source.slice(cmd.start, cmd.end).trim();
  const first = cmd.words[0];
  if (!first) notSure("a redirection without a command is not supported");
  const name = first!.value;
  if (name === "") notSure("the command name is empty");
  if (KEYWORDS.has(name)) notSure(`${name} is shell syntax (keyword), which is not analyzed`);
  if (/^[A-Za-z_][A-Za-z0-9_]*\+?=/.test(name) && unquotedAt(first!, name.indexOf("="))) {
    notSure("the command sets a variable before the program (prefix assignment)");
  }
  if (BUILTINS.has(name) && !PATH_RESOLVED_BUILTINS.has(name)) notSure(`${name} is a shell builtin that is not analyzed`);
  if (/[^\x21-\x7e]/.test(name)) notSure(`the command name ${JSON.stringify(name)} has unusual characters`);
  if (name !== "[" && hasUnquoted(first!, isGlobChar)) notSure("the command name contains a glob pattern");
  if (hasUnquoted(first!, isTilde)) notSure("the command name starts with ~ (tilde expansion)");
  if (hasBrace(first!)) notSure("the command name contains brace expansion");

  const argv = [name];
  const globArgs: number[] = [];
  for (let k = 1; k < cmd.words.length; k++) {
    const w = cmd.words[k]!;
    let value = w.value;
    if (hasBrace(w)) notSure(`the argument ${JSON.stringify(w.value)} may be brace-expanded`);
    // tilde: only a leading unquoted `~` or `~/…` (expanded with home); `~user` and ~ after = or : are not sure
    // sh expands ~ only when the word's source starts with it: `''~` and `\<newline>~` differ
    // between shells, so an unquoted ~ first in the value but not in the source is not sure.
    if (unquotedAt(w, 0) && value.startsWith("~") && !w.raw.startsWith("~")) notSure(`the argument ${JSON.stringify(w.raw)} has an ambiguous ~`);
    if (w.raw.startsWith("~")) {
      if (!(w.raw === "~" || w.raw.startsWith("~/"))) notSure(`the argument ${JSON.stringify(w.raw)} uses ~user or a quoted tilde prefix`);
      if (!opts.home) notSure(`the argument ${JSON.stringify(w.raw)} uses ~ expansion and no home directory is known`);
      value = opts.home! + value.slice(1);
    }
    if (hasUnquoted(w, isInnerTilde)) {
      notSure(`the argument ${JSON.stringify(w.value)} may be tilde-expanded after = or :`);
    }
    if (hasUnquoted(w, isGlobChar)) globArgs.push(k);
    argv.push(value);
  }

  const executable = resolveProgram(name, opts);
  const seg: Segment = { argv, executable, text, pipeline: cmd.pipeline ?? 0 };
  if (globArgs.length > 0) seg.globArgs = globArgs;
  if (writesFile) seg.writesFile = true;
  return seg;
}

/** Decide what `/bin/sh -c command` would run; anything uncertain is `ok: false`. */
export function analyzeCommand(command: string, opts: AnalyzeOptions): Analysis {
  try {
    if (typeof command !== "string") notSure("the command is not a string");
    if (command.length > MAX_COMMAND_LENGTH) notSure(`the command is longer than ${MAX_COMMAND_LENGTH} characters`);
    if (!path.isAbsolute(opts.cwd) || (opts.workspace !== null && !path.isAbsolute(opts.workspace))) notSure("cwd and workspace must be absolute paths");
    checkCharacters(command);
    const commands = parse(lex(command));
    const writes: string[] = [];
    const segments = commands.map((c) => analyzeSimple(c, command, opts, writes));
    // A line that writes a file and then runs it (cat x > ./tool; ./tool) is not sure.
    for (const seg of segments) {
      if (writes.includes(seg.executable)) notSure(`the command writes ${seg.executable} and runs it`);
    }
    return { ok: true, segments };
  } catch (e) {
    if (e instanceof NotSure) return { ok: false, reason: e.message };
    return { ok: false, reason: `the command could not be analyzed (${e instanceof Error ? e.message : String(e)})` };
  }
}
