// Exec approvals, the analysis half (docs/exec.md): split a command line that will run as
// `/bin/sh -c <command>` into simple commands and resolve each one's program to an
// absolute real path, so `allowlist.ts` can match every one of them.
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
//     builtins, programs that run other programs (RUNS_OTHER_PROGRAMS), inline code for
//     interpreters, control characters and non-ASCII punctuation/format characters
//     (look-alikes of operators and quotes, zero-width and bidi characters).
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
import { accessSync, constants as FS, lstatSync, realpathSync, statSync } from "node:fs";
import path from "node:path";

export interface Segment {
  /** Words after quote removal (and `~/` expansion when `home` is given); argv[0] as typed. */
  argv: string[];
  /** Absolute, realpath-resolved program the shell will run. */
  executable: string;
  /** Source text of this simple command (including its redirections). */
  text: string;
  /** Indices into argv (>= 1) of words the shell will pathname-expand (unquoted * ? [). */
  globArgs?: number[];
}

export type Analysis = { ok: true; segments: Segment[] } | { ok: false; reason: string };

export interface AnalyzeOptions {
  /** The PATH the shell will use; only absolute entries are searched. */
  PATH: string;
  /** Absolute working directory the command runs in. */
  cwd: string;
  /** Workspace root; redirections may only touch files inside it. */
  workspace: string;
  /** Home directory for `~/…` in arguments; without it `~` is not sure. */
  home?: string;
}

/** Longer inputs are not analyzed at all (a miss). */
export const MAX_COMMAND_LENGTH = 64 * 1024;

/** Programs that run another program (named in their arguments, stdin or config). Always a miss. */
export const RUNS_OTHER_PROGRAMS: Readonly<Record<string, string>> = {
  env: "env runs another program",
  xargs: "xargs runs another program",
  sudo: "sudo runs another program with other privileges",
  su: "su runs a shell as another user",
  doas: "doas runs another program with other privileges",
  pkexec: "pkexec runs another program with other privileges",
  runuser: "runuser runs another program as another user",
  setpriv: "setpriv runs another program",
  nohup: "nohup runs another program",
  timeout: "timeout runs another program",
  nice: "nice runs another program",
  ionice: "ionice runs another program",
  chrt: "chrt runs another program",
  taskset: "taskset runs another program",
  stdbuf: "stdbuf runs another program",
  setsid: "setsid runs another program",
  chroot: "chroot runs another program",
  unshare: "unshare runs another program",
  nsenter: "nsenter runs another program",
  flock: "flock runs another program",
  firejail: "firejail runs another program",
  bwrap: "bwrap runs another program",
  "systemd-run": "systemd-run runs another program",
  busybox: "busybox runs any of its applets",
  toybox: "toybox runs any of its applets",
  watch: "watch runs another program",
  script: "script runs another program",
  ssh: "ssh runs programs on another host",
  time: "time runs another program",
  strace: "strace runs another program",
  ltrace: "ltrace runs another program",
  gdb: "gdb runs another program",
  valgrind: "valgrind runs another program",
  at: "at schedules another program",
  batch: "batch schedules another program",
  parallel: "parallel runs other programs",
  entr: "entr runs another program",
  expect: "expect runs other programs",
  npx: "npx runs an arbitrary package",
  pnpx: "pnpx runs an arbitrary package",
  bunx: "bunx runs an arbitrary package",
  uvx: "uvx runs an arbitrary package",
};

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
  /** Per character of `value`: true if it came from unquoted, unescaped source text. */
  unq: boolean[];
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

