// Implementations of `simpleclaw pairing …` and `simpleclaw channels …` (lazy-loaded).
import { readFileSync } from "node:fs";
import { channelConfig, channelConfigPath, channelNames } from "../config/channels.js";
import { readChannelSecrets, removeChannelSecrets, writeChannelSecrets } from "../channels/credentials.js";
import { BUILTIN_CHANNELS as CHANNELS } from "../config/channels.js";
import { PairingStore, approvedSenderSession } from "../channels/pairing.js";
import type { ChannelStatus } from "../protocol/results.js";
import { approvalMayMakeOwner } from "../security/principal.js";
import type { ChannelId } from "../channels/types.js";
import { loadConfig, readRawConfig, saveRawConfig, setAt } from "../config/io.js";
import { statePaths } from "../config/paths.js";
import { EXIT, UserError } from "../infra/errors.js";
import { connect, type Flags } from "./gateway-client.js";

function channelId(name: string): ChannelId {
  if ((CHANNELS as readonly string[]).includes(name)) return name as ChannelId;
  throw new UserError(`unknown channel "${name}"; use one of: ${CHANNELS.join(", ")}.`, EXIT.usage);
}

/** Pairing works for built-in channels and for plugin channels configured under channels.custom. */
function pairingChannel(name: string): string {
  if ((CHANNELS as readonly string[]).includes(name)) return name;
  const { config } = loadConfig();
  if (channelConfig(config, name)) return name;
  throw new UserError(`unknown channel "${name}"; use one of: ${channelNames(config).join(", ")}.`, EXIT.usage);
}

const store = () => new PairingStore(statePaths().credentials);

