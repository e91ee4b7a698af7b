// A fake Telegram Bot API for tests, speaking the real wire format: `GET|POST
// /bot<token>/<method>` with JSON, urlencoded or query-string parameters; answers
// `{ok:true,result}` or `{ok:false,error_code,description,parameters?}` with the HTTP status
// equal to error_code. getUpdates long-polls (held up to `timeout` seconds until an update is
// queued), confirms by `offset`, honours `allowed_updates`, and — like Telegram — terminates an
// older held getUpdates with 409 when a second one arrives. The real grammY client runs
// against it unmodified via `client: { apiRoot }`.
//
// Chat and user ids are integers on the wire. Non-numeric ids given by a test (e.g. "G1") are
// passed through as strings so the shared channel tests can use readable ids.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChannelFakeDriver } from "../../src/channels/types.js";

export interface FakeTelegramOptions {
  token: string;
  /** Default "claw_bot". */
  botUsername?: string;
  /** Default 7000000001. */
  botId?: number;
  /** Default "Claw". */
  botFirstName?: string;
}

export interface TelegramApiRequest {
  method: string;
  params: Record<string, unknown>;
  /** Whether the path carried the right token. */
  authorized: boolean;
}

export interface FakeTelegramUser {
  id: string;
  /** "First Last" (split on the first space into first_name / last_name). */
  name?: string;
  username?: string;
  isBot?: boolean;
}

export type WireId = number | string;

export interface WireMessage {
  message_id: number;
  date: number;
  chat: { id: WireId; type: "private" | "group" | "supergroup" | "channel"; title?: string; first_name?: string; is_forum?: boolean };
  from?: { id: WireId; is_bot: boolean; first_name: string; last_name?: string; username?: string };
  text?: string;
  entities?: Array<{ type: string; offset: number; length: number; user?: unknown }>;
  message_thread_id?: number;
  is_topic_message?: boolean;
  reply_to_message?: WireMessage;
  [k: string]: unknown;
}

export interface WireUpdate {
  update_id: number;
  [k: string]: unknown;
}

export interface FakeTelegram extends ChannelFakeDriver {
  /** Pass as grammY's `client.apiRoot` (no trailing slash). */
  apiRoot: string;
  botId: number;
  botUsername: string;
  /** Every API call, in order (including unauthorized and unknown ones). */
  requests: TelegramApiRequest[];
  /** Every update ever queued, in order. */
  updates: WireUpdate[];
  /** Messages the bot sent successfully, as returned to it. */
  posted: WireMessage[];
  sendDirect(user: FakeTelegramUser, text: string, opts?: { replyTo?: number | string }): Promise<string>;
  sendGroup(
    groupId: string,
    user: FakeTelegramUser,
    text: string,
    opts?: { mention?: boolean; threadId?: string; replyTo?: number | string; type?: "group" | "supergroup" },
  ): Promise<string>;
  /** Queues a raw message update; message_id/date are filled in when absent. Returns "chatId:messageId". */
  injectMessage(message: Partial<WireMessage> & Pick<WireMessage, "chat">): string;
  /** Queues a raw update (update_id assigned). Returns the update_id. */
  injectUpdate(update: Record<string, unknown>): number;
  /** Queues an edited_message update for an earlier message ("chatId:messageId"). */
  editMessage(messageId: string, text: string): number;
  /** getUpdates requests currently held open. */
  heldPolls(): number;
  /** Queued updates not yet confirmed by offset. */
  pendingUpdates(): number;
  reset(): void;
  close(): Promise<void>;
}

