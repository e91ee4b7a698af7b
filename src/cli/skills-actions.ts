// Implementations of `simpleclaw skills …` (lazy-loaded).
import { dirname } from "node:path";
import { loadConfig, readRawConfig, saveRawConfig, setAt, validateConfig } from "../config/io.js";
import { EXIT, UserError } from "../infra/errors.js";
import { defaultAgent, workspacePath } from "../agents/workspace.js";
import { CriticalFindings, installSkill, readPins, removeSkill } from "../skills/install.js";
import { SKILL_NAME_RE } from "../skills/frontmatter.js";
import { skillReports, type SkillReport } from "../skills/report.js";
import { setSkillAllowed } from "../skills/allow.js";
import { escapeForDisplay } from "../infra/display.js";

/** Skill text (names, descriptions, paths, excerpts) is the skill author's: shown escaped (docs/skills.md). */
const out = (text: string) => void process.stdout.write(escapeForDisplay(text));

/** A skill as the CLI shows it: workspace skills name the agent whose workspace holds them. */
type CliSkill = SkillReport & { agent?: string };

/**
 * Every skill of every agent's workspace (the default agent's first), the state dir and allowed
 * plugins — each folder once. A skill another agent planted in its own workspace is listed and
 * checked like the default agent's (the audit does the same).
 */
function reports(): { skills: CliSkill[]; problems: string[]; allowSet: boolean } {
  const { config, path } = loadConfig();
  const first = defaultAgent(config);
  const agents = [first, ...config.agents.list.filter((a) => a !== first)];
  const skills: CliSkill[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const agent of agents) {
    const r = skillReports({ config, workspace: workspacePath(config, agent, process.env), configDir: dirname(path) });
    for (const s of r.skills) {
      const key = `${s.realDir ?? s.dir}\0${s.status}`;
      if (seen.has(key)) continue;
      seen.add(key);
      skills.push(s.source === "workspace" && agents.length > 1 ? { ...s, agent: agent.id } : s);
    }
    for (const p of r.problems) if (!problems.includes(p)) problems.push(p);
  }
  return { skills, problems, allowSet: config.skills.allow !== undefined };
}

const STATUS_TEXT: Record<SkillReport["status"], string> = {
  ready: "ready",
  blocked: "blocked (skills.allow)",
  unmet: "hidden (requirements)",
  shadowed: "shadowed",
  invalid: "invalid",
  modified: "MODIFIED since install",
};

function origin(s: CliSkill): string {
  return s.source === "plugin" ? `plugin ${s.plugin}` : s.source === "state" ? `state dir${s.pinned === false ? ", not pinned" : s.pinned ? ", pinned" : ""}` : s.agent ? `workspace of agent ${s.agent}` : "workspace";
}

function findingsLine(s: SkillReport): string {
  if (!s.findings.length) return "";
  const c = s.findings.filter((f) => f.severity === "critical").length;
  const w = s.findings.filter((f) => f.severity === "warn").length;
  return `scanner: ${c} critical, ${w} warn`;
}

export function skillsList(opts: { json?: boolean }): void {
  const r = reports();
  if (opts.json) return void process.stdout.write(`${JSON.stringify(r.skills, null, 2)}\n`);
  if (!r.skills.length) return void out("No skills found (put one in <workspace>/skills/ or install one with: simpleclaw skills install <folder|git+repo|npm package>).\n");
  for (const s of r.skills) {
    const extra = [findingsLine(s)].filter(Boolean).join("; ");
    out(`${s.name}  ${STATUS_TEXT[s.status]}  (${origin(s)})${extra ? `  ${extra}` : ""}\n  ${s.dir}\n${s.reason ? `  ${s.reason}\n` : ""}`);
  }
  for (const p of r.problems) out(`Problem: ${p}\n`);
  if (!r.allowSet) out(`\nskills.allow is not set: every skill above that is "ready" is shown to the agent. Pin the ones you trust with: simpleclaw skills allow <name>\n`);
}

export function skillsInfo(name: string, opts: { json?: boolean }): void {
  const all = reports().skills.filter((s) => s.name === name);
  if (!all.length) throw new UserError(`no skill "${name}" found; see simpleclaw skills list.`);
  let pins: ReturnType<typeof readPins>["skills"] = {};
  try {
    pins = readPins().skills;
  } catch {
    // shown as "no pin" below; skills check and the audit report the broken file
  }
  if (opts.json) return void process.stdout.write(`${JSON.stringify(all.map((s) => (s.source === "state" ? { ...s, pin: pins[s.name] } : s)), null, 2)}\n`);
  for (const s of all) {
    const pin = s.source === "state" ? pins[s.name] : undefined;
    const req = s.requires;
    const reqText = [req.bins.length ? `bins ${req.bins.join(", ")}` : "", req.env.length ? `env ${req.env.join(", ")}` : "", req.os.length ? `os ${req.os.join(", ")}` : ""].filter(Boolean).join("; ") || "none";
    out(
      [
        `${s.name} — ${s.description || "(no description)"}`,
        `status:       ${STATUS_TEXT[s.status]}${s.reason ? ` — ${s.reason}` : ""}`,
        `source:       ${origin(s)}`,
        `folder:       ${s.realDir ?? s.dir}`,
        `requires:     ${reqText}`,
        ...(s.source === "state" ? [`pin:          ${pin ? `${pin.kind} ${pin.source}${pin.revision ? ` @ ${pin.revision}` : ""}, ${pin.hash}, installed ${pin.installedAt}${pin.forced ? " (forced past critical findings or unscanned text)" : ""}` : "none (copied in by hand; reinstall with simpleclaw skills install to pin it)"}`] : []),
        `scanner:      ${s.findings.length ? "" : "no findings"}`,
        ...s.findings.map((f) => `  ${f.severity.padEnd(8)} ${f.checkId} ${f.file}:${f.line} ${f.message} — ${f.excerpt}`),
        ...(s.unscanned.length ? [`not scanned:  ${s.unscanned.join(", ")}`] : []),
      ].join("\n") + "\n",
    );
  }
}

