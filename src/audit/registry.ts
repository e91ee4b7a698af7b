// Every audit check, in catalog order. docs/security/audit-checks.md is generated from
// this list (scripts/gen-docs.mjs), and a test keeps the committed file equal to it,
// so the catalog cannot drift from the code.
import { browserFamily } from "./browser.js";
import { channelsFamily } from "./channels.js";
import { configFamily } from "./config.js";
import { cronFamily } from "./cron.js";
import { deepCheckList } from "./deep-checks.js";
import { fsFamily } from "./fs.js";
import { gatewayFamily } from "./gateway.js";
import { pluginsFamily } from "./plugins.js";
import { runtimeFamily } from "./runtime.js";
import { sandboxFamily } from "./sandbox.js";
import { skillsFamily } from "./skills.js";
import { summaryFamily } from "./summary.js";
import { toolsFamily } from "./tools.js";
import type { CheckDef, CheckFamily, Severity } from "./types.js";

/** Static checks, run in this order on every audit. */
export const families: readonly CheckFamily[] = [
  configFamily,
  fsFamily,
  gatewayFamily,
  browserFamily,
  toolsFamily,
  channelsFamily,
  sandboxFamily,
  cronFamily,
  pluginsFamily,
  skillsFamily,
  runtimeFamily,
  summaryFamily,
];

export interface RegistryEntry {
  id: string;
  family: string;
  severity: readonly Severity[];
  title: string;
  fixable: boolean;
  description: string;
  fix: string;
  deep: boolean;
}

function entry(family: string, d: CheckDef): RegistryEntry {
  return { id: d.id, family, severity: d.severity, title: d.title, fixable: d.fixable, description: d.meaning, fix: d.remedy, deep: !!d.deep };
}

export const registry: readonly RegistryEntry[] = [
  ...families.flatMap((f) => f.checks.map((d) => entry(f.name, d))),
  ...deepCheckList.map((d) => entry("deep", d)),
];

/** The catalog entry a reported check id belongs to (`channels.telegram.dm_policy_open` → `channels.<ch>.dm_policy_open`). */
export function catalogEntry(checkId: string): RegistryEntry | undefined {
  const exact = registry.find((e) => e.id === checkId);
  if (exact) return exact;
  return registry.find((e) => {
    if (!e.id.includes("<")) return false;
    const re = new RegExp(`^${e.id.split(/<[^>]+>/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[^.]+")}$`);
    return re.test(checkId);
  });
}

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** docs/security/audit-checks.md */
export function auditChecksMarkdown(): string {
  const lines = [
    "# Security audit checks",
    "",
    "<!-- Generated from src/audit/registry.ts by `npm run docs`; do not edit by hand. -->",
    "",
    "`simpleclaw security audit` runs every check below (the `--deep` ones only with `--deep`, against a running gateway).",
    "Exit code 0 means no critical finding, 1 at least one, 2 the audit could not run.",
    "`--fix` applies only the checks marked fixable: permissions (700/600, or removing group/other write from workspace files) and the config keys named in the fix column, after backing up the file it edits.",
    "A `<ch>` or `<channel>` in an id is replaced by the channel name in reports (e.g. `channels.telegram.dm_policy_open`).",
    "See [the security model](../security-model.md) for what each layer protects.",
    "",
  ];
  const order = [...new Set(registry.map((e) => e.family))];
  for (const fam of order) {
    lines.push(`## ${fam}`, "", "| Check ID | Severity | Fixable | What it means | How to fix |", "|---|---|---|---|---|");
    for (const e of registry.filter((x) => x.family === fam)) {
      lines.push(`| \`${e.id}\` | ${e.severity.join(" / ")} | ${e.fixable ? "yes" : "no"} | **${cell(e.title)}.** ${cell(e.description)} | ${cell(e.fix)} |`);
    }
    lines.push("");
  }
  return lines.join("\n");
}
