// `simpleclaw skills install|remove` (docs/skills.md "Installing and pinning"): fetch a skill
// from a local folder, a git repository (shallow clone, hooks off, no submodules) or an npm
// package (npm pack; install scripts never run), copy it without symbolic links into
// <state>/skills/<name>, scan it (a critical finding refuses the install unless forced), and
// pin its hash and source in <state>/skill-pins.json (atomic, 600).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { statePaths, type Env } from "../config/paths.js";
import { ensureDir, writeFileAtomic } from "../infra/atomic-fs.js";
import type { ScanFinding } from "../security/skill-scan.js";
import { copyPluginTree } from "../plugins/install.js";
import { parseSkillMd, SKILL_FILE, SKILL_NAME_RE } from "./frontmatter.js";
import { hashSkillDir, scanSkillDir } from "./files.js";

export type SkillSourceKind = "path" | "git" | "npm";

export interface SkillPin {
  name: string;
  kind: SkillSourceKind;
  /** The folder, repository URL or npm spec it came from. */
  source: string;
  /** git: the commit cloned. npm: the tarball's integrity. */
  revision?: string;
  /** sha256 over the installed tree (files.ts hashSkillDir). */
  hash: string;
  installedAt: string;
  /** Install went ahead despite critical scanner findings (--force). */
  forced?: boolean;
}

export interface PinFile {
  version: 1;
  skills: Record<string, SkillPin>;
}

export function readPins(env: Env = process.env): PinFile {
  const p = statePaths(env).skillPins;
  if (!existsSync(p)) return { version: 1, skills: Object.create(null) as Record<string, SkillPin> };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(p, "utf8"));
  } catch {
    throw new Error(`${p} is not valid JSON; fix or delete it (then reinstall the skills it pinned).`);
  }
  const skills = (raw as { skills?: unknown })?.skills;
  if (!skills || typeof skills !== "object" || Array.isArray(skills)) throw new Error(`${p} has no "skills" object; fix or delete it.`);
  // No prototype: a skill named "constructor" has no pin unless the file records one.
  return { version: 1, skills: Object.assign(Object.create(null) as Record<string, SkillPin>, skills) };
}

export function writePins(pins: PinFile, env: Env = process.env): void {
  const sp = statePaths(env);
  ensureDir(sp.dir, 0o700);
  writeFileAtomic(sp.skillPins, `${JSON.stringify(pins, null, 2)}\n`, 0o600);
}

export type PinCheck = { pinned: false } | { pinned: true; ok: true; pin: SkillPin } | { pinned: true; ok: false; pin: SkillPin; reason: string };

/** Does a state-dir skill still hash to its pin? */
export function checkPin(dir: string, pin: SkillPin | undefined): PinCheck {
  if (!pin) return { pinned: false };
  let actual: string | undefined;
  try {
    actual = hashSkillDir(dir);
  } catch {
    actual = undefined;
  }
  if (actual === undefined) return { pinned: true, ok: false, pin, reason: "its folder could not be read to verify it" };
  if (actual !== pin.hash) return { pinned: true, ok: false, pin, reason: `its files no longer match the hash pinned at install (modified since install); reinstall it with: simpleclaw skills install ${pin.source} --replace` };
  return { pinned: true, ok: true, pin };
}

