// The memory tools (docs/agents.md, group "memory"): memory_search ranks snippets from the
// agent's memory index; memory_get returns the exact text of a memory file and nothing
// else. memory_get's path decision is here: the path must name MEMORY.md, a .md file under
// memory/, or one under memory.extraPaths — reached without a symbolic link and not a hard
// link — and the file is then opened O_NOFOLLOW and verified on its descriptor.
import { lstat, realpath } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { extraPathsAbsolute, MAX_MEMORY_FILE_BYTES, memoryPathDecision, type MemoryRoot } from "../memory/sources.js";
import { checkPathText, describeFsError, displayPath, isInside, openForRead, quote, readAtMost } from "../security/fs-containment.js";
import { checkSandboxAccess, decodeText } from "./fs.js";
import { type ToolContext, type ToolDef } from "./types.js";
import { ToolError } from "../infra/errors.js";
import { workspaceConfinement } from "../security/sandbox-scope.js";
import { isMainSession } from "../security/owner-files.js";
import { MEMORY_OWNER_ONLY_RULE } from "../security/tool-policy.js";

export const MEMORY_GET_MAX_CHARS = 100_000;
export const DEFAULT_MAX_RESULTS = 6;

/** The memory tools are only for the owner's main session (security/owner-files.ts); the policy already hides them elsewhere. */
function checkOwnerSession(ctx: ToolContext, tool: string): void {
  if (!isMainSession(ctx.sessionKey)) throw new ToolError(`${tool} is not available here: ${MEMORY_OWNER_ONLY_RULE}.`);
}

function checkAborted(ctx: ToolContext): void {
  if (ctx.signal.aborted) throw new ToolError("the run was cancelled.");
}

/** Sandboxed sessions see only their workspace: extraPaths outside it are left out. */
const workspaceOnlyMemory = (ctx: ToolContext) => workspaceConfinement(ctx.sandbox, { workspaceOnly: false, setting: "" }).workspaceOnly;

// ---------------------------------------------------------------------------------------
// memory_search

const searchInput = z.strictObject({
  query: z.string().min(1).max(2000).describe("What to look for, in words (e.g. 'wifi password at the cabin')."),
  maxResults: z.number().int().min(1).max(20).optional().describe(`How many snippets to return (default ${DEFAULT_MAX_RESULTS}).`),
});

export const memorySearchTool: ToolDef<z.infer<typeof searchInput>> = {
  name: "memory_search",
  group: "memory",
  description:
    "Search the owner's memory notes (MEMORY.md, memory/*.md) and return the best-matching snippets with path, line range and score. Use memory_get to read more of a file.",
  inputSchema: searchInput,
  async execute(input, ctx) {
    checkOwnerSession(ctx, "memory_search");
    checkSandboxAccess(ctx, false, "memory_search");
    checkAborted(ctx);
    const memory = ctx.services?.memory;
    if (!memory) throw new ToolError("memory search is unavailable: the memory index is not running in this gateway (memory.enabled is false?).");
    const r = await memory.search(ctx.agentId, input.query, {
      maxResults: input.maxResults ?? DEFAULT_MAX_RESULTS,
      workspaceOnly: workspaceOnlyMemory(ctx),
      signal: ctx.signal,
    });
    const head = r.note ? `[note: ${r.note}]\n` : "";
    if (r.hits.length === 0) return `${head}No memory matches ${quote(input.query)}.`;
    const body = r.hits
      .map((h, i) => `[${i + 1}] ${h.path}:${h.startLine}-${h.endLine} (score ${h.score.toFixed(3)}${h.date ? `, dated ${h.date}` : ""})\n${h.snippet}`)
      .join("\n\n");
    return `${head}${r.hits.length} match(es) for ${quote(input.query)} (${r.mode} search):\n\n${body}`;
  },
};

// ---------------------------------------------------------------------------------------
// memory_get

const getInput = z.strictObject({
  path: z.string().describe("A memory file as memory_search shows it: MEMORY.md, memory/…/*.md, or an extra memory path."),
  from: z.number().int().min(1).optional().describe("First line to return (1-based). Default 1."),
  lines: z.number().int().min(1).optional().describe("How many lines to return. Default: to the end of the file."),
});

