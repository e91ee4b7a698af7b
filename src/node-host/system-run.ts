// system.run on a node host: the node machine's own say over what runs on it. The
// decision uses the same pure pieces as the gateway's exec tool (exec/analyze.ts,
// exec/allowlist.ts, exec/policy.ts) but with THIS machine's config (tools.exec) and
// THIS machine's exec-approvals.json (allowlist of agent id "node"). Whatever the
// gateway asks for, a command the node's policy denies never starts; one that needs
// approval asks the node's local operator (a terminal prompt) or falls back per policy.
import { realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute } from "node:path";
import { z } from "zod";
import { loadConfig } from "../config/io.js";
import type { Env } from "../config/paths.js";
import { analyzeCommand } from "../exec/analyze.js";
import { checkAllowlist, exactEntry } from "../exec/allowlist.js";
import { addEntry, agentAllowlist, ApprovalsFileError, loadApprovals } from "../exec/approvals-file.js";
import { decideExec, effectivePolicy, type ExecPolicy } from "../exec/policy.js";
import { runProcess, scrubEnv } from "../exec/runner.js";
import { UserError } from "../infra/errors.js";
import { CommandError } from "./errors.js";

/** The allowlist key in the node's exec-approvals.json (`simpleclaw approvals allowlist add … --agent node`). */
export const NODE_AGENT_ID = "node";
export const NODE_RUN_MAX_OUTPUT_BYTES = 200 * 1024;
export const NODE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export const systemRunParams = z.strictObject({
  command: z.string().min(1).max(16_384),
  cwd: z.string().min(1).max(4096).optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(8192)).optional(),
  timeoutMs: z.number().int().min(1).max(1_800_000).default(120_000),
});
export type SystemRunParams = z.output<typeof systemRunParams>;

/** Variables that cannot change which program runs or how an allowlisted one behaves. */
const HARMLESS_ENV = /^(LANG|LANGUAGE|LC_[A-Z]+|TZ|TERM|NO_COLOR|COLUMNS|LINES)$/;

/**
 * The command analysis assumes a clean environment; any other variable (PATH, LD_PRELOAD,
 * BASH_ENV, PYTHONPATH, …) could change what an allowlisted program does, so it turns an
 * allowlist match into a miss (which asks or denies). Pure.
 */
export function envProblem(env: Record<string, string> | undefined): string | undefined {
  const odd = Object.keys(env ?? {}).filter((k) => !HARMLESS_ENV.test(k));
  return odd.length ? `it sets environment variables that can change what runs (${odd.slice(0, 5).join(", ")})` : undefined;
}

export type AskAnswer = "allow-once" | "allow-always" | "deny" | "timeout" | "no-surface";
export type LocalAsker = (req: { command: string; cwd: string; env: string[]; reason: string; timeoutSeconds: number }) => Promise<AskAnswer>;

/** The node's base policy: its own config's tools.exec (defaults when it has no config). */
function basePolicy(env: Env): ExecPolicy {
  let config;
  try {
    config = loadConfig(env).config;
  } catch (err) {
    throw new CommandError("FORBIDDEN", `this node's config is invalid, so system.run stays denied: ${err instanceof UserError ? err.message : String(err)}`);
  }
  const cfg = config.tools.exec;
  if (!cfg.enabled) return { security: "deny", ask: "off", askFallback: "deny", timeoutSeconds: cfg.askTimeoutSeconds };
  return { security: cfg.security, ask: cfg.ask, askFallback: cfg.askFallback, timeoutSeconds: cfg.askTimeoutSeconds };
}

function resolveCwd(cwd: string | undefined): string {
  const dir = cwd ?? homedir();
  if (!isAbsolute(dir)) throw new CommandError("INVALID_REQUEST", `cwd must be an absolute path on the node, got "${dir}".`);
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    throw new CommandError("INVALID_REQUEST", `cwd ${dir} does not exist on the node.`);
  }
  if (!statSync(real).isDirectory()) throw new CommandError("INVALID_REQUEST", `cwd ${dir} is not a directory.`);
  return real;
}

export async function systemRun(
  params: SystemRunParams,
  deps: { stateDir: string; env: Env; ask: LocalAsker; log?: (line: string) => void },
): Promise<{ exitCode: number | null; stdout: string; stderr: string; signal?: string; timedOut?: boolean; truncated?: boolean }> {
  const base = basePolicy(deps.env);
  let file;
  try {
    file = loadApprovals(deps.stateDir);
  } catch (err) {
    if (err instanceof ApprovalsFileError) throw new CommandError("FORBIDDEN", err.message);
    throw err;
  }
  const agentLayer = Object.hasOwn(file.agents, NODE_AGENT_ID) ? file.agents[NODE_AGENT_ID] : undefined;
  const policy = effectivePolicy(base, file.defaults, agentLayer);
  const cwd = resolveCwd(params.cwd);
  const analysis = analyzeCommand(params.command, { PATH: NODE_PATH, cwd, workspace: cwd });
  const allow = checkAllowlist(analysis, agentAllowlist(file, NODE_AGENT_ID));
  const envWhy = envProblem(params.env);
  const allowlisted = allow.allowed && !envWhy;
  const why = !allow.allowed ? allow.reason : (envWhy ?? "");
  const decision = decideExec(policy, allowlisted, why);
  const log = deps.log ?? (() => {});
  if (decision.kind === "deny") {
    log(`system.run denied by this node's policy: ${params.command} (${decision.reason})`);
    throw new CommandError("FORBIDDEN", `this node's exec policy refused the command: ${decision.reason}`);
  }
  if (decision.kind === "ask") {
    const answer = await deps.ask({ command: params.command, cwd, env: Object.keys(params.env ?? {}), reason: decision.reason, timeoutSeconds: policy.timeoutSeconds });
    log(`system.run approval: ${answer}: ${params.command}`);
    if (answer === "deny") throw new CommandError("FORBIDDEN", "the node's operator denied this command.");
    if ((answer === "timeout" || answer === "no-surface") && policy.askFallback !== "allow") {
      throw new CommandError(
        "FORBIDDEN",
        answer === "timeout"
          ? `nobody at the node answered within ${policy.timeoutSeconds} s, so it was denied (askFallback: deny).`
          : `the command needs approval on the node (${decision.reason}) and nobody there can answer, so it was denied (askFallback: deny).`,
      );
    }
    if (answer === "allow-always" && analysis.ok && !envWhy) {
      for (const seg of analysis.segments) addEntry(deps.stateDir, NODE_AGENT_ID, { ...exactEntry(seg), source: "allow-always" });
    }
  }
  const childEnv = { ...scrubEnv(process.env), PATH: NODE_PATH, ...(params.env ?? {}) };
  log(`system.run: ${params.command} (in ${cwd})`);
  const r = await runProcess({ file: "/bin/sh", args: ["-c", params.command], cwd, env: childEnv, timeoutMs: params.timeoutMs, maxOutputBytes: NODE_RUN_MAX_OUTPUT_BYTES });
  if (r.error) throw new CommandError("INTERNAL", `could not start the command: ${r.error}`);
  return {
    exitCode: r.exitCode,
    stdout: r.stdout,
    stderr: r.stderr,
    ...(r.signal ? { signal: r.signal } : {}),
    ...(r.timedOut ? { timedOut: true } : {}),
    ...(r.truncated ? { truncated: true } : {}),
  };
}
