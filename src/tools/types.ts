// The contract every agent tool implements. The registry (tools/registry.ts) lists
// them, policy (tools/policy.ts) decides which ones an agent may see and call, and
// the agent loop (agents/loop.ts) is the only caller of `execute`.
import type { z } from "zod";
import type { Config } from "../config/schema.js";

export type ToolGroup = "fs" | "runtime" | "web" | "memory" | "nodes" | "plugins";

/** What a tool knows about the run that called it. Nothing here comes from the model. */
export interface ToolContext {
  agentId: string;
  sessionKey: string;
  /** Absolute, realpath-resolved workspace directory of the agent (exists). */
  workspace: string;
  config: Config;
  signal: AbortSignal;
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

/** A refusal or failure explained to the model (and shown in the transcript) in one sentence. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolError";
  }
}
