// Audit family "plugins": code the gateway would load into its own process. Plugins are
// found on disk (state dir plugins/<id>/ and plugins.load.paths) by gather.ts; the
// config side is read defensively because the plugin loader is still evolving.
import { rawAt } from "./exposure.js";
import { finding, type AuditInput, type CheckDef, type CheckFamily, type Finding } from "./types.js";

const c = {
  noAllowlist: {
    id: "plugins.extensions_no_allowlist",
    severity: ["warn"],
    fixable: false,
    title: "Plugins installed without plugins.allow",
    meaning: "Plugin code is on disk but plugins.allow is not set, so every plugin found there is loaded into the gateway process with the gateway's rights, including one dropped there by another program.",
    remedy: "Set plugins.allow to the plugin ids you trust, e.g. `simpleclaw config set plugins.allow '[\"my-plugin\"]'`.",
  },
  phantom: {
    id: "plugins.allow_phantom_entries",
    severity: ["warn"],
    fixable: false,
    title: "plugins.allow names plugins that are not installed",
    meaning: "An id in plugins.allow (or plugins.entries) matches no installed plugin: whatever later appears under that name is trusted without review.",
    remedy: "Remove the stale ids from plugins.allow / plugins.entries.",
  },
  unpinned: {
    id: "plugins.installs_unpinned",
    severity: ["warn"],
    fixable: false,
    title: "Plugin dependencies are not pinned",
    meaning: "A plugin under <state>/plugins has no exact version and integrity hash in plugins/installs.json (it was copied there by hand), or it declares dependencies by range, tag or git branch without a lockfile: a reinstall can bring different code than what was reviewed.",
    remedy: "Reinstall it with `simpleclaw plugins install` (records version + integrity), and pin exact dependency versions or ship a lockfile.",
  },
  integrityMismatch: {
    id: "plugins.integrity_mismatch",
    severity: ["critical"],
    fixable: false,
    title: "Installed plugin no longer matches the hash pinned at install",
    meaning: "The files of a plugin under <state>/plugins (every file and folder, and any symbolic link that appeared) no longer hash to what `simpleclaw plugins install` recorded, or the record was made by an older hash that did not cover symbolic links. The gateway refuses to load it; someone or something changed code that runs with the gateway's rights.",
    remedy: "Find out what changed the folder, then reinstall from a source you trust: `simpleclaw plugins install <source> --force` (or remove it with `simpleclaw plugins remove <id>`).",
  },
  entryEscape: {
    id: "plugins.entry_escape",
    severity: ["critical"],
    fixable: false,
    title: "Plugin entry point lies outside the plugin directory",
    meaning: "A plugin's manifest points its entry at a file outside its own directory (via ../ or a symlink): the code that runs is not the code that was installed and reviewed.",
    remedy: "Reinstall the plugin; an entry must be a file inside the plugin directory.",
  },
} satisfies Record<string, CheckDef>;

export const pluginsChecks: readonly CheckDef[] = Object.values(c);

function stringList(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined;
}

export function auditPlugins(input: AuditInput): Finding[] {
  const out: Finding[] = [];
  // Prefer the raw config (present even when invalid); fall back to the parsed one.
  const allow = stringList(rawAt(input.raw, ["plugins", "allow"])) ?? stringList(rawAt(input.config, ["plugins", "allow"]));
  const entriesObj = rawAt(input.raw, ["plugins", "entries"]) ?? rawAt(input.config, ["plugins", "entries"]);
  const entryIds = entriesObj && typeof entriesObj === "object" && !Array.isArray(entriesObj) ? Object.keys(entriesObj) : [];
  const installed = new Set(input.plugins.map((p) => p.id));

  if (input.plugins.length > 0 && allow === undefined) {
    out.push(
      finding(c.noAllowlist, {
        detail: `${input.plugins.length} plugin(s) installed (${[...installed].join(", ")}) and plugins.allow is not set.`,
        evidence: input.plugins.map((p) => p.dir.path).join("; "),
      }),
    );
  }
  const phantom = [...new Set([...(allow ?? []), ...entryIds])].filter((id) => id !== "*" && !installed.has(id));
  if (phantom.length) {
    out.push(
      finding(c.phantom, {
        detail: `plugins.allow / plugins.entries name ${phantom.map((p) => JSON.stringify(p)).join(", ")}, which ${phantom.length === 1 ? "is" : "are"} not installed.`,
        evidence: `not found under ${input.paths.plugins} or plugins.load.paths: ${phantom.join(", ")}`,
      }),
    );
  }
  const unpinned = input.plugins.flatMap((p) => {
    const why = [
      p.source === "installed" && p.pinnedInstall === false ? "no version + integrity record in plugins/installs.json" : "",
      p.unpinned.length > 0 && !p.hasLockfile ? `unpinned dependencies ${p.unpinned.join(", ")} and no lockfile` : "",
    ].filter(Boolean);
    return why.length ? [{ p, why }] : [];
  });
  if (unpinned.length) {
    out.push(
      finding(c.unpinned, {
        detail: unpinned.map(({ p, why }) => `${p.id}: ${why.join("; ")}`).join(". ") + ".",
        evidence: unpinned.map(({ p }) => p.dir.path).join("; "),
      }),
    );
  }
  // Same hash and record as the loader (plugins/install.ts hashTree, read by gather.ts).
  const mismatched = input.plugins.filter((p) => p.source === "installed" && p.modifiedSinceInstall === true);
  if (mismatched.length) {
    out.push(
      finding(c.integrityMismatch, {
        detail: mismatched.map((p) => `${p.id}: its files no longer match the hash recorded in plugins/installs.json, so the gateway will not load it`).join("; ") + ".",
        evidence: mismatched.map((p) => p.dir.realpath ?? p.dir.path).join("; "),
      }),
    );
  }
  const escaped = input.plugins.filter((p) => p.entry !== undefined && p.entryInside === false);
  if (escaped.length) {
    out.push(
      finding(c.entryEscape, {
        detail: escaped.map((p) => `plugin ${p.id} declares entry ${JSON.stringify(p.entry)}, which resolves to ${p.entryResolved}`).join("; ") + ".",
        evidence: escaped.map((p) => `${p.dir.realpath ?? p.dir.path}/${p.manifest}: entry -> ${p.entryResolved}`).join("; "),
      }),
    );
  }
  return out;
}

export const pluginsFamily: CheckFamily = { name: "plugins", checks: pluginsChecks, run: auditPlugins };
