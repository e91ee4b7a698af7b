// Generates docs/cli-reference.md by walking the real commander tree (cli/main.ts's
// createProgram, i.e. every group in cli/registry.ts), so the reference cannot drift from
// the code: a test compares the committed file with this output.
import type { Argument, Command, Help, Option } from "commander";
import { createProgram } from "./main.js";

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n+/g, " ");

function fullName(cmd: Command): string {
  const parts: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) parts.unshift(c.name());
  return parts.join(" ");
}

function usage(cmd: Command): string {
  const parent = cmd.parent ? `${fullName(cmd.parent)} ` : "";
  return `${parent}${cmd.name()} ${cmd.usage()}`.trim();
}

function argumentRow(a: Argument): string {
  const term = a.required ? `<${a.name()}${a.variadic ? "..." : ""}>` : `[${a.name()}${a.variadic ? "..." : ""}]`;
  return `| \`${cell(term)}\` | ${cell(a.description || "")} |`;
}

function optionRow(o: Option): string {
  const def = o.defaultValue === undefined || o.defaultValue === false ? "" : `\`${cell(JSON.stringify(o.defaultValue))}\``;
  return `| \`${cell(o.flags)}\` | ${cell(o.description || "")} | ${def} |`;
}

function section(cmd: Command, help: Help, out: string[]): void {
  const subs = help.visibleCommands(cmd).filter((c) => c.name() !== "help");
  const isRoot = !cmd.parent;
  if (!isRoot) {
    const depth = Math.min(cmd.parent?.parent ? 3 : 2, 4);
    out.push(`${"#".repeat(depth)} \`${fullName(cmd)}\``, "");
    // commander keeps the default subcommand's name on the parent (no public getter).
    const defaultName = (cmd.parent as unknown as { _defaultCommandName?: string })._defaultCommandName;
    const desc = cmd.description();
    if (desc) out.push(`${desc}${defaultName === cmd.name() ? ` (the default: \`${fullName(cmd.parent!)}\` alone runs it)` : ""}.`.replace(/\.\.$/, "."), "");
    if (cmd.aliases().length) out.push(`Aliases: ${cmd.aliases().map((a) => `\`${a}\``).join(", ")}`, "");
  }
  if (!isRoot && (cmd.registeredArguments.length > 0 || subs.length === 0 || help.visibleOptions(cmd).length > 1)) {
    out.push("```", usage(cmd), "```", "");
  }
  const args = cmd.registeredArguments;
  if (args.length && args.some((a) => a.description)) {
    out.push("| argument | description |", "|---|---|", ...args.map(argumentRow), "");
  }
  const opts = help.visibleOptions(cmd).filter((o) => o.long !== "--help");
  if (opts.length) out.push("| option | description | default |", "|---|---|---|", ...opts.map(optionRow), "");
  if (subs.length && !isRoot) {
    out.push("| command | description |", "|---|---|", ...subs.map((c) => `| [\`${c.name()}\`](#${anchor(c)}) | ${cell(c.description())} |`), "");
  }
  for (const sub of subs) section(sub, help, out);
}

/** GitHub's heading anchor for `` `simpleclaw gateway run` ``. */
function anchor(cmd: Command): string {
  return fullName(cmd).toLowerCase().replace(/[^a-z0-9 _-]/g, "").replace(/ /g, "-");
}

export function cliReferenceMarkdown(program: Command = createProgram()): string {
  const help = program.createHelp();
  const groups = help.visibleCommands(program).filter((c) => c.name() !== "help");
  const out: string[] = [
    "# CLI reference",
    "",
    "<!-- Generated from the command tree (src/cli/registry.ts) by `npm run docs`; do not edit by hand. -->",
    "",
    "Every command also takes `-h, --help`. Commands that talk to a running gateway take",
    "`--url`, `--token`/`--password` and `--tls-fingerprint` (defaults: the local config and",
    "`SIMPLECLAW_GATEWAY_TOKEN` / `SIMPLECLAW_GATEWAY_PASSWORD`). Plugins allowed by",
    "`plugins.allow` may add more commands; they are not listed here. Exit codes: 0 on success,",
    "non-zero on failure (78: invalid configuration; `security audit` documents its own).",
    "",
    "```",
    `${program.name()} ${program.usage()}`,
    "```",
    "",
  ];
  section(program, help, out);
  out.push("## Command groups", "");
  out.push("| command | description |", "|---|---|", ...groups.map((c) => `| [\`${c.name()}\`](#${anchor(c)}) | ${cell(c.description())} |`), "");
  // The group table reads best first: move it up, right after the root's options.
  const idx = out.indexOf("## Command groups");
  const table = out.splice(idx, out.length - idx);
  const firstGroup = out.findIndex((l) => l.startsWith("## `"));
  out.splice(firstGroup === -1 ? out.length : firstGroup, 0, ...table);
  return `${out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd()}\n`;
}
