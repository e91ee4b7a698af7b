// Profiles of everyday tools that can run code through options or operands (docs/exec.md,
// "Profiles"): text tools (sed, awk, sort, split, diff family), file tools (find, tar, zip,
// unzip), version control (git), network copy (wget, curl, ssh, scp, rsync).
// Each lists the program's real option grammar; options not listed are a miss.
import { getopt, type Grammar } from "./getopt.js";
import { awkProgramProblem, sedScriptProblem } from "./scripts.js";
import { gnuProfile, miss, ok, type Profile, type ProfileContext, type Verdict } from "./types.js";

const INFO = { help: 0, version: 0 } as const;

export const sed = gnuProfile({
  names: ["sed"],
  safe: "scripts without e/w/r commands or s///e, s///w; no -i, no -f",
  grammar: {
    short: "nrsuzEb e: f: l: i::",
    long: {
      quiet: "n", silent: "n", expression: "e", file: "f", "in-place": "i", "line-length": "l", "null-data": "z",
      "zero-terminated": "z", "regexp-extended": "E", separate: "s", unbuffered: "u", binary: "b", posix: 0, debug: 0,
      sandbox: 0, "follow-symlinks": 0, ...INFO,
    },
  },
  code: { f: "reads its script from a file, which cannot be checked", i: "edits files in place" },
  operands(p, _ctx, name) {
    const scripts = p.opts.filter((o) => o.name === "e").map((o) => o.value!);
    if (scripts.length === 0) {
      if (p.opts.some((o) => o.name === "help" || o.name === "version")) return ok;
      if (p.operands.length === 0) return miss(`${name} has no script`);
      scripts.push(p.operands[0]!);
    }
    for (const s of scripts) {
      const bad = sedScriptProblem(s);
      if (bad) return miss(`${name} script ${JSON.stringify(s.length > 40 ? s.slice(0, 40) + "…" : s)}: ${bad}`);
    }
    return ok;
  },
});

export const awk = gnuProfile({
  names: ["awk", "nawk", "mawk", "original-awk"],
  safe: "programs without system(), pipes, print redirection, getline <file or @-directives; no -f",
  grammar: {
    short: "F: v: f: e: E: i: l: W: bcCd::D::ghL::MnNo::Op::PrsStVY",
    long: {
      "field-separator": "F", assign: "v", file: "f", source: "e", exec: "E", include: "i", load: "l",
      "characters-as-bytes": "b", traditional: "c", copyright: "C", "dump-variables": "d", debug: "D", "gen-pot": "g",
      help: "h", lint: "L", bignum: "M", "non-decimal-data": "n", "use-lc-numeric": "N", "pretty-print": "o",
      optimize: "O", profile: "p", posix: "P", "re-interval": "r", "no-optimize": "s", sandbox: "S", "lint-old": "t",
      version: "V",
    },
    stopAtOperand: true,
  },
  code: {
    f: "reads its program from a file, which cannot be checked",
    E: "reads its program from a file, which cannot be checked",
    i: "includes an awk source file",
    l: "loads a native extension",
    D: "starts the debugger, which reads commands",
    d: "writes a file",
    o: "writes a file",
    p: "writes a file",
  },
  operands(p, _ctx, name) {
    for (const o of p.opts) {
      if (o.name === "W" && !/^(v|version|interactive|posix_space|usage|help)$/.test(o.value ?? "")) {
        return miss(`${name} ${o.spelled}: -W option ${JSON.stringify(o.value)} is not in its safe profile`);
      }
    }
    const programs = p.opts.filter((o) => o.name === "e").map((o) => o.value!);
    if (programs.length === 0) {
      if (p.opts.some((o) => o.name === "V" || o.name === "h" || o.name === "C")) return ok;
      if (p.operands.length === 0) return miss(`${name} has no program`);
      programs.push(p.operands[0]!);
    }
    for (const s of programs) {
      const bad = awkProgramProblem(s);
      if (bad) return miss(`${name} program ${JSON.stringify(s.length > 40 ? s.slice(0, 40) + "…" : s)}: ${bad}`);
    }
    return ok;
  },
});

export const sort = gnuProfile({
  names: ["sort"],
  safe: "sorting options; -o only inside the workspace; no --compress-program",
  grammar: {
    short: "bdfghiMnRrVcCmsuzk:t:o:S:T:y::",
    long: {
      "ignore-leading-blanks": "b", "dictionary-order": "d", "ignore-case": "f", "general-numeric-sort": "g",
      "human-numeric-sort": "h", "ignore-nonprinting": "i", "month-sort": "M", "numeric-sort": "n", "random-sort": "R",
      reverse: "r", "version-sort": "V", check: 2, merge: "m", stable: "s", unique: "u", "zero-terminated": "z", key: "k",
      "field-separator": "t", output: "o", "buffer-size": "S", "temporary-directory": "T", parallel: 1, "batch-size": 1,
      "compress-program": 1, debug: 0, "files0-from": 1, "random-source": 1, sort: 1, ...INFO,
    },
  },
  code: { "compress-program": "names a program sort runs to compress temporary files" },
  writes: ["o"],
});

export const split = gnuProfile({
  names: ["split"],
  safe: "splitting options; no --filter",
  grammar: {
    short: "a:b:C:del:n:t:ux",
    long: {
      "suffix-length": "a", bytes: "b", "line-bytes": "C", "numeric-suffixes": 2, "hex-suffixes": 2, "additional-suffix": 1,
      "elide-empty-files": "e", lines: "l", number: "n", separator: "t", unbuffered: "u", verbose: 0, filter: 1, ...INFO,
    },
  },
  code: { filter: "runs a shell command for every piece" },
  // split [FILE [PREFIX]]: the pieces are PREFIXaa, PREFIXab… (default prefix x, in the cwd).
  operands(p, ctx, name) {
    const prefix = p.operands[1] ?? "x";
    return ctx.confined(prefix) ? ok : miss(`${name}: writes its pieces (${prefix}…) outside the workspace`);
  },
});

const DIFF_COMMON: Record<string, string | 0 | 1 | 2> = {
  "ignore-case": "i", "ignore-tab-expansion": "E", "ignore-trailing-space": "Z", "ignore-space-change": "b",
  "ignore-all-space": "w", "ignore-blank-lines": "B", "ignore-matching-lines": "I", "strip-trailing-cr": 0, text: "a",
  "diff-program": 1, tabsize: 1, ...INFO,
};
const DIFF_PROGRAM = { "diff-program": "names the program it runs to compare files" };

export const diff = gnuProfile({
  names: ["diff", "cmp"],
  safe: "comparison and output-format options",
  grammar: {
    short: "abBcC:dD:eEfF:hiI:lL:nNpPqrsS:tTuU:vwW:x:X:yZ",
    long: {
      ...DIFF_COMMON, normal: 0, brief: "q", "report-identical-files": "s", context: 2, unified: 2, ed: "e", rcs: "n",
      "side-by-side": "y", width: "W", "left-column": 0, "suppress-common-lines": 0, "show-c-function": "p",
      "show-function-line": "F", label: "L", "expand-tabs": "t", "initial-tab": "T", "suppress-blank-empty": 0,
      paginate: "l", recursive: "r", "no-dereference": 0, "new-file": "N", "unidirectional-new-file": "P",
      "ignore-file-name-case": 0, "no-ignore-file-name-case": 0, exclude: "x", "exclude-from": "X", "starting-file": "S",
      "from-file": 1, "to-file": 1, color: 2, palette: 1, minimal: "d", "horizon-lines": 1, "speed-large-files": 0,
      ifdef: "D", "old-line-format": 1, "new-line-format": 1, "unchanged-line-format": 1, "line-format": 1,
      "old-group-format": 1, "new-group-format": 1, "unchanged-group-format": 1, "changed-group-format": 1,
    },
  },
});

