// Wrappers (docs/exec.md, "Wrappers"): programs that run their arguments as a command. Each
// profile reads the wrapper's own option grammar and returns the wrapped command, which the
// gate then decides like any other (recursively). A wrapper form not understood, one that
// changes what the wrapped program would be (env -i, PATH=, chroot, proot -r) or one without a
// command where it would start a shell, is a miss. Privilege changers are always a miss.
import { getopt, type Grammar } from "./getopt.js";
import { miss, ok, type Profile, type ProfileContext, type Verdict } from "./types.js";

/** Environment variables a wrapper may set: they cannot change which program runs or load code. */
export const HARMLESS_ENV = /^(LANG|LANGUAGE|LC_[A-Z]+|TZ|TERM|NO_COLOR|COLUMNS|LINES)$/;

interface WrapperSpec {
  names: readonly string[];
  safe: string;
  grammar: Grammar;
  code?: Record<string, string>;
  writes?: readonly string[];
  /** Operands the wrapper takes before the command (timeout DURATION, chrt PRIORITY). */
  lead?: (opts: { name: string }[]) => number;
  /** Words right after the lead operands that make it run code (flock FILE -c CMD). */
  codeAfterLead?: Record<string, string>;
  /** Without a command: fine (prints something) or a miss (starts a shell, runs forever…). */
  bare: "ok" | string;
}

function wrapper(spec: WrapperSpec): Profile {
  // Built once: getopt caches a grammar's compiled form per grammar object.
  const grammar: Grammar = { ...spec.grammar, stopAtOperand: true };
  return {
    names: spec.names,
    kind: "wrapper",
    safe: spec.safe,
    check(args, ctx, name) {
      const p = getopt(grammar, args);
      if (!p.ok) return miss(`${name}: ${p.reason}`);
      for (const o of p.opts) {
        const why = spec.code && Object.hasOwn(spec.code, o.name) ? spec.code[o.name] : undefined;
        if (why) return miss(`${name} ${o.spelled}: ${why}`);
        if (spec.writes?.includes(o.name) && o.value !== undefined && !ctx.confined(o.value)) return miss(`${name} ${o.spelled}: writes a file outside the workspace`);
      }
      const lead = spec.lead ? spec.lead(p.opts) : 0;
      const after = p.operands[lead];
      if (after !== undefined && spec.codeAfterLead && Object.hasOwn(spec.codeAfterLead, after)) return miss(`${name} ${after}: ${spec.codeAfterLead[after]}`);
      return wrapped(name, p.operands, lead, spec.bare, p.opts.some((o) => o.name === "help" || o.name === "version"));
    },
  };
}

function wrapped(name: string, operands: string[], lead: number, bare: string, info: boolean): Verdict {
  if (operands.length < lead) return info ? ok : miss(`${name} is missing its ${lead > 1 ? "arguments" : "argument"} before the command`);
  const argv = operands.slice(lead);
  if (argv.length === 0) return bare === "ok" || info ? ok : miss(`${name} without a command ${bare}`);
  return { ok: true, inner: { argv } };
}

const INFO = { help: 0, version: 0 } as const;

const ENV_GRAMMAR: Grammar = {
  short: "i0u:C:S:v",
  long: { "ignore-environment": "i", null: "0", unset: "u", chdir: "C", "split-string": "S", debug: "v", "default-signal": 2, "ignore-signal": 2, "block-signal": 2, "list-signal-handling": 0, ...INFO },
  stopAtOperand: true,
};

export const env: Profile = {
  names: ["env"],
  kind: "wrapper",
  safe: `NAME=value only for ${HARMLESS_ENV.source}; -u NAME except PATH; no -i, -C, -S`,
  check(args, _ctx, name) {
    const p = getopt(ENV_GRAMMAR, args);
    if (!p.ok) return miss(`${name}: ${p.reason}`);
    for (const o of p.opts) {
      if (o.name === "i") return miss(`${name} ${o.spelled}: clears the environment, which changes where programs are found`);
      if (o.name === "C") return miss(`${name} ${o.spelled}: runs the command in another directory`);
      if (o.name === "S") return miss(`${name} ${o.spelled}: splits a string into a command line, which is not analyzed`);
      if (o.name === "u" && o.value === "PATH") return miss(`${name} ${o.spelled}: changes where programs are found`);
    }
    const ops = [...p.operands];
    if (ops[0] === "-") return miss(`${name} -: clears the environment, which changes where programs are found`);
    while (ops.length > 0 && /^[^=]+=/.test(ops[0]!)) {
      const v = ops.shift()!.split("=")[0]!;
      if (!HARMLESS_ENV.test(v)) return miss(`${name} ${v}=…: setting ${v} can change which program runs or what it loads`);
    }
    return ops.length === 0 ? ok : { ok: true, inner: { argv: ops } };
  },
};

