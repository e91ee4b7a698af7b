// The fs tools (docs/agents.md, group "fs"): read, write, edit, list. Each one resolves its
// path through security/fs-containment.ts under tools.fs.workspaceOnly and does its I/O through
// the guard's fd-verified helpers, so what was checked is what is read or written.
import type { FileHandle } from "node:fs/promises";
import { extraPathsAbsolute } from "../memory/sources.js";
import { isMainSession } from "../security/owner-files.js";
import { z } from "zod";
import {
  describeFsError,
  displayPath,
  listContained,
  openForRead,
  quote,
  readContained,
  realPathOfSync,
  resolveOrThrow,
  writeContained,
  type Scope,
} from "../security/fs-containment.js";
import { type ToolContext, type ToolDef } from "./types.js";
import { ToolError } from "../infra/errors.js";
import { workspaceAccessProblem, workspaceConfinement } from "../security/sandbox-scope.js";

export const READ_MAX_BYTES = 256 * 1024;
export const EDIT_MAX_BYTES = 16 * 1024 * 1024;
export const LIST_MAX_ENTRIES = 1000;

export function fsScope(ctx: ToolContext): Scope {
  return {
    workspace: ctx.workspace,
    ...workspaceConfinement(ctx.sandbox, { workspaceOnly: ctx.config.tools.fs.workspaceOnly, setting: "tools.fs.workspaceOnly" }),
    ...(ctx.skills?.length ? { skillDirs: ctx.skills } : {}),
    sessionKey: ctx.sessionKey,
    privateNotes: privateNotes(ctx),
  };
}

/**
 * memory.extraPaths as real paths, for a session other than the main session (which may not
 * touch them: security/owner-files.ts); empty for the main session. One that does not exist
 * yet is included too (where it would be created): a guest must not plant the owner's notes.
 */
export function privateNotes(ctx: ToolContext): string[] {
  if (isMainSession(ctx.sessionKey)) return [];
  return extraPathsAbsolute(ctx.workspace, ctx.config.memory.extraPaths).map((p) => realPathOfSync(p));
}

/** In a sandboxed session, file tools get exactly the sandbox's workspace access (rw / ro / none). */
export function checkSandboxAccess(ctx: ToolContext, write: boolean, tool: string): void {
  const problem = workspaceAccessProblem(ctx.sandbox, write, tool);
  if (problem) throw new ToolError(problem);
}

function checkAborted(ctx: ToolContext): void {
  if (ctx.signal.aborted) throw new ToolError("the run was cancelled.");
}

/** Decode bytes as UTF-8 text only if that is lossless (so a rewrite cannot corrupt the file). */
export function decodeText(buf: Buffer, shown: string, verb: string): string {
  if (buf.includes(0)) throw new ToolError(`file ${quote(shown)} looks binary (it contains NUL bytes); ${verb} works on text files only.`);
  const text = buf.toString("utf8");
  if (!Buffer.from(text, "utf8").equals(buf)) {
    throw new ToolError(`file ${quote(shown)} is not valid UTF-8 text; ${verb} works on UTF-8 text files only.`);
  }
  return text;
}

// ---------------------------------------------------------------------------------------
// read

const readInput = z.strictObject({
  path: z.string().describe("File path, relative to the workspace or absolute."),
  offset: z.number().int().min(1).optional().describe("First line to return (1-based). Default 1."),
  limit: z.number().int().min(1).optional().describe("Maximum number of lines to return. Default: all, up to 256 KiB."),
});

/** Back off a byte cut so it does not split a UTF-8 sequence. */
function utf8Boundary(buf: Buffer, end: number): number {
  let i = end;
  while (i > 0 && i < buf.length && (buf[i]! & 0xc0) === 0x80) i--;
  return i;
}

