// RPC methods an authenticated client may call, as a registry: name → handler.
// Params are validated against protocol/schema.ts before a handler runs.
import type { z } from "zod";
import { methodParams, type MethodName } from "../protocol/schema.js";
import type { GatewayContext } from "./context.js";
import { getAt, splitKeyPath } from "../config/io.js";
import { UserError } from "../infra/errors.js";
import { MethodError } from "./method-error.js";
import { ChatError } from "../agents/chat.js";
import { CronError } from "../agents/cron.js";
import { jobRow } from "./cron.js";
import { NodeInvokeError } from "../nodes/registry.js";
import { channelConfig, channelNames, isBuiltinChannel } from "../config/channels.js";
import { PairingStore, approvedSenderSession } from "../channels/pairing.js";
import { pluginSecretPaths } from "../plugins/secrets.js";
import { approvalMayMakeOwner, channelOwners } from "../security/principal.js";
import { mayMintSigninCode, type SigninCredential } from "../security/signin-codes.js";
import { statePaths } from "../config/paths.js";
import { errorMessage } from "../infra/errors.js";
import { dirname } from "node:path";
import type { SkillRow, SkillsAllowResult, SkillsListResult } from "../protocol/results.js";

/** Chat failures a client caused become typed protocol errors. */
function chatCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ChatError) throw new MethodError(err.code, err.message);
    throw err;
  }
}

/** Scheduled-job failures a client caused become typed protocol errors. */
function cronCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CronError) throw new MethodError(err.code, err.message);
    throw err;
  }
}

const cronJob = (ctx: GatewayContext, id: string) => jobRow(ctx.cron.get(id), ctx.cron.isRunning(id));

/** Who is calling: handlers that care (node.invoke.result, auth.signin.code) check it. */
export interface Caller {
  connId: string;
  role: "operator" | "node";
  deviceId?: string;
  /** What the connection signed in with (auth.signin.code asks). */
  credential: SigninCredential;
}

type Handler<M extends MethodName> = (ctx: GatewayContext, params: z.output<(typeof methodParams)[M]>, caller: Caller) => unknown;

/** Node invocation failures become typed protocol errors. */
async function nodeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof NodeInvokeError) throw new MethodError(err.code, err.message);
    throw err;
  }
}

/** The DM pairing files under credentials/, re-read on every call (as the channels do). */
const pairingStore = (ctx: GatewayContext) => new PairingStore(statePaths(ctx.env).credentials);

function knownChannel(ctx: GatewayContext, name: string): string {
  if (!channelConfig(ctx.config, name) && !isBuiltinChannel(name)) throw new MethodError("INVALID_REQUEST", `unknown channel "${name}"; channels: ${channelNames(ctx.config).join(", ")}.`);
  return name;
}

export function statusPayload(ctx: GatewayContext) {
  return {
    version: ctx.version,
    node: process.version,
    pid: process.pid,
    uptimeMs: Date.now() - ctx.startedAt,
    bind: ctx.bind,
    tls: ctx.tls,
    auth: { mode: ctx.auth.mode, source: ctx.auth.source },
    connections: { operator: ctx.connections.count("operator"), node: ctx.connections.count("node") },
  };
}

/** New (uncached) skill text one skills.list scans: about a second of scanner time. */
const SKILLS_LIST_SCAN_BUDGET = 1024 * 1024;

/** Every skill for the default agent's workspace, as the Control UI shows it (skills/report.ts). */
async function skillRows(ctx: GatewayContext): Promise<{ skills: SkillRow[]; problems: string[] }> {
  const [{ skillReports }, { defaultAgent, workspacePath }, { skillAllowed }] = await Promise.all([
    import("../skills/report.js"),
    import("../agents/workspace.js"),
    import("../security/skill-access.js"),
  ]);
  const r = skillReports({
    config: ctx.config,
    workspace: workspacePath(ctx.config, defaultAgent(ctx.config), ctx.env),
    env: ctx.env,
    configDir: dirname(ctx.configPath),
    // new text the agent wrote into its skills/ folder cannot stall the gateway for long
    scanBudget: { bytes: SKILLS_LIST_SCAN_BUDGET },
  });
  const skills = r.skills.map(
    (s): SkillRow => ({
      name: s.name,
      description: s.description,
      source: s.source,
      ...(s.plugin ? { plugin: s.plugin } : {}),
      dir: s.realDir ?? s.dir,
      file: s.file,
      status: s.status,
      ...(s.reason ? { reason: s.reason } : {}),
      ...(s.pinned !== undefined ? { pinned: s.pinned } : {}),
      requires: s.requires,
      missing: s.missing,
      allowed: skillAllowed(s.name, ctx.config.skills.allow),
      findings: s.findings,
      unscanned: s.unscanned,
    }),
  );
  return { skills, problems: r.problems };
}