export const nice: Profile = {
  names: ["nice"],
  kind: "wrapper",
  safe: "-n N / --adjustment=N / -N, then the command",
  check(args, ctx, name) {
    // Legacy `nice -5 cmd` / `nice --5 cmd`: a numeric adjustment as the first word.
    const a = args[0] !== undefined && /^--?\d+$/.test(args[0]) ? ["-n", args[0].replace(/^-/, ""), ...args.slice(1)] : args;
    return niceBase.check(a, ctx, name);
  },
};
const niceBase = wrapper({ names: ["nice"], safe: "", grammar: { short: "n:", long: { adjustment: "n", ...INFO } }, bare: "ok" });

export const nohup = wrapper({ names: ["nohup"], safe: "the command", grammar: { long: { ...INFO } }, bare: "is incomplete" });

export const timeout = wrapper({
  names: ["timeout"],
  safe: "-s/-k/-v/--preserve-status/--foreground, DURATION, then the command",
  grammar: { short: "s:k:v", long: { signal: "s", "kill-after": "k", "preserve-status": 0, foreground: 0, verbose: "v", ...INFO } },
  lead: () => 1,
  bare: "is incomplete",
});

export const stdbuf = wrapper({
  names: ["stdbuf"],
  safe: "-i/-o/-e MODE, then the command",
  grammar: { short: "i:o:e:", long: { input: "i", output: "o", error: "e", ...INFO } },
  bare: "is incomplete",
});

export const setsid = wrapper({
  names: ["setsid"],
  safe: "-c/-f/-w, then the command",
  grammar: { short: "cfwhV", long: { ctty: "c", fork: "f", wait: "w", help: "h", version: "V" } },
  bare: "is incomplete",
});

export const taskset = wrapper({
  names: ["taskset"],
  safe: "-c/-a with a mask or list, then the command; no -p",
  grammar: { short: "acphV", long: { "all-tasks": "a", pid: "p", "cpu-list": "c", help: "h", version: "V" } },
  code: { p: "acts on a running process" },
  lead: () => 1,
  bare: "is incomplete",
});

export const chrt = wrapper({
  names: ["chrt"],
  safe: "a policy option and PRIORITY, then the command; no -p",
  grammar: {
    short: "bdfiorRpvhVmaT:P:D:",
    long: { batch: "b", deadline: "d", fifo: "f", idle: "i", other: "o", rr: "r", "reset-on-fork": "R", pid: "p", verbose: "v", help: "h", version: "V", max: "m", "all-tasks": "a", "sched-runtime": "T", "sched-period": "P", "sched-deadline": "D" },
  },
  code: { p: "acts on a running process" },
  lead: (opts) => (opts.some((o) => o.name === "m") ? 0 : 1),
  bare: "ok",
});

export const ionice = wrapper({
  names: ["ionice"],
  safe: "-c/-n/-t, then the command; no -p/-P/-u",
  grammar: { short: "c:n:tp:P:u:hV", long: { class: "c", classdata: "n", ignore: "t", pid: "p", pgid: "P", uid: "u", help: "h", version: "V" } },
  code: { p: "acts on a running process", P: "acts on running processes", u: "acts on running processes" },
  bare: "ok",
});

export const prlimit = wrapper({
  names: ["prlimit"],
  safe: "resource limits, then the command; no -p",
  grammar: {
    short: "p:o:c::d::e::f::i::l::m::n::q::r::s::t::u::v::x::y::hV",
    long: {
      pid: "p", output: "o", noheadings: 0, raw: 0, verbose: 0, as: "v", core: "c", cpu: "t", data: "d", fsize: "f",
      locks: "x", memlock: "l", msgqueue: "q", nice: "e", nofile: "n", nproc: "u", rss: "m", rtprio: "r", rttime: "y",
      sigpending: "i", stack: "s", help: "h", version: "V",
    },
  },
  code: { p: "acts on a running process" },
  bare: "ok",
});