/** Stream lines [offset, offset+limit) from an open file, refusing binary, capped at READ_MAX_BYTES. */
async function readLines(fh: FileHandle, shown: string, offset: number, limit: number | undefined, ctx: ToolContext): Promise<string> {
  const chunk = Buffer.alloc(64 * 1024);
  const out: Buffer[] = [];
  let outBytes = 0;
  let line = 1; // line number at the current read position
  let taken = 0;
  let pos = 0; // file position of chunk start
  let truncatedAt: number | undefined; // line to continue from when capped
  let stoppedByLimit = false;
  let moreAfter = false;
  let sawAny = false;
  let lastByte = 0x0a;

  outer: for (;;) {
    checkAborted(ctx);
    const { bytesRead } = await fh.read(chunk, 0, chunk.length, pos);
    if (bytesRead === 0) break;
    sawAny = true;
    const data = chunk.subarray(0, bytesRead);
    if (data.includes(0)) throw new ToolError(`file ${quote(shown)} looks binary (it contains NUL bytes); read returns text only.`);
    pos += bytesRead;
    lastByte = data[data.length - 1]!;
    let i = 0;
    while (i < data.length) {
      if (stoppedByLimit || truncatedAt !== undefined) {
        moreAfter = true;
        break outer;
      }
      const nl = data.indexOf(0x0a, i);
      const end = nl === -1 ? data.length : nl + 1;
      if (line >= offset) {
        const piece = data.subarray(i, end);
        if (outBytes + piece.length > READ_MAX_BYTES) {
          const room = utf8Boundary(piece, READ_MAX_BYTES - outBytes);
          out.push(Buffer.from(piece.subarray(0, room)));
          outBytes += room;
          truncatedAt = line;
          moreAfter = true;
          break outer;
        }
        out.push(Buffer.from(piece));
        outBytes += piece.length;
      }
      if (nl !== -1) {
        if (line >= offset) {
          taken++;
          if (limit !== undefined && taken >= limit) stoppedByLimit = true;
        }
        line++;
      }
      i = end;
    }
  }

  if (!sawAny) return `[file ${quote(shown)} is empty]`;
  if (out.length === 0 && offset > 1) {
    const total = line - 1 + (lastByte === 0x0a ? 0 : 1);
    return `[file ${quote(shown)} has ${total} line(s); offset ${offset} is past the end]`;
  }
  let text = new TextDecoder("utf-8").decode(Buffer.concat(out));
  if (truncatedAt !== undefined) {
    text += `\n[truncated: output is capped at ${READ_MAX_BYTES / 1024} KiB; continue with offset=${truncatedAt}]`;
  } else if (stoppedByLimit && moreAfter) {
    text += `\n[more lines follow; continue with offset=${offset + taken}]`;
  }
  return text;
}

export const readTool: ToolDef<z.infer<typeof readInput>> = {
  name: "read",
  group: "fs",
  description: "Read a UTF-8 text file. Use offset and limit (in lines) to page through large files; output is capped at 256 KiB.",
  inputSchema: readInput,
  async execute(input, ctx) {
    checkSandboxAccess(ctx, false, "read");
    checkAborted(ctx);
    const scope = fsScope(ctx);
    const r = await resolveOrThrow(input.path, scope, false);
    const shown = displayPath(r.path, scope.workspace);
    if (!r.exists) throw new ToolError(`file ${quote(shown)} does not exist.`);
    if (r.stats?.isDirectory()) throw new ToolError(`path ${quote(shown)} is a directory; use list to see its entries.`);
    const { handle } = await openForRead(r.path, scope);
    try {
      return await readLines(handle, shown, input.offset ?? 1, input.limit, ctx);
    } catch (err) {
      throw new ToolError(describeFsError(err, "read", shown));
    } finally {
      await handle.close().catch(() => {});
    }
  },
};

// ---------------------------------------------------------------------------------------
// write

const writeInput = z.strictObject({
  path: z.string().describe("File path, relative to the workspace or absolute. Parent directories are created."),
  content: z.string().describe("The complete new content of the file."),
});

export const writeTool: ToolDef<z.infer<typeof writeInput>> = {
  name: "write",
  group: "fs",
  description: "Create or replace a text file with the given content (atomically). Parent directories are created.",
  inputSchema: writeInput,
  async execute(input, ctx) {
    checkSandboxAccess(ctx, true, "write");
    checkAborted(ctx);
    const scope = fsScope(ctx);
    const r = await resolveOrThrow(input.path, scope, true);
    const shown = displayPath(r.path, scope.workspace);
    if (r.stats?.isDirectory()) throw new ToolError(`path ${quote(shown)} is a directory.`);
    if (r.exists && !r.stats?.isFile()) throw new ToolError(`path ${quote(shown)} is not a regular file.`);
    const bytes = Buffer.byteLength(input.content, "utf8");
    try {
      const { replaced } = await writeContained(r.path, input.content, scope);
      return `${replaced ? "replaced" : "created"} ${shown} (${bytes} bytes).`;
    } catch (err) {
      throw new ToolError(describeFsError(err, "write", shown));
    }
  },
};

// ---------------------------------------------------------------------------------------
// edit

const editInput = z.strictObject({
  path: z.string().describe("File path, relative to the workspace or absolute."),
  oldText: z.string().describe("Exact text to replace; it must occur exactly once in the file."),
  newText: z.string().describe("Replacement text."),
});

/** Occurrences of `needle` in `hay`, overlapping ones included (so "aa" in "aaa" is 2: ambiguous). */
export function countOccurrences(hay: string, needle: string): number {
  if (needle.length === 0) return 0;
  let n = 0;
  for (let i = hay.indexOf(needle); i !== -1; i = hay.indexOf(needle, i + 1)) n++;
  return n;
}

