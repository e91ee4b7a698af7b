// Installing a plugin copies it into <state>/plugins/<id> and pins it: the exact
// version and an integrity hash go into plugins/installs.json (600). Installing never
// adds the plugin to plugins.allow; the operator does that (or passes --allow).
// npm specs are fetched with `npm pack` (lifecycle scripts never run) and unpacked.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { ensureDir, writeFileAtomic } from "../infra/atomic-fs.js";
import { readManifest, type PluginManifest } from "./manifest.js";

export interface InstallRecord {
  id: string;
  version: string;
  /** The path or npm spec it was installed from. */
  source: string;
  kind: "path" | "npm";
  /** sha512 over the installed files (path installs) or npm's tarball integrity. */
  integrity: string;
  /** sha512 over the installed files, to detect later edits. */
  filesHash: string;
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

/** sha512 over every regular file's relative path and bytes, in sorted order. */
export function hashTree(dir: string): string {
  const h = createHash("sha512");
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      const rel = relative(dir, p);
      if (st.isDirectory()) walk(p);
      else if (st.isSymbolicLink()) h.update(`L:${rel}\0`);
      else if (st.isFile()) {
        h.update(`F:${rel}\0`);
        h.update(readFileSync(p));
        h.update("\0");
      }
    }
  };
  walk(dir);
  return `sha512-${h.digest("base64")}`;
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
      srcDir = join(staging, "pkg");
      cpSync(local, srcDir, { recursive: true, filter: (s) => !s.split(/[\\/]/).includes(".git") });
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
        srcDir = join(unpack, "package");
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
