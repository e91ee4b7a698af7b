// File utilities (docs/exec.md, "Profiles"): programs whose operands name the files they
// write, move, delete, link or change. Every file such a program changes must be where a
// redirection may write — inside the workspace and not in git metadata (ctx.confined) — so an
// allowlist entry for `cp` or `tee` with any arguments is no wider than `>`. Files a program
// only reads may be anywhere. A hard link is a write: it makes a file outside reachable by
// name from inside. Pure.
import path from "node:path";
import { getopt, type Grammar } from "./getopt.js";
import { gnuProfile, miss, ok, type Profile, type ProfileContext, type Verdict } from "./types.js";

const INFO = { help: 0, version: 0 } as const;
const BACKUP = { backup: 2, suffix: "S" } as const;

function inside(files: readonly string[], ctx: ProfileContext, name: string, what: string): Verdict {
  for (const f of files) {
    if (!ctx.confined(f)) return miss(`${name}: ${what} ${f}, which is not a path it may change (outside the workspace, in .git, a pattern, or a file with other hard links)`);
  }
  return ok;
}

const has = (p: { opts: readonly { name: string }[] }, n: string) => p.opts.some((o) => o.name === n);
const value = (p: { opts: { name: string; value?: string }[] }, n: string) => p.opts.find((o) => o.name === n)?.value;

/**
 * Where a copy-like program (cp, mv, ln, install) puts its result: `-t DIR` (checked as a
 * written option value) or the last operand. With `-t`, every operand is a source.
 */
function destination(p: { opts: { name: string; value?: string }[]; operands: string[] }): { dest: string | undefined; sources: string[] } {
  if (value(p, "t") !== undefined) return { dest: undefined, sources: p.operands };
  if (p.operands.length < 2) return { dest: ".", sources: p.operands };
  return { dest: p.operands[p.operands.length - 1], sources: p.operands.slice(0, -1) };
}

export const cp = gnuProfile({
  names: ["cp"],
  safe: "copying from anywhere into the workspace; no hard links (-l) to files outside",
  grammar: {
    short: "abdfHilLnPpRrsS:t:TuvxZ",
    long: {
      archive: "a", "attributes-only": 0, "copy-contents": 0, dereference: "L", force: "f", interactive: "i", link: "l",
      "no-clobber": "n", "no-dereference": "P", preserve: 2, "no-preserve": 1, parents: 0, recursive: "R", reflink: 2,
      "remove-destination": 0, sparse: 1, "strip-trailing-slashes": 0, "symbolic-link": "s", "target-directory": "t",
      "no-target-directory": "T", update: 2, verbose: "v", "keep-directory-symlink": 0, "one-file-system": "x",
      context: 2, debug: 0, ...BACKUP, ...INFO,
    },
  },
  writes: ["t"],
  operands(p, ctx, name) {
    const { dest, sources } = destination(p);
    if (dest !== undefined) {
      const v = inside([dest], ctx, name, "writes");
      if (!v.ok) return v;
    }
    // Into a directory, cp writes DIR/NAME and follows a symlink already there (`ln -s ~/.bashrc
    // out/f; cp f out/` overwrote ~/.bashrc): each of those names must be a path it may write.
    const dir = value(p, "t") ?? (has(p, "T") ? undefined : dest);
    if (dir !== undefined) {
      const prefix = dir.endsWith("/") ? dir : `${dir}/`;
      const each = sources.map((s) => prefix + (has(p, "parents") ? s : path.posix.basename(s)));
      const v = inside(each, ctx, name, "writes");
      if (!v.ok) return v;
    }
    return has(p, "l") ? inside(sources, ctx, `${name} -l`, "hard-links") : ok;
  },
});

export const mv = gnuProfile({
  names: ["mv"],
  safe: "moving files within the workspace (the sources are removed, so they must be inside too)",
  grammar: {
    short: "bfinS:t:TuvZ",
    long: {
      exchange: 0, force: "f", interactive: "i", "no-clobber": "n", "no-copy": 0, "strip-trailing-slashes": 0,
      "target-directory": "t", "no-target-directory": "T", update: 2, verbose: "v", context: "Z", debug: 0, ...BACKUP, ...INFO,
    },
  },
  writes: ["t"],
  operands(p, ctx, name) {
    const { dest, sources } = destination(p);
    return inside(dest === undefined ? sources : [...sources, dest], ctx, name, "moves");
  },
});

