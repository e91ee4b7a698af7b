// A fake Slack for tests: the Web API (POST /api/<method>, form or JSON bodies,
// `Authorization: Bearer <token>`) and a Socket Mode WebSocket server speaking the real
// envelope protocol (hello → events_api envelopes → {envelope_id} acks, disconnect).
// The real @slack/bolt client runs against it unmodified: it calls apps.connections.open
// with the app-level token, gets a one-time ws:// URL, and connects to it.
// HTTP Events mode is driven with signSlackRequest / postSignedEvent (v0 HMAC-SHA256).
import { createHmac, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import type { ChannelFakeDriver } from "../../src/channels/types.js";

export interface FakeSlackOptions {
  botToken: string;
  appToken: string;
  botUserId?: string;
  botId?: string;
  teamId?: string;
  /** Also deliver an `app_mention` event for messages that mention the bot, as Slack does when subscribed. Default true. */
  appMentionEvents?: boolean;
}

export interface SlackApiRequest {
  method: string;
  /** Which token authenticated the call: "bot", "app", "invalid" or "none". */
  auth: "bot" | "app" | "invalid" | "none";
  params: Record<string, unknown>;
}

export interface SlackAck {
  envelope_id: string;
  payload?: unknown;
}

export interface SlackEvent {
  type: string;
  [k: string]: unknown;
}

export interface FakeSlack extends ChannelFakeDriver {
  /** Web API base, ending in /api/ (pass as apiUrl / slackApiUrl). */
  apiUrl: string;
  botUserId: string;
  botId: string;
  teamId: string;
  /** Acks received over Socket Mode, in order. */
  acks: SlackAck[];
  /** Every Web API call, in order. */
  requests: SlackApiRequest[];
  /** Envelopes delivered over Socket Mode (envelope_id and event), in order. */
  delivered: Array<{ envelope_id: string; event: SlackEvent }>;
  /** The bot's successful chat.postMessage calls with the ts the fake assigned. */
  posted: Array<{ channel: string; ts: string; text: string; thread_ts?: string }>;
  /** Number of open Socket Mode connections. */
  connections(): number;
  /** Builds a DM message event (not delivered). */
  directEvent(user: { id: string }, text: string): SlackEvent;
  /** Builds a channel message event (not delivered). */
  groupEvent(groupId: string, user: { id: string }, text: string, opts?: { mention?: boolean; threadId?: string }): SlackEvent;
  /** Wraps an event into the event_callback body Slack posts (HTTP mode) or puts in the socket envelope payload. */
  eventCallback(event: SlackEvent): Record<string, unknown>;
  /** Delivers an event over Socket Mode (queued until a connection is open). Returns the envelope id. */
  deliver(event: SlackEvent): Promise<string>;
  /** Sends {"type":"disconnect"} to every connection, as Slack does when recycling a server. */
  requestReconnect(reason?: string): void;
  reset(): void;
  close(): Promise<void>;
}

/** Slack's v0 request signature headers for `body` at unix time `ts` (seconds). */
export function signSlackRequest(signingSecret: string, body: string, ts: number = Math.floor(Date.now() / 1000)): Record<string, string> {
  const sig = createHmac("sha256", signingSecret).update(`v0:${ts}:${body}`).digest("hex");
  return { "X-Slack-Signature": `v0=${sig}`, "X-Slack-Request-Timestamp": String(ts) };
}

/**
 * POSTs a JSON body to a Slack request URL the way Slack does (signed), for HTTP Events mode.
 * `timestamp` overrides the signing time; `badSignature` flips the signature.
 */
export async function postSignedEvent(
  url: string,
  signingSecret: string,
  payload: unknown,
  opts: { timestamp?: number; badSignature?: boolean } = {},
): Promise<{ status: number; body: string }> {
  const body = JSON.stringify(payload);
  const headers = signSlackRequest(signingSecret, body, opts.timestamp);
  if (opts.badSignature) {
    const sig = headers["X-Slack-Signature"] as string;
    headers["X-Slack-Signature"] = sig.slice(0, -1) + (sig.endsWith("0") ? "1" : "0");
  }
  const res = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body });
  return { status: res.status, body: await res.text() };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseParams(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  if (contentType?.includes("application/json")) {
    try {
      const v = JSON.parse(raw) as unknown;
      return v && typeof v === "object" ? (v as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

export async function startFakeSlack(opts: FakeSlackOptions): Promise<FakeSlack> {
  const botUserId = opts.botUserId ?? "U0FAKEBOT";
  const botId = opts.botId ?? "B0FAKEBOT";
  const teamId = opts.teamId ?? "T0FAKETEAM";
  const appMentionEvents = opts.appMentionEvents ?? true;

  const requests: SlackApiRequest[] = [];
  const acks: SlackAck[] = [];
  const delivered: Array<{ envelope_id: string; event: SlackEvent }> = [];
  const sentMessages: Array<{ chatId: string; text: string; threadId?: string; plain?: boolean }> = [];
  const posted: FakeSlack["posted"] = [];
  /** ts → author user id, for parent_user_id on thread replies. */
  const authors = new Map<string, string>();
  const failures: Array<{ status: number; retryAfter?: number }> = [];
  const tickets = new Set<string>();
  const sockets = new Set<WebSocket>();
  const queue: string[] = [];
  let tsCounter = 0;

  const nextTs = () => {
    tsCounter += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(tsCounter).padStart(6, "0")}`;
  };

  function authOf(req: IncomingMessage, params: Record<string, unknown>): SlackApiRequest["auth"] {
    const header = req.headers.authorization;
    const token = header?.startsWith("Bearer ") ? header.slice(7) : typeof params.token === "string" ? params.token : undefined;
    if (!token) return "none";
    if (token === opts.botToken) return "bot";
    if (token === opts.appToken) return "app";
    return "invalid";
  }

  function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", ...headers });
    res.end(JSON.stringify(body));
  }

  function authError(auth: SlackApiRequest["auth"], want: "bot" | "app"): string | undefined {
    if (auth === want) return undefined;
    if (auth === "none") return "not_authed";
    if (auth === "invalid") return "invalid_auth";
    return "not_allowed_token_type";
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const m = /^\/api\/([A-Za-z.]+)$/.exec(url.pathname);
      if (!m || req.method !== "POST") return json(res, 404, { ok: false, error: "unknown_method" });
      const method = m[1] as string;
      const params = parseParams(await readBody(req), req.headers["content-type"]);
      const auth = authOf(req, params);
      const { token: _drop, ...logged } = params;
      requests.push({ method, auth, params: logged });

      switch (method) {
        case "auth.test": {
          if (auth === "app") return json(res, 200, { ok: true, url: "https://fake.slack.com/", team: "Fake Team", team_id: teamId, app_id: "A0FAKEAPP" });
          const err = authError(auth, "bot");
          if (err) return json(res, 200, { ok: false, error: err });
          return json(res, 200, { ok: true, url: "https://fake.slack.com/", team: "Fake Team", user: "claw", team_id: teamId, user_id: botUserId, bot_id: botId, is_enterprise_install: false });
        }
        case "apps.connections.open": {
          const err = authError(auth, "app");
          if (err) return json(res, 200, { ok: false, error: err });
          const ticket = randomUUID();
          tickets.add(ticket);
          const { port } = server.address() as AddressInfo;
          return json(res, 200, { ok: true, url: `ws://127.0.0.1:${port}/socket?ticket=${ticket}&app_id=A0FAKEAPP` });
        }
        case "chat.postMessage": {
          const err = authError(auth, "bot");
          if (err) return json(res, 200, { ok: false, error: err });
          const failure = failures.shift();
          if (failure) {
            if (failure.status === 429) {
              return json(res, 429, { ok: false, error: "ratelimited" }, { "Retry-After": String(failure.retryAfter ?? 1) });
            }
            return json(res, failure.status, { ok: false, error: "internal_error" }, failure.retryAfter !== undefined ? { "Retry-After": String(failure.retryAfter) } : {});
          }
          const channel = typeof params.channel === "string" ? params.channel : "";
          const text = typeof params.text === "string" ? params.text : "";
          if (!channel) return json(res, 200, { ok: false, error: "channel_not_found" });
          if (!text && !params.blocks && !params.attachments) return json(res, 200, { ok: false, error: "no_text" });
          const threadTs = typeof params.thread_ts === "string" && params.thread_ts ? params.thread_ts : undefined;
          const ts = nextTs();
          authors.set(ts, botUserId);
          sentMessages.push({ chatId: channel, text, ...(threadTs ? { threadId: threadTs } : {}), ...(params.mrkdwn === false || params.mrkdwn === "false" ? { plain: true } : {}) });
          posted.push({ channel, ts, text, ...(threadTs ? { thread_ts: threadTs } : {}) });
          return json(res, 200, {
            ok: true,
            channel,
            ts,
            message: { type: "message", user: botUserId, bot_id: botId, text, ts, ...(threadTs ? { thread_ts: threadTs } : {}) },
          });
        }
        default:
          return json(res, 200, { ok: false, error: "unknown_method" });
      }
    })().catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { ok: false, error: "fake_error", detail: String(e) });
    });
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const ticket = url.searchParams.get("ticket") ?? "";
    if (url.pathname !== "/socket" || !tickets.delete(ticket)) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on("close", () => sockets.delete(ws));
      ws.on("error", () => sockets.delete(ws));
      ws.on("message", (data) => {
        let msg: unknown;
        try {
          msg = JSON.parse(String(data));
        } catch {
          return;
        }
        if (msg && typeof msg === "object" && typeof (msg as SlackAck).envelope_id === "string") {
          const a = msg as SlackAck;
          acks.push({ envelope_id: a.envelope_id, ...(a.payload !== undefined ? { payload: a.payload } : {}) });
        }
      });
      ws.send(
        JSON.stringify({
          type: "hello",
          num_connections: sockets.size,
          debug_info: { host: "fake-slack", build_number: 1, approximate_connection_time: 18060 },
          connection_info: { app_id: "A0FAKEAPP" },
        }),
      );
      flush();
    });
  });

  function openSocket(): WebSocket | undefined {
    let last: WebSocket | undefined;
    for (const s of sockets) if (s.readyState === WebSocket.OPEN) last = s;
    return last;
  }

  function flush(): void {
    const ws = openSocket();
    if (!ws) return;
    while (queue.length) ws.send(queue.shift() as string);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  function eventCallback(event: SlackEvent): Record<string, unknown> {
    return {
      token: "legacy-verification-token",
      team_id: teamId,
      api_app_id: "A0FAKEAPP",
      event,
      type: "event_callback",
      event_id: `Ev${randomUUID().replace(/-/g, "").slice(0, 10).toUpperCase()}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ enterprise_id: null, team_id: teamId, user_id: botUserId, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
    };
  }

  function messageEvent(channel: string, channelType: string, user: string, text: string, threadId?: string): SlackEvent {
    const ts = nextTs();
    authors.set(ts, user);
    const ev: SlackEvent = {
      type: "message",
      client_msg_id: randomUUID(),
      channel,
      channel_type: channelType,
      user,
      text,
      ts,
      event_ts: ts,
      team: teamId,
    };
    if (threadId) {
      ev.thread_ts = threadId;
      const parent = authors.get(threadId);
      if (parent) ev.parent_user_id = parent;
    }
    return ev;
  }

  function directEvent(user: { id: string }, text: string): SlackEvent {
    return messageEvent(`D${user.id}`, "im", user.id, text);
  }

  function groupEvent(groupId: string, user: { id: string }, text: string, o: { mention?: boolean; threadId?: string } = {}): SlackEvent {
    return messageEvent(groupId, "channel", user.id, o.mention ? `<@${botUserId}> ${text}` : text, o.threadId);
  }

  async function deliver(event: SlackEvent): Promise<string> {
    const envelope_id = randomUUID();
    delivered.push({ envelope_id, event });
    queue.push(JSON.stringify({ envelope_id, type: "events_api", accepts_response_payload: false, retry_attempt: 0, retry_reason: "", payload: eventCallback(event) }));
    flush();
    return envelope_id;
  }

  async function deliverMessage(ev: SlackEvent): Promise<string> {
    await deliver(ev);
    if (appMentionEvents && typeof ev.text === "string" && ev.text.includes(`<@${botUserId}>`) && ev.channel_type !== "im") {
      const { channel_type: _ct, client_msg_id: _c, ...rest } = ev;
      await deliver({ ...rest, type: "app_mention" });
    }
    return `${String(ev.channel)}:${String(ev.ts)}`;
  }

  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    botUserId,
    botId,
    teamId,
    acks,
    requests,
    delivered,
    posted,
    connections: () => [...sockets].filter((s) => s.readyState === WebSocket.OPEN).length,
    directEvent,
    groupEvent,
    eventCallback,
    deliver,
    sendDirect: (user, text) => deliverMessage(directEvent(user, text)),
    sendGroup: (groupId, user, text, o) => deliverMessage(groupEvent(groupId, user, text, o)),
    sent: () => sentMessages.slice(),
    failNextSends(n, status, retryAfterSeconds) {
      for (let i = 0; i < n; i++) failures.push({ status, ...(retryAfterSeconds !== undefined ? { retryAfter: retryAfterSeconds } : {}) });
    },
    requestReconnect(reason = "refresh_requested") {
      for (const s of sockets) if (s.readyState === WebSocket.OPEN) s.send(JSON.stringify({ type: "disconnect", reason, debug_info: { host: "fake-slack" } }));
    },
    reset() {
      requests.length = 0;
      acks.length = 0;
      delivered.length = 0;
      sentMessages.length = 0;
      posted.length = 0;
      failures.length = 0;
    },
    async close() {
      for (const s of sockets) s.terminate();
      sockets.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