/** Characters rejected anywhere: controls, and non-ASCII that is not a letter or digit. */
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
    // A word: runs until an unquoted blank, newline or operator character.
    const start = i;
    let value = "";
    const unq: boolean[] = [];
    const add = (ch: string, unquoted: boolean) => {
      value += ch;
      unq.push(unquoted);
    };
    while (i < n && !isMeta(s[i]!)) {
      const ch = s[i]!;
      if (ch === "\\") {
        if (s[i + 1] === "\n") {
          i += 2;
        } else if (i + 1 < n) {
          add(s[i + 1]!, false);
          i += 2;
        } else {
          notSure("the command ends with a lone backslash");
        }
      } else if (ch === "'") {
        const close = s.indexOf("'", i + 1);
        if (close < 0) notSure("the command has an unterminated single quote");
        for (const q of s.slice(i + 1, close)) add(q, false);
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
              add(e, false);
              i += 2;
              continue;
            }
            add("\\", false);
            i++;
            continue;
          }
          add(d, false);
          i++;
        }
      } else if (ch === "$") {
        notSure("the command uses $ expansion (variable, command substitution or arithmetic), whose value is unknown");
      } else if (ch === "`") {
        notSure("the command uses backtick command substitution");
      } else {
        add(ch, true);
        i++;
      }
    }
    // An IO number is a word that is solely digits in the source (`''2>x` is not one).
    const raw = s.slice(start, i);
    const io = /^[0-9]+$/.test(raw) && (s[i] === "<" || s[i] === ">");
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
  if (cur) commands.push(cur);
  else if (needCommand) notSure("the command ends with an operator that needs another command");
  if (commands.length === 0) notSure("the command is empty");
  return commands;
}

// ---------------------------------------------------------------------------------------
// Per simple command checks

const GLOB_CHARS = new Set(["*", "?", "["]);
const hasUnquoted = (w: WordToken, pred: (c: string, i: number) => boolean) =>
  [...w.value].some((c, i) => w.unq[i] === true && pred(c, i));

/** Brace expansion (bash/zsh): any unquoted { or }, except the literal word `{}`. */
const hasBrace = (w: WordToken) => !(w.value === "{}" && !w.unq.includes(false)) && hasUnquoted(w, (c) => c === "{" || c === "}");

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel !== "" && rel !== ".." && !rel.startsWith(".." + path.sep) && !path.isAbsolute(rel);
}

/** Real path of `p`, following symlinks on the existing part; the rest appended lexically. */
function realpathExisting(p: string): string {
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
  return path.join(realpathSync(cur), ...missing); // throws on a dangling symlink / loop
}

function checkRedirect(r: Redirect, opts: AnalyzeOptions): string /* resolved target */ | null {
  const t = r.target;
  const fdText = r.fd === "" ? "" : r.fd;
  const label = `${fdText}${r.op}${t.value}`;
  if (r.op === ">&") {
    if ((r.fd === "" || r.fd === "1" || r.fd === "2") && (t.value === "1" || t.value === "2") && !t.unq.includes(false)) return null;
    notSure(`the redirection ${label} is not one of 2>&1 / >&2`);
  }
  if (r.op === "<" ? !(r.fd === "" || r.fd === "0") : !(r.fd === "" || r.fd === "1" || r.fd === "2")) {
    notSure(`the redirection ${label} uses file descriptor ${r.fd}`);
  }
  if (t.value === "") notSure("a redirection has an empty target");
  if (hasUnquoted(t, (c) => GLOB_CHARS.has(c) || c === "~") || hasBrace(t)) {
    notSure(`the redirection target ${JSON.stringify(t.value)} is not a plain literal path`);
  }
  if (t.value === "/dev/null") return null;
  const resolved = path.resolve(opts.cwd, t.value);
  const ws = path.resolve(opts.workspace);
  if (!isInside(ws, resolved)) notSure(`the redirection ${label} touches a file outside the workspace`);
  let real: string;
  let wsReal: string;
  try {
    wsReal = realpathSync(ws);
    real = realpathExisting(resolved);
  } catch {
    return notSure(`the redirection target ${JSON.stringify(t.value)} cannot be resolved`);
  }
  if (!isInside(wsReal, real)) notSure(`the redirection ${label} leads outside the workspace through a symlink`);
  return real;
}

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, FS.X_OK);
    return true;
  } catch {
    return false;
  }
}