export const ln = gnuProfile({
  names: ["ln"],
  safe: "links created inside the workspace; symbolic links may point anywhere, hard links only to files inside",
  grammar: {
    short: "bdFfinrsS:t:TLPv",
    long: {
      directory: "d", force: "f", interactive: "i", logical: "L", "no-dereference": "n", physical: "P", relative: "r",
      symbolic: "s", "target-directory": "t", "no-target-directory": "T", verbose: "v", ...BACKUP, ...INFO,
    },
  },
  writes: ["t"],
  operands(p, ctx, name) {
    const { dest, sources } = destination(p);
    if (dest !== undefined) {
      const v = inside([dest], ctx, name, "creates a link at");
      if (!v.ok) return v;
    }
    return has(p, "s") ? ok : inside(sources, ctx, name, "hard-links");
  },
});

export const install = gnuProfile({
  names: ["install"],
  safe: "installing files into the workspace; no --strip-program",
  grammar: {
    short: "bcCdDg:m:o:pPsS:t:TvZ",
    long: {
      compare: "C", directory: "d", group: "g", mode: "m", owner: "o", "preserve-timestamps": "p", "preserve-context": 0,
      strip: "s", "strip-program": 1, "target-directory": "t", "no-target-directory": "T", verbose: "v", context: 2,
      debug: 0, ...BACKUP, ...INFO,
    },
  },
  code: { "strip-program": "names the program install runs to strip binaries" },
  writes: ["t"],
  operands(p, ctx, name) {
    if (has(p, "d")) return inside(p.operands, ctx, name, "creates");
    const { dest } = destination(p);
    return dest === undefined ? ok : inside([dest], ctx, name, "writes");
  },
});

/** Programs whose every operand is a file they change. */
function changesEach(names: string[], what: string, grammar: Grammar, extra: { code?: Record<string, string>; writes?: string[] } = {}): Profile {
  return gnuProfile({
    names,
    safe: `${what} files inside the workspace only`,
    grammar,
    ...extra,
    operands: (p, ctx, name) => inside(p.operands, ctx, name, what),
  });
}

export const rm = changesEach(["rm"], "deletes", {
  short: "dfirIRv",
  long: {
    force: "f", interactive: 2, "one-file-system": 0, "no-preserve-root": 0, "preserve-root": 2, recursive: "r", dir: "d",
    verbose: "v", ...INFO,
  },
});
export const rmdir = changesEach(["rmdir"], "removes", { short: "pv", long: { "ignore-fail-on-non-empty": 0, parents: "p", verbose: "v", ...INFO } });
export const unlink = changesEach(["unlink"], "deletes", { long: { ...INFO } });
export const mkdir = changesEach(["mkdir"], "creates", { short: "m:pvZ", long: { mode: "m", parents: "p", verbose: "v", context: 2, ...INFO } });
export const touch = changesEach(["touch"], "creates or changes", {
  short: "acd:fhmr:t:",
  long: { "no-create": "c", date: "d", "no-dereference": "h", reference: "r", time: 1, ...INFO },
});
export const truncate = changesEach(["truncate"], "truncates", { short: "cor:s:", long: { "no-create": "c", "io-blocks": "o", reference: "r", size: "s", ...INFO } });
export const shred = changesEach(["shred"], "overwrites", {
  short: "fn:s:uvxz",
  long: { force: "f", iterations: "n", "random-source": 1, size: "s", remove: 2, verbose: "v", exact: "x", zero: "z", ...INFO },
});
export const tee = changesEach(["tee"], "writes", { short: "aip", long: { append: "a", "ignore-interrupts": "i", "output-error": 2, ...INFO } });

const OWNERSHIP: Grammar = {
  short: "cfvRhHLP",
  long: {
    changes: "c", silent: "f", quiet: "f", verbose: "v", dereference: 0, "no-dereference": "h", from: 1, "no-preserve-root": 0,
    "preserve-root": 0, reference: 1, recursive: "R", ...INFO,
  },
};
/**
 * chmod modes may start with `-` (`chmod -w f`): such a word, before any `--`, is the mode, not an
 * option. Only mode characters count, so a path spelled like one (`-x/../etc`) is never taken for it.
 */
const MODE = /^-[rwxXstugoa0-7]*([,+=-][rwxXstugoa0-7]*)*$/;

