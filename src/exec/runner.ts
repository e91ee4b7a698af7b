// Host process runner for exec-like tools (and for wrapping sandbox launchers).
// - The child runs detached in its own process group (setsid), so a timeout or an
//   abort kills the whole group, grandchildren included: SIGTERM, then SIGKILL 2 s later.
// - When the direct child exits, whatever is left in its group is killed too (no
//   stray background jobs outliving a tool call), and stdio is closed shortly after.
// - Output is capped: the first `maxOutputBytes` of stdout+stderr (combined) are kept,
//   the rest is drained and dropped so the child never blocks on a full pipe.
// - Never throws: a non-zero exit, a signal, a timeout or even a failed spawn
//   (ENOENT, EACCES) all come back as a result.
// - Only fds 0–2 reach the child: descriptors the gateway inherited from whatever launched it
//   (without close-on-exec) are closed first (closeInheritedFds), so no command — sandboxed
//   or not — can write through one (docs/exec.md, "Environment").
import { spawn } from "node:child_process";
import { closeSync, readdirSync, readFileSync } from "node:fs";
import { Redactor } from "../infra/redact.js";

const O_CLOEXEC = 0o2000000;

/**
 * Close every descriptor >= 3 of this process that lacks close-on-exec. Node opens all of
 * its own files, sockets, pipes and IPC channels with close-on-exec, so such a descriptor
 * was inherited from the launcher (a shell's `exec 5>file`, a supervisor's socket) and
 * would otherwise be inherited by every command we start. Linux only (/proc/self/fdinfo);
 * returns the descriptors it closed.
 */
export function closeInheritedFds(): number[] {
  let fds: string[];
  try {
    fds = readdirSync("/proc/self/fdinfo");
  } catch {
    return [];
  }
  const closed: number[] = [];
  for (const name of fds) {
    const fd = Number(name);
    if (!Number.isInteger(fd) || fd < 3) continue;
    let flags: number;
    try {
      const m = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"));
      if (!m) continue;
      flags = parseInt(m[1]!, 8);
    } catch {
      continue; // closed meanwhile (or it was readdir's own descriptor)
    }
    if (flags & O_CLOEXEC) continue;
    try {
      closeSync(fd);
      closed.push(fd);
    } catch {
      // already gone
    }
  }
  return closed;
}

export interface RunSpec {
  file: string;
  args: string[];
  cwd: string;
  /** The complete environment of the child (nothing is inherited). Use scrubEnv(). */
  env: Record<string, string>;
  timeoutMs: number;
  maxOutputBytes: number;
  signal?: AbortSignal;
  stdin?: string;
}

export interface RunResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  truncated: boolean;
  durationMs: number;
  /** True when `spec.signal` aborted the run. */
  aborted?: boolean;
  /** Set when the process could not be started at all (e.g. "spawn /x ENOENT"). */
  error?: string;
}

/** Grace period between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 2000;
/** After the direct child exits, how long stdio may stay open (held by a leftover) before we stop waiting. */
const STDIO_LINGER_MS = 500;

function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // ESRCH: the group is already gone. EPERM cannot happen for our own children.
  }
}

