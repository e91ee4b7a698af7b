// CLI entry (after bin/simpleclaw.mjs's runtime check). Registers every command
// group; each group's module is imported only when one of its commands runs, so
// `simpleclaw --version` loads nothing but commander.
import { Command, CommanderError } from "commander";
import { version } from "../infra/version.js";
import { EXIT, UserError, errorMessage } from "../infra/errors.js";
import { escapeForDisplay } from "../infra/display.js";

const USAGE_ERRORS = new Set([
  "commander.unknownCommand",
  "commander.unknownOption",
  "commander.missingArgument",
  "commander.optionMissingArgument",
  "commander.missingMandatoryOptionValue",
  "commander.excessArguments",
  "commander.invalidArgument",
  "commander.conflictingOption",
]);
import { commandGroups } from "./registry.js";

/** The whole command tree (also walked by cli/reference.ts for docs/cli-reference.md). */
export function createProgram(): Command {
  const program = new Command("simpleclaw")
    .description("A self-hosted personal AI assistant gateway.")
    .version(version, "-v, --version", "print the version")
    .showHelpAfterError("(run with --help for usage)")
    // commander's own errors quote the command line (`unknown command '<arg>'`): an
    // argument with terminal escapes or bidi overrides is shown escaped, like every error.
    // Set before the groups register, so every subcommand inherits it.
    .configureOutput({ outputError: (text, write) => write(escapeForDisplay(text)) })
    .exitOverride();
  for (const register of commandGroups) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = createProgram();
  try {
    // An unknown command may be a plugin's: load the allowed plugins' CLI additions.
    const first = argv[2];
    if (first && !first.startsWith("-") && first !== "help" && !program.commands.some((c) => c.name() === first || c.aliases().includes(first))) {
      const { registerPluginCli } = await import("./plugin-cli.js");
      await registerPluginCli(program);
    }
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeFor(err);
  }
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander already printed its message; usage mistakes are exit 2 (docs/cli.md)
    if (err.exitCode !== 0 && USAGE_ERRORS.has(err.code)) return EXIT.usage;
    return err.exitCode;
  }
  // An error may quote text nobody here wrote (a file name from a cloned skill, a scanner
  // excerpt, a server's reply): control characters and bidi overrides are shown escaped.
  if (err instanceof UserError) {
    process.stderr.write(`error: ${escapeForDisplay(err.message)}\n`);
    return err.exitCode;
  }
  if (process.env.SIMPLECLAW_DEBUG) process.stderr.write(`${escapeForDisplay((err as Error)?.stack ?? String(err))}\n`);
  else process.stderr.write(`error: ${escapeForDisplay(errorMessage(err))} (set SIMPLECLAW_DEBUG=1 for details)\n`);
  return 1;
}
