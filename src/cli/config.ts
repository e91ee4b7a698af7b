// `simpleclaw config get|set|unset|validate|schema`.
import type { Command } from "commander";

export function registerConfigCommands(program: Command): void {
  const config = program.command("config").description("read and change simpleclaw.json (validated before every write)");
  config
    .command("get [path]")
    .description("print a config value (with defaults filled in); no path prints the whole config")
    .action(async (path?: string) => (await import("./config-actions.js")).configGet(path));
  config
    .command("set <path> <value>")
    .description("set a value (JSON5: numbers, booleans, arrays; anything else is a string)")
    .action(async (path: string, value: string) => (await import("./config-actions.js")).configSet(path, value));
  config
    .command("unset <path>")
    .description("remove a key so its default applies")
    .action(async (path: string) => (await import("./config-actions.js")).configUnset(path));
  config
    .command("validate")
    .description("check the config file against the schema")
    .action(async () => (await import("./config-actions.js")).configValidate());
  config
    .command("schema")
    .description("print the JSON Schema of the config")
    .action(async () => (await import("./config-actions.js")).configSchemaPrint());
}
