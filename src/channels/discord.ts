// Discord adapter on discord.js v14: a gateway connection (intents Guilds, GuildMessages,
// DirectMessages and the privileged MessageContent, which must be enabled for the bot in
// the Developer Portal) for inbound messages, and discord.js' REST client for sending.
//
// Normalization (InboundMessage):
//   - messageId  `${channelId}:${messageId}` (the channel the message was posted in; a
//                thread's own id for thread messages). Discord message ids are global, but
//                the channel prefix lets replyTo carry both.
//   - DMs        chat { type: "direct", id: <DM channel id> }. The DM channel id differs from
//                the user id; sendText also accepts a *user* id as chatId (the core sends
//                owner notifications that way) and opens the DM channel for it.
//   - guilds     chat { type: "group", id: <text channel id> }. Channel ids are globally
//                unique snowflakes, so `channels.discord.groups` is keyed by channel id
//                alone; the guild id is not part of chat.id (allowlisting a whole guild
//                means listing its channels, or "*" with groupPolicy open).
//   - threads    chat { type: "group", id: <parent channel id>, threadId: <thread id> }, so
//                the parent channel's `groups` entry (allow, requireMention, allowFrom)
//                governs its threads and all threads share the channel's session. Replies
//                go to the thread (sendText/sendTyping post to threadId when given). A thread
//                discord.js has no record of (so no parent) is looked up over REST first, and
//                dropped if its parent stays unknown: never a group of its own.
//   - mentioned  the bot user is in the message's mentions, or the bot's managed role is,
//                or the message replies to one of the bot's messages. `<@BOTID>`,
//                `<@!BOTID>` and `<@&BOTROLE>` are stripped from the text.
//   - ignored    bots (incl. ourselves), webhooks, system messages (joins, pins, ...) and
//                messages with no text.
//
// Sending: REST retries are off and every rate limit rejects (RateLimitError) instead of
// sleeping, so the core's retry loop (manager.ts) is the only one and sees the wait.
// Every message is sent with allowed_mentions { parse: [], replied_user: false }: model
// output can never ping @everyone, @here, roles or users.
import {
  ChannelType,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  HTTPError,
  MessageType,
  Options,
  Partials,
  RateLimitError,
  type Message,
  type SendableChannels,
} from "discord.js";
import { ChannelSendError, type ChannelAdapter, type InboundMessage, type OutboundTarget, type SendOptions } from "./types.js";

export interface DiscordAdapterOptions {
  botToken: string;
  /** REST base without the version, default https://discord.com/api (the gateway URL comes from GET /gateway/bot). */
  apiUrl?: string;
  onError?: (e: unknown) => void;
}

const DEFAULT_API_URL = "https://discord.com/api";
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 3000;
const REST_TIMEOUT_MS = 15_000;
/** user id → DM channel id, for sends addressed to a user. */
const DM_CACHE_MAX = 1000;

/** Discord JSON error codes we react to. */
const UNKNOWN_CHANNEL = 10003;

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isTokenRejection(e: unknown): boolean {
  if (e instanceof DiscordAPIError || e instanceof HTTPError) return e.status === 401;
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    if (code === "TokenInvalid") return true;
    if (/^Authentication failed/i.test(e.message)) return true;
  }
  return false;
}

/** Maps a REST failure to ChannelSendError (429 with the wait in ms, HTTP status otherwise). */
function toSendError(e: unknown, what: string): Error {
  if (e instanceof ChannelSendError) return e;
  if (e instanceof RateLimitError) {
    const wait = e.retryAfter > 0 ? e.retryAfter : e.timeToReset > 0 ? e.timeToReset : undefined;
    return new ChannelSendError(`discord ${what}: rate limited${wait !== undefined ? ` (retry after ${wait}ms)` : ""}${e.global ? " (global)" : ""}`, 429, wait);
  }
  if (e instanceof HTTPError) return new ChannelSendError(`discord ${what}: HTTP ${e.status}`, e.status);
  if (e instanceof DiscordAPIError) return new ChannelSendError(`discord ${what}: HTTP ${e.status}: ${e.message}`, e.status);
  return new ChannelSendError(`discord ${what}: ${errorMessage(e)}`);
}