async function changeSkillAllow(ctx: GatewayContext, name: string, allow: boolean): Promise<SkillsAllowResult> {
  const [{ setSkillAllowed }, { loadSkills }, { defaultAgent, workspacePath }] = await Promise.all([
    import("../skills/allow.js"),
    import("../skills/loader.js"),
    import("../agents/workspace.js"),
  ]);
  // The names found now (no scan needed): an unset skills.allow starts from them.
  const found = loadSkills({ config: ctx.config, workspace: workspacePath(ctx.config, defaultAgent(ctx.config), ctx.env), env: ctx.env, configDir: dirname(ctx.configPath) })
    .skills.filter((s) => s.status !== "invalid" && s.status !== "shadowed")
    .map((s) => s.name);
  let next: string[];
  try {
    next = setSkillAllowed(name, allow, ctx.config.skills.allow, found, ctx.env);
  } catch (err) {
    throw new MethodError("INVALID_REQUEST", errorMessage(err));
  }
  ctx.logger.info(allow ? "skill allowed" : "skill denied", { skill: name, by: "operator rpc" });
  // The running gateway picks the change up now (the next agent run uses it).
  const reloaded = ctx.reloadConfig?.();
  if (reloaded && !reloaded.ok) throw new MethodError("UNAVAILABLE", `skills.allow was written but the config could not be reloaded: ${reloaded.problem}`);
  return { name, allowed: allow, allow: next };
}

