// exec-approvals.json (docs/exec.md, mode 600): policy defaults, per-agent overrides and
// allowlists. Read fresh for every exec decision, written atomically. A broken file
// fails closed: exec is denied with a message saying which file to fix.
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { readStateFile, withFileLock, writeFileAtomic } from "../infra/atomic-fs.js";
import { errorMessage } from "../infra/errors.js";
import { describeIssues } from "../config/io.js";

const layer = {
  security: z.enum(["deny", "allowlist", "full"]).optional(),
  ask: z.enum(["off", "on-miss", "always"]).optional(),
  askFallback: z.enum(["deny", "allow"]).optional(),
  timeoutSeconds: z.number().int().min(1).max(3600).optional(),
};

export const allowlistEntrySchema = z.strictObject({
  id: z.string().min(1),
  pattern: z.string().min(1).startsWith("/", "must be an absolute executable path or glob"),
  args: z.array(z.string()).optional(),
  source: z.enum(["manual", "allow-always"]).default("manual"),
  createdAt: z.number().int().nonnegative().default(0),
  lastUsedAt: z.number().int().nonnegative().optional(),
});

export const approvalsFileSchema = z.strictObject({
  version: z.literal(1),
  defaults: z.strictObject(layer).default({}),
  agents: z.record(z.string(), z.strictObject({ ...layer, allowlist: z.array(allowlistEntrySchema).default([]) })).default({}),
});

export type ApprovalsFile = z.output<typeof approvalsFileSchema>;
export type StoredEntry = z.output<typeof allowlistEntrySchema>;

export function approvalsPath(stateDir: string): string {
  return join(stateDir, "exec-approvals.json");
}

export function emptyApprovals(): ApprovalsFile {
  return { version: 1, defaults: {}, agents: {} };
}

export class ApprovalsFileError extends Error {}

export function loadApprovals(stateDir: string): ApprovalsFile {
  const path = approvalsPath(stateDir);
  let text: string | undefined;
  try {
    text = readStateFile(path);
  } catch (err) {
    throw new ApprovalsFileError(`cannot read ${path} (${errorMessage(err)}); check that you own it and its folder (exec stays denied until then).`);
  }
  if (text === undefined) return emptyApprovals();
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ApprovalsFileError(`${path} is not valid JSON; fix or delete it (exec stays denied until then).`);
  }
  const parsed = approvalsFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ApprovalsFileError(`${path} is invalid: ${describeIssues(parsed.error.issues, raw)[0]} (exec stays denied until it is fixed).`);
  }
  return parsed.data;
}

export function saveApprovals(stateDir: string, file: ApprovalsFile): void {
  writeFileAtomic(approvalsPath(stateDir), `${JSON.stringify(file, null, 2)}\n`, 0o600);
}

/**
 * Read, change and write the file under exec-approvals.json.lock, so the gateway's
 * allow-always and the CLI's `allowlist add/remove` running at once neither drop an added
 * entry nor bring back a removed one (each would otherwise write the copy it read).
 */
function editApprovals<T>(stateDir: string, edit: () => T): T {
  const path = approvalsPath(stateDir);
  return withFileLock(path, edit, (lock) => {
    throw new ApprovalsFileError(`${path} is being written by another process (it holds ${lock}); try again, or delete the lock file if nothing else is running.`);
  });
}

export function agentAllowlist(file: ApprovalsFile, agentId: string): StoredEntry[] {
  return Object.hasOwn(file.agents, agentId) ? (file.agents[agentId]?.allowlist ?? []) : [];
}

/** Adds an entry unless an identical pattern+args entry exists; returns the entry in the file. */
export function addEntry(
  stateDir: string,
  agentId: string,
  entry: { pattern: string; args?: string[]; source: "manual" | "allow-always" },
): StoredEntry {
  return editApprovals(stateDir, () => {
    const file = loadApprovals(stateDir);
    const agent = Object.hasOwn(file.agents, agentId) ? file.agents[agentId]! : (file.agents[agentId] = { allowlist: [] });
    const same = agent.allowlist.find((e) => e.pattern === entry.pattern && JSON.stringify(e.args) === JSON.stringify(entry.args));
    if (same) return same;
    const stored: StoredEntry = { id: randomUUID(), pattern: entry.pattern, ...(entry.args ? { args: entry.args } : {}), source: entry.source, createdAt: Date.now() };
    agent.allowlist.push(stored);
    saveApprovals(stateDir, file);
    return stored;
  });
}

export function removeEntry(stateDir: string, id: string): StoredEntry | undefined {
  return editApprovals(stateDir, () => {
    const file = loadApprovals(stateDir);
    for (const agent of Object.values(file.agents)) {
      const i = agent.allowlist.findIndex((e) => e.id === id);
      if (i >= 0) {
        const [removed] = agent.allowlist.splice(i, 1);
        saveApprovals(stateDir, file);
        return removed;
      }
    }
    return undefined;
  });
}
