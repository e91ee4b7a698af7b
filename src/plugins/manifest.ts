// The plugin manifest (`simpleclaw.plugin.json`) and where its entry module may live.
// Reading a manifest never runs plugin code; only the loader imports the entry, and
// only for plugins the operator allowed.
import { closeSync, constants as FS, fstatSync, openSync, readFileSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import { isInside } from "../security/fs-containment.js";

export const MANIFEST_FILE = "simpleclaw.plugin.json";
/** The largest manifest read (a real one is well under 100 KiB, configSchema included). */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

export const pluginIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "must be 1-64 lowercase letters, digits, - or _");

export const manifestSchema = z.object({
  id: pluginIdSchema,
  name: z.string().min(1).max(200),
  version: z.string().regex(/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/, "must be a semver version like 1.2.3"),
  entry: z.string().min(1),
  description: z.string().max(2000).optional(),
  /** A folder of skills (AgentSkills format) inside the plugin folder (docs/skills.md). */
  skills: z.string().min(1).optional(),
  /** JSON Schema for `plugins.entries.<id>.config`. */
  configSchema: z.record(z.string(), z.unknown()).optional(),
});

export type PluginManifest = z.infer<typeof manifestSchema>;

export type ManifestResult = { ok: true; manifest: PluginManifest } | { ok: false; error: string };

/** Parses manifest text; the error is one sentence naming the bad key. */
export function parseManifest(text: string, where: string): ManifestResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: `${where} is not valid JSON.` };
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, error: `${where}: ${issue.path.join(".") || "manifest"} ${issue.message}.` };
  }
  return { ok: true, manifest: parsed.data };
}

/**
 * Reads a folder's manifest: a regular file of at most MAX_MANIFEST_BYTES, opened
 * non-blocking and checked on the descriptor, so a FIFO or device named
 * simpleclaw.plugin.json (or a link to /dev/zero) cannot hang `plugins install`, `plugins
 * list` or the gateway's start, and a huge one is not read into memory.
 */
export function readManifest(dir: string): ManifestResult {
  const path = join(dir, MANIFEST_FILE);
  let fd: number;
  try {
    fd = openSync(path, FS.O_RDONLY | FS.O_NONBLOCK);
  } catch {
    return { ok: false, error: `${path} is missing or unreadable.` };
  }
  let text: string;
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, error: `${path} is not a regular file.` };
    if (st.size > MAX_MANIFEST_BYTES) return { ok: false, error: `${path} is larger than ${MAX_MANIFEST_BYTES} bytes; that is not a manifest.` };
    text = readFileSync(fd, "utf8");
  } catch {
    return { ok: false, error: `${path} is missing or unreadable.` };
  } finally {
    closeSync(fd);
  }
  return parseManifest(text, path);
}


/**
 * The absolute path of a manifest's entry, or an error when it escapes the plugin folder
 * (absolute path, `..`, or a symlink pointing outside) or does not exist.
 */
export function resolveEntry(dir: string, entry: string): { ok: true; path: string } | { ok: false; error: string } {
  if (isAbsolute(entry)) return { ok: false, error: `entry "${entry}" is an absolute path; it must be a file inside the plugin folder.` };
  let root: string;
  try {
    root = realpathSync(dir);
  } catch {
    return { ok: false, error: `plugin folder ${dir} does not exist.` };
  }
  const lexical = resolve(root, entry);
  if (!isInside(root, lexical)) return { ok: false, error: `entry "${entry}" escapes the plugin folder.` };
  let real: string;
  try {
    real = realpathSync(lexical);
  } catch {
    return { ok: false, error: `entry "${entry}" does not exist in ${root}.` };
  }
  if (!isInside(root, real)) return { ok: false, error: `entry "${entry}" is a symlink that escapes the plugin folder.` };
  // import() of a FIFO or device would block the gateway's start.
  if (!statSync(real).isFile()) return { ok: false, error: `entry "${entry}" is not a regular file.` };
  return { ok: true, path: real };
}
