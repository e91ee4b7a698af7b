// `simpleclaw security audit`: finds misconfigurations in the config, the state dir
// and (with --deep) a running gateway; --fix applies the safe fixes.
import type { Command } from "commander";

export function registerSecurityCommands(program: Command): void {
  const security = program.command("security").description("check this installation for security problems");
  security
    .command("audit")
    .description("audit config, state dir permissions and (with --deep) the running gateway; exit 0 = no critical finding, 1 = critical, 2 = could not run")
    .option("--deep", "also probe the running gateway, the sandbox and the file tools live")
    .option("--fix", "apply the safe fixes (permissions, fixable config keys; backs up edited files), then audit again")
    .option("--json", "print one JSON report object")
    .option("--url <url>", "gateway URL for --deep (default: from the config)")
    .action(async (opts) => {
      const { securityAudit } = await import("./security-actions.js");
      await securityAudit(opts);
    });
}
