// The apply_patch tool (docs/agents.md, group "fs"): applies a unified diff to one or more
// files. Containment is tools.exec.applyPatch.workspaceOnly, decided by security/fs-containment.ts
// for every path the patch names. All-or-nothing: every path is checked and every hunk
// verified in memory before anything is written; writes are staged, then committed.
import type { StructuredPatch, StructuredPatchHunk } from "diff";
import { z } from "zod";
import { decodeText } from "./fs.js";
import {
  describeFsError,
  displayPath,
  quote,
  readContained,
  removeContained,
  resolveOrThrow,
  stageWrite,
  writeContained,
  type Scope,
  type StagedWrite,
} from "../security/fs-containment.js";
import { type ToolContext, type ToolDef } from "./types.js";
import { ToolError } from "../infra/errors.js";
import { workspaceConfinement } from "../security/sandbox-scope.js";
import { checkSandboxAccess, privateNotes } from "./fs.js";

export const PATCH_MAX_FILE_BYTES = 16 * 1024 * 1024;

export function applyPatchScope(ctx: ToolContext): Scope {
  const configured = { workspaceOnly: ctx.config.tools.exec.applyPatch.workspaceOnly, setting: "tools.exec.applyPatch.workspaceOnly" };
  // Skill folders (docs/skills.md): apply_patch only writes, so it gets the refusals (a skill
  // outside skills.allow; any skill folder outside the workspace) and never the read widening.
  const skillDirs = (ctx.skills ?? []).map((d) => (d.access === "available" ? { ...d, access: "hidden" as const } : d));
  return { workspace: ctx.workspace, ...workspaceConfinement(ctx.sandbox, configured), ...(skillDirs.length ? { skillDirs } : {}), sessionKey: ctx.sessionKey, privateNotes: privateNotes(ctx) };
}

const DEV_NULL = "/dev/null";

/** Git-style a/ and b/ prefixes are stripped (-p1); anything else is taken as written. */
function stripPrefix(name: string, prefix: "a/" | "b/"): string {
  return name.startsWith(prefix) && name.length > 2 ? name.slice(2) : name;
}

interface ParsedHunk {
  oldStart: number;
  old: string[];
  new: string[];
  oldNoEol: boolean;
  newNoEol: boolean;
  added: number;
  removed: number;
}

/** Split a file into lines (without terminators), remembering its EOL style and final newline. */
function splitLines(text: string): { lines: string[]; eol: "\n" | "\r\n"; finalNewline: boolean } {
  const eol = text.includes("\r\n") && !/(?<!\r)\n/.test(text) ? "\r\n" : "\n";
  if (text.length === 0) return { lines: [], eol, finalNewline: true };
  const lines = text.split(eol);
  const finalNewline = text.endsWith(eol);
  if (finalNewline) lines.pop();
  return { lines, eol, finalNewline };
}

function parseHunk(h: StructuredPatchHunk, crlf: boolean, shown: string, n: number): ParsedHunk {
  if (!Number.isFinite(h.oldStart) || !Number.isFinite(h.newStart)) {
    throw new ToolError(`hunk ${n} for ${quote(shown)} has no line numbers; hunk headers must look like "@@ -12,5 +12,6 @@".`);
  }
  const out: ParsedHunk = { oldStart: h.oldStart, old: [], new: [], oldNoEol: false, newNoEol: false, added: 0, removed: 0 };
  let prev = "";
  for (const raw of h.lines) {
    const op = raw[0];
    let text = raw.slice(1);
    if (crlf && text.endsWith("\r")) text = text.slice(0, -1);
    if (op === "\\") {
      if (prev === "-" || prev === " ") out.oldNoEol = true;
      if (prev === "+" || prev === " ") out.newNoEol = true;
      continue;
    }
    if (op === " " || op === undefined) {
      out.old.push(text);
      out.new.push(text);
    } else if (op === "-") {
      out.old.push(text);
      out.removed++;
    } else if (op === "+") {
      out.new.push(text);
      out.added++;
    }
    prev = op ?? " ";
  }
  return out;
}

function matchesAt(lines: string[], needle: string[], at: number): boolean {
  if (at < 0 || at + needle.length > lines.length) return false;
  for (let i = 0; i < needle.length; i++) if (lines[at + i] !== needle[i]) return false;
  return true;
}

/**
 * Apply hunks to a file's text. Each hunk must match exactly: at its stated line (shifted
 * by earlier hunks) or, failing that, at exactly one other place after the previous hunk.
 */
