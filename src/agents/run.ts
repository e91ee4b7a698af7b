// The agent loop for one run: model step → tool calls → model step … until the
// model answers without calling a tool. Tools are offered and executed here and
// only here, and every call passes the tool policy again before it runs — the
// model choosing a tool is never enough. Failed model steps move to fallbacks.
import { jsonSchema, streamText, tool, type ModelMessage, type ToolSet } from "ai";
import { z } from "zod";
import { offeredTools, toolDecision } from "../security/tool-policy.js";
import { type PendingApprovalNotice, type RunOrigin, type RunSandbox, type ToolContext, type ToolDef, type ToolServices } from "../tools/types.js";
import { ToolError } from "../infra/errors.js";
import { describeModelError, languageModel, shouldFallback } from "./models.js";
import { deadlinesFromConfig, findTimeout, ModelTimeout, type Deadlines } from "./deadlines.js";
import type { ResolvedModel } from "./model-ref.js";
import type { AgentConfig } from "./workspace.js";
import type { Config } from "../config/schema.js";
import type { SkillDir } from "../security/skill-access.js";

export const MAX_STEPS = 25;
const TOOL_RESULT_MAX_CHARS = 100_000;

export type RunEvent =
  | { kind: "delta"; text: string }
  | { kind: "tool"; phase: "call"; callId: string; name: string; input: unknown }
  | { kind: "tool"; phase: "result"; callId: string; name: string; result?: string; error?: string }
  | { kind: "fallback"; from: string; to: string; reason: string }
  | { kind: "status"; text: string; approval?: PendingApprovalNotice };

export interface RunInput {
  config: Config;
  agent: AgentConfig;
  sessionKey: string;
  workspace: string;
  system: string;
  history: ModelMessage[];
  /** The new user message, already persisted by the caller. */
  user: ModelMessage;
  /** Every registered tool; policy decides which the model sees and may call. */
  tools: ToolDef[];
  /** Primary first, then fallbacks; all resolved. */
  models: ResolvedModel[];
  signal: AbortSignal;
  origin: RunOrigin;
  sandbox: RunSandbox;
  services?: ToolServices;
  /** Skill folders for the fs tools' access decision (skills/loader.ts). */
  skills?: readonly SkillDir[];
  /** Plugin before_tool_call hooks: a returned sentence refuses the call. */
  beforeToolCall?(e: { toolName: string; input: unknown; sessionKey: string; agentId: string }): Promise<string | undefined>;
  emit(event: RunEvent): void;
  /** Called with each finished step's messages, so a crash loses at most one step. */
  persist(messages: ModelMessage[], usage: { inputTokens: number; outputTokens: number; model: string }): void;
  maxSteps?: number;
}

export interface RunResult {
  text: string;
  model: string;
  usage: { inputTokens: number; outputTokens: number };
  aborted: boolean;
}

export class ModelFailure extends Error {
  /** "TIMEOUT" when a deadline (agents.defaults.timeouts) ended the step. */
  code?: "TIMEOUT";
}

// Tool definitions and model clients are the same from message to message: build each once.
const toolCache = new WeakMap<ToolDef, ToolSet[string]>();
const modelCache = new Map<string, ReturnType<typeof languageModel>>();

function toolSet(tools: ToolDef[]): ToolSet {
  const set: ToolSet = {};
  for (const t of tools) {
    let def = toolCache.get(t);
    if (!def) {
      def = tool({ description: t.description, inputSchema: jsonSchema(z.toJSONSchema(t.inputSchema, { io: "input" }) as never) });
      toolCache.set(t, def);
    }
    set[t.name] = def;
  }
  return set;
}

function cachedModel(m: ResolvedModel, d: Deadlines) {
  if (m.create) return languageModel(m);
  const key = JSON.stringify([m.api, m.providerId, m.modelId, m.baseUrl ?? "", m.apiKey ?? "", m.builtin, d.firstByteMs, d.idleMs]);
  let lm = modelCache.get(key);
  if (!lm) {
    if (modelCache.size > 64) modelCache.clear();
    lm = languageModel(m, d);
    modelCache.set(key, lm);
  }
  return lm;
}

