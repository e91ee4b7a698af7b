// `simpleclaw models list|set`: which models the agents use, and changing the default one.
import type { Command } from "commander";

export function registerModelCommands(program: Command): void {
  const models = program.command("models").description("the models agents use: list them, change the default");
  models
    .command("list")
    .description("each agent's primary model and fallbacks, and the providers with where their key comes from")
    .option("--json", "print JSON")
    .action(async (opts) => (await import("./models-actions.js")).modelsList(opts));
  models
    .command("set <ref>")
    .description("set the default model (agents.defaults.model.primary), e.g. anthropic/claude-sonnet-4-5; a running gateway uses it from the next message")
    .action(async (ref: string) => (await import("./models-actions.js")).modelsSet(ref));
}
