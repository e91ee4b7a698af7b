// Telegram adapter on grammY's Bot API client. Inbound: our own getUpdates long-poll loop
// (not bot.start), so stop() can abort the held request and resolve at once. Only
// `message` updates with text from humans are delivered; edits, channel posts, media
// without text and bot authors are ignored.
//
// Outbound text is sent without parse_mode: model output is never interpreted as markup.
// grammY's built-in retries are not used, so the core's retry loop (manager.ts) is the only
// one and sees the server's retry_after. Error messages never contain the bot token (node-fetch
// errors name the request URL, which embeds it).
import { Bot, GrammyError, HttpError } from "grammy";
import type { Message, MessageEntity, Update, UserFromGetMe } from "grammy/types";
import { ChannelSendError, type ChannelAdapter, type InboundMessage, type OutboundTarget } from "./types.js";

export interface TelegramAdapterOptions {
  token: string;
  /** Bot API root without a trailing slash, default https://api.telegram.org */
  apiRoot?: string;
  /** getUpdates long-poll timeout, default 30 s. */
  pollTimeoutSeconds?: number;
  onError?: (err: unknown) => void;
}

const DEFAULT_POLL_TIMEOUT_S = 30;
const STOP_TIMEOUT_MS = 3000;
const CONFIRM_TIMEOUT_MS = 2000;
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 30_000;

/** Replaces every occurrence of the token (and its URL-encoded form) in a message. */
function redactor(token: string): (s: string) => string {
  const forms = [...new Set([token, encodeURIComponent(token)])].filter((f) => f.length > 0);
  return (s) => forms.reduce((acc, f) => acc.split(f).join("<redacted>"), s);
}

