// Finds plugin folders without running any plugin code: every folder under
// <state>/plugins/ and every plugins.load.paths entry (a plugin folder, or a folder
// of plugin folders). Reads manifests only.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { expandHome } from "../config/paths.js";
import { MANIFEST_FILE, readManifest, type PluginManifest } from "./manifest.js";

export interface Discovered {
  dir: string;
  source: "installed" | "load.paths";
  manifest?: PluginManifest;
  error?: string;
}

function children(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() || d.isSymbolicLink())
      .map((d) => join(dir, d.name))
      .filter((p) => {
        try {
          return statSync(p).isDirectory();
        } catch {
          return false;
        }
      })
      .sort();
  } catch {
    return [];
  }
}

export function discoverPlugins(pluginsDir: string, loadPaths: string[], baseDir: string): Discovered[] {
  const dirs: Array<{ dir: string; source: Discovered["source"] }> = children(pluginsDir).map((dir) => ({ dir, source: "installed" }));
  for (const p of loadPaths) {
    const abs = resolve(baseDir, expandHome(p));
    if (existsSync(join(abs, MANIFEST_FILE))) dirs.push({ dir: abs, source: "load.paths" });
    else for (const dir of children(abs)) dirs.push({ dir, source: "load.paths" });
  }
  const out: Discovered[] = [];
  const seen = new Map<string, string>();
  for (const { dir, source } of dirs) {
    const m = readManifest(dir);
    if (!m.ok) {
      out.push({ dir, source, error: m.error });
      continue;
    }
    const first = seen.get(m.manifest.id);
    if (first) {
      out.push({ dir, source, manifest: m.manifest, error: `plugin id "${m.manifest.id}" is also provided by ${first}; only the first loads.` });
      continue;
    }
    seen.set(m.manifest.id, dir);
    out.push({ dir, source, manifest: m.manifest });
  }
  return out;
}