export const diff3 = gnuProfile({
  names: ["diff3"],
  safe: "comparison options; no --diff-program",
  grammar: {
    short: "aAeEimL:TxX3v",
    long: {
      text: "a", "show-all": "A", ed: "e", "show-overlap": "E", "initial-tab": "T", "overlap-only": "x", easy: "3",
      merge: "m", label: "L", "strip-trailing-cr": 0, "diff-program": 1, ...INFO, version: "v",
    },
  },
  code: DIFF_PROGRAM,
});

export const sdiff = gnuProfile({
  names: ["sdiff"],
  safe: "comparison options; -o only inside the workspace; no --diff-program",
  grammar: {
    short: "abBdEHiI:lo:stvw:WZ",
    long: {
      ...DIFF_COMMON, "left-column": "l", "suppress-common-lines": "s", "expand-tabs": "t", minimal: "d",
      "speed-large-files": "H", output: "o", width: "w", "ignore-all-space": "W", version: "v",
    },
  },
  code: DIFF_PROGRAM,
  writes: ["o"],
});

/** ripgrep: searching options; no --pre (a program run on every file) or --hostname-bin. */
export const rg = gnuProfile({
  names: ["rg", "ripgrep"],
  safe: "search options; no --pre, --hostname-bin",
  grammar: {
    short: "A:B:C:bcE:e:f:Fg:hHiIj:lLM:m:nNopPqr:sSt:T:uUvVwxz0a.d:",
    long: {
      "after-context": "A", "before-context": "B", context: "C", count: "c", "count-matches": 0, color: 1, colors: 1,
      column: 0, "no-column": 0, "context-separator": 1, "no-context-separator": 0, debug: 0, trace: 0,
      "dfa-size-limit": 1, encoding: "E", "no-encoding": 0, engine: 1, file: "f", "field-context-separator": 1,
      "field-match-separator": 1, files: 0, "files-with-matches": "l", "files-without-match": 0, "fixed-strings": "F",
      "no-fixed-strings": 0, follow: "L", "no-follow": 0, glob: "g", "glob-case-insensitive": 0,
      "no-glob-case-insensitive": 0, heading: 0, "no-heading": 0, hidden: ".", "no-hidden": 0, iglob: 1,
      "ignore-case": "i", "ignore-file": 1, "ignore-file-case-insensitive": 0, "no-ignore-file-case-insensitive": 0,
      "include-zero": 0, "no-include-zero": 0, "invert-match": "v", "no-invert-match": 0, json: 0, "no-json": 0,
      "line-buffered": 0, "no-line-buffered": 0, "block-buffered": 0, "no-block-buffered": 0, "line-number": "n",
      "no-line-number": "N", "line-regexp": "x", "max-columns": "M", "max-columns-preview": 0,
      "no-max-columns-preview": 0, "max-count": "m", "max-depth": "d", maxdepth: "d", "max-filesize": 1, mmap: 0,
      "no-mmap": 0, multiline: "U", "no-multiline": 0, "multiline-dotall": 0, "no-multiline-dotall": 0,
      "no-config": 0, "no-ignore": 0, "ignore": 0, "no-ignore-dot": 0, "no-ignore-exclude": 0, "no-ignore-files": 0,
      "no-ignore-global": 0, "no-ignore-messages": 0, "no-ignore-parent": 0, "no-ignore-vcs": 0, "no-messages": 0,
      messages: 0, "no-require-git": 0, "no-unicode": 0, unicode: 0, null: "0", "null-data": 0, "one-file-system": 0,
      "no-one-file-system": 0, "only-matching": "o", "path-separator": 1, passthru: 0, passthrough: 0, pcre2: "P",
      "no-pcre2": 0, "pcre2-version": 0, "no-pcre2-unicode": 0, "pcre2-unicode": 0, pre: 1, "no-pre": 0,
      "pre-glob": 1, pretty: "p", quiet: "q", "regex-size-limit": 1, regexp: "e", replace: "r", "search-zip": "z",
      "no-search-zip": 0, "smart-case": "S", "case-sensitive": "s", sort: 1, sortr: 1, "sort-files": 0,
      "no-sort-files": 0, stats: 0, "no-stats": 0, "stop-on-nonmatch": 0, text: "a", "no-text": 0, threads: "j",
      trim: 0, "no-trim": 0, type: "t", "type-not": "T", "type-add": 1, "type-clear": 1, "type-list": 0,
      unrestricted: "u", version: "V", vimgrep: 0, "with-filename": "H", "no-filename": "I", "word-regexp": "w",
      "auto-hybrid-regex": 0, "no-auto-hybrid-regex": 0, binary: 0, "no-binary": 0, crlf: 0, "no-crlf": 0,
      "hyperlink-format": 1, "hostname-bin": 1, "byte-offset": "b", generate: 1,
      "ignore-vcs": 0, "require-git": 0, help: "h",
    },
  },
  code: {
    pre: "runs a program on every file it searches (a preprocessor)",
    "hostname-bin": "names a program ripgrep runs",
  },
});

const FIND_ARGS: Record<string, number> = {
  "-name": 1, "-iname": 1, "-path": 1, "-ipath": 1, "-wholename": 1, "-iwholename": 1, "-regex": 1, "-iregex": 1,
  "-lname": 1, "-ilname": 1, "-type": 1, "-xtype": 1, "-size": 1, "-mtime": 1, "-mmin": 1, "-atime": 1, "-amin": 1,
  "-ctime": 1, "-cmin": 1, "-newer": 1, "-anewer": 1, "-cnewer": 1, "-perm": 1, "-user": 1, "-group": 1, "-uid": 1,
  "-gid": 1, "-links": 1, "-inum": 1, "-samefile": 1, "-fstype": 1, "-used": 1, "-maxdepth": 1, "-mindepth": 1,
  "-regextype": 1, "-printf": 1, "-context": 1,
  "-empty": 0, "-readable": 0, "-writable": 0, "-executable": 0, "-true": 0, "-false": 0, "-nouser": 0, "-nogroup": 0,
  "-depth": 0, "-d": 0, "-xdev": 0, "-mount": 0, "-follow": 0, "-noleaf": 0, "-ignore_readdir_race": 0,
  "-noignore_readdir_race": 0, "-daystart": 0, "-warn": 0, "-nowarn": 0, "-print": 0, "-print0": 0, "-ls": 0,
  "-prune": 0, "-quit": 0, "-not": 0, "-a": 0, "-and": 0, "-o": 0, "-or": 0, "!": 0, "(": 0, ")": 0, ",": 0,
  "-help": 0, "--help": 0, "-version": 0, "--version": 0,
};
const FIND_CODE: Record<string, string> = {
  "-exec": "runs a command for every file", "-execdir": "runs a command for every file", "-ok": "runs a command for every file",
  "-okdir": "runs a command for every file", "-delete": "deletes files", "-fprint": "writes a file", "-fprint0": "writes a file",
  "-fprintf": "writes a file", "-fls": "writes a file",
};

export const find: Profile = {
  names: ["find"],
  kind: "code",
  safe: "tests and -print/-printf/-ls/-prune; no -exec/-execdir/-ok/-okdir/-delete/-fprint*/-fls",
  check(args, _ctx, name) {
    let i = 0;
    while (i < args.length && /^-([HLP]|O\d*|D)$/.test(args[i]!)) i += args[i] === "-D" ? 2 : 1;
    while (i < args.length && !args[i]!.startsWith("-") && !["(", ")", "!", ","].includes(args[i]!)) i++;
    for (; i < args.length; i++) {
      const a = args[i]!;
      if (Object.hasOwn(FIND_CODE, a)) return miss(`${name} ${a}: ${FIND_CODE[a]}`);
      const arity = Object.hasOwn(FIND_ARGS, a) ? FIND_ARGS[a]! : /^-newer[aBcmt][aBcmt]$/.test(a) ? 1 : undefined;
      if (arity === undefined) return miss(`${name}: ${JSON.stringify(a)} is not an expression it knows`);
      if (i + arity >= args.length + (arity === 0 ? 1 : 0) && arity > 0) return miss(`${name} ${a} needs a value`);
      i += arity;
    }
    return ok;
  },
};

