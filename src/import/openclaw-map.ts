// `simpleclaw import openclaw`, step 2 of 3 (docs/migrating-from-openclaw.md): decide what
// an OpenClaw setup becomes in SimpleClaw. Pure: source in, plan out, no I/O. Every
// OpenClaw setting ends up in the report as imported, changed (with the reason) or
// skipped (with the reason). Security wins every conflict: a setting SimpleClaw would
// flag as critical is made safe unless the operator passed --keep-insecure.
import { BUILTIN_CHANNELS, type ChannelId } from "../config/channels.js";
import { dangerousMount } from "../security/sandbox-scope.js";
import { exposureProblem, MIN_PASSWORD_LENGTH } from "../security/exposure.js";
import { allowlistEntryScope } from "../security/exec-gate.js";
import type { RawConfig } from "../config/io.js";
import { hostPath, type OpenClawSource, type WorkspaceFile } from "./openclaw-source.js";

export type ItemStatus = "imported" | "changed" | "skipped";

export interface ImportItem {
  status: ItemStatus;
  /** What it was in OpenClaw (a config key path or a state item). */
  from: string;
  /** Where it went in SimpleClaw. */
  to?: string;
  /** Why it changed or was skipped (one sentence). */
  reason?: string;
}

export interface ChannelSecretsPlan {
  botToken?: string;
  appToken?: string;
  signingSecret?: string;
}

export interface ApprovalsLayer {
  security?: "deny" | "allowlist" | "full";
  ask?: "off" | "on-miss" | "always";
  askFallback?: "deny" | "allow";
}

export interface ApprovalsPlan {
  defaults: ApprovalsLayer;
  agents: Record<string, ApprovalsLayer & { allowlist: Array<{ pattern: string; lastUsedAt?: number }> }>;
}

export interface WorkspacePlan {
  agentId: string;
  /** The OpenClaw workspace. */
  from: string;
  /** Where its files go (copy mode), or undefined when the config references `from` in place. */
  to?: string;
}

export interface ImportPlan {
  /** The SimpleClaw config to write: the existing one with the imported keys laid over it. */
  config: RawConfig;
  providerKeys: Record<string, string>;
  channelSecrets: Partial<Record<ChannelId, ChannelSecretsPlan>>;
  approvedSenders: Partial<Record<ChannelId, Array<{ id: string; approvedAt: number }>>>;
  approvals?: ApprovalsPlan;
  workspaces: WorkspacePlan[];
  items: ImportItem[];
}

export interface MapOptions {
  workspace: "copy" | "reference";
  keepInsecure: boolean;
  /** The SimpleClaw state dir (copy targets live in it). */
  stateDir: string;
  /** The SimpleClaw config as it is on disk now (empty object when there is none). */
  existing: RawConfig;
  /** Makes a gateway token when one is needed and none exists (random; injected to keep this pure). */
  newToken: () => string;
  /** The SimpleClaw owner's home (defaults to the OpenClaw home). */
  home?: string;
  /** The real path of a directory (fs.realpathSync; injected to keep this pure). Defaults to the path itself. */
  realpath?: (p: string) => string;
  /** Workspace files per OpenClaw workspace dir (read by the caller; the mapper stays pure). */
  workspaceFiles?: (dir: string) => { files: WorkspaceFile[]; skipped: Array<{ rel: string; reason: string }> };
}

const KEEP_INSECURE = "pass --keep-insecure to keep it";
const SECRET_REF = "is a secret reference, which the import does not resolve; put the value in the environment or credentials/ by hand";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);
const strList = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined);
const oneOf = <T extends string>(v: unknown, values: readonly T[]): T | undefined => (typeof v === "string" && (values as readonly string[]).includes(v) ? (v as T) : undefined);

/** Deep merge for plain objects; arrays and scalars in `over` replace. */
function merge(base: unknown, over: unknown): unknown {
  if (!isObj(base) || !isObj(over)) return structuredClone(over);
  const out: Obj = structuredClone(base);
  for (const [k, v] of Object.entries(over)) out[k] = Object.hasOwn(out, k) ? merge(out[k], v) : structuredClone(v);
  return out;
}

function existingAt(obj: Obj, path: string): unknown {
  let cur: unknown = obj;
  for (const p of path.split(".")) {
    if (!isObj(cur) || !Object.hasOwn(cur, p)) return undefined;
    cur = cur[p];
  }
  return cur;
}

function setPath(obj: Obj, path: string, value: unknown): void {
  const parts = path.split(".");
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (!isObj(cur[p])) cur[p] = {};
    cur = cur[p] as Obj;
  }
  cur[parts.at(-1)!] = value;
}

/** OpenClaw lets a sender be written as `tg:123`, `telegram:123`; SimpleClaw stores the bare platform id. */
function bareSender(channel: string, entry: string): string {
  const prefixes: Record<string, string[]> = { telegram: ["tg:", "telegram:"], discord: ["discord:", "user:"], slack: ["slack:"] };
  for (const p of prefixes[channel] ?? []) if (entry.toLowerCase().startsWith(p)) return entry.slice(p.length);
  return entry;
}

/** SimpleClaw's tools and tool groups (docs/agents.md); other names mean nothing here. */
const SIMPLECLAW_TOOLS = new Set(["read", "write", "edit", "list", "apply_patch", "exec", "process", "http", "browser", "memory_search", "memory_get", "nodes", "cron"]);
const SIMPLECLAW_GROUPS = new Set(["group:fs", "group:runtime", "group:web", "group:memory", "group:nodes", "group:automation", "group:plugins"]);
const ALL_GROUPS = [...SIMPLECLAW_GROUPS];

/**
 * OpenClaw's tool profiles, as the narrowest SimpleClaw lists that cover them. SimpleClaw
 * has no profiles; "messaging" and "minimal" keep none of SimpleClaw's tools.
 */
