// The one channel registry (docs/channels.md): the built-in channels, then those a plugin
// provides and the operator configured under channels.custom.<id>. Config, the channel
// manager, the audit, the pairing CLI and methods, onboarding and plugins all read it.
import type { Config } from "./schema.js";

/** Built-in chat channels, in the order they are listed everywhere. */
export const BUILTIN_CHANNELS = ["telegram", "discord", "slack"] as const;
export type ChannelId = (typeof BUILTIN_CHANNELS)[number];
/** A built-in channel id or a plugin channel's id. */
export type ChannelName = ChannelId | (string & {});
/** Ids a plugin channel may not take: the built-ins and the "custom" config section. */
export const RESERVED_CHANNEL_IDS: readonly string[] = [...BUILTIN_CHANNELS, "custom"];

/** The settings every channel has (built-in or plugin): DM/group policy, allowlists, owners. */
export type ChannelConfig = NonNullable<Config["channels"]["telegram"]>;

export function isBuiltinChannel(name: string): name is ChannelId {
  return (BUILTIN_CHANNELS as readonly string[]).includes(name);
}

/** Every channel this config knows: the built-ins, then channels.custom.<id>. */
export function channelNames(config: Config): ChannelName[] {
  return [...BUILTIN_CHANNELS, ...Object.keys(config.channels.custom)];
}

/** The channel's settings, or undefined for a channel the config does not know. */
export function channelConfig(config: Config, name: ChannelName): ChannelConfig | undefined {
  if (isBuiltinChannel(name)) return config.channels[name] as ChannelConfig | undefined;
  return Object.hasOwn(config.channels.custom, name) ? (config.channels.custom[name] as ChannelConfig) : undefined;
}

/** Where a channel's settings live in the config file: channels.<id> or channels.custom.<id>. */
export function channelConfigPath(name: ChannelName): string[] {
  return isBuiltinChannel(name) ? ["channels", name] : ["channels", "custom", name];
}
