// Installing a plugin copies it into <state>/plugins/<id> and pins it: the exact
// version and an integrity hash go into plugins/installs.json (600). Installing never
// adds the plugin to plugins.allow; the operator does that (or passes --allow).
// npm specs are fetched with `npm pack` (lifecycle scripts never run) and unpacked.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { ensureDir, writeFileAtomic } from "../infra/atomic-fs.js";
import { isInside } from "../security/fs-containment.js";
import { integrityDecision } from "../security/plugin-allowlist.js";
import { readManifest, type PluginManifest } from "./manifest.js";

export interface InstallRecord {
  id: string;
  version: string;
  /** The path or npm spec it was installed from. */
  source: string;
  kind: "path" | "npm";
  /** sha512 over the installed files (path installs) or npm's tarball integrity. */
  integrity: string;
  /** sha512 over the installed files (hashTree), checked before every load. */
  filesHash: string;
  /** hashTree's version when filesHash was made (absent = version 1, which never verifies). */
  filesHashVersion?: number;
  installedAt: string;
}

export const INSTALLS_FILE = "installs.json";

export function readInstalls(pluginsDir: string): Record<string, InstallRecord> {
  const path = join(pluginsDir, INSTALLS_FILE);
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, InstallRecord>;
  } catch {
    throw new Error(`${path} is not valid JSON; fix or delete it (reinstall the plugins it listed).`);
  }
}

export function writeInstalls(pluginsDir: string, installs: Record<string, InstallRecord>): void {
  ensureDir(pluginsDir, 0o700);
  writeFileAtomic(join(pluginsDir, INSTALLS_FILE), `${JSON.stringify(installs, null, 2)}\n`, 0o600);
}

/**
 * The version of `hashTree` a record's filesHash was made with. Version 1 (no field) named a
 * symbolic link without its target or contents, so it cannot vouch for a tree: such a record
 * never verifies and the plugin must be reinstalled (docs/plugins.md "Integrity").
 */
export const FILES_HASH_VERSION = 2;

/** Bounds on what an install copies (a link farm must not blow up the copy). */
const MAX_TREE_ENTRIES = 100_000;

/**
 * sha512 over the whole tree: every folder, every file's relative path, size and bytes, in
 * sorted order. Anything that is not a plain folder or file (a symbolic link, a FIFO) is
 * recorded by kind and name, and an installed plugin never contains one, so its presence
 * alone makes the hash differ from the recorded one. A plugin folder that is itself a
 * symbolic link hashes differently from the folder it points to, for the same reason.
 */
export function hashTree(dir: string): string {
  const h = createHash("sha512");
  const root = lstatSync(dir);
  if (root.isSymbolicLink()) h.update(`ROOT-LINK\0${readlinkSync(dir)}\n`);
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      const rel = relative(dir, p);
      if (st.isDirectory()) {
        h.update(`D\0${rel}\n`);
        walk(p);
      } else if (st.isFile()) {
        const fileHash = createHash("sha512").update(readFileSync(p)).digest("hex");
        h.update(`F\0${rel}\0${st.size}\0${fileHash}\n`);
      } else if (st.isSymbolicLink()) h.update(`L\0${rel}\0${readlinkSync(p)}\n`);
      else h.update(`X\0${rel}\n`);
    }
  };
  walk(dir);
  return `sha512-${h.digest("base64")}`;
}

/**
 * Copies a plugin folder so that the copy contains no symbolic links: a link to a file or
 * folder inside the plugin becomes a copy of what it points to; a link leaving the plugin
 * folder, a dangling link, a link looping back into its own parent and anything that is
 * not a file or folder are refused with one sentence. `.git` is skipped.
 */
export function copyPluginTree(srcRoot: string, dest: string, shownAs: string): void {
  const rootReal = realpathSync(srcRoot);
  let entries = 0;
  const copyDir = (from: string, to: string, rel: string, ancestors: ReadonlySet<string>) => {
    mkdirSync(to, { mode: 0o755 });
    for (const name of readdirSync(from).sort()) {
      if (name === ".git") continue;
      if (++entries > MAX_TREE_ENTRIES) throw new Error(`${shownAs} has more than ${MAX_TREE_ENTRIES} files and folders; that is not a plugin.`);
      const p = join(from, name);
      const r = rel ? `${rel}/${name}` : name;
      let st = lstatSync(p);
      let source = p;
      if (st.isSymbolicLink()) {
        let target: string;
        try {
          target = realpathSync(p);
        } catch {
          throw new Error(`${r} in ${shownAs} is a symbolic link to something that does not exist; remove it.`);
        }
        if (!isInside(rootReal, target)) {
          throw new Error(`${r} in ${shownAs} is a symbolic link to ${target}, outside the plugin folder; a plugin may only contain its own files (copy that file in instead of linking it).`);
        }
        st = statSync(target);
        source = target;
      }
      if (st.isDirectory()) {
        const real = realpathSync(source);
        if (ancestors.has(real)) throw new Error(`${r} in ${shownAs} is a symbolic link to a folder that contains it (a loop); remove it.`);
        copyDir(source, join(to, name), r, new Set([...ancestors, real]));
      } else if (st.isFile()) {
        copyFileSync(source, join(to, name));
        chmodSync(join(to, name), st.mode & 0o755);
      } else {
        throw new Error(`${r} in ${shownAs} is not a regular file or folder (a socket, FIFO or device); a plugin may only contain files and folders.`);
      }
    }
  };
  copyDir(rootReal, dest, "", new Set([rootReal]));
}

