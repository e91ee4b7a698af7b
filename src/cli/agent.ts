// `simpleclaw agent -m …` (one message through the gateway, reply streamed) and
// `simpleclaw sessions list|show|export|reset`. Both talk to the running gateway.
import type { Command } from "commander";
import { clientOptions } from "./gateway.js";

export function registerAgentCommands(program: Command): void {
  clientOptions(
    program
      .command("agent")
      .description("send one message to an agent through the gateway and stream the reply")
      .requiredOption("-m, --message <text>", "the message")
      .option("--agent <id>", "agent id (its main session)")
      .option("--session <key>", "session key (default: the default agent's main session)")
      .option("--json", "print the final result as JSON instead of streaming text"),
  ).action(async (opts) => {
    const { agentSend } = await import("./agent-actions.js");
    await agentSend(opts);
  });

  const sessions = program.command("sessions").description("list, show, export or reset chat sessions");
  clientOptions(sessions.command("list").description("list sessions").option("--json", "print JSON")).action(async (opts) => {
    const { sessionsList } = await import("./agent-actions.js");
    await sessionsList(opts);
  });
  clientOptions(
    sessions.command("show [key]").description("print a session's transcript").option("--limit <n>", "last N messages", "200").option("--json", "print JSON"),
  ).action(async (key: string | undefined, opts) => {
    const { sessionsShow } = await import("./agent-actions.js");
    await sessionsShow(key, opts);
  });
  clientOptions(
    sessions
      .command("export <key> <path>")
      .description("write a transcript to a file (Markdown, or JSON when the path ends in .json)")
      .option("--force", "overwrite an existing file"),
  ).action(async (key: string, path: string, opts) => {
    const { sessionsExport } = await import("./agent-actions.js");
    await sessionsExport(key, path, opts);
  });
  clientOptions(sessions.command("reset [key]").description("archive a session's transcript and start a new one")).action(
    async (key: string | undefined, opts) => {
      const { sessionsReset } = await import("./agent-actions.js");
      await sessionsReset(key, opts);
    },
  );
}
