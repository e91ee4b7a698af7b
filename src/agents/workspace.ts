// Agent workspaces: which directory an agent works in, and its first-run seed.
// Seeding creates missing files only (O_EXCL), so the owner's edits are never overwritten.
import { mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import type { Config } from "../config/schema.js";
import { expandHome, statePaths, type Env } from "../config/paths.js";
import { WORKSPACE_DIRS, WORKSPACE_TEMPLATES } from "./templates.js";

export type AgentConfig = Config["agents"]["list"][number];

export function defaultAgent(config: Config): AgentConfig {
  return config.agents.list.find((a) => a.default) ?? config.agents.list[0]!;
}

export function findAgent(config: Config, id: string): AgentConfig | undefined {
  return config.agents.list.find((a) => a.id === id);
}

/** The agent's workspace path: agent override, else agents.defaults.workspace, else <state dir>/workspace. */
export function workspacePath(config: Config, agent: AgentConfig, env: Env): string {
  const configured = agent.workspace ?? config.agents.defaults.workspace;
  if (!configured) return statePaths(env).workspace;
  const expanded = expandHome(configured);
  return isAbsolute(expanded) ? expanded : resolve(statePaths(env).dir, expanded);
}

/** Creates the workspace (700) and any missing template files; returns its real path. */
export function seedWorkspace(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const sub of WORKSPACE_DIRS) mkdirSync(join(dir, sub), { recursive: true, mode: 0o700 });
  for (const [name, text] of Object.entries(WORKSPACE_TEMPLATES)) {
    try {
      writeFileSync(join(dir, name), text, { flag: "wx", mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
  return realpathSync(dir);
}