/** The platform message id inside a "channelId:messageId" InboundMessage id (or a bare id). */
function messageIdPart(id: string): string | undefined {
  const part = id.includes(":") ? id.slice(id.lastIndexOf(":") + 1) : id;
  return /^\d+$/.test(part) ? part : undefined;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function createDiscordAdapter(opts: DiscordAdapterOptions): ChannelAdapter {
  const onError = opts.onError ?? (() => {});
  const apiUrl = (opts.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, "");
  const token = opts.botToken.replace(/^(Bot|Bearer)\s+/i, "");
  /** Never let the token reach a log line or an error message. */
  const redact = (s: string) => (token ? s.split(token).join("[redacted]") : s);
  const report = (e: unknown) => onError(e instanceof Error ? Object.assign(new Error(redact(e.message)), { name: e.name }) : new Error(redact(String(e))));

  let client: Client | undefined;
  let stopping = false;
  const dmChannels = new Map<string, string>();

  function makeClient(): Client {
    return new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages, GatewayIntentBits.MessageContent],
      // DM channels are not in any cache until fetched; without this their messages are dropped.
      partials: [Partials.Channel],
      // Nothing we send may ping anyone (also set per message below).
      allowedMentions: { parse: [], repliedUser: false },
      makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 25 }),
      rest: {
        api: apiUrl,
        version: "10",
        retries: 0,
        rejectOnRateLimit: () => true,
        timeout: REST_TIMEOUT_MS,
      },
    });
  }

  async function normalize(c: Client<true>, msg: Message): Promise<InboundMessage | undefined> {
    const botId = c.user.id;
    if (msg.author.bot || msg.author.id === botId || msg.webhookId) return undefined;
    if (msg.system || (msg.type !== MessageType.Default && msg.type !== MessageType.Reply)) return undefined;
    let channel = msg.channel;
    const direct = !msg.guildId && (channel.type === ChannelType.DM || channel.partial || !("guild" in channel));
    if (!direct && channel.isThread() && !channel.parentId) {
      // discord.js built this thread from the message alone: its cache had no record of it (archived
      // threads are swept; a THREAD_CREATE may never have come), so it does not know the parent whose
      // `groups` entry governs the thread. Ask Discord; a thread whose parent stays unknown is dropped,
      // never treated as a group of its own.
      const fetched = await c.channels.fetch(channel.id, { force: true }).catch((e: unknown) => {
        report(new Error(`discord: cannot look up thread ${channel.id}, message dropped: ${errorMessage(e)}`));
        return null;
      });
      if (!fetched?.isThread() || !fetched.parentId) return undefined;
      channel = fetched;
    }

    let text = msg.content ?? "";
    let mentioned = msg.mentions.users.has(botId) || msg.mentions.repliedUser?.id === botId;
    const botRole = msg.guild?.roles.botRoleFor(botId) ?? null;
    if (botRole && msg.mentions.roles.has(botRole.id)) mentioned = true;
    const patterns = [`<@!?${escapeRe(botId)}>`];
    if (botRole) patterns.push(`<@&${escapeRe(botRole.id)}>`);
    const re = new RegExp(patterns.join("|"), "g");
    if (re.test(text)) {
      mentioned = true;
      text = text.replace(re, " ").replace(/[ \t]{2,}/g, " ").trim();
    }
    text = text.trim();
    if (!text) return undefined;

    const name = msg.author.globalName ?? msg.author.username;
    const m: InboundMessage = {
      channel: "discord",
      accountId: botId,
      messageId: `${msg.channelId}:${msg.id}`,
      sender: name ? { id: msg.author.id, name } : { id: msg.author.id },
      chat: { type: direct ? "direct" : "group", id: msg.channelId },
      text,
      mentioned,
    };
    if (!direct && channel.isThread()) {
      m.chat.id = channel.parentId!;
      m.chat.threadId = channel.id;
    }
    return m;
  }

  /** The channel to post to: a cached or fetched channel, or (for a user id) the DM channel with that user. */
  async function resolveChannel(c: Client, id: string, what: string): Promise<SendableChannels> {
    const dm = dmChannels.get(id);
    let channel = c.channels.cache.get(dm ?? id) ?? null;
    if (!channel) {
      try {
        channel = await c.channels.fetch(dm ?? id);
      } catch (e) {
        const unknown = e instanceof DiscordAPIError && (e.code === UNKNOWN_CHANNEL || e.status === 404);
        if (!unknown || dm) throw toSendError(e, what);
        // Not a channel: snowflakes are unique across kinds, so try it as a user id.
        try {
          const dmChannel = await c.users.createDM(id);
          dmChannels.set(id, dmChannel.id);
          if (dmChannels.size > DM_CACHE_MAX) dmChannels.delete(dmChannels.keys().next().value!);
          return dmChannel;
        } catch (e2) {
          throw toSendError(e2, what);
        }
      }
    }
    if (!channel || !channel.isSendable()) throw new ChannelSendError(`discord ${what}: channel ${id} is not a text channel the bot can post in`);
    return channel;
  }

  function connected(what: string): Client {
    if (!client || stopping) throw new ChannelSendError(`discord ${what}: not connected`);
    return client;
  }

  return {
    id: "discord",
    textLimit: 2000,

    async start(onMessage: (m: InboundMessage) => void): Promise<void> {
      if (client) throw new Error("discord adapter already started");
      if (!token) throw new Error("Discord bot token is empty");
      stopping = false;
      const c = makeClient();
      client = c;

      c.on(Events.Error, (e) => report(e));
      c.on(Events.ShardError, (e) => report(e));
      c.on(Events.Warn, (w) => report(new Error(`discord: ${w}`)));
      c.on(Events.MessageCreate, (msg) => {
        if (!c.isReady()) return;
        void normalize(c, msg)
          .then((m) => m && onMessage(m))
          .catch((e: unknown) => report(e));
      });

      let timer: NodeJS.Timeout | undefined;
      const ready = new Promise<void>((resolve, reject) => {
        c.once(Events.ClientReady, () => resolve());
        c.on(Events.ShardDisconnect, (ev) => {
          // Unrecoverable close codes (4004 authentication, 4014 disallowed intents, ...).
          const code = (ev as { code?: number }).code;
          if (!c.isReady()) reject(Object.assign(new Error(`gateway closed with code ${code}`), { closeCode: code }));
          else report(new Error(`discord: gateway closed for good (code ${code}); restart the channel`));
        });
        timer = setTimeout(() => reject(new Error(`not ready after ${START_TIMEOUT_MS / 1000}s`)), START_TIMEOUT_MS);
        timer.unref?.();
      });
      try {
        await Promise.all([c.login(token), ready]);
      } catch (e) {
        client = undefined;
        await Promise.race([c.destroy().catch(() => {}), new Promise((r) => setTimeout(r, STOP_TIMEOUT_MS).unref?.())]);
        const closeCode = (e as { closeCode?: number }).closeCode;
        if (isTokenRejection(e) || closeCode === 4004) {
          throw new Error("Discord rejected the bot token (401 Unauthorized): check it with simpleclaw channels add discord");
        }
        if (closeCode === 4014 || /disallowed intents/i.test(errorMessage(e))) {
          throw new Error("Discord refused the gateway intents (4014): enable the Message Content intent for the bot in the Developer Portal");
        }
        throw new Error(`Discord login failed: ${redact(errorMessage(e))}`);
      } finally {
        if (timer) clearTimeout(timer);
      }
      if (stopping) {
        client = undefined;
        await c.destroy().catch(() => {});
        throw new Error("discord adapter stopped while starting");
      }
    },

    async stop(): Promise<void> {
      stopping = true;
      const c = client;
      client = undefined;
      dmChannels.clear();
      if (!c) return;
      c.removeAllListeners(Events.MessageCreate);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_TIMEOUT_MS);
        timer.unref?.();
      });
      try {
        await Promise.race([c.destroy().catch((e: unknown) => report(e)), timeout]);
      } finally {
        if (timer) clearTimeout(timer);
      }
    },

    async sendText(target: OutboundTarget, text: string, opts?: SendOptions): Promise<void> {
      const c = connected("send");
      const channel = await resolveChannel(c, target.threadId ?? target.chatId, "send");
      const replyId = target.replyTo !== undefined ? messageIdPart(target.replyTo) : undefined;
      try {
        await channel.send({
          content: opts?.literal ? escapeDiscordMarkdown(text) : text,
          allowedMentions: { parse: [], repliedUser: false },
          ...(replyId ? { reply: { messageReference: replyId, failIfNotExists: false } } : {}),
        });
      } catch (e) {
        throw toSendError(e, "send");
      }
    },

    async sendTyping(target: OutboundTarget): Promise<void> {
      const c = connected("typing");
      const channel = await resolveChannel(c, target.threadId ?? target.chatId, "typing");
      try {
        await channel.sendTyping();
      } catch (e) {
        throw toSendError(e, "typing");
      }
    },
  };
}

/**
 * Text Discord shows exactly as given: its Markdown reads a backslash before any ASCII
 * punctuation as "this character, literally", so every punctuation character gets one (no
 * italics from `*x*`, no masked links, mentions, headings, quotes or spoilers). At most doubles the length.
 */
export function escapeDiscordMarkdown(text: string): string {
  return text.replace(/[!-/:-@[-`{-~]/g, (c) => "\\" + c);
}
