// The channel adapter contract. An adapter only translates: platform events in,
// normalized InboundMessage out; text out through sendText. Access control, routing,
// sessions, queueing, chunking, retries and delivery belong to the core
// (channels/manager.ts), so no adapter can skip them.

/** The built-in channels. */
import type { ChannelId, ChannelName } from "../config/channels.js";

export type { ChannelId, ChannelName };
/** Any channel: a built-in one or one a plugin registered (channels.custom.<id>). */

export interface InboundMessage {
  channel: ChannelName;
  /** The bot account that received it (bot user id / team id); "default" when there is one. */
  accountId: string;
  /** Platform message id, unique within the chat (used for de-duplication). */
  messageId: string;
  /** Stable platform user id (never a display name) and, for humans, a display name. */
  sender: { id: string; name?: string; isBot?: boolean };
  chat: { type: "direct" | "group"; id: string; threadId?: string };
  text: string;
  /** The bot was @-mentioned, or the message replies to one of the bot's messages. */
  mentioned: boolean;
}

/** Where a reply goes. */
export interface OutboundTarget {
  chatId: string;
  threadId?: string;
  /** Platform message id to reply to, when the platform supports replies. */
  replyTo?: string;
}

/** Thrown by sendText for failures worth retrying (429 / 5xx), with the server's hint. */
export class ChannelSendError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "ChannelSendError";
  }
}

export interface SendOptions {
  literal?: boolean;
}

export interface ChannelAdapter {
  readonly id: ChannelName;
  /** Maximum characters per message on this platform (Telegram 4096, Discord 2000, Slack 4000). */
  readonly textLimit: number;
  /** Connects and starts delivering inbound messages; resolves once connected. */
  start(onMessage: (m: InboundMessage) => void): Promise<void>;
  stop(): Promise<void>;
  /**
   * Sends one message of at most textLimit characters (half of it when `literal`: escaping may
   * double it). Throws ChannelSendError on 429/5xx. `literal`: the client must show exactly this
   * text, with nothing read as markup, link or mention (an exec approval prompt: a `*` that
   * Markdown turns into italics would hide part of the command the owner approves).
   */
  sendText(target: OutboundTarget, text: string, opts?: SendOptions): Promise<void>;
  /** Shows a typing indicator where the platform has one. */
  sendTyping?(target: OutboundTarget): Promise<void>;
}

/**
 * Drives a fake platform server in tests, the same way for every channel: a user sends
 * a DM or a group message, and the test reads what the bot sent back.
 */
export interface ChannelFakeDriver {
  /** A DM from a user to the bot. Returns the platform message id. */
  sendDirect(user: { id: string; name?: string }, text: string): Promise<string>;
  /** A group/channel message; `mention` makes it @-mention the bot. */
  sendGroup(groupId: string, user: { id: string; name?: string }, text: string, opts?: { mention?: boolean; threadId?: string }): Promise<string>;
  /** Everything the bot sent, in order. */
  sent(): Array<{ chatId: string; text: string; threadId?: string; plain?: boolean }>;
  /** Make the next N sends fail with this HTTP status (and optional retry-after seconds). */
  failNextSends(n: number, status: number, retryAfterSeconds?: number): void;
}