/** chmod, chown, chgrp: the first operand is the mode/owner/group unless --reference names a file. */
function attributes(names: string[], what: string): Profile {
  return {
    names,
    kind: "code",
    safe: `changing the ${what} of files inside the workspace only`,
    check(args, ctx, name) {
      // chmod reads an option-like mode word (`-w`, `-rwx`) as the mode, like coreutils does.
      const end = args.indexOf("--");
      const options = end >= 0 ? args.slice(0, end) : args;
      const mode = name === "chmod" ? options.findIndex((a) => /^-[^-]/.test(a) && MODE.test(a) && !/^-[cfvRhHLP]+$/.test(a)) : -1;
      const p = getopt(OWNERSHIP, mode >= 0 ? args.filter((_, j) => j !== mode) : args);
      if (!p.ok) return miss(`${name}: ${p.reason}`);
      // -R -L follows every symlink met in the tree (`chgrp -R -L g out` with out/l -> ~ changed ~).
      if (has(p, "R") && has(p, "L")) return miss(`${name} -R -L: follows symbolic links inside the tree, which can lead outside the workspace`);
      const files = mode >= 0 || value(p, "reference") !== undefined ? p.operands : p.operands.slice(1);
      return inside(files, ctx, name, `changes the ${what} of`);
    },
  };
}
export const chmod = attributes(["chmod"], "mode");
export const chown = attributes(["chown"], "owner");
export const chgrp = attributes(["chgrp"], "group");

const DD_KEYS = new Set(["if", "of", "bs", "ibs", "obs", "cbs", "count", "skip", "seek", "iseek", "oseek", "conv", "iflag", "oflag", "status"]);

/** dd: `KEY=VALUE` operands only; `of=` inside the workspace. */
export const dd: Profile = {
  names: ["dd"],
  kind: "code",
  safe: "KEY=VALUE operands; of= inside the workspace",
  check(args, ctx, name) {
    if (args.length === 1 && (args[0] === "--help" || args[0] === "--version")) return ok;
    for (const a of args) {
      const eq = a.indexOf("=");
      const key = eq > 0 ? a.slice(0, eq) : "";
      if (!DD_KEYS.has(key)) return miss(`${name}: ${a} is not an operand it knows`);
      if (key === "of") {
        const v = inside([a.slice(eq + 1)], ctx, name, "writes");
        if (!v.ok) return v;
      }
    }
    return ok;
  },
};

/**
 * patch: only with `-o FILE` (inside the workspace), or --dry-run. Patching in place writes what
 * the patch text names: a git rename/copy header overrides even a FILE operand (`patch -p1 f
 * p.diff` with `rename to .git/config` wrote .git/config, with `rename to lnk/x` wrote through a
 * symlink), and the text cannot be read here. No ed scripts.
 */
export const patch = gnuProfile({
  names: ["patch"],
  safe: "patch -o OUT [FILE [PATCHFILE]] with OUT inside the workspace, or --dry-run; no -e/--ed",
  grammar: {
    short: "bB:cd:D:eEfF:g:i:lnNo:p:r:RsStTuvV:xY:z:Z",
    long: {
      backup: "b", prefix: "B", context: "c", directory: "d", ifdef: "D", ed: "e", "remove-empty-files": "E", force: "f",
      fuzz: "F", get: "g", input: "i", "ignore-whitespace": "l", normal: "n", forward: "N", output: "o", strip: "p",
      "reject-file": "r", reverse: "R", quiet: "s", silent: "s", batch: "t", "set-time": "T", unified: "u", version: "v",
      "version-control": "V", "basename-prefix": "Y", suffix: "z", "set-utc": "Z", "dry-run": 0, posix: 0, merge: 2,
      "no-backup-if-mismatch": 0, "backup-if-mismatch": 0, "reject-format": 1, "read-only": 1, "follow-symlinks": 0,
      "quoting-style": 1, verbose: 0, help: 0,
    },
  },
  code: { e: "treats the patch as an ed script, which can run commands", x: "sets debugging flags" },
  writes: ["o", "r", "d", "B", "Y"],
  operands(p, ctx, name) {
    // -d DIR: patch changes into DIR first, so relative names it writes are below DIR too.
    const dir = value(p, "d");
    for (const o of p.opts) {
      if (dir !== undefined && "orBY".includes(o.name) && o.value !== undefined && o.value !== "-" && !o.value.startsWith("/") && !ctx.confined(`${dir}/${o.value}`)) {
        return miss(`${name} -d ${dir} ${o.spelled}: writes a file outside the workspace`);
      }
    }
    if (has(p, "dry-run") || has(p, "v") || has(p, "help")) return ok;
    const out = value(p, "o");
    if (out === undefined || out === "-") {
      return miss(`${name}: patching in place changes the files the patch text names (a git rename or copy header overrides a named file); write the result with -o FILE`);
    }
    return ok;
  },
});

