// Which discovered plugins may load: the one decision that keeps unvetted code from
// running. When `plugins.allow` is set, anything not listed is never imported.
import type { Config } from "../config/schema.js";

export type LoadDecision =
  | { load: true; warning?: string }
  | { load: false; status: "blocked" | "disabled"; reason: string };

export function loadDecision(id: string, plugins: Config["plugins"]): LoadDecision {
  if (plugins.allow !== undefined && !plugins.allow.includes(id)) {
    return { load: false, status: "blocked", reason: `"${id}" is not in plugins.allow; add it with: simpleclaw config set plugins.allow '[…, "${id}"]'` };
  }
  if (plugins.entries[id]?.enabled === false) {
    return { load: false, status: "disabled", reason: `disabled by plugins.entries.${id}.enabled; enable with: simpleclaw plugins enable ${id}` };
  }
  if (plugins.allow === undefined) {
    return { load: true, warning: `plugins.allow is not set, so every installed plugin loads; pin the ones you trust with plugins.allow` };
  }
  return { load: true };
}

/** Entries of plugins.allow that name no discovered plugin (typos, removed plugins). */
export function phantomAllowEntries(plugins: Config["plugins"], discoveredIds: string[]): string[] {
  const found = new Set(discoveredIds);
  return (plugins.allow ?? []).filter((id) => !found.has(id));
}