const TAR: Grammar = {
  short: "AcdrtuxaBhiklmMOpPRsSUvwWzZjJ f: C: g: G K: L: N: T: X: V: b: H: I: F:",
  long: {
    catenate: "A", concatenate: "A", create: "c", diff: "d", compare: "d", append: "r", list: "t", update: "u", extract: "x",
    get: "x", delete: 0, "auto-compress": "a", "read-full-records": "B", dereference: "h", "ignore-zeros": "i",
    "keep-old-files": "k", "check-links": "l", touch: "m", "multi-volume": "M", "to-stdout": "O",
    "preserve-permissions": "p", "same-permissions": "p", "absolute-names": "P", "preserve-order": "s", "same-order": "s",
    sparse: "S", "unlink-first": "U", verbose: "v", interactive: "w", confirmation: "w", verify: "W", gzip: "z",
    gunzip: "z", ungzip: "z", compress: "Z", uncompress: "Z", bzip2: "j", xz: "J", lzma: 0, lzip: 0, lzop: 0, zstd: 0,
    file: "f", directory: "C", "listed-incremental": "g", incremental: "G", "starting-file": "K", "tape-length": "L",
    newer: "N", "after-date": "N", "files-from": "T", "exclude-from": "X", label: "V", "blocking-factor": "b", format: "H",
    "use-compress-program": "I", "info-script": "F", "new-volume-script": "F", "to-command": 1, "checkpoint-action": 1,
    "rsh-command": 1, "rmt-command": 1, "index-file": 1, checkpoint: 2, exclude: 1, "exclude-vcs": 0,
    "exclude-vcs-ignores": 0, "exclude-backups": 0, "exclude-caches": 0, "exclude-tag": 1, "strip-components": 1,
    "no-recursion": 0, recursion: 0, wildcards: 0, "no-wildcards": 0, anchored: 0, "no-anchored": 0, "ignore-case": 0,
    owner: 1, group: 1, mode: 1, mtime: 1, "numeric-owner": 0, sort: 1, totals: 2, transform: 1, xform: 1,
    "show-transformed-names": 0, "no-same-owner": 0, "same-owner": 0, "no-same-permissions": 0, "remove-files": 0,
    null: 0, "record-size": 1, "one-file-system": 0, "ignore-failed-read": 0, warning: 1, "quoting-style": 1, posix: 0,
    "force-local": 0, acls: 0, "no-acls": 0, xattrs: 0, "no-xattrs": 0, selinux: 0, "no-selinux": 0, "skip-old-files": 0,
    "keep-newer-files": 0, overwrite: 0, "overwrite-dir": 0, "no-overwrite-dir": 0, "delay-directory-restore": 0,
    "full-time": 0, utc: 0, "show-omitted-dirs": 0, "block-number": "R", "check-device": 0, "no-check-device": 0,
    "hard-dereference": 0, "level": 1, "occurrence": 2, "pax-option": 1, "suffix": 1, "backup": 2, ...INFO,
  },
};

const TAR_CODE: Record<string, string> = {
  I: "names a compression program tar runs",
  F: "names a script tar runs at the end of each volume",
  "to-command": "pipes extracted files to a command",
  "checkpoint-action": "runs actions (including commands) at checkpoints",
  "rsh-command": "names the remote shell program tar runs",
  "rmt-command": "names the remote tape program tar runs",
  "index-file": "writes its listing to a file",
  // At the end of a volume tar asks on stdin what to do: `!` starts a shell, `n NAME` writes the next volume anywhere.
  M: "asks for the next volume on stdin, where ! starts a shell and n names any file",
  L: "sets a volume length, so it asks for the next volume on stdin (! starts a shell, n names any file)",
};

/** Old-style `tar cf a.tar dir`: the first word is a cluster of letters whose values follow in order. */
function tarOldStyle(args: readonly string[]): string[] {
  const first = args[0];
  if (first === undefined || first.startsWith("-")) return [...args];
  const out: string[] = [];
  let next = 1;
  for (const ch of first) {
    out.push(`-${ch}`);
    if ("fCgKLNTXVbHIF".includes(ch) && next < args.length) out.push(args[next++]!);
  }
  return [...out, ...args.slice(next)];
}

export const tar: Profile = {
  names: ["tar", "bsdtar"],
  kind: "code",
  safe: "create/extract/list with the usual options; no -I/--use-compress-program, --to-command, --checkpoint-action, -F, -M/-L, --rsh-command, or host:file archives",
  check(args, ctx, name) {
    const p = getopt(TAR, tarOldStyle(args));
    if (!p.ok) return miss(`${name}: ${p.reason}`);
    const has = (n: string) => p.opts.some((o) => o.name === n);
    const forceLocal = has("force-local");
    // Modes that write the archive file, and extraction, which writes under -C (else the cwd).
    const writesArchive = has("c") || has("r") || has("u") || has("A") || has("delete");
    const extracts = has("x");
    for (const o of p.opts) {
      if (Object.hasOwn(TAR_CODE, o.name)) return miss(`${name} ${o.spelled}: ${TAR_CODE[o.name]}`);
      if (o.name === "f" && !forceLocal && /^[^/]*:/.test(o.value ?? "")) {
        return miss(`${name} ${o.spelled}: a host:file archive makes tar run a remote shell`);
      }
      if (o.name === "f" && writesArchive && o.value !== "-" && !ctx.confined(o.value!)) return miss(`${name} ${o.spelled}: writes the archive outside the workspace`);
      if (o.name === "g" && !ctx.confined(o.value!)) return miss(`${name} ${o.spelled}: writes its snapshot file outside the workspace`);
      if (o.name === "C" && extracts && !ctx.confined(o.value!)) return miss(`${name} ${o.spelled}: extracts files outside the workspace`);
    }
    if (extracts) {
      if (has("P")) return miss(`${name} -P/--absolute-names: extracts members to absolute paths, anywhere`);
      if (!has("O") && !has("C") && !ctx.confined(".")) return miss(`${name}: extracts files into a directory outside the workspace`);
    }
    if (has("remove-files")) {
      const outside = p.operands.find((f) => !ctx.confined(f));
      if (outside !== undefined) return miss(`${name} --remove-files: deletes ${outside}, outside the workspace`);
    }
    return ok;
  },
};

const ZIP_LETTERS = "rRqvjumyDXTolAJ0123456789@gkLdF";
const ZIP_LONG: Grammar = {
  long: {
    "recurse-paths": 0, "recurse-patterns": 0, quiet: 0, verbose: 0, "junk-paths": 0, update: 0, freshen: 0, delete: 0,
    move: 0, symlinks: 0, "no-dir-entries": 0, "no-extra": 0, test: 0, "latest-time": 0, exclude: 1, include: 1,
    "unzip-command": 1, "temp-path": 1, "output-file": 1, grow: 0, "fix": 0, "names-stdin": 0, "to-crlf": 0, "from-crlf": 0,
    "compression-method": 1, "suffixes": 1, "filesync": 0, ...INFO,
  },
};

