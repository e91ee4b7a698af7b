// Which channels exist for a config: the built-in ones, then those a plugin provides and
// the operator configured under channels.custom.<id>. One lookup for the manager, the
// pairing CLI and the pairing methods.
import type { Config } from "../config/schema.js";
import type { ChannelConfig } from "../security/channel-access.js";
import { CHANNELS } from "./credentials.js";
import type { ChannelId, ChannelName } from "./types.js";

export function isBuiltinChannel(name: string): name is ChannelId {
  return (CHANNELS as string[]).includes(name);
}

export function channelNames(config: Config): ChannelName[] {
  return [...CHANNELS, ...Object.keys(config.channels.custom)];
}

/** The channel's settings, or undefined for a channel the config does not know. */
export function channelConfig(config: Config, name: ChannelName): ChannelConfig | undefined {
  if (isBuiltinChannel(name)) return config.channels[name] as ChannelConfig | undefined;
  return Object.hasOwn(config.channels.custom, name) ? (config.channels.custom[name] as ChannelConfig) : undefined;
}
