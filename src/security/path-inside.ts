// The one "is this path inside that root?" in SimpleClaw (docs/architecture.md). It lives in
// its own leaf module so both fs-containment.ts and skill-access.ts can use it without
// importing each other; fs-containment.ts re-exports it, and callers import it from there.
import path from "node:path";

/**
 * True when `p` is `root` itself or below it, compared component by component after
 * resolving "." and "..". Pure: it compares the paths it is given, so callers pass real
 * paths (fs.realpath) wherever a symlink could lead elsewhere — every caller in the tree does.
 */
export function isInside(root: string, p: string): boolean {
  const r = path.resolve(root);
  const c = path.resolve(p);
  if (c === r) return true;
  const prefix = r.endsWith(path.sep) ? r : r + path.sep;
  return c.startsWith(prefix);
}