export const zip: Profile = {
  names: ["zip"],
  kind: "code",
  safe: "archive options (-r, -q, -j, -u, -f, -d, -m, -y, -x/-i patterns, -0…-9, -T); no -TT/--unzip-command; the archive (and -O) inside the workspace",
  check(args, ctx, name) {
    const operands: string[] = [];
    let move = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === "--") {
        operands.push(...args.slice(i + 1));
        break;
      }
      if (!a.startsWith("-") || a === "-") {
        operands.push(a);
        continue;
      }
      if (a.startsWith("--")) {
        const p = getopt(ZIP_LONG, [a, ...(args[i + 1] !== undefined ? [args[i + 1]!] : [])]);
        if (!p.ok) return miss(`${name}: ${p.reason}`);
        const o = p.opts[0]!;
        if (o.name === "unzip-command") return miss(`${name} ${o.spelled}: names the program zip runs to test the archive`);
        if ((o.name === "output-file" || o.name === "temp-path") && !ctx.confined(o.value!)) return miss(`${name} ${o.spelled}: writes outside the workspace`);
        if (o.name === "move") move = true;
        if (o.value !== undefined && !a.includes("=")) i++;
        continue;
      }
      if (a === "-TT") return miss(`${name} -TT: names the program zip runs to test the archive`);
      if (a === "-x" || a === "-i") {
        while (i + 1 < args.length && !args[i + 1]!.startsWith("-")) i++;
        continue;
      }
      if (a === "-O" || a === "-b" || a === "-n" || a === "-t" || a === "-tt" || a === "-Z") {
        if (i + 1 >= args.length) return miss(`${name} ${a} needs a value`);
        if ((a === "-O" || a === "-b") && !ctx.confined(args[i + 1]!)) return miss(`${name} ${a}: writes outside the workspace`);
        i++;
        continue;
      }
      if (a.startsWith("-") && a.length > 1) {
        const bad = [...a.slice(1)].find((c) => !ZIP_LETTERS.includes(c));
        if (bad !== undefined) return miss(`${name}: ${a} is not an option in its safe profile`);
        if (a.includes("m")) move = true;
      }
    }
    // zip [options] ARCHIVE FILES…: the archive is written; -m deletes the files it adds.
    const archive = operands[0];
    if (archive !== undefined && archive !== "-" && !ctx.confined(archive)) return miss(`${name}: writes the archive ${archive} outside the workspace`);
    const outside = move ? operands.slice(1).find((f) => !ctx.confined(f)) : undefined;
    if (outside !== undefined) return miss(`${name} -m: deletes ${outside}, outside the workspace`);
    return ok;
  },
};

export const unzip = gnuProfile({
  names: ["unzip"],
  safe: "list/test/extract options",
  grammar: { short: "lvtzZpcfuonqjabCLMXUVWsKDTd:x:P:", long: { ...INFO } },
  writes: ["d"],
  // Without -d (and without -l/-t/-v/-p/-c/-z, which only read) it extracts into the cwd.
  operands(p, ctx, name) {
    const reads = p.opts.some((o) => "ltvpcZz".includes(o.name));
    const intoCwd = !reads && !p.opts.some((o) => o.name === "d");
    return intoCwd && !ctx.confined(".") ? miss(`${name}: extracts files into a directory outside the workspace`) : ok;
  },
});

// --- git: global options, then one subcommand with its own grammar --------------------

const GIT_GLOBAL: Grammar = {
  short: "C:c:pPvh",
  long: {
    "config-env": 1, "exec-path": 2, "html-path": 0, "man-path": 0, "info-path": 0, paginate: "p", "no-pager": "P",
    "git-dir": 1, "work-tree": 1, namespace: 1, bare: 0, "no-replace-objects": 0, "no-lazy-fetch": 0,
    "literal-pathspecs": 0, "glob-pathspecs": 0, "noglob-pathspecs": 0, "icase-pathspecs": 0, "no-optional-locks": 0,
    "super-prefix": 1, "list-cmds": 1, "attr-source": 1, version: "v", help: "h",
  },
  stopAtOperand: true,
};
const GIT_GLOBAL_CODE: Record<string, string> = {
  c: "sets configuration, which can name programs git runs",
  "config-env": "sets configuration, which can name programs git runs",
  C: "reads another repository, whose configuration can name programs git runs",
  "exec-path": "changes where git finds the programs it runs",
  "git-dir": "points git at another repository's configuration",
  "work-tree": "points git at another work tree",
  bare: "makes the current directory the repository, whose config (diff.external, textconv, uploadpack…) the agent can write",
  "super-prefix": "is internal to git",
  p: "runs the configured pager",
};

const DIFF_OUT = {
  p: 0, u: 0, patch: "p", s: 0, "no-patch": "s", stat: 2, numstat: 0, shortstat: 0, "name-only": 0, "name-status": 0,
  "no-color": 0, color: 2, "word-diff": 2, U: 1, unified: "U", w: 0, b: 0, "ignore-all-space": "w", "ignore-space-change": "b",
  R: 0, "diff-filter": 1, z: 0, "ext-diff": 0, "no-ext-diff": 0, textconv: 0, "no-textconv": 0, output: 1, relative: 2,
  "abbrev": 2, "full-index": 0, "find-renames": 2, M: 2, "no-renames": 0, "minimal": 0, "patience": 0, "histogram": 0,
  "ignore-blank-lines": 0, "src-prefix": 1, "dst-prefix": 1, "no-prefix": 0, "summary": 0, "dirstat": 2, "check": 0,
} as const;
const LOG_OPTS = {
  ...DIFF_OUT, oneline: 0, graph: 0, decorate: 2, "no-decorate": 0, all: 0, n: 1, "max-count": "n", format: 1, pretty: 2,
  since: 1, until: 1, after: 1, before: 1, author: 1, committer: 1, grep: 1, reverse: 0, "first-parent": 0,
  "no-merges": 0, merges: 0, "abbrev-commit": 0, follow: 0, date: 1, "left-right": 0, "topo-order": 0, "date-order": 0,
  skip: 1, raw: 0, "show-signature": 0, "cherry-pick": 0, "ancestry-path": 0, "simplify-by-decoration": 0, branches: 2,
  tags: 2, remotes: 2, L: 1, "invert-grep": 0, i: 0, "regexp-ignore-case": "i", "all-match": 0, E: 0, F: 0,
  "extended-regexp": "E", "fixed-strings": "F", S: 1, G: 1, "pickaxe-regex": 0, "no-walk": 2, "walk-reflogs": "g", g: 0,
} as const;
const digits = "0123456789";

function gitGrammar(short: string, long: Record<string, string | 0 | 1 | 2>): Grammar {
  const letters: string[] = [];
  const longOut: Record<string, string | 0 | 1 | 2> = {};
  for (const [k, v] of Object.entries(long)) {
    if (k.length === 1) letters.push(v === 1 ? `${k}:` : v === 2 ? `${k}::` : k);
    else longOut[k] = v;
  }
  return { short: short + letters.join(""), long: longOut };
}

const GIT_CODE_OPTS: Record<string, string> = {
  "ext-diff": "runs the external diff program named in configuration",
  textconv: "runs textconv programs named in configuration",
  output: "writes its output to a file",
  "upload-pack": "names the program git runs on the other side",
  u: "names the program git runs on the other side",
  "receive-pack": "names the program git runs on the other side",
  exec: "names a program git runs",
  O: "runs a pager program on the matching files",
  "open-files-in-pager": "runs a pager program on the matching files",
  template: "copies hooks from a template directory",
  "separate-git-dir": "places the repository elsewhere",
  config: "sets configuration, which can name programs git runs",
  c: "sets configuration, which can name programs git runs",
  "recurse-submodules": "runs git in submodules, whose configuration can name programs",
  x: "runs a shell command",
  interactive: "runs the sequence editor",
  tool: "runs an external tool",
  filters: "runs filter programs named in configuration",
  p: "starts interactive mode, which reads stdin and can start the editor",
  patch: "starts interactive mode, which reads stdin and can start the editor",
  i: "starts interactive mode, which reads stdin and can start the editor",
  e: "starts the editor, which takes its commands from stdin (vi runs :!cmd)",
  edit: "starts the editor, which takes its commands from stdin (vi runs :!cmd)",
};

