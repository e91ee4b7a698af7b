// Chat runs, from a message to a reply: commands first (commands.ts), then one run
// at a time per session (later messages queue, in order), the agent loop (run.ts),
// and `chat` events for every client watching. A message is in state.db before it is
// acknowledged (queue.ts); retried sends with the same idempotency key within 24 hours
// return the first result instead of running again, across restarts too.
import { escapeForDisplay } from "../infra/display.js";
import { originIsOwner, originMayManageJobs } from "../security/principal.js";
import { randomUUID } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { isAbsolute } from "node:path";
import type { ModelMessage } from "ai";
import type { Config } from "../config/schema.js";
import { expandHome, statePaths, type Env } from "../config/paths.js";
import { writeFileAtomic } from "../infra/atomic-fs.js";
import type { Logger } from "../infra/log.js";
import { effectiveSandbox, type RunSandbox } from "../security/sandbox-scope.js";
import { loadSkills, runSkills, type RunSkills } from "../skills/loader.js";
import { offeredTools, toolDecision } from "../security/tool-policy.js";
import type { PluginHost } from "../plugins/host.js";
import type { RunOrigin, ToolDef, ToolServices } from "../tools/types.js";
import type { ChatEvent } from "../protocol/results.js";
import { COMMAND_HELP, parseCommand, transcriptJson, transcriptMarkdown, type ChatCommand } from "./commands.js";
import { loadProviderCredentials, resolveModel, type ResolvedModel } from "./model-ref.js";
import { buildSystemPrompt } from "./prompt.js";
import type { RunEvent } from "./run.js";
import { mainSessionKey, parseSessionKey } from "../security/session-scope.js";
import type { SessionStore } from "./store.js";
import type { CronScheduler } from "./cron.js";
import { describeSchedule } from "./cron-schedule.js";
import { IDEMPOTENCY_TTL_MS as DURABLE_IDEMPOTENCY_TTL_MS, type ChatQueueStore, type QueuedMessage } from "./queue.js";
import { defaultAgent, findAgent, seedWorkspace, workspacePath, type AgentConfig } from "./workspace.js";
import { HISTORY_MAX_CHARS, fitHistory, omittedHistoryNote } from "./history.js";

export const IDEMPOTENCY_TTL_MS = DURABLE_IDEMPOTENCY_TTL_MS;
export const MAX_MESSAGE_CHARS = 100_000;
export const MAX_QUEUED_PER_SESSION = 100;

export type ChatOrigin = RunOrigin;

export type { ChatEvent };

export interface SendRequest {
  sessionKey?: string;
  message: string;
  idempotencyKey?: string;
  origin: ChatOrigin;
  /** Receives this run's events (channel adapters use it to reply). */
  listener?: (e: ChatEvent) => void;
}

export interface SendResult {
  runId: string;
  sessionKey: string;
  status: "started" | "queued" | "done";
  duplicate?: boolean;
}

export class ChatError extends Error {
  constructor(
    readonly code: "INVALID_REQUEST" | "NOT_FOUND" | "RATE_LIMITED",
    message: string,
  ) {
    super(message);
  }
}

interface Job {
  runId: string;
  sessionKey: string;
  agent: AgentConfig;
  text: string;
  command?: ChatCommand;
  /** A slash command registered by a plugin. */
  pluginCommand?: { name: string; args: string };
  origin: ChatOrigin;
  listener?: (e: ChatEvent) => void;
}

interface Lane {
  active?: { job: Job; controller: AbortController };
  queue: Job[];
  draining?: Promise<void>;
}

export interface ChatDeps {
  config: Config;
  env: Env;
  store: SessionStore;
  logger: Logger;
  tools: ToolDef[];
  /** Broadcast a `chat` event to every operator client. */
  broadcast(e: ChatEvent): void;
  /** Gateway services for tools (exec approvals). */
  services?: ToolServices;
  /** Answers approvals from /approve and /deny. */
  approvals?: { resolve(id: string, decision: "allow-once" | "allow-always" | "deny", by: string): boolean };
  /** Loaded plugins: slash commands, hooks, model providers. */
  plugins?: PluginHost;
  /** The durable queue and idempotency keys (queue.ts); without it both live in memory only. */
  queue?: ChatQueueStore;
  now?: () => Date;
}