/** The memory roots for a decision: the workspace's two, whether or not they exist, plus extraPaths. */
async function decisionRoots(ctx: ToolContext): Promise<MemoryRoot[]> {
  const ws = ctx.workspace;
  const roots: MemoryRoot[] = [
    { path: path.join(ws, "MEMORY.md"), kind: "file", source: "workspace", label: "MEMORY.md" },
    { path: path.join(ws, "memory"), kind: "dir", source: "workspace", label: "memory/" },
  ];
  const extras = ctx.config.memory.extraPaths;
  const abs = extraPathsAbsolute(ws, extras);
  for (let i = 0; i < abs.length; i++) {
    const real = await realpath(abs[i]!).catch(() => undefined);
    if (!real) continue;
    if (workspaceOnlyMemory(ctx) && !isInside(ws, real)) continue;
    const st = await lstat(real).catch(() => undefined);
    if (st?.isDirectory()) roots.push({ path: real, kind: "dir", source: "extra", label: extras[i]! });
    else if (st?.isFile()) roots.push({ path: real, kind: "file", source: "extra", label: extras[i]! });
  }
  return roots;
}

/** Resolve and check a memory_get path; returns the real absolute path of a readable memory file. */
export async function resolveMemoryPath(input: string, ctx: ToolContext): Promise<{ abs: string; root: MemoryRoot }> {
  const problem = checkPathText(input);
  if (problem) throw new ToolError(`path ${quote(input)} ${problem}.`);
  const q = quote(input);
  // Lexical first: `..` is resolved before anything touches the disk, so it cannot climb out.
  const abs = path.resolve(ctx.workspace, input.normalize("NFC"));
  const roots = await decisionRoots(ctx);
  const d = memoryPathDecision(abs, roots);
  if (!d.ok) throw new ToolError(`path ${q} ${d.reason}; memory_get reads memory files only.`);
  // Then on disk: no component may be a symbolic link (the real path must be the path itself).
  const real = await realpath(abs).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") throw new ToolError(`memory file ${q} does not exist.`);
    throw new ToolError(`path ${q} cannot be resolved (${err.code ?? "error"}).`);
  });
  if (real !== abs) {
    throw new ToolError(`path ${q} goes through a symbolic link (it resolves to ${quote(displayPath(real, ctx.workspace))}); memory_get does not follow links.`);
  }
  const st = await lstat(abs);
  if (!st.isFile()) throw new ToolError(`path ${q} is not a regular file.`);
  if (d.root.source === "workspace" && st.nlink > 1) {
    throw new ToolError(`path ${q} is a hard link (${st.nlink} links) that may share its data with a file outside the memory files; memory_get refuses it.`);
  }
  return { abs, root: d.root };
}

export const memoryGetTool: ToolDef<z.infer<typeof getInput>> = {
  name: "memory_get",
  group: "memory",
  description:
    "Read the exact text of a memory file (MEMORY.md, memory/…/*.md, or an extra memory path), optionally a line range (from, lines). Only memory files can be read with it.",
  inputSchema: getInput,
  async execute(input, ctx) {
    checkOwnerSession(ctx, "memory_get");
    checkSandboxAccess(ctx, false, "memory_get");
    checkAborted(ctx);
    const { abs, root } = await resolveMemoryPath(input.path, ctx);
    const shown = displayPath(abs, ctx.workspace);
    // Check and use on the same inode: O_NOFOLLOW open, fd verified against the checked path.
    const { handle, stats } = await openForRead(abs, { workspace: ctx.workspace, workspaceOnly: false, setting: "memory files" });
    let text: string;
    try {
      if (root.source === "workspace" && stats.nlink > 1) throw new ToolError(`path ${quote(shown)} is a hard link; memory_get refuses it.`);
      if (stats.size > MAX_MEMORY_FILE_BYTES) throw new ToolError(`memory file ${quote(shown)} is too large (${stats.size} bytes).`);
      const data = await readAtMost(handle, MAX_MEMORY_FILE_BYTES);
      if (data === undefined) throw new ToolError(`memory file ${quote(shown)} is too large (more than ${MAX_MEMORY_FILE_BYTES} bytes).`);
      text = decodeText(data, shown, "memory_get");
    } catch (err) {
      throw new ToolError(describeFsError(err, "read", shown));
    } finally {
      await handle.close().catch(() => {});
    }
    if (text === "") return `[memory file ${quote(shown)} is empty]`;
    const all = text.split("\n");
    if (all.at(-1) === "") all.pop();
    const from = input.from ?? 1;
    if (from > all.length) return `[memory file ${quote(shown)} has ${all.length} line(s); from ${from} is past the end]`;
    const end = input.lines ? Math.min(all.length, from - 1 + input.lines) : all.length;
    const out = all.slice(from - 1, end).join("\n");
    if (out.length <= MEMORY_GET_MAX_CHARS) return out;
    const cut = out.slice(0, MEMORY_GET_MAX_CHARS);
    const next = from + cut.split("\n").length - 1;
    return `${cut}\n[truncated at ${MEMORY_GET_MAX_CHARS} characters; continue with from=${Math.max(from + 1, next)}]`;
  },
};

export const memoryTools: ToolDef[] = [memorySearchTool, memoryGetTool];
