// Tool policy (docs/agents.md): which tools an agent may see and call. A pure decision
// over config; the agent loop calls `toolDecision` for the tool list it offers the
// model and again for every call the model makes, so a refused tool never runs.
import type { Config } from "../config/schema.js";
import { isMainSession } from "./owner-files.js";
export type ToolGroup = "fs" | "runtime" | "web" | "memory" | "nodes" | "automation" | "plugins";

export interface PolicyTool {
  name: string;
  group: ToolGroup;
}

export interface AgentToolLists {
  allow?: string[];
  deny?: string[];
}

export type ToolDecision = { allowed: true } | { allowed: false; rule: string };

/** Config switches: a tool's own `tools.<name>.enabled`, then its group's. */
const GROUP_SWITCH: Partial<Record<ToolGroup, keyof Config["tools"]>> = { fs: "fs" };

function matches(entry: string, tool: PolicyTool): boolean {
  if (entry === "*") return true;
  if (entry.startsWith("group:")) return entry.slice("group:".length) === tool.group;
  return entry === tool.name;
}

function enabledSwitch(config: Config, key: string): boolean | undefined {
  const section = (config.tools as Record<string, unknown>)[key];
  if (section && typeof section === "object" && "enabled" in section) {
    const v = (section as { enabled?: unknown }).enabled;
    if (typeof v === "boolean") return v;
  }
  return undefined;
}

/** Why the memory tools are off in a session other than the owner's main session (security/owner-files.ts). */
export const MEMORY_OWNER_ONLY_RULE =
  "the memory tools read the owner's private notes (MEMORY.md, memory/), which only the owner's main session may read, and this session is not the main session";

/**
 * `sessionKey`, when given, is the session the tool would run in: the memory tools are only for
 * the owner's main session. Omitted (the audit asking about an agent in general): no session rule.
 */
export function toolDecision(tool: PolicyTool, config: Config, agent?: { id: string; tools?: AgentToolLists }, sessionKey?: string): ToolDecision {
  if (enabledSwitch(config, tool.name) === false) {
    return { allowed: false, rule: `tools.${tool.name}.enabled is false` };
  }
  if (tool.group === "memory" && config.memory?.enabled === false) {
    return { allowed: false, rule: "memory.enabled is false (group:memory)" };
  }
  if (tool.group === "memory" && sessionKey !== undefined && !isMainSession(sessionKey)) {
    return { allowed: false, rule: MEMORY_OWNER_ONLY_RULE };
  }
  if (tool.group === "automation" && config.cron?.enabled === false) {
    return { allowed: false, rule: "cron.enabled is false (group:automation)" };
  }
  const groupKey = GROUP_SWITCH[tool.group];
  if (groupKey && enabledSwitch(config, groupKey) === false) {
    return { allowed: false, rule: `tools.${groupKey}.enabled is false (group:${tool.group})` };
  }
  const lists: Array<[string, AgentToolLists | undefined]> = [
    ["tools", config.tools],
    [`agents.list[${agent?.id}].tools`, agent?.tools],
  ];
  for (const [where, l] of lists) {
    const denied = l?.deny?.find((e) => matches(e, tool));
    if (denied) return { allowed: false, rule: `${where}.deny contains "${denied}"` };
  }
  for (const [where, l] of lists) {
    if (l?.allow && l.allow.length > 0 && !l.allow.some((e) => matches(e, tool))) {
      return { allowed: false, rule: `${where}.allow does not include "${tool.name}" or group:${tool.group}` };
    }
  }
  return { allowed: true };
}

/** The tools an agent may use now: the only ones the model is shown. */
export function offeredTools<T extends PolicyTool>(tools: T[], config: Config, agent?: { id: string; tools?: AgentToolLists }, sessionKey?: string): T[] {
  return tools.filter((t) => toolDecision(t, config, agent, sessionKey).allowed);
}
