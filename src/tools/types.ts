// The contract every agent tool implements. The registry (tools/registry.ts) lists
// them, policy (security/tool-policy.ts) decides which ones an agent may see and call, and
// the agent loop (agents/loop.ts) is the only caller of `execute`.
import type { z } from "zod";
import type { Config } from "../config/schema.js";
import type { BrowserService } from "../browser/service.js";
import type { MemoryAccess } from "../memory/types.js";
import type { ApprovalOutcome, ApprovalRequestInput } from "../exec/approvals.js";
import type { RunOrigin } from "../security/principal.js";
import type { PendingApprovalNotice } from "../protocol/results.js";
import type { RunSandbox } from "../security/sandbox-scope.js";
import type { ToolGroup } from "../security/tool-policy.js";
import type { SkillDir } from "../security/skill-access.js";

export type { PendingApprovalNotice, RunOrigin, RunSandbox, ToolGroup };



/** What a tool knows about the run that called it. Nothing here comes from the model. */
export interface ToolContext {
  agentId: string;
  sessionKey: string;
  /** Absolute, realpath-resolved workspace directory of the agent (exists). */
  workspace: string;
  config: Config;
  signal: AbortSignal;
  origin: RunOrigin;
  sandbox: RunSandbox;
  /** Shows a progress line to whoever watches the run (e.g. "waiting for approval"). */
  notify(text: string, approval?: PendingApprovalNotice): void;
  /** Gateway services some tools need; absent when a tool runs outside a gateway. */
  services?: ToolServices;
  /** Skill folders this run knows (skills/loader.ts), for the fs tools' access decision (docs/skills.md). */
  skills?: readonly SkillDir[];
}

/** Exec approvals as seen by the exec tool (implemented by exec/approvals.ts). */
export interface ToolServices {
  /** The state dir (exec-approvals.json lives there). */
  stateDir: string;
  approvals: {
    /** Ask the operator; resolves with their answer, a timeout, or "no-surface". */
    request(req: ApprovalRequestInput): Promise<ApprovalOutcome>;
  };
  /** Browser sessions for the browser tool (browser/service.ts); absent outside a gateway. */
  browser?: BrowserService;
  /** Paired, connected nodes (implemented by nodes/registry.ts); absent outside a gateway. */
  nodes?: {
    list(): Array<{ nodeId: string; name: string; platform: string; commands: string[]; connectedAt: number }>;
    commandAllowed(command: string): boolean;
    invoke(req: { node: string; command: string; params?: unknown; timeoutMs?: number; idempotencyKey?: string }): Promise<unknown>;
  };
  /** The memory index (implemented by memory/service.ts); absent when memory.enabled is false or outside a gateway. */
  memory?: MemoryAccess;
  /** Scheduled jobs for the cron tool (agents/cron.ts); absent when cron.enabled is false or outside a gateway. */
  cron?: AgentCronAccess;
  /** The ports this gateway listens on (set once it listens): the http and browser tools never contact them. */
  ownPorts?: readonly number[];
}

/** What the agent's cron tool may do with scheduled jobs: only its own session's jobs, and every job it adds is pending. */
export interface AgentCronAccess {
  add(req: {
    agentId: string;
    sessionKey: string;
    prompt: string;
    name?: string;
    schedule: { cron?: string; tz?: string; at?: string; in?: string; every?: string };
    deliver?: { channel: string; peer: string; chat?: "direct" | "group" };
    /** The run that asks speaks for the owner (security/principal.ts originIsOwner): only then others' pending jobs cannot block it. */
    askedByOwner?: boolean;
  }): { id: string; schedule: string; nextRunAt: number | null; approval: string; deliver: string };
  /** Jobs this session's runs created. */
  list(agentId: string, sessionKey: string): Array<{ id: string; name: string | null; schedule: string; approval: string; enabled: boolean; nextRunAt: number | null; prompt: string }>;
  /** Remove a job this session's runs created; false when there is none. */
  remove(agentId: string, sessionKey: string, id: string): boolean;
}

export interface ToolDef<I = any> {
  name: string;
  group: ToolGroup;
  /** One or two sentences the model sees. */
  description: string;
  inputSchema: z.ZodType<I>;
  /** Returns the text the model sees as the tool result. Throw ToolError for a refusal or failure the model should read. */
  execute(input: I, ctx: ToolContext): Promise<string>;
}

