// `simpleclaw gateway install|uninstall|start|stop|restart` (lazy-loaded): writes or
// removes the systemd user unit / launchd plist (service/units.ts) and drives
// systemctl --user / launchctl. The unit runs this project's Node with bin/simpleclaw.mjs.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { statePaths } from "../config/paths.js";
import { writeFileAtomic } from "../infra/atomic-fs.js";
import { EXIT, UserError } from "../infra/errors.js";
import {
  launchctlCalls,
  launchdPlist,
  launchdPlistPath,
  serviceEnv,
  SYSTEMD_UNIT,
  systemctlCalls,
  systemdUnit,
  systemdUnitPath,
  type ServiceAction,
  type ServiceCall,
  type ServiceSpec,
} from "../service/units.js";

export interface ServiceDeps {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** Absolute Node binary for ExecStart (default: the one running now, which passed the runtime check). */
  node?: string;
  uid?: number;
  out?: (line: string) => void;
}

/** bin/simpleclaw.mjs of this installation (dist/cli/ → ../../bin). */
export function binPath(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "simpleclaw.mjs");
}

function homeOf(env: NodeJS.ProcessEnv): string {
  return env.HOME && env.HOME.startsWith("/") ? env.HOME : homedir();
}

function run(program: string, call: ServiceCall, env: NodeJS.ProcessEnv): void {
  const r = spawnSync(program, call.args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
  if (r.error) {
    if (call.mayFail) return;
    const missing = (r.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new UserError(
      missing ? `${program} was not found on PATH; this command needs ${program === "systemctl" ? "systemd (a user session)" : "launchd"}.` : `${program} ${call.args.join(" ")} failed: ${r.error.message}.`,
    );
  }
  if (r.status !== 0 && !call.mayFail) {
    const why = `${r.stderr || r.stdout || ""}`.trim().split("\n")[0] || `exit status ${r.status}`;
    throw new UserError(`${program} ${call.args.join(" ")} failed: ${why}.`);
  }
}

export async function serviceCommand(action: ServiceAction, deps: ServiceDeps = {}): Promise<void> {
  const platform = deps.platform ?? process.platform;
  const env = deps.env ?? process.env;
  const out = deps.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const home = homeOf(env);
  const spec = (): ServiceSpec => ({
    node: deps.node ?? process.execPath,
    bin: binPath(),
    env: serviceEnv({ ...env, ...(env.SIMPLECLAW_STATE_DIR ? { SIMPLECLAW_STATE_DIR: statePaths(env).dir } : {}), ...(env.SIMPLECLAW_CONFIG_PATH ? { SIMPLECLAW_CONFIG_PATH: statePaths(env).config } : {}) }),
    logDir: statePaths(env).logs,
  });

  if (platform === "linux") {
    const file = systemdUnitPath(env, home);
    const calls = systemctlCalls(action);
    if (action !== "install" && action !== "uninstall" && !existsSync(file)) {
      throw new UserError(`the gateway service is not installed (${file} is missing); run simpleclaw gateway install first.`);
    }
    if (action === "uninstall" && !existsSync(file)) {
      out(`Nothing to uninstall: ${file} does not exist.`);
      return;
    }
    for (const c of calls.before) run("systemctl", c, env);
    if (action === "install") {
      mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
      writeFileAtomic(file, systemdUnit(spec()), 0o644);
      out(`Wrote ${file}.`);
    }
    if (action === "uninstall") {
      rmSync(file, { force: true });
      out(`Stopped and disabled ${SYSTEMD_UNIT}; removed ${file}.`);
    }
    for (const c of calls.after) run("systemctl", c, env);
    if (action === "install") {
      out(`Enabled and started ${SYSTEMD_UNIT}. Logs: journalctl --user -u ${SYSTEMD_UNIT} -f`);
      out(`To keep it running after you log out: loginctl enable-linger ${env.USER ?? "$USER"}`);
    } else if (action !== "uninstall") {
      out(`${action === "stop" ? "Stopped" : action === "start" ? "Started" : "Restarted"} ${SYSTEMD_UNIT}.`);
    }
    return;
  }

  if (platform === "darwin") {
    const file = launchdPlistPath(home);
    const uid = deps.uid ?? process.getuid?.() ?? 0;
    const calls = launchctlCalls(action, uid, file);
    if (action !== "install" && action !== "uninstall" && !existsSync(file)) {
      throw new UserError(`the gateway service is not installed (${file} is missing); run simpleclaw gateway install first.`);
    }
    if (action === "uninstall" && !existsSync(file)) {
      out(`Nothing to uninstall: ${file} does not exist.`);
      return;
    }
    for (const c of calls.before) run("launchctl", c, env);
    if (action === "install") {
      mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
      mkdirSync(statePaths(env).logs, { recursive: true, mode: 0o700 });
      writeFileAtomic(file, launchdPlist(spec()), 0o644);
      out(`Wrote ${file}.`);
    }
    if (action === "uninstall") {
      rmSync(file, { force: true });
      out(`Unloaded the agent and removed ${file}.`);
    }
    for (const c of calls.after) run("launchctl", c, env);
    if (action === "install") out(`Loaded and started it. Logs: ${join(statePaths(env).logs, "launchd.err.log")}`);
    else if (action !== "uninstall") out(`${action === "stop" ? "Stopped" : action === "start" ? "Started" : "Restarted"} ${file.replace(/^.*\//, "").replace(/\.plist$/, "")}.`);
    return;
  }

  throw new UserError(`gateway ${action} supports Linux (systemd) and macOS (launchd), not ${platform}; run simpleclaw gateway under your own supervisor.`, EXIT.usage);
}
