// `simpleclaw plugins list|info|install|enable|disable|remove`. Listing and inspecting
// read manifests only; no plugin code runs.
import type { Command } from "commander";

export function registerPluginCommands(program: Command): void {
  const plugins = program.command("plugins").description("install plugins and pin which ones may load");
  plugins
    .command("list")
    .description("every plugin found, whether it would load, and why not")
    .option("--json", "print JSON")
    .action(async (opts) => (await import("./plugins-actions.js")).pluginsList(opts));
  plugins
    .command("info <id>")
    .description("a plugin's manifest, install record and load decision")
    .option("--json", "print JSON")
    .action(async (id: string, opts) => (await import("./plugins-actions.js")).pluginsInfo(id, opts));
  plugins
    .command("install <source>")
    .description("copy a plugin folder, or fetch an npm package/tarball, into the plugins dir and pin its version and hash")
    .option("--allow", "also add it to plugins.allow (it does not load until allowed when plugins.allow is set)")
    .option("--force", "replace an installed plugin with the same id")
    .action(async (source: string, opts) => (await import("./plugins-actions.js")).pluginsInstall(source, opts));
  plugins
    .command("enable <id>")
    .description("set plugins.entries.<id>.enabled to true")
    .action(async (id: string) => (await import("./plugins-actions.js")).pluginsEnable(id, true));
  plugins
    .command("disable <id>")
    .description("set plugins.entries.<id>.enabled to false (its code is not loaded)")
    .action(async (id: string) => (await import("./plugins-actions.js")).pluginsEnable(id, false));
  plugins
    .command("remove <id>")
    .description("delete an installed plugin, its install record and its plugins.allow entry")
    .action(async (id: string) => (await import("./plugins-actions.js")).pluginsRemove(id));
}
