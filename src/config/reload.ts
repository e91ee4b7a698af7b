// Config hot reload: which changed keys a running gateway can take without a restart
// (docs/configuration.md, "Changing the config while the gateway runs"). Pure: two
// validated configs in, a plan out; gateway/reload.ts does the reading and applying.
import type { Config } from "./schema.js";

export interface ReloadPlan {
  /** Changed key paths the running gateway applies at once. */
  live: string[];
  /** Changed key paths that only apply when the gateway restarts (listen address, auth, TLS, logging, plugins…). */
  restart: string[];
}

const CHANNEL_ACCESS_KEYS = new Set(["dmPolicy", "allowFrom", "groupPolicy", "groups", "owners"]);

/**
 * Whether a change at `path` can apply to a running gateway. Deny by default: a key
 * not named here needs a restart. Live keys are the ones every request reads afresh:
 * agents and models (each run resolves its model), tools and their policy (each run
 * builds its tool list), session scoping, channel access (each inbound message is
 * decided against the config of the moment), node command allowlists, browser origins
 * allowed to open the Control UI, skills.allow (each run loads its skills afresh).
 */
export function appliesLive(path: readonly string[]): boolean {
  const [top, second, third, fourth] = path;
  switch (top) {
    case "$schema":
    case "version":
    case "agents":
    case "models":
    case "session":
    case "skills":
      return true;
    case "tools":
      // The browser service exists only when the tool was on at start-up.
      return !(second === "browser");
    case "channels": {
      // Access policy is live; turning a channel on or off, its tokens and endpoints restart its adapter.
      const key = second === "custom" ? fourth : third;
      return key !== undefined && CHANNEL_ACCESS_KEYS.has(key);
    }
    case "gateway":
      if (second === "nodes") return third === "commands" || third === "autoApproveLoopback";
      if (second === "controlUi") return third === "allowedOrigins";
      return false;
    default:
      return false;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Key paths whose values differ; arrays and scalars are compared whole. */
export function changedPaths(a: unknown, b: unknown, prefix: string[] = []): string[][] {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].sort().flatMap((k) => changedPaths(a[k], b[k], [...prefix, k]));
  }
  // A whole object appearing or disappearing is a change to its parent key.
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
}

/** Which changes between the running config and the new one apply live, and which wait for a restart. */
export function reloadPlan(running: Config, next: Config): ReloadPlan {
  const plan: ReloadPlan = { live: [], restart: [] };
  for (const path of changedPaths(running, next)) {
    (appliesLive(path) ? plan.live : plan.restart).push(path.join("."));
  }
  return plan;
}

/**
 * The config the gateway runs with after a reload: the new one, except that keys
 * needing a restart keep their running values (so the gateway never half-applies,
 * say, a new port while still listening on the old one).
 */
export function appliedConfig(running: Config, next: Config, plan: ReloadPlan): Config {
  const out = structuredClone(next) as unknown as Record<string, unknown>;
  for (const key of plan.restart) {
    const parts = key.split(".");
    let src: unknown = running;
    let dst: Record<string, unknown> = out;
    for (const [i, k] of parts.entries()) {
      const last = i === parts.length - 1;
      src = isPlainObject(src) ? src[k] : undefined;
      if (last) {
        if (src === undefined) delete dst[k];
        else dst[k] = structuredClone(src);
      } else {
        if (!isPlainObject(dst[k])) dst[k] = {};
        dst = dst[k] as Record<string, unknown>;
      }
    }
  }
  return out as unknown as Config;
}
