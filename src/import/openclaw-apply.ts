// `simpleclaw import openclaw`, step 3 of 3 (docs/migrating-from-openclaw.md): write the
// plan. Everything is read and validated first; only then is anything written, each file
// atomically, the config last (after a backup of the old one). Writing the same plan
// twice changes nothing the second time.
import { closeSync, existsSync, lstatSync, mkdirSync, readFileSync, readSync, realpathSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, relative } from "node:path";
import { seedWorkspace } from "../agents/workspace.js";
import { WORKSPACE_TEMPLATES } from "../agents/templates.js";
import { credentialsFile, type ChannelSecrets } from "../channels/credentials.js";
import { PairingStore } from "../channels/pairing.js";
import { readRawConfig, saveRawConfig, validateConfig, type RawConfig } from "../config/io.js";
import { statePaths, type Env } from "../config/paths.js";
import { ApprovalsFileError, approvalsPath, loadApprovals, saveApprovals, type ApprovalsFile } from "../exec/approvals-file.js";
import { ensureDir, writeFileAtomic } from "../infra/atomic-fs.js";
import { escapeForDisplay } from "../infra/display.js";
import { EXIT, UserError, errorMessage } from "../infra/errors.js";
import { planImport, type ImportItem, type ImportPlan } from "./openclaw-map.js";
import { listWorkspaceFiles, MAX_WORKSPACE_FILE_BYTES, readOpenClaw, readWorkspaceFile } from "./openclaw-source.js";
import { openVerifiedSync } from "../security/fs-containment.js";
import { randomBytes, randomUUID } from "node:crypto";

export interface ImportOptions {
  from?: string;
  dryRun?: boolean;
  workspace?: "copy" | "reference";
  keepInsecure?: boolean;
  env?: Env;
  now?: number;
}

export interface ImportResult {
  source: { dir: string; config: string; version?: string };
  target: { stateDir: string; config: string };
  dryRun: boolean;
  items: ImportItem[];
  /** Files written (or that would be written in a dry run). */
  writes: string[];
  backups: string[];
  summary: { imported: number; changed: number; skipped: number };
}