export const methods: { [M in MethodName]: Handler<M> } = {
  health: (ctx) => ({ ok: true, uptimeMs: Date.now() - ctx.startedAt }),
  status: (ctx) => statusPayload(ctx),
  "config.get": (ctx, params) => {
    const redacted = ctx.logger.redactor.value(ctx.config, pluginSecretPaths(ctx.config, statePaths(ctx.env).plugins, ctx.configPath));
    if (!params.path) return { path: ctx.configPath, config: redacted };
    let parts: string[];
    try {
      parts = splitKeyPath(params.path);
    } catch (err) {
      throw new MethodError("INVALID_REQUEST", (err as UserError).message);
    }
    const value = getAt(redacted, parts);
    if (value === undefined) throw new MethodError("NOT_FOUND", `config has no key ${params.path}.`);
    return { path: ctx.configPath, key: params.path, value };
  },
  "config.reload": (ctx) => {
    if (!ctx.reloadConfig) throw new MethodError("UNAVAILABLE", "this gateway cannot reload its config; restart it.");
    return ctx.reloadConfig();
  },
  "auth.signin.code": (ctx, _params, caller) => {
    const may = mayMintSigninCode(caller.credential);
    if (!may.ok) throw new MethodError("FORBIDDEN", may.reason);
    const minted = ctx.signinCodes.mint();
    ctx.logger.info("control ui sign-in code minted", { expiresAt: minted.expiresAt });
    return minted;
  },
  "chat.send": (ctx, params) =>
    chatCall(() =>
      ctx.chat.send({
        sessionKey: params.sessionKey,
        message: params.message,
        idempotencyKey: params.idempotencyKey,
        origin: { kind: "operator" },
      }),
    ),
  "chat.history": (ctx, params) =>
    chatCall(() => {
      const { key } = ctx.chat.resolveSession(params.sessionKey);
      const session = ctx.store.get(key);
      return {
        sessionKey: key,
        session: session ?? null,
        messages: ctx.store.entries(key, params.limit).map((e) => ({ id: e.id, runId: e.runId, role: e.role, createdAt: e.createdAt, message: e.message })),
      };
    }),
  "chat.abort": (ctx, params) =>
    chatCall(() => {
      const { key } = ctx.chat.resolveSession(params.sessionKey);
      return { sessionKey: key, ...ctx.chat.abort(key, params.runId) };
    }),
  "sessions.list": (ctx) => ({ sessions: ctx.store.list() }),
  "exec.approval.list": (ctx) => ({ pending: ctx.approvals.list() }),
  "channels.status": (ctx) => {
    const store = pairingStore(ctx);
    const full = (channel: string) => {
      try {
        return store.status(channel).full;
      } catch {
        return false; // a broken pairing file is reported by pairing.list
      }
    };
    return { channels: ctx.channels.status().map((c) => (full(c.channel) ? { ...c, pairingQueueFull: true } : c)) };
  },
  "exec.approval.resolve": (ctx, params) => {
    if (!ctx.approvals.resolve(params.id, params.decision, "operator")) {
      throw new MethodError("NOT_FOUND", `no pending approval "${params.id}" (already answered, expired, or never asked).`);
    }
    return { id: params.id, decision: params.decision };
  },
  "sessions.reset": (ctx, params) =>
    chatCall(() => {
      const { key } = ctx.chat.resolveSession(params.sessionKey);
      const archived = ctx.store.reset(key);
      return { sessionKey: key, reset: archived !== undefined, archivedTranscriptId: archived ?? null };
    }),
  "device.pair.list": (ctx) => ctx.devices.list(),
  "device.pair.approve": (ctx, params) => {
    const rec = ctx.devices.approve(params.deviceId);
    if (!rec) throw new MethodError("NOT_FOUND", `no pending pairing request for device "${params.deviceId}" (expired, already decided, or ambiguous).`);
    return { deviceId: rec.deviceId, name: rec.name, role: rec.role, approvedAt: rec.approvedAt };
  },
  "device.pair.reject": (ctx, params) => {
    const rec = ctx.devices.reject(params.deviceId);
    if (!rec) throw new MethodError("NOT_FOUND", `no pending pairing request for device "${params.deviceId}".`);
    return { deviceId: rec.deviceId, rejected: true };
  },
  "device.revoke": (ctx, params) => {
    const rec = ctx.devices.revoke(params.deviceId);
    if (!rec) throw new MethodError("NOT_FOUND", `no paired device "${params.deviceId}".`);
    return { deviceId: rec.deviceId, revoked: true };
  },
  "nodes.list": (ctx) => ({ nodes: ctx.nodes.list() }),
  "nodes.describe": (ctx, params) =>
    nodeCall(async () => {
      const s = ctx.nodes.find(params.nodeId);
      const rec = ctx.devices.store.get(s.deviceId);
      return {
        ...ctx.nodes.list().find((n) => n.nodeId === s.deviceId),
        approvedAt: rec?.approvedAt ?? null,
        invocable: s.commands.filter((c) => ctx.nodes.commandAllowed(c)),
      };
    }),
  "node.invoke": (ctx, params) =>
    nodeCall(async () => {
      const nodeId = ctx.nodes.find(params.nodeId).deviceId;
      const result = await ctx.nodes.invoke({
        node: nodeId,
        command: params.command,
        params: params.params,
        timeoutMs: params.timeoutMs,
        idempotencyKey: params.idempotencyKey,
      });
      return { nodeId, command: params.command, result };
    }),
  "pairing.list": (ctx, params) => {
    const store = pairingStore(ctx);
    const list = params.channel ? [knownChannel(ctx, params.channel)] : channelNames(ctx.config);
    return {
      channels: list.map((channel) => {
        const q = store.status(channel);
        // `owner` as the channel decides it (security/principal.ts): named owners replace a pairing-made one.
        const approved = store.approved(channel);
        const owners = channelOwners(channelConfig(ctx.config, channel) ?? { owners: [] }, new Set(approved.filter((a) => a.owner).map((a) => a.id)));
        const shown = approved.map(({ owner: _flag, ...a }) => (owners.includes(a.id) ? { ...a, owner: true } : a));
        return { channel, pending: q.pending, approved: shown, full: q.full, max: q.max, ...(q.turnedAway ? { turnedAway: q.turnedAway } : {}) };
      }),
    };
  },
  "pairing.clear": (ctx, params) => {
    const channel = knownChannel(ctx, params.channel);
    const dropped = pairingStore(ctx).clear(channel);
    ctx.logger.info("pairing queue cleared", { channel, dropped: dropped.length, by: "operator rpc" });
    for (const r of dropped) ctx.broadcast("pairing.resolved", { channel, senderId: r.senderId, decision: "rejected" });
    return { channel, cleared: dropped.length };
  },
  "pairing.approve": (ctx, params) => {
    // Same rule as `simpleclaw pairing approve`: with no configured owners the first approved sender becomes the owner.
    const cfg = channelConfig(ctx.config, knownChannel(ctx, params.channel));
    const entry = pairingStore(ctx).approve(params.channel, params.code, { ownerIfFirst: approvalMayMakeOwner(cfg) });
    if (!entry) throw new MethodError("NOT_FOUND", `no pending ${params.channel} pairing request with code ${params.code.toUpperCase()} (wrong, expired or already decided).`);
    ctx.logger.info("pairing approved", { channel: params.channel, sender: entry.id, owner: !!entry.owner, by: "operator rpc" });
    ctx.broadcast("pairing.resolved", { channel: params.channel, senderId: entry.id, decision: "approved" });
    const session = approvedSenderSession(ctx.config, params.channel, entry);
    return { channel: params.channel, senderId: entry.id, name: entry.name ?? null, owner: !!entry.owner, approvedAt: entry.approvedAt, sessionKey: session.sessionKey, sharedSession: session.shared, message: session.message };
  },
  "pairing.reject": (ctx, params) => {
    const req = pairingStore(ctx).reject(knownChannel(ctx, params.channel), params.code);
    if (!req) throw new MethodError("NOT_FOUND", `no pending ${params.channel} pairing request with code ${params.code.toUpperCase()}.`);
    ctx.broadcast("pairing.resolved", { channel: params.channel, senderId: req.senderId, decision: "rejected" });
    return { channel: params.channel, senderId: req.senderId, rejected: true };
  },
  "pairing.revoke": (ctx, params) => {
    if (!pairingStore(ctx).revoke(knownChannel(ctx, params.channel), params.senderId)) throw new MethodError("NOT_FOUND", `${params.senderId} is not an approved ${params.channel} sender.`);
    ctx.logger.info("pairing revoked", { channel: params.channel, sender: params.senderId, by: "operator rpc" });
    ctx.broadcast("pairing.resolved", { channel: params.channel, senderId: params.senderId, decision: "revoked" });
    return { channel: params.channel, senderId: params.senderId, revoked: true };
  },
  "skills.list": async (ctx): Promise<SkillsListResult> => {
    const { skills, problems } = await skillRows(ctx);
    return { allowSet: ctx.config.skills.allow !== undefined, skills, problems };
  },
  "skills.allow": (ctx, params) => changeSkillAllow(ctx, params.name, true),
  "skills.deny": (ctx, params) => changeSkillAllow(ctx, params.name, false),
  "cron.list": (ctx) => ({ jobs: ctx.cron.list().map((j) => jobRow(j, ctx.cron.isRunning(j.id))) }),
  "cron.add": (ctx, params) =>
    cronCall(() => {
      const job = ctx.cron.add(params, "operator");
      ctx.logger.info("scheduled job added", { jobId: job.id, by: "operator rpc" });
      return { job: cronJob(ctx, job.id) };
    }),
  "cron.edit": (ctx, params) =>
    cronCall(() => {
      const { id, ...patch } = params;
      ctx.cron.edit(id, patch);
      return { job: cronJob(ctx, id) };
    }),
  "cron.remove": (ctx, params) =>
    cronCall(() => {
      ctx.cron.remove(params.id);
      return { id: params.id, removed: true };
    }),
  "cron.enable": (ctx, params) => cronCall(() => (ctx.cron.setEnabled(params.id, true), { job: cronJob(ctx, params.id) })),
  "cron.disable": (ctx, params) => cronCall(() => (ctx.cron.setEnabled(params.id, false), { job: cronJob(ctx, params.id) })),
  "cron.run": (ctx, params) => cronCall(() => ({ id: params.id, ...ctx.cron.runNow(params.id) })),
  "cron.runs": (ctx, params) => cronCall(() => ({ runs: ctx.cron.runs(params.id, params.limit) })),
  "cron.approve": (ctx, params) =>
    cronCall(() => {
      ctx.cron.approve(params.id);
      ctx.logger.info("scheduled job approved", { jobId: params.id, by: "operator rpc" });
      return { job: cronJob(ctx, params.id) };
    }),
  "cron.reject": (ctx, params) =>
    cronCall(() => {
      ctx.cron.reject(params.id);
      return { id: params.id, rejected: true };
    }),
  "security.audit": async (ctx) => {
    // Static checks only: --deep probes and --fix stay with the CLI on the gateway host.
    const { runAudit, publicReport } = await import("../audit/audit.js");
    try {
      return publicReport((await runAudit({ env: ctx.env })).report);
    } catch (err) {
      throw new MethodError("UNAVAILABLE", `the audit could not run: ${errorMessage(err)}`);
    }
  },
  "node.invoke.result": (ctx, params, caller) => {
    const accepted = ctx.nodes.handleResult(caller.connId, params);
    return { accepted };
  },
};
