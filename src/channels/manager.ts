// The channel core, for every adapter alike. Inbound path, in order:
//   adapter event → de-duplicate by message id → access control (access.ts: dmPolicy,
//   pairing, allowFrom, groupPolicy, mentions) → session key (dmScope: the owner's DMs go
//   to the main session, every other sender to their own; groups by group) →
//   ChatService (commands, queue, agent run) → reply chunked to the platform limit →
//   sent with retries on 429/5xx.
// Unknown DM senders under `pairing` get a code (pairing.ts) and nothing else: their
// message is neither processed nor stored.
import type { ChatEvent, ChatService } from "../agents/chat.js";
import { directSessionKey, groupSessionKey } from "../security/session-scope.js";
import { defaultAgent } from "../agents/workspace.js";
import type { Config } from "../config/schema.js";
import type { Env } from "../config/paths.js";
import type { Logger } from "../infra/log.js";
import type { Redactor } from "../infra/redact.js";
import { decideAccess, type AccessState, type ChannelConfig } from "../security/channel-access.js";
import { channelOwners } from "../security/principal.js";
import { chunkText } from "./chunk.js";
import { readChannelSecrets, type ChannelSecrets } from "./credentials.js";
import { channelConfig, channelNames, isBuiltinChannel } from "../config/channels.js";
import { PairingStore } from "./pairing.js";
import { CODE_TTL_MS } from "../security/pairing.js";
import { escapeForDisplay } from "../infra/display.js";
import { ChannelSendError, type ChannelAdapter, type ChannelId, type ChannelName, type InboundMessage, type OutboundTarget, type SendOptions } from "./types.js";

const DEDUPE_MAX = 5000;
const SEND_ATTEMPTS = 4;

/** A channel adapter factory a plugin registered (plugins/host.ts registerChannel). */
export interface PluginChannelFactory {
  pluginId: string;
  create(opts: { onError(e: unknown): void }): ChannelAdapter | Promise<ChannelAdapter>;
}

export interface ChannelStatus {
  channel: ChannelName;
  enabled: boolean;
  running: boolean;
  error?: string;
}

export interface ChannelManagerDeps {
  config: Config;
  env: Env;
  credentialsDir: string;
  chat: ChatService;
  logger: Logger;
  redactor: Redactor;
  broadcast(event: string, payload: unknown): void;
  /** Channels provided by plugins, by channel id; configured under channels.custom.<id>. */
  pluginChannels?: ReadonlyMap<string, PluginChannelFactory>;
  /** Waits between send retries (tests shorten it). */
  sleep?: (ms: number) => Promise<void>;
}

async function createAdapter(channel: ChannelId, cfg: ChannelConfig & { apiRoot?: string; apiUrl?: string; mode?: "socket" | "http"; httpPort?: number; httpHost?: string }, secrets: ChannelSecrets, onError: (e: unknown) => void): Promise<ChannelAdapter> {
  if (!secrets.botToken) throw new Error(`no bot token: run simpleclaw channels add ${channel} or set the token in the environment`);
  switch (channel) {
    case "telegram": {
      const { createTelegramAdapter } = await import("./telegram.js");
      return createTelegramAdapter({ token: secrets.botToken, ...(cfg.apiRoot ? { apiRoot: cfg.apiRoot } : {}), onError });
    }
    case "discord": {
      const { createDiscordAdapter } = await import("./discord.js");
      return createDiscordAdapter({ botToken: secrets.botToken, ...(cfg.apiUrl ? { apiUrl: cfg.apiUrl } : {}), onError });
    }
    case "slack": {
      const { createSlackAdapter } = await import("./slack.js");
      const api = cfg.apiUrl ? { apiUrl: cfg.apiUrl } : {};
      if (cfg.mode === "http") {
        if (!secrets.signingSecret) throw new Error("Slack HTTP events need the signing secret: run simpleclaw channels add slack --signing-secret …");
        return createSlackAdapter({ botToken: secrets.botToken, signingSecret: secrets.signingSecret, ...api, mode: "http", httpPort: cfg.httpPort ?? 3000, httpHost: cfg.httpHost ?? "127.0.0.1", onError });
      }
      if (!secrets.appToken) throw new Error("Slack Socket Mode needs an app-level token (xapp-…): run simpleclaw channels add slack --app-token …");
      return createSlackAdapter({ botToken: secrets.botToken, appToken: secrets.appToken, ...api, mode: "socket", onError });
    }
  }
}