const GIT_SUB: Record<string, Grammar> = {
  status: gitGrammar("sbvz", {
    u: 2,
    short: 0, branch: 0, porcelain: 2, long: 0, verbose: 0, "untracked-files": 2, ignored: 2, "ignore-submodules": 2,
    column: 2, "no-column": 0, "ahead-behind": 0, "no-ahead-behind": 0, "show-stash": 0, renames: 0, "no-renames": 0,
    "find-renames": 2, null: 0,
  }),
  log: gitGrammar(digits, LOG_OPTS),
  show: gitGrammar(digits, LOG_OPTS),
  diff: gitGrammar("", { ...DIFF_OUT, cached: 0, staged: 0, "no-index": 0, quiet: 0, "exit-code": 0, "merge-base": 0 }),
  branch: gitGrammar("arlvdDmMcCqf", {
    all: 0, remotes: 0, list: 0, verbose: 0, "show-current": 0, contains: 1, "no-contains": 1, merged: 2, "no-merged": 2,
    color: 2, "no-color": 0, sort: 1, format: 1, delete: 0, move: 0, copy: 0, force: 0, quiet: 0, "points-at": 1,
    "ignore-case": 0, "set-upstream-to": 1, u: 1, "unset-upstream": 0, track: 2, "no-track": 0,
  }),
  "rev-parse": gitGrammar("q", {
    "show-toplevel": 0, "abbrev-ref": 2, short: 2, "git-dir": 0, "absolute-git-dir": 0, "is-inside-work-tree": 0,
    "is-inside-git-dir": 0, "is-bare-repository": 0, verify: 0, quiet: 0, "show-prefix": 0, "show-cdup": 0,
    "symbolic-full-name": 0, symbolic: 0, "git-common-dir": 0, all: 0, branches: 2, tags: 2, "show-object-format": 2,
  }),
  "ls-files": gitGrammar("cdmoiskuzt v", {
    cached: 0, deleted: 0, modified: 0, others: 0, ignored: 0, stage: 0, killed: 0, unmerged: 0, "exclude-standard": 0,
    x: 1, exclude: "x", X: 1, "exclude-from": "X", "full-name": 0, "error-unmatch": 0, directory: 0, "no-empty-directory": 0,
    "abbrev": 2, "eol": 0, "deduplicate": 0, format: 1,
  }),
  "ls-tree": gitGrammar("rdtlz", { "name-only": 0, "name-status": 0, "full-name": 0, "full-tree": 0, abbrev: 2, long: 0, "object-only": 0, format: 1 }),
  grep: gitGrammar(digits + "nivwlLcEFPGhHqzoapW", {
    "line-number": 0, "ignore-case": 0, "invert-match": 0, "word-regexp": 0, "files-with-matches": 0,
    "files-without-match": 0, "name-only": 0, count: 0, "extended-regexp": 0, "fixed-strings": 0, "perl-regexp": 0,
    "basic-regexp": 0, cached: 0, untracked: 0, "no-index": 0, "max-depth": 1, color: 2, "no-color": 0, e: 1, f: 1,
    A: 1, B: 1, C: 1, "after-context": "A", "before-context": "B", context: "C", heading: 0, break: 0, quiet: 0,
    null: 0, "only-matching": 0, "show-function": 0, "function-context": 0, "all-match": 0, and: 0, or: 0, not: 0,
    threads: 1, O: 2, "open-files-in-pager": "O", textconv: 0, "no-textconv": 0, "recurse-submodules": 0,
    "exclude-standard": 0, "no-exclude-standard": 0, column: 0, "full-name": 0, "max-count": 1, m: 1, r: 0, recursive: 0,
  }),
  blame: gitGrammar("ewscltfnpb", {
    L: 1, "show-email": 0, porcelain: 0, "line-porcelain": 0, root: 0, "show-stats": 0, M: 2, C: 2, date: 1,
    "show-name": 0, "show-number": 0, reverse: 1, "first-parent": 0, S: 1, "ignore-rev": 1, "ignore-revs-file": 1,
    incremental: 0, encoding: 1, "abbrev": 2, "color-lines": 0, "color-by-age": 0,
  }),
  add: gitGrammar("AunvfNpieq", {
    all: 0, update: 0, "dry-run": 0, verbose: 0, force: 0, "intent-to-add": 0, patch: 0, "ignore-errors": 0,
    "ignore-removal": 0, "no-all": 0, "renormalize": 0, "refresh": 0, "sparse": 0, "chmod": 1, "pathspec-from-file": 1,
    "pathspec-file-nul": 0,
  }),
  commit: gitGrammar("aqsvnez", {
    m: 1, message: "m", all: 0, "allow-empty": 0, "allow-empty-message": 0, amend: 0, "no-edit": 0, F: 1, file: "F",
    signoff: 0, quiet: 0, verbose: 0, author: 1, date: 1, "no-verify": 0, verify: 0, C: 1, "reuse-message": "C",
    fixup: 1, squash: 1, "reset-author": 0, "only": 0, "include": 0, "dry-run": 0, "short": 0, "porcelain": 0,
    "untracked-files": 2, "cleanup": 1, "no-status": 0, "status": 0, "trailer": 1,
  }),
  init: gitGrammar("q", { quiet: 0, b: 1, "initial-branch": "b", bare: 0, template: 1, "separate-git-dir": 1, shared: 2, "object-format": 1 }),
  describe: gitGrammar("", { tags: 0, all: 0, always: 0, long: 0, abbrev: 2, dirty: 2, broken: 2, "exact-match": 0, match: 1, exclude: 1, contains: 0, "first-parent": 0, candidates: 1 }),
  shortlog: gitGrammar("sne", { summary: 0, numbered: 0, email: 0, c: 0, committer: 0, group: 1, format: 1, w: 2, all: 0 }),
  tag: gitGrammar(digits + "ldavfe", { list: 0, n: 2, sort: 1, contains: 1, "no-contains": 1, "points-at": 1, annotate: 0, m: 1, message: "m", delete: 0, format: 1, merged: 2, "no-merged": 2, "column": 2, "no-column": 0, "ignore-case": 0, force: 0, "create-reflog": 0 }),
  checkout: gitGrammar("qfmp", { quiet: 0, b: 1, B: 1, force: 0, detach: 0, track: 2, "no-track": 0, ours: 0, theirs: 0, merge: 0, patch: 0, orphan: 1, "ignore-other-worktrees": 0, progress: 0, "no-progress": 0, "recurse-submodules": 0, conflict: 1, "overlay": 0, "no-overlay": 0, "pathspec-from-file": 1 }),
  switch: gitGrammar("qfmd", { quiet: 0, c: 1, create: "c", C: 1, "force-create": "C", force: 0, detach: 0, track: 2, "no-track": 0, "discard-changes": 0, merge: 0, orphan: 1, guess: 0, "no-guess": 0, "recurse-submodules": 0, progress: 0, "no-progress": 0, conflict: 1 }),
  restore: gitGrammar("qpSW", { source: 1, s: 1, staged: 0, worktree: 0, quiet: 0, patch: 0, ours: 0, theirs: 0, merge: 0, conflict: 1, "ignore-unmerged": 0, overlay: 0, "no-overlay": 0, "recurse-submodules": 0, progress: 0, "no-progress": 0, "pathspec-from-file": 1 }),
  "cat-file": gitGrammar("tspe", { batch: 2, "batch-check": 2, "allow-unknown-type": 0, textconv: 0, filters: 0, path: 1 }),
  "rev-list": gitGrammar(digits, { ...LOG_OPTS, count: 0, objects: 0, "max-parents": 1, "min-parents": 1 }),
  stash: gitGrammar("pkuqa", { m: 1, message: "m", "keep-index": 0, "no-keep-index": 0, "include-untracked": 0, all: 0, quiet: 0, patch: 0, index: 0, staged: 0, S: 0 }),
  remote: gitGrammar("v", { verbose: 0 }),
  fetch: gitGrammar("qvpPtfnk", {
    quiet: 0, verbose: 0, all: 0, prune: 0, "prune-tags": 0, tags: 0, "no-tags": 0, depth: 1, deepen: 1, "shallow-since": 1,
    unshallow: 0, force: 0, "dry-run": 0, "upload-pack": 1, "recurse-submodules": 2, "no-recurse-submodules": 0,
    "filter": 1, "progress": 0, "no-progress": 0, "atomic": 0, "set-upstream": 0, "multiple": 0, "jobs": 1, j: 1,
  }),
  pull: gitGrammar("qvr", { quiet: 0, verbose: 0, rebase: 2, "no-rebase": 0, "ff-only": 0, ff: 0, "no-ff": 0, "upload-pack": 1, "recurse-submodules": 2, "no-recurse-submodules": 0, depth: 1, tags: 0, "no-tags": 0, "autostash": 0, "no-autostash": 0, "no-edit": 0, "edit": 0, "strategy": 1, s: 1, X: 1, "strategy-option": "X", "progress": 0 }),
  clone: gitGrammar("qvnls", {
    quiet: 0, verbose: 0, "no-checkout": 0, bare: 0, mirror: 0, local: 0, "no-hardlinks": 0, shared: 0, depth: 1,
    "single-branch": 0, "no-single-branch": 0, b: 1, branch: "b", o: 1, origin: "o", "upload-pack": 1, u: 1,
    template: 1, c: 1, config: "c", "separate-git-dir": 1, "recurse-submodules": 2, "shallow-submodules": 0,
    filter: 1, "no-tags": 0, progress: 0, reference: 1, dissociate: 0, jobs: 1, j: 1, "sparse": 0,
  }),
  merge: gitGrammar("qvn", { "no-ff": 0, ff: 0, "ff-only": 0, squash: 0, "no-squash": 0, m: 1, message: "m", "no-edit": 0, edit: 0, abort: 0, continue: 0, quit: 0, "no-commit": 0, commit: 0, stat: 0, "no-stat": 0, quiet: 0, verbose: 0, s: 1, strategy: "s", X: 1, "strategy-option": "X", "allow-unrelated-histories": 0, "no-verify": 0, "autostash": 0 }),
  reset: gitGrammar("qpN", { soft: 0, mixed: 0, hard: 0, merge: 0, keep: 0, quiet: 0, patch: 0, "intent-to-add": 0, "recurse-submodules": 0, "no-recurse-submodules": 0, "pathspec-from-file": 1 }),
  rm: gitGrammar("frnq", { force: 0, cached: 0, "dry-run": 0, quiet: 0, "ignore-unmatch": 0, sparse: 0, "pathspec-from-file": 1 }),
  mv: gitGrammar("fknv", { force: 0, "dry-run": 0, verbose: 0 }),
  "merge-base": gitGrammar("a", { all: 0, octopus: 0, "is-ancestor": 0, "independent": 0, "fork-point": 0 }),
  "show-ref": gitGrammar("dsq", { head: 0, heads: 0, branches: 0, tags: 0, dereference: 0, hash: 2, verify: 0, abbrev: 2, quiet: 0, "exists": 0 }),
  "for-each-ref": gitGrammar("", { count: 1, sort: 1, format: 1, "points-at": 1, merged: 2, "no-merged": 2, contains: 1, "no-contains": 1, "ignore-case": 0, "shell": 0, "perl": 0, "python": 0, "tcl": 0 }),
  reflog: gitGrammar(digits, { ...LOG_OPTS }),
  "count-objects": gitGrammar("vH", { verbose: 0, "human-readable": 0 }),
  version: gitGrammar("", { "build-options": 0 }),
};
/** Per subcommand: the options (canonical names) that run programs or write files. */
const GIT_SUB_CODE: Record<string, readonly string[]> = {
  log: ["ext-diff", "textconv", "output"], show: ["ext-diff", "textconv", "output"], diff: ["ext-diff", "textconv", "output"],
  "rev-list": ["ext-diff", "textconv", "output"], reflog: ["ext-diff", "textconv", "output"],
  grep: ["O", "textconv", "recurse-submodules"], init: ["template", "separate-git-dir"],
  clone: ["upload-pack", "u", "template", "c", "separate-git-dir", "recurse-submodules"],
  fetch: ["upload-pack", "recurse-submodules"], pull: ["upload-pack", "recurse-submodules", "edit"],
  checkout: ["recurse-submodules", "p", "patch"], switch: ["recurse-submodules"], restore: ["recurse-submodules", "p", "patch"],
  reset: ["recurse-submodules", "p", "patch"], "cat-file": ["textconv", "filters"],
  // The editor and the interactive modes read stdin: `printf ':!id\n' | git commit` ran id in vi.
  add: ["p", "patch", "i", "e"], stash: ["p", "patch"], commit: ["e"], merge: ["edit"], tag: ["e"],
};
/** What starting the editor means (commit without a message, tag -a without -m, pull --rebase=interactive). */
const GIT_EDITOR = "starts the editor, which takes its commands from stdin (vi runs :!cmd)";
const GIT_REMOTE_SUB = new Set(["show", "get-url"]);
const GIT_STASH_SUB = new Set(["list", "show", "push", "pop", "apply", "drop", "save", "branch", "clear", "create", "store"]);

