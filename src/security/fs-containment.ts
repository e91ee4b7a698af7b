// Filesystem scope (DESIGN.md "filesystem scope"): every path an fs tool touches passes
// through here. `resolveToolPath` is the containment decision (tools.fs.workspaceOnly,
// tools.exec.applyPatch.workspaceOnly), made on the real path; `openForRead`,
// `openForWrite`, `stageWrite`, `listContained` and `removeContained` re-check it on the
// opened file descriptor, so the check and the use happen on the same inode.
//
// Residual risk (documented, not hidden): Node has no openat/renameat, so a process that
// races us on the same directories (e.g. a background exec) can still win a window of
// microseconds between a directory re-check and rename/unlink. Every such swap we can see
// afterwards is refused, and a file we created in the wrong place is removed.
import { closeSync, constants as FS, fstatSync, lstatSync, openSync, readlinkSync, realpathSync, type Dirent, type Stats } from "node:fs";
import { lstat, mkdir, open, readdir, readlink, realpath, rename, rmdir, unlink, type FileHandle } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { homedir } from "node:os";
import path from "node:path";
import { ToolError } from "../infra/errors.js";
import { isInside } from "./path-inside.js";
import { extraNotesReason, isMainSession, OWNER_ENTRIES, ownerFileReason, ownerTargetReason, type OwnerTarget } from "./owner-files.js";
import { skillPathDecision, type SkillDir } from "./skill-access.js";

/** Who asks, and under which config key the answer is decided (named in refusals). */
export interface Scope {
  /** Absolute, realpath-resolved workspace directory. */
  workspace: string;
  workspaceOnly: boolean;
  /** Config key named in refusals, e.g. "tools.fs.workspaceOnly". */
  setting?: string;
  /** Skill folders (security/skill-access.ts): readable beyond the workspace, never writable. */
  skillDirs?: readonly SkillDir[];
  /**
   * The run's session: a non-main session may not change the owner's instruction and memory
   * files nor read the private ones (security/owner-files.ts). Omitted: no such rule.
   */
  sessionKey?: string;
  /** memory.extraPaths as real paths: private to the main session like memory/ (security/owner-files.ts). */
  privateNotes?: readonly string[];
}

export interface ResolveOptions {
  workspaceOnly: boolean;
  forWrite: boolean;
  /** Config key named in refusals; default "tools.fs.workspaceOnly". */
  setting?: string;
  /** Skill folders the run knows (docs/skills.md); only the fs tools pass them. */
  skillDirs?: readonly SkillDir[];
  /** The run's session, for the owner's files (security/owner-files.ts); omitted: no such rule. */
  sessionKey?: string;
  /** memory.extraPaths as real paths (security/owner-files.ts extraNotesReason). */
  privateNotes?: readonly string[];
}

export type PathDecision =
  | { ok: true; path: string; exists: boolean; stats?: Stats }
  | { ok: false; reason: string };

/** Test-only seams to simulate a path being swapped between the check and the use. */
export interface GuardHooks {
  beforeOpen?: (path: string) => void | Promise<void>;
  beforeRename?: (tmpPath: string, target: string) => void | Promise<void>;
  /** Pretend /proc/self/fd is unavailable (exercises the dev/ino fallback). */
  noProcFd?: boolean;
}

const DEFAULT_SETTING = "tools.fs.workspaceOnly";
const MAX_PATH_LENGTH = 4096;

/** Characters that render like a path separator but are not one. */
const LOOKALIKE_SEPARATORS: ReadonlyMap<number, string> = new Map([
  [0x2215, "DIVISION SLASH"],
  [0x2044, "FRACTION SLASH"],
  [0xff0f, "FULLWIDTH SOLIDUS"],
  [0x29f8, "BIG SOLIDUS"],
  [0x29f9, "BIG REVERSE SOLIDUS"],
  [0x2216, "SET MINUS"],
  [0xfe68, "SMALL REVERSE SOLIDUS"],
  [0xff3c, "FULLWIDTH REVERSE SOLIDUS"],
]);

/** Bidi controls and zero-width characters: they make a path display as something it is not. */
function isInvisible(cp: number): boolean {
  return (
    cp === 0x00ad ||
    cp === 0x061c ||
    cp === 0x180e ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x2064) ||
    (cp >= 0x2066 && cp <= 0x206f) ||
    cp === 0xfeff
  );
}