/** Which kind of source a spec names. `git+<url|path>` forces git. */
export function sourceKind(spec: string, cwd: string): { kind: SkillSourceKind; location: string } {
  if (spec.startsWith("git+")) {
    const rest = spec.slice(4);
    return { kind: "git", location: /^[a-z]+:\/\//i.test(rest) || rest.includes("@") ? rest : resolve(cwd, rest) };
  }
  if (/^(?:https?|ssh|git|file):\/\//i.test(spec) || /^[\w.-]+@[\w.-]+:/.test(spec)) {
    if (/^https?:\/\/registry\.npmjs\.org\//i.test(spec) || /\.tgz$/i.test(spec)) return { kind: "npm", location: spec };
    return { kind: "git", location: spec };
  }
  const local = resolve(cwd, spec);
  if ((spec.startsWith(".") || spec.startsWith("/") || spec.startsWith("~") || existsSync(local)) && existsSync(local) && statSync(local).isDirectory()) {
    if (!existsSync(join(local, SKILL_FILE)) && existsSync(join(local, ".git"))) return { kind: "git", location: local };
    return { kind: "path", location: local };
  }
  return { kind: "npm", location: existsSync(local) ? local : spec };
}

function run(cmd: string, args: string[], opts: { cwd?: string; what: string }): string {
  try {
    return execFileSync(cmd, args, {
      cwd: opts.cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 120_000,
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1", npm_config_ignore_scripts: "true" },
    });
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? "").trim().split("\n").filter(Boolean).at(-1) ?? (err as Error).message;
    throw new Error(`${opts.what} failed: ${stderr}`);
  }
}

const GIT_SAFE = ["-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "-c", "protocol.ext.allow=never", "-c", "submodule.recurse=false"];

/**
 * git clone --depth 1 with hooks, submodules and the ext transport off. Returns the commit.
 * The files are checked out only after $GIT_DIR/info/attributes (which outranks the tree's
 * .gitattributes) unsets every filter: the repository must not pick a filter driver from the
 * operator's own git config (git-lfs, git-crypt, anything in ~/.gitconfig) to run on its files.
 */
function gitClone(url: string, dest: string): string {
  run(
    "git",
    [
      ...GIT_SAFE,
      "clone", "--depth", "1", "--no-recurse-submodules", "--no-tags", "--quiet", "--no-checkout",
      "--", /^[a-z]+:\/\//i.test(url) || /^[\w.-]+@[\w.-]+:/.test(url) ? url : `file://${url}`, dest,
    ],
    { what: `git clone of ${url}` },
  );
  const gitDir = join(dest, ".git");
  ensureDir(join(gitDir, "info"));
  writeFileSync(join(gitDir, "info", "attributes"), "* -filter\n");
  run("git", [...GIT_SAFE, "-C", dest, "checkout", "--quiet", "--force", "HEAD", "--", "."], { what: `git checkout of ${url}` });
  return run("git", [...GIT_SAFE, "-C", dest, "rev-parse", "HEAD"], { what: "git rev-parse" }).trim();
}

/** npm pack (scripts never run) and unpack. Returns the package folder and its integrity. */
function npmFetch(spec: string, work: string): { dir: string; integrity: string } {
  const packDir = join(work, "pack");
  ensureDir(packDir);
  const out = run("npm", ["pack", spec, "--json", "--ignore-scripts", "--pack-destination", packDir], { what: `npm pack ${spec}` });
  const info = (JSON.parse(out) as Array<{ filename: string; integrity: string }>)[0]!;
  const unpack = join(work, "unpack");
  ensureDir(unpack);
  run("tar", ["-xzf", join(packDir, info.filename.replace(/^@/, "").replace(/\//, "-")), "-C", unpack, "--no-same-owner", "--no-same-permissions"], { what: "unpacking the package" });
  return { dir: join(unpack, "package"), integrity: info.integrity };
}

export class CriticalFindings extends Error {
  constructor(
    readonly skill: string,
    readonly findings: ScanFinding[],
  ) {
    super(
      `refusing to install "${skill}": the scanner found ${findings.length} critical problem(s):\n` +
        findings.map((f) => `  ${f.checkId} ${f.file}:${f.line}: ${f.message} — ${f.excerpt}`).join("\n") +
        `\nRead the skill yourself; if you trust it anyway, install it with --force.`,
    );
  }
}

export interface InstallOptions {
  env?: Env;
  cwd?: string;
  /** Replace an installed skill of the same name (the new copy is scanned like any other). */
  replace?: boolean;
  /** Install despite critical findings or text the scanner could not read. Never implies `replace`. */
  force?: boolean;
}

export interface InstallResult {
  name: string;
  dir: string;
  pin: SkillPin;
  findings: ScanFinding[];
  skipped: string[];
  replaced: boolean;
}

export function installSkill(spec: string, opts: InstallOptions = {}): InstallResult {
  const env = opts.env ?? process.env;
  const sp = statePaths(env);
  ensureDir(sp.dir, 0o700);
  ensureDir(sp.skills, 0o700);
  const { kind, location } = sourceKind(spec, opts.cwd ?? process.cwd());
  // A pin file that cannot be read stops the install before anything is fetched or copied.
  readPins(env);
  const work = mkdtempSync(join(tmpdir(), "simpleclaw-skill-"));
  const staging = mkdtempSync(join(sp.skills, ".install-"));
  try {
    let from: string;
    let revision: string | undefined;
    if (kind === "path") from = location;
    else if (kind === "git") {
      from = join(work, "clone");
      revision = gitClone(location, from);
    } else {
      const r = npmFetch(location, work);
      from = r.dir;
      revision = r.integrity;
    }
    if (!existsSync(join(from, SKILL_FILE))) throw new Error(`${spec} is not a skill: it has no ${SKILL_FILE} at its top.`);
    const copy = join(staging, "skill");
    copyPluginTree(from, copy, spec); // no symbolic links in the copy; .git skipped
    const parsed = parseSkillMd(readFileSync(join(copy, SKILL_FILE), "utf8"), undefined);
    if (!parsed.ok) throw new Error(`${spec} is not a valid skill: ${parsed.error}.`);
    const name = parsed.meta.name;
    if (!SKILL_NAME_RE.test(name)) throw new Error(`${spec}: "${name}" is not a skill name.`);
    const { findings, skipped, unscannedText } = scanSkillDir(copy);
    const critical = findings.filter((f) => f.severity === "critical");
    if (critical.length && !opts.force) throw new CriticalFindings(name, critical);
    // Text the scanner did not read is text it cannot vouch for: the same answer as a finding.
    if (unscannedText.length && !opts.force) {
      throw new Error(
        `refusing to install "${name}": ${unscannedText.length} text file(s) are past the scanner's limits and were not scanned: ${unscannedText.join(", ")}.\nRead them yourself; if you trust the skill anyway, install it with --force.`,
      );
    }
    const dest = join(sp.skills, name);
    const replaced = existsSync(dest);
    if (replaced && !opts.replace) throw new Error(`skill "${name}" is already installed at ${dest}; pass --replace to replace it.`);
    const hash = hashSkillDir(copy);
    const pin: SkillPin = {
      name,
      kind,
      source: kind === "path" ? location : spec.startsWith("git+") ? spec.slice(4) : location,
      ...(revision ? { revision } : {}),
      hash,
      installedAt: new Date().toISOString(),
      ...(critical.length || unscannedText.length ? { forced: true } : {}),
    };
    // The pin first, then the folder: if moving it into place fails, what is left there (the
    // previous copy, or nothing) does not match the new pin and is not shown — never an
    // installed folder without its pin. The previous copy is moved aside whole, then dropped.
    const pins = readPins(env);
    pins.skills[name] = pin;
    writePins(pins, env);
    if (replaced) renameSync(dest, join(staging, "previous"));
    renameSync(copy, dest);
    return { name, dir: dest, pin, findings, skipped, replaced };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

export function removeSkill(name: string, env: Env = process.env): boolean {
  if (!SKILL_NAME_RE.test(name)) throw new Error(`"${name}" is not a skill name.`);
  const sp = statePaths(env);
  const dir = join(sp.skills, name);
  const pins = readPins(env);
  const had = existsSync(dir) || !!pins.skills[name];
  rmSync(dir, { recursive: true, force: true });
  if (pins.skills[name]) {
    delete pins.skills[name];
    writePins(pins, env);
  }
  return had;
}