const SETARCH_GRAMMAR: Grammar = {
  short: "hVv3BFILRSTXZ",
  long: {
    "addr-no-randomize": "R", "fdpic-funcptrs": "F", "mmap-page-zero": "Z", "addr-compat-layout": "L", "read-implies-exec": "X",
    "32bit": "B", "short-inode": "I", "whole-seconds": "S", "sticky-timeouts": "T", "3gb": "3", "4gb": 0, "uname-2.6": 0,
    verbose: "v", list: 0, help: "h", version: "V",
  },
  stopAtOperand: true,
};

/** setarch ARCH [options] [command]; linux32/linux64/i386/x86_64… are setarch with the arch in their name. */
export const setarch: Profile = {
  names: ["setarch", "linux32", "linux64", "i386", "x86_64", "i686", "uname26"],
  kind: "wrapper",
  safe: "ARCH and personality flags, then the command (without one it starts a shell: a miss)",
  check(args, _ctx, name) {
    let rest = [...args];
    if (name === "setarch") {
      if (rest.length === 1 && /^(--list|--help|--version|-h|-V)$/.test(rest[0]!)) return ok;
      if (rest.length === 0 || rest[0]!.startsWith("-")) return miss(`${name} needs the architecture first`);
      rest = rest.slice(1);
    }
    const p = getopt(SETARCH_GRAMMAR, rest);
    if (!p.ok) return miss(`${name}: ${p.reason}`);
    if (p.opts.some((o) => ["list", "h", "V"].includes(o.name))) return ok;
    if (p.operands.length === 0) return miss(`${name} without a command starts a shell`);
    return { ok: true, inner: { argv: p.operands } };
  },
};

export const fakeroot = wrapper({
  names: ["fakeroot"],
  safe: "-s/-i state files inside the workspace, -u, then the command (without one it starts a shell: a miss)",
  grammar: { short: "l:s:i:ub:hv", long: { lib: "l", faked: 1, "unknown-is-real": "u", "fd-base": "b", help: "h", version: "v" } },
  code: { l: "loads another preload library", faked: "names the daemon program fakeroot runs", b: "uses an inherited descriptor" },
  writes: ["s"],
  bare: "starts a shell",
});

export const proot = wrapper({
  names: ["proot"],
  safe: "-0, -v, -k, then the command; no -r/-R/-S/-w/-b/-q",
  grammar: {
    short: "r:R:S:b:m:w:q:k:v:0iV h",
    long: { rootfs: "r", bind: "b", mount: "m", cwd: "w", pwd: "w", qemu: "q", "kernel-release": "k", verbose: "v", "root-id": "0", "change-id": "i", version: "V", help: "h", "kill-on-exit": 0, "link2symlink": 0 },
  },
  code: {
    r: "changes the root directory, so the command is not the one checked",
    R: "changes the root directory, so the command is not the one checked",
    S: "changes the root directory, so the command is not the one checked",
    b: "changes what the command sees at a path",
    m: "changes what the command sees at a path",
    w: "runs the command in another directory",
    q: "runs the command through another program (qemu)",
    i: "changes the user id",
  },
  bare: "starts a shell",
});

export const unbuffer = wrapper({ names: ["unbuffer"], safe: "-p, then the command", grammar: { short: "p" }, bare: "is incomplete" });

export const sshpass = wrapper({
  names: ["sshpass"],
  safe: "-p/-f/-e/-P/-v, then the command",
  grammar: { short: "f:d:p:eP:vhV" },
  code: { d: "reads the password from an inherited descriptor" },
  bare: "is incomplete",
});

export const sshAgent = wrapper({
  names: ["ssh-agent"],
  safe: "-a/-E/-t/-O, then the command",
  grammar: { short: "a:cDdE:kO:P:st:" },
  code: { k: "kills the running agent", D: "runs the agent in the foreground", d: "runs the agent in debug mode", P: "allows loading PKCS#11 libraries", c: "prints shell commands", s: "prints shell commands" },
  bare: "starts an agent that outlives the call",
});

export const caffeinate = wrapper({ names: ["caffeinate"], safe: "-d/-i/-m/-s/-u/-t/-w, then the command", grammar: { short: "dimsut:w:" }, bare: "ok" });

