// `simpleclaw onboard`: first-run setup (a wizard, or flags with --non-interactive).
import type { Command } from "commander";

export function registerOnboardCommands(program: Command): void {
  program
    .command("onboard")
    .description("set up the state dir, config (secure defaults), model key, a channel and the workspace, then run the audit")
    .option("--non-interactive", "take every answer from flags (for scripts)")
    .option("--provider <provider>", "anthropic | openai | openai-compatible")
    .option("--base-url <url>", "the provider's API base URL (required for openai-compatible)")
    .option("--model <id>", "model id (default: claude-sonnet-4-5 / gpt-4.1; required for openai-compatible)")
    .option("--api-key-env <name>", "read the model API key from this environment variable")
    .option("--api-key-stdin", "read the model API key from stdin")
    .option("--channel <channel>", "also connect a chat channel: telegram | discord | slack")
    .option("--channel-token-env <name>", "read the channel's bot token from this environment variable")
    .option("--force", "replace an existing config (it is backed up first; the gateway token is kept)")
    .option("--rotate-token", "with an existing config: generate a new gateway token instead of keeping it")
    .action(async (opts) => (await import("./onboard-actions.js")).onboard(opts));
}
