// `simpleclaw sandbox explain|list`: what a session's commands would see (mode,
// backend, mounts, network), decided from the local config and this machine.
import type { Command } from "commander";

export function registerSandboxCommands(program: Command): void {
  const sandbox = program.command("sandbox").description("show how sessions are sandboxed");
  sandbox
    .command("explain")
    .description("print the effective sandbox for a session: mode, backend, mounts, network")
    .option("--agent <id>", "agent id (its main session unless --session is given)")
    .option("--session <key>", "session key, e.g. agent:main:telegram:direct:42")
    .option("--json", "print JSON")
    .action(async (opts) => {
      const { sandboxExplain } = await import("./sandbox-actions.js");
      await sandboxExplain(opts);
    });
  sandbox
    .command("list")
    .description("list every agent's sandbox settings and the backend this machine provides")
    .option("--json", "print JSON")
    .action(async (opts) => {
      const { sandboxList } = await import("./sandbox-actions.js");
      await sandboxList(opts);
    });
}