function resolveProgram(name: string, opts: AnalyzeOptions): string {
  let found: string | undefined;
  if (name.includes("/")) {
    const p = path.resolve(opts.cwd, name);
    if (!isExecutableFile(p)) notSure(`${name} is not an executable file`);
    found = p;
  } else {
    for (const dir of opts.PATH.split(":")) {
      // The shell WOULD search "" / relative entries (relative to cwd, whatever is there when
      // it runs); they are never used to resolve, and one before the hit makes it not sure.
      if (dir === "" || !path.isAbsolute(dir)) {
        notSure(`PATH has a relative entry ${JSON.stringify(dir)} before the one that holds ${name}`);
      }
      const p = path.join(dir, name);
      if (isExecutableFile(p)) {
        found = p;
        break;
      }
    }
    if (!found) notSure(`cannot find ${name} on PATH`);
  }
  try {
    return realpathSync(found!);
  } catch {
    return notSure(`cannot resolve the real path of ${name}`);
  }
}

// --- Per-program argument rules: inline code, exec hooks --------------------------------

/** A single-dash option cluster (`-xec`) containing one of `letters`. */
const clusterHas = (a: string, letters: string) => /^-[^-]/.test(a) && [...a.slice(1)].some((c) => letters.includes(c));
const hasOperand = (args: string[]) => args.some((a) => !a.startsWith("-"));
/** `--version`/`--help` plus the program's own version flags print and exit without a script. */
const infoOnly = (args: string[], extra: string[]) =>
  args.length > 0 && args.every((a) => a === "--version" || a === "--help" || extra.includes(a));

/** An interpreter without a script operand (or with `-`) runs whatever arrives on stdin. */
function stdinProgram(args: string[], what: string, versionFlags: string[] = []): string | null {
  if (args.includes("-")) return `${what} reads a program from stdin`;
  if (!hasOperand(args) && !infoOnly(args, versionFlags)) return `${what} without a script reads a program from stdin`;
  return null;
}

type ArgRule = (args: string[], name: string) => string | null;

