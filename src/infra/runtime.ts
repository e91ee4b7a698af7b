// Runtime gate: the first thing the CLI entry runs, before any other import.
// Decides whether this Node.js is new enough (the floor carries security fixes).
// Must stay free of imports and of syntax older Node versions cannot parse.

export const MIN_NODE_VERSION = "22.12.0";

function parse(version: string): [number, number, number] | null {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** True when `version` (e.g. "v22.12.0") is at least `min`. Unparseable versions are refused. */
export function isSupportedNode(version: string, min: string = MIN_NODE_VERSION): boolean {
  const have = parse(version);
  const need = parse(min);
  if (!have || !need) return false;
  for (let i = 0; i < 3; i++) {
    if (have[i]! !== need[i]!) return have[i]! > need[i]!;
  }
  return true;
}

/** null when fine, otherwise the one sentence to print before exiting 1. */
export function nodeVersionProblem(version: string = process.version): string | null {
  if (isSupportedNode(version)) return null;
  return `simpleclaw needs Node.js >= ${MIN_NODE_VERSION} but this is Node.js ${version}; run it through npm (npm start / npx simpleclaw) so the project's pinned Node 22 is used, or upgrade Node.`;
}