const SEND_LIMIT = 4096;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Form / query values are strings; objects and arrays arrive JSON-encoded. */
function fromFormValue(v: string): unknown {
  if (/^[[{]/.test(v)) {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  }
  return v;
}

function parseParams(url: URL, raw: string, contentType: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of url.searchParams) out[k] = fromFormValue(v);
  if (!raw) return out;
  if (contentType?.includes("application/json")) {
    try {
      const v = JSON.parse(raw) as unknown;
      if (v && typeof v === "object") Object.assign(out, v);
    } catch {
      /* Telegram ignores unparsable bodies */
    }
  } else if (contentType?.includes("application/x-www-form-urlencoded")) {
    for (const [k, v] of new URLSearchParams(raw)) out[k] = fromFormValue(v);
  }
  return out;
}

function num(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
}

/** Integer ids go on the wire as numbers; anything else (test convenience) as given. */
function wireId(s: string): WireId {
  return /^-?\d+$/.test(s) ? Number(s) : s;
}

function splitName(user: FakeTelegramUser): { first_name: string; last_name?: string } {
  const name = (user.name ?? "").trim();
  if (!name) return { first_name: user.username ?? `User ${user.id}` };
  const i = name.indexOf(" ");
  return i < 0 ? { first_name: name } : { first_name: name.slice(0, i), last_name: name.slice(i + 1).trim() };
}

function errorDescription(status: number, retryAfter?: number): string {
  if (status === 429) return `Too Many Requests: retry after ${retryAfter ?? 1}`;
  if (status === 400) return "Bad Request";
  if (status === 401) return "Unauthorized";
  if (status === 403) return "Forbidden: bot was blocked by the user";
  if (status === 502) return "Bad Gateway";
  if (status >= 500) return "Internal Server Error";
  return `Error ${status}`;
}

/** The update's type: the one key besides update_id. */
function updateType(u: WireUpdate): string {
  return Object.keys(u).find((k) => k !== "update_id") ?? "";
}

interface HeldPoll {
  res: ServerResponse;
  limit: number;
  timer: NodeJS.Timeout;
}

export async function startFakeTelegram(opts: FakeTelegramOptions): Promise<FakeTelegram> {
  const botUsername = opts.botUsername ?? "claw_bot";
  const botId = opts.botId ?? 7000000001;
  const botUser = { id: botId, is_bot: true, first_name: opts.botFirstName ?? "Claw", username: botUsername };

  const requests: TelegramApiRequest[] = [];
  const updates: WireUpdate[] = [];
  const posted: WireMessage[] = [];
  const sentLog: Array<{ chatId: string; text: string; threadId?: string }> = [];
  const failures: Array<{ status: number; retryAfter?: number }> = [];
  /** Unconfirmed updates. */
  let queue: WireUpdate[] = [];
  const held = new Set<HeldPoll>();
  /** Known chats by String(id), and per-chat messages by message_id (for replies). */
  const chats = new Map<string, WireMessage["chat"]>();
  const messages = new Map<string, Map<number, WireMessage>>();
  const lastMessageId = new Map<string, number>();
  let nextUpdateId = 500_000_001;
  let allowedUpdates: string[] | undefined;
  let closed = false;

  const now = () => Math.floor(Date.now() / 1000);

  function send(res: ServerResponse, status: number, body: unknown): void {
    if (res.writableEnded || res.destroyed) return;
    const data = JSON.stringify(body);
    res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) });
    res.end(data);
  }
  const ok = (res: ServerResponse, result: unknown) => send(res, 200, { ok: true, result });
  const fail = (res: ServerResponse, status: number, description: string, parameters?: Record<string, unknown>) =>
    send(res, status, { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) });

  function allowed(u: WireUpdate): boolean {
    // Telegram's default (empty list) is every type except a few opt-in ones.
    if (!allowedUpdates || allowedUpdates.length === 0) return true;
    return allowedUpdates.includes(updateType(u));
  }

  function ready(limit: number): WireUpdate[] {
    queue = queue.filter(allowed);
    return queue.slice(0, limit);
  }

  function wake(): void {
    for (const h of [...held]) {
      const r = ready(h.limit);
      if (r.length === 0) continue;
      held.delete(h);
      clearTimeout(h.timer);
      ok(h.res, r);
    }
  }

  function registerMessage(m: WireMessage): void {
    const key = String(m.chat.id);
    if (!chats.has(key)) chats.set(key, m.chat);
    let byId = messages.get(key);
    if (!byId) messages.set(key, (byId = new Map()));
    byId.set(m.message_id, m);
    lastMessageId.set(key, Math.max(lastMessageId.get(key) ?? 0, m.message_id));
  }

  function nextMessageId(chatKey: string): number {
    return (lastMessageId.get(chatKey) ?? 0) + 1;
  }

  function findMessage(chatKey: string, ref: number | string | undefined): WireMessage | undefined {
    if (ref === undefined) return undefined;
    const id = typeof ref === "number" ? ref : Number(ref.slice(ref.lastIndexOf(":") + 1));
    return messages.get(chatKey)?.get(id);
  }

  function injectUpdate(update: Record<string, unknown>): number {
    const u: WireUpdate = { ...update, update_id: nextUpdateId++ };
    updates.push(u);
    queue.push(u);
    wake();
    return u.update_id;
  }

  function injectMessage(message: Partial<WireMessage> & Pick<WireMessage, "chat">): string {
    const key = String(message.chat.id);
    const m = { ...message, message_id: message.message_id ?? nextMessageId(key), date: message.date ?? now() } as WireMessage;
    registerMessage(m);
    injectUpdate({ message: m });
    return `${m.chat.id}:${m.message_id}`;
  }

  function fromUser(user: FakeTelegramUser): NonNullable<WireMessage["from"]> {
    return {
      id: wireId(user.id),
      is_bot: user.isBot ?? false,
      ...splitName(user),
      ...(user.username ? { username: user.username } : {}),
    };
  }

  /** A copy without its own reply_to_message, as Telegram nests only one level. */
  function shallow(m: WireMessage): WireMessage {
    const { reply_to_message: _r, ...rest } = m;
    return rest as WireMessage;
  }

  function handleGetUpdates(params: Record<string, unknown>, res: ServerResponse): void {
    const offset = num(params.offset);
    const limit = Math.min(100, Math.max(1, num(params.limit) ?? 100));
    const timeout = Math.max(0, num(params.timeout) ?? 0);
    if (Array.isArray(params.allowed_updates)) allowedUpdates = params.allowed_updates.map(String);
    if (offset !== undefined) {
      if (offset > 0) queue = queue.filter((u) => u.update_id >= offset);
      else if (offset < 0) queue = queue.slice(offset);
    }
    // Only one getUpdates at a time: Telegram ends the older one with 409.
    for (const h of [...held]) {
      held.delete(h);
      clearTimeout(h.timer);
      fail(h.res, 409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running");
    }
    const r = ready(limit);
    if (r.length > 0 || timeout === 0 || closed) return ok(res, r);
    const h: HeldPoll = {
      res,
      limit,
      timer: setTimeout(() => {
        held.delete(h);
        ok(res, []);
      }, timeout * 1000),
    };
    held.add(h);
    res.on("close", () => {
      held.delete(h);
      clearTimeout(h.timer);
    });
  }

  function handleSendMessage(params: Record<string, unknown>, res: ServerResponse): void {
    const f = failures.shift();
    if (f) {
      return fail(res, f.status, errorDescription(f.status, f.retryAfter), f.status === 429 ? { retry_after: f.retryAfter ?? 1 } : undefined);
    }
    const chatId = params.chat_id;
    if (chatId === undefined || chatId === "") return fail(res, 400, "Bad Request: chat_id is empty");
    const key = String(chatId);
    const chat = chats.get(key);
    if (!chat) return fail(res, 400, "Bad Request: chat not found");
    const text = typeof params.text === "string" ? params.text : params.text === undefined ? "" : String(params.text);
    if (!text.trim()) return fail(res, 400, "Bad Request: message text is empty");
    if (text.length > SEND_LIMIT) return fail(res, 400, "Bad Request: message is too long");
    const threadId = num(params.message_thread_id);
    const rp = params.reply_parameters as { message_id?: unknown; allow_sending_without_reply?: unknown } | undefined;
    const replyId = num(rp?.message_id) ?? num(params.reply_to_message_id);
    const replyTo = replyId !== undefined ? findMessage(key, replyId) : undefined;
    if (replyId !== undefined && !replyTo && rp?.allow_sending_without_reply !== true) {
      return fail(res, 400, "Bad Request: message to be replied not found");
    }
    const m: WireMessage = {
      message_id: nextMessageId(key),
      date: now(),
      chat,
      from: botUser,
      text,
      ...(threadId !== undefined ? { message_thread_id: threadId, ...(chat.is_forum ? { is_topic_message: true } : {}) } : {}),
      ...(replyTo ? { reply_to_message: shallow(replyTo) } : {}),
    };
    registerMessage(m);
    posted.push(m);
    sentLog.push({ chatId: key, text, ...(threadId !== undefined ? { threadId: String(threadId) } : {}) });
    ok(res, m);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const match = /^\/bot([^/]+)\/([A-Za-z]+)\/?$/.exec(url.pathname);
    const raw = await readBody(req);
    if (!match) return fail(res, 404, "Not Found");
    let token = match[1] ?? "";
    try {
      token = decodeURIComponent(token);
    } catch {
      /* keep as is */
    }
    const method = match[2] ?? "";
    const params = parseParams(url, raw, req.headers["content-type"]);
    const authorized = token === opts.token;
    requests.push({ method, params, authorized });
    if (!authorized) return fail(res, 401, "Unauthorized");
    switch (method.toLowerCase()) {
      case "getme":
        return ok(res, { ...botUser, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false });
      case "getupdates":
        return handleGetUpdates(params, res);
      case "sendmessage":
        return handleSendMessage(params, res);
      case "sendchataction": {
        if (params.chat_id === undefined || !chats.has(String(params.chat_id))) return fail(res, 400, "Bad Request: chat not found");
        return ok(res, true);
      }
      case "deletewebhook":
        if (params.drop_pending_updates === true || params.drop_pending_updates === "true") queue = [];
        return ok(res, true);
      case "getwebhookinfo":
        return ok(res, { url: "", has_custom_certificate: false, pending_update_count: queue.length });
      case "close":
      case "logout":
        return ok(res, true);
      default:
        return fail(res, 404, "Not Found");
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => fail(res, 500, "Internal Server Error"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  function message(chat: WireMessage["chat"], user: FakeTelegramUser, text: string, extra: Partial<WireMessage> = {}): string {
    return injectMessage({ chat, from: fromUser(user), text, ...extra });
  }

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    botId,
    botUsername,
    requests,
    updates,
    posted,

    async sendDirect(user, text, o = {}) {
      const id = wireId(user.id);
      const chat: WireMessage["chat"] = { id, type: "private", ...splitName(user) };
      const reply = findMessage(String(id), o.replyTo);
      return message(chat, user, text, reply ? { reply_to_message: shallow(reply) } : {});
    },

    async sendGroup(groupId, user, text, o = {}) {
      const key = String(wireId(groupId));
      const forum = o.threadId !== undefined;
      const known = chats.get(key);
      const chat: WireMessage["chat"] = {
        id: wireId(groupId),
        type: o.type ?? "supergroup",
        title: known?.title ?? `Group ${groupId}`,
        ...(forum || known?.is_forum ? { is_forum: true } : {}),
      };
      const extra: Partial<WireMessage> = {};
      let body = text;
      if (o.mention) {
        body = `@${botUsername} ${text}`;
        extra.entities = [{ type: "mention", offset: 0, length: botUsername.length + 1 }];
      }
      if (forum) {
        extra.message_thread_id = Number(o.threadId);
        extra.is_topic_message = true;
      }
      const reply = findMessage(key, o.replyTo);
      if (reply) extra.reply_to_message = shallow(reply);
      chats.set(key, chat);
      return message(chat, user, body, extra);
    },

    injectMessage,
    injectUpdate,

    editMessage(messageId, text) {
      const key = messageId.slice(0, messageId.lastIndexOf(":"));
      const m = findMessage(key, messageId);
      if (!m) throw new Error(`fake telegram: no message ${messageId}`);
      return injectUpdate({ edited_message: { ...m, text, edit_date: now() } });
    },

    sent() {
      return sentLog.slice();
    },

    failNextSends(n, status, retryAfterSeconds) {
      for (let i = 0; i < n; i++) failures.push({ status, ...(retryAfterSeconds !== undefined ? { retryAfter: retryAfterSeconds } : {}) });
    },

    heldPolls() {
      return held.size;
    },

    pendingUpdates() {
      return queue.length;
    },

    reset() {
      requests.length = 0;
      posted.length = 0;
      sentLog.length = 0;
      failures.length = 0;
    },

    async close() {
      closed = true;
      // End held long-polls with an empty answer, then drop every (keep-alive) connection.
      for (const h of [...held]) {
        held.delete(h);
        clearTimeout(h.timer);
        h.res.setHeader("Connection", "close");
        ok(h.res, []);
      }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