const ARG_RULES: Array<{ match: RegExp; rule: ArgRule }> = [
  {
    match: /^(sh|bash|rbash|dash|ash|zsh|ksh|ksh93|mksh|pdksh|oksh|posh|yash|fish|csh|tcsh)$/,
    rule: (args, name) => {
      if (args.some((a) => clusterHas(a, "csi") || a.startsWith("--command") || a === "--init-file" || a === "--rcfile" || a.startsWith("+"))) {
        return `${name} is given inline code or reads commands from stdin`;
      }
      return stdinProgram(args, name);
    },
  },
  {
    match: /^(python|pypy)[0-9.]*$/,
    rule: (args, name) => (args.some((a) => clusterHas(a, "c")) ? `${name} -c runs inline code` : stdinProgram(args, name, ["-V"])),
  },
  {
    match: /^(node|nodejs)$/,
    rule: (args, name) =>
      args.some((a) => clusterHas(a, "ep") || /^--(eval|print|import|require|loader|experimental-loader|input-type)\b/.test(a) || a === "-r")
        ? `${name} is given inline code or preloads a module`
        : stdinProgram(args, name, ["-v"]),
  },
  { match: /^(deno|bun)$/, rule: (args, name) => (args.some((a) => clusterHas(a, "e") || a === "eval" || a === "--eval" || a === "--print") ? `${name} runs inline code` : stdinProgram(args, name)) },
  {
    match: /^perl[0-9.]*$/,
    rule: (args, name) => (args.some((a) => clusterHas(a, "eEmMx")) ? `${name} -e/-E/-M runs inline code` : stdinProgram(args, name, ["-v"])),
  },
  { match: /^ruby[0-9.]*$/, rule: (args, name) => (args.some((a) => clusterHas(a, "er")) ? `${name} -e runs inline code` : stdinProgram(args, name)) },
  { match: /^php[0-9.]*$/, rule: (args, name) => (args.some((a) => clusterHas(a, "rRBEFa")) ? `${name} -r runs inline code` : stdinProgram(args, name, ["-v"])) },
  { match: /^(lua[0-9.]*|luajit|tclsh[0-9.]*|wish[0-9.]*|Rscript|R|osascript|jjs|irb|pwsh|powershell)$/, rule: (_a, name) => `${name} is an interpreter whose inline code is not analyzed` },
  {
    match: /^(awk|gawk|mawk|nawk|original-awk)$/,
    rule: (args, name) =>
      args.some((a) => /^-(f|E|i|l)$/.test(a) || /^--(file|exec|include|load)\b/.test(a) || /system|getline|[|>@]|ENVIRON|PROCINFO/.test(a))
        ? `${name} program may run commands or write files`
        : null,
  },
  { match: /^sed$/, rule: (args) => sedRule(args) },
  {
    match: /^find$/,
    rule: (args) => {
      const bad = args.find((a) => /^-(exec|execdir|ok|okdir|delete|fprint|fprint0|fprintf|fls)$/.test(a));
      return bad ? `find ${bad} runs commands or changes files` : null;
    },
  },
  { match: /^git$/, rule: (args) => gitRule(args) },
  {
    match: /^(tar|gtar|bsdtar)$/,
    rule: (args) => {
      const bad = args.find((a) => /^--(to-command|use-compress-program|checkpoint-action|rsh-command|info-script|new-volume-script|rmt-command)/.test(a) || clusterHas(a, "IF"));
      return bad ? `tar ${bad} can run arbitrary programs` : null;
    },
  },
  {
    match: /^rsync$/,
    rule: (args) => {
      const bad = args.find((a) => /^--(rsh|rsync-path)/.test(a) || clusterHas(a, "e"));
      return bad ? `rsync ${bad} can run arbitrary programs` : null;
    },
  },
  {
    match: /^(nc|ncat|netcat|nc\.openbsd|nc\.traditional)$/,
    rule: (args) => (args.some((a) => clusterHas(a, "ec") || /^--(exec|sh-exec|lua-exec)/.test(a)) ? "netcat -e/-c runs a program" : null),
  },
  { match: /^socat$/, rule: (args) => (args.some((a) => /(exec|system):/i.test(a)) ? "socat EXEC:/SYSTEM: runs a program" : null) },
  { match: /^(zip)$/, rule: (args) => (args.some((a) => a === "-TT" || a.startsWith("--unzip-command")) ? "zip -TT runs a program" : null) },
];

/**
 * git runs programs named in options and config (-c, --upload-pack, rebase --exec, …).
 * Caveat for operators: a repository the agent can write (.git/config: core.fsmonitor,
 * core.pager, hooks…) makes ANY git command run its code; allowlist git only where the
 * agent cannot write the repository.
 */
function gitRule(args: string[]): string | null {
  let k = 0;
  for (; k < args.length; k++) {
    const a = args[k]!;
    if (!a.startsWith("-")) break;
    if (/^(-c|--config-env|--exec-path|--git-dir|--work-tree|--namespace|--super-prefix)(=|$)/.test(a) || /^-c./.test(a)) {
      return `git ${a} can run arbitrary programs`;
    }
    if (a === "-C") k++; // -C <dir> takes a value
  }
  const sub = args[k];
  if (sub === undefined) return null;
  const rest = args.slice(k + 1);
  if (/^(submodule|bisect|filter-branch|filter-repo|difftool|mergetool|config|daemon|instaweb|web--browse|upload-pack|receive-pack|shell|credential.*|-.*)$/.test(sub)) {
    return `git ${sub} can run arbitrary programs or change git configuration`;
  }
  const bad = rest.find(
    (a) =>
      /^--(upload-pack|receive-pack|exec|ext-diff|extcmd|tool|open-files-in-pager|config|template|separate-git-dir)(=|$)/.test(a) ||
      (/^(clone|fetch|pull|ls-remote|archive|remote)$/.test(sub) && (clusterHas(a, "uc"))) ||
      (sub === "rebase" && (clusterHas(a, "xi") || a === "--interactive")) ||
      (sub === "grep" && clusterHas(a, "O")),
  );
  return bad ? `git ${sub} ${bad} can run arbitrary programs` : null;
}

