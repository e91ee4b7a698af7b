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

export type IntegrityDecision = { ok: true } | { ok: false; reason: string };

/**
 * May an installed plugin's files be imported? Only when they hash, with the current tree
 * hash, to exactly what was recorded at install (docs/plugins.md "Integrity"). A record made
 * by an older hash (which did not cover symbolic links) or a folder that cannot be hashed
 * fails closed. Pure: the hashing is plugins/install.ts's.
 */
export function integrityDecision(i: { recorded: unknown; recordedVersion: unknown; currentVersion: number; actual: string | undefined }): IntegrityDecision {
  if (typeof i.recorded !== "string" || i.recorded === "") return { ok: false, reason: "its install record in plugins/installs.json has no files hash" };
  if (i.recordedVersion !== i.currentVersion) {
    return { ok: false, reason: "it was pinned by an older SimpleClaw whose hash did not cover symbolic links, so its files cannot be verified" };
  }
  if (i.actual === undefined) return { ok: false, reason: "its folder could not be read to verify it" };
  if (i.actual !== i.recorded) return { ok: false, reason: "its files no longer match the hash recorded when it was installed (integrity mismatch)" };
  return { ok: true };
}
