// Implementation of `simpleclaw configure [section]` (lazy-loaded): collect the answers for
// one section (flags, or a @clack/prompts wizard), let onboard/configure.ts plan the change
// (only that section's keys, token kept unless rotated, validated, exposure rule), back up
// the config, write it atomically, and say whether the running gateway applies it live.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { configPath, statePaths } from "../config/paths.js";
import { EXIT, UserError } from "../infra/errors.js";
import { isSection, planConfigure, reloadAdvice, SECTION_IDS, type Edit, type SectionId } from "../onboard/configure.js";

export interface ConfigureFlags {
  nonInteractive?: boolean;
  rotateToken?: boolean;
  port?: string;
  bind?: string;
  customBindHost?: string;
  auth?: string;
  passwordEnv?: string;
  model?: string;
  fallbacks?: string;
  sandboxMode?: string;
  sandboxBackend?: string;
  workspaceAccess?: string;
  sandboxNetwork?: string;
  exec?: string;
  execSecurity?: string;
  execAsk?: string;
  browser?: string;
  browserPrivateNetwork?: string;
  channel?: string;
  dmPolicy?: string;
  groupPolicy?: string;
}

type FlagKey = Exclude<keyof ConfigureFlags, "nonInteractive" | "rotateToken">;

const usage = (msg: string) => new UserError(msg, EXIT.usage);

/** Which section each flag belongs to, and its command-line spelling. */
const FLAG_SECTION: Record<FlagKey, [SectionId, string]> = {
  port: ["gateway", "--port"],
  bind: ["gateway", "--bind"],
  customBindHost: ["gateway", "--custom-bind-host"],
  auth: ["gateway", "--auth"],
  passwordEnv: ["gateway", "--password-env"],
  model: ["model", "--model"],
  fallbacks: ["model", "--fallbacks"],
  sandboxMode: ["sandbox", "--sandbox-mode"],
  sandboxBackend: ["sandbox", "--sandbox-backend"],
  workspaceAccess: ["sandbox", "--workspace-access"],
  sandboxNetwork: ["sandbox", "--sandbox-network"],
  exec: ["exec", "--exec"],
  execSecurity: ["exec", "--exec-security"],
  execAsk: ["exec", "--exec-ask"],
  browser: ["browser", "--browser"],
  browserPrivateNetwork: ["browser", "--browser-private-network"],
  channel: ["channels", "--channel"],
  dmPolicy: ["channels", "--dm-policy"],
  groupPolicy: ["channels", "--group-policy"],
};

function onOff(v: string, flag: string): boolean {
  if (/^(on|true|yes)$/i.test(v)) return true;
  if (/^(off|false|no)$/i.test(v)) return false;
  throw usage(`${flag} takes on or off, got "${v}".`);
}

function oneOf(v: string, allowed: readonly string[], flag: string): string {
  if (!allowed.includes(v)) throw usage(`${flag} must be one of ${allowed.join(", ")}, got "${v}".`);
  return v;
}

function envSecret(name: string, flag: string, env: NodeJS.ProcessEnv): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw usage(`${flag} takes an environment variable name, got "${name}".`);
  const v = env[name];
  if (!v) throw usage(`${flag} ${name}: that environment variable is empty or unset.`);
  return v;
}

/** The edits the flags ask for (values are checked again by the schema when planned). */
export function editsFromFlags(section: SectionId, f: ConfigureFlags, env: NodeJS.ProcessEnv, channelPath: (id: string) => string[]): Edit[] {
  const given = (Object.keys(FLAG_SECTION) as FlagKey[]).filter((k) => f[k] !== undefined);
  for (const k of given) {
    const [owner, flag] = FLAG_SECTION[k];
    if (owner !== section) throw usage(`${flag} belongs to \`simpleclaw configure ${owner}\`, not ${section}.`);
  }
  const e: Edit[] = [];
  const set = (path: string[], value: unknown) => e.push({ path, value });
  switch (section) {
    case "gateway":
      if (f.port !== undefined) {
        if (!/^\d+$/.test(f.port.trim())) throw usage(`--port takes a number from 1 to 65535, got "${f.port}".`);
        set(["gateway", "port"], Number(f.port));
      }
      if (f.bind !== undefined) set(["gateway", "bind"], oneOf(f.bind, ["loopback", "lan", "tailnet", "custom"], "--bind"));
      if (f.customBindHost !== undefined) set(["gateway", "customBindHost"], f.customBindHost);
      if (f.auth !== undefined) set(["gateway", "auth", "mode"], oneOf(f.auth, ["token", "password"], "--auth"));
      if (f.passwordEnv !== undefined) set(["gateway", "auth", "password"], envSecret(f.passwordEnv, "--password-env", env));
      break;
    case "model":
      if (f.model !== undefined) set(["agents", "defaults", "model", "primary"], f.model.trim());
      if (f.fallbacks !== undefined) set(["agents", "defaults", "model", "fallbacks"], f.fallbacks.split(",").map((s) => s.trim()).filter(Boolean));
      break;
    case "sandbox":
      if (f.sandboxMode !== undefined) set(["agents", "defaults", "sandbox", "mode"], oneOf(f.sandboxMode, ["off", "non-main", "all"], "--sandbox-mode"));
      if (f.sandboxBackend !== undefined) set(["agents", "defaults", "sandbox", "backend"], oneOf(f.sandboxBackend, ["auto", "bwrap", "docker"], "--sandbox-backend"));
      if (f.workspaceAccess !== undefined) set(["agents", "defaults", "sandbox", "workspaceAccess"], oneOf(f.workspaceAccess, ["rw", "ro", "none"], "--workspace-access"));
      if (f.sandboxNetwork !== undefined) set(["agents", "defaults", "sandbox", "network"], onOff(f.sandboxNetwork, "--sandbox-network"));
      break;
    case "exec":
      if (f.exec !== undefined) set(["tools", "exec", "enabled"], onOff(f.exec, "--exec"));
      if (f.execSecurity !== undefined) set(["tools", "exec", "security"], oneOf(f.execSecurity, ["deny", "allowlist", "full"], "--exec-security"));
      if (f.execAsk !== undefined) set(["tools", "exec", "ask"], oneOf(f.execAsk, ["off", "on-miss", "always"], "--exec-ask"));
      break;
    case "browser":
      if (f.browser !== undefined) set(["tools", "browser", "enabled"], onOff(f.browser, "--browser"));
      if (f.browserPrivateNetwork !== undefined) set(["browser", "allowPrivateNetwork"], onOff(f.browserPrivateNetwork, "--browser-private-network"));
      break;
    case "channels": {
      if ((f.dmPolicy !== undefined || f.groupPolicy !== undefined) && !f.channel) throw usage("--dm-policy and --group-policy need --channel <id>.");
      if (!f.channel) break;
      const base = channelPath(f.channel);
      if (f.dmPolicy !== undefined) set([...base, "dmPolicy"], oneOf(f.dmPolicy, ["pairing", "allowlist", "open", "disabled"], "--dm-policy"));
      if (f.groupPolicy !== undefined) set([...base, "groupPolicy"], oneOf(f.groupPolicy, ["allowlist", "open", "disabled"], "--group-policy"));
      break;
    }
  }
  return e;
}