export function pairingList(channel: string | undefined, opts: { json?: boolean }): void {
  const list = channel ? [pairingChannel(channel)] : channelNames(loadConfig().config);
  const s = store();
  const rows = list.map((c) => {
    const q = s.status(c);
    return { channel: c, pending: q.pending, approved: s.approved(c), full: q.full, max: q.max, ...(q.turnedAway ? { turnedAway: q.turnedAway } : {}) };
  });
  if (opts.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  for (const r of rows) {
    if (!r.pending.length && !r.approved.length && !channel) continue;
    process.stdout.write(`${r.channel}:\n`);
    if (r.full) {
      const away = r.turnedAway ? `; ${r.turnedAway.count} new sender(s) got no code, the last at ${new Date(r.turnedAway.lastAt).toISOString()}` : "";
      process.stdout.write(`  QUEUE FULL (${r.pending.length} of ${r.max} pending): new senders get no code${away}. Approve or reject below, or clear it: simpleclaw pairing clear ${r.channel}\n`);
    }
    for (const p of r.pending) {
      process.stdout.write(`  pending  ${p.code}  ${p.senderName ?? ""} (id ${p.senderId})  expires ${new Date(p.expiresAt).toISOString()}\n`);
    }
    // Named owners replace pairing-made ones (security/principal.ts channelOwners): say so instead of "owner".
    const named = (channelConfig(loadConfig().config, r.channel)?.owners.length ?? 0) > 0;
    for (const a of r.approved) process.stdout.write(`  approved ${a.id}${a.name ? ` (${a.name})` : ""}${a.owner ? (named ? `  (approved as owner; not the owner: ${channelConfigPath(r.channel).join(".")}.owners names the owners)` : "  owner") : ""}\n`);
    if (!r.pending.length && !r.approved.length) process.stdout.write("  nothing pending, nobody approved\n");
  }
  if (rows.every((r) => !r.pending.length && !r.approved.length) && !channel) process.stdout.write("No pairing requests and no approved senders.\n");
}

export function pairingClear(channel: string): void {
  const c = pairingChannel(channel);
  const dropped = store().clear(c);
  process.stdout.write(
    dropped.length
      ? `Cleared ${dropped.length} pending request(s) on ${c} (ids ${dropped.map((r) => r.senderId).join(", ")}); their codes no longer work, and new senders get codes again.\n`
      : `Nothing pending on ${c}.\n`,
  );
}

export function pairingApprove(channel: string, code: string): void {
  const c = pairingChannel(channel);
  const { config } = loadConfig();
  const cfg = channelConfig(config, c);
  const entry = store().approve(c, code, { ownerIfFirst: approvalMayMakeOwner(cfg) });
  if (!entry) throw new UserError(`no pending ${c} pairing request with code ${code.toUpperCase()} (wrong, expired or already decided); see simpleclaw pairing list ${c}.`);
  process.stdout.write(`Approved ${entry.name ? `${entry.name} ` : ""}(id ${entry.id}) on ${c}${entry.owner ? " as the owner" : ""}. Their next message reaches the assistant.\n`);
  process.stdout.write(`${approvedSenderSession(config, c, entry).message}\n`);
}

export function pairingReject(channel: string, code: string): void {
  const c = pairingChannel(channel);
  const r = store().reject(c, code);
  if (!r) throw new UserError(`no pending ${c} pairing request with code ${code.toUpperCase()}.`);
  process.stdout.write(`Rejected the request from id ${r.senderId} on ${c}.\n`);
}

export function pairingRevoke(channel: string, sender: string): void {
  const c = pairingChannel(channel);
  if (!store().revoke(c, sender)) throw new UserError(`${sender} is not an approved ${c} sender.`);
  process.stdout.write(`Revoked ${sender} on ${c}; their messages are no longer processed.\n`);
}

function readStdin(): string {
  try {
    return readFileSync(0, "utf8").trim();
  } catch {
    return "";
  }
}

/** The shape check `channels add` and `onboard` share: null when the token looks right, else the problem. */
export function channelTokenProblem(c: ChannelId, botToken: string, appToken?: string): string | null {
  if (c === "telegram" && !/^\d{5,}:[A-Za-z0-9_-]{20,}$/.test(botToken)) return "that does not look like a Telegram bot token (123456:ABC…).";
  if (c === "slack" && !botToken.startsWith("xoxb-")) return "the Slack bot token starts with xoxb-.";
  if (c === "slack" && appToken && !appToken.startsWith("xapp-")) return "the Slack app-level token starts with xapp-.";
  return null;
}

/** Checks and stores a channel's secrets in credentials/<channel>.json (600); returns the file. Used by `channels add` and `onboard`. */
export function storeChannelSecrets(c: ChannelId, secrets: { botToken: string; appToken?: string; signingSecret?: string }, env: NodeJS.ProcessEnv = process.env): string {
  const problem = channelTokenProblem(c, secrets.botToken, secrets.appToken);
  if (problem) throw new UserError(problem, EXIT.usage);
  return writeChannelSecrets(statePaths(env).credentials, c, {
    botToken: secrets.botToken,
    ...(secrets.appToken ? { appToken: secrets.appToken } : {}),
    ...(secrets.signingSecret ? { signingSecret: secrets.signingSecret } : {}),
  });
}

export function channelsAdd(channel: string, opts: { token?: string; appToken?: string; signingSecret?: string }): void {
  const c = channelId(channel);
  const botToken = opts.token ?? readStdin();
  if (!botToken) throw new UserError(`give the bot token with --token or on stdin.`, EXIT.usage);
  const path = storeChannelSecrets(c, { botToken, ...(opts.appToken ? { appToken: opts.appToken } : {}), ...(opts.signingSecret ? { signingSecret: opts.signingSecret } : {}) });
  const { raw } = readRawConfig();
  saveRawConfig(setAt(raw, ["channels", c, "enabled"], true));
  process.stdout.write(`Saved ${c} credentials to ${path} (mode 600) and enabled channels.${c}. Restart the gateway to connect.\n`);
  process.stdout.write(`Unknown senders get a pairing code; approve them with: simpleclaw pairing approve ${c} <code>\n`);
}

export function channelsList(opts: { json?: boolean }): void {
  const { config } = loadConfig();
  const paths = statePaths();
  const rows = CHANNELS.map((c) => {
    const cfg = config.channels[c];
    let hasToken = false;
    try {
      hasToken = !!readChannelSecrets(paths.credentials, c, process.env, { botToken: cfg?.botToken }).botToken;
    } catch {
      hasToken = false;
    }
    return { channel: c, enabled: !!cfg?.enabled, credentials: hasToken, dmPolicy: cfg?.dmPolicy ?? "pairing", groupPolicy: cfg?.groupPolicy ?? "allowlist" };
  });
  if (opts.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  for (const r of rows) {
    process.stdout.write(`${r.channel}: ${r.enabled ? "enabled" : "disabled"}, credentials ${r.credentials ? "present" : "missing"}, dmPolicy ${r.dmPolicy}, groupPolicy ${r.groupPolicy}\n`);
  }
}

export async function channelsStatus(opts: Flags & { json?: boolean }): Promise<void> {
  const client = await connect(opts);
  try {
    const { channels } = await client.call<{ channels: ChannelStatus[] }>("channels.status");
    if (opts.json) return void process.stdout.write(`${JSON.stringify(channels, null, 2)}\n`);
    for (const c of channels) {
      process.stdout.write(`${c.channel}: ${!c.enabled ? "disabled" : c.running ? "connected" : `not connected${c.error ? ` — ${c.error}` : ""}`}\n`);
      if (c.pairingQueueFull) process.stdout.write(`  pairing queue FULL: new senders get no code; see simpleclaw pairing list ${c.channel}, clear it with simpleclaw pairing clear ${c.channel}\n`);
    }
  } finally {
    await client.close();
  }
}

export function channelsRemove(channel: string): void {
  const c = channelId(channel);
  const removed = removeChannelSecrets(statePaths().credentials, c);
  const { raw } = readRawConfig();
  saveRawConfig(setAt(raw, ["channels", c, "enabled"], false));
  process.stdout.write(`${removed ? `Deleted credentials/${c}.json and d` : "D"}isabled channels.${c}. Restart the gateway to disconnect.\n`);
}