/**
 * Compressors replace each operand with its (de)compressed file and delete the original,
 * unless they write to stdout (-c) or only test or list.
 */
function compressor(names: string[], grammar: Grammar, readOnly: readonly string[], code: Record<string, string> = {}): Profile {
  return gnuProfile({
    names,
    safe: "compressing/decompressing files inside the workspace, or to stdout (-c) from anywhere",
    grammar,
    code,
    operands(p, ctx, name) {
      if (p.opts.some((o) => readOnly.includes(o.name))) return ok;
      return inside(p.operands, ctx, name, "replaces");
    },
  });
}

export const gzip = compressor(
  ["gzip", "gunzip", "uncompress"],
  {
    short: "123456789acdfhklLnNqrS:tvV",
    long: {
      ascii: "a", stdout: "c", "to-stdout": "c", decompress: "d", uncompress: "d", force: "f", help: "h", keep: "k", list: "l",
      license: "L", "no-name": "n", name: "N", quiet: "q", recursive: "r", rsyncable: 0, suffix: "S", synchronous: 0,
      test: "t", verbose: "v", version: "V", fast: "1", best: "9",
    },
  },
  ["c", "t", "l", "L", "h", "V"],
);
export const bzip2 = compressor(
  ["bzip2", "bunzip2"],
  {
    short: "123456789cdfhkLqstvVz",
    long: {
      stdout: "c", decompress: "d", compress: "z", force: "f", help: "h", keep: "k", license: "L", quiet: "q", small: "s",
      test: "t", verbose: "v", version: "V", fast: "1", best: "9",
    },
  },
  ["c", "t", "L", "h", "V"],
);
export const xz = compressor(
  ["xz", "unxz", "lzma", "unlzma"],
  {
    short: "0123456789cC:defF:hHklM:qS:tT:vVz",
    long: {
      compress: "z", decompress: "d", uncompress: "d", test: "t", list: "l", keep: "k", stdout: "c", "to-stdout": "c",
      force: "f", format: "F", check: "C", extreme: "e", threads: "T", quiet: "q", verbose: "v", help: "h",
      "long-help": "H", version: "V", suffix: "S", memlimit: "M", files: 2, files0: 2, "no-sparse": 0, robot: 0,
      "single-stream": 0, "ignore-check": 0, "block-size": 1, "memlimit-compress": 1, "memlimit-decompress": 1,
      "no-adjust": 0, fast: "0", best: "9",
    },
  },
  ["c", "t", "l", "h", "H", "V"],
  { files: "reads the names of the files it replaces from a file", files0: "reads the names of the files it replaces from a file" },
);

const XXD_FLAGS = /^-(a|autoskip|b|bits|e|u|uppercase|p|ps|postscript|plain|i|include|d|decimal|C|capitalize|E|EBCDIC|r|revert|h|help|v|version)$/;
const XXD_VALUES = /^-(c|cols|g|groupsize|o|offset|s|seek|l|len|n|name|R)$/;

/**
 * xxd [options] [infile [outfile]]: it writes (with -r, patches) `outfile`. xxd reads an option by
 * its first letters (`-autoskip`, `-a`, `--a`…); only the documented spellings are known here.
 */
export const xxd: Profile = {
  names: ["xxd"],
  kind: "code",
  safe: "dump and revert options; the output file (second operand) inside the workspace",
  check(args, ctx, name) {
    let i = 0;
    for (; i < args.length; i++) {
      const a = args[i]!;
      if (a === "--") {
        i++;
        break;
      }
      if (!a.startsWith("-") || a === "-") break;
      const w = a.startsWith("--") ? a.slice(1) : a;
      if (XXD_FLAGS.test(w)) continue;
      if (XXD_VALUES.test(w)) {
        if (i + 1 >= args.length) return miss(`${name} ${a} needs a value`);
        i++;
        continue;
      }
      if (/^-[cglos][+-]?(0x)?[0-9a-fA-F]+$/.test(w)) continue;
      return miss(`${name}: ${a} is not an option it knows`);
    }
    const operands = args.slice(i);
    if (operands.length > 2) return miss(`${name} takes at most an input and an output file`);
    const out = operands[1];
    return out === undefined || out === "-" ? ok : inside([out], ctx, name, "writes");
  },
};

