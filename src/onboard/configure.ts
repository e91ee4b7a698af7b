// `simpleclaw configure [section]`, the pure half: which sections exist, which config keys
// each one owns, and what a set of edits does to the raw config. An edit outside its
// section's keys is refused (fail closed), the gateway token is only ever replaced when
// rotation was asked for, and the result must validate and pass the exposure rule the
// gateway enforces at start (security/exposure.ts) before anything is written.
import { validateConfig, getAt, setAt, unsetAt, type RawConfig } from "../config/io.js";
import type { Config } from "../config/schema.js";
import type { Env } from "../config/paths.js";
import { modelRefProblems } from "../config/model-refs.js";
import { reloadPlan, type ReloadPlan } from "../config/reload.js";
import { resolveAuth } from "../security/auth.js";
import { effectiveBindMode, exposureProblem } from "../security/exposure.js";

export interface SectionDef {
  label: string;
  hint: string;
  /** The key paths this section may change; an edit elsewhere is refused. */
  owns: ReadonlyArray<readonly string[]>;
}

export const SECTIONS = {
  gateway: { label: "Gateway", hint: "port, bind address, auth mode", owns: [["gateway", "port"], ["gateway", "bind"], ["gateway", "customBindHost"], ["gateway", "auth", "mode"], ["gateway", "auth", "password"]] },
  model: { label: "Model", hint: "the default agent model and fallbacks", owns: [["agents", "defaults", "model"]] },
  sandbox: { label: "Sandbox", hint: "mode, backend, workspace access, network", owns: [["agents", "defaults", "sandbox"]] },
  exec: { label: "Tools: exec", hint: "on/off, security, when to ask", owns: [["tools", "exec", "enabled"], ["tools", "exec", "security"], ["tools", "exec", "ask"]] },
  browser: { label: "Browser tool", hint: "on/off, private network", owns: [["tools", "browser", "enabled"], ["browser", "allowPrivateNetwork"]] },
  channels: { label: "Channels", hint: "who may message the assistant (DM and group policy)", owns: [["channels"]] },
} satisfies Record<string, SectionDef>;

export type SectionId = keyof typeof SECTIONS;
export const SECTION_IDS = Object.keys(SECTIONS) as SectionId[];

export function isSection(s: string): s is SectionId {
  return Object.hasOwn(SECTIONS, s);
}

/** One change: set `value` at `path`, or remove the key (its default applies) when value is undefined. */
export interface Edit {
  path: string[];
  value: unknown;
}

const TOKEN_PATH = ["gateway", "auth", "token"];

function under(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((k, i) => path[i] === k);
}

/** Channel edits may only touch access policy keys of a channel (not tokens or endpoints). */
const CHANNEL_KEYS = new Set(["dmPolicy", "groupPolicy", "allowFrom", "enabled"]);

function owned(section: SectionId, path: readonly string[]): boolean {
  if (section === "channels") {
    const key = path[1] === "custom" ? path[3] : path[2];
    return path[0] === "channels" && key !== undefined && CHANNEL_KEYS.has(key) && path.length === (path[1] === "custom" ? 4 : 3);
  }
  return SECTIONS[section].owns.some((p) => under(path, p));
}

export type ConfigureResult = { ok: true; raw: RawConfig; config: Config; changed: string[][]; rotated: boolean } | { ok: false; problem: string };

/**
 * Applies `edits` (all inside `section`) and, when `rotateToken` is a string, the new token.
 * Everything else in `before` is carried over untouched — including the gateway token.
 */
export function planConfigure(before: RawConfig, section: SectionId | undefined, edits: readonly Edit[], rotateToken: string | undefined, env: Env): ConfigureResult {
  let raw = structuredClone(before);
  for (const e of edits) {
    if (!section || !owned(section, e.path) || under(e.path, TOKEN_PATH)) {
      return { ok: false, problem: `configure ${section ?? "(no section)"} may not change ${e.path.join(".")}.` };
    }
    raw = e.value === undefined ? unsetAt(raw, e.path).raw : setAt(raw, e.path, e.value);
  }
  if (rotateToken !== undefined) raw = setAt(raw, TOKEN_PATH, rotateToken);
  else if (getAt(before, TOKEN_PATH) !== undefined && getAt(raw, TOKEN_PATH) !== getAt(before, TOKEN_PATH)) {
    return { ok: false, problem: "the gateway token would change without --rotate-token; nothing was written." };
  }
  const v = validateConfig(raw);
  if (!v.ok) return { ok: false, problem: `that would make the config invalid: ${v.problems.join("; ")}.` };
  const refs = section === "model" ? modelRefProblems(v.config) : [];
  if (refs.length) return { ok: false, problem: `${refs[0]!.path}: ${refs[0]!.message}.` };
  // The rule the gateway applies at start: no non-loopback listener without a (strong enough) secret.
  const bind = effectiveBindMode(v.config.gateway.bind, env);
  const mode = bind.ok ? bind.mode : v.config.gateway.bind;
  const host = mode === "loopback" ? "127.0.0.1" : mode === "lan" ? "0.0.0.0" : mode === "custom" ? (v.config.gateway.customBindHost ?? "0.0.0.0") : "the tailnet address";
  const exposure = exposureProblem(host, resolveAuth(v.config, env));
  if (exposure) return { ok: false, problem: `the gateway would not start with this: ${exposure.replace(/^refusing to listen/, "it refuses to listen")}` };
  const beforeCfg = validateConfig(before);
  const changed = beforeCfg.ok ? diffPaths(beforeCfg.config, v.config) : edits.map((e) => e.path);
  return { ok: true, raw, config: v.config, changed, rotated: rotateToken !== undefined };
}

function diffPaths(a: Config, b: Config): string[][] {
  const plan = reloadPlan(a, b);
  return [...plan.live, ...plan.restart].map((p) => p.split("."));
}

/** What the running gateway does with the change (config/reload.ts decides per key). */
export function reloadAdvice(before: Config, after: Config, gatewayRunning: boolean): string {
  const plan: ReloadPlan = reloadPlan(before, after);
  if (!plan.live.length && !plan.restart.length) return "Nothing changed.";
  if (!gatewayRunning) return "No gateway is running; the change applies when it starts.";
  const parts: string[] = [];
  if (plan.live.length) parts.push(`The running gateway applies ${plan.live.join(", ")} live (config reload).`);
  if (plan.restart.length) parts.push(`Restart the gateway to apply ${plan.restart.join(", ")} (simpleclaw gateway restart, or stop and start it).`);
  return parts.join(" ");
}