export const git: Profile = {
  names: ["git"],
  kind: "code",
  safe: `the subcommands ${Object.keys(GIT_SUB).join(", ")} with their known options; no -c/--config-env/-C/--git-dir/--bare/--exec-path, --upload-pack, --ext-diff, --textconv, --output, grep -O, aliases or other subcommands`,
  check(args, ctx, name) {
    const g = getopt(GIT_GLOBAL, args);
    if (!g.ok) return miss(`${name}: ${g.reason}`);
    for (const o of g.opts) {
      if (Object.hasOwn(GIT_GLOBAL_CODE, o.name)) return miss(`${name} ${o.spelled}: ${GIT_GLOBAL_CODE[o.name]}`);
    }
    const [sub, ...rest] = g.operands;
    if (sub === undefined) return ok; // `git --version`, `git` alone prints usage
    if (!Object.hasOwn(GIT_SUB, sub)) {
      return miss(`${name} ${sub}: not a subcommand in its safe profile (it may be an alias or run programs)`);
    }
    const p = getopt(GIT_SUB[sub]!, rest);
    if (!p.ok) return miss(`${name} ${sub}: ${p.reason}`);
    const code = Object.hasOwn(GIT_SUB_CODE, sub) ? GIT_SUB_CODE[sub]! : [];
    for (const o of p.opts) {
      if (code.includes(o.name)) return miss(`${name} ${sub} ${o.spelled}: ${GIT_CODE_OPTS[o.name] ?? "runs programs"}`);
      if (sub === "clone" && o.name === "o" && o.value?.startsWith("-")) return miss(`${name} clone ${o.spelled}: an option-like remote name`);
    }
    const given = (n: string) => p.opts.some((o) => o.name === n);
    if (sub === "commit" && !given("dry-run") && !["m", "F", "C", "no-edit"].some(given) && !p.opts.some((o) => o.name === "fixup" && !/^(amend|reword):/.test(o.value ?? ""))) {
      return miss(`${name} commit without -m/-F/-C/--no-edit: ${GIT_EDITOR}`);
    }
    if (sub === "tag" && (given("a") || given("annotate")) && !given("m")) return miss(`${name} tag -a without -m: ${GIT_EDITOR}`);
    const rebase = p.opts.find((o) => o.name === "rebase" && o.value !== undefined && /^i/.test(o.value));
    if (sub === "pull" && rebase) return miss(`${name} pull ${rebase.spelled}: ${GIT_EDITOR}`);
    for (const a of p.operands) {
      if (/^[A-Za-z0-9+.-]+::/.test(a)) return miss(`${name} ${sub} ${a}: uses a remote-helper transport, which runs programs`);
    }
    if (sub === "remote" && p.operands.length > 0 && !GIT_REMOTE_SUB.has(p.operands[0]!)) {
      return miss(`${name} remote ${p.operands[0]}: changes remote configuration`);
    }
    if (sub === "stash" && p.operands.length > 0 && !GIT_STASH_SUB.has(p.operands[0]!)) {
      return miss(`${name} stash ${p.operands[0]}: not a stash subcommand it knows`);
    }
    // Where git creates files outside the repository it is in: the clone or init directory;
    // and `mv`, which names work-tree paths.
    const written = sub === "clone" ? p.operands.slice(1, 2) : sub === "init" || sub === "mv" ? p.operands : [];
    // `git clone URL` clones into a directory named after the URL (a symlink there is followed).
    if (sub === "clone" && p.operands.length === 1) {
      const humanish = p.operands[0]!.replace(/\/+$/, "").replace(/\/\.git$/, "").split(/[/:]/).pop()!.replace(/\.(git|bundle)$/, "");
      written.push(humanish === "" ? "." : humanish, `${humanish}.git`);
    }
    for (const f of written) {
      if (!ctx.confined(f)) return miss(`${name} ${sub}: writes ${f}, which is not a path it may change (outside the workspace, in .git, or a pattern)`);
    }
    return ok;
  },
};