export class ChannelManager {
  private adapters = new Map<ChannelName, ChannelAdapter>();
  private statuses = new Map<ChannelName, ChannelStatus>();
  private seen = new Set<string>();
  readonly pairing: PairingStore;

  constructor(private deps: ChannelManagerDeps) {
    this.pairing = new PairingStore(deps.credentialsDir);
  }

  /** Config hot reload (gateway/reload.ts): access decisions from now on use `config`. */
  setConfig(config: Config): void {
    this.deps.config = config;
  }

  private cfg(channel: ChannelName): ChannelConfig | undefined {
    return channelConfig(this.deps.config, channel);
  }

  /** Built-in channels, then the plugin channels configured under channels.custom. */
  private names(): ChannelName[] {
    return channelNames(this.deps.config);
  }

  private async createAny(channel: ChannelName, cfg: ChannelConfig, onError: (e: unknown) => void): Promise<ChannelAdapter> {
    if (isBuiltinChannel(channel)) {
      const secrets = readChannelSecrets(this.deps.credentialsDir, channel, this.deps.env, { botToken: cfg.botToken, ...("appToken" in cfg ? { appToken: cfg.appToken as string | undefined } : {}) });
      this.deps.redactor.add(Object.values(secrets));
      return createAdapter(channel, cfg, secrets, onError);
    }
    const factory = this.deps.pluginChannels?.get(channel);
    if (!factory) throw new Error(`no loaded plugin provides channel "${channel}" (see simpleclaw plugins list)`);
    const adapter = await factory.create({ onError });
    if (adapter?.id !== channel) throw new Error(`plugin ${factory.pluginId} returned an adapter for "${String(adapter?.id)}", not "${channel}"`);
    return adapter;
  }

  async start(): Promise<void> {
    await Promise.all(
      this.names().map(async (channel) => {
        const cfg = this.cfg(channel);
        if (!cfg?.enabled) {
          this.statuses.set(channel, { channel, enabled: false, running: false });
          return;
        }
        try {
          const adapter = await this.createAny(channel, cfg, (e) => this.deps.logger.warn(`${channel} adapter error`, { err: this.message(e) }));
          await adapter.start((m) => void this.handle(adapter, m));
          this.adapters.set(channel, adapter);
          this.statuses.set(channel, { channel, enabled: true, running: true });
          this.deps.logger.info(`${channel} connected`);
        } catch (err) {
          const error = this.message(err);
          this.statuses.set(channel, { channel, enabled: true, running: false, error });
          this.deps.logger.error(`${channel} failed to start`, { err: error });
        }
      }),
    );
  }