export class ChatService {
  private lanes = new Map<string, Lane>();
  private idempotency = new Map<string, { at: number; result: SendResult }>();
  private closed = false;

  private cron?: Pick<CronScheduler, "list" | "approve" | "reject">;

  constructor(private deps: ChatDeps) {}

  /** Scheduled jobs, for the owner's /cron command (gateway/start.ts wires it). */
  setCron(cron: Pick<CronScheduler, "list" | "approve" | "reject">): void {
    this.cron = cron;
  }

  /** Config hot reload (gateway/reload.ts): runs that start from now on use `config`. */
  setConfig(config: Config): void {
    this.deps.config = config;
  }

  /** Resolve and check a session key (or the default agent's main session). */
  resolveSession(sessionKey: string | undefined): { key: string; agent: AgentConfig } {
    const { config } = this.deps;
    if (sessionKey === undefined) {
      const agent = defaultAgent(config);
      return { key: mainSessionKey(agent.id), agent };
    }
    const parsed = parseSessionKey(sessionKey);
    if (!parsed) throw new ChatError("INVALID_REQUEST", `"${sessionKey}" is not a session key; use agent:<agentId>:main or another agent:<agentId>:… key.`);
    const agent = findAgent(config, parsed.agentId);
    if (!agent) throw new ChatError("NOT_FOUND", `session key ${sessionKey} names agent "${parsed.agentId}", which is not in agents.list.`);
    return { key: sessionKey, agent };
  }

  send(req: SendRequest): SendResult {
    if (this.closed) throw new ChatError("INVALID_REQUEST", "the gateway is shutting down; send the message again after it restarts.");
    if (req.idempotencyKey) {
      const seen = this.idempotency.get(req.idempotencyKey);
      if (seen && Date.now() - seen.at < IDEMPOTENCY_TTL_MS) return { ...seen.result, duplicate: true };
      const stored = this.deps.queue?.lookup(req.idempotencyKey);
      if (stored) return { ...stored, duplicate: true };
    }
    if (req.message.length > MAX_MESSAGE_CHARS) {
      throw new ChatError("INVALID_REQUEST", `the message has ${req.message.length} characters; the limit is ${MAX_MESSAGE_CHARS}.`);
    }
    if (req.message.trim() === "") throw new ChatError("INVALID_REQUEST", "the message is empty.");
    const { key, agent } = this.resolveSession(req.sessionKey);
    const lane = this.lane(key);
    const job = this.job(randomUUID(), key, agent, req.message, req.origin, req.listener);
    const plugins = this.deps.plugins;
    if (plugins?.hasHooks("message:received")) void plugins.emit("message:received", { sessionKey: key, text: req.message, origin: { ...req.origin } });

    let result: SendResult;
    if (["stop", "status", "help", "approve", "cron"].includes(job.command?.name ?? "")) {
      // Answered at once, even while a run is active: they are about the queue itself.
      this.immediate(job, lane);
      result = { runId: job.runId, sessionKey: key, status: "done" };
      if (req.idempotencyKey) this.deps.queue?.accept(undefined, req.idempotencyKey, result);
    } else {
      if (lane.queue.length >= MAX_QUEUED_PER_SESSION) {
        throw new ChatError("RATE_LIMITED", `session ${key} already has ${MAX_QUEUED_PER_SESSION} queued messages; wait for them or send /stop.`);
      }
      const busy = !!lane.active || lane.queue.length > 0;
      result = { runId: job.runId, sessionKey: key, status: busy ? "queued" : "started" };
      // On disk before it is acknowledged: a crash after this line cannot lose it.
      this.deps.queue?.accept({ runId: job.runId, sessionKey: key, agentId: agent.id, text: req.message, origin: req.origin }, req.idempotencyKey, result);
      lane.queue.push(job);
      lane.draining ??= this.drain(key, lane);
    }
    if (req.idempotencyKey && !this.deps.queue) this.remember(req.idempotencyKey, result);
    return result;
  }

