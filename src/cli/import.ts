// `simpleclaw import openclaw`: carry an OpenClaw setup over (docs/migrating-from-openclaw.md).
import { Option, type Command } from "commander";

export function registerImportCommands(program: Command): void {
  const imp = program.command("import").description("bring settings over from another assistant");
  imp
    .command("openclaw")
    .description("import an OpenClaw state dir: models, agents, workspaces, tool policy, exec approvals, sandbox, gateway, channels and approved senders; secrets go to credentials/, insecure settings are made safe and reported")
    .option("--from <dir>", "the OpenClaw state dir (default: $OPENCLAW_STATE_DIR or ~/.openclaw; $OPENCLAW_CONFIG_PATH names the config)")
    .option("--dry-run", "print what would be imported, changed and skipped; write nothing")
    .option("--json", "print the report as one JSON object")
    .addOption(new Option("--workspace <mode>", "copy the workspace files into SimpleClaw's state dir, or reference them where they are").choices(["copy", "reference"]).default("copy"))
    .option("--keep-insecure", "keep settings SimpleClaw would otherwise make safe (open DMs, wildcard groups with the sandbox off, exec security full, …); the audit will report them")
    .action(async (opts) => {
      const { importOpenClawCommand } = await import("./import-actions.js");
      await importOpenClawCommand(opts);
    });
}