/** GNU sed: `e` command, `s///e` and `w`/`W` (write files) → a miss; anything unparsed → a miss. */
function sedRule(args: string[]): string | null {
  const scripts: string[] = [];
  let sawScriptOption = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-e" || a === "--expression") {
      if (i + 1 >= args.length) return "sed -e has no script";
      scripts.push(args[++i]!);
      sawScriptOption = true;
    } else if (a.startsWith("--expression=")) {
      scripts.push(a.slice("--expression=".length));
      sawScriptOption = true;
    } else if (a === "-f" || a === "-l" || a.startsWith("--file") || a.startsWith("--line-length") || /^-[^-]*[efl]/.test(a)) {
      return `sed ${a} is not analyzed`;
    }
  }
  if (!sawScriptOption) {
    const first = args.find((a) => !a.startsWith("-"));
    if (first !== undefined) scripts.push(first);
  }
  for (const s of scripts) {
    const bad = sedScriptProblem(s);
    if (bad) return `sed script: ${bad}`;
  }
  return null;
}

function sedScriptProblem(s: string): string | null {
  let i = 0;
  const n = s.length;
  const readDelimited = (delim: string): boolean => {
    // reads up to and including the next unescaped delim
    while (i < n) {
      const c = s[i]!;
      if (c === "\\") i += 2;
      else if (c === delim) {
        i++;
        return true;
      } else i++;
    }
    return false;
  };
  const toEol = () => {
    while (i < n && s[i] !== "\n") i++;
  };
  while (i < n) {
    const c = s[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === ";" || c === "}") {
      i++;
      continue;
    }
    // addresses
    for (let k = 0; k < 2; k++) {
      if (/[0-9$]/.test(s[i] ?? "")) {
        while (i < n && /[0-9$~+]/.test(s[i]!)) i++;
      } else if (s[i] === "/") {
        i++;
        if (!readDelimited("/")) return "unterminated address";
        while (i < n && /[IM]/.test(s[i]!)) i++;
      } else if (s[i] === "\\") {
        const d = s[i + 1];
        if (d === undefined) return "bad address";
        i += 2;
        if (!readDelimited(d)) return "unterminated address";
      }
      while (i < n && (s[i] === " " || s[i] === "\t")) i++;
      if (k === 0 && s[i] === ",") i++;
      else break;
    }
    while (i < n && (s[i] === "!" || s[i] === " " || s[i] === "\t")) i++;
    const cmd = s[i];
    if (cmd === undefined) return null;
    i++;
    if (cmd === "{") continue;
    if (cmd === "s" || cmd === "y") {
      const d = s[i];
      if (d === undefined || d === "\n" || d === "\\") return "bad s/y command";
      i++;
      if (!readDelimited(d) || !readDelimited(d)) return "unterminated s/y command";
      if (cmd === "y") continue;
      while (i < n && /[gpiImM0-9]/.test(s[i]!)) i++;
      if (s[i] === "e") return "the s///e flag runs commands";
      if (s[i] === "w" || s[i] === "W") return "the s///w flag writes files";
      continue;
    }
    if (cmd === "e") return "the e command runs commands";
    if (cmd === "w" || cmd === "W") return "the w command writes files";
    if ("aic".includes(cmd) || "rR".includes(cmd) || ":btT".includes(cmd)) {
      // GNU one-liner text / file name / label: extends to end of line (labels to ;)
      if (":btT".includes(cmd)) {
        while (i < n && s[i] !== "\n" && s[i] !== ";") i++;
      } else toEol();
      continue;
    }
    if ("qQlL".includes(cmd)) {
      while (i < n && /[0-9 ]/.test(s[i]!)) i++;
      continue;
    }
    if ("=dDgGhHnNpPxzFv".includes(cmd)) continue;
    return `unknown command ${JSON.stringify(cmd)}`;
  }
  return null;
}

