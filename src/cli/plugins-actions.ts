// Implementations of `simpleclaw plugins …` (lazy-loaded).
import { loadConfig, readRawConfig, saveRawConfig, setAt, unsetAt, validateConfig } from "../config/io.js";
import { statePaths } from "../config/paths.js";
import { EXIT, UserError } from "../infra/errors.js";
import { loadDecision } from "../security/plugin-allowlist.js";
import { discoverPlugins, type Discovered } from "../plugins/discover.js";
import { checkInstalledIntegrity, installPlugin, readInstalls, removePlugin, type InstallRecord } from "../plugins/install.js";
import { pluginIdSchema, resolveEntry } from "../plugins/manifest.js";
import { dirname } from "node:path";

interface Row {
  id: string;
  name?: string;
  version?: string;
  dir: string;
  source: Discovered["source"];
  /** What the gateway would do at start. */
  status: "loads" | "blocked" | "disabled" | "error";
  reason?: string;
  install?: InstallRecord & { modified: boolean };
  /** Why an installed plugin's files fail the integrity check (it will not load). */
  integrity?: string;
}

function rows(): { rows: Row[]; allowSet: boolean } {
  const { config, path } = loadConfig();
  const paths = statePaths();
  const installs = readInstalls(paths.plugins);
  const out: Row[] = [];
  for (const d of discoverPlugins(paths.plugins, config.plugins.load.paths, dirname(path))) {
    const id = d.manifest?.id ?? d.dir;
    const row: Row = { id, dir: d.dir, source: d.source, status: "error", ...(d.manifest ? { name: d.manifest.name, version: d.manifest.version } : {}) };
    const rec = d.manifest ? installs[d.manifest.id] : undefined;
    if (rec && d.source === "installed") {
      const check = checkInstalledIntegrity(d.dir, rec);
      row.install = { ...rec, modified: check.pinned && !check.ok };
      if (check.pinned && !check.ok) row.integrity = check.reason;
    }
    if (!d.manifest || d.error) {
      out.push({ ...row, reason: d.error });
      continue;
    }
    const decision = loadDecision(d.manifest.id, config.plugins);
    if (!decision.load) {
      out.push({ ...row, status: decision.status, reason: decision.reason });
      continue;
    }
    if (row.integrity) {
      out.push({ ...row, reason: `integrity check failed: ${row.integrity}` });
      continue;
    }
    const entry = resolveEntry(d.dir, d.manifest.entry);
    if (!entry.ok) out.push({ ...row, reason: entry.error });
    else out.push({ ...row, status: "loads", ...(decision.warning ? { reason: decision.warning } : {}) });
  }
  return { rows: out, allowSet: config.plugins.allow !== undefined };
}

export function pluginsList(opts: { json?: boolean }): void {
  const r = rows();
  if (opts.json) return void process.stdout.write(`${JSON.stringify(r.rows, null, 2)}\n`);
  if (!r.rows.length) return void process.stdout.write(`No plugins found (install one with: simpleclaw plugins install <folder|npm package>).\n`);
  for (const row of r.rows) {
    const ver = row.version ? `@${row.version}` : "";
    const pin = row.install ? ` pinned ${row.install.integrity.slice(0, 19)}…${row.install.modified ? " (MODIFIED since install: INTEGRITY MISMATCH, will not load)" : ""}` : row.source === "load.paths" ? " (load.paths, not pinned)" : " (not pinned)";
    process.stdout.write(`${row.id}${ver}  ${row.status}${pin}\n  ${row.dir}\n${row.reason && row.status !== "loads" ? `  ${row.reason}\n` : ""}`);
  }
  if (!r.allowSet) process.stdout.write(`\nWarning: plugins.allow is not set, so every plugin above that "loads" runs with the gateway's full privileges. Pin the ones you trust: simpleclaw config set plugins.allow '["id", …]'\n`);
}