// --- network ------------------------------------------------------------------------

export const wget = gnuProfile({
  names: ["wget"],
  safe: "download options; -O/-P/-o and -i only inside the workspace; no -e/--execute, --use-askpass, --config, --post-file/--body-file",
  grammar: {
    // -n takes letters (-nv, -nc, -nd, -nH, -np); -c (--continue) takes no value.
    short: "Vhbe:o:a:dqvn:cNSt:O:T:w:Q:U:rl:kKmpHD:I:X:A:R:i:FB:P:x46E",
    long: {
      version: "V", help: "h", background: "b", execute: "e", "output-file": "o", "append-output": "a", debug: "d",
      quiet: "q", verbose: "v", "no-verbose": 0, "no-clobber": 0, continue: 0, timestamping: "N",
      "server-response": "S", tries: "t", "output-document": "O", timeout: "T", wait: "w", quota: "Q", "user-agent": "U",
      recursive: "r", level: "l", "convert-links": "k", "backup-converted": "K", mirror: "m", "page-requisites": "p",
      "span-hosts": "H", domains: "D", "include-directories": "I", "exclude-directories": "X", accept: "A", reject: "R",
      "input-file": "i", "force-html": "F", base: "B", "directory-prefix": "P", "force-directories": "x",
      "inet4-only": "4", "inet6-only": "6", "adjust-extension": "E", "no-parent": 0, "no-directories": 0,
      "no-host-directories": 0, "cut-dirs": 1, header: 1, "no-check-certificate": 0, "ca-certificate": 1,
      "max-redirect": 1, spider: 0, "content-disposition": 0, "trust-server-names": 0, "retry-connrefused": 0,
      "waitretry": 1, "random-wait": 0, "limit-rate": 1, "read-timeout": 1, "connect-timeout": 1, "dns-timeout": 1,
      "no-cache": 0, "user": 1, "password": 1, "http-user": 1, "http-password": 1, "show-progress": 0, progress: 1,
      "no-proxy": 0, https_only: 0, "https-only": 0, "use-askpass": 1, config: 1, "no-config": 0, "post-file": 1,
      "body-file": 1, "post-data": 1, method: 1, "body-data": 1, "save-headers": 0, "referer": 1, "compression": 1,
    },
  },
  code: {
    e: "runs a .wgetrc command, which can name programs",
    "use-askpass": "names a program wget runs for credentials",
    config: "reads a .wgetrc file, which can name programs",
    "post-file": "uploads a local file",
    "body-file": "uploads a local file",
    b: "keeps running in the background",
  },
  writes: ["O", "o", "a", "P"],
  operands(p, ctx, name) {
    const n = p.opts.find((o) => o.name === "n" && !/^[cdHvp]+$/.test(o.value ?? ""));
    if (n) return miss(`${name} ${n.spelled}: not an option it knows`);
    // Without -O, wget names the file after the URL (index.html for a directory) under -P, and
    // with -N/-c writes into an existing file there, following a symlink: check that name.
    if (!p.opts.some((o) => o.name === "O")) {
      const prefix = p.opts.find((o) => o.name === "P")?.value ?? ".";
      for (const url of p.operands) {
        const path = url.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/, "").replace(/[?#].*$/, "");
        const file = (path.includes("/") ? path.slice(path.lastIndexOf("/") + 1) : "") || "index.html";
        if (!ctx.confined(`${prefix}/${file}`)) return miss(`${name} ${url}: writes ${file}, which is not a path it may change (outside the workspace, in .git, or a pattern)`);
      }
    }
    // -i FILE requests every line of FILE (with -B, as paths on that host): it sends the file.
    const input = p.opts.find((o) => o.name === "i" && o.value !== "-" && !/^[a-z]+:\/\//i.test(o.value!) && !ctx.confined(o.value!));
    return input ? miss(`${name} ${input.spelled}: sends the lines of a local file outside the workspace as requests`) : ok;
  },
});

const CURL_FILE_DATA = new Set(["d", "data", "data-binary", "json", "F", "form", "data-ascii", "form-string"]);

/**
 * Whether curl reads the local file an option's value names and sends it: `-d @f`, `-F n=@f` /
 * `n=<f` / `;headers=@f`, `--data-urlencode @f` / `name@f` (an @ before any =), `-H @f`.
 */
function curlSendsFile(name: string, v: string): boolean {
  if (CURL_FILE_DATA.has(name)) return /^[@<]/.test(v) || /=[@<]/.test(v);
  if (name === "data-urlencode") {
    const at = v.indexOf("@");
    const eq = v.indexOf("=");
    return at >= 0 && (eq < 0 || at < eq);
  }
  if (name === "H") return v.startsWith("@");
  return false;
}
/** Options whose value names a file curl writes. */
const CURL_WRITES = ["o", "D", "c", "output-dir"];

export const curl = gnuProfile({
  names: ["curl"],
  safe: "request options; -o/-D/-c only inside the workspace (no #N templates); no -K/--config, -T/--upload-file, @file data or headers",
  grammar: {
    short: "sSLfIivVqkjJlnRZGN0123456# o:O H:A:X:d:m:u:w:e:b:c:C:r:T:F:K:x:Y:y:z:D:E:U:",
    long: {
      silent: "s", "show-error": "S", location: "L", fail: "f", "fail-with-body": 0, head: "I", include: "i",
      output: "o", "remote-name": "O", "remote-name-all": 0, verbose: "v", version: "V", insecure: "k", header: "H",
      "user-agent": "A", request: "X", data: "d", "data-raw": 1, "data-binary": 1, "data-urlencode": 1, "data-ascii": 1,
      json: 1, "max-time": "m", user: "u", "write-out": "w", referer: "e", cookie: "b", "cookie-jar": "c",
      "continue-at": "C", range: "r", "upload-file": "T", form: "F", "form-string": 1, config: "K", proxy: "x",
      "speed-limit": "Y", "speed-time": "y", "time-cond": "z", "dump-header": "D", cert: "E", "proxy-user": "U",
      "connect-timeout": 1, retry: 1, "retry-delay": 1, "retry-max-time": 1, "retry-all-errors": 0, compressed: 0,
      "create-dirs": 0, "output-dir": 1, http1_1: 0, http2: 0, "http1.1": 0, "ipv4": "4", "ipv6": "6", "no-progress-meter": 0,
      "progress-bar": "#", get: "G", "url": 1, "max-filesize": 1, "max-redirs": 1, "location-trusted": 0, "cacert": 1,
      "resolve": 1, "connect-to": 1, "oauth2-bearer": 1, "no-buffer": "N", "junk-session-cookies": "j",
      "remote-header-name": "J", "list-only": "l", netrc: "n", "remote-time": "R", "parallel": "Z", "disable": "q",
      "trace": 1, "trace-ascii": 1, "libcurl": 1, "stderr": 1, "etag-save": 1, "etag-compare": 1,
    },
  },
  code: {
    K: "reads options from a file",
    T: "uploads a local file",
    trace: "writes a file",
    "trace-ascii": "writes a file",
    libcurl: "writes a file",
    stderr: "writes a file",
    "etag-save": "writes a file",
  },
  writes: CURL_WRITES,
  operands(p, ctx, name) {
    // --output-dir DIR puts -o NAME at DIR/NAME (curl prefixes it even to an absolute NAME).
    const dir = p.opts.find((o) => o.name === "output-dir")?.value;
    // -O names the file after the URL's last path segment (a symlink there is followed).
    if (p.opts.some((o) => o.name === "O" || o.name === "remote-name-all")) {
      for (const url of p.operands) {
        const path = url.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/, "").replace(/[?#].*$/, "");
        const file = path.includes("/") ? path.slice(path.lastIndexOf("/") + 1) : "";
        if (file === "") continue;
        if (/[{}[\]]/.test(file)) return miss(`${name} -O ${url}: the file is named after the URL glob, which is not known now`);
        if (!ctx.confined(`${dir ?? "."}/${file}`)) return miss(`${name} -O ${url}: writes ${file}, which is not a path it may change (outside the workspace, in .git, or a pattern)`);
      }
    }
    for (const o of p.opts) {
      if (dir !== undefined && o.name === "o" && o.value !== undefined && o.value !== "-" && !ctx.confined(`${dir}/${o.value}`)) {
        return miss(`${name} --output-dir ${dir} ${o.spelled}: writes a file outside the workspace`);
      }
      if (o.name === "w" && o.value?.includes("%output{")) return miss(`${name} ${o.spelled}: %output{} writes a file`);
      if (o.value !== undefined && curlSendsFile(o.name, o.value)) return miss(`${name} ${o.spelled}: sends the contents of a local file`);
      // `-o 'x#1'` takes the file name from the URL glob ({…}, […]): not a name known now.
      if (CURL_WRITES.includes(o.name) && /#\d/.test(o.value ?? "")) return miss(`${name} ${o.spelled}: a #N output template names the file after the URL, so where it writes is not known now`);
    }
    return ok;
  },
});


export const ssh = gnuProfile({
  names: ["ssh"],
  safe: "only -V, and -G (print the configuration) with a host",
  grammar: {
    short: "46AaB:b:Cc:D:E:e:F:fGgI:i:J:KkL:l:Mm:NnO:o:P:p:Q:qR:S:sTtVvW:w:XxYy",
    stopAtOperand: true,
  },
  code: {
    o: "sets ssh options (ProxyCommand, LocalCommand, …) that run programs",
    F: "reads a configuration file that can name programs",
    J: "connects through a jump host",
    E: "writes a log file",
    S: "uses a control socket",
    I: "loads a PKCS#11 library",
    M: "starts a control master",
  },
  operands(p, _ctx, name) {
    if (p.opts.some((o) => o.name === "V")) return ok;
    if (p.opts.some((o) => o.name === "G") && p.operands.length === 1) return ok;
    return miss(`${name} runs a shell or a command on another host`);
  },
});

export const scp = gnuProfile({
  names: ["scp"],
  safe: "copy options; no -S (program), -o, -F, -J, -D",
  grammar: { short: "346ABCc:D:F:i:J:l:OP:pqRrS:sTvX:o:" },
  code: {
    S: "names the program scp runs instead of ssh",
    o: "sets ssh options (ProxyCommand, LocalCommand, …) that run programs",
    F: "reads a configuration file that can name programs",
    J: "connects through a jump host",
    D: "names the sftp server program",
    X: "sets sftp options",
  },
  operands: (p, ctx, name) => localDestination(p.operands, ctx, name),
});

/** `host:path` (a colon before any slash) or `rsync://` is remote; a local destination must be inside the workspace. */
function localDestination(operands: readonly string[], ctx: ProfileContext, name: string): Verdict {
  if (operands.length < 2) return ok;
  const dest = operands[operands.length - 1]!;
  if (/^[^/]*:/.test(dest)) return ok;
  return ctx.confined(dest) ? ok : miss(`${name}: copies into ${dest}, which is not a path it may change (outside the workspace, in .git, or a pattern)`);
}

export const rsync = gnuProfile({
  names: ["rsync"],
  safe: "copy options; no -e/--rsh, --rsync-path, -M/--remote-option, --log-file, --write-batch",
  grammar: {
    short: "vqcarRbulLkKHpEAXogDtOJUNmyznWxChPie:f:T:M:B:08FIsS",
    long: {
      verbose: "v", quiet: "q", checksum: "c", archive: "a", recursive: "r", relative: "R", backup: "b", update: "u",
      links: "l", "copy-links": "L", "copy-dirlinks": "k", "keep-dirlinks": "K", "hard-links": "H", perms: "p",
      executability: "E", acls: "A", xattrs: "X", owner: "o", group: "g", devices: 0, specials: 0, times: "t",
      "omit-dir-times": "O", "omit-link-times": "J", "atimes": "U", crtimes: "N", "prune-empty-dirs": "m", fuzzy: "y",
      compress: "z", "dry-run": "n", "whole-file": "W", "one-file-system": "x", "cvs-exclude": "C", "human-readable": "h",
      progress: 0, partial: 0, "itemize-changes": "i", rsh: "e", filter: "f", "temp-dir": "T", "remote-option": "M",
      "block-size": "B", "from0": "0", "8-bit-output": "8", "rsync-path": 1, delete: 0, "delete-after": 0,
      "delete-before": 0, "delete-during": 0, "delete-excluded": 0, exclude: 1, include: 1, "exclude-from": 1,
      "include-from": 1, "files-from": 1, stats: 0, "log-file": 1, "write-batch": 1, "only-write-batch": 1,
      "read-batch": 1, "bwlimit": 1, "timeout": 1, "contimeout": 1, "size-only": 0, "ignore-existing": 0,
      "ignore-times": "I", "sparse": "S", "inplace": 0, "append": 0, "append-verify": 0, "list-only": 0,
      "max-size": 1, "min-size": 1, "max-delete": 1, "chmod": 1, "port": 1, "info": 1, "debug": 1, "mkpath": 0,
      "no-motd": 0, "existing": 0, "numeric-ids": 0, "safe-links": 0, "copy-unsafe-links": 0, "protect-args": "s",
      "secluded-args": "s", ...INFO,
    },
  },
  code: {
    e: "names the remote shell program rsync runs",
    "rsync-path": "names the program rsync runs on the other side",
    M: "passes options to the other side",
    "log-file": "writes a file",
    "write-batch": "writes a file",
    "only-write-batch": "writes a file",
    "read-batch": "replays a batch file",
    K: "treats a symlink to a directory in the destination as that directory, which can be outside the workspace",
  },
  writes: ["T"],
  operands: (p, ctx, name) => localDestination(p.operands, ctx, name),
});

export const TOOL_PROFILES: readonly Profile[] = [rg, sed, awk, sort, split, diff, diff3, sdiff, find, tar, zip, unzip, git, wget, curl, ssh, scp, rsync];

/** For tests: the grammar of a profile with a getopt grammar. */
export type { Verdict };
