// Shared facts several audit checks reason about (pure, from config only): who can
// reach the gateway, which chat channels let strangers in, and whether the sessions
// strangers land in can run exec or write files without a sandbox.
import { channelConfig, channelConfigPath, channelNames, type ChannelConfig } from "../config/channels.js";
import type { Config } from "../config/schema.js";
import type { Env } from "../config/paths.js";
import { resolveAuth, type ResolvedAuth } from "../security/auth.js";
import { effectiveBindMode } from "../security/exposure.js";
import { isLoopbackHost } from "../net/address.js";
import { directSessionKey, groupSessionKey } from "../security/session-scope.js";
import { effectiveSandbox } from "../security/sandbox-scope.js";
import { toolDecision } from "../security/tool-policy.js";
import { strangerAccess } from "../security/channel-access.js";
import type { AuditInput } from "./types.js";

/** A built-in channel id or a plugin channel's id (channels.custom.<id>). */
export type ChannelId = string;
export type ChannelCfg = ChannelConfig;

export interface GatewayReach {
  bind: Config["gateway"]["bind"];
  /** The host the gateway would listen on ("tailnet" when it depends on the interface). */
  host: string;
  /** Reachable from other machines: non-loopback bind or a Tailscale serve/funnel. */
  remote: boolean;
  /** Bound to a non-loopback address itself. */
  nonLoopbackBind: boolean;
  auth: ResolvedAuth;
}

export function gatewayReach(config: Config, env: Env): GatewayReach {
  // SIMPLECLAW_GATEWAY_BIND beats gateway.bind (as at start-up); an invalid value stops the start, so fall back to the file.
  const override = effectiveBindMode(config.gateway.bind, env);
  const g = { ...config.gateway, bind: override.ok ? override.mode : config.gateway.bind };
  const host = g.bind === "loopback" ? "127.0.0.1" : g.bind === "lan" ? "0.0.0.0" : g.bind === "tailnet" ? "tailnet" : (g.customBindHost ?? "?");
  const nonLoopbackBind = !(g.bind === "loopback" || (g.bind === "custom" && isLoopbackHost(host)));
  return { bind: g.bind, host, nonLoopbackBind, remote: nonLoopbackBind || g.tailscale.mode !== "off", auth: resolveAuth(config, env) };
}

/** Where a channel's settings live in the config: channels.<id>, or channels.custom.<id> for plugin channels. */
export function channelKeyPath(id: string): string[] {
  return channelConfigPath(id);
}

export function enabledChannels(config: Config): Array<[ChannelId, ChannelCfg]> {
  const out: Array<[ChannelId, ChannelCfg]> = [];
  for (const id of channelNames(config)) {
    const c = channelConfig(config, id);
    if (c?.enabled) out.push([id, c]);
  }
  return out;
}

export interface ChannelExposure {
  agentId: string;
  /** Enabled channels whose DMs are open to anyone. */
  openDm: ChannelId[];
  /** Enabled channels that answer in any group. */
  openGroup: ChannelId[];
  /** Sandbox mode of the agent that answers channel messages (the default agent). */
  mode: "off" | "non-main" | "all";
  dmSandboxed: boolean;
  groupSandboxed: boolean;
  exec: boolean;
  fsWrite: boolean;
  /** A sandbox backend exists for that agent's preference (undefined: not probed). */
  backendAvailable: boolean | undefined;
}

const EXEC = { name: "exec", group: "runtime" } as const;
const WRITERS = [
  { name: "write", group: "fs" },
  { name: "edit", group: "fs" },
  { name: "apply_patch", group: "fs" },
] as const;

export function channelAgent(config: Config): Config["agents"]["list"][number] {
  return config.agents.list.find((a) => a.default) ?? config.agents.list[0]!;
}

export function agentTools(config: Config, agent: Config["agents"]["list"][number]): { exec: boolean; fsWrite: boolean } {
  return {
    exec: toolDecision(EXEC, config, agent).allowed,
    fsWrite: WRITERS.some((t) => toolDecision(t, config, agent).allowed),
  };
}

export function channelExposure(input: Pick<AuditInput, "config" | "sandboxBackends">): ChannelExposure {
  const { config } = input;
  const agent = channelAgent(config);
  const enabled = enabledChannels(config);
  // Where a stranger's DM lands (not the owner's: that one is main under either dmScope).
  const dm = effectiveSandbox(config, agent, directSessionKey(agent.id, config.session.dmScope, "channel", "peer", false));
  const group = effectiveSandbox(config, agent, groupSessionKey(agent.id, "channel", "group"));
  const probe = input.sandboxBackends[dm.backend];
  return {
    agentId: agent.id,
    // Open means: decideAccess lets a stranger in (a "*" group entry under allowlist is open too).
    openDm: enabled.filter(([, c]) => strangerAccess(c).dm).map(([id]) => id),
    openGroup: enabled.filter(([, c]) => strangerAccess(c).group).map(([id]) => id),
    mode: dm.mode,
    dmSandboxed: dm.required,
    groupSandboxed: group.required,
    ...agentTools(config, agent),
    backendAvailable: probe ? probe.name !== "none" : undefined,
  };
}

/** "exec and write/edit/apply_patch" style list of the powerful tools on. */
export function powerfulTools(e: { exec: boolean; fsWrite: boolean }): string {
  return [e.exec ? "exec" : "", e.fsWrite ? "write-capable fs tools" : ""].filter(Boolean).join(" and ");
}

/** Reads a value at a key path from an unknown object (own keys only). */
export function rawAt(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const k of path) {
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, k)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}
