// `simpleclaw approvals list|approve|deny` (answer pending exec approvals through the
// gateway) and `simpleclaw approvals allowlist list|add|remove` (edit exec-approvals.json).
import type { Command } from "commander";
import { clientOptions } from "./gateway.js";

export function registerApprovalCommands(program: Command): void {
  const approvals = program.command("approvals").description("answer exec approvals and edit the exec allowlist");
  clientOptions(approvals.command("list").description("list commands waiting for approval").option("--json", "print JSON")).action(async (opts) => {
    const { approvalsList } = await import("./approvals-actions.js");
    await approvalsList(opts);
  });
  clientOptions(
    approvals.command("approve <id>").description("allow a waiting command once").option("--always", "also add it to the allowlist (allow-always)"),
  ).action(async (id: string, opts) => {
    const { approvalsResolve } = await import("./approvals-actions.js");
    await approvalsResolve(id, opts.always ? "allow-always" : "allow-once", opts);
  });
  clientOptions(approvals.command("deny <id>").description("deny a waiting command")).action(async (id: string, opts) => {
    const { approvalsResolve } = await import("./approvals-actions.js");
    await approvalsResolve(id, "deny", opts);
  });

  const allowlist = approvals.command("allowlist").description("the exec allowlist in exec-approvals.json");
  allowlist
    .command("list")
    .option("--agent <id>", "only this agent")
    .option("--json", "print JSON")
    .action(async (opts) => {
      const { allowlistList } = await import("./approvals-actions.js");
      allowlistList(opts);
    });
  allowlist
    .command("add <pattern>")
    .description("allow an executable by absolute path or glob, e.g. /usr/bin/ls")
    .option("--agent <id>", "agent id", "main")
    .option("--args <globs...>", 'argument globs, one per argument; a final "**" matches any remaining arguments (default: any arguments)')
    .action(async (pattern: string, opts) => {
      const { allowlistAdd } = await import("./approvals-actions.js");
      allowlistAdd(pattern, opts);
    });
  allowlist
    .command("remove <id>")
    .description("remove an allowlist entry by id")
    .action(async (id: string) => {
      const { allowlistRemove } = await import("./approvals-actions.js");
      allowlistRemove(id);
    });
}
