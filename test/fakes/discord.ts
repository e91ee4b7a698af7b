// A fake Discord for tests: the REST API under /api/v10 (`Authorization: Bot <token>`)
// and a gateway WebSocket speaking the real v10 JSON protocol (HELLO → IDENTIFY → READY
// → GUILD_CREATE, heartbeats and their ACKs, MESSAGE_CREATE / CHANNEL_CREATE /
// THREAD_CREATE dispatches, close code 4004 for a bad token). The real discord.js client
// runs against it unmodified: it asks GET /gateway/bot for the WebSocket URL and connects.
//
// The bot is a member of one guild. A group message to a channel the bot has not seen yet
// first dispatches CHANNEL_CREATE for it (as Discord does when a channel appears), and a
// message in a thread first dispatches THREAD_CREATE under its parent channel.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import type { ChannelFakeDriver } from "../../src/channels/types.js";

export interface FakeDiscordOptions {
  botToken: string;
  botUserId?: string;
  botUsername?: string;
  guildId?: string;
}

export interface DiscordApiRequest {
  method: string;
  path: string;
  auth: "bot" | "invalid" | "none";
  body: unknown;
}

export interface FakeDiscord extends ChannelFakeDriver {
  /** REST base without the version (pass as apiUrl). */
  apiUrl: string;
  botUserId: string;
  guildId: string;
  /** Every REST call, in order. */
  requests: DiscordApiRequest[];
  /** Every IDENTIFY payload's `d`, in order (token included: tests only). */
  identifies: Array<Record<string, unknown>>;
  /** Gateway sessions that completed IDENTIFY and are still open. */
  connections(): number;
  /** The raw message objects the bot posted (allowed_mentions, message_reference, ...). */
  posted: Array<Record<string, unknown>>;
  /**
   * `threadUnannounced`: a new thread is not announced with THREAD_CREATE, as for a thread the
   * client's cache does not hold (discord.js sweeps archived threads; a private thread it was
   * never told about). Discord still serves it at GET /channels/<id>.
   */
  sendGroup(groupId: string, user: { id: string; name?: string }, text: string, opts?: { mention?: boolean; threadId?: string; threadUnannounced?: boolean }): Promise<string>;
  close(): Promise<void>;
}

const DISCORD_EPOCH = 1_420_070_400_000n;
const HEARTBEAT_INTERVAL_MS = 41_250;
const Op = { Dispatch: 0, Heartbeat: 1, Identify: 2, Resume: 6, Reconnect: 7, InvalidSession: 9, Hello: 10, HeartbeatAck: 11 } as const;

interface WireUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: null;
  bot?: boolean;
}

interface WireChannel {
  id: string;
  type: number;
  guild_id?: string;
  name?: string;
  parent_id?: string | null;
  recipients?: WireUser[];
  [k: string]: unknown;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { ...(text ? { "Content-Type": "application/json" } : {}), ...headers });
  res.end(text);
}