const lines = (s: string) => (s.length === 0 ? 0 : s.split("\n").length);

export const editTool: ToolDef<z.infer<typeof editInput>> = {
  name: "edit",
  group: "fs",
  description: "Replace one exact occurrence of oldText with newText in a text file. oldText must occur exactly once; include surrounding lines to make it unique.",
  inputSchema: editInput,
  async execute(input, ctx) {
    checkSandboxAccess(ctx, true, "edit");
    checkAborted(ctx);
    const scope = fsScope(ctx);
    const r = await resolveOrThrow(input.path, scope, true);
    const shown = displayPath(r.path, scope.workspace);
    if (!r.exists) throw new ToolError(`file ${quote(shown)} does not exist; use write to create it.`);
    if (!r.stats?.isFile()) throw new ToolError(`path ${quote(shown)} is not a regular file.`);
    if (input.oldText.length === 0) throw new ToolError("oldText is empty; give the exact text to replace.");
    try {
      const text = decodeText(await readContained(r.path, scope, EDIT_MAX_BYTES), shown, "edit");
      let oldText = input.oldText;
      let newText = input.newText;
      let count = countOccurrences(text, oldText);
      if (count === 0 && text.includes("\r\n") && /(?<!\r)\n/.test(oldText)) {
        // The file uses CRLF and the model wrote LF: match and replace in the file's style.
        const crlf = (s: string) => s.replace(/\r?\n/g, "\r\n");
        if (countOccurrences(text, crlf(oldText)) > 0) {
          oldText = crlf(oldText);
          newText = crlf(newText);
          count = countOccurrences(text, oldText);
        }
      }
      if (count === 0) {
        throw new ToolError(`oldText was not found in ${quote(shown)}; read the file and copy the exact text, including whitespace.`);
      }
      if (count > 1) {
        throw new ToolError(`oldText occurs ${count} times in ${quote(shown)}; include more surrounding text so it occurs exactly once.`);
      }
      const at = text.indexOf(oldText);
      // Slice, not String.replace: "$&" and friends in newText must stay literal.
      const next = text.slice(0, at) + newText + text.slice(at + oldText.length);
      checkAborted(ctx);
      await writeContained(r.path, next, scope);
      return `edited ${shown}: replaced ${lines(oldText)} line(s) with ${lines(newText)} line(s).`;
    } catch (err) {
      throw new ToolError(describeFsError(err, "edit", shown));
    }
  },
};

// ---------------------------------------------------------------------------------------
// list

const listInput = z.strictObject({
  path: z.string().default(".").describe("Directory path, relative to the workspace or absolute. Default: the workspace."),
});

/** Shown name: escaped when it contains anything that could forge another line or hide text. */
function entryName(name: string): string {
  return /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]/u.test(name) ? quote(name) : name;
}

export const listTool: ToolDef<z.output<typeof listInput>> = {
  name: "list",
  group: "fs",
  description: "List a directory's entries, sorted: directories end in '/', symbolic links in '@', other special files in '|' (FIFO), '=' (socket) or '#' (device).",
  inputSchema: listInput,
  async execute(input, ctx) {
    checkSandboxAccess(ctx, false, "list");
    checkAborted(ctx);
    const scope = fsScope(ctx);
    const r = await resolveOrThrow(input.path, scope, false);
    const shown = displayPath(r.path, scope.workspace);
    if (!r.exists) throw new ToolError(`directory ${quote(shown)} does not exist.`);
    if (!r.stats?.isDirectory()) throw new ToolError(`path ${quote(shown)} is not a directory; use read to see a file.`);
    let entries;
    try {
      entries = await listContained(r.path, scope);
    } catch (err) {
      throw new ToolError(describeFsError(err, "list", shown));
    }
    if (entries.length === 0) return `[directory ${quote(shown)} is empty]`;
    const rows = entries
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((e) => {
        const name = entryName(e.name);
        if (e.isDirectory()) return name + "/";
        if (e.isSymbolicLink()) return name + "@";
        if (e.isFIFO()) return name + "|";
        if (e.isSocket()) return name + "=";
        if (e.isBlockDevice() || e.isCharacterDevice()) return name + "#";
        return name;
      });
    const shownRows = rows.slice(0, LIST_MAX_ENTRIES);
    if (rows.length > LIST_MAX_ENTRIES) shownRows.push(`[... ${rows.length - LIST_MAX_ENTRIES} more entries not shown]`);
    return shownRows.join("\n");
  },
};

export const fsTools: ToolDef[] = [readTool, writeTool, editTool, listTool];