/** Names a segment is known by: as typed, and its real path (symlinks like sh → dash). */
function programNames(word: string, executable: string): string[] {
  const names = new Set([path.basename(word), path.basename(executable)]);
  return [...names];
}

function analyzeSimple(cmd: SimpleCommand, source: string, opts: AnalyzeOptions, writes: string[]): Segment {
  for (const r of cmd.redirects) {
    const target = checkRedirect(r, opts);
    if (target) writes.push(target);
  }
  const text = source.slice(cmd.start, cmd.end).trim();
  const first = cmd.words[0];
  if (!first) notSure("a redirection without a command is not supported");
  const name = first!.value;
  if (name === "") notSure("the command name is empty");
  if (KEYWORDS.has(name)) notSure(`${name} is shell syntax (keyword), which is not analyzed`);
  if (/^[A-Za-z_][A-Za-z0-9_]*\+?=/.test(name) && first!.unq[name.indexOf("=")]) {
    notSure("the command sets a variable before the program (prefix assignment)");
  }
  if (BUILTINS.has(name) && !PATH_RESOLVED_BUILTINS.has(name)) notSure(`${name} is a shell builtin that is not analyzed`);
  if (/[^\x21-\x7e]/.test(name)) notSure(`the command name ${JSON.stringify(name)} has unusual characters`);
  if (name !== "[" && hasUnquoted(first!, (c) => GLOB_CHARS.has(c))) notSure("the command name contains a glob pattern");
  if (hasUnquoted(first!, (c) => c === "~")) notSure("the command name starts with ~ (tilde expansion)");
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
    if (w.unq[0] && value.startsWith("~") && !w.raw.startsWith("~")) notSure(`the argument ${JSON.stringify(w.raw)} has an ambiguous ~`);
    if (w.raw.startsWith("~")) {
      if (!(w.raw === "~" || w.raw.startsWith("~/"))) notSure(`the argument ${JSON.stringify(w.raw)} uses ~user or a quoted tilde prefix`);
      if (!opts.home) notSure(`the argument ${JSON.stringify(w.raw)} uses ~ expansion and no home directory is known`);
      value = opts.home! + value.slice(1);
    }
    if (hasUnquoted(w, (c, i) => c === "~" && i > 0 && (w.value[i - 1] === "=" || w.value[i - 1] === ":"))) {
      notSure(`the argument ${JSON.stringify(w.value)} may be tilde-expanded after = or :`);
    }
    if (hasUnquoted(w, (c) => GLOB_CHARS.has(c))) globArgs.push(k);
    argv.push(value);
  }

  const typed = path.basename(name);
  if (Object.hasOwn(RUNS_OTHER_PROGRAMS, typed)) notSure(RUNS_OTHER_PROGRAMS[typed]!);
  const executable = resolveProgram(name, opts);
  const names = programNames(name, executable);
  for (const nm of names) {
    if (Object.hasOwn(RUNS_OTHER_PROGRAMS, nm)) notSure(RUNS_OTHER_PROGRAMS[nm]!);
    if (BUILTINS.has(nm) || KEYWORDS.has(nm)) notSure(`${nm} is a shell builtin that is not analyzed`);
  }
  for (const nm of names) {
    for (const { match, rule } of ARG_RULES) {
      if (!match.test(nm)) continue;
      const problem = rule(argv.slice(1), nm);
      if (problem) notSure(problem);
    }
  }
  const seg: Segment = { argv, executable, text };
  if (globArgs.length > 0) seg.globArgs = globArgs;
  return seg;
}

/** Decide what `/bin/sh -c command` would run; anything uncertain is `ok: false`. */
export function analyzeCommand(command: string, opts: AnalyzeOptions): Analysis {
  try {
    if (typeof command !== "string") notSure("the command is not a string");
    if (command.length > MAX_COMMAND_LENGTH) notSure(`the command is longer than ${MAX_COMMAND_LENGTH} characters`);
    if (!path.isAbsolute(opts.cwd) || !path.isAbsolute(opts.workspace)) notSure("cwd and workspace must be absolute paths");
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
