// `simpleclaw memory index|search|status`: the memory index in state.db, used directly
// (no gateway needed; the gateway's watcher and this CLI share the database safely).
import type { Command } from "commander";

export function registerMemoryCommands(program: Command): void {
  const memory = program.command("memory").description("index and search the agents' memory notes (MEMORY.md, memory/*.md)");
  memory
    .command("index")
    .description("bring the memory index up to date (only changed files are re-read)")
    .option("--force", "re-chunk every file, ignoring what is already indexed")
    .option("--agent <id>", "only this agent (default: every agent)")
    .option("--json", "print JSON")
    .action(async (opts) => {
      const { memoryIndex } = await import("./memory-actions.js");
      await memoryIndex(opts);
    });
  memory
    .command("search <query>")
    .description("search an agent's memory and print the best snippets")
    .option("--agent <id>", "agent id (default: the default agent)")
    .option("--max <n>", "number of results (1-50)", "6")
    .option("--json", "print JSON")
    .action(async (query: string, opts) => {
      const { memorySearch } = await import("./memory-actions.js");
      await memorySearch(query, opts);
    });
  memory
    .command("status")
    .description("show what is indexed for each agent, and the embeddings setup")
    .option("--agent <id>", "only this agent")
    .option("--json", "print JSON")
    .action(async (opts) => {
      const { memoryStatus } = await import("./memory-actions.js");
      await memoryStatus(opts);
    });
}
