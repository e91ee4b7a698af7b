// The TUI's `!` local shell: an operator feature by design (DESIGN.md). The command runs
// on the operator's own machine as the operator's user, in `/bin/sh -c`, never through
// the agent or the gateway. It is off when the local config says `tui.localShell: false`.
import { spawn } from "node:child_process";
import { loadConfig } from "../config/io.js";
import { errorMessage } from "../infra/errors.js";

export interface LocalShellSetting {
  enabled: boolean;
  /** Why it is off (one sentence), when it is. */
  reason?: string;
}

/** Reads `tui.localShell` from this machine's config (the one the operator controls). */
export function localShellSetting(env: NodeJS.ProcessEnv = process.env): LocalShellSetting {
  let loaded;
  try {
    loaded = loadConfig(env);
  } catch (err) {
    // Fail closed: when the config cannot be read we cannot tell whether the owner turned it off.
    return { enabled: false, reason: `the local config could not be loaded, so tui.localShell is unknown (${errorMessage(err)})` };
  }
  if (loaded.config.tui.localShell === false) {
    return { enabled: false, reason: `tui.localShell is false in ${loaded.path}; set it to true to allow "!" commands` };
  }
  return { enabled: true };
}

export interface LocalRun {
  /** Resolves when the command has exited and its output is drained. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Ctrl-C: SIGINT to the command's process group, SIGKILL if it is still there 2 s later. */
  interrupt(): void;
}

/** Runs `command` with `/bin/sh -c` in its own process group; output is streamed as it comes. */
export function runLocal(command: string, onOutput: (text: string, stream: "stdout" | "stderr") => void, opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): LocalRun {
  const child = spawn("/bin/sh", ["-c", command], {
    cwd: opts.cwd ?? process.cwd(),
    env: opts.env ?? process.env,
    // No stdin: the terminal belongs to the TUI while the command runs.
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (d: string) => onOutput(d, "stdout"));
  child.stderr.on("data", (d: string) => onOutput(d, "stderr"));
  let killTimer: NodeJS.Timeout | undefined;
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("error", (err) => {
      onOutput(`cannot start /bin/sh: ${err.message}\n`, "stderr");
      resolve({ code: 127, signal: null });
    });
    child.on("close", (code, signal) => {
      if (killTimer) clearTimeout(killTimer);
      resolve({ code, signal });
    });
  });
  const signalGroup = (sig: NodeJS.Signals) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      child.kill(sig);
    }
  };
  return {
    done,
    interrupt() {
      signalGroup("SIGINT");
      killTimer ??= setTimeout(() => signalGroup("SIGKILL"), 2000);
    },
  };
}