function isControl(cp: number): boolean {
  return cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp <= 0x9f);
}

const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;

/** JSON-quotes a path for a message, escaping anything invisible or controlling. */
export function quote(s: string): string {
  let out = "";
  for (const ch of JSON.stringify(s)) {
    const cp = ch.codePointAt(0)!;
    out += isInvisible(cp) || isControl(cp) || LOOKALIKE_SEPARATORS.has(cp) ? `\\u${cp.toString(16).padStart(4, "0")}` : ch;
  }
  return out;
}

/**
 * Pure check of a path's text. Returns why it is refused (a clause to follow `path "x"`),
 * or undefined when the text is acceptable.
 */
export function checkPathText(input: string): string | undefined {
  if (input.length === 0) return "is empty";
  if (input.length > MAX_PATH_LENGTH) return `is longer than ${MAX_PATH_LENGTH} characters`;
  if (input.includes("\0")) return "contains a NUL byte";
  if (/\p{Cs}/u.test(input)) return "contains an unpaired UTF-16 surrogate";
  for (const ch of input.normalize("NFC")) {
    const cp = ch.codePointAt(0)!;
    const lookalike = LOOKALIKE_SEPARATORS.get(cp);
    if (lookalike) return `contains ${hex(cp)} ${lookalike}, which looks like a path separator but is not one`;
    if (isControl(cp)) return `contains the control character ${hex(cp)}`;
    if (isInvisible(cp)) return `contains the invisible or bidirectional control character ${hex(cp)}`;
  }
  return undefined;
}

export { isInside };

/**
 * Why the agent's own writes never touch `p`, or null (docs/security-model.md, "Protected
 * paths"): git metadata — a `.git` directory or file at any depth — whose config and hooks make
 * git run programs the next time anyone runs git there. Pure: looks at the components of `p`
 * below `root` (all of them when `p` is outside it), case-insensitively (case-insensitive
 * filesystems). Callers pass real paths. Read by the fs tools, apply_patch, and the exec gate
 * (redirections and the files a profiled program writes).
 */
export function protectedWriteReason(root: string, p: string): string | null {
  const below = isInside(root, p) ? path.relative(path.resolve(root), path.resolve(p)) : path.resolve(p);
  for (const part of below.split(path.sep)) {
    if (part.toLowerCase() === ".git") return "it is inside git metadata (.git), whose config and hooks make git run programs";
  }
  return null;
}

/** How a resolved path is shown to the model: relative inside the workspace, absolute outside. */
export function displayPath(real: string, workspace: string): string {
  if (real === workspace) return ".";
  if (isInside(workspace, real)) return path.relative(workspace, real);
  return real;
}

function errCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : undefined;
}

const FS_ERROR_TEXT: Record<string, string> = {
  ENOENT: "it does not exist",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "it is a directory",
  ENOTDIR: "a parent is not a directory",
  ENOSPC: "no space left on the device",
  EROFS: "the filesystem is read-only",
  ELOOP: "it is a symbolic link or a symbolic-link loop",
  EEXIST: "it already exists",
  ENAMETOOLONG: "the name is too long",
  EDQUOT: "the disk quota is exceeded",
};

/** One sentence for an unexpected filesystem error (ToolErrors pass through unchanged). */
export function describeFsError(err: unknown, verb: string, shown: string): string {
  if (err instanceof ToolError) return err.message;
  const code = errCode(err);
  const text = (code && FS_ERROR_TEXT[code]) ?? (err instanceof Error ? err.message : String(err));
  return `cannot ${verb} ${quote(shown)}: ${text}${code ? ` (${code})` : ""}.`;
}

function refuse(reason: string): PathDecision {
  return { ok: false, reason };
}

/**
 * The containment decision. Relative paths resolve against the workspace, `~` and `~/x`
 * against the home directory, `..` is resolved before the check, and the decision is
 * made on the real path: the longest existing prefix is realpath'd and the missing rest
 * appended. Tools must use the returned `path` for I/O, never the input.
 */
