import { readFileSync } from "node:fs";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { cliReferenceMarkdown } from "./reference.js";

describe("docs/cli-reference.md", () => {
  it("matches the command tree (regenerate with `npm run docs`)", () => {
    const committed = readFileSync(new URL("../../docs/cli-reference.md", import.meta.url), "utf8");
    expect(committed).toBe(cliReferenceMarkdown());
  });

  it("lists every registered command with its options", () => {
    const md = cliReferenceMarkdown();
    for (const heading of ["## `simpleclaw gateway`", "### `simpleclaw gateway run`", "### `simpleclaw config set`", "## `simpleclaw security`"]) {
      expect(md).toContain(heading);
    }
    expect(md).toContain("| `--port <port>` | port to listen on");
    expect(md).toContain("| `-v, --version` | print the version |");
    expect(md).toContain("(the default: `simpleclaw gateway` alone runs it)");
  });

  it("walks any commander tree: arguments, defaults, nesting, hidden commands", () => {
    const p = new Command("tool").description("demo");
    const g = p.command("grp").description("a group");
    g.command("do <thing>")
      .description("does it")
      .argument("[extra...]", "an extra | piped argument")
      .option("--level <n>", "how much", "3");
    g.command("secret", { hidden: true }).description("not shown");
    const md = cliReferenceMarkdown(p);
    expect(md).toContain("### `tool grp do`");
    expect(md).toContain("tool grp do [options] <thing> [extra...]");
    expect(md).toContain("| `[extra...]` | an extra \\| piped argument |");
    expect(md).toContain('| `--level <n>` | how much | `"3"` |');
    expect(md).toContain("| [`do`](#tool-grp-do) | does it |");
    expect(md).not.toContain("secret");
  });
});
