// CLI subcommands contributed by plugins. Loaded only when the first argument is not
// a built-in command, so plugins never slow down or run during built-in commands, and
// only plugins the gateway would load (plugins.allow, enabled) get to register.
import type { Command } from "commander";
import { loadConfig } from "../config/io.js";
import { statePaths } from "../config/paths.js";
import { loadPlugins } from "../plugins/loader.js";

export async function registerPluginCli(program: Command): Promise<void> {
  const { config, path } = loadConfig();
  const warn = (msg: string, f?: Record<string, unknown>) => process.stderr.write(`warning: ${msg}${f?.plugin ? ` (${String(f.plugin)})` : ""}${f?.reason ? `: ${String(f.reason)}` : ""}\n`);
  const host = await loadPlugins({ config, configPath: path, pluginsDir: statePaths().plugins, logger: { info() {}, warn, error: warn } });
  for (const register of host.cli) {
    try {
      register(program);
    } catch (err) {
      warn(`a plugin's CLI registration failed: ${(err as Error)?.message ?? String(err)}`);
    }
  }
}
