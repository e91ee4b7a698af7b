// Memory indexing, step 1 of 3 (sources → chunks → index): which files are memory. The
// agent workspace's `MEMORY.md` and `memory/**/*.md`, plus `memory.extraPaths` (files or
// folders; relative paths against the workspace). Symbolic links are never followed and
// hard-linked workspace files are skipped, so a link cannot pull another file's text into
// the index. The walk only proposes paths: every read re-proves, on the opened descriptor,
// that the file is the one walked and inside its root (fs-containment openVerifiedSync),
// so a folder swapped for a link between walk and read is not followed. `memoryPathDecision` is the pure containment rule memory_get enforces.
import { lstatSync, readdirSync, type Dirent } from "node:fs";
import { lstat, realpath } from "node:fs/promises";
import path from "node:path";
import { expandHome } from "../config/paths.js";
import { isInside } from "../security/fs-containment.js";

export interface MemoryRoot {
  /** Absolute, realpath-resolved. */
  path: string;
  kind: "file" | "dir";
  /** MEMORY.md / memory/ of the workspace, or a memory.extraPaths entry. */
  source: "workspace" | "extra";
  /** Where the root came from, for messages (e.g. the extraPaths entry as written). */
  label: string;
}

export interface MemoryFile {
  /** How the file is named in the index, results and memory_get: relative to the workspace inside it, else absolute. */
  path: string;
  /** Absolute path (through real directories only). */
  abs: string;
  mtimeMs: number;
  size: number;
  source: "workspace" | "extra";
  /** The root it was found under (realpath'd); the read must stay inside it. */
  root: string;
}

/** Files larger than this are not indexed (memory notes are small; a log dump is not memory). */
export const MAX_MEMORY_FILE_BYTES = 4 * 1024 * 1024;
const MAX_DEPTH = 16;

export const isMarkdown = (name: string) => /\.md$/i.test(name);

/** The configured extraPaths, expanded (~) and made absolute against the workspace. Pure. */
export function extraPathsAbsolute(workspace: string, extraPaths: string[]): string[] {
  return extraPaths.map((p) => path.resolve(workspace, expandHome(p)));
}

/**
 * The roots memory comes from, resolved on disk. A root that does not exist is left out;
 * a workspace MEMORY.md or memory/ that is a symbolic link is left out too (point an
 * extraPaths entry at its target instead). extraPaths entries are the operator's choice and
 * are resolved through links.
 */
export async function memoryRoots(workspaceReal: string, extraPaths: string[]): Promise<MemoryRoot[]> {
  const roots: MemoryRoot[] = [];
  const file = path.join(workspaceReal, "MEMORY.md");
  const dir = path.join(workspaceReal, "memory");
  const st1 = await lstat(file).catch(() => undefined);
  if (st1?.isFile()) roots.push({ path: file, kind: "file", source: "workspace", label: "MEMORY.md" });
  const st2 = await lstat(dir).catch(() => undefined);
  if (st2?.isDirectory()) roots.push({ path: dir, kind: "dir", source: "workspace", label: "memory/" });
  const abs = extraPathsAbsolute(workspaceReal, extraPaths);
  for (let i = 0; i < abs.length; i++) {
    const real = await realpath(abs[i]!).catch(() => undefined);
    if (!real) continue;
    const st = await lstat(real).catch(() => undefined);
    if (st?.isDirectory()) roots.push({ path: real, kind: "dir", source: "extra", label: extraPaths[i]! });
    else if (st?.isFile() && isMarkdown(real)) roots.push({ path: real, kind: "file", source: "extra", label: extraPaths[i]! });
  }
  return roots;
}

/** How a memory file is named: relative inside the workspace, absolute outside. Pure. */
export function memoryDisplayPath(abs: string, workspaceReal: string): string {
  return isInside(workspaceReal, abs) && abs !== workspaceReal ? path.relative(workspaceReal, abs).split(path.sep).join("/") : abs;
}

/** Let other work run between slices of synchronous file system calls. */
export const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Synchronous fs calls per slice: one lstat is microseconds, an async one costs a thread-pool round trip. */
const SLICE = 500;

/** Every memory file under the roots (deduplicated, sorted by path). */
export async function listMemoryFiles(workspaceReal: string, roots: MemoryRoot[]): Promise<MemoryFile[]> {
  let ops = 0;
  const tick = async () => {
    if (++ops % SLICE === 0) await yieldToLoop();
  };
  const lstatQuiet = (p: string) => {
    try {
      return lstatSync(p);
    } catch {
      return undefined;
    }
  };
  const found = new Map<string, MemoryFile>();
  const add = (abs: string, st: { mtimeMs: number; size: number; nlink: number }, source: MemoryFile["source"], root: string) => {
    // A hard link in the workspace may share its bytes with any file of the owner's: skip it.
    if (isInside(workspaceReal, abs) && st.nlink > 1) return;
    if (st.size > MAX_MEMORY_FILE_BYTES) return;
    const p = memoryDisplayPath(abs, workspaceReal);
    if (!found.has(p)) found.set(p, { path: p, abs, mtimeMs: st.mtimeMs, size: st.size, source, root });
  };
  const walk = async (dir: string, depth: number, source: MemoryFile["source"], root: string): Promise<void> => {
    if (depth > MAX_DEPTH) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith(".")) continue; // editor temp files, .git, .obsidian …
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) await walk(abs, depth + 1, source, root);
      else if (e.isFile() && isMarkdown(e.name)) {
        await tick();
        const st = lstatQuiet(abs);
        if (st?.isFile()) add(abs, st, source, root);
      }
      // symbolic links, sockets, FIFOs: never followed, never read
    }
  };
  for (const root of roots) {
    if (root.kind === "file") {
      const st = lstatQuiet(root.path);
      if (st?.isFile()) add(root.path, st, root.source, root.path);
    } else {
      await walk(root.path, 0, root.source, root.path);
    }
  }
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export type MemoryPathDecision = { ok: true; abs: string; root: MemoryRoot } | { ok: false; reason: string };

/**
 * Pure: may `abs` (absolute, normalised, not yet checked for links) be read as memory?
 * It must be a `.md` file that is the workspace's MEMORY.md, below its memory/ folder, or
 * an extraPaths file or below an extraPaths folder. `roots` must be realpath-resolved.
 */
export function memoryPathDecision(abs: string, roots: MemoryRoot[]): MemoryPathDecision {
  if (!isMarkdown(abs)) return { ok: false, reason: "is not a Markdown (.md) file" };
  for (const root of roots) {
    if (root.kind === "file" ? abs === root.path : abs !== root.path && isInside(root.path, abs)) return { ok: true, abs, root };
  }
  return { ok: false, reason: "is not a memory file (MEMORY.md, memory/**/*.md or a memory.extraPaths entry)" };
}
