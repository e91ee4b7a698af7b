// Keeps the memory index fresh while the gateway runs: chokidar watches each agent's
// workspace (only MEMORY.md and memory/ pass the filter) and its extraPaths, and any change
// schedules an incremental sync after a short quiet period (well inside the ~2 s budget).
import path from "node:path";
import { isInside } from "../security/fs-containment.js";
import { isMarkdown } from "./sources.js";

export interface WatchTarget {
  /** Realpath of the agent workspace (undefined when it does not exist yet). */
  workspace?: string;
  /** Absolute extraPaths (realpath'd when they exist). */
  extras: string[];
}

export interface MemoryWatch {
  close(): Promise<void>;
}

export const WATCH_DEBOUNCE_MS = 250;

/** Pure: whether a path seen by the watcher can matter for memory (false = ignore it). */
export function watchRelevant(p: string, isFile: boolean | undefined, t: WatchTarget): boolean {
  if (path.basename(p).startsWith(".") && p !== t.workspace && !t.extras.includes(p)) return false;
  for (const e of t.extras) {
    if (isInside(e, p)) return !(isFile && !isMarkdown(p));
    if (isInside(p, e)) return true; // an ancestor of an extra root (inside the workspace)
  }
  if (t.workspace && isInside(t.workspace, p)) {
    if (p === t.workspace) return true;
    const rel = path.relative(t.workspace, p).split(path.sep);
    if (rel.length === 1 && rel[0] === "MEMORY.md") return true;
    if (rel[0] === "memory") return !(isFile && !isMarkdown(p));
    return false;
  }
  return false;
}

/** Start watching; `onChange` is called (debounced) after files change. Resolves once the watcher is ready. */
export async function watchMemory(t: WatchTarget, onChange: () => void, onError: (err: Error) => void): Promise<MemoryWatch> {
  const { watch } = await import("chokidar");
  const paths = [...(t.workspace ? [t.workspace] : []), ...t.extras];
  if (paths.length === 0) return { close: async () => {} };
  let timer: NodeJS.Timeout | undefined;
  const w = watch(paths, {
    ignoreInitial: true,
    followSymlinks: false,
    ignored: (p: string, stats?: { isFile(): boolean }) => !watchRelevant(path.resolve(p), stats?.isFile(), t),
  });
  w.on("all", () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, WATCH_DEBOUNCE_MS);
  });
  w.on("error", (err) => onError(err instanceof Error ? err : new Error(String(err))));
  await new Promise<void>((resolve) => w.once("ready", () => resolve()));
  return {
    async close() {
      if (timer) clearTimeout(timer);
      await w.close();
    },
  };
}