/** Masks secrets in what configure prints about a change. */
function shown(path: string[], v: unknown): string {
  if (v === undefined) return "(default)";
  if (/^(token|password|apiKey|botToken)$/i.test(path[path.length - 1] ?? "")) return "(secret)";
  return JSON.stringify(v);
}

export async function configure(sectionArg: string | undefined, flags: ConfigureFlags, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (sectionArg !== undefined && !isSection(sectionArg)) {
    throw usage(`there is no config section "${sectionArg}"; use one of ${SECTION_IDS.join(", ")}.`);
  }
  const cfgPath = configPath(env);
  if (!existsSync(cfgPath)) throw new UserError(`there is no config at ${cfgPath} yet; run \`simpleclaw onboard\` first.`);
  const io = await import("../config/io.js");
  const { raw: before } = io.readRawConfig(env);
  const current = io.validateConfig(before);
  if (!current.ok) throw new UserError(`${cfgPath} is invalid (${current.problems.join("; ")}); fix it first with \`simpleclaw doctor\` or \`simpleclaw config set\`.`, EXIT.config);
  const { channelConfigPath, channelNames, isBuiltinChannel } = await import("../config/channels.js");
  const channelPath = (id: string) => {
    if (!isBuiltinChannel(id) && !Object.hasOwn(current.config.channels.custom, id)) {
      throw usage(`there is no channel "${id}"; use one of ${channelNames(current.config).join(", ")}.`);
    }
    return channelConfigPath(id);
  };

  const anyFlag = (Object.keys(FLAG_SECTION) as FlagKey[]).some((k) => flags[k] !== undefined);
  let section = sectionArg as SectionId | undefined;
  let edits: Edit[];
  let rotate = !!flags.rotateToken;
  if (flags.nonInteractive || anyFlag || (rotate && !section)) {
    if (!section && anyFlag) throw usage(`name the section to change: simpleclaw configure <${SECTION_IDS.join("|")}> [flags].`);
    edits = section ? editsFromFlags(section, flags, env, channelPath) : [];
    if (!edits.length && !rotate) throw usage(`nothing to change: give ${section ?? "a section"}'s flags (see \`simpleclaw configure --help\`) or --rotate-token.`);
  } else {
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      throw usage("configure asks questions but this is not a terminal; pass the section and its flags, e.g. `simpleclaw configure gateway --port 19000` (see --help).");
    }
    const { askSection } = await import("./configure-wizard.js");
    const asked = await askSection(section, current.config, { channelNames: channelNames(current.config), channelPath, rotate });
    if (!asked) return;
    ({ section, edits, rotate } = asked);
    if (!edits.length && !rotate) {
      process.stdout.write("Nothing changed; the config was left as it was.\n");
      return;
    }
  }

  const plan = planConfigure(before, section, edits, rotate ? randomBytes(32).toString("base64url") : undefined, env);
  if (!plan.ok) throw new UserError(`${plan.problem.replace(/\.$/, "")}; ${cfgPath} was not changed.`, EXIT.usage);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const { backupConfig } = await import("../doctor/doctor.js");
  const backup = backupConfig(cfgPath);
  io.saveRawConfig(plan.raw, env);
  say(`Backed up ${cfgPath} to ${backup} (600) and wrote the new config.`);
  const { pruneBackups } = await import("../audit/fix.js");
  pruneBackups(cfgPath);
  for (const p of plan.changed) say(`  ${p.join(".")}: ${shown(p, io.getAt(current.config, p))} → ${shown(p, io.getAt(plan.config, p))}`);
  say(plan.rotated ? "Rotated the gateway token: show it with `simpleclaw config get gateway.auth.token`; clients signed in with the old one must use the new one." : "Kept the gateway token.");
  const { processAlive, readRuntimeRecord } = await import("../config/runtime-record.js");
  const rec = readRuntimeRecord(statePaths(env).dir);
  say(reloadAdvice(current.config, plan.config, !!rec && processAlive(rec.pid)));
}