  status(): ChannelStatus[] {
    return this.names().map((c) => this.statuses.get(c) ?? { channel: c, enabled: !!this.cfg(c)?.enabled, running: false });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.adapters.values()].map((a) => a.stop().catch(() => {})));
    this.adapters.clear();
  }

  private message(err: unknown): string {
    return this.deps.redactor.text(err instanceof Error ? err.message : String(err));
  }

  /**
   * A channel's access config and approved senders as of now: what a scheduled job's
   * delivery decision (security/cron-policy.ts) reads, the same data decideAccess reads
   * for every inbound message. Throws when the approved-senders file cannot be read.
   */
  accessFor(channel: ChannelName): { cfg: ChannelConfig | undefined; state: AccessState } {
    return { cfg: this.cfg(channel), state: this.accessState(channel) };
  }

  /**
   * Send a text to a chat on a running channel (chunked, 429/5xx retried): scheduled jobs'
   * replies. The caller has already asked the delivery policy; this only transports.
   */
  async sendTo(channel: ChannelName, chatId: string, text: string, opts: SendOptions = {}): Promise<{ ok: true } | { ok: false; error: string }> {
    const adapter = this.adapters.get(channel);
    if (!adapter) return { ok: false, error: `channel ${channel} is not running${this.statuses.get(channel)?.error ? ` (${this.statuses.get(channel)!.error})` : ""}` };
    return (await this.deliver(adapter, { chatId }, text, opts)) ? { ok: true } : { ok: false, error: `sending to ${channel} chat ${chatId} failed (see the gateway log)` };
  }

  private accessState(channel: ChannelName): AccessState {
    const approved = this.pairing.approved(channel);
    return { approved: new Set(approved.map((a) => a.id)), approvedOwners: new Set(approved.filter((a) => a.owner).map((a) => a.id)) };
  }

  private firstTime(m: InboundMessage): boolean {
    const key = `${m.channel}:${m.accountId}:${m.messageId}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > DEDUPE_MAX) this.seen.delete(this.seen.values().next().value!);
    return true;
  }

  /** One inbound message, start to end. Public for tests of the core against a real adapter. */
  async handle(adapter: ChannelAdapter, m: InboundMessage): Promise<void> {
    if (m.channel !== adapter.id) {
      // An adapter speaks for its own channel only: it cannot borrow another channel's policy.
      this.deps.logger.warn("channel message dropped: adapter claimed another channel", { adapter: adapter.id, claimed: m.channel });
      return;
    }
    if (!this.firstTime(m)) return;
    const cfg = this.cfg(m.channel);
    if (!cfg?.enabled) return;
    let state: AccessState;
    try {
      state = this.accessState(m.channel);
    } catch (err) {
      this.deps.logger.error("cannot read the approved senders; dropping the message", { channel: m.channel, err: this.message(err) });
      return;
    }
    const decision = decideAccess(m, cfg, state);
    if (decision.action === "drop") {
      this.deps.logger.debug("channel message dropped", { channel: m.channel, sender: m.sender.id, chat: m.chat.id, reason: decision.reason });
      return;
    }
    if (decision.action === "pair") return this.pair(adapter, m, cfg, state);

    const agent = defaultAgent(this.deps.config);
    const sessionKey =
      m.chat.type === "direct"
        ? directSessionKey(agent.id, this.deps.config.session.dmScope, m.channel, m.sender.id, decision.owner)
        : groupSessionKey(agent.id, m.channel, m.chat.id);
    const target: OutboundTarget = {
      chatId: m.chat.id,
      ...(m.chat.threadId ? { threadId: m.chat.threadId } : {}),
      ...(m.chat.type === "group" ? { replyTo: m.messageId } : {}),
    };
    void adapter.sendTyping?.(target).catch(() => {});
    try {
      this.deps.chat.send({
        sessionKey,
        message: m.text,
        idempotencyKey: `${m.channel}:${m.accountId}:${m.messageId}`,
        origin: { kind: "channel", channel: m.channel, peer: m.sender.id, owner: decision.owner, chat: m.chat.type === "direct" ? "direct" : "group" },
        listener: (e: ChatEvent) => {
          if (e.state === "final" && e.text) void this.deliver(adapter, target, e.text);
          else if (e.state === "error") void this.deliver(adapter, target, `Sorry, that failed: ${e.message}`);
          else if (e.state === "status" && e.approval && m.chat.type === "direct" && decision.owner) void this.deliver(adapter, target, approvalPrompt(e.approval), { literal: true });
        },
      });
    } catch (err) {
      this.deps.logger.warn("channel message refused", { channel: m.channel, err: this.message(err) });
      await this.deliver(adapter, target, `Sorry: ${this.message(err)}`);
    }
  }

  private async pair(adapter: ChannelAdapter, m: InboundMessage, cfg: ChannelConfig, state: AccessState): Promise<void> {
    const owner = cfg.owners.includes(m.sender.id);
    const step = this.pairing.request(m.channel, { id: m.sender.id, ...(m.sender.name ? { name: m.sender.name } : {}), ...(owner ? { owner } : {}) });
    if (step.kind === "full") {
      // The operator must hear about a full queue: it is how throwaway accounts lock out a new sender.
      this.deps.logger.warn(`pairing queue full on ${m.channel}: a new sender got no code; see simpleclaw pairing list ${m.channel}, clear it with simpleclaw pairing clear ${m.channel}`, {
        channel: m.channel,
        sender: m.sender.id,
        pending: step.requests.length,
        turnedAway: step.turnedAway?.count,
      });
      if (step.firstTurnedAway) {
        const owners = channelOwners(cfg, state.approvedOwners);
        for (const o of owners) {
          await this.deliver(adapter, { chatId: o }, `The pairing queue on ${m.channel} is full (${step.requests.length} pending), so a new sender got no code. Review it with: simpleclaw pairing list ${m.channel}; clear it with: simpleclaw pairing clear ${m.channel}`);
        }
      }
      return;
    }
    if (step.kind !== "issued") {
      this.deps.logger.info("pairing: unknown sender ignored", { channel: m.channel, sender: m.sender.id, why: step.kind });
      return;
    }
    const { code, expiresAt, senderName } = step.request;
    const who = `${senderName ? `${senderName} ` : ""}(id ${escapeForDisplay(m.sender.id, { oneLine: true })})`;
    this.deps.logger.info("pairing requested", { channel: m.channel, sender: m.sender.id, name: m.sender.name, code });
    this.deps.broadcast("pairing.requested", { channel: m.channel, code, senderId: m.sender.id, senderName: senderName ?? null, expiresAt });
    await this.deliver(
      adapter,
      { chatId: m.chat.id },
      `Hi! I only talk to people my owner has approved. Your pairing code is ${code} (valid for ${CODE_TTL_MS / 3_600_000} hour). Ask my owner to approve it.`,
    );
    const owners = channelOwners(cfg, state.approvedOwners);
    for (const owner of owners) {
      await this.deliver(adapter, { chatId: owner }, `Pairing request on ${m.channel} from ${who}. Approve with: simpleclaw pairing approve ${m.channel} ${code}`);
    }
  }

  /** Chunk to the platform limit and send each part, retrying 429/5xx with backoff. */
  async deliver(adapter: ChannelAdapter, target: OutboundTarget, text: string, opts: SendOptions = {}): Promise<boolean> {
    const sleep = this.deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
    // A literal text may come out up to twice as long once the adapter escapes it.
    for (const part of chunkText(text, opts.literal ? Math.floor(adapter.textLimit / 2) : adapter.textLimit)) {
      for (let attempt = 1; ; attempt++) {
        try {
          await adapter.sendText(target, part, opts);
          break;
        } catch (err) {
          const retryable = err instanceof ChannelSendError && (err.status === 429 || (err.status ?? 0) >= 500);
          if (!retryable || attempt >= SEND_ATTEMPTS) {
            this.deps.logger.warn("channel send failed", { channel: adapter.id, chat: target.chatId, err: this.message(err) });
            return false;
          }
          const wait = err.retryAfterMs ?? 500 * 2 ** (attempt - 1);
          await sleep(Math.min(wait, 60_000));
        }
      }
    }
    return true;
  }
}

/** The approval prompt a chat owner gets, built from the structured request (never from status text). */
export function approvalPrompt(a: { id: string; command: string; expiresAt: number }, now = Date.now()): string {
  const secs = Math.max(0, Math.round((a.expiresAt - now) / 1000));
  return `Approval needed (${secs} s): ${escapeForDisplay(a.command)}\nAnswer with /approve ${a.id} or /deny ${a.id}`;
}
