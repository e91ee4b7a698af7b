// Programs whose every real use runs code (docs/exec.md, "Profiles"): shells, language
// interpreters, package runners and build drivers, compilers, editors, and the network tools
// that can start programs. Their safe profile is --version/--help only: running a script or
// package needs an allowlist entry whose arguments are written out literally (the owner
// approved those exact words). Pagers get a small grammar: reading files is fine, `+cmd` not.
import { getopt, type Grammar } from "./getopt.js";
import { infoOnly, miss, ok, type Profile } from "./types.js";

export const SHELLS = ["sh", "bash", "rbash", "dash", "ash", "zsh", "ksh", "ksh93", "mksh", "pdksh", "oksh", "posh", "yash", "fish", "csh", "tcsh", "elvish", "nu", "xonsh"];
export const INTERPRETERS = [
  "deno", "bun", "ruby", "php", "lua", "luajit", "tclsh", "wish", "Rscript", "R",
  "osascript", "jjs", "irb", "pwsh", "powershell", "guile", "racket", "sbcl", "ghci", "runghc", "julia", "java", "jshell",
  "groovy", "scala", "kotlin", "swift", "erl", "escript", "elixir", "iex", "clisp", "expect",
  "ipython", "jupyter", "bpython", "ptpython", "tcc", "zig", "ghc", "stack", "cabal", "ocaml", "utop", "dart", "nim",
  "crystal", "clojure", "clj", "lein", "csi", "scheme", "gp", "maxima", "sage",
  // database shells (.shell, .system, \!), calculators and macro processors with a shell escape
  "sqlite3", "duckdb", "psql", "mysql", "mariadb", "mongosh", "mongo", "dc", "bc", "m4", "gnuplot", "octave",
  // TeX (\write18), and network clients with a local shell escape or script engine
  "tex", "latex", "pdflatex", "xelatex", "lualatex", "luatex", "nmap", "tcpdump", "sftp", "ftp", "lftp", "telnet", "mail",
  "mailx", "s-nail", "svn", "hg", "gpg", "gpg2", "ssh-keygen", "ssh-add",
];
/** Programs that start other programs: terminals and multiplexers, openers, session and process managers. */
const LAUNCHERS = [
  "tmux", "screen", "dtach", "abduco", "byobu", "xdg-open", "open", "openvt", "gio", "run-parts", "dbus-launch",
  "dbus-run-session", "xvfb-run", "xterm", "x-terminal-emulator", "gnome-terminal", "konsole", "kitty", "alacritty",
  "wezterm", "runcon", "chpst", "daemonize", "start-stop-daemon", "pm2", "nodemon",
];
const RUNNERS = [
  // build drivers: the build file (Makefile, …) in the workspace is code the agent can write
  "make", "bmake",
  "npx", "pnpx", "bunx", "uvx", "npm", "pnpm", "yarn", "pip", "pipx", "uv", "cargo", "go", "gem", "bundle", "composer",
  "poetry", "cmake", "ninja", "gradle", "ant", "rake", "gcc", "cc", "clang", "g++", "c++", "clang++", "docker", "podman",
  "kubectl", "socat", "openssl", "systemctl", "service", "dpkg", "apt", "apt-get", "brew", "snap", "flatpak",
  "corepack", "tsx", "ts-node", "pipenv", "conda", "javac", "dotnet", "msbuild", "xcodebuild", "terraform", "tofu",
  "ansible", "ansible-playbook", "helm", "gh", "esbuild",
];
const EDITORS = [
  "vi", "vim", "nvim", "view", "ex", "vimdiff", "emacs", "emacsclient", "nano", "pico", "ed", "red", "joe", "micro", "mg", "kak", "hx", "code",
  "rvim", "rview", "gvim", "evim", "nvi", "vile", "elvis", "mcedit", "jed", "ne", "vis", "editor", "sensible-editor", "select-editor",
  "visudo", "vipw", "vigr", "edquota", "mc",
];

/**
 * Tools that load the project's own code or configuration from the workspace before anything
 * else, even for --version/--help: Maven's `.mvn/jvm.config` and sbt's `.jvmopts` (JVM options:
 * `-javaagent:x.jar`), pytest's conftest.py and `-p` plugins from pytest.ini (`pytest --help`
 * imported them), eslint/prettier/vitest/webpack… configs, justfile, .envrc. No safe use.
 */
const projectCode: Profile = {
  names: [
    "mvn", "mvnd", "sbt", "pytest", "py.test", "tox", "nox", "pre-commit", "just", "task", "direnv", "meson", "scons",
    "bazel", "bazelisk", "eslint", "prettier", "jest", "vitest", "mocha", "webpack", "rollup", "vite", "babel", "playwright",
  ],
  kind: "interpreter",
  safe: "nothing (even --version/--help loads project files the agent can write)",
  check: (_args, _ctx, name) =>
    miss(`${name} runs code: it loads the project's code or configuration from the workspace (.mvn/jvm.config, conftest.py, pytest.ini, eslint.config.js, …), even for --version/--help`),
};