export async function resolveToolPath(input: string, workspace: string, opts: ResolveOptions): Promise<PathDecision> {
  const setting = opts.setting ?? DEFAULT_SETTING;
  if (typeof input !== "string") return refuse("path must be a string.");
  const q = quote(input);
  const problem = checkPathText(input);
  if (problem) return refuse(`path ${q} ${problem}.`);

  let text = input.normalize("NFC");
  if (text === "~" || text.startsWith("~/")) {
    text = path.join(homedir(), text.slice(1));
  } else if (text.startsWith("~")) {
    return refuse(`path ${q} uses ~user syntax, which is not supported; give a path relative to the workspace or an absolute path.`);
  }

  let root: string;
  try {
    root = await realpath(workspace);
  } catch {
    return refuse(`the workspace ${quote(workspace)} does not exist.`);
  }

  const lexical = path.resolve(root, text);
  const parts = lexical.split(path.sep).filter(Boolean);
  let existing = path.parse(lexical).root;
  let rest: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const next = path.join(existing, parts[i]!);
    try {
      await lstat(next);
      existing = next;
    } catch (err) {
      const code = errCode(err);
      if (code === "ENOENT") {
        rest = parts.slice(i);
        break;
      }
      if (code === "ENOTDIR") return refuse(`path ${q} goes through ${quote(displayPath(existing, root))}, which is not a directory.`);
      if (code === "EACCES") return refuse(`path ${q} cannot be checked: permission denied on ${quote(existing)}.`);
      return refuse(`path ${q} cannot be checked (${code ?? "unknown error"}).`);
    }
  }

  let realPrefix: string;
  try {
    realPrefix = await realpath(existing);
  } catch (err) {
    const code = errCode(err);
    if (code === "ENOENT" || code === "ELOOP") {
      return refuse(`path ${q} goes through a dangling or looping symbolic link.`);
    }
    return refuse(`path ${q} cannot be resolved (${code ?? "unknown error"}).`);
  }
  if (rest.length > 0) {
    const st = await lstat(realPrefix).catch(() => undefined);
    if (!st?.isDirectory()) return refuse(`path ${q} goes through ${quote(displayPath(realPrefix, root))}, which is not a directory.`);
  }
  const real = rest.length > 0 ? path.join(realPrefix, ...rest) : realPrefix;

  // The owner's files (security/owner-files.ts): decided on the real path and the path as given.
  if (opts.sessionKey !== undefined) {
    const access = opts.forWrite ? "write" : "read";
    const why = ownerFileReason(opts.sessionKey, root, access, real, lexical) ?? (isMainSession(opts.sessionKey) ? null : ownerTargetReason(opts.sessionKey, access, await ownerTargets(root), real));
    if (why) return refuse(`path ${q} is not ${opts.forWrite ? "writable" : "readable"} here: ${why}.`);
    const notes = opts.privateNotes?.length ? extraNotesReason(opts.sessionKey, opts.privateNotes, real, lexical) : null;
    if (notes) return refuse(`path ${q} is not ${opts.forWrite ? "writable" : "readable"} here: ${notes}.`);
  }

  // Skills (security/skill-access.ts): a disallowed skill is refused, a skill outside the
  // workspace is never written, an available skill may be read even with workspaceOnly.
  const skill = opts.skillDirs?.length ? skillPathDecision(real, opts.forWrite ? "write" : "read", opts.skillDirs) : { kind: "none" as const };
  if (skill.kind === "refuse") return refuse(`path ${q} ${skill.reason}.`);
  if (opts.workspaceOnly && !isInside(root, real) && skill.kind !== "read") {
    const via = isInside(root, lexical) ? " through a symbolic link" : "";
    return refuse(`path ${q} resolves outside the workspace (${root})${via}; ${setting} is on.`);
  }

  if (opts.forWrite) {
    const why = protectedWriteReason(root, real) ?? protectedWriteReason(root, lexical);
    if (why) return refuse(`path ${q} is not writable: ${why}.`);
  }

  if (rest.length > 0) return { ok: true, path: real, exists: false };

  const final = await lstat(lexical).catch(() => undefined);
  if (opts.forWrite && final?.isSymbolicLink()) {
    return refuse(`path ${q} is a symbolic link, and writes never follow a final symbolic link; write to the file it points to instead.`);
  }
  let stats: Stats;
  try {
    stats = await lstat(real);
  } catch (err) {
    return refuse(`path ${q} cannot be checked (${errCode(err) ?? "unknown error"}).`);
  }
  if (opts.workspaceOnly && stats.isFile() && stats.nlink > 1) {
    return refuse(
      `path ${q} is a hard link (${stats.nlink} links) that may share its data with a file outside the workspace; ${setting} is on.`,
    );
  }
  return { ok: true, path: real, exists: true, stats };
}