  private job(runId: string, sessionKey: string, agent: AgentConfig, text: string, origin: ChatOrigin, listener?: (e: ChatEvent) => void): Job {
    const job: Job = { runId, sessionKey, agent, text, command: parseCommand(text), origin, listener };
    const plugins = this.deps.plugins;
    if (plugins && !job.command) {
      const m = /^\/([a-z][a-z0-9-]*)(?:@\S+)?(?:\s+([\s\S]*))?$/.exec(text.trim());
      if (m && plugins.commands.has(m[1]!)) job.pluginCommand = { name: m[1]!, args: (m[2] ?? "").trim() };
    }
    return job;
  }

  /**
   * After a start: messages acknowledged but never begun run now, in order (their replies
   * go to operator clients and history; a channel's reply listener did not survive the
   * restart). A run that was in flight when the gateway died is not repeated — its tools
   * may have acted — but marked failed in its transcript, so the user sees it. A scheduled
   * job's message is never resumed here: only the scheduler starts a job's run (docs/cron.md),
   * after asking whether it may run now — the job may have been removed, disabled or
   * cron.enabled turned off since — and it records the cut-short run in the job's history.
   */
  recover(): { resumed: number; failed: number } {
    const queue = this.deps.queue;
    if (!queue) return { resumed: 0, failed: 0 };
    let resumed = 0;
    let failed = 0;
    for (const m of queue.pending()) {
      const agent = findAgent(this.deps.config, m.agentId);
      if (m.state === "running" || !agent || m.origin.kind === "job") {
        const why = !agent
          ? `agent "${m.agentId}" is no longer configured`
          : m.origin.kind === "job"
            ? `the gateway stopped before scheduled job ${m.origin.jobId} began; a job runs again only on its schedule`
            : "the gateway stopped (crash or kill) while answering it";
        this.markInterrupted(m, why);
        queue.finished(m.runId);
        failed++;
        continue;
      }
      const lane = this.lane(m.sessionKey);
      lane.queue.push(this.job(m.runId, m.sessionKey, agent, m.text, m.origin));
      lane.draining ??= this.drain(m.sessionKey, lane);
      resumed++;
    }
    if (resumed || failed) this.deps.logger.info("chat queue recovered after a restart", { resumed, failed });
    return { resumed, failed };
  }

  private markInterrupted(m: QueuedMessage, why: string): void {
    const { store } = this.deps;
    store.ensure(m.sessionKey, m.agentId);
    const mine = store.entries(m.sessionKey).filter((e) => e.runId === m.runId);
    const last = mine.at(-1);
    // Its answer was written but the queue row was not cleared yet: it did finish.
    if (last && last.role === "assistant" && !hasToolCall(last.message)) return;
    const messages: ModelMessage[] = [];
    if (!mine.some((e) => e.role === "user")) messages.push({ role: "user", content: m.text });
    messages.push({ role: "assistant", content: [{ type: "text", text: `[Not answered: ${why}. Send the message again if you still want an answer.]` }] });
    store.append(m.sessionKey, m.runId, messages);
    this.emit({ runId: m.runId, sessionKey: m.sessionKey } as Job, { state: "error", message: `this message was not answered: ${why}; send it again.` });
  }

  /** Stop the active run (or one queued run by id). */
  abort(sessionKey: string, runId?: string): { aborted: boolean } {
    const lane = this.lanes.get(sessionKey);
    if (!lane) return { aborted: false };
    if (runId && lane.active?.job.runId !== runId) {
      const i = lane.queue.findIndex((j) => j.runId === runId);
      if (i < 0) return { aborted: false };
      const [job] = lane.queue.splice(i, 1);
      this.deps.queue?.finished(job!.runId);
      this.emit(job!, { state: "aborted", text: "" });
      return { aborted: true };
    }
    if (!lane.active) return { aborted: false };
    lane.active.controller.abort();
    return { aborted: true };
  }

  activeRuns(): number {
    let n = 0;
    for (const l of this.lanes.values()) if (l.active) n++;
    return n;
  }

