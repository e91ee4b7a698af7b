// system.run on a node host: the node machine's own say over what runs on it. The
// decision is the same exec gate as the gateway's exec tool (security/exec-gate.ts) but
// with THIS machine's config (tools.exec), THIS machine's exec-approvals.json (allowlist of
// agent id "node") and THIS machine's workspace (nodes.workspace, docs/nodes.md): cwd and
// every redirect stay inside it, and the caller cannot widen it. Whatever the gateway asks
// for, a command the node's policy denies never starts; one that needs approval asks the
// node's local operator (a terminal prompt) or falls back per policy — the gateway has no
// way to say "approved".
import { realpathSync, statSync } from "node:fs";
import { isAbsolute } from "node:path";
import { z } from "zod";
import { loadConfig } from "../config/io.js";
import type { Env } from "../config/paths.js";
import { exactEntry } from "../security/exec-allowlist.js";
import { addEntry, agentAllowlist, ApprovalsFileError, loadApprovals } from "../exec/approvals-file.js";
import { effectivePolicy, type ExecPolicy } from "../security/exec-policy.js";
import { fsResolver } from "../exec/resolve.js";
import { GIT_HARDENING, runProcess, scrubEnv } from "../exec/runner.js";
import { escapeForDisplay } from "../infra/display.js";
import { UserError } from "../infra/errors.js";
import { decideExecGate } from "../security/exec-gate.js";
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

export type AskAnswer = "allow-once" | "allow-always" | "deny" | "timeout" | "no-surface";
export type LocalAsker = (req: { command: string; cwd: string; env: string[]; reason: string; timeoutSeconds: number }) => Promise<AskAnswer>;

interface NodeExecConfig {
  policy: ExecPolicy;
  /** tools.exec.nodeWorkspace, real path; null when none is configured. */
  workspace: string | null;
}

/** The node's base policy and workspace: its own config's tools.exec (defaults when it has no config). */
function nodeConfig(env: Env): NodeExecConfig {
  let config;
  try {
    config = loadConfig(env).config;
  } catch (err) {
    throw new CommandError("FORBIDDEN", `this node's config is invalid, so system.run stays denied: ${err instanceof UserError ? err.message : String(err)}`);
  }
  const cfg = config.tools.exec;
  let workspace: string | null = null;
  if (cfg.nodeWorkspace !== undefined) {
    if (!isAbsolute(cfg.nodeWorkspace)) throw new CommandError("FORBIDDEN", `this node's tools.exec.nodeWorkspace must be an absolute path, so system.run stays denied.`);
    try {
      workspace = realpathSync(cfg.nodeWorkspace);
    } catch {
      throw new CommandError("FORBIDDEN", `this node's tools.exec.nodeWorkspace ${cfg.nodeWorkspace} does not exist, so system.run stays denied.`);
    }
  }
  const policy: ExecPolicy = cfg.enabled
    ? { security: cfg.security, ask: cfg.ask, askFallback: cfg.askFallback, timeoutSeconds: cfg.askTimeoutSeconds }
    : { security: "deny", ask: "off", askFallback: "deny", timeoutSeconds: cfg.askTimeoutSeconds };
  return { policy, workspace };
}

/** The caller's cwd, confined to the node's workspace; without one, the caller's cwd or "/" (never $HOME). */
function resolveCwd(cwd: string | undefined, workspace: string | null): string {
  const dir = cwd ?? workspace ?? "/";
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
  const node = nodeConfig(deps.env);
  let file;
  try {
    file = loadApprovals(deps.stateDir);
  } catch (err) {
    if (err instanceof ApprovalsFileError) throw new CommandError("FORBIDDEN", err.message);
    throw err;
  }
  const agentLayer = Object.hasOwn(file.agents, NODE_AGENT_ID) ? file.agents[NODE_AGENT_ID] : undefined;
  const policy = effectivePolicy(node.policy, file.defaults, agentLayer);
  const cwd = resolveCwd(params.cwd, node.workspace);
  const gate = decideExecGate({
    command: params.command,
    caller: { kind: "node", agentId: NODE_AGENT_ID, sandboxed: false, owner: false },
    policy,
    allowlist: agentAllowlist(file, NODE_AGENT_ID),
    PATH: NODE_PATH,
    cwd,
    root: node.workspace,
    ...(params.env ? { env: params.env } : {}),
    resolver: fsResolver,
  });
  const log = deps.log ?? (() => {});
  const shown = escapeForDisplay(params.command, { oneLine: true });
  if (gate.decision === "deny") {
    log(`system.run denied by this node's policy: ${shown} (${gate.reason})`);
    throw new CommandError("FORBIDDEN", `this node's exec policy refused the command: ${gate.reason}`);
  }
  if (gate.decision === "ask") {
    // The person approves what runs: the environment with its values (PAGER=…, GIT_SSH_COMMAND=…
    // run programs), each escaped on one line, not only the variables' names.
    const env = Object.entries(params.env ?? {}).map(([k, v]) => `${k}=${escapeForDisplay(v, { oneLine: true })}`);
    const answer = await deps.ask({ command: gate.run.args[1], cwd: gate.run.cwd, env, reason: gate.reason, timeoutSeconds: policy.timeoutSeconds });
    log(`system.run approval: ${answer}: ${shown}`);
    if (answer === "deny") throw new CommandError("FORBIDDEN", "the node's operator denied this command.");
    if ((answer === "timeout" || answer === "no-surface") && policy.askFallback !== "allow") {
      throw new CommandError(
        "FORBIDDEN",
        answer === "timeout"
          ? `nobody at the node answered within ${policy.timeoutSeconds} s, so it was denied (askFallback: deny).`
          : `the command needs approval on the node (${gate.reason}) and nobody there can answer, so it was denied (askFallback: deny).`,
      );
    }
    if (answer === "allow-always" && gate.segments.length > 0 && !params.env) {
      for (const seg of gate.segments) addEntry(deps.stateDir, NODE_AGENT_ID, { ...exactEntry(seg), source: "allow-always" });
    }
  }
  const childEnv = { ...scrubEnv(process.env), PATH: NODE_PATH, ...(params.env ?? {}), ...GIT_HARDENING };
  log(`system.run: ${shown} (in ${gate.run.cwd})`);
  const r = await runProcess({ file: gate.run.file, args: [...gate.run.args], cwd: gate.run.cwd, env: childEnv, timeoutMs: params.timeoutMs, maxOutputBytes: NODE_RUN_MAX_OUTPUT_BYTES });
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