export async function startFakeDiscord(opts: FakeDiscordOptions): Promise<FakeDiscord> {
  let seq = 0n;
  const snowflake = () => String(((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (seq++ & 0xfffn));
  const botUserId = opts.botUserId ?? "1100000000000000001";
  const guildId = opts.guildId ?? "1200000000000000001";
  const botUser: WireUser = { id: botUserId, username: opts.botUsername ?? "clawbot", global_name: null, discriminator: "0", avatar: null, bot: true };

  const requests: DiscordApiRequest[] = [];
  const identifies: Array<Record<string, unknown>> = [];
  const posted: Array<Record<string, unknown>> = [];
  const sent: Array<{ chatId: string; text: string; threadId?: string }> = [];
  let failures: { n: number; status: number; retryAfter?: number } = { n: 0, status: 0 };

  const channels = new Map<string, WireChannel>();
  /** user id → DM channel id */
  const dms = new Map<string, string>();
  const users = new Map<string, WireUser>();

  function wireUser(u: { id: string; name?: string }): WireUser {
    const known = users.get(u.id);
    const user: WireUser = { id: u.id, username: (u.name ?? `user${u.id}`).toLowerCase().replace(/[^a-z0-9_.]/g, "") || `user${u.id}`, global_name: u.name ?? null, discriminator: "0", avatar: null };
    if (!known || (u.name && known.global_name !== u.name)) users.set(u.id, user);
    return users.get(u.id)!;
  }

  function dmChannel(userId: string): WireChannel {
    let id = dms.get(userId);
    if (!id) {
      id = snowflake();
      dms.set(userId, id);
      channels.set(id, { id, type: 1, last_message_id: null, recipients: [users.get(userId) ?? wireUser({ id: userId })] });
    }
    return channels.get(id)!;
  }

  function guildChannel(id: string): WireChannel {
    return { id, type: 0, guild_id: guildId, name: `chan-${id.slice(-4)}`, position: 0, permission_overwrites: [], parent_id: null, topic: null, nsfw: false, last_message_id: null, rate_limit_per_user: 0 };
  }

  // ---- gateway ----------------------------------------------------------------------
  interface Session {
    ws: WebSocket;
    identified: boolean;
    s: number;
  }
  const sessions = new Set<Session>();
  const waiting: Array<() => void> = [];

  function send(session: Session, op: number, d: unknown, t?: string): void {
    if (session.ws.readyState !== WebSocket.OPEN) return;
    const frame: Record<string, unknown> = { op, d, s: null, t: null };
    if (op === Op.Dispatch) {
      session.s += 1;
      frame.s = session.s;
      frame.t = t;
    }
    session.ws.send(JSON.stringify(frame));
  }

  function dispatch(t: string, d: unknown): void {
    for (const s of sessions) if (s.identified) send(s, Op.Dispatch, d, t);
  }

  /** Resolves once a session has identified (events sent before that would be lost). */
  function ready(): Promise<void> {
    if ([...sessions].some((s) => s.identified)) return Promise.resolve();
    return new Promise((resolve) => waiting.push(resolve));
  }

  function guildPayload(): Record<string, unknown> {
    const now = new Date().toISOString();
    return {
      id: guildId,
      name: "Fake Guild",
      icon: null,
      owner_id: "1300000000000000001",
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      premium_tier: 0,
      system_channel_flags: 0,
      nsfw_level: 0,
      preferred_locale: "en-US",
      features: [],
      roles: [{ id: guildId, name: "@everyone", permissions: "68608", position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 }],
      emojis: [],
      stickers: [],
      channels: [...channels.values()].filter((c) => c.guild_id === guildId && c.type === 0),
      threads: [...channels.values()].filter((c) => c.guild_id === guildId && c.type === 11),
      members: [{ user: botUser, roles: [], joined_at: now, deaf: false, mute: false, flags: 0 }],
      member_count: 2,
      joined_at: now,
      large: false,
      unavailable: false,
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
    };
  }

  const server = createServer((req, res) => void handleRest(req, res));
  const wss = new WebSocketServer({ server, path: "/gateway" });
  wss.on("connection", (ws, req) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.searchParams.get("v") !== "10" || url.searchParams.get("encoding") !== "json") {
      ws.close(4012, "Invalid API version");
      return;
    }
    const session: Session = { ws, identified: false, s: 0 };
    sessions.add(session);
    ws.on("close", () => sessions.delete(session));
    send(session, Op.Hello, { heartbeat_interval: HEARTBEAT_INTERVAL_MS });
    ws.on("message", (raw) => {
      let frame: { op?: number; d?: unknown };
      try {
        frame = JSON.parse(String(raw)) as { op?: number; d?: unknown };
      } catch {
        ws.close(4002, "Decode error");
        return;
      }
      if (frame.op === Op.Heartbeat) return send(session, Op.HeartbeatAck, null);
      if (frame.op === Op.Resume) return send(session, Op.InvalidSession, false);
      if (frame.op !== Op.Identify) return;
      if (session.identified) return ws.close(4005, "Already authenticated");
      const d = (frame.d ?? {}) as Record<string, unknown>;
      identifies.push(d);
      if (String(d.token ?? "").replace(/^Bot\s+/i, "") !== opts.botToken) return ws.close(4004, "Authentication failed");
      session.identified = true;
      send(
        session,
        Op.Dispatch,
        {
          v: 10,
          user: { ...botUser, verified: true, mfa_enabled: false, flags: 0 },
          guilds: [{ id: guildId, unavailable: true }],
          session_id: `session-${snowflake()}`,
          resume_gateway_url: `ws://127.0.0.1:${port}/gateway`,
          shard: [0, 1],
          application: { id: botUserId, flags: 0 },
          private_channels: [],
          relationships: [],
        },
        "READY",
      );
      send(session, Op.Dispatch, guildPayload(), "GUILD_CREATE");
      for (const w of waiting.splice(0)) w();
    });
  });

  // ---- REST -------------------------------------------------------------------------
  async function handleRest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw ? (JSON.parse(raw) as unknown) : undefined;
    } catch {
      return json(res, 400, { message: "400: Bad Request", code: 50109 });
    }
    const authHeader = req.headers.authorization;
    const auth: DiscordApiRequest["auth"] = !authHeader ? "none" : authHeader === `Bot ${opts.botToken}` ? "bot" : "invalid";
    const method = req.method ?? "GET";
    const path = url.pathname.replace(/^\/api\/v10/, "");
    requests.push({ method, path, auth, body });
    if (!url.pathname.startsWith("/api/v10/")) return json(res, 404, { message: "404: Not Found", code: 0 });
    if (auth !== "bot") return json(res, 401, { message: "401: Unauthorized", code: 0 });

    if (method === "GET" && path === "/gateway/bot") {
      return json(res, 200, { url: `ws://127.0.0.1:${port}/gateway`, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 } });
    }
    if (method === "GET" && path === "/users/@me") return json(res, 200, botUser);
    if (method === "POST" && path === "/users/@me/channels") {
      const recipient = String((body as { recipient_id?: unknown } | undefined)?.recipient_id ?? "");
      if (!/^\d+$/.test(recipient)) return json(res, 400, { message: "Invalid Form Body", code: 50035 });
      return json(res, 200, dmChannel(recipient));
    }
    let m = /^\/channels\/(\d+)$/.exec(path);
    if (m && method === "GET") {
      const c = channels.get(m[1]!);
      return c ? json(res, 200, c) : json(res, 404, { message: "Unknown Channel", code: 10003 });
    }
    m = /^\/channels\/(\d+)\/typing$/.exec(path);
    if (m && method === "POST") {
      if (!channels.has(m[1]!)) return json(res, 404, { message: "Unknown Channel", code: 10003 });
      res.writeHead(204).end();
      return;
    }
    m = /^\/channels\/(\d+)\/messages$/.exec(path);
    if (m && method === "POST") {
      const channel = channels.get(m[1]!);
      if (!channel) return json(res, 404, { message: "Unknown Channel", code: 10003 });
      if (failures.n > 0) {
        failures.n -= 1;
        if (failures.status === 429) {
          const after = failures.retryAfter ?? 1;
          return json(
            res,
            429,
            { message: "You are being rate limited.", retry_after: after, global: false },
            { "Retry-After": String(after), "X-RateLimit-Scope": "user", "X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": String(after), "X-RateLimit-Bucket": "fakebucket" },
          );
        }
        return json(res, failures.status, { message: `${failures.status}: Server Error`, code: 0 });
      }
      const p = (body ?? {}) as Record<string, unknown>;
      const content = typeof p.content === "string" ? p.content : "";
      if (!content) return json(res, 400, { message: "Cannot send an empty message", code: 50006 });
      if (content.length > 2000) return json(res, 400, { message: "Invalid Form Body: content: Must be 2000 or fewer in length.", code: 50035 });
      posted.push(p);
      const isThread = channel.type === 11;
      sent.push(isThread ? { chatId: String(channel.parent_id), text: content, threadId: channel.id } : { chatId: channel.id, text: content });
      return json(res, 200, {
        id: snowflake(),
        channel_id: channel.id,
        ...(channel.guild_id ? { guild_id: channel.guild_id } : {}),
        author: botUser,
        content,
        timestamp: new Date().toISOString(),
        edited_timestamp: null,
        tts: false,
        mention_everyone: false,
        mentions: [],
        mention_roles: [],
        attachments: [],
        embeds: [],
        pinned: false,
        type: p.message_reference ? 19 : 0,
        flags: 0,
      });
    }
    return json(res, 404, { message: "404: Not Found", code: 0 });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  function messagePayload(channel: WireChannel, user: WireUser, content: string, mentions: WireUser[]): Record<string, unknown> {
    const now = new Date().toISOString();
    return {
      id: snowflake(),
      channel_id: channel.id,
      // Discord sends the channel's type with MESSAGE_CREATE; discord.js needs it to build an uncached DM channel.
      channel_type: channel.type,
      ...(channel.guild_id ? { guild_id: channel.guild_id, member: { roles: [], joined_at: now, deaf: false, mute: false, flags: 0 } } : {}),
      author: user,
      content,
      timestamp: now,
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions,
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      type: 0,
      flags: 0,
    };
  }

  return {
    apiUrl: `http://127.0.0.1:${port}/api`,
    botUserId,
    guildId,
    requests,
    identifies,
    posted,
    connections: () => [...sessions].filter((s) => s.identified).length,

    async sendDirect(u, text) {
      await ready();
      const user = wireUser(u);
      const channel = dmChannel(u.id);
      const msg = messagePayload(channel, user, text, []);
      dispatch("MESSAGE_CREATE", msg);
      return `${channel.id}:${String(msg.id)}`;
    },

    async sendGroup(groupId, u, text, o = {}) {
      await ready();
      if (!/^\d+$/.test(groupId)) throw new Error(`Discord channel ids are snowflakes, got ${groupId}`);
      const user = wireUser(u);
      if (!channels.has(groupId)) {
        channels.set(groupId, guildChannel(groupId));
        dispatch("CHANNEL_CREATE", channels.get(groupId));
      }
      let channel = channels.get(groupId)!;
      if (o.threadId) {
        if (!channels.has(o.threadId)) {
          const thread: WireChannel = {
            id: o.threadId,
            type: 11,
            guild_id: guildId,
            parent_id: groupId,
            name: `thread-${o.threadId.slice(-4)}`,
            owner_id: u.id,
            last_message_id: null,
            rate_limit_per_user: 0,
            message_count: 0,
            member_count: 1,
            thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false },
            newly_created: true,
          };
          channels.set(o.threadId, thread);
          // A thread the client never heard of (threadUnannounced): Discord still knows it over REST.
          if (!o.threadUnannounced) dispatch("THREAD_CREATE", thread);
        }
        channel = channels.get(o.threadId)!;
      }
      const content = o.mention ? `<@${botUserId}> ${text}` : text;
      const msg = messagePayload(channel, user, content, o.mention ? [botUser] : []);
      dispatch("MESSAGE_CREATE", msg);
      return `${channel.id}:${String(msg.id)}`;
    },

    sent: () => sent.slice(),

    failNextSends(n, status, retryAfterSeconds) {
      failures = { n, status, ...(retryAfterSeconds !== undefined ? { retryAfter: retryAfterSeconds } : {}) };
    },

    async close() {
      for (const s of sessions) s.ws.terminate();
      sessions.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