  /** Stop every run and wait until their state is written. */
  async close(): Promise<void> {
    this.closed = true;
    const drains: Promise<void>[] = [];
    for (const lane of this.lanes.values()) {
      for (const job of lane.queue.splice(0)) {
        this.deps.queue?.finished(job.runId);
        this.emit(job, { state: "aborted", text: "" });
      }
      lane.active?.controller.abort();
      if (lane.draining) drains.push(lane.draining);
    }
    await Promise.all(drains);
  }

  private lane(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { queue: [] };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private remember(key: string, result: SendResult): void {
    const now = Date.now();
    for (const [k, v] of this.idempotency) {
      if (now - v.at < IDEMPOTENCY_TTL_MS) break; // insertion order = age order
      this.idempotency.delete(k);
    }
    this.idempotency.set(key, { at: now, result });
  }

  private emit(job: Job, e: Record<string, unknown> & { state: ChatEvent["state"] }): void {
    const event = { runId: job.runId, sessionKey: job.sessionKey, ...e } as ChatEvent;
    this.deps.broadcast(event);
    try {
      job.listener?.(event);
    } catch (err) {
      this.deps.logger.warn("chat listener failed", { err: (err as Error).message });
    }
  }

  private reply(job: Job, text: string, extra: Record<string, unknown> = {}): void {
    this.emit(job, { state: "final", text, command: job.command?.name, ...extra });
  }

  private async drain(key: string, lane: Lane): Promise<void> {
    try {
      for (let job = lane.queue.shift(); job; job = lane.queue.shift()) {
        const controller = new AbortController();
        lane.active = { job, controller };
        try {
          this.deps.queue?.started(job.runId);
          await this.execute(job, controller.signal);
        } catch (err) {
          this.deps.logger.error("chat run failed", { runId: job.runId, sessionKey: key, err: err instanceof Error ? err.message : String(err) });
          this.emit(job, { state: "error", message: "the run failed inside the gateway; see the gateway log." });
        } finally {
          lane.active = undefined;
          this.deps.queue?.finished(job.runId);
        }
      }
    } finally {
      lane.draining = undefined;
      if (lane.queue.length === 0) this.lanes.delete(key);
    }
  }

  private immediate(job: Job, lane: Lane): void {
    const cmd = job.command!;
    if (cmd.name === "help") return this.reply(job, COMMAND_HELP);
    if (cmd.name === "status") {
      if (!originIsOwner(job.origin)) return this.reply(job, "Only the owner can see /status.");
      return this.reply(job, this.statusText(job, lane));
    }
    if (cmd.name === "approve") return this.reply(job, this.answerApproval(job, cmd));
    if (cmd.name === "cron") return this.reply(job, this.cronCommand(job, cmd));
    // /stop: the active run stops and queued messages are dropped.
    const dropped = lane.queue.splice(0);
    for (const j of dropped) {
      this.deps.queue?.finished(j.runId);
      this.emit(j, { state: "aborted", text: "" });
    }
    const had = !!lane.active;
    lane.active?.controller.abort();
    this.reply(job, had ? `Stopped the current reply${dropped.length ? ` and dropped ${dropped.length} queued message(s)` : ""}.` : "Nothing is running in this session.");
  }

  /** /cron: the owner lists, approves or rejects scheduled jobs from chat (a job's own run is never the owner). */
  private cronCommand(job: Job, cmd: Extract<ChatCommand, { name: "cron" }>): string {
    const may = originMayManageJobs(job.origin);
    if (!may.ok) return may.reason;
    if (!this.cron) return "Scheduled jobs are not available in this gateway.";
    if (!cmd.action) return "Usage: /cron [list], /cron approve <id>, /cron reject <id>";
    if (cmd.action === "list") {
      const jobs = this.cron.list();
      if (!jobs.length) return "No scheduled jobs.";
      const me = job.origin.kind === "channel" ? job.origin : undefined;
      return jobs
        .map((j) => {
          // What the owner approves is what is shown: a pending job's whole prompt, escaped
          // (infra/display.ts); others get a preview that says it is one. And who hears it and
          // who asked for it: a job another sender asked for replies to them, not to the owner.
          const text = escapeForDisplay(j.prompt.replace(/[ \t\r\n]+/g, " "), { oneLine: true });
          const prompt = j.approval === "pending" || text.length <= 120 ? text : `${text.slice(0, 120)}… (${text.length - 120} more characters)`;
          const d = j.deliver;
          const you = d && me && (d.chat ?? "direct") === "direct" && d.channel === me.channel && d.peer === me.peer;
          const to = d ? `replies to ${escapeForDisplay(`${d.channel}:${d.chat === "group" ? "group:" : ""}${d.peer}`, { oneLine: true })}${you ? " (you)" : ""}` : "replies to nobody (kept in its session)";
          const by = j.createdBy === "agent" ? `created by the agent, asked in ${escapeForDisplay(j.createdFrom ?? "?", { oneLine: true })}` : "created by the operator";
          return `${j.id} ${j.approval === "pending" ? "[PENDING] " : j.enabled ? "" : "[off] "}${describeSchedule(j.schedule)} (${by}; ${to}): ${prompt}`;
        })
        .join("\n");
    }
    if (!cmd.id) return `Usage: /cron ${cmd.action} <id>`;
    try {
      if (cmd.action === "approve") {
        const j = this.cron.approve(cmd.id);
        this.deps.logger.info("scheduled job approved", { jobId: j.id, by: "owner (chat)" });
        const to = j.deliver ? escapeForDisplay(`${j.deliver.channel}:${j.deliver.chat === "group" ? "group:" : ""}${j.deliver.peer}`, { oneLine: true }) : "nobody (kept in its session)";
        return `Approved job ${j.id} (${describeSchedule(j.schedule)}; replies to ${to}).`;
      }
      this.cron.reject(cmd.id);
      return `Rejected and removed job ${cmd.id}.`;
    } catch (err) {
      return (err as Error).message;
    }
  }

  private answerApproval(job: Job, cmd: Extract<ChatCommand, { name: "approve" }>): string {
    if (!originIsOwner(job.origin)) return "Only the owner can answer exec approvals.";
    if (!cmd.id) return "Usage: /approve <id> [always] or /deny <id>";
    if (!this.deps.approvals) return "Exec approvals are not available in this gateway.";
    const by = job.origin.kind === "channel" ? `${job.origin.channel}:${job.origin.peer}` : "operator (chat)";
    return this.deps.approvals.resolve(cmd.id, cmd.decision, by)
      ? `Approval ${cmd.id}: ${cmd.decision}.`
      : `No pending approval "${cmd.id}" (already answered or expired).`;
  }

  private seeded = new Map<string, string>();

  /** The agent's workspace, seeded on first use in this process (its real path). */
  private workspace(agent: AgentConfig): string {
    const path = workspacePath(this.deps.config, agent, this.deps.env);
    let real = this.seeded.get(path);
    if (!real || !existsSync(real)) {
      real = seedWorkspace(path);
      this.seeded.set(path, real);
    }
    return real;
  }

  /** The skills this run lists and may read (docs/skills.md); loaded per run, so a new skill needs no restart. */
  private skillsFor(ws: string, sandbox: RunSandbox, offered: ToolDef[]): RunSkills {
    try {
      const { skills } = loadSkills({ config: this.deps.config, workspace: ws, env: this.deps.env });
      return runSkills(skills, { workspace: ws, sandboxed: sandbox.required, workspaceAccess: sandbox.workspaceAccess, readOffered: offered.some((t) => t.name === "read"), allow: this.deps.config.skills.allow });
    } catch (err) {
      // Fail closed: no skills listed, none readable beyond the workspace.
      this.deps.logger.warn("skills could not be loaded", { err: (err as Error).message });
      return { listed: [], unavailable: [], dirs: [] };
    }
  }

  private models(agent: AgentConfig): { models: ResolvedModel[]; problem?: string } {
    const { config, env } = this.deps;
    const primary = agent.model?.primary ?? config.agents.defaults.model.primary;
    const fallbacks = agent.model?.fallbacks ?? config.agents.defaults.model.fallbacks;
    const refs = [primary, ...fallbacks].filter((r): r is string => !!r);
    if (refs.length === 0) return { models: [], problem: "no model is set; set agents.defaults.model.primary to a provider/model such as anthropic/claude-sonnet-4-5." };
    let creds = {};
    try {
      creds = loadProviderCredentials(statePaths(env).credentials);
    } catch (err) {
      return { models: [], problem: (err as Error).message };
    }
    const models: ResolvedModel[] = [];
    let problem: string | undefined;
    for (const ref of refs) {
      const r = resolveModel(ref, config, env, creds, this.deps.plugins?.providers);
      if (r.ok) models.push(r.model);
      else problem ??= r.reason;
    }
    return { models, problem };
  }

  private sandboxLine(agent: AgentConfig, key: string): string {
    const sb = effectiveSandbox(this.deps.config, agent, key);
    return sb.required
      ? `required for this session (sandbox.mode ${sb.mode}, ${sb.backend} backend, workspace ${sb.workspaceAccess}, network ${sb.network ? "on" : "off"}); commands run isolated from the host.`
      : `off for this session (sandbox.mode ${sb.mode}); tools act directly on the host within their policy.`;
  }

  private statusText(job: Job, lane: Lane): string {
    const { store, config, tools } = this.deps;
    const s = store.get(job.sessionKey);
    const { models, problem } = this.models(job.agent);
    const allowed = offeredTools(tools, config, job.agent, job.sessionKey).map((t) => t.name);
    const refused = tools.filter((t) => !toolDecision(t, config, job.agent, job.sessionKey).allowed).map((t) => t.name);
    return [
      `Session: ${job.sessionKey} (agent ${job.agent.id})`,
      `Model: ${models.length ? models.map((m) => m.ref).join(" → ") : `not configured — ${problem}`}`,
      `Tokens: ${s?.inputTokens ?? 0} in / ${s?.outputTokens ?? 0} out, ${s?.messageCount ?? 0} messages in this transcript`,
      `Sandbox: ${this.sandboxLine(job.agent, job.sessionKey)}`,
      `Tools: ${allowed.join(", ") || "none"}${refused.length ? ` (off by policy: ${refused.join(", ")})` : ""}`,
      `Run: ${lane.active ? `replying (run ${lane.active.job.runId})` : "idle"}${lane.queue.length ? `, ${lane.queue.length} queued` : ""}`,
    ].join("\n");
  }

  private async execute(job: Job, signal: AbortSignal): Promise<void> {
    const { store } = this.deps;
    const cmd = job.command;
    if (cmd?.name === "new") {
      const archived = store.get(job.sessionKey) ? store.reset(job.sessionKey) : undefined;
      return this.reply(job, archived ? "Started a new conversation; the previous transcript is archived." : "Started a new conversation.");
    }
    if (cmd?.name === "export") return this.exportSession(job, cmd);
    if (job.pluginCommand) return this.runPluginCommand(job, job.pluginCommand);

    const { models, problem } = this.models(job.agent);
    if (models.length === 0) {
      return this.reply(job, `No model is ready to answer yet: ${problem}`, { notice: true });
    }
    const ws = this.workspace(job.agent);
    store.ensure(job.sessionKey, job.agent.id);
    const tail = store.tail(job.sessionKey, HISTORY_MAX_CHARS);
    const fitted = fitHistory(tail.messages, HISTORY_MAX_CHARS, tail.older);
    const history = fitted.messages;
    if (fitted.omitted > 0) this.deps.logger.info("earlier messages not sent to the model", { sessionKey: job.sessionKey, omitted: fitted.omitted });
    const user: ModelMessage = { role: "user", content: job.text };
    store.append(job.sessionKey, job.runId, [user]);
    const offered = offeredTools(this.deps.tools, this.deps.config, job.agent, job.sessionKey);
    const sandbox = effectiveSandbox(this.deps.config, job.agent, job.sessionKey);
    const skills = this.skillsFor(ws, sandbox, offered);
    const prompt = buildSystemPrompt({
      agentId: job.agent.id,
      sessionKey: job.sessionKey,
      workspace: ws,
      tools: offered,
      sandbox: this.sandboxLine(job.agent, job.sessionKey),
      now: this.deps.now?.() ?? new Date(),
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      skills,
    });
    const system = fitted.omitted > 0 ? `${prompt}\n\n${omittedHistoryNote(fitted)}` : prompt;
    // The agent loop pulls in the AI SDK; load it on the first run, not at gateway start.
    const { runAgent, ModelFailure } = await import("./run.js");
    try {
      const result = await runAgent({
        config: this.deps.config,
        agent: job.agent,
        sessionKey: job.sessionKey,
        workspace: ws,
        system,
        history,
        user,
        tools: this.deps.tools,
        models,
        signal,
        origin: job.origin,
        sandbox,
        services: this.deps.services,
        skills: skills.dirs,
        ...(this.deps.plugins?.hasHooks("before_tool_call") ? { beforeToolCall: (e) => this.deps.plugins!.beforeToolCall(e) } : {}),
        emit: (e: RunEvent) => {
          if (e.kind === "delta") this.emit(job, { state: "delta", delta: e.text });
          else if (e.kind === "status") this.emit(job, { state: "status", text: e.text, ...(e.approval ? { approval: e.approval } : {}) });
          else if (e.kind === "fallback") {
            this.deps.logger.warn("model fallback", { runId: job.runId, from: e.from, to: e.to, reason: e.reason });
            // The provider wrote this text: it reaches clients and chat senders only through the redactor.
            this.emit(job, { state: "fallback", from: e.from, to: e.to, reason: this.deps.logger.redactor.text(e.reason) });
          } else {
            const { kind: _k, ...rest } = e;
            this.emit(job, { state: "tool", ...rest });
          }
        },
        persist: (messages, usage) => store.append(job.sessionKey, job.runId, messages, usage),
      });
      if (result.aborted) this.emit(job, { state: "aborted", text: result.text });
      else this.emit(job, { state: "final", text: result.text, model: result.model, usage: result.usage });
    } catch (err) {
      if (err instanceof ModelFailure) {
        this.deps.logger.warn("model call failed", { runId: job.runId, err: err.message });
        // The provider wrote most of this text (it may echo a key or a URL): a chat sender sees it only redacted.
        this.emit(job, { state: "error", message: this.deps.logger.redactor.text(err.message), ...(err.code ? { code: err.code } : {}) });
        return;
      }
      throw err;
    }
  }

  private async runPluginCommand(job: Job, pc: { name: string; args: string }): Promise<void> {
    const cmd = this.deps.plugins!.commands.get(pc.name)!;
    try {
      const text = await cmd.handler(pc.args, { sessionKey: job.sessionKey, origin: { ...job.origin } });
      this.reply(job, String(text ?? ""));
    } catch (err) {
      this.deps.logger.warn("plugin command failed", { plugin: cmd.pluginId, command: pc.name, err: (err as Error)?.message ?? String(err) });
      this.reply(job, `/${pc.name} failed (plugin ${cmd.pluginId}): ${(err as Error)?.message ?? String(err)}`);
    }
  }

  private exportSession(job: Job, cmd: Extract<ChatCommand, { name: "export" }>): void {
    if (job.origin.kind !== "operator") {
      return this.reply(job, "/export-session is only available to the operator (CLI, TUI or Control UI), not from chat channels.");
    }
    if (!cmd.path) return this.reply(job, "Usage: /export-session <absolute path>[.json] [--force]");
    const path = expandHome(cmd.path);
    if (!isAbsolute(path)) return this.reply(job, `Give an absolute path (or ~/…) for the export, not "${cmd.path}".`);
    if (existsSync(path)) {
      if (statSync(path).isDirectory()) return this.reply(job, `${path} is a directory; give a file path.`);
      if (!cmd.force) return this.reply(job, `${path} already exists; add --force to overwrite it.`);
    }
    const entries = this.deps.store.entries(job.sessionKey);
    const now = this.deps.now?.() ?? new Date();
    const body = path.endsWith(".json") ? transcriptJson(job.sessionKey, entries, now) : transcriptMarkdown(job.sessionKey, entries, now);
    try {
      writeFileAtomic(path, body, 0o600);
    } catch (err) {
      return this.reply(job, `Could not write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
    }
    this.reply(job, `Exported ${entries.length} messages to ${path}.`);
  }
}

function hasToolCall(message: ModelMessage): boolean {
  return Array.isArray(message.content) && message.content.some((p) => (p as { type?: string }).type === "tool-call");
}