/**
 * Where `abs` (absolute) leads, whether or not it exists yet: every symbolic link is followed,
 * a dangling one to where its target would be created, and the missing rest is appended — the
 * place a file created at `abs` would land. For rules about places that may not exist yet (the
 * owner's memory.extraPaths and owner entries kept as links: a guest must not create them).
 * On a link loop or an unreadable component: the longest part that resolves, the rest appended.
 */
export function realPathOfSync(abs: string): string {
  const hops = { n: 0 };
  const walk = (p: string): string | undefined => {
    const parts = path.resolve(p).split(path.sep).filter(Boolean);
    let cur = path.parse(path.resolve(p)).root;
    for (let i = 0; i < parts.length; i++) {
      const next = path.join(cur, parts[i]!);
      let st: Stats;
      try {
        st = lstatSync(next);
      } catch (err) {
        if (errCode(err) === "ENOENT") return path.join(next, ...parts.slice(i + 1));
        return undefined;
      }
      if (!st.isSymbolicLink()) {
        cur = next;
        continue;
      }
      if (++hops.n > 40) return undefined;
      let target: string;
      try {
        target = readlinkSync(next);
      } catch {
        return undefined;
      }
      const led = walk(path.resolve(cur, target));
      if (led === undefined) return undefined;
      cur = led;
    }
    return cur;
  };
  const led = walk(abs);
  if (led !== undefined) return led;
  const rest: string[] = [];
  let cur = path.resolve(abs);
  for (;;) {
    try {
      return path.join(realpathSync(cur), ...rest);
    } catch {
      const up = path.dirname(cur);
      if (up === cur) return path.resolve(abs);
      rest.unshift(path.basename(cur));
      cur = up;
    }
  }
}

/** The owner entries of the workspace `root` (a real path) that are symbolic links, with their real targets. */
async function ownerTargets(root: string): Promise<OwnerTarget[]> {
  const out: OwnerTarget[] = [];
  for (const entry of OWNER_ENTRIES) {
    const at = path.join(root, entry.name.replace(/\/$/, ""));
    if (!(await lstat(at).catch(() => undefined))?.isSymbolicLink()) continue;
    const real = realPathOfSync(at);
    if (real) out.push({ entry, real });
  }
  return out;
}


/** resolveToolPath for a Scope, throwing the refusal as a ToolError. */
export async function resolveOrThrow(
  input: string,
  scope: Scope,
  forWrite: boolean,
): Promise<{ path: string; exists: boolean; stats?: Stats }> {
  const d = await resolveToolPath(input, scope.workspace, {
    workspaceOnly: scope.workspaceOnly,
    forWrite,
    setting: scope.setting,
    ...(scope.skillDirs ? { skillDirs: scope.skillDirs } : {}),
    ...(scope.sessionKey !== undefined ? { sessionKey: scope.sessionKey } : {}),
    ...(scope.privateNotes?.length ? { privateNotes: scope.privateNotes } : {}),
  });
  if (!d.ok) throw new ToolError(d.reason);
  return d;
}

// ---------------------------------------------------------------------------------------
// Check-and-use on the same file descriptor.

