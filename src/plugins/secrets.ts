// Which plugin config fields are secret, for config.get and `simpleclaw config get`
// (docs/plugins.md): every field the plugin's manifest configSchema marks writeOnly or
// format "password". Reads manifests only; nothing is imported.
import { dirname } from "node:path";
import type { Config } from "../config/schema.js";
import { secretPathsOfJsonSchema } from "../infra/redact.js";
import { discoverPlugins } from "./discover.js";

/** Full config key paths (plugins.entries.<id>.config.…) to mask. */
export function pluginSecretPaths(config: Config, pluginsDir: string, configPath: string): string[][] {
  const out: string[][] = [];
  try {
    for (const d of discoverPlugins(pluginsDir, config.plugins.load.paths, dirname(configPath))) {
      if (!d.manifest?.configSchema) continue;
      for (const p of secretPathsOfJsonSchema(d.manifest.configSchema)) out.push(["plugins", "entries", d.manifest.id, "config", ...p]);
    }
  } catch {
    // An unreadable plugins folder hides no secret: the name rules still apply.
  }
  return out;
}
