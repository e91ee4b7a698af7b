// `simpleclaw logs [-f] [-n N] [--json]`: read the gateway log on this machine.
import type { Command } from "commander";

export function registerLogCommands(program: Command): void {
  program
    .command("logs")
    .description("print the gateway's log (<state dir>/logs, newest file), redacted; -f keeps following it")
    .option("-f, --follow", "keep printing new lines as the gateway writes them")
    .option("-n, --lines <n>", "how many of the last lines to print first", "100")
    .option("--json", "print the JSON records as stored (still redacted)")
    .action(async (opts) => (await import("./logs-actions.js")).logs(opts));
}