export type IntegrityCheck = { pinned: false } | { pinned: true; ok: true } | { pinned: true; ok: false; reason: string };

/**
 * Does an installed plugin's folder still hash to what `plugins install` recorded? The
 * loader asks this before importing anything, `plugins list` and the audit show it. A
 * plugin with no record (copied in by hand) is not pinned: it is not refused here (the
 * audit flags it), since there is nothing to compare with.
 */
export function checkInstalledIntegrity(dir: string, record: InstallRecord | undefined): IntegrityCheck {
  if (!record) return { pinned: false };
  let actual: string | undefined;
  try {
    actual = hashTree(dir);
  } catch {
    actual = undefined;
  }
  const d = integrityDecision({ recorded: record.filesHash, recordedVersion: record.filesHashVersion, currentVersion: FILES_HASH_VERSION, actual });
  return d.ok ? { pinned: true, ok: true } : { pinned: true, ok: false, reason: `${d.reason}; reinstall it with: simpleclaw plugins install ${record.source} --force` };
}

function looksLikePath(spec: string): boolean {
  return spec.startsWith(".") || spec.startsWith("/") || spec.startsWith("~") || existsSync(spec);
}

export interface InstallResult {
  manifest: PluginManifest;
  dir: string;
  record: InstallRecord;
  replaced: boolean;
}

export function installPlugin(spec: string, pluginsDir: string, opts: { force?: boolean; cwd?: string } = {}): InstallResult {
  ensureDir(pluginsDir, 0o700);
  const staging = mkdtempSync(join(pluginsDir, ".install-"));
  try {
    let srcDir: string;
    let kind: InstallRecord["kind"];
    let npmIntegrity: string | undefined;
    let source = spec;
    const local = resolve(opts.cwd ?? process.cwd(), spec);
    if (looksLikePath(spec) && existsSync(local) && statSync(local).isDirectory()) {
      kind = "path";
      source = local;
      const pre = readManifest(local);
      if (!pre.ok) throw new Error(`not a SimpleClaw plugin: ${pre.error.replace(local, spec)}`);
      srcDir = join(staging, "pkg");
      copyPluginTree(local, srcDir, spec);
    } else {
      kind = "npm";
      const packDir = mkdtempSync(join(tmpdir(), "simpleclaw-pack-"));
      try {
        let out: string;
        try {
          out = execFileSync("npm", ["pack", looksLikePath(spec) ? local : spec, "--json", "--ignore-scripts", "--pack-destination", packDir], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
            timeout: 120_000,
          });
        } catch (err) {
          const stderr = String((err as { stderr?: unknown }).stderr ?? "").split("\n").find((l) => /ERR!/.test(l)) ?? "";
          throw new Error(`npm could not fetch "${spec}"${stderr ? ` (${stderr.replace(/^npm (error|ERR!)\s*/, "").trim()})` : ""}; check the name or path.`);
        }
        const info = (JSON.parse(out) as Array<{ filename: string; integrity: string }>)[0]!;
        npmIntegrity = info.integrity;
        const unpack = join(staging, "unpack");
        ensureDir(unpack);
        execFileSync("tar", ["-xzf", join(packDir, info.filename.replace(/^@/, "").replace(/\//, "-")), "-C", unpack, "--no-same-owner"], { stdio: "ignore" });
        srcDir = join(staging, "pkg");
        copyPluginTree(join(unpack, "package"), srcDir, spec);
      } finally {
        rmSync(packDir, { recursive: true, force: true });
      }
    }
    const m = readManifest(srcDir);
    if (!m.ok) throw new Error(`not a SimpleClaw plugin: ${m.error.replace(srcDir, spec)}`);
    const manifest = m.manifest;
    const dest = join(pluginsDir, manifest.id);
    const replaced = existsSync(dest);
    if (replaced && !opts.force) throw new Error(`plugin "${manifest.id}" is already installed at ${dest}; pass --force to replace it.`);
    const filesHash = hashTree(srcDir);
    if (replaced) rmSync(dest, { recursive: true, force: true });
    renameSync(srcDir, dest);
    const record: InstallRecord = {
      id: manifest.id,
      version: manifest.version,
      source,
      kind,
      integrity: npmIntegrity ?? filesHash,
      filesHash,
      filesHashVersion: FILES_HASH_VERSION,
      installedAt: new Date().toISOString(),
    };
    const installs = readInstalls(pluginsDir);
    installs[manifest.id] = record;
    writeInstalls(pluginsDir, installs);
    return { manifest, dir: dest, record, replaced };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

export function removePlugin(id: string, pluginsDir: string): boolean {
  const dir = join(pluginsDir, id);
  const installs = readInstalls(pluginsDir);
  const had = existsSync(dir) || !!installs[id];
  rmSync(dir, { recursive: true, force: true });
  if (installs[id]) {
    delete installs[id];
    writeInstalls(pluginsDir, installs);
  }
  return had;
}
