// `simpleclaw tui`: the terminal chat client (src/tui/). Registration only; the client is
// imported when the command runs.
import type { Command } from "commander";
import { clientOptions } from "./gateway.js";

export function registerTuiCommands(program: Command): void {
  clientOptions(
    program
      .command("tui")
      .description("chat with an agent in the terminal: streamed replies, tool calls, exec approvals, ! local shell")
      .option("--session <key>", "session key (default: the default agent's main session)"),
  ).action(async (opts) => {
    const { runTui } = await import("../tui/app.js");
    await runTui(opts);
  });
}