export function pluginsInfo(id: string, opts: { json?: boolean }): void {
  const row = rows().rows.find((r) => r.id === id);
  if (!row) throw new UserError(`no plugin "${id}" found; see simpleclaw plugins list.`);
  const { config } = loadConfig();
  const info = { ...row, config: config.plugins.entries[id]?.config };
  if (opts.json) return void process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
  process.stdout.write(
    [
      `${row.id}${row.name ? ` — ${row.name}` : ""}${row.version ? ` ${row.version}` : ""}`,
      `folder:  ${row.dir} (${row.source})`,
      `status:  ${row.status}${row.reason ? ` — ${row.reason}` : ""}`,
      row.install
        ? `pinned:  ${row.install.kind} ${row.install.source} @ ${row.install.version}, ${row.install.integrity}${row.install.modified ? ` — INTEGRITY MISMATCH: ${row.integrity ?? "files modified since install"}` : ""}`
        : `pinned:  no install record`,
    ].join("\n") + "\n",
  );
}

function editConfig(edit: (raw: Record<string, unknown>) => Record<string, unknown>): void {
  const { raw } = readRawConfig();
  const next = edit(raw);
  const v = validateConfig(next);
  if (!v.ok) throw new UserError(`the change would make the config invalid: ${v.problems[0]}`, EXIT.config);
  saveRawConfig(next);
}

function checkId(id: string): void {
  if (!pluginIdSchema.safeParse(id).success) throw new UserError(`"${id}" is not a plugin id (lowercase letters, digits, - or _).`, EXIT.usage);
}

export function pluginsInstall(source: string, opts: { allow?: boolean; force?: boolean }): void {
  const paths = statePaths();
  let r;
  try {
    r = installPlugin(source, paths.plugins, { force: opts.force });
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  process.stdout.write(`Installed ${r.manifest.id}@${r.manifest.version} into ${r.dir}${r.replaced ? " (replaced the previous copy)" : ""}; pinned ${r.record.integrity}.\n`);
  const { config } = loadConfig();
  if (opts.allow) {
    const allow = config.plugins.allow ?? [];
    if (!allow.includes(r.manifest.id)) editConfig((raw) => setAt(raw, ["plugins", "allow"], [...allow, r.manifest.id]));
    process.stdout.write(`Added ${r.manifest.id} to plugins.allow; it loads at the next gateway start.\n`);
  } else if (config.plugins.allow === undefined) {
    process.stdout.write(`plugins.allow is not set, so it will load at the next gateway start; pin trusted plugins with plugins.allow.\n`);
  } else if (!config.plugins.allow.includes(r.manifest.id)) {
    process.stdout.write(`It is not in plugins.allow, so it will not load. Allow it with: simpleclaw plugins install ${source} --allow --force, or add "${r.manifest.id}" to plugins.allow.\n`);
  }
}

export function pluginsEnable(id: string, enabled: boolean): void {
  checkId(id);
  editConfig((raw) => setAt(raw, ["plugins", "entries", id, "enabled"], enabled));
  process.stdout.write(`${enabled ? "Enabled" : "Disabled"} ${id}; restart the gateway for it to take effect.\n`);
}

export function pluginsRemove(id: string): void {
  checkId(id);
  const paths = statePaths();
  const removed = removePlugin(id, paths.plugins);
  const { config } = loadConfig();
  const inAllow = config.plugins.allow?.includes(id);
  if (inAllow) editConfig((raw) => setAt(raw, ["plugins", "allow"], config.plugins.allow!.filter((x) => x !== id)));
  if (config.plugins.entries[id]) editConfig((raw) => unsetAt(raw, ["plugins", "entries", id]).raw);
  if (!removed && !inAllow) throw new UserError(`plugin "${id}" is not installed in ${paths.plugins}.`);
  process.stdout.write(`Removed ${id}${inAllow ? " and its plugins.allow entry" : ""}; restart the gateway for it to take effect.\n`);
}