export function applyHunks(
  text: string,
  hunks: StructuredPatchHunk[],
  shown: string,
): { text: string; added: number; removed: number } {
  const file = splitLines(text);
  const lines = file.lines;
  let finalNewline = file.finalNewline;
  let cursor = 0;
  let delta = 0;
  let added = 0;
  let removed = 0;
  hunks.forEach((raw, idx) => {
    const n = idx + 1;
    const h = parseHunk(raw, file.eol === "\r\n", shown, n);
    added += h.added;
    removed += h.removed;
    const expected = Math.max(h.oldStart - 1 + delta, 0);
    let pos: number;
    if (h.old.length === 0) {
      // Pure insertion without context: it can only go where it says.
      if (expected < cursor || expected > lines.length) {
        throw new ToolError(`hunk ${n} for ${quote(shown)} inserts at line ${h.oldStart}, but the file has only ${lines.length} line(s).`);
      }
      pos = expected;
    } else if (expected >= cursor && matchesAt(lines, h.old, expected)) {
      pos = expected;
    } else {
      const found: number[] = [];
      for (let at = cursor; at + h.old.length <= lines.length; at++) if (matchesAt(lines, h.old, at)) found.push(at);
      if (found.length === 0) {
        let k = 0;
        while (k < h.old.length && lines[expected + k] === h.old[k]) k++;
        const got = lines[expected + k];
        const want = h.old[k] ?? "";
        const detail =
          got === undefined
            ? `the file has only ${lines.length} line(s)`
            : `line ${expected + k + 1} is ${JSON.stringify(got.slice(0, 120))}, expected ${JSON.stringify(want.slice(0, 120))}`;
        throw new ToolError(
          `hunk ${n} for ${quote(shown)} does not match the file (${detail}); read the file again and make the context and removed lines exact.`,
        );
      }
      if (found.length > 1) {
        throw new ToolError(
          `hunk ${n} for ${quote(shown)} does not match at line ${h.oldStart} and its context matches at ${found.length} other places (lines ${found
            .slice(0, 5)
            .map((f) => f + 1)
            .join(", ")}); add more context lines.`,
        );
      }
      pos = found[0]!;
    }
    lines.splice(pos, h.old.length, ...h.new);
    delta = pos - (h.oldStart - 1) + (h.new.length - h.old.length);
    cursor = pos + h.new.length;
    if (pos + h.new.length === lines.length) {
      if (h.newNoEol) finalNewline = false;
      else if (h.oldNoEol || h.new.length > 0) finalNewline = true;
    }
  });
  const body = lines.join(file.eol);
  return { text: lines.length > 0 && finalNewline ? body + file.eol : body, added, removed };
}

type Kind = "create" | "update" | "delete";

interface FileState {
  real: string;
  shown: string;
  /** Content before the patch (undefined: did not exist). */
  original: string | undefined;
  /** Content after the sections applied so far (undefined: deleted / not existing). */
  current: string | undefined;
  kind: Kind;
  added: number;
  removed: number;
}

function sectionNames(p: StructuredPatch, i: number): { oldName: string; newName: string; create: boolean; del: boolean } {
  const oldRaw = p.oldFileName;
  const newRaw = p.newFileName;
  if (oldRaw === undefined || newRaw === undefined || (oldRaw === "" && newRaw === "")) {
    throw new ToolError(`file section ${i} of the patch has no "--- a/<path>" and "+++ b/<path>" header lines.`);
  }
  if (p.isBinary) throw new ToolError(`the patch changes a binary file (${quote(newRaw || oldRaw)}); apply_patch handles text only.`);
  if (p.isRename || p.isCopy) {
    throw new ToolError(`the patch renames or copies ${quote(oldRaw)}; apply_patch does not support that, so create the new file and delete the old one instead.`);
  }
  const create = oldRaw === DEV_NULL || p.isCreate === true;
  const del = newRaw === DEV_NULL || p.isDelete === true;
  if (create && del) throw new ToolError(`file section ${i} of the patch both creates and deletes a file.`);
  return {
    oldName: oldRaw === DEV_NULL ? DEV_NULL : stripPrefix(oldRaw, "a/"),
    newName: newRaw === DEV_NULL ? DEV_NULL : stripPrefix(newRaw, "b/"),
    create,
    del,
  };
}