export function runProcess(spec: RunSpec): Promise<RunResult> {
  const started = Date.now();
  const cap = Math.max(0, Math.floor(spec.maxOutputBytes));
  return new Promise<RunResult>((resolveRun) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let kept = 0;
    let truncated = false;
    let timedOut = false;
    let aborted = false;
    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    let spawnError: string | undefined;
    let done = false;
    let exited = false;
    const timers: NodeJS.Timeout[] = [];

    let child: ReturnType<typeof spawn>;
    try {
      closeInheritedFds();
      child = spawn(spec.file, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        detached: true,
        stdio: [spec.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
        windowsHide: true,
      });
    } catch (e) {
      // Synchronous spawn failures (invalid argument types, bad cwd on some platforms).
      resolveRun({
        exitCode: null,
        signal: null,
        stdout: "",
        stderr: "",
        timedOut: false,
        truncated: false,
        durationMs: Date.now() - started,
        error: e instanceof Error ? e.message : String(e),
      });
      return;
    }
    const pid = child.pid;

    const finish = () => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      spec.signal?.removeEventListener("abort", onAbort);
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.stdin?.destroy();
      const result: RunResult = {
        exitCode,
        signal: exitSignal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        timedOut,
        truncated,
        durationMs: Date.now() - started,
      };
      if (aborted) result.aborted = true;
      if (spawnError !== undefined) result.error = spawnError;
      resolveRun(result);
    };

    const terminate = () => {
      killGroup(pid, "SIGTERM");
      const t = setTimeout(() => killGroup(pid, "SIGKILL"), KILL_GRACE_MS);
      t.unref();
      timers.push(t);
    };

    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      if (kept >= cap) {
        if (chunk.length > 0) truncated = true;
        return; // keep draining, drop the bytes
      }
      const room = cap - kept;
      if (chunk.length > room) {
        into.push(chunk.subarray(0, room));
        kept = cap;
        truncated = true;
      } else {
        into.push(chunk);
        kept += chunk.length;
      }
    };
    child.stdout?.on("data", collect(out));
    child.stderr?.on("data", collect(err));
    // A stream error after the child is gone is not interesting; never let it throw.
    child.stdout?.on("error", () => {});
    child.stderr?.on("error", () => {});

    if (spec.stdin !== undefined && child.stdin) {
      child.stdin.on("error", () => {}); // EPIPE when the child does not read its input
      child.stdin.end(spec.stdin);
    }

    const onAbort = () => {
      if (exited || done) return;
      aborted = true;
      terminate();
    };
    if (spec.signal) {
      if (spec.signal.aborted) onAbort();
      else spec.signal.addEventListener("abort", onAbort, { once: true });
    }

    if (spec.timeoutMs > 0 && Number.isFinite(spec.timeoutMs)) {
      const t = setTimeout(() => {
        if (exited || done) return;
        timedOut = true;
        terminate();
      }, spec.timeoutMs);
      timers.push(t);
    }

    child.on("error", (e) => {
      // Spawn failure: no 'exit' will follow (pid is undefined).
      spawnError = e.message;
      if (pid === undefined) finish();
    });

    child.on("exit", (code, sig) => {
      exited = true;
      exitCode = code;
      exitSignal = sig;
      // Leftovers in the group (background jobs) die with the command.
      killGroup(pid, "SIGKILL");
      // A leftover outside the group (it called setsid) may still hold our pipes: don't wait forever.
      const t = setTimeout(finish, STDIO_LINGER_MS);
      t.unref();
      timers.push(t);
    });

    child.on("close", () => finish());
  });
}

// ---------------------------------------------------------------------------
// Environment scrubbing

/** Variables a command may inherit from the host; everything else is dropped. */
const SAFE_NAMES = new Set(["PATH", "HOME", "LANG", "LANGUAGE", "TERM", "TZ", "USER", "LOGNAME", "SHELL"]);
const SAFE_PATTERN = /^LC_[A-Z_]+$/;
/** Names that are secret whatever the allowlist says. */
const SECRET_NAME = /^SIMPLECLAW_|^AWS_|_API_KEY$|API_KEY|_TOKEN$|TOKEN|_SECRET$|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_KEY/i;
const shapeDetector = new Redactor();

function valueLooksSecret(value: string, secrets: string[]): boolean {
  for (const s of secrets) {
    if (value === s) return true;
    if (s.length >= 8 && value.includes(s)) return true;
  }
  return shapeDetector.text(value) !== value;
}

/**
 * Git settings every command runs with (docs/exec.md, "Git"). A repository's own files can make
 * git run programs: hooks, and `core.fsmonitor` on every `git status`; and a directory the agent
 * filled with HEAD, config, objects/, refs/ and hooks/ passes for a bare repository whose hooks
 * are plain workspace files. Given as command-line config (GIT_CONFIG_COUNT), which overrides
 * every config file and counts as protected configuration for safe.bareRepository.
 */
export const GIT_HARDENING: Readonly<Record<string, string>> = {
  GIT_CONFIG_COUNT: "3",
  GIT_CONFIG_KEY_0: "core.hooksPath",
  GIT_CONFIG_VALUE_0: "/dev/null",
  GIT_CONFIG_KEY_1: "core.fsmonitor",
  GIT_CONFIG_VALUE_1: "false",
  GIT_CONFIG_KEY_2: "safe.bareRepository",
  GIT_CONFIG_VALUE_2: "explicit",
};

/**
 * The environment a command may see: only an allowlist of harmless variables
 * (PATH, HOME, LANG, LC_*, TERM, TZ, USER, LOGNAME, SHELL), and among those nothing
 * whose name or value looks secret (SIMPLECLAW_*, *_API_KEY, *_TOKEN, *_SECRET,
 * *PASSWORD*, AWS_*, a known secret value, a well-known key/token shape); plus GIT_HARDENING.
 */
export function scrubEnv(base: NodeJS.ProcessEnv, extraSecrets: string[] = []): Record<string, string> {
  const secrets = extraSecrets.filter((s) => typeof s === "string" && s.length > 0);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (typeof value !== "string") continue;
    if (!SAFE_NAMES.has(name) && !SAFE_PATTERN.test(name)) continue;
    if (SECRET_NAME.test(name)) continue;
    if (valueLooksSecret(value, secrets)) continue;
    out[name] = value;
  }
  return { ...out, ...GIT_HARDENING };
}