const PROFILES: Record<string, { allow?: string[]; deny?: string[]; note: string }> = {
  minimal: { deny: ALL_GROUPS, note: "no SimpleClaw tool is part of the minimal profile, so every tool group is denied" },
  messaging: { deny: ALL_GROUPS, note: "SimpleClaw has no messaging tools, so every tool group is denied (the agent still chats)" },
  coding: { allow: ["group:fs", "group:runtime", "group:memory"], note: "approximated as tools.allow [group:fs, group:runtime, group:memory]" },
  full: { note: "no restriction, which is SimpleClaw's default" },
};

export function planImport(src: OpenClawSource, opts: MapOptions): ImportPlan {
  const items: ImportItem[] = [];
  const add = (status: ItemStatus, from: string, to?: string, reason?: string) => items.push({ status, from, ...(to ? { to } : {}), ...(reason ? { reason } : {}) });
  const over: Obj = {};
  const plan: ImportPlan = { config: {}, providerKeys: {}, channelSecrets: {}, approvedSenders: {}, workspaces: [], items };
  const oc = src.config;
  const handled = new Set<string>(["meta", "wizard"]);
  add("skipped", "meta, wizard", undefined, "OpenClaw bookkeeping (versions, migrations, last wizard run)");

  // ---- gateway ------------------------------------------------------------------------
  handled.add("gateway");
  const gw = isObj(oc.gateway) ? oc.gateway : {};
  let bind: string = "loopback";
  if (gw.port !== undefined) {
    if (typeof gw.port === "number" && Number.isInteger(gw.port) && gw.port >= 1 && gw.port <= 65535) {
      setPath(over, "gateway.port", gw.port);
      add("imported", "gateway.port", "gateway.port");
    } else add("skipped", "gateway.port", undefined, `${JSON.stringify(gw.port)} is not a port number`);
  }
  if (gw.bind !== undefined) {
    const b = oneOf(gw.bind, ["loopback", "lan", "tailnet", "custom", "auto"] as const);
    const host = str(gw.customBindHost);
    if (b === "auto") {
      add("changed", "gateway.bind", "gateway.bind", '"auto" became "loopback": SimpleClaw never picks a network to listen on by itself');
    } else if (b === "custom" && !host) {
      add("changed", "gateway.bind", "gateway.bind", '"custom" without gateway.customBindHost became "loopback"');
    } else if (b) {
      bind = b;
      add("imported", "gateway.bind", "gateway.bind");
      if (b === "custom") {
        setPath(over, "gateway.customBindHost", host);
        add("imported", "gateway.customBindHost", "gateway.customBindHost");
      }
    } else add("changed", "gateway.bind", "gateway.bind", `${JSON.stringify(gw.bind)} is not a bind mode SimpleClaw knows; kept "loopback"`);
    setPath(over, "gateway.bind", bind);
  }
  const auth = isObj(gw.auth) ? gw.auth : {};
  const mode = oneOf(auth.mode, ["token", "password", "none"] as const);
  // The gateway refuses to listen beyond loopback with a short password (security/exposure):
  // such a password is never carried over, not even with keepInsecure; a token replaces it.
  const bindHost = bind === "custom" ? (str(gw.customBindHost) ?? "127.0.0.1") : bind === "lan" ? "0.0.0.0" : bind === "tailnet" ? "100.64.0.1" : "127.0.0.1";
  const weakPassword =
    mode === "password" && typeof auth.password === "string" && auth.password !== "" && exposureProblem(bindHost, { mode: "password", secret: auth.password, source: "config" }) !== null;
  if (auth.mode !== undefined && !mode) {
    add("changed", "gateway.auth.mode", "gateway.auth.mode", `OpenClaw's ${JSON.stringify(auth.mode)} auth has no SimpleClaw equivalent; SimpleClaw uses a token (generated on first start)`);
    setPath(over, "gateway.auth.mode", "token");
  } else if (mode === "none") {
    if (bind !== "loopback") {
      add("changed", "gateway.auth.mode", "gateway.auth.mode", `no auth on a ${bind} bind is refused by SimpleClaw; it now uses a token (generated on first start; show it with \`simpleclaw config get gateway.auth.token\`)`);
      setPath(over, "gateway.auth.mode", "token");
    } else if (opts.keepInsecure) {
      setPath(over, "gateway.auth.mode", "none");
      add("imported", "gateway.auth.mode", "gateway.auth.mode", "kept because of --keep-insecure: any local process can act as the operator");
    } else {
      add("changed", "gateway.auth.mode", "gateway.auth.mode", `"none" became "token": without auth any local process (or web page, through DNS rebinding) is the operator; ${KEEP_INSECURE}`);
      setPath(over, "gateway.auth.mode", "token");
    }
  } else if (weakPassword) {
    setPath(over, "gateway.auth.mode", "token");
    add("changed", "gateway.auth.mode", "gateway.auth.mode", `"password" became "token": the password is shorter than ${MIN_PASSWORD_LENGTH} characters and the gateway listens on ${bind}, where anyone on the network could guess it (SimpleClaw refuses to start that way)`);
  } else if (mode) {
    setPath(over, "gateway.auth.mode", mode);
    add("imported", "gateway.auth.mode", "gateway.auth.mode");
  }
  for (const key of ["token", "password"] as const) {
    const v = auth[key];
    if (v === undefined) continue;
    if (key === "password" && weakPassword) {
      add("changed", "gateway.auth.password", undefined, `left out: shorter than ${MIN_PASSWORD_LENGTH} characters on a ${bind} bind; token auth is used instead`);
      continue;
    }
    if (typeof v === "string" && v) {
      setPath(over, `gateway.auth.${key}`, v);
      add("imported", `gateway.auth.${key}`, `gateway.auth.${key}`, key === "password" ? "kept in simpleclaw.json (mode 600); SIMPLECLAW_GATEWAY_PASSWORD in the gateway's environment keeps it out of the file" : "kept in simpleclaw.json (mode 600), where SimpleClaw keeps its gateway token");
    } else add("skipped", `gateway.auth.${key}`, undefined, `${key} ${SECRET_REF} (SIMPLECLAW_GATEWAY_${key.toUpperCase()})`);
  }
  const finalMode = (isObj(over.gateway) && isObj((over.gateway as Obj).auth) ? ((over.gateway as Obj).auth as Obj).mode : undefined) ?? existingAt(opts.existing, "gateway.auth.mode") ?? "token";
  const hasToken = typeof auth.token === "string" && auth.token !== "" || typeof existingAt(opts.existing, "gateway.auth.token") === "string";
  if (finalMode === "token" && !hasToken) {
    // Generated here, not on first start: a non-loopback bind without a secret is refused,
    // and the report can say where the token is. An existing SimpleClaw token is kept.
    setPath(over, "gateway.auth.token", opts.newToken());
    add("changed", "gateway.auth.token", "gateway.auth.token", "OpenClaw had no token; a new one was generated into simpleclaw.json (mode 600): `simpleclaw config get gateway.auth.token` shows it");
  }
  if (isObj(auth.rateLimit)) {
    const rl: Obj = {};
    for (const k of ["maxAttempts", "windowMs", "lockoutMs"] as const) if (typeof auth.rateLimit[k] === "number") rl[k] = auth.rateLimit[k];
    if (typeof auth.rateLimit.exemptLoopback === "boolean") rl.exemptLoopback = auth.rateLimit.exemptLoopback;
    setPath(over, "gateway.auth.rateLimit", rl);
    add("imported", "gateway.auth.rateLimit", "gateway.auth.rateLimit");
  }
  for (const k of Object.keys(auth)) if (!["mode", "token", "password", "rateLimit"].includes(k)) add("skipped", `gateway.auth.${k}`, undefined, "no SimpleClaw equivalent");
  if (isObj(gw.tls)) {
    const tls: Obj = {};
    if (typeof gw.tls.enabled === "boolean") tls.enabled = gw.tls.enabled;
    if (typeof gw.tls.autoGenerate === "boolean") tls.autoGenerate = gw.tls.autoGenerate;
    const cert = str(gw.tls.certPath);
    const key = str(gw.tls.keyPath);
    if (cert && key) {
      tls.certPath = hostPath(cert, src.home);
      tls.keyPath = hostPath(key, src.home);
    } else if (tls.enabled === true && tls.autoGenerate !== true) {
      tls.autoGenerate = true;
    }
    setPath(over, "gateway.tls", tls);
    add(
      tls.autoGenerate ? "changed" : "imported",
      "gateway.tls",
      "gateway.tls",
      tls.autoGenerate ? "SimpleClaw generates its own self-signed certificate on first start; clients that pinned OpenClaw's certificate must accept the new fingerprint (`simpleclaw gateway status` shows it)" : undefined,
    );
    if (gw.tls.caPath !== undefined) add("skipped", "gateway.tls.caPath", undefined, "SimpleClaw does not verify client certificates");
  }
  if (isObj(gw.controlUi)) {
    if (typeof gw.controlUi.enabled === "boolean") setPath(over, "gateway.controlUi.enabled", gw.controlUi.enabled);
    const origins = strList(gw.controlUi.allowedOrigins);
    if (origins) {
      const wild = origins.filter((o) => o.includes("*"));
      const keep = opts.keepInsecure ? origins : origins.filter((o) => !o.includes("*"));
      setPath(over, "gateway.controlUi.allowedOrigins", keep);
      if (wild.length && !opts.keepInsecure) add("changed", "gateway.controlUi.allowedOrigins", "gateway.controlUi.allowedOrigins", `dropped wildcard origin(s) ${wild.join(", ")}: any web page could drive the gateway; ${KEEP_INSECURE}`);
      else add("imported", "gateway.controlUi.allowedOrigins", "gateway.controlUi.allowedOrigins");
    }
    for (const k of Object.keys(gw.controlUi)) if (!["enabled", "allowedOrigins"].includes(k)) add("skipped", `gateway.controlUi.${k}`, undefined, "no SimpleClaw equivalent (the Control UI is served at /)");
  }
  if (isObj(gw.tailscale)) {
    const t = oneOf(gw.tailscale.mode, ["off", "serve", "funnel"] as const);
    if (t === "funnel" && !opts.keepInsecure) {
      setPath(over, "gateway.tailscale.mode", "off");
      add("changed", "gateway.tailscale.mode", "gateway.tailscale.mode", `"funnel" puts the gateway on the public internet; turned off, ${KEEP_INSECURE}`);
    } else if (t) {
      setPath(over, "gateway.tailscale.mode", t);
      add("imported", "gateway.tailscale.mode", "gateway.tailscale.mode");
    } else add("skipped", "gateway.tailscale.mode", undefined, `${JSON.stringify(gw.tailscale.mode)} is not a mode SimpleClaw knows`);
  }
  if (gw.mode !== undefined) add("skipped", "gateway.mode", undefined, "SimpleClaw always runs the gateway locally (there is no remote mode)");
  for (const k of Object.keys(gw)) {
    if (!["port", "bind", "customBindHost", "auth", "tls", "controlUi", "tailscale", "mode"].includes(k)) add("skipped", `gateway.${k}`, undefined, "no SimpleClaw equivalent");
  }

  // ---- models ---------------------------------------------------------------------------
  handled.add("models");
  const models = isObj(oc.models) ? oc.models : {};
  const providers = isObj(models.providers) ? models.providers : {};
  const importedProviders = new Set<string>();
  for (const [id, p] of Object.entries(providers)) {
    const from = `models.providers.${id}`;
    if (!isObj(p)) continue;
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(id)) {
      add("skipped", from, undefined, "the provider id is not lowercase letters, digits, - or _");
      continue;
    }
    const api = oneOf(p.api, ["openai-completions", "anthropic-messages"] as const);
    const baseUrl = str(p.baseUrl);
    if (!api) {
      add("skipped", from, undefined, `api ${JSON.stringify(p.api)} is not one SimpleClaw speaks (openai-completions, anthropic-messages)`);
      continue;
    }
    if (!baseUrl || !URL.canParse(baseUrl)) {
      add("skipped", from, undefined, "it has no valid baseUrl");
      continue;
    }
    const ids = Array.isArray(p.models) ? p.models.map((m) => (isObj(m) ? str(m.id) : str(m))).filter((x): x is string => !!x) : undefined;
    setPath(over, `models.providers.${id}`, { api, baseUrl, ...(ids?.length ? { models: ids } : {}) });
    importedProviders.add(id);
    add("imported", from, `models.providers.${id}`, ids?.length ? "model ids kept; their context window, cost and capability details are OpenClaw's and were left out" : undefined);
    if (typeof p.apiKey === "string" && p.apiKey) {
      plan.providerKeys[id] = p.apiKey;
      add("changed", `${from}.apiKey`, `credentials/providers.json (${id})`, "API keys live in credentials/providers.json (600), never in simpleclaw.json");
    } else if (p.apiKey !== undefined) add("skipped", `${from}.apiKey`, undefined, `the key ${SECRET_REF}`);
  }
  if (models.mode !== undefined) add("skipped", "models.mode", undefined, "SimpleClaw always merges configured providers with its built-in ones");

  // ---- agents ---------------------------------------------------------------------------
  handled.add("agents");
  const agents = isObj(oc.agents) ? oc.agents : {};
  const defaults = isObj(agents.defaults) ? agents.defaults : {};
  const model = isObj(defaults.model) ? defaults.model : {};
  const knownProvider = (ref: string) => {
    const pid = ref.split("/")[0] ?? "";
    return ref.includes("/") && (importedProviders.has(pid) || pid === "anthropic" || pid === "openai");
  };
  const primary = str(model.primary);
  if (primary) {
    if (knownProvider(primary)) {
      setPath(over, "agents.defaults.model.primary", primary);
      add("imported", "agents.defaults.model.primary", "agents.defaults.model.primary");
    } else add("skipped", "agents.defaults.model.primary", undefined, `${primary} names a provider that was not imported`);
  }
  const fallbacks = strList(model.fallbacks);
  if (fallbacks) {
    const ok = fallbacks.filter(knownProvider);
    setPath(over, "agents.defaults.model.fallbacks", ok);
    add(ok.length === fallbacks.length ? "imported" : "changed", "agents.defaults.model.fallbacks", "agents.defaults.model.fallbacks", ok.length === fallbacks.length ? undefined : "fallbacks on providers that were not imported were left out");
  }
  if (defaults.models !== undefined) add("skipped", "agents.defaults.models", undefined, "per-model options are OpenClaw's; SimpleClaw has none");
  for (const k of ["authInheritance", "identity"]) if (defaults[k] !== undefined) add("skipped", `agents.defaults.${k}`, undefined, "no SimpleClaw equivalent");

  // sandbox
  const sb = isObj(defaults.sandbox) ? defaults.sandbox : undefined;
  let sandboxMode: string = "non-main";
  if (sb) {
    const m = oneOf(sb.mode, ["off", "non-main", "all"] as const);
    if (m) {
      sandboxMode = m;
      setPath(over, "agents.defaults.sandbox.mode", m);
      add("imported", "agents.defaults.sandbox.mode", "agents.defaults.sandbox.mode");
    } else if (sb.mode !== undefined) add("changed", "agents.defaults.sandbox.mode", "agents.defaults.sandbox.mode", `${JSON.stringify(sb.mode)} is unknown to SimpleClaw; its default "non-main" applies`);
    const wa = oneOf(sb.workspaceAccess, ["rw", "ro", "none"] as const);
    if (wa) {
      setPath(over, "agents.defaults.sandbox.workspaceAccess", wa);
      add("imported", "agents.defaults.sandbox.workspaceAccess", "agents.defaults.sandbox.workspaceAccess");
    }
    for (const k of Object.keys(sb)) {
      if (!["mode", "workspaceAccess"].includes(k)) add("skipped", `agents.defaults.sandbox.${k}`, undefined, k === "scope" ? "SimpleClaw gives every sandboxed session its own sandbox; there is no scope setting" : "no SimpleClaw equivalent (SimpleClaw picks bubblewrap or Docker itself: agents.defaults.sandbox.backend)");
    }
  } else {
    add("changed", "agents.defaults.sandbox", "agents.defaults.sandbox.mode", 'not set in OpenClaw; SimpleClaw\'s default applies: every session except the owner\'s main one runs sandboxed ("non-main")');
  }

  // agents and workspaces
  const entries = isObj(agents.entries) ? agents.entries : isObj(agents.list) ? agents.list : {};
  const list: Obj[] = [];
  const defaultWs = str(defaults.workspace);
  const files = opts.workspaceFiles;
  const wsTargets = new Map<string, string>(); // OpenClaw workspace → SimpleClaw dir (copy mode)
  const planWorkspace = (agentId: string, ocWs: string, isDefault: boolean): string | undefined => {
    const from = hostPath(ocWs, src.home);
    if (opts.workspace === "reference" && !referenceRefused(from)) {
      if (!plan.workspaces.some((w) => w.from === from)) plan.workspaces.push({ agentId, from });
      return from;
    }
    let to = wsTargets.get(from);
    if (!to) {
      to = isDefault || wsTargets.size === 0 ? `${opts.stateDir}/workspace` : `${opts.stateDir}/workspace-${agentId}`;
      wsTargets.set(from, to);
      plan.workspaces.push({ agentId, from, to });
    }
    return to === `${opts.stateDir}/workspace` ? undefined : to;
  };
  // --workspace reference shares the folder itself with the agent and its sandbox: a
  // workspace that is the home, a system folder, a secrets folder or the SimpleClaw state
  // dir (after links) would hand all of it over, so such a workspace is copied instead.
  const refused = new Map<string, string | undefined>();
  const referenceRefused = (from: string): boolean => {
    if (!refused.has(from)) {
      let real = from;
      try {
        real = opts.realpath ? opts.realpath(from) : from;
      } catch {
        // a missing folder is judged by its name
      }
      const homes = [...new Set([opts.home ?? src.home, src.home])];
      const why = [from, real].flatMap((p) => homes.map((home) => dangerousMount(p, { home, stateDir: opts.stateDir }))).find(Boolean);
      refused.set(from, why);
      if (why && opts.keepInsecure) add("imported", `workspace ${from}`, "agents.defaults.workspace", `referenced in place because of --keep-insecure although it is ${why}; \`simpleclaw security audit\` reports it as critical`);
      else if (why) add("changed", `workspace ${from}`, undefined, `copied instead of referenced: it is ${why}, and the agent and its sandbox would get all of it; ${KEEP_INSECURE}`);
    }
    return !!refused.get(from) && !opts.keepInsecure;
  };
  const ids = Object.keys(entries);
  const defaultId = ids.includes("main") ? "main" : ids[0];
  for (const id of ids) {
    const e = entries[id];
    if (!isObj(e)) continue;
    if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(id)) {
      add("skipped", `agents.entries.${id}`, undefined, "the agent id is not lowercase letters, digits, - or _");
      continue;
    }
    const isDefault = id === defaultId;
    const agent: Obj = { id, ...(isDefault ? { default: true } : {}) };
    const name = str(e.name);
    if (name && name !== id) agent.name = name;
    const ws = str(e.workspace) ?? defaultWs;
    if (ws) {
      const target = planWorkspace(id, ws, isDefault);
      if (target) agent.workspace = target;
    }
    list.push(agent);
    add("imported", `agents.entries.${id}`, `agents.list (${id}${isDefault ? ", default" : ""})`, isDefault && ids.length > 1 ? "the default agent" : undefined);
    for (const k of Object.keys(e)) if (!["name", "workspace", "agentDir", "identity"].includes(k)) add("skipped", `agents.entries.${id}.${k}`, undefined, "no SimpleClaw equivalent");
  }
  if (list.length === 0 && defaultWs) planWorkspace("main", defaultWs, true);
  if (opts.workspace === "reference" && defaultWs && !referenceRefused(hostPath(defaultWs, src.home))) {
    setPath(over, "agents.defaults.workspace", hostPath(defaultWs, src.home));
  }
  if (list.length) {
    // Agents already in the SimpleClaw config keep their settings; imported ones replace theirs.
    const existingList = isObj(opts.existing.agents) && Array.isArray(opts.existing.agents.list) ? (opts.existing.agents.list as Obj[]) : [];
    const importedIds = new Set(list.map((a) => a.id));
    const kept = existingList.filter((a) => isObj(a) && !importedIds.has(a.id as string)).map((a) => ({ ...a, default: undefined }));
    setPath(over, "agents.list", [...list, ...kept.map((a) => Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)))]);
  }
  for (const w of plan.workspaces) {
    const listed = files ? files(w.from) : { files: [], skipped: [] };
    const where = w.to ? `copied to ${w.to}` : "referenced in place";
    for (const f of listed.files) add(w.to ? "imported" : "imported", `workspace ${w.from}/${f.rel}`, w.to ? `${w.to}/${f.rel}` : `${w.from}/${f.rel}`, w.to ? undefined : where);
    for (const s of listed.skipped) add("skipped", `workspace ${w.from}/${s.rel}`, undefined, s.reason);
  }

  // ---- tools ------------------------------------------------------------------------------
  handled.add("tools");
  handled.add("browser");
  const tools = isObj(oc.tools) ? oc.tools : {};
  const allow: string[] = [];
  const deny: string[] = [];
  const profile = str(tools.profile);
  if (profile) {
    const p = PROFILES[profile];
    if (p) {
      allow.push(...(p.allow ?? []));
      deny.push(...(p.deny ?? []));
      add(profile === "full" ? "imported" : "changed", "tools.profile", p.allow ? "tools.allow" : p.deny ? "tools.deny" : undefined, `SimpleClaw has no tool profiles: ${p.note}`);
    } else add("changed", "tools.profile", "tools.deny", `unknown profile ${JSON.stringify(profile)}: every tool group is denied until you choose (security wins); edit tools.deny`);
    if (!p) deny.push(...ALL_GROUPS);
  }
  for (const key of ["allow", "deny"] as const) {
    const names = strList(tools[key]);
    if (!names) continue;
    const known = names.filter((n) => SIMPLECLAW_TOOLS.has(n) || SIMPLECLAW_GROUPS.has(n));
    const unknown = names.filter((n) => !known.includes(n));
    (key === "allow" ? allow : deny).push(...known);
    if (unknown.length) add("changed", `tools.${key}`, `tools.${key}`, `left out ${unknown.join(", ")}: no such SimpleClaw tool or group`);
    else add("imported", `tools.${key}`, `tools.${key}`);
    if (key === "allow" && known.length === 0 && names.length > 0) {
      // An allow list of only foreign names meant "almost nothing"; an empty one would mean "everything".
      deny.push(...ALL_GROUPS);
      add("changed", "tools.allow", "tools.deny", "none of the allowed tools exist in SimpleClaw; every tool group is denied rather than allowing everything");
    }
  }
  if (allow.length) setPath(over, "tools.allow", [...new Set(allow)]);
  if (deny.length) setPath(over, "tools.deny", [...new Set(deny)]);
  const exec = isObj(tools.exec) ? tools.exec : {};
  const sec = oneOf(exec.security, ["deny", "allowlist", "full"] as const);
  if (sec === "full" && !opts.keepInsecure) {
    setPath(over, "tools.exec.security", "allowlist");
    add("changed", "tools.exec.security", "tools.exec.security", `"full" became "allowlist": the model could run any command without asking; commands off the allowlist now ask; ${KEEP_INSECURE}`);
  } else if (sec) {
    setPath(over, "tools.exec.security", sec);
    add("imported", "tools.exec.security", "tools.exec.security");
  }
  const ask = oneOf(exec.ask, ["off", "on-miss", "always"] as const);
  if (ask) {
    setPath(over, "tools.exec.ask", ask);
    add("imported", "tools.exec.ask", "tools.exec.ask");
  }
  if (exec.host !== undefined) add("skipped", "tools.exec.host", undefined, "SimpleClaw decides where a command runs from the sandbox mode (agents.defaults.sandbox.mode)");
  for (const k of Object.keys(exec)) if (!["security", "ask", "host"].includes(k)) add("skipped", `tools.exec.${k}`, undefined, "no SimpleClaw equivalent");
  if (isObj(tools.elevated)) {
    const el = tools.elevated;
    if (typeof el.enabled === "boolean") {
      setPath(over, "tools.elevated.enabled", el.enabled);
      add("imported", "tools.elevated.enabled", "tools.elevated.enabled");
    }
    if (isObj(el.allowFrom)) {
      const af: Record<string, string[]> = {};
      for (const [ch, ids2] of Object.entries(el.allowFrom)) {
        const l = strList(ids2)?.map((x) => bareSender(ch, x)) ?? [];
        const wild = l.includes("*");
        if (wild && !opts.keepInsecure) add("changed", `tools.elevated.allowFrom.${ch}`, `tools.elevated.allowFrom.${ch}`, `dropped "*": anyone on ${ch} could run elevated commands; ${KEEP_INSECURE}`);
        af[ch] = wild && !opts.keepInsecure ? l.filter((x) => x !== "*") : l;
      }
      setPath(over, "tools.elevated.allowFrom", af);
      add("imported", "tools.elevated.allowFrom", "tools.elevated.allowFrom");
    }
  }
  for (const k of Object.keys(tools)) if (!["profile", "allow", "deny", "exec", "elevated"].includes(k)) add("skipped", `tools.${k}`, undefined, "no SimpleClaw equivalent");
  const browser = isObj(oc.browser) ? oc.browser : {};
  if (typeof browser.enabled === "boolean") {
    setPath(over, "tools.browser.enabled", browser.enabled);
    add("imported", "browser.enabled", "tools.browser.enabled");
  }
  for (const k of Object.keys(browser)) if (k !== "enabled") add("skipped", `browser.${k}`, undefined, "no SimpleClaw equivalent");

  // ---- channels -----------------------------------------------------------------------------
  handled.add("channels");
  handled.add("commands");
  const channels = isObj(oc.channels) ? oc.channels : {};
  const commands = isObj(oc.commands) ? oc.commands : {};
  const owners = strList(commands.ownerAllowFrom) ?? [];
  let anyOpenAccess = false;
  for (const ch of Object.keys(channels)) {
    if (!(BUILTIN_CHANNELS as readonly string[]).includes(ch)) {
      add("skipped", `channels.${ch}`, undefined, "SimpleClaw has no built-in channel of that name (built in: telegram, discord, slack)");
      continue;
    }
    const c = channels[ch];
    if (!isObj(c)) continue;
    const id = ch as ChannelId;
    const out: Obj = {};
    const base = `channels.${ch}`;
    if (typeof c.enabled === "boolean") out.enabled = c.enabled;
    const secrets: ChannelSecretsPlan = {};
    const tokenKeys: Array<[string, keyof ChannelSecretsPlan]> = id === "discord" ? [["token", "botToken"], ["botToken", "botToken"]] : id === "slack" ? [["botToken", "botToken"], ["appToken", "appToken"], ["signingSecret", "signingSecret"]] : [["botToken", "botToken"]];
    for (const [k, to] of tokenKeys) {
      if (c[k] === undefined) continue;
      if (typeof c[k] === "string" && c[k]) {
        secrets[to] = c[k] as string;
        add("changed", `${base}.${k}`, `credentials/${ch}.json (${to})`, "channel secrets live in credentials/ (600), never in simpleclaw.json");
      } else add("skipped", `${base}.${k}`, undefined, `the secret ${SECRET_REF}`);
    }
    if (Object.keys(secrets).length) plan.channelSecrets[id] = secrets;
    if (c.tokenFile !== undefined) add("skipped", `${base}.tokenFile`, undefined, `copy the token into credentials/${ch}.json with \`simpleclaw channels add ${ch}\``);

    const allowFrom = (strList(c.allowFrom) ?? []).map((x) => bareSender(ch, x));
    let dm = oneOf(c.dmPolicy, ["pairing", "allowlist", "open", "disabled"] as const);
    if (c.dmPolicy !== undefined && !dm) add("changed", `${base}.dmPolicy`, `${base}.dmPolicy`, `${JSON.stringify(c.dmPolicy)} is unknown to SimpleClaw; "pairing" applies`);
    if (dm === "open" && !opts.keepInsecure) {
      dm = "pairing";
      add("changed", `${base}.dmPolicy`, `${base}.dmPolicy`, `"open" became "pairing": anyone who finds the bot could talk to the agent and its tools; strangers now get a pairing code; ${KEEP_INSECURE}`);
    } else if (dm) add("imported", `${base}.dmPolicy`, `${base}.dmPolicy`);
    if (dm === "open") anyOpenAccess = true;
    if (dm) out.dmPolicy = dm;
    const allowList = dm === "open" ? [...new Set([...allowFrom, "*"])] : allowFrom.filter((x) => x !== "*");
    if (c.allowFrom !== undefined) {
      out.allowFrom = allowList;
      const normalized = (strList(c.allowFrom) ?? []).some((x) => bareSender(ch, x) !== x);
      const droppedStar = allowFrom.includes("*") && dm !== "open";
      add(
        normalized || droppedStar ? "changed" : "imported",
        `${base}.allowFrom`,
        `${base}.allowFrom`,
        [normalized ? "prefixes like tg: removed: SimpleClaw stores the bare platform id" : "", droppedStar ? `"*" dropped: it admits everyone and is valid only with dmPolicy "open"` : ""].filter(Boolean).join("; ") || undefined,
      );
    }
    let gp = oneOf(c.groupPolicy, ["allowlist", "open", "disabled"] as const);
    const groupsIn = isObj(c.groups) ? c.groups : {};
    const wildcardGroups = Object.hasOwn(groupsIn, "*");
    if ((gp === "open" || wildcardGroups) && sandboxMode === "off" && !opts.keepInsecure) {
      add("changed", `${base}.groupPolicy`, `${base}.groupPolicy`, `${gp === "open" ? '"open"' : 'the "*" group'} with the sandbox off lets any group member run tools on this host; group access is now "allowlist" (listed groups only); ${KEEP_INSECURE}`);
      gp = "allowlist";
    } else if (gp) add("imported", `${base}.groupPolicy`, `${base}.groupPolicy`);
    if (gp === "open" || (wildcardGroups && (gp ?? "allowlist") !== "disabled")) anyOpenAccess = true;
    if (gp) out.groupPolicy = gp;
    const groupAllow = strList(c.groupAllowFrom)?.map((x) => bareSender(ch, x));
    const groups: Obj = {};
    for (const [gid, g] of Object.entries(groupsIn)) {
      if (gid === "*" && sandboxMode === "off" && !opts.keepInsecure) {
        add("changed", `${base}.groups.*`, undefined, "left out: a wildcard group with the sandbox off admits every group to this host's tools");
        continue;
      }
      const ge: Obj = { allow: true };
      if (isObj(g) && typeof g.requireMention === "boolean") ge.requireMention = g.requireMention;
      if (isObj(g) && typeof g.enabled === "boolean") ge.allow = g.enabled;
      const own = isObj(g) ? strList(g.allowFrom)?.map((x) => bareSender(ch, x)) : undefined;
      if (own) ge.allowFrom = own;
      else if (groupAllow) ge.allowFrom = groupAllow;
      groups[gid] = ge;
      add("imported", `${base}.groups.${gid}`, `${base}.groups.${gid}`, !own && groupAllow ? `${base}.groupAllowFrom applied as this group's allowFrom` : undefined);
      if (isObj(g)) for (const k of Object.keys(g)) if (!["requireMention", "allowFrom", "enabled"].includes(k)) add("skipped", `${base}.groups.${gid}.${k}`, undefined, "no SimpleClaw equivalent");
    }
    if (Object.keys(groupsIn).length) out.groups = groups;
    if (groupAllow && Object.keys(groupsIn).length === 0) add("skipped", `${base}.groupAllowFrom`, undefined, "SimpleClaw narrows senders per group; no groups are listed to apply it to");
    else if (groupAllow) add("changed", `${base}.groupAllowFrom`, `${base}.groups.<id>.allowFrom`, "SimpleClaw has no channel-wide group sender list; it was applied to each listed group without its own allowFrom");
    const chOwners = owners.filter((o) => o.toLowerCase().startsWith(`${ch}:`)).map((o) => o.slice(ch.length + 1));
    if (chOwners.length) {
      out.owners = chOwners;
      add("imported", "commands.ownerAllowFrom", `${base}.owners`, "the owner may answer approvals and use owner commands from chat");
    }
    for (const k of Object.keys(c)) {
      if (!["enabled", "botToken", "token", "appToken", "signingSecret", "tokenFile", "dmPolicy", "allowFrom", "groupPolicy", "groups", "groupAllowFrom"].includes(k)) {
        add("skipped", `${base}.${k}`, undefined, "no SimpleClaw equivalent");
      }
    }
    setPath(over, `channels.${ch}`, out);
  }
  for (const k of Object.keys(commands)) if (k !== "ownerAllowFrom") add("skipped", `commands.${k}`, undefined, "no SimpleClaw equivalent");
  if (anyOpenAccess && sandboxMode === "off") {
    add("changed", "agents.defaults.sandbox.mode", undefined, "note: open access is kept (--keep-insecure) while the sandbox is off; `simpleclaw security audit` reports it as critical");
  }

  // Approved DM senders (the state database).
  if (src.approved) {
    for (const a of src.approved) {
      const from = `approved sender ${a.channel}:${a.id}`;
      if (!(BUILTIN_CHANNELS as readonly string[]).includes(a.channel)) add("skipped", from, undefined, "not a SimpleClaw channel");
      else if (a.accountId !== "default") add("skipped", from, undefined, `approved for OpenClaw account "${a.accountId}"; SimpleClaw runs one account per channel`);
      else {
        const list = (plan.approvedSenders[a.channel as ChannelId] ??= []);
        if (!list.some((x) => x.id === a.id)) list.push({ id: bareSender(a.channel, a.id), approvedAt: a.updatedAt });
        add("imported", from, `credentials/${a.channel}-allowFrom.json`);
      }
    }
  }
  if (src.counts.pendingPairing) add("skipped", `${src.counts.pendingPairing} pending pairing request(s)`, undefined, "codes issued by OpenClaw are not valid here; the sender gets a new code on their next message");
  if (src.counts.pairedDevices) add("skipped", `${src.counts.pairedDevices} paired device(s)`, undefined, "devices are not imported: each device pairs again with SimpleClaw's own keys (`simpleclaw devices list`)");
  if (src.counts.cronJobs) add("skipped", `${src.counts.cronJobs} cron job(s)`, undefined, "SimpleClaw has no scheduled jobs to carry them over to");
  if (src.dbProblem) add("skipped", "state/openclaw.sqlite", undefined, `${src.dbProblem}; approved senders and exec approvals were not imported`);
  add("skipped", "sessions and transcripts", undefined, "conversation history stays in OpenClaw's databases; SimpleClaw starts new sessions");
  for (const f of src.legacyFiles) add("skipped", f, undefined, "a file from an older OpenClaw layout whose format this importer has not been checked against; carry it over by hand");

  // Exec approvals.
  if (src.execApprovals) plan.approvals = mapApprovals(src.execApprovals, src.home, add, opts.keepInsecure);

  // ---- plugins, logging, memory, everything else ------------------------------------------
  handled.add("plugins");
  const plugins = isObj(oc.plugins) ? oc.plugins : {};
  const pallow = strList(plugins.allow);
  if (pallow) {
    // OpenClaw's plugin ids name OpenClaw packages; none of them is a SimpleClaw plugin. An
    // allowlist stays an allowlist: installed SimpleClaw plugins must be added by id.
    setPath(over, "plugins.allow", []);
    add("changed", "plugins.allow", "plugins.allow", `set to [] (nothing loads until you add a SimpleClaw plugin's id): ${pallow.join(", ")} are OpenClaw plugins, not SimpleClaw ones`);
  }
  for (const k of Object.keys(plugins)) if (k !== "allow") add("skipped", `plugins.${k}`, undefined, "OpenClaw plugin settings; SimpleClaw plugins are installed with `simpleclaw plugins install`");
  handled.add("logging");
  const logging = isObj(oc.logging) ? oc.logging : {};
  const level = oneOf(logging.level, ["debug", "info", "warn", "error"] as const);
  if (level) {
    setPath(over, "logging.level", level);
    add("imported", "logging.level", "logging.level");
  }
  if (logging.redactPatterns !== undefined) add("skipped", "logging.redactPatterns", undefined, "SimpleClaw redacts secrets with built-in rules (logging.redactSensitive, on) and has no custom patterns");
  for (const k of Object.keys(logging)) if (!["level", "redactPatterns"].includes(k)) add("skipped", `logging.${k}`, undefined, "no SimpleClaw equivalent");
  handled.add("session");
  const session = isObj(oc.session) ? oc.session : {};
  const scope = oneOf(session.dmScope, ["main", "per-peer", "per-channel-peer"] as const);
  if (scope) {
    setPath(over, "session.dmScope", scope);
    add("imported", "session.dmScope", "session.dmScope");
  }
  for (const k of Object.keys(session)) if (k !== "dmScope") add("skipped", `session.${k}`, undefined, "no SimpleClaw equivalent");
  for (const k of Object.keys(oc)) if (!handled.has(k)) add("skipped", k, undefined, "no SimpleClaw equivalent");

  plan.config = merge(opts.existing, over) as RawConfig;
  return plan;
}

