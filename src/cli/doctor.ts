// `simpleclaw doctor [--fix] [--json] [--check-model]`: is this install healthy, and how to fix it.
import type { Command } from "commander";

export function registerDoctorCommands(program: Command): void {
  program
    .command("doctor")
    .description("check config, Node, permissions, sandbox, Chromium, model key and port; one line per check with its fix")
    .option("--fix", "apply the safe fixes: chmod the state dir/config/credentials, migrate an older config (backup first)")
    .option("--json", "print the checks as JSON")
    .option("--check-model", "send one tiny request to the configured primary model")
    .action(async (opts: { fix?: boolean; json?: boolean; checkModel?: boolean }) => (await import("./doctor-actions.js")).doctor(opts));
}
