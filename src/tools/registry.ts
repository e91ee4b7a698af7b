// Every built-in agent tool, in one list. Adding a tool is adding a file and a line
// here; whether an agent may use it is decided by security/tool-policy.ts, not by this list.
import { applyPatchTool } from "./apply-patch.js";
import { browserTool } from "./browser.js";
import { cronTool } from "./cron.js";
import { execTool } from "./exec.js";
import { fsTools } from "./fs.js";
import { httpTool } from "./http.js";
import { memoryTools } from "./memory.js";
import { nodesTool } from "./nodes.js";
import type { ToolDef } from "./types.js";

export function builtinTools(): ToolDef[] {
  return [...fsTools, applyPatchTool, execTool, httpTool, browserTool, ...memoryTools, nodesTool, cronTool];
}