async function procFdPath(fd: number, hooks?: GuardHooks): Promise<string | undefined> {
  if (hooks?.noProcFd) return undefined;
  try {
    return await readlink(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

function changed(expected: string, scope: Scope): ToolError {
  return new ToolError(
    `path ${quote(displayPath(expected, scope.workspace))} changed while it was being opened (a symbolic link or directory was swapped in); nothing was done.`,
  );
}

/** Why `p` (a real path) is outside what `scope` lets a read or write reach, or undefined. */
function outsideScope(scope: Scope, p: string, op: "read" | "write"): string | undefined {
  if (scope.skillDirs?.length) {
    const skill = skillPathDecision(p, op, scope.skillDirs);
    if (skill.kind === "refuse") return `path ${quote(p)} ${skill.reason}.`;
    if (skill.kind === "read") return undefined;
  }
  if (scope.workspaceOnly && !isInside(scope.workspace, p)) {
    return `path ${quote(p)} resolves outside the workspace (${scope.workspace}); ${scope.setting ?? DEFAULT_SETTING} is on.`;
  }
  return undefined;
}

/** What was learned about a descriptor right after opening `expected`. */
export interface OpenedFacts {
  /** The kernel's own name for the fd (readlink /proc/self/fd/N); undefined without /proc. */
  fdPath: string | undefined;
  /** fstat(fd). */
  fd: { dev: number; ino: number };
  /** lstat(expected) after the open; undefined when it no longer exists. */
  atPath: { dev: number; ino: number } | undefined;
  /** realpath(dirname(expected)) after the open. */
  realDir: string | undefined;
}

/**
 * Pure: do these facts prove the descriptor is the file at `expected`, reached through real
 * directories only? Its kernel name must be `expected`, the inode at `expected` must be the
 * opened one, and `expected`'s folder must be its own real path (no link on the way).
 */
export function openedIsExpected(expected: string, f: OpenedFacts): boolean {
  if (f.fdPath !== undefined && f.fdPath !== expected) return false;
  if (!f.atPath || f.atPath.dev !== f.fd.dev || f.atPath.ino !== f.fd.ino) return false;
  return f.realDir === path.dirname(expected);
}

/**
 * After opening `expected`, prove the descriptor is that path: the kernel's own name for
 * the fd (/proc/self/fd) must equal it, lstat(expected) must be the same dev/ino as
 * fstat(fd), realpath(dirname) must be unchanged, and the whole must still be contained.
 */
async function verifyOpened(fh: FileHandle, expected: string, scope: Scope, hooks?: GuardHooks, op: "read" | "write" = "write"): Promise<Stats> {
  const st = await fh.stat();
  const facts: OpenedFacts = {
    fdPath: await procFdPath(fh.fd, hooks),
    fd: st,
    atPath: await lstat(expected).catch(() => undefined),
    realDir: await realpath(path.dirname(expected)).catch(() => undefined),
  };
  if (!openedIsExpected(expected, facts)) throw changed(expected, scope);
  const outside = outsideScope(scope, expected, op);
  if (outside) throw new ToolError(outside);
  return st;
}

/**
 * The synchronous twin of `openForRead`, for bulk readers that walk first and read later
 * (the memory indexer, docs/memory.md): open `expected` (absolute, found by a walk of real
 * directories) with O_NOFOLLOW | O_NONBLOCK, then prove with `openedIsExpected` that the
 * descriptor is that very file and that `expected` lies inside `root` (realpath'd). A
 * folder swapped for a link between the walk and the read is caught here. Returns the open
 * descriptor (caller closes) or why it was refused.
 */
export function openVerifiedSync(
  expected: string,
  root: string,
  hooks?: Pick<GuardHooks, "noProcFd"> & { beforeOpenSync?: (path: string) => void },
): { ok: true; fd: number; stats: Stats } | { ok: false; reason: string } {
  if (!path.isAbsolute(expected) || !isInside(root, expected)) return { ok: false, reason: `${expected} is not inside ${root}` };
  hooks?.beforeOpenSync?.(expected);
  let fd: number;
  try {
    fd = openSync(expected, FS.O_RDONLY | FS.O_NOFOLLOW | FS.O_NONBLOCK);
  } catch (err) {
    return { ok: false, reason: errCode(err) === "ELOOP" ? `${expected} is a symbolic link` : `${expected} cannot be opened (${errCode(err) ?? "error"})` };
  }
  try {
    const stats = fstatSync(fd);
    const quiet = <T>(f: () => T): T | undefined => {
      try {
        return f();
      } catch {
        return undefined;
      }
    };
    const facts: OpenedFacts = {
      fdPath: hooks?.noProcFd ? undefined : quiet(() => readlinkSync(`/proc/self/fd/${fd}`)),
      fd: stats,
      atPath: quiet(() => lstatSync(expected)),
      realDir: quiet(() => realpathSync(path.dirname(expected))),
    };
    if (!openedIsExpected(expected, facts)) {
      closeSync(fd);
      return { ok: false, reason: `${expected} changed while it was being opened (a symbolic link or folder was swapped in)` };
    }
    if (!stats.isFile()) {
      closeSync(fd);
      return { ok: false, reason: `${expected} is not a regular file` };
    }
    return { ok: true, fd, stats };
  } catch (err) {
    closeSync(fd);
    return { ok: false, reason: `${expected} cannot be read (${errCode(err) ?? "error"})` };
  }
}

/** Open a resolved path for reading: O_NOFOLLOW, verified, regular files only. Caller closes. */
export async function openForRead(real: string, scope: Scope, hooks?: GuardHooks): Promise<{ handle: FileHandle; stats: Stats }> {
  await hooks?.beforeOpen?.(real);
  const shown = displayPath(real, scope.workspace);
  let fh: FileHandle;
  try {
    // O_NONBLOCK: a FIFO must not hang the tool; it is refused below as not a regular file.
    fh = await open(real, FS.O_RDONLY | FS.O_NOFOLLOW | FS.O_NONBLOCK);
  } catch (err) {
    if (errCode(err) === "ELOOP") throw changed(real, scope);
    throw new ToolError(describeFsError(err, "read", shown));
  }
  try {
    const stats = await verifyOpened(fh, real, scope, hooks, "read");
    if (!stats.isFile()) throw new ToolError(`path ${quote(shown)} is not a regular file.`);
    if (scope.workspaceOnly && stats.nlink > 1) {
      throw new ToolError(
        `path ${quote(shown)} is a hard link (${stats.nlink} links) that may share its data with a file outside the workspace; ${scope.setting ?? DEFAULT_SETTING} is on.`,
      );
    }
    return { handle: fh, stats };
  } catch (err) {
    await fh.close().catch(() => {});
    throw err;
  }
}

/**
 * Read an open file to its end, holding at most `maxBytes`: the bound is on the bytes read, not
 * on what fstat said (a file another process grows after the check, or one that reports size 0
 * like /proc's, would otherwise be read whole). Returns undefined when there is more.
 */
export async function readAtMost(handle: FileHandle, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const room = maxBytes + 1 - total;
    const buf = Buffer.allocUnsafe(Math.min(64 * 1024, room));
    const { bytesRead } = await handle.read(buf, 0, buf.length, total);
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    chunks.push(buf.subarray(0, bytesRead));
    total += bytesRead;
    if (total > maxBytes) return undefined;
  }
}

/** Read a whole contained file (refusing files over maxBytes, however their size is reported). */
export async function readContained(real: string, scope: Scope, maxBytes = 16 * 1024 * 1024, hooks?: GuardHooks): Promise<Buffer> {
  const { handle, stats } = await openForRead(real, scope, hooks);
  const tooLarge = (size: string) =>
    new ToolError(`file ${quote(displayPath(real, scope.workspace))} is too large (${size}; the limit is ${maxBytes}).`);
  try {
    if (stats.size > maxBytes) throw tooLarge(`${stats.size} bytes`);
    const data = await readAtMost(handle, maxBytes);
    if (data === undefined) throw tooLarge(`more than ${maxBytes} bytes`);
    return data;
  } finally {
    await handle.close().catch(() => {});
  }
}

/** List a contained directory through a verified directory descriptor. */
export async function listContained(real: string, scope: Scope, hooks?: GuardHooks): Promise<Dirent[]> {
  await hooks?.beforeOpen?.(real);
  const shown = displayPath(real, scope.workspace);
  let fh: FileHandle;
  try {
    fh = await open(real, FS.O_RDONLY | FS.O_DIRECTORY | FS.O_NOFOLLOW);
  } catch (err) {
    if (errCode(err) === "ELOOP") throw changed(real, scope);
    if (errCode(err) === "ENOTDIR") {
      // O_DIRECTORY|O_NOFOLLOW on a symlink also fails with ENOTDIR: it was swapped after the check.
      if ((await lstat(real).catch(() => undefined))?.isSymbolicLink()) throw changed(real, scope);
      throw new ToolError(`path ${quote(shown)} is not a directory.`);
    }
    throw new ToolError(describeFsError(err, "list", shown));
  }
  try {
    await verifyOpened(fh, real, scope, hooks, "read");
    // /proc/self/fd/N names the directory we opened and verified, not whatever is at `real` now.
    const viaFd = await procFdPath(fh.fd, hooks);
    const entries = await readdir(viaFd !== undefined ? `/proc/self/fd/${fh.fd}` : real, { withFileTypes: true });
    if (viaFd === undefined && (await realpath(real).catch(() => undefined)) !== real) throw changed(real, scope);
    return entries;
  } finally {
    await fh.close().catch(() => {});
  }
}

/**
 * Open `real` for writing a new file: O_CREAT|O_EXCL|O_NOFOLLOW (never an existing file,
 * never through a final symlink), then verify the descriptor. If verification fails the
 * file we just created is removed again. Caller closes.
 */
export async function openForWrite(real: string, scope: Scope, mode = 0o666, hooks?: GuardHooks): Promise<FileHandle> {
  await hooks?.beforeOpen?.(real);
  let fh: FileHandle;
  try {
    fh = await open(real, FS.O_WRONLY | FS.O_CREAT | FS.O_EXCL | FS.O_NOFOLLOW, mode);
  } catch (err) {
    if (errCode(err) === "ELOOP") throw changed(real, scope);
    throw new ToolError(describeFsError(err, "write", displayPath(real, scope.workspace)));
  }
  try {
    await verifyOpened(fh, real, scope, hooks);
    return fh;
  } catch (err) {
    const actual = await procFdPath(fh.fd, hooks);
    await fh.close().catch(() => {});
    // We created a file somewhere we did not mean to: remove it (by the kernel's name if we have it).
    await unlink(actual ?? real).catch(() => {});
    throw err;
  }
}

/**
 * Create the missing directories of `dir` one at a time, checking each new one is a real
 * directory at its expected real path. Returns the directories created (outermost first).
 */
export async function mkdirContained(dir: string, scope: Scope): Promise<string[]> {
  const missing: string[] = [];
  let cur = dir;
  for (;;) {
    const st = await lstat(cur).catch((err: unknown) => {
      if (errCode(err) === "ENOENT") return undefined;
      throw new ToolError(describeFsError(err, "check", displayPath(cur, scope.workspace)));
    });
    if (st) {
      if (!st.isDirectory()) throw new ToolError(`path ${quote(displayPath(cur, scope.workspace))} is not a directory.`);
      break;
    }
    missing.unshift(cur);
    const up = path.dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  if ((await realpath(cur).catch(() => undefined)) !== cur) throw changed(cur, scope);
  if (scope.workspaceOnly && !isInside(scope.workspace, dir)) {
    throw new ToolError(`path ${quote(dir)} resolves outside the workspace (${scope.workspace}); ${scope.setting ?? DEFAULT_SETTING} is on.`);
  }
  const created: string[] = [];
  for (const d of missing) {
    try {
      await mkdir(d);
      created.push(d);
    } catch (err) {
      if (errCode(err) !== "EEXIST") throw new ToolError(describeFsError(err, "create directory", displayPath(d, scope.workspace)));
    }
    const st = await lstat(d).catch(() => undefined);
    if (!st?.isDirectory() || (await realpath(d).catch(() => undefined)) !== d) throw changed(d, scope);
  }
  return created;
}

export interface StagedWrite {
  /** The resolved target path. */
  path: string;
  /** Whether the target existed when staged (so commit replaced it). */
  replaced: boolean;
  /** Rename the staged temp file over the target, re-verifying first and after. */
  commit(): Promise<void>;
  /** Drop the temp file and any directories created for it. */
  abort(): Promise<void>;
}

async function fsyncDir(dir: string): Promise<void> {
  try {
    const d = await open(dir, FS.O_RDONLY | FS.O_DIRECTORY);
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // Directory fsync is best effort.
  }
}

/**
 * Write `data` to a temp file beside `target` (created contained, O_EXCL|O_NOFOLLOW,
 * verified on the fd, fsync'd). Nothing is visible at `target` until commit().
 * An existing target keeps its permission bits.
 */
export async function stageWrite(target: string, data: string | Uint8Array, scope: Scope, hooks?: GuardHooks): Promise<StagedWrite> {
  const shown = displayPath(target, scope.workspace);
  if (scope.workspaceOnly && !isInside(scope.workspace, target)) {
    throw new ToolError(`path ${quote(target)} resolves outside the workspace (${scope.workspace}); ${scope.setting ?? DEFAULT_SETTING} is on.`);
  }
  const dir = path.dirname(target);
  const created = await mkdirContained(dir, scope);
  const removeCreated = async () => {
    for (const d of [...created].reverse()) await rmdir(d).catch(() => {});
  };

  const existing = await lstat(target).catch(() => undefined);
  if (existing?.isSymbolicLink()) {
    await removeCreated();
    throw new ToolError(`path ${quote(shown)} is a symbolic link, and writes never follow a final symbolic link; write to the file it points to instead.`);
  }
  if (existing?.isDirectory()) {
    await removeCreated();
    throw new ToolError(`path ${quote(shown)} is a directory.`);
  }
  // Keep an existing file's rwx bits (never setuid/setgid: the new inode is ours).
  const mode = existing ? existing.mode & 0o777 : 0o666;
  const tmp = path.join(dir, `.${path.basename(target).slice(0, 100)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);

  let fh: FileHandle;
  try {
    fh = await openForWrite(tmp, scope, mode, hooks);
  } catch (err) {
    await removeCreated();
    throw err;
  }
  let open_ = true;
  const closeFh = async () => {
    if (open_) {
      open_ = false;
      await fh.close().catch(() => {});
    }
  };
  const dropTmp = async () => {
    const actual = open_ ? await procFdPath(fh.fd, hooks) : undefined;
    await closeFh();
    await unlink(actual ?? tmp).catch(() => {});
    await removeCreated();
  };

  try {
    const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    await fh.writeFile(buf);
    if (existing) await fh.chmod(mode); // umask narrowed the create mode; keep the old bits
    await fh.sync();
  } catch (err) {
    await dropTmp();
    throw new ToolError(describeFsError(err, "write", shown));
  }

  let done = false;
  return {
    path: target,
    replaced: existing !== undefined,
    async abort() {
      if (done) return;
      done = true;
      await dropTmp();
    },
    async commit() {
      if (done) throw new Error("stageWrite: commit after commit/abort");
      done = true;
      try {
        await hooks?.beforeRename?.(tmp, target);
        await verifyOpened(fh, tmp, scope, hooks);
        const now = await lstat(target).catch(() => undefined);
        if (now?.isSymbolicLink() || now?.isDirectory()) throw changed(target, scope);
        await rename(tmp, target);
      } catch (err) {
        await dropTmp();
        throw err instanceof ToolError ? err : new ToolError(describeFsError(err, "write", shown));
      }
      try {
        // The fd now names the target; prove it landed where we checked.
        const actual = await procFdPath(fh.fd, hooks);
        if (actual !== undefined && actual !== target) {
          await unlink(actual).catch(() => {});
          throw changed(target, scope);
        }
        await verifyOpened(fh, target, scope, hooks);
      } finally {
        await closeFh();
      }
      await fsyncDir(dir);
    },
  };
}

/** stageWrite + commit, aborting on failure. */
export async function writeContained(target: string, data: string | Uint8Array, scope: Scope, hooks?: GuardHooks): Promise<{ replaced: boolean }> {
  const staged = await stageWrite(target, data, scope, hooks);
  await staged.commit();
  return { replaced: staged.replaced };
}

/** Remove a contained regular file (never through a symlinked parent, never a directory). */
export async function removeContained(real: string, scope: Scope): Promise<void> {
  const shown = displayPath(real, scope.workspace);
  if (scope.workspaceOnly && !isInside(scope.workspace, real)) {
    throw new ToolError(`path ${quote(real)} resolves outside the workspace (${scope.workspace}); ${scope.setting ?? DEFAULT_SETTING} is on.`);
  }
  const dir = path.dirname(real);
  if ((await realpath(dir).catch(() => undefined)) !== dir) throw changed(real, scope);
  const st = await lstat(real).catch(() => undefined);
  if (!st) throw new ToolError(`cannot delete ${quote(shown)}: it does not exist.`);
  if (!st.isFile()) throw new ToolError(`cannot delete ${quote(shown)}: it is not a regular file.`);
  try {
    await unlink(real);
  } catch (err) {
    throw new ToolError(describeFsError(err, "delete", shown));
  }
  await fsyncDir(dir);
}
