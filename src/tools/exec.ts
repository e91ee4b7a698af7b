// The exec tool (group "runtime"): one shell command line, decided by the exec gate
// (security/exec-gate.ts) under the effective approval policy (security/exec-policy.ts), asked about
// when needed (exec/approvals.ts), then run — exactly the line the gate decided — in the
// session's sandbox, or on the host only when the session is not sandboxed.
import { realpathSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { exactEntry } from "../security/exec-allowlist.js";
import { addEntry, agentAllowlist, ApprovalsFileError, loadApprovals } from "../exec/approvals-file.js";
import { effectivePolicy, type ExecPolicy } from "../security/exec-policy.js";
import { recordingResolver } from "../exec/resolve.js";
import { runProcess, scrubEnv, type RunResult } from "../exec/runner.js";
import { escapeForDisplay } from "../infra/display.js";
import { decideExecGate } from "../security/exec-gate.js";
import { isInside } from "../security/fs-containment.js";
import { originIsOwner } from "../security/principal.js";
import { runSandboxed, selectBackend } from "../sandbox/backend.js";
import { DEFAULT_SANDBOX_PATH } from "../sandbox/bwrap.js";
import { privateNotes } from "./fs.js";
import { type ToolContext, type ToolDef } from "./types.js";
import { ToolError } from "../infra/errors.js";

export const EXEC_MAX_OUTPUT_BYTES = 200 * 1024;
const HOST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

const input = z.strictObject({
  command: z.string().min(1).max(16_384).describe("A shell command line, run with /bin/sh -c."),
  cwd: z.string().min(1).max(4096).optional().describe("Working directory inside the workspace (default: the workspace)."),
  timeoutSeconds: z.number().int().min(1).max(1800).default(120),
  elevated: z.boolean().optional().describe("Run on the host instead of the sandbox (only when tools.elevated allows this sender)."),
});
type Input = z.output<typeof input>;


function resolveCwd(ctx: ToolContext, cwd: string | undefined): string {
  if (!cwd) return ctx.workspace;
  let real: string;
  try {
    real = realpathSync(resolve(ctx.workspace, cwd));
  } catch {
    throw new ToolError(`cwd "${cwd}" does not exist in the workspace.`);
  }
  if (!isInside(ctx.workspace, real)) throw new ToolError(`cwd "${cwd}" is outside the workspace (${ctx.workspace}); commands run inside it.`);
  if (!statSync(real).isDirectory()) throw new ToolError(`cwd "${cwd}" is not a directory.`);
  return real;
}

/** tools.elevated: a sandboxed session may run on the host only for allowed senders. */
function elevatedAllowed(ctx: ToolContext): string | undefined {
  const el = ctx.config.tools.elevated;
  if (!el.enabled) return "tools.elevated.enabled is false";
  if (ctx.origin.kind === "operator") return undefined;
  if (ctx.origin.kind === "job") return "a scheduled job's run never elevates (docs/cron.md)";
  const list = Object.hasOwn(el.allowFrom, ctx.origin.channel) ? el.allowFrom[ctx.origin.channel]! : [];
  if (list.includes("*") || list.includes(ctx.origin.peer)) return undefined;
  return `sender ${ctx.origin.channel}:${ctx.origin.peer} is not in tools.elevated.allowFrom.${ctx.origin.channel}`;
}

function formatResult(r: RunResult, note: string): string {
  const head = r.error
    ? `could not start: ${r.error}`
    : r.timedOut
      ? `timed out after ${Math.round(r.durationMs / 1000)} s and was killed`
      : r.aborted
        ? "stopped"
        : r.signal
          ? `killed by ${r.signal}`
          : `exit code ${r.exitCode}`;
  const parts = [`${head}${note}`];
  if (r.stdout) parts.push(`--- stdout ---\n${r.stdout}`);
  if (r.stderr) parts.push(`--- stderr ---\n${r.stderr}`);
  if (r.truncated) parts.push(`[output cut at ${EXEC_MAX_OUTPUT_BYTES} bytes]`);
  return parts.join("\n");
}

export const execTool: ToolDef<Input> = {
  name: "exec",
  group: "runtime",
  description:
    "Run a shell command (/bin/sh -c) in the workspace. Commands not on the owner's allowlist wait for the owner's approval; sandboxed sessions run isolated from the host.",
  inputSchema: input,
  async execute(args, ctx) {
    const stateDir = ctx.services?.stateDir;
    if (!stateDir || !ctx.services) throw new ToolError("exec is unavailable outside a running gateway.");
    let file;
    try {
      file = loadApprovals(stateDir);
    } catch (err) {
      if (err instanceof ApprovalsFileError) throw new ToolError(err.message);
      throw err;
    }
    const cfg = ctx.config.tools.exec;
    const base: ExecPolicy = { security: cfg.security, ask: cfg.ask, askFallback: cfg.askFallback, timeoutSeconds: cfg.askTimeoutSeconds };
    const agentLayer = Object.hasOwn(file.agents, ctx.agentId) ? file.agents[ctx.agentId] : undefined;
    const policy = effectivePolicy(base, file.defaults, agentLayer);

    let sandboxed = ctx.sandbox.required;
    if (args.elevated) {
      const why = elevatedAllowed(ctx);
      if (why) throw new ToolError(`elevated exec refused: ${why}.`);
      sandboxed = false;
    }
    if (sandboxed && ctx.sandbox.workspaceAccess === "none" && args.cwd) {
      throw new ToolError("this session's sandbox has no workspace (workspaceAccess \"none\"); omit cwd.");
    }
    const cwd = resolveCwd(ctx, args.cwd);
    const PATH = sandboxed ? DEFAULT_SANDBOX_PATH : HOST_PATH;

    // Remembers what the gate saw of the filesystem: after an approval wait it must still hold.
    const seen = recordingResolver();
    const gate = decideExecGate({
      command: args.command,
      caller: { kind: "agent", agentId: ctx.agentId, sessionKey: ctx.sessionKey, sandboxed, owner: originIsOwner(ctx.origin) },
      policy,
      allowlist: agentAllowlist(file, ctx.agentId),
      PATH,
      cwd,
      root: ctx.workspace,
      resolver: seen.resolver,
    });
    if (gate.decision === "deny") throw new ToolError(`exec refused: ${gate.reason}`);
    const topLevel = gate.segments.filter((s) => s.wrappedBy === undefined);

    let note = "";
    if (gate.decision === "ask") {
      const started = Date.now();
      const outcome = await ctx.services.approvals.request({
        command: gate.run.args[1],
        argv: topLevel.map((s) => s.argv),
        cwd,
        agentId: ctx.agentId,
        sessionKey: ctx.sessionKey,
        origin: ctx.origin,
        timeoutSeconds: policy.timeoutSeconds,
        signal: ctx.signal,
        onPending: (id, expiresAt) =>
          ctx.notify(`waiting for approval ${id} (${Math.round((expiresAt - Date.now()) / 1000)} s): ${escapeForDisplay(gate.run.args[1])} — answer with /approve ${id} or /deny ${id}`, {
            id,
            command: gate.run.args[1]!,
            expiresAt,
          }),
      });
      const waited = Math.round((Date.now() - started) / 1000);
      const willRun = outcome.decision === "allow-once" || outcome.decision === "allow-always" || (outcome.decision !== "deny" && policy.askFallback === "allow");
      if (willRun) {
        // The owner approved the line as the gate saw it (programs resolved, written paths inside
        // the workspace). A link swapped in or a program replaced during the wait would run
        // something else: refuse, nothing runs and nothing is added to the allowlist.
        const moved = seen.changed();
        if (moved !== null) {
          throw new ToolError(`${escapeForDisplay(moved, { oneLine: true })} changed while the approval was pending, so the approved command would no longer run as it was checked; nothing was run. Ask again.`);
        }
      }
      switch (outcome.decision) {
        case "deny":
          throw new ToolError(`the owner denied this command${outcome.by ? ` (${outcome.by})` : ""}${outcome.reason ? `: ${outcome.reason}` : ""}.`);
        case "timeout":
          if (policy.askFallback !== "allow") throw new ToolError(`nobody answered the approval request within ${policy.timeoutSeconds} s, so it was denied (askFallback: deny).`);
          note = ` (approval timed out after ${waited} s; allowed by askFallback)`;
          break;
        case "no-surface":
          if (policy.askFallback !== "allow") throw new ToolError(`exec needs approval but ${outcome.reason}; denied at once (askFallback: deny).`);
          note = ` (nobody could approve; allowed by askFallback)`;
          break;
        case "allow-always":
          if (gate.segments.length > 0) {
            for (const seg of gate.segments) addEntry(stateDir, ctx.agentId, { ...exactEntry(seg), source: "allow-always" });
            note = ` (approved and added to the allowlist by ${outcome.by ?? "the owner"})`;
          } else {
            note = ` (approved once by ${outcome.by ?? "the owner"}; not added to the allowlist because the command could not be parsed safely)`;
          }
          break;
        case "allow-once":
          note = ` (approved once by ${outcome.by ?? "the owner"} after ${waited} s)`;
          break;
      }
    }

    const env = scrubEnv(process.env);
    env.PATH = PATH;
    const timeoutMs = args.timeoutSeconds * 1000;
    if (!sandboxed) {
      const r = await runProcess({ file: gate.run.file, args: [...gate.run.args], cwd: gate.run.cwd, env, timeoutMs, maxOutputBytes: EXEC_MAX_OUTPUT_BYTES, signal: ctx.signal });
      return formatResult(r, note);
    }
    const backend = await selectBackend(ctx.sandbox.backend);
    if (backend.name === "none") {
      throw new ToolError(`this session must run sandboxed (sandbox.mode ${ctx.sandbox.mode}) but no sandbox is available (${backend.reason}); install bubblewrap or start Docker. Nothing was run.`);
    }
    const r = await runSandboxed(
      backend,
      { workspace: ctx.workspace, cwd: gate.run.cwd, workspaceAccess: ctx.sandbox.workspaceAccess, network: ctx.sandbox.network, env, command: [gate.run.file, ...gate.run.args], sessionKey: ctx.sessionKey, privateNotes: privateNotes(ctx) },
      { timeoutMs, maxOutputBytes: EXEC_MAX_OUTPUT_BYTES, signal: ctx.signal, guard: { stateDir } },
    );
    return formatResult(r, `${note} [sandbox: ${backend.name}]`);
  },
};