const shells = infoOnly(SHELLS, "interpreter", "runs shell code (a script file, -c, or stdin)");
const RUNS_CODE = "runs code (a script file, inline code, or stdin)";
const interpreters = infoOnly(INTERPRETERS, "interpreter", RUNS_CODE);
const python = infoOnly(["python", "pypy"], "interpreter", RUNS_CODE, ["-V"]);
const perl = infoOnly(["perl"], "interpreter", RUNS_CODE, ["-v", "-V"]);
const node = infoOnly(["node", "nodejs"], "interpreter", RUNS_CODE, ["-v"]);
const runners = infoOnly(RUNNERS, "interpreter", "runs code from packages, build files or plugins");
const launchers = infoOnly(LAUNCHERS, "interpreter", "starts other programs in a way that is not analyzed");
const editors = infoOnly(EDITORS, "interpreter", "is an editor, which can run shell commands and write any file");

const PAGER_GRAMMAR: Grammar = {
  short: "aBcCdeEfFgGiIJKLmMnNqQrRsSuUVwWXx:y:z:#:b:h:j:P:t:T:o:O:k:",
  long: {
    "quit-at-eof": "e", "QUIT-AT-EOF": "E", "quit-if-one-screen": "F", "ignore-case": "i", "IGNORE-CASE": "I",
    "LINE-NUMBERS": "N", "line-numbers": "n", "raw-control-chars": "r", "RAW-CONTROL-CHARS": "R", "chop-long-lines": "S",
    "no-init": "X", "squeeze-blank-lines": "s", "silent": "q", "quiet": "q", "tabs": "x", "log-file": "o",
    "LOG-FILE": "O", "lesskey-file": "k", "tag": "t", "tag-file": "T", "prompt": "P", help: 0, version: "V",
  },
};

/** less/more as a file viewer: viewing options and files; `+cmd`, log files and lesskey are a miss. */
const pager: Profile = {
  names: ["less", "more", "most", "pg"],
  kind: "code",
  safe: "viewing options and files; no +command, -o/-O log files, -k/--lesskey-file",
  check(args, _ctx, name) {
    if (args.some((a) => a.startsWith("+"))) return miss(`${name} +…: runs a pager command at start (which can start a shell)`);
    const p = getopt(PAGER_GRAMMAR, args);
    if (!p.ok) return miss(`${name}: ${p.reason}`);
    for (const o of p.opts) {
      if (o.name === "o" || o.name === "O") return miss(`${name} ${o.spelled}: writes a log file`);
      if (o.name === "k") return miss(`${name} ${o.spelled}: reads key bindings that can run commands`);
      if (o.name === "t" || o.name === "T") return miss(`${name} ${o.spelled}: reads a tags file`);
    }
    return ok;
  },
};

const NETCAT_GRAMMAR: Grammar = { short: "46bCDdFhklNnruSUvzc:e:I:i:M:m:O:P:p:q:s:T:V:W:w:X:x:", long: { exec: "e", "sh-exec": "c", "lua-exec": 1, listen: "l", verbose: "v", "wait": "w", "source-port": "p", "source": "s", udp: "u", "keep-open": "k", version: 0, help: "h" } };

/** netcat: connecting and listening are fine; -e/-c run a program on the connection. */
const netcat: Profile = {
  names: ["nc", "ncat", "netcat"],
  kind: "code",
  safe: "connect/listen options; no -e/-c/--exec/--sh-exec/--lua-exec",
  check(args, _ctx, name) {
    const p = getopt(NETCAT_GRAMMAR, args);
    if (!p.ok) return miss(`${name}: ${p.reason}`);
    const bad = p.opts.find((o) => o.name === "e" || o.name === "c" || o.name === "lua-exec");
    return bad ? miss(`${name} ${bad.spelled}: runs a program on the connection`) : ok;
  },
};

const MAN_GRAMMAR: Grammar = { short: "akfwW", long: { all: "a", apropos: "k", whatis: "f", where: "w", path: "w", "where-cat": "W", help: 0, version: 0 } };

/** man: pages by name or section; -P/--pager, -H/--html (browser) and the rest are not in the profile. */
const man: Profile = {
  names: ["man"],
  kind: "code",
  safe: "[SECTION] PAGE, -k/-f/-a/-w; no -P/--pager, -H/--html or other options",
  check(args, _ctx, name) {
    const p = getopt(MAN_GRAMMAR, args);
    return p.ok ? ok : miss(`${name}: ${p.reason}`);
  },
};

export const INTERPRETER_PROFILES: readonly Profile[] = [projectCode, shells, interpreters, python, perl, node, runners, launchers, editors, pager, netcat, man];