/** Filters that write an OUTPUT operand: `uniq [INPUT [OUTPUT]]`. */
export const uniq = gnuProfile({
  names: ["uniq"],
  safe: "filtering options; the OUTPUT operand inside the workspace",
  grammar: {
    short: "cdDf:is:uw:z",
    long: {
      count: "c", repeated: "d", "all-repeated": 2, "skip-fields": "f", group: 2, "ignore-case": "i", "skip-chars": "s",
      unique: "u", "zero-terminated": "z", "check-chars": "w", ...INFO,
    },
  },
  operands(p, ctx, name) {
    if (p.operands.length > 2) return miss(`${name} takes at most an input and an output file`);
    const out = p.operands[1];
    return out === undefined || out === "-" ? ok : inside([out], ctx, name, "writes");
  },
});

export const shuf = gnuProfile({
  names: ["shuf"],
  safe: "shuffling options; -o inside the workspace",
  grammar: {
    short: "ei:n:o:rz",
    long: { echo: "e", "input-range": "i", "head-count": "n", output: "o", "random-source": 1, repeat: "r", "zero-terminated": "z", ...INFO },
  },
  writes: ["o"],
});

export const iconv = gnuProfile({
  names: ["iconv"],
  safe: "conversion options; -o inside the workspace",
  grammar: {
    short: "f:t:clo:sV",
    long: { "from-code": "f", "to-code": "t", list: "l", output: "o", silent: "s", verbose: 0, usage: 0, help: 0, version: "V" },
  },
  writes: ["o"],
});

/** csplit FILE PATTERN…: writes PREFIX00, PREFIX01… (prefix -f, default xx; suffix format -b). */
export const csplit = gnuProfile({
  names: ["csplit"],
  safe: "splitting options; the pieces (prefix -f, default xx) inside the workspace, a -b suffix without /",
  grammar: {
    short: "b:f:kn:qsz",
    long: { "suffix-format": "b", prefix: "f", "keep-files": "k", "suppress-matched": 0, digits: "n", quiet: "q", silent: "s", "elide-empty-files": "z", ...INFO },
  },
  operands(p, ctx, name) {
    const suffix = value(p, "b");
    if (suffix?.includes("/")) return miss(`${name} -b ${suffix}: a suffix with / writes its pieces into other directories`);
    const prefix = value(p, "f") ?? "xx";
    return ctx.confined(`${prefix}00`) ? ok : miss(`${name}: writes its pieces (${prefix}00…) outside the workspace`);
  },
});

const TREE: Grammar = {
  short: "adlfxpsughDFqNQrtvcUSniACJRXeo:L:P:I:H:T:",
  long: {
    inodes: 0, device: 0, noreport: 0, nolinks: 0, dirsfirst: 0, filesfirst: 0, du: 0, si: 0, prune: 0, matchdirs: 0,
    metafirst: 0, "ignore-case": 0, gitignore: 0, info: 0, fromfile: 0, fromtabfile: 0, hyperlink: 0, condense: 0,
    charset: 1, filelimit: 1, timefmt: 1, sort: 1, scheme: 1, authority: 1, gitfile: 1, infofile: 1, hintro: 1,
    houtro: 1, ...INFO,
  },
};

/** tree: listing options; -o FILE inside the workspace; no -R (writes 00Tree.html into every directory it lists). */
export const tree: Profile = {
  names: ["tree"],
  kind: "code",
  safe: "listing options; -o inside the workspace; no -R",
  check(args, ctx, name) {
    const p = getopt(TREE, args);
    if (!p.ok) return miss(`${name}: ${p.reason}`);
    for (const o of p.opts) {
      if (o.name === "R") return miss(`${name} -R: writes an HTML listing into every directory it lists`);
      if (o.name === "o" && !ctx.confined(o.value!)) return miss(`${name} ${o.spelled}: writes a file outside the workspace`);
    }
    return ok;
  },
};

export const FILE_PROFILES: readonly Profile[] = [xxd, uniq, shuf, iconv, csplit, tree, cp, mv, ln, install, rm, rmdir, unlink, mkdir, touch, truncate, shred, tee, chmod, chown, chgrp, dd, patch, gzip, bzip2, xz];