export const sandboxExec = wrapper({
  names: ["sandbox-exec"],
  safe: "-f/-n/-p/-D, then the command",
  grammar: { short: "f:n:p:D:" },
  bare: "is incomplete",
});

const XCRUN_GRAMMAR: Grammar = {
  short: "lvnrfkh",
  long: { sdk: 1, toolchain: 1, log: "l", verbose: "v", "no-cache": "n", run: "r", find: "f", kill: "k", help: "h", version: 0, "show-sdk-path": 0, "show-sdk-version": 0, "show-sdk-build-version": 0, "show-sdk-platform-path": 0, "show-sdk-platform-version": 0 },
  stopAtOperand: true,
};

export const xcrun: Profile = {
  names: ["xcrun"],
  kind: "wrapper",
  safe: "--show-sdk-*, --find, --version; a tool it runs is found outside PATH: a miss",
  check(args, _ctx, name) {
    const p = getopt(XCRUN_GRAMMAR, args);
    if (!p.ok) return miss(`${name}: ${p.reason}`);
    if (p.opts.some((o) => o.name === "k")) return miss(`${name} -k: clears its cache`);
    if (p.opts.some((o) => o.name === "f")) return p.operands.length <= 1 ? ok : miss(`${name} --find takes one tool name`);
    if (p.operands.length === 0) return ok;
    return miss(`${name} ${p.operands[0]}: runs a tool from the developer directory, not the program on PATH that was checked`);
  },
};

/** macOS `arch [-x86_64|-arm64…] [-e VAR=v] cmd`; on Linux `arch` only prints the machine type. */
export const arch: Profile = {
  names: ["arch"],
  kind: "wrapper",
  safe: "no arguments; macOS: an -ARCH flag, -e for harmless variables, then the command",
  check(args, _ctx, name) {
    let i = 0;
    for (; i < args.length; i++) {
      const a = args[i]!;
      if (/^-(x86_64h?|arm64e?|i386)$/.test(a)) continue;
      if (a === "-arch") {
        i++;
        continue;
      }
      if (a === "-e" || a === "-d") {
        const v = (args[i + 1] ?? "").split("=")[0]!;
        if (!HARMLESS_ENV.test(v)) return miss(`${name} ${a} ${v}: changing ${v} can change which program runs or what it loads`);
        i++;
        continue;
      }
      if (a === "-c") return miss(`${name} -c: clears the environment, which changes where programs are found`);
      if (a === "--help" || a === "--version" || a === "-h") return ok;
      if (a.startsWith("-")) return miss(`${name}: ${a} is not an option it knows`);
      break;
    }
    return i >= args.length ? ok : { ok: true, inner: { argv: args.slice(i) } };
  },
};

export const time = wrapper({
  names: ["time"],
  safe: "-f/-p/-v/-q, -o only inside the workspace, then the command",
  grammar: { short: "f:o:apqvV", long: { format: "f", output: "o", append: "a", portability: "p", quiet: "q", verbose: "v", version: "V", help: 0 } },
  writes: ["o"],
  bare: "is incomplete",
});

export const flock = wrapper({
  names: ["flock"],
  safe: "-s/-x/-u/-n/-o/-w/-E, LOCKFILE, then the command; no -c",
  grammar: { short: "sxunow:E:c:FhV", long: { shared: "s", exclusive: "x", unlock: "u", nonblock: "n", "close": "o", timeout: "w", "conflict-exit-code": "E", command: "c", "no-fork": "F", verbose: 0, help: "h", version: "V" } },
  code: { c: "runs its command through a shell (-c), which is not analyzed" },
  codeAfterLead: { "-c": "runs its command through a shell, which is not analyzed", "--command": "runs its command through a shell, which is not analyzed" },
  lead: () => 1,
  bare: "ok",
});

/**
 * busybox / toybox: `busybox APPLET args` runs the applet; the gate decides it as that applet.
 * GNU coreutils built as one binary: `coreutils --coreutils-prog=APPLET args`.
 */
