// Skills and the file tools (docs/skills.md "What the agent may read"): the one decision on
// how a skill folder changes what `read`/`list` and `write`/`edit` may touch. Pure: the
// loader (skills/loader.ts) finds the folders and their real paths; fs-containment.ts
// (resolveToolPath, and the fd re-check) asks here for every path the fs tools resolve.
//
// Rules, in order:
//  1. a path inside a skill the operator did not allow (skills.allow) is refused, read or write;
//  2. a write inside a skill folder outside the workspace is refused (skills are read-only
//     for the agent; writes are never widened);
//  3. a read inside an available skill folder is allowed even with tools.fs.workspaceOnly —
//     decided on the real path, so a symbolic link inside the skill pointing elsewhere is
//     not inside it and gets no widening;
//  4. anything else: this module has no opinion (the workspace rule decides).
import { isInside } from "./path-inside.js";

/** One skill folder as the file tools see it. `dir` must be a real path (realpath'd). */
export interface SkillDir {
  name: string;
  dir: string;
  /** Whether the folder lies inside the agent's workspace (then writes follow the workspace rule). */
  inWorkspace: boolean;
  /**
   * `available`: the model may read it (listed, allowed, requirements met, not sandboxed away).
   * `blocked`: the operator's skills.allow excludes it: never read, never written.
   * `hidden`: not offered (requirements unmet, shadowed, unavailable in a sandbox): no widening.
   */
  access: "available" | "blocked" | "hidden";
  /** Why it is blocked/hidden, one clause (named in refusals). */
  reason?: string;
}

export type SkillPathDecision = { kind: "none" } | { kind: "read"; skill: string } | { kind: "refuse"; reason: string };

/**
 * Which folder wins when several provide the same skill name: the operator's (the state dir,
 * where `skills install` pins what it copied, then plugins that pass plugins.allow) before
 * the workspace, which the agent itself can write. skills.allow approves a *name*: were the
 * workspace first, a prompt-injected run could plant <workspace>/skills/<allowed name>/ and
 * have its own text listed under the approval (and instead of the pin) of the installed skill.
 * Lower rank wins; the loader orders its folders by this.
 */
export const SKILL_SOURCE_PRECEDENCE = ["state", "plugin", "workspace"] as const;
export type SkillFolderSource = (typeof SKILL_SOURCE_PRECEDENCE)[number];
export function skillSourceRank(source: SkillFolderSource): number {
  return SKILL_SOURCE_PRECEDENCE.indexOf(source);
}

/** Is skill `name` allowed by skills.allow? Unset = every skill; set = exactly the names listed. */
export function skillAllowed(name: string, allow: readonly string[] | undefined): boolean {
  return allow === undefined || allow.includes(name);
}

/** How skill folders change access to `real` (a realpath'd path) for a read or a write. */
export function skillPathDecision(real: string, op: "read" | "write", dirs: readonly SkillDir[]): SkillPathDecision {
  const holding = dirs.filter((d) => isInside(d.dir, real));
  if (holding.length === 0) return { kind: "none" };
  const blocked = holding.find((d) => d.access === "blocked");
  if (blocked) {
    return { kind: "refuse", reason: `is inside the skill "${blocked.name}", which the agent may not use (${blocked.reason ?? "not in skills.allow"})` };
  }
  if (op === "write") {
    const outside = holding.find((d) => !d.inWorkspace);
    if (outside) return { kind: "refuse", reason: `is inside the skill "${outside.name}" (${outside.dir}); skill folders are read-only for the agent` };
    return { kind: "none" };
  }
  const available = holding.find((d) => d.access === "available");
  return available ? { kind: "read", skill: available.name } : { kind: "none" };
}