/** Parse, check every path, verify every hunk. Writes nothing. */
export async function planPatch(patch: string, scope: Scope): Promise<FileState[]> {
  let parsed: StructuredPatch[];
  // The diff parser loads on the first patch, not at gateway start.
  const { parsePatch } = await import("diff");
  try {
    parsed = parsePatch(patch);
  } catch (err) {
    throw new ToolError(`the patch could not be parsed: ${(err instanceof Error ? err.message : String(err)).replace(/\.$/, "")}.`);
  }
  const sections = parsed.filter((p) => p.oldFileName !== undefined || p.newFileName !== undefined || p.hunks.length > 0);
  if (sections.length === 0) {
    throw new ToolError('the patch contains no file changes; give a unified diff with "--- a/<path>", "+++ b/<path>" and "@@" hunks.');
  }

  // Pass 1: names and containment for every path, before reading anything.
  const named = [];
  for (const [idx, p] of sections.entries()) {
    const names = sectionNames(p, idx + 1);
    const targetName = names.del ? names.oldName : names.newName;
    const target = await resolveOrThrow(targetName, scope, true);
    if (!names.create && !names.del && names.oldName !== names.newName && names.oldName !== DEV_NULL) {
      await resolveOrThrow(names.oldName, scope, false); // must be contained too, though only the target is touched
    }
    named.push({ p, names, target });
  }

  // Pass 2: read and apply in memory, in order (a file may appear in several sections).
  const states = new Map<string, FileState>();
  for (const { p, names, target } of named) {
    const shown = displayPath(target.path, scope.workspace);
    let st = states.get(target.path);
    if (!st) {
      if (target.exists && !target.stats?.isFile()) throw new ToolError(`path ${quote(shown)} is not a regular file.`);
      const original = target.exists
        ? decodeText(await readContained(target.path, scope, PATCH_MAX_FILE_BYTES), shown, "apply_patch")
        : undefined;
      st = { real: target.path, shown, original, current: original, kind: "update", added: 0, removed: 0 };
      states.set(target.path, st);
    }
    if (names.create) {
      if (st.current !== undefined) throw new ToolError(`the patch creates ${quote(shown)}, but it already exists.`);
      const r = applyHunks("", p.hunks, shown);
      st.current = r.text;
      st.added += r.added;
      st.kind = st.original === undefined ? "create" : "update";
    } else {
      if (st.current === undefined) {
        throw new ToolError(`the patch changes ${quote(shown)}, but it does not exist; use "--- /dev/null" to create a file.`);
      }
      const r = applyHunks(st.current, p.hunks, shown);
      st.added += r.added;
      st.removed += r.removed;
      if (names.del) {
        if (r.text.length > 0) {
          throw new ToolError(`the patch deletes ${quote(shown)}, but its hunks do not remove all of the file's content.`);
        }
        st.current = undefined;
        st.kind = st.original === undefined ? "create" : "delete";
      } else {
        st.current = r.text;
      }
    }
  }
  // A file created and deleted again by the same patch is a no-op.
  return [...states.values()].filter((s) => !(s.original === undefined && s.current === undefined));
}

function summary(states: FileState[]): string {
  const verbs: Record<Kind, string> = { create: "created", update: "updated", delete: "deleted" };
  return states
    .map((s) => {
      const counts = s.kind === "create" ? `+${s.added}` : s.kind === "delete" ? `-${s.removed}` : `+${s.added} -${s.removed}`;
      return `${verbs[s.kind]} ${s.shown} (${counts})`;
    })
    .join(", ");
}

/** Commit a plan: stage every write, then rename them all, then delete; roll back on failure. */
export async function commitPlan(states: FileState[], scope: Scope): Promise<void> {
  const writes = states.filter((s) => s.current !== undefined && s.current !== s.original);
  const deletes = states.filter((s) => s.current === undefined);
  const staged: StagedWrite[] = [];
  try {
    for (const s of writes) staged.push(await stageWrite(s.real, s.current!, scope));
  } catch (err) {
    for (const w of staged) await w.abort();
    throw new ToolError(`nothing was changed: ${describeFsError(err, "stage", "patch").replace(/\.$/, "")}.`);
  }
  const done: FileState[] = [];
  try {
    for (const [i, w] of staged.entries()) {
      await w.commit();
      done.push(writes[i]!);
    }
    for (const s of deletes) {
      await removeContained(s.real, scope);
      done.push(s);
    }
  } catch (err) {
    for (const w of staged.slice(done.length)) await w.abort();
    // Best-effort rollback of what was already committed.
    const failed: string[] = [];
    for (const s of done.reverse()) {
      try {
        if (s.original === undefined) await removeContained(s.real, scope);
        else await writeContained(s.real, s.original, scope);
      } catch {
        failed.push(s.shown);
      }
    }
    const msg = describeFsError(err, "write", "patch").replace(/\.$/, "");
    throw new ToolError(
      failed.length === 0
        ? `the patch was rolled back: ${msg}.`
        : `the patch failed part-way and could not be fully rolled back (check ${failed.join(", ")}): ${msg}.`,
    );
  }
}

const applyPatchInput = z.strictObject({
  patch: z
    .string()
    .describe('A unified diff ("--- a/path", "+++ b/path", "@@ -l,c +l,c @@" hunks) for one or more files; use /dev/null to create or delete a file.'),
});

export const applyPatchTool: ToolDef<z.infer<typeof applyPatchInput>> = {
  name: "apply_patch",
  group: "fs",
  description:
    "Apply a unified diff to one or more text files. Every hunk must match exactly; if any file or hunk fails, nothing is changed.",
  inputSchema: applyPatchInput,
  async execute(input, ctx) {
    checkSandboxAccess(ctx, true, "apply_patch");
    if (ctx.signal.aborted) throw new ToolError("the run was cancelled.");
    const scope = applyPatchScope(ctx);
    const plan = await planPatch(input.patch, scope);
    if (plan.length === 0) return "the patch made no changes.";
    if (ctx.signal.aborted) throw new ToolError("the run was cancelled.");
    await commitPlan(plan, scope);
    return summary(plan) + ".";
  },
};