export const multicall: Profile = {
  names: ["busybox", "toybox", "coreutils"],
  kind: "wrapper",
  safe: "APPLET args, decided as that applet",
  check(args, _ctx, name) {
    if (name === "coreutils") {
      if (args.length === 1 && /^--(help|version)$/.test(args[0]!)) return ok;
      const m = /^--coreutils-prog=([^/]+)$/.exec(args[0] ?? "");
      if (!m) return miss(`${name}: only --coreutils-prog=APPLET is understood`);
      return { ok: true, inner: { argv: [m[1]!, ...args.slice(1)], applet: true } };
    }
    if (args.length === 0 || /^(--list|--list-full|--help)$/.test(args[0]!)) return args.length <= 1 ? ok : miss(`${name} ${args[0]} takes no arguments`);
    if (args[0]!.startsWith("-")) return miss(`${name}: ${args[0]} is not an option it knows`);
    return { ok: true, inner: { argv: [...args], applet: true } };
  },
};

const XARGS_GRAMMAR: Grammar = {
  short: "0a:d:E:e::I:i::L:l::n:opP:rs:tx",
  long: {
    null: "0", "arg-file": "a", delimiter: "d", eof: "e", replace: "i", "max-lines": "l", "max-args": "n", "open-tty": "o",
    interactive: "p", "max-procs": "P", "no-run-if-empty": "r", "max-chars": "s", verbose: "t", exit: "x",
    "show-limits": 0, "process-slot-var": 1, ...INFO,
  },
  stopAtOperand: true,
};

export const xargs: Profile = {
  names: ["xargs"],
  kind: "wrapper",
  safe: "its batching options, then a command (which gets unknown arguments from stdin: only programs without a profile)",
  check(args, _ctx, name) {
    const p = getopt(XARGS_GRAMMAR, args);
    if (!p.ok) return miss(`${name}: ${p.reason}`);
    const slot = p.opts.find((o) => o.name === "process-slot-var");
    if (slot) return miss(`${name} ${slot.spelled}: sets an environment variable for the command`);
    if (p.opts.some((o) => o.name === "help" || o.name === "version")) return ok;
    return { ok: true, inner: { argv: p.operands.length > 0 ? p.operands : ["echo"], extraArgs: true } };
  },
};

/** Wrappers whose forms are not understood at all: always a miss. */
const ALWAYS = (names: readonly string[], why: string): Profile => ({
  names,
  kind: "wrapper",
  safe: "nothing",
  check: (_a, _c, name) => miss(`${name} ${why}`),
});

const PRIVILEGED = (names: readonly string[], why: string): Profile => ({
  names,
  kind: "privileged",
  safe: "nothing",
  check: (_a, _c, name) => miss(`${name} ${why}`),
});

export const WRAPPER_PROFILES: readonly Profile[] = [
  env, nice, nohup, timeout, stdbuf, setsid, taskset, chrt, ionice, prlimit, setarch, fakeroot, proot, unbuffer, sshpass,
  sshAgent, caffeinate, sandboxExec, xcrun, arch, time, flock, multicall, xargs,
  ALWAYS(["watch", "script", "parallel", "entr", "inotifywait", "nsjail"], "runs its command through a shell or in a way that is not analyzed"),
  ALWAYS(["strace", "ltrace", "gdb", "lldb", "valgrind", "perf", "rr", "catchsegv"], "is a debugger or tracer, which can run and change programs"),
  ALWAYS(["at", "batch", "crontab", "systemd-run", "launchctl", "nq", "tsp"], "schedules a command to run later, outside this call"),
  // Daemons, supervisors and helpers that run a program they are given (as an argument, a
  // script option, or files in a directory) — also busybox/toybox applets.
  ALWAYS([
    "envdir", "envuidgid", "softlimit", "tcpsvd", "udpsvd", "tcpserver", "inotifyd", "incrond", "httpd", "telnetd", "ftpd",
    "tftpd", "inetd", "xinetd", "crond", "cron", "sendmail", "popmaildir", "reformime", "udhcpc", "udhcpc6", "udhcpd",
    "ifplugd", "zcip", "getty", "agetty", "runsv", "runsvdir", "svscan", "supervise", "microcom", "fswatch",
  ], "runs a program it is given (an argument, a script option or a directory of programs), which is not analyzed"),
  PRIVILEGED(["sudo", "doas", "su", "pkexec", "run0", "runuser", "setpriv", "sg", "newgrp", "capsh", "ksu", "calife", "setuidgid", "login"], "changes privileges, which is never allowed through the allowlist"),
  PRIVILEGED(["chroot", "unshare", "nsenter", "firejail", "bwrap", "machinectl", "systemd-nspawn"], "changes the namespace or root the command runs in"),
];

export type { ProfileContext };