function describe(e: unknown): string {
  if (e instanceof GrammyError) return `${e.error_code}: ${e.description}`;
  if (e instanceof HttpError) {
    const inner = e.error instanceof Error ? e.error.message : e.error !== undefined ? String(e.error) : "";
    return inner ? `${e.message} (${inner})` : e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

/** chat_id as the Bot API wants it: integer ids as numbers, @channelusername as is. */
function chatIdParam(chatId: string): number | string {
  return /^-?\d+$/.test(chatId) ? Number(chatId) : chatId;
}

/** The Telegram message id in "chatId:messageId" (or a bare id). */
function messageIdPart(id: string): number | undefined {
  const tail = id.slice(id.lastIndexOf(":") + 1);
  return /^\d+$/.test(tail) ? Number(tail) : undefined;
}

function isAbort(e: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (e instanceof HttpError && e.error instanceof Error && e.error.name === "AbortError");
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}

/** grammY types its signal parameter with the abort-controller polyfill; Node's own works at runtime. */
type ApiSignal = Parameters<Bot["api"]["getMe"]>[0];
const apiSignal = (s: AbortSignal) => s as unknown as ApiSignal;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** What the agent sees before a forwarded message's text (and why it is not a command). */
export const FORWARDED_LABEL = "[Forwarded message: written by someone else, passed on by the sender]";

export function createTelegramAdapter(opts: TelegramAdapterOptions): ChannelAdapter {
  if (!opts.token) throw new Error("Telegram needs a bot token");
  const onError = opts.onError ?? (() => {});
  const pollTimeout = Math.max(0, Math.floor(opts.pollTimeoutSeconds ?? DEFAULT_POLL_TIMEOUT_S));
  const redact = redactor(opts.token);
  const bot = new Bot(opts.token, {
    client: {
      ...(opts.apiRoot ? { apiRoot: opts.apiRoot.replace(/\/+$/, "") } : {}),
      // Covers the held getUpdates plus slack; also bounds a hung sendMessage.
      timeoutSeconds: pollTimeout + 15,
    },
  });

  let me: UserFromGetMe | undefined;
  let controller: AbortController | undefined;
  let loop: Promise<void> | undefined;
  /** Next update_id to ask for; updates below it have been handed to onMessage. */
  let offset: number | undefined;
  /** offset as last sent to the server (which confirms everything below it). */
  let confirmed: number | undefined;

  const report = (e: unknown, what: string) => onError(new Error(redact(`telegram ${what}: ${describe(e)}`)));

  function textMentions(text: string, entities: MessageEntity[] | undefined, botId: number, username: string): boolean {
    const lower = `@${username.toLowerCase()}`;
    for (const e of entities ?? []) {
      if (e.type === "text_mention" && e.user.id === botId) return true;
      if (e.type === "mention" && text.slice(e.offset, e.offset + e.length).toLowerCase() === lower) return true;
      if (e.type === "bot_command" && text.slice(e.offset, e.offset + e.length).toLowerCase().endsWith(lower)) return true;
    }
    // Entities are always sent by Telegram; this only covers clients/fakes that omit them.
    if (!entities?.length && username) return new RegExp(`@${escapeRe(username)}(?![A-Za-z0-9_])`, "i").test(text);
    return false;
  }

  function normalize(msg: Message, bot_: UserFromGetMe): InboundMessage | undefined {
    const from = msg.from;
    if (!from || from.is_bot) return undefined;
    // Posted on behalf of a chat, not by a person: a linked channel's automatic forward into its
    // discussion group comes "from" the shared service account 777000 (is_bot false). No user id
    // stands behind it for access control, so it is not a sender.
    if (msg.sender_chat !== undefined || msg.is_automatic_forward) return undefined;
    if (typeof msg.text !== "string") return undefined;
    const group = msg.chat.type !== "private";
    const username = bot_.username ?? "";
    let text = msg.text;
    let mentioned = textMentions(text, msg.entities, bot_.id, username);
    // A reply to one of the bot's messages counts. In a forum topic Telegram makes every message
    // that replies to nothing a "reply" to the topic's creation service message: when the bot
    // created the topic, that is not anyone answering the bot.
    const repliedTo = msg.reply_to_message;
    if (!mentioned && repliedTo?.from?.id === bot_.id && repliedTo.forum_topic_created === undefined) mentioned = true;
    // A forwarded message is someone else's words passed on (Telegram keeps its text and entities):
    // the forwarder did not write it, so it is no chat command (a forwarded "/approve …" or
    // "/cron approve …" is not the owner typing it), no mention of the bot, and the agent is told.
    if (msg.forward_origin !== undefined) {
      text = `${FORWARDED_LABEL}\n${text}`;
      mentioned = false;
    } else if (group && username) {
      const u = escapeRe(username);
      // "@bot what's up" → "what's up"; "/help@bot args" → "/help args".
      text = text
        .replace(new RegExp(`^\\s*@${u}(?![A-Za-z0-9_])[\\s,:]*`, "i"), "")
        .replace(new RegExp(`^(/[A-Za-z0-9_]+)@${u}(?![A-Za-z0-9_])`, "i"), "$1")
        .trim();
    }
    const name = [from.first_name, from.last_name].filter((s) => s && s.trim()).join(" ").trim() || from.username;
    const m: InboundMessage = {
      channel: "telegram",
      accountId: String(bot_.id),
      messageId: `${msg.chat.id}:${msg.message_id}`,
      sender: name ? { id: String(from.id), name } : { id: String(from.id) },
      chat: { type: group ? "group" : "direct", id: String(msg.chat.id) },
      text,
      mentioned,
    };
    if (msg.is_topic_message && msg.message_thread_id !== undefined) m.chat.threadId = String(msg.message_thread_id);
    return m;
  }

  function handle(u: Update, bot_: UserFromGetMe, onMessage: (m: InboundMessage) => void): void {
    if (!u.message) return;
    try {
      const m = normalize(u.message, bot_);
      if (m) onMessage(m);
    } catch (e) {
      report(e, "message handler failed");
    }
  }

  async function poll(signal: AbortSignal, bot_: UserFromGetMe, onMessage: (m: InboundMessage) => void): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      let updates: Update[];
      try {
        const sentOffset = offset;
        updates = await bot.api.getUpdates(
          { ...(offset !== undefined ? { offset } : {}), timeout: pollTimeout, allowed_updates: ["message"] },
          apiSignal(signal),
        );
        confirmed = sentOffset;
        failures = 0;
      } catch (e) {
        if (isAbort(e, signal)) return;
        failures += 1;
        let wait = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (failures - 1));
        if (e instanceof GrammyError) {
          if (e.error_code === 401 || e.error_code === 404) {
            report(e, "getUpdates failed, polling stopped (bot token revoked?)");
            return;
          }
          if (e.error_code === 429 && e.parameters.retry_after) wait = e.parameters.retry_after * 1000;
        }
        report(e, "getUpdates failed");
        await sleep(wait, signal);
        continue;
      }
      for (const u of updates) {
        if (signal.aborted) return;
        if (offset !== undefined && u.update_id < offset) continue;
        offset = u.update_id + 1;
        handle(u, bot_, onMessage);
      }
    }
  }

  /** Tells the server which updates we handled, so a restart doesn't see them again. */
  async function confirm(): Promise<void> {
    if (offset === undefined || offset === confirmed) return;
    try {
      await bot.api.getUpdates({ offset, limit: 1, timeout: 0, allowed_updates: ["message"] }, apiSignal(AbortSignal.timeout(CONFIRM_TIMEOUT_MS)));
      confirmed = offset;
    } catch (e) {
      report(e, "confirming updates on stop failed");
    }
  }

  function toSendError(e: unknown, method: string): ChannelSendError {
    if (e instanceof GrammyError) {
      const msg = redact(`telegram ${method}: ${e.error_code}: ${e.description}`);
      if (e.error_code === 429) {
        const ra = e.parameters.retry_after;
        return new ChannelSendError(msg, 429, typeof ra === "number" ? ra * 1000 : undefined);
      }
      return new ChannelSendError(msg, e.error_code);
    }
    if (e instanceof HttpError) {
      // No HTTP response (connection refused/reset, timeout, non-JSON body): transient, retryable.
      return new ChannelSendError(redact(`telegram ${method}: ${describe(e)}`), 503);
    }
    return new ChannelSendError(redact(`telegram ${method}: ${describe(e)}`));
  }

  return {
    id: "telegram",
    textLimit: 4096,

    async start(onMessage: (m: InboundMessage) => void): Promise<void> {
      if (controller) throw new Error("telegram adapter already started");
      const ctl = new AbortController();
      controller = ctl;
      try {
        try {
          me = await bot.api.getMe(apiSignal(ctl.signal));
        } catch (e) {
          if (ctl.signal.aborted) throw new Error("telegram adapter stopped while starting");
          if (e instanceof GrammyError) {
            throw new Error(
              e.error_code === 401
                ? `Telegram rejected the bot token (getMe: 401 ${e.description})`
                : redact(`Telegram getMe failed: ${e.error_code} ${e.description}`),
            );
          }
          throw new Error(redact(`Telegram getMe failed: ${describe(e)}`));
        }
        bot.botInfo = me;
        // getUpdates is refused (409) while a webhook is set; keep pending updates.
        try {
          await bot.api.deleteWebhook({ drop_pending_updates: false }, apiSignal(ctl.signal));
        } catch (e) {
          if (ctl.signal.aborted) throw new Error("telegram adapter stopped while starting");
          throw new Error(redact(`Telegram deleteWebhook failed: ${describe(e)}`));
        }
        if (ctl.signal.aborted) throw new Error("telegram adapter stopped while starting");
      } catch (e) {
        if (controller === ctl) controller = undefined;
        throw e;
      }
      const bot_ = me;
      loop = poll(ctl.signal, bot_, onMessage).catch((e: unknown) => report(e, "polling loop crashed"));
    },

    async stop(): Promise<void> {
      const ctl = controller;
      const l = loop;
      controller = undefined;
      loop = undefined;
      if (!ctl) return;
      ctl.abort();
      if (!l) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_TIMEOUT_MS);
        timer.unref?.();
      });
      try {
        await Promise.race([l.then(confirm), timeout]);
      } finally {
        if (timer) clearTimeout(timer);
      }
    },

    // Always sent without parse_mode, so every text is already shown literally.
    async sendText(target: OutboundTarget, text: string): Promise<void> {
      const threadId = target.threadId !== undefined && /^\d+$/.test(target.threadId) ? Number(target.threadId) : undefined;
      const replyId = target.replyTo !== undefined ? messageIdPart(target.replyTo) : undefined;
      try {
        await bot.api.sendMessage(chatIdParam(target.chatId), text, {
          ...(threadId !== undefined ? { message_thread_id: threadId } : {}),
          ...(replyId !== undefined ? { reply_parameters: { message_id: replyId, allow_sending_without_reply: true } } : {}),
        });
      } catch (e) {
        throw toSendError(e, "sendMessage");
      }
    },

    async sendTyping(target: OutboundTarget): Promise<void> {
      const threadId = target.threadId !== undefined && /^\d+$/.test(target.threadId) ? Number(target.threadId) : undefined;
      try {
        await bot.api.sendChatAction(chatIdParam(target.chatId), "typing", threadId !== undefined ? { message_thread_id: threadId } : {});
      } catch (e) {
        throw toSendError(e, "sendChatAction");
      }
    },
  };
}
