// `simpleclaw dashboard` and `simpleclaw status`: the everyday look at a running gateway.
import type { Command } from "commander";
import { clientOptions } from "./gateway.js";

export function registerDailyCommands(program: Command): void {
  clientOptions(
    program
      .command("dashboard")
      .description("open the Control UI in a browser, signed in with a single-use code (valid 60 s; the token never goes in the URL)")
      .option("--no-open", "only print the sign-in link"),
  ).action(async (opts) => (await import("./daily-actions.js")).dashboard(opts));
  clientOptions(
    program
      .command("status")
      .description("one look at the gateway: running or not, channels, sessions, pending approvals and pairing requests, audit summary")
      .option("--json", "print JSON"),
  ).action(async (opts) => (await import("./daily-actions.js")).status(opts));
}