function mapApprovals(raw: Obj, home: string, add: (s: ItemStatus, from: string, to?: string, reason?: string) => void, keepInsecure: boolean): ApprovalsPlan {
  const layer = (o: unknown, from: string): ApprovalsLayer => {
    const l: ApprovalsLayer = {};
    if (!isObj(o)) return l;
    const s = oneOf(o.security, ["deny", "allowlist", "full"] as const);
    if (s) l.security = s;
    const a = oneOf(o.ask, ["off", "on-miss", "always"] as const);
    if (a) l.ask = a;
    if (o.askFallback !== undefined) {
      l.askFallback = "deny";
      add(o.askFallback === "deny" ? "imported" : "changed", `${from}.askFallback`, "exec-approvals.json", o.askFallback === "deny" ? undefined : `${JSON.stringify(o.askFallback)} became "deny": an unanswered approval never runs the command`);
    }
    if (o.autoAllowSkills !== undefined) add("skipped", `${from}.autoAllowSkills`, undefined, "SimpleClaw has no skill binaries that bypass the allowlist");
    return l;
  };
  const plan: ApprovalsPlan = { defaults: layer(raw.defaults, "exec approvals defaults"), agents: {} };
  if (Object.keys(plan.defaults).length) add("imported", "exec approvals defaults", "exec-approvals.json defaults");
  if (raw.socket !== undefined) add("skipped", "exec approvals socket", undefined, "SimpleClaw answers approvals over its own gateway connection");
  const agents = isObj(raw.agents) ? raw.agents : {};
  for (const [id, a] of Object.entries(agents)) {
    if (!isObj(a)) continue;
    const entry = { ...layer(a, `exec approvals agents.${id}`), allowlist: [] as Array<{ pattern: string; lastUsedAt?: number }> };
    for (const e of Array.isArray(a.allowlist) ? a.allowlist : []) {
      const pattern = isObj(e) ? str(e.pattern) : undefined;
      if (!pattern) continue;
      const from = `exec allowlist (${id}) ${pattern}`;
      const expanded = pattern.startsWith("~/") ? hostPath(pattern, home) : pattern;
      if (!expanded.startsWith("/")) {
        add("skipped", from, undefined, "SimpleClaw matches commands by absolute executable path; add the full path with `simpleclaw approvals allowlist add`");
        continue;
      }
      // OpenClaw entries carry no argument list, so each admits any arguments: for a shell or
      // interpreter that is "run any code" (the audit's allowlist_interpreter_any_args, critical).
      if (allowlistEntryScope({ pattern: expanded }) === "interpreter" && !keepInsecure) {
        add("changed", from, undefined, `left out: a shell or interpreter with any arguments lets the model run any code; allowlist the exact script with \`simpleclaw approvals allowlist add ${expanded} --args <script>\`, or ${KEEP_INSECURE}`);
        continue;
      }
      const lastUsedAt = isObj(e) && typeof e.lastUsedAt === "number" ? e.lastUsedAt : undefined;
      entry.allowlist.push({ pattern: expanded, ...(lastUsedAt !== undefined ? { lastUsedAt } : {}) });
      add(expanded === pattern ? "imported" : "changed", from, `exec-approvals.json (${id})`, expanded === pattern ? undefined : `~ expanded to ${expanded}`);
    }
    plan.agents[id] = entry;
  }
  return plan;
}