function readJsonObject(path: string, what: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  try {
    const v: unknown = JSON.parse(readFileSync(path, "utf8"));
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new UserError(`${path} (${what}) is not a JSON object; fix or move it, then run the import again. Nothing was written.`);
}

function sameText(path: string, text: string): boolean {
  try {
    return readFileSync(path, "utf8") === text;
  } catch {
    return false;
  }
}

/**
 * The first folder of `rel` below the SimpleClaw workspace `root` that is a symbolic link or
 * not a folder (the agent may have planted `memory` -> ~/.ssh), else undefined. The workspace
 * folder itself may be a link: that is the owner's choice, not the agent's.
 */
function linkedFolder(root: string, rel: string): string | undefined {
  const parts = rel.split("/").slice(0, -1);
  for (let i = 1; i <= parts.length; i++) {
    const sub = parts.slice(0, i).join("/");
    let st;
    try {
      st = lstatSync(join(root, sub));
    } catch {
      return undefined; // not there yet: the import creates it
    }
    if (st.isSymbolicLink() || !st.isDirectory()) return `${sub}/`;
  }
  return undefined;
}

/**
 * The bytes of a file already in the SimpleClaw workspace, read through a verified
 * descriptor (O_NOFOLLOW | O_NONBLOCK): undefined when there is none, "not-a-file" when the
 * agent put a link, FIFO or device there (reading /dev/zero or a FIFO would never end).
 * A file larger than any note is returned as its first bytes: it differs either way.
 */
function existingWorkspaceFile(root: string, rel: string): Buffer | "not-a-file" | undefined {
  const at = join(root, rel);
  if (!existsSync(at) && !isLink(at)) return undefined;
  let real: string;
  try {
    real = join(realpathSync(root), rel);
  } catch {
    return "not-a-file";
  }
  const opened = openVerifiedSync(real, realpathSync(root));
  if (!opened.ok) return "not-a-file";
  try {
    const buf = Buffer.alloc(Math.min(opened.stats.size, MAX_WORKSPACE_FILE_BYTES + 1));
    const n = readSync(opened.fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(opened.fd);
  }
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

export function importOpenClaw(opts: ImportOptions = {}): ImportResult {
  const env = opts.env ?? process.env;
  const sp = statePaths(env);
  const now = opts.now ?? Date.now();
  const src = readOpenClaw({ ...(opts.from ? { from: opts.from } : {}), env });
  const existing = readRawConfig(env);
  const plan: ImportPlan = planImport(src, {
    workspace: opts.workspace ?? "copy",
    keepInsecure: !!opts.keepInsecure,
    stateDir: sp.dir,
    existing: existing.raw,
    workspaceFiles: listWorkspaceFiles,
    home: env.HOME || homedir(),
    realpath: (p) => realpathSync(p),
    newToken: () => randomBytes(32).toString("base64url"),
  });
  const v = validateConfig(plan.config);
  if (!v.ok) {
    throw new UserError(`the imported settings do not make a valid SimpleClaw config (${v.problems.join("; ")}); nothing was written.`, EXIT.config);
  }

  // ---- read everything we will merge into, before writing anything ----------------------
  const providersPath = join(sp.credentials, "providers.json");
  const providers = readJsonObject(providersPath, "model API keys");
  const channelFiles = Object.fromEntries(
    Object.keys(plan.channelSecrets).map((ch) => [ch, readJsonObject(credentialsFile(sp.credentials, ch as "telegram"), `${ch} secrets`)]),
  );
  let approvals: ApprovalsFile | undefined;
  if (plan.approvals) {
    try {
      approvals = loadApprovals(sp.dir);
    } catch (err) {
      if (err instanceof ApprovalsFileError) throw new UserError(`${err.message.replace(/ \(exec stays.*$/, "")}; nothing was written.`);
      throw err;
    }
  }
  const pairing = new PairingStore(sp.credentials);
  for (const ch of Object.keys(plan.approvedSenders)) {
    try {
      pairing.approved(ch);
    } catch (err) {
      throw new UserError(`${errorMessage(err)} Nothing was written.`);
    }
  }

  // ---- compute every write ----------------------------------------------------------------
  const writes: Array<{ path: string; text: string; mode: number; backup?: boolean }> = [];
  const items = plan.items;
  const nextProviders = { ...providers };
  for (const [id, key] of Object.entries(plan.providerKeys)) {
    const cur = nextProviders[id];
    nextProviders[id] = { ...(cur && typeof cur === "object" ? cur : {}), apiKey: key };
  }
  if (Object.keys(plan.providerKeys).length) writes.push({ path: providersPath, text: `${JSON.stringify(nextProviders, null, 2)}\n`, mode: 0o600 });
  for (const [ch, secrets] of Object.entries(plan.channelSecrets)) {
    const merged: ChannelSecrets = { ...(channelFiles[ch] as ChannelSecrets), ...secrets };
    writes.push({ path: credentialsFile(sp.credentials, ch as "telegram"), text: `${JSON.stringify(merged, null, 2)}\n`, mode: 0o600 });
  }
  if (approvals && plan.approvals) {
    const next: ApprovalsFile = structuredClone(approvals);
    Object.assign(next.defaults, plan.approvals.defaults);
    for (const [id, a] of Object.entries(plan.approvals.agents)) {
      const { allowlist, ...layer } = a;
      const agent = Object.hasOwn(next.agents, id) ? next.agents[id]! : (next.agents[id] = { allowlist: [] });
      Object.assign(agent, layer);
      for (const e of allowlist) {
        if (agent.allowlist.some((x) => x.pattern === e.pattern && x.args === undefined)) continue;
        agent.allowlist.push({ id: randomUUID(), pattern: e.pattern, source: "manual", createdAt: now, ...(e.lastUsedAt !== undefined ? { lastUsedAt: e.lastUsedAt } : {}) });
      }
    }
    writes.push({ path: approvalsPath(sp.dir), text: `${JSON.stringify(next, null, 2)}\n`, mode: 0o600, backup: true });
  }
  const copies: Array<{ from: string; to: string; root: string; data: Buffer }> = [];
  for (const w of plan.workspaces) {
    if (!w.to) continue;
    for (const f of listWorkspaceFiles(w.from).files) {
      const to = join(w.to, f.rel);
      const linked = linkedFolder(w.to, f.rel);
      if (linked) {
        items.push({ status: "skipped", from: `workspace ${w.from}/${f.rel}`, reason: `${linked} in the SimpleClaw workspace is a symbolic link or not a folder; the import does not write through it (it may lead outside the workspace)` });
        continue;
      }
      const text = readWorkspaceFile(f);
      const cur = existingWorkspaceFile(w.to, f.rel);
      if (cur === "not-a-file") {
        items.push({ status: "skipped", from: `workspace ${w.from}/${f.rel}`, reason: `${to} is a symbolic link or not a regular file in the SimpleClaw workspace; kept it (the import neither reads nor writes through it)` });
        continue;
      }
      if (cur) {
        if (cur.equals(text)) continue;
        const template = WORKSPACE_TEMPLATES[f.rel];
        if (template === undefined || cur.toString("utf8") !== template) {
          items.push({ status: "skipped", from: `workspace ${w.from}/${f.rel}`, reason: `${to} already exists with other content; kept it (compare the two by hand)` });
          continue;
        }
      }
      copies.push({ from: f.abs, to, root: w.to, data: text });
    }
  }
  const configChanges = !existing.exists || JSON.stringify(existing.raw) !== JSON.stringify(plan.config);

  const result: ImportResult = {
    source: { dir: src.dir, config: src.configPath, ...(src.version ? { version: src.version } : {}) },
    target: { stateDir: sp.dir, config: sp.config },
    dryRun: !!opts.dryRun,
    items,
    writes: [
      ...writes.filter((w) => !sameText(w.path, w.text)).map((w) => w.path),
      ...copies.map((c) => c.to),
      ...(Object.keys(plan.approvedSenders).map((ch) => join(sp.credentials, `${ch}-allowFrom.json`))),
      ...(configChanges ? [sp.config] : []),
    ],
    backups: [],
    summary: { imported: 0, changed: 0, skipped: 0 },
  };
  for (const i of items) result.summary[i.status]++;
  if (opts.dryRun) return result;

  // ---- write: secrets and state first, the config last ------------------------------------
  ensureDir(sp.dir);
  ensureDir(sp.credentials);
  const stamp = new Date(now).toISOString().replace(/[-:]/g, "").replace(/\..*$/, "");
  const backup = (path: string) => {
    if (!existsSync(path)) return;
    const to = `${path}.bak-openclaw-import-${stamp}`;
    if (existsSync(to)) return;
    writeFileAtomic(to, readFileSync(path), 0o600);
    result.backups.push(to);
  };
  for (const w of writes) {
    if (sameText(w.path, w.text)) continue;
    if (w.backup) backup(w.path);
    writeFileAtomic(w.path, w.text, w.mode);
  }
  const added: string[] = [];
  for (const [ch, senders] of Object.entries(plan.approvedSenders)) {
    if (pairing.addApproved(ch, senders)) added.push(join(sp.credentials, `${ch}-allowFrom.json`));
  }
  result.writes = result.writes.filter((p) => !p.endsWith("-allowFrom.json") || added.includes(p));
  for (const c of copies) {
    mkdirSync(join(c.to, ".."), { recursive: true, mode: 0o700 });
    // Checked again right before the write: a folder swapped for a link since is refused.
    const rel = relative(c.root, c.to);
    if (linkedFolder(c.root, rel) || realpathSync(dirname(c.to)) !== join(realpathSync(c.root), dirname(rel))) {
      throw new UserError(`${dirname(c.to)} changed into a symbolic link while the import ran; the import stopped before writing there and before the config. Remove the link and run the import again.`);
    }
    writeFileAtomic(c.to, c.data, 0o600);
  }
  for (const w of plan.workspaces) if (w.to && !(existsSync(w.to) && lstatSync(w.to).isSymbolicLink())) seedWorkspace(w.to);
  if (configChanges) {
    backup(sp.config);
    saveRawConfig(plan.config, env);
  }
  return result;
}

/** The human report: one line per item, grouped, then what was written. */
export function formatImportReport(r: ImportResult): string {
  const lines = [`Import from OpenClaw ${r.source.version ?? "(version not recorded)"} at ${r.source.dir}${r.dryRun ? " (dry run: nothing written)" : ""}`];
  const groups: Array<[ImportItem["status"], string]> = [
    ["imported", "Imported"],
    ["changed", "Changed (security wins, or SimpleClaw keeps it elsewhere)"],
    ["skipped", "Not imported"],
  ];
  for (const [status, title] of groups) {
    const list = r.items.filter((i) => i.status === status);
    if (!list.length) continue;
    lines.push("", `${title} (${list.length})`);
    for (const i of list) lines.push(`  ${i.from}${i.to ? ` → ${i.to}` : ""}${i.reason ? `: ${i.reason}` : ""}`);
  }
  lines.push("");
  if (r.writes.length) lines.push(`${r.dryRun ? "Would write" : "Wrote"}:`, ...r.writes.map((w) => `  ${w}`));
  else lines.push("Nothing to write: SimpleClaw already has everything this import carries over.");
  if (r.backups.length) lines.push("Backups:", ...r.backups.map((b) => `  ${b}`));
  lines.push(`Summary: ${r.summary.imported} imported, ${r.summary.changed} changed, ${r.summary.skipped} not imported.`);
  // Key names, group ids, file names and values come from the OpenClaw dir: shown escaped,
  // one line each, so none can move the cursor, retitle the terminal or reorder with bidi.
  return `${lines.map((l) => escapeForDisplay(l, { oneLine: true })).join("\n")}\n`;
}
