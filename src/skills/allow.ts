// Changing skills.allow (docs/skills.md "The allowlist"), for `simpleclaw skills allow|deny`
// and the skills.allow / skills.deny RPC: one rule for both. When skills.allow is unset, the
// first change starts it from every skill found, so allowing one skill hides none.
import { readRawConfig, saveRawConfig, setAt, validateConfig } from "../config/io.js";
import type { Env } from "../config/paths.js";
import { EXIT, UserError } from "../infra/errors.js";
import { SKILL_NAME_RE } from "./frontmatter.js";

/** skills.allow with `name` added or removed. Unset starts from `found`. Sorted, no duplicates. */
export function nextAllow(current: readonly string[] | undefined, found: readonly string[], name: string, allow: boolean): string[] {
  const set = new Set(current ?? found);
  if (allow) set.add(name);
  else set.delete(name);
  return [...set].sort();
}

/** Writes skills.allow (atomically, through the config save path). Returns the new list. */
export function setSkillAllowed(name: string, allow: boolean, current: readonly string[] | undefined, found: readonly string[], env: Env = process.env): string[] {
  if (!SKILL_NAME_RE.test(name)) throw new UserError(`"${name}" is not a skill name (1-64 lowercase letters, digits or -).`, EXIT.usage);
  const next = nextAllow(current, found, name, allow);
  const { raw } = readRawConfig(env);
  const edited = setAt(raw, ["skills", "allow"], next);
  const v = validateConfig(edited);
  if (!v.ok) throw new UserError(`the change would make the config invalid: ${v.problems[0]}`, EXIT.config);
  saveRawConfig(edited, env);
  return next;
}
