// The owner's instruction and memory files (docs/security-model.md "Guests and the owner's
// files"). Every session of an agent shares its workspace, but only the main session
// (`agent:<id>:main`, the owner's) loads these files as instructions: the prompt files, the
// heartbeat checklist, memory notes and workspace skills. A non-main session — a guest's DM,
// a group, a cron job, the heartbeat — may not change any of them (a guest could otherwise
// write instructions the owner's unsandboxed session follows), and may not read the owner's
// private ones: MEMORY.md, USER.md and memory/. The main session is unaffected.
//
// Pure: a decision over a session key and a path. Callers pass real paths (and, for a symbolic
// link, the path as given too), as resolveToolPath does; the sandbox binds the same list.
import path from "node:path";
import { isInside } from "./path-inside.js";
import { parseSessionKey } from "./session-scope.js";

export type OwnerAccess = "read" | "write";

export interface OwnerEntry {
  /** The name relative to the workspace, as docs and refusals show it ("MEMORY.md", "memory/"). */
  name: string;
  kind: "file" | "dir";
  /** Private to the owner: a non-main session may not read it either. */
  private: boolean;
}

/**
 * The owner's files and folders, top level of the workspace; folders cover any depth. The first
 * four are agents/prompt.ts PROMPT_FILES (prompt.test.ts checks they match).
 */
export const OWNER_ENTRIES: readonly OwnerEntry[] = [
  { name: "AGENTS.md", kind: "file", private: false },
  { name: "SOUL.md", kind: "file", private: false },
  { name: "USER.md", kind: "file", private: true },
  { name: "MEMORY.md", kind: "file", private: true },
  { name: "HEARTBEAT.md", kind: "file", private: false },
  { name: "memory/", kind: "dir", private: true },
  { name: "skills/", kind: "dir", private: false },
];

/** Whether a session is the agent's main (owner) session: the same test sandboxRequired uses for "non-main". */
export function isMainSession(sessionKey: string): boolean {
  return parseSessionKey(sessionKey)?.main === true;
}

/**
 * The owner entry `p` names or lies in, or undefined. `p` is absolute or relative to `root`
 * (`./MEMORY.md`, `memory/../MEMORY.md` and `MEMORY.md/` name MEMORY.md); a path outside the
 * workspace is no owner entry. Compared case-insensitively (case-insensitive filesystems).
 */
export function ownerEntry(root: string, p: string): OwnerEntry | undefined {
  const abs = path.resolve(root, p);
  if (!isInside(root, abs) || path.resolve(root) === abs) return undefined;
  const first = foldName(path.relative(path.resolve(root), abs).split(path.sep)[0]!);
  return OWNER_ENTRIES.find((e) => foldName(e.kind === "dir" ? e.name.slice(0, -1) : e.name) === first);
}

/**
 * A file name as a case- and normalization-insensitive filesystem (APFS, NTFS) may treat it:
 * compatibility-normalized and case-folded, so `uſer.md` (U+017F LONG S), `sKills` (U+212A
 * KELVIN SIGN) and fullwidth letters compare equal to the names they fold to. Over-matching a
 * lookalike on a case-sensitive filesystem only refuses a file the guest could have named
 * otherwise.
 */
export function foldName(name: string): string {
  return name.normalize("NFKC").toUpperCase().toLowerCase().normalize("NFKC");
}

/**
 * Why this session may not read or write `p`, as a clause following `path "x" is not readable:`,
 * or null. The main session may; a non-main session may not write any owner entry, nor read
 * a private one. Pass every spelling of the path the caller knows (the real path, the path as
 * given): any one that names an owner entry decides.
 */
export function ownerFileReason(sessionKey: string, root: string, access: OwnerAccess, ...paths: string[]): string | null {
  if (isMainSession(sessionKey)) return null;
  for (const p of paths) {
    const why = entryReason(ownerEntry(root, p), access);
    if (why) return why;
  }
  return null;
}

function entryReason(e: OwnerEntry | undefined, access: OwnerAccess): string | null {
  if (!e) return null;
  if (access === "write") {
    return `${e.name} is one of the owner's instruction and memory files, which only the owner's main session may change (this session is not the main session)`;
  }
  if (e.private) {
    return `${e.name} holds the owner's private notes, which only the owner's main session may read (this session is not the main session)`;
  }
  return null;
}

/** An owner entry kept as a symbolic link, and the real path it leads to. */
export interface OwnerTarget {
  entry: OwnerEntry;
  /** Absolute real path of the link's target. */
  real: string;
}

/**
 * ownerFileReason for the targets of owner entries that are symbolic links (MEMORY.md ->
 * private/MEMORY.md, memory/ -> vault/): the owner's session reads and writes the target through
 * the link, so the target is the owner's under its own name too (the sandbox hides it the same
 * way, sandbox/backend.ts ownerMounts). `real` is the real path asked about.
 */
export function ownerTargetReason(sessionKey: string, access: OwnerAccess, targets: readonly OwnerTarget[], real: string): string | null {
  if (isMainSession(sessionKey)) return null;
  for (const t of targets) {
    if (!isInside(t.real, real)) continue;
    const why = entryReason(t.entry, access);
    if (why) return why;
  }
  return null;
}

/**
 * memory.extraPaths are the owner's private notes too (docs/memory.md): a session other than the
 * main session may neither read nor write anything inside one. `notes` are absolute real paths.
 * Returns the clause for a refusal, or null.
 */
export function extraNotesReason(sessionKey: string, notes: readonly string[], ...paths: string[]): string | null {
  if (isMainSession(sessionKey)) return null;
  for (const p of paths) {
    if (notes.some((n) => isInside(n, p))) {
      return "it is in memory.extraPaths, the owner's private notes, which only the owner's main session may read or change (this session is not the main session)";
    }
  }
  return null;
}
