// Finding skills (docs/skills.md "Where skills live"): <workspace>/skills/, <state>/skills/
// and the skills folder of every plugin that passes plugins.allow. Nothing here runs skill
// code — skills are text the model reads. The first folder providing a name wins, in this
// order: state dir > plugin > workspace (security/skill-access.ts SKILL_SOURCE_PRECEDENCE:
// the agent can write its workspace, so a workspace skill never takes an installed skill's
// name; the shadowed ones are reported). Then each skill is decided: skills.allow
// (security/skill-access.ts), its requirements (bins, env, os).
import { accessSync, constants as FS, lstatSync, readdirSync, realpathSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import type { Config } from "../config/schema.js";
import { statePaths, type Env } from "../config/paths.js";
import { isInside } from "../security/fs-containment.js";
import { loadDecision } from "../security/plugin-allowlist.js";
import { skillAllowed, skillSourceRank, type SkillDir, type SkillFolderSource } from "../security/skill-access.js";
import { discoverPlugins } from "../plugins/discover.js";
import { checkInstalledIntegrity, readInstalls } from "../plugins/install.js";
import { checkPin, readPins, type PinFile } from "./install.js";
import { readRegularFile } from "./regular-file.js";
import { MAX_SKILL_MD_BYTES, parseSkillMd, SKILL_FILE, SKILL_NAME_RE, type Requirements } from "./frontmatter.js";

export type SkillSource = SkillFolderSource;

/**
 * ready: offered to the model. blocked: not in skills.allow. unmet: requirements missing.
 * shadowed: a higher-precedence folder has the same name. invalid: could not be read/parsed.
 * modified: an installed (state dir) skill no longer matches the hash pinned at install.
 */
export type SkillStatus = "ready" | "blocked" | "unmet" | "shadowed" | "invalid" | "modified";

export interface SkillEntry {
  /** Front matter name (the folder name when the skill is invalid). */
  name: string;
  description: string;
  source: SkillSource;
  /** Plugin id, for source "plugin". */
  plugin?: string;
  /** The skill folder as found, and its real path (when it resolves). */
  dir: string;
  realDir?: string;
  /** Real path of SKILL.md: what the model is told to read. */
  file: string;
  requires: Requirements;
  /** What of `requires` is missing on this host. */
  missing: Requirements;
  status: SkillStatus;
  /** Why it is not ready, one sentence. */
  reason?: string;
  /** State-dir skills: whether skill-pins.json pins it (installed with simpleclaw skills install). */
  pinned?: boolean;
}

export interface SkillRoot {
  source: SkillSource;
  dir: string;
  plugin?: string;
}

export interface LoadSkillsOptions {
  config: Config;
  /** The agent's workspace (realpath'd or not). */
  workspace?: string;
  env?: Env;
  /** Where plugins.load.paths are relative to (the config file's folder). */
  configDir?: string;
  platform?: NodeJS.Platform;
}

/** The folders searched, highest precedence first (skillSourceRank). Plugin skill folders only for plugins that would load. */
export function skillRoots(opts: LoadSkillsOptions): { roots: SkillRoot[]; problems: string[] } {
  const env = opts.env ?? process.env;
  const sp = statePaths(env);
  const roots: SkillRoot[] = [];
  const problems: string[] = [];
  if (opts.workspace) {
    // <workspace>/skills must be a folder of the workspace: a link out of it would widen reads elsewhere.
    const dir = join(opts.workspace, "skills");
    let outside = false;
    try {
      outside = !isInside(realpathSync(opts.workspace), realpathSync(dir));
    } catch {
      // missing: nothing to load
    }
    if (outside) problems.push(`${dir} is a symbolic link out of the workspace; its skills are not used`);
    else roots.push({ source: "workspace", dir });
  }
  roots.push({ source: "state", dir: sp.skills });
  let installs: ReturnType<typeof readInstalls> | undefined;
  for (const d of discoverPlugins(sp.plugins, opts.config.plugins.load.paths, opts.configDir ?? dirname(sp.config))) {
    const m = d.manifest;
    if (!m?.skills || d.error) continue;
    if (!loadDecision(m.id, opts.config.plugins).load) continue; // only plugins that pass plugins.allow
    if (d.source === "installed") {
      try {
        installs ??= readInstalls(sp.plugins);
      } catch (err) {
        problems.push(`plugin ${m.id}: ${(err as Error).message}`);
        continue;
      }
      const integrity = checkInstalledIntegrity(d.dir, installs[m.id]);
      if (integrity.pinned && !integrity.ok) {
        problems.push(`plugin ${m.id}: its skills are not used: ${integrity.reason}`);
        continue;
      }
    }
    if (!isInside(d.dir, resolve(d.dir, m.skills))) {
      problems.push(`plugin ${m.id}: its skills folder ${JSON.stringify(m.skills)} lies outside the plugin folder; not used`);
      continue;
    }
    let real: string;
    try {
      real = realpathSync(resolve(d.dir, m.skills));
    } catch {
      problems.push(`plugin ${m.id}: its skills folder ${JSON.stringify(m.skills)} does not exist`);
      continue;
    }
    if (!isInside(realpathSync(d.dir), real)) {
      problems.push(`plugin ${m.id}: its skills folder ${JSON.stringify(m.skills)} lies outside the plugin folder; not used`);
      continue;
    }
    roots.push({ source: "plugin", dir: real, plugin: m.id });
  }
  // Stable: plugins keep their discovery order among themselves.
  roots.sort((a, b) => skillSourceRank(a.source) - skillSourceRank(b.source));
  return { roots, problems };
}

function which(bin: string, env: Env): boolean {
  for (const d of (env.PATH ?? "").split(delimiter)) {
    if (!d) continue;
    try {
      accessSync(join(d, bin), FS.X_OK);
      if (lstatSync(join(d, bin)).isDirectory()) continue;
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** What of `req` this host lacks (bins on PATH, non-empty env vars, the OS). */
export function missingRequirements(req: Requirements, env: Env, platform: NodeJS.Platform): Requirements {
  return {
    bins: req.bins.filter((b) => !which(b, env)),
    env: req.env.filter((e) => !env[e]),
    os: req.os.length > 0 && !req.os.includes(platform) ? req.os : [],
  };
}

export function describeMissing(m: Requirements, platform: NodeJS.Platform): string | undefined {
  const parts: string[] = [];
  if (m.os.length) parts.push(`runs only on ${m.os.join(", ")} (this is ${platform})`);
  if (m.bins.length) parts.push(`needs ${m.bins.join(", ")} on PATH`);
  if (m.env.length) parts.push(`needs the environment variable${m.env.length > 1 ? "s" : ""} ${m.env.join(", ")}`);
  return parts.length ? parts.join("; ") : undefined;
}

const EMPTY: Requirements = { bins: [], env: [], os: [] };

/** Read one skill folder (never follows a symbolic link for the folder or SKILL.md). */
function readSkill(root: SkillRoot, folder: string): SkillEntry {
  const dir = join(root.dir, folder);
  const base = { name: folder, description: "", source: root.source, ...(root.plugin ? { plugin: root.plugin } : {}), dir, file: join(dir, SKILL_FILE), requires: EMPTY, missing: EMPTY };
  const invalid = (reason: string): SkillEntry => ({ ...base, status: "invalid", reason });
  const st = lstatSync(dir, { throwIfNoEntry: false });
  if (!st) return invalid("it disappeared while being read");
  if (st.isSymbolicLink()) return invalid("the skill folder is a symbolic link; a skill must be a real folder (copy it in, or install it with simpleclaw skills install)");
  if (!st.isDirectory()) return invalid("not a folder");
  let realDir: string;
  try {
    realDir = realpathSync(dir);
  } catch {
    return invalid("its folder cannot be resolved");
  }
  const file = join(realDir, SKILL_FILE);
  const fst = lstatSync(file, { throwIfNoEntry: false });
  if (!fst) return { ...invalid(`it has no ${SKILL_FILE}`), realDir };
  if (!fst.isFile()) return { ...invalid(`${SKILL_FILE} is not a regular file (a symbolic link or something else)`), realDir };
  if (fst.size > MAX_SKILL_MD_BYTES) return { ...invalid(`${SKILL_FILE} is larger than ${MAX_SKILL_MD_BYTES / 1024} KiB`), realDir };
  let text: string;
  try {
    // Not readFileSync: the agent may have swapped a FIFO or a link in since the lstat above.
    const data = readRegularFile(file, MAX_SKILL_MD_BYTES);
    if (!data) return { ...invalid(`${SKILL_FILE} is not a regular file (a symbolic link or something else)`), realDir };
    text = data.toString("utf8");
  } catch (err) {
    return { ...invalid(`${SKILL_FILE} cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`), realDir };
  }
  const parsed = parseSkillMd(text, folder);
  if (!parsed.ok) return { ...invalid(parsed.error), realDir };
  return { ...base, name: parsed.meta.name, description: parsed.meta.description, realDir, file, requires: parsed.meta.requires, status: "ready" };
}

/**
 * Skill folders read per root on every run: the agent can create folders in its workspace, and
 * each costs a SKILL.md read and parse; past this the rest are skipped and named as a problem.
 */
export const MAX_SKILLS_PER_ROOT = 200;

function folders(dir: string, problems: string[]): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((d) => (d.isDirectory() || d.isSymbolicLink()) && !d.name.startsWith("."))
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
  if (names.length > MAX_SKILLS_PER_ROOT) {
    problems.push(`${dir} holds ${names.length} skill folders; only the first ${MAX_SKILLS_PER_ROOT} (by name) are read`);
    return names.slice(0, MAX_SKILLS_PER_ROOT);
  }
  return names;
}

export interface LoadedSkills {
  skills: SkillEntry[];
  /** Roots that were searched (highest precedence first). */
  roots: SkillRoot[];
  /** Problems with whole roots (a plugin's skills folder), one sentence each. */
  problems: string[];
}

/** Every skill found, decided. Never throws for a bad skill: it is reported as invalid. */
export function loadSkills(opts: LoadSkillsOptions): LoadedSkills {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const { roots, problems } = skillRoots(opts);
  const out: SkillEntry[] = [];
  const winner = new Map<string, SkillEntry>();
  const claimed = new Map<string, SkillEntry>();
  let pins: PinFile | undefined;
  let pinsError: string | undefined;
  try {
    pins = readPins(env);
  } catch (err) {
    pinsError = (err as Error).message;
  }
  for (const root of roots) {
    for (const folder of folders(root.dir, problems)) {
      if (!SKILL_NAME_RE.test(folder)) {
        out.push({ ...readSkill(root, folder), status: "invalid", reason: `folder name "${folder}" is not a skill name (1-64 lowercase letters, digits or -)` });
        continue;
      }
      const s = readSkill(root, folder);
      if (s.status === "invalid") {
        // A malformed installed or plugin skill still holds its name against the workspace:
        // the agent must not get an allowed name by planting a folder next to a broken one.
        if (root.source !== "workspace" && !claimed.has(folder)) claimed.set(folder, s);
        out.push(s);
        continue;
      }
      const first = winner.get(s.name) ?? (root.source === "workspace" ? claimed.get(s.name) : undefined);
      if (first) {
        out.push({ ...s, status: "shadowed", reason: `shadowed by the ${first.source} skill of the same name at ${first.dir} (precedence: state dir > plugin > workspace; a workspace skill never replaces an installed or plugin skill)` });
        continue;
      }
      winner.set(s.name, s);
      if (root.source === "state") {
        // An installed skill must still be what was pinned; a modified one is not offered.
        const check = pinsError ? { pinned: true as const, ok: false as const, reason: pinsError } : checkPin(s.realDir ?? s.dir, pins?.skills[s.name]);
        s.pinned = check.pinned;
        if (check.pinned && !check.ok) {
          out.push({ ...s, status: "modified", reason: check.reason });
          continue;
        }
      }
      if (!skillAllowed(s.name, opts.config.skills.allow)) {
        out.push({ ...s, status: "blocked", reason: `not in skills.allow; allow it with: simpleclaw skills allow ${s.name}` });
        continue;
      }
      const missing = missingRequirements(s.requires, env, platform);
      const why = describeMissing(missing, platform);
      out.push(why ? { ...s, missing, status: "unmet", reason: `requirements not met: ${why}` } : { ...s, missing });
    }
  }
  return { skills: out, roots, problems };
}

/** What one run of the agent gets: the skills listed in its prompt and the folders for the fs tools. */
export interface RunSkills {
  /** Offered in the prompt. */
  listed: Array<{ name: string; description: string; file: string }>;
  /** Ready skills this session cannot read, with why. */
  unavailable: Array<{ name: string; why: string }>;
  /** For the fs tools (security/skill-access.ts). */
  dirs: SkillDir[];
}

/**
 * Decide what a run sees. `workspace` is the realpath'd workspace. In a sandboxed session
 * only skills inside the workspace are readable (and only when the sandbox gives the workspace
 * at all); skills from the state dir and plugins are listed as unavailable — the sandbox
 * never sees the state dir, and skill folders are not widened into it (docs/skills.md).
 */
export function runSkills(
  skills: readonly SkillEntry[],
  run: { workspace: string; sandboxed: boolean; workspaceAccess: "rw" | "ro" | "none"; readOffered: boolean; allow?: readonly string[] | undefined },
): RunSkills {
  const out: RunSkills = { listed: [], unavailable: [], dirs: [] };
  for (const s of skills) {
    if (!s.realDir) continue;
    const inWorkspace = isInside(run.workspace, s.realDir);
    // Any folder under a name skills.allow does not list is refused: the blocked winner, and
    // also a shadowed copy or a malformed folder of that name.
    if (s.status === "blocked" || !skillAllowed(s.name, run.allow)) {
      out.dirs.push({ name: s.name, dir: s.realDir, inWorkspace, access: "blocked", reason: "not in skills.allow" });
      continue;
    }
    if (s.status !== "ready") {
      out.dirs.push({ name: s.name, dir: s.realDir, inWorkspace, access: "hidden", reason: s.reason ?? s.status });
      continue;
    }
    // Found under <workspace>/skills but resolving elsewhere (a link swapped after skillRoots
    // checked it): the agent wrote that path, so it must not widen reads past the workspace.
    if (s.source === "workspace" && !inWorkspace) {
      out.dirs.push({ name: s.name, dir: s.realDir, inWorkspace, access: "hidden", reason: "found in the workspace, but its folder resolves outside it" });
      continue;
    }
    let why: string | undefined;
    if (!run.readOffered) why = "the read tool is not available to this agent";
    else if (run.sandboxed && !inWorkspace) why = "this session is sandboxed and the skill lives outside the workspace";
    else if (run.sandboxed && run.workspaceAccess === "none") why = 'this session is sandboxed with workspaceAccess "none"';
    if (why) {
      out.unavailable.push({ name: s.name, why });
      out.dirs.push({ name: s.name, dir: s.realDir, inWorkspace, access: "hidden", reason: why });
      continue;
    }
    out.listed.push({ name: s.name, description: s.description, file: s.file });
    out.dirs.push({ name: s.name, dir: s.realDir, inWorkspace, access: "available" });
  }
  return out;
}
