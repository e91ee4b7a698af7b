// `simpleclaw skills list|info|check|install|remove|allow|deny` (docs/skills.md). Listing,
// checking and scanning read files only: skills are text, nothing in them runs here.
import type { Command } from "commander";

export function registerSkillCommands(program: Command): void {
  const skills = program.command("skills").description("skills the agent can read: where they come from, whether it sees them, and what the scanner found");
  skills
    .command("list")
    .description("every skill found (workspace, state dir, allowed plugins), whether the agent sees it, and why not")
    .option("--json", "print JSON")
    .action(async (opts) => (await import("./skills-actions.js")).skillsList(opts));
  skills
    .command("info <name>")
    .description("one skill: source, requirements and what is missing, pin, scanner findings")
    .option("--json", "print JSON")
    .action(async (name: string, opts) => (await import("./skills-actions.js")).skillsInfo(name, opts));
  skills
    .command("check")
    .description("requirements, pins and scanner findings of every skill; exit 1 on a critical finding or a modified skill")
    .option("--json", "print JSON")
    .action(async (opts) => (await import("./skills-actions.js")).skillsCheck(opts));
  skills
    .command("install <source>")
    .description("copy a skill from a folder, a git repository (git+<path|url>, or a URL) or an npm package into the state dir, scan it and pin its hash")
    .option("--replace", "replace an installed skill of the same name (the new copy is scanned like a first install)")
    .option("--force", "install despite critical scanner findings or text too large to scan (does not imply --replace)")
    .option("--allow", "also add it to skills.allow")
    .action(async (source: string, opts) => (await import("./skills-actions.js")).skillsInstall(source, opts));
  skills
    .command("remove <name>")
    .description("delete an installed skill, its pin and its skills.allow entry")
    .action(async (name: string) => (await import("./skills-actions.js")).skillsRemove(name));
  skills
    .command("allow <name>")
    .description("add a skill to skills.allow (when skills.allow is unset, it starts with every skill found, so none disappears)")
    .action(async (name: string) => (await import("./skills-actions.js")).skillsAllow(name, true));
  skills
    .command("deny <name>")
    .description("remove a skill from skills.allow: the agent no longer sees or reads it")
    .action(async (name: string) => (await import("./skills-actions.js")).skillsAllow(name, false));
}