interface Call {
  toolCallId: string;
  toolName: string;
  input: unknown;
}

/** Decide and execute one tool call; returns the text the model sees, or an error sentence. */
async function runToolCall(call: Call, input: RunInput, ctx: ToolContext): Promise<{ result?: string; error?: string }> {
  const def = input.tools.find((t) => t.name === call.toolName);
  if (!def) {
    const names = offeredTools(input.tools, input.config, input.agent, input.sessionKey).map((t) => t.name);
    return { error: `unknown tool "${call.toolName}"; the tools you may call are: ${names.join(", ") || "none"}.` };
  }
  const decision = toolDecision(def, input.config, input.agent, input.sessionKey);
  if (!decision.allowed) return { error: `tool "${def.name}" is not allowed here: ${decision.rule}.` };
  const parsed = def.inputSchema.safeParse(call.input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { error: `invalid input for ${def.name}: ${issue ? `${issue.path.join(".") || "input"} ${issue.message}` : "does not match the schema"}.` };
  }
  if (input.beforeToolCall) {
    const veto = await input.beforeToolCall({ toolName: def.name, input: parsed.data, sessionKey: input.sessionKey, agentId: input.agent.id });
    if (veto) return { error: `tool "${def.name}" ${veto}.` };
  }
  try {
    let result = await def.execute(parsed.data, ctx);
    if (result.length > TOOL_RESULT_MAX_CHARS) {
      result = `${result.slice(0, TOOL_RESULT_MAX_CHARS)}\n[… ${result.length - TOOL_RESULT_MAX_CHARS} more characters not shown]`;
    }
    return { result };
  } catch (err) {
    if (err instanceof ToolError) return { error: err.message };
    if (ctx.signal.aborted) return { error: `${def.name} was stopped.` };
    return { error: `${def.name} failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export async function runAgent(input: RunInput): Promise<RunResult> {
  const offered = offeredTools(input.tools, input.config, input.agent, input.sessionKey);
  const tools = toolSet(offered);
  const messages: ModelMessage[] = [...input.history, input.user];
  const ctx: ToolContext = {
    agentId: input.agent.id,
    sessionKey: input.sessionKey,
    workspace: input.workspace,
    config: input.config,
    signal: input.signal,
    origin: input.origin,
    sandbox: input.sandbox,
    notify: (text, approval) => input.emit({ kind: "status", text, ...(approval ? { approval } : {}) }),
    services: input.services,
    ...(input.skills ? { skills: input.skills } : {}),
  };
  const texts: string[] = [];
  const usage = { inputTokens: 0, outputTokens: 0 };
  let modelIndex = 0;
  const maxSteps = input.maxSteps ?? MAX_STEPS;

  for (let step = 0; step < maxSteps; step++) {
    const m = input.models[modelIndex]!;
    const stepOut = await modelStep(m, tools, messages, input);
    if (stepOut.error !== undefined) {
      const next = input.models[modelIndex + 1];
      if (!stepOut.emitted && next && shouldFallback(stepOut.error) && !input.signal.aborted) {
        input.emit({ kind: "fallback", from: m.ref, to: next.ref, reason: describeModelError(stepOut.error, m.ref) });
        modelIndex++;
        step--;
        continue;
      }
      const failure = new ModelFailure(describeModelError(stepOut.error, m.ref));
      if (findTimeout(stepOut.error)) failure.code = "TIMEOUT";
      if (stepOut.text) input.persist([{ role: "assistant", content: [{ type: "text", text: stepOut.text }] }], { ...stepOut.usage, model: m.ref });
      throw failure;
    }
    usage.inputTokens += stepOut.usage.inputTokens;
    usage.outputTokens += stepOut.usage.outputTokens;
    if (stepOut.text) texts.push(stepOut.text);

    if (stepOut.aborted) {
      const partial: ModelMessage[] = stepOut.text ? [{ role: "assistant", content: [{ type: "text", text: stepOut.text }] }] : [];
      input.persist(partial, { ...stepOut.usage, model: m.ref });
      return { text: texts.join("\n\n"), model: m.ref, usage, aborted: true };
    }

    const produced = stepOut.messages.filter((msg) => msg.role !== "tool");
    if (stepOut.calls.length === 0) {
      messages.push(...produced);
      input.persist(produced, { ...stepOut.usage, model: m.ref });
      return { text: texts.join("\n\n"), model: m.ref, usage, aborted: false };
    }

    const results: Array<Call & { result?: string; error?: string }> = [];
    for (const call of stepOut.calls) {
      input.emit({ kind: "tool", phase: "call", callId: call.toolCallId, name: call.toolName, input: call.input });
      const out = input.signal.aborted ? { error: `${call.toolName} was not run: the run was stopped.` } : await runToolCall(call, input, ctx);
      input.emit({ kind: "tool", phase: "result", callId: call.toolCallId, name: call.toolName, ...out });
      results.push({ ...call, ...out });
    }
    const toolMessage: ModelMessage = {
      role: "tool",
      content: results.map((r) => ({
        type: "tool-result" as const,
        toolCallId: r.toolCallId,
        toolName: r.toolName,
        output: r.error !== undefined ? { type: "error-text" as const, value: r.error } : { type: "text" as const, value: r.result ?? "" },
      })),
    };
    const stepMessages = [...produced, toolMessage];
    messages.push(...stepMessages);
    input.persist(stepMessages, { ...stepOut.usage, model: m.ref });
    if (input.signal.aborted) return { text: texts.join("\n\n"), model: m.ref, usage, aborted: true };
  }
  const note = `(stopped after ${maxSteps} tool steps without a final answer)`;
  texts.push(note);
  return { text: texts.join("\n\n"), model: input.models[modelIndex]!.ref, usage, aborted: false };
}

interface StepOutcome {
  text: string;
  calls: Call[];
  messages: ModelMessage[];
  usage: { inputTokens: number; outputTokens: number };
  emitted: boolean;
  aborted: boolean;
  error?: unknown;
}

async function modelStep(m: ResolvedModel, tools: ToolSet, messages: ModelMessage[], input: RunInput): Promise<StepOutcome> {
  const out: StepOutcome = { text: "", calls: [], messages: [], usage: { inputTokens: 0, outputTokens: 0 }, emitted: false, aborted: false };
  const deadlines = deadlinesFromConfig(input.config.agents.defaults.timeouts);
  // The whole step has a deadline too: an endless stream is cut (docs/agents.md#deadlines).
  const step = new AbortController();
  const stepTimer = setTimeout(() => step.abort(new ModelTimeout("step", deadlines.stepMs)), deadlines.stepMs);
  let result;
  try {
    result = streamText({
      model: cachedModel(m, deadlines),
      system: input.system,
      messages,
      tools: Object.keys(tools).length ? tools : undefined,
      maxRetries: 0,
      abortSignal: AbortSignal.any([input.signal, step.signal]),
      onError: () => {}, // errors arrive as stream parts below; the SDK would otherwise print them
    });
    for await (const part of result.fullStream) {
      switch (part.type) {
        case "text-delta":
          if (part.text) {
            out.text += part.text;
            out.emitted = true;
            input.emit({ kind: "delta", text: part.text });
          }
          break;
        case "tool-call":
          out.calls.push({ toolCallId: part.toolCallId, toolName: part.toolName, input: part.input });
          break;
        case "finish-step":
          out.usage.inputTokens += part.usage.inputTokens ?? 0;
          out.usage.outputTokens += part.usage.outputTokens ?? 0;
          break;
        case "abort":
          out.aborted = true;
          break;
        case "error":
          out.error ??= part.error;
          break;
      }
    }
  } catch (err) {
    if (input.signal.aborted) out.aborted = true;
    else out.error ??= err;
  } finally {
    clearTimeout(stepTimer);
  }
  if (input.signal.aborted) out.aborted = true;
  else if (step.signal.aborted) {
    // The step deadline ended it: a timeout error, not an abort the user asked for.
    out.aborted = false;
    out.error = step.signal.reason;
  }
  if (out.error !== undefined && out.aborted) out.error = undefined;
  if (out.error === undefined && !out.aborted && result) {
    out.messages = (await result.response).messages;
  }
  return out;
}