export function skillsCheck(opts: { json?: boolean }): void {
  const r = reports();
  const bad = r.skills.filter((s) => s.status === "modified" || s.worst === "critical");
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ok: bad.length === 0, skills: r.skills.map((s) => ({ name: s.name, source: s.source, status: s.status, reason: s.reason, findings: s.findings })) }, null, 2)}\n`);
  } else {
    for (const s of r.skills) {
      const mark = s.status === "modified" || s.worst === "critical" ? "FAIL" : s.status === "ready" && !s.worst ? "ok  " : "warn";
      out(`${mark}  ${s.name} (${origin(s)}): ${STATUS_TEXT[s.status]}${s.reason ? ` — ${s.reason}` : ""}\n`);
      for (const f of s.findings.filter((x) => x.severity !== "info")) out(`      ${f.severity} ${f.checkId} ${f.file}:${f.line} ${f.message}\n`);
    }
    for (const p of r.problems) out(`warn  ${p}\n`);
    if (!r.skills.length) out("No skills found.\n");
  }
  if (bad.length) process.exitCode = 1;
}

function editConfig(edit: (raw: Record<string, unknown>) => Record<string, unknown>): void {
  const { raw } = readRawConfig();
  const next = edit(raw);
  const v = validateConfig(next);
  if (!v.ok) throw new UserError(`the change would make the config invalid: ${v.problems[0]}`, EXIT.config);
  saveRawConfig(next);
}

function checkName(name: string): void {
  if (!SKILL_NAME_RE.test(name)) throw new UserError(`"${name}" is not a skill name (1-64 lowercase letters, digits or -).`, EXIT.usage);
}

export function skillsAllow(name: string, allow: boolean): void {
  checkName(name);
  const { config } = loadConfig();
  const found = reports().skills.filter((s) => s.status !== "invalid" && s.status !== "shadowed").map((s) => s.name);
  if (allow && !found.includes(name)) out(`Note: no skill "${name}" is found right now; it is allowed once it appears.\n`);
  const next = setSkillAllowed(name, allow, config.skills.allow, found);
  if (config.skills.allow === undefined) out(`skills.allow was not set (every skill was shown); it now lists: ${next.join(", ") || "(none)"}.\n`);
  out(`${allow ? "Allowed" : "Denied"} ${name}; the next agent run ${allow ? "sees it (when its requirements are met)" : "no longer sees or reads it"}.\n`);
}

export function skillsInstall(source: string, opts: { force?: boolean; replace?: boolean; allow?: boolean }): void {
  let r;
  try {
    r = installSkill(source, { force: opts.force, replace: opts.replace });
  } catch (err) {
    if (err instanceof CriticalFindings) throw new UserError(err.message, EXIT.failure);
    throw new UserError((err as Error).message);
  }
  out(`Installed ${r.name} into ${r.dir}${r.replaced ? " (replaced the previous copy)" : ""}; pinned ${r.pin.hash} from ${r.pin.kind} ${r.pin.source}${r.pin.revision ? ` @ ${r.pin.revision}` : ""}.\n`);
  for (const f of r.findings) out(`  scanner ${f.severity}: ${f.checkId} ${f.file}:${f.line} ${f.message}\n`);
  if (r.skipped.length) out(`  not scanned: ${r.skipped.join(", ")}\n`);
  if (r.pin.forced) out(`Installed despite critical findings or text the scanner could not read, because of --force.\n`);
  const { config } = loadConfig();
  if (opts.allow) skillsAllow(r.name, true);
  else if (config.skills.allow !== undefined && !config.skills.allow.includes(r.name)) {
    out(`It is not in skills.allow, so the agent does not see it. Allow it with: simpleclaw skills allow ${r.name}\n`);
  }
}

export function skillsRemove(name: string): void {
  checkName(name);
  let removed: boolean;
  try {
    removed = removeSkill(name);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  const { config } = loadConfig();
  const inAllow = config.skills.allow?.includes(name);
  if (inAllow) editConfig((raw) => setAt(raw, ["skills", "allow"], config.skills.allow!.filter((x) => x !== name)));
  if (!removed && !inAllow) throw new UserError(`skill "${name}" is not installed in the state dir (workspace skills are your files: delete the folder).`);
  out(`Removed ${name}${inAllow ? " and its skills.allow entry" : ""}.\n`);
}
