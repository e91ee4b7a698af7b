// Slack adapter on @slack/bolt. Socket Mode by default (bot token + app-level xapp- token:
// bolt's socket client asks apps.connections.open for a wss URL and connects to it), or
// HTTP Events mode (signing secret: bolt's HTTPReceiver verifies every request's v0
// signature and timestamp before anything reaches us).
//
// Only `message` events are handled; an @-mention is computed from `<@BOTID>` in the text,
// so a mention that Slack also delivers as `app_mention` yields exactly one InboundMessage
// (subscribe the app to message.* events; app_mention is not needed).
//
// Sending goes through a WebClient with retries disabled and rate-limited calls rejected,
// so the core's retry loop (manager.ts) is the only one and sees the server's Retry-After.
import type { AddressInfo } from "node:net";
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, webApi, type Logger } from "@slack/bolt";
import { ChannelSendError, type ChannelAdapter, type InboundMessage, type OutboundTarget, type SendOptions } from "./types.js";

export interface SlackAdapterOptions {
  botToken: string;
  /** App-level token (xapp-…), required for Socket Mode. */
  appToken?: string;
  /** Signing secret, required for HTTP Events mode. */
  signingSecret?: string;
  /** Web API base, default https://slack.com/api/ */
  apiUrl?: string;
  /** Default "socket". */
  mode?: "socket" | "http";
  /** HTTP Events mode: local port for POST /slack/events (default 3000; 0 picks a free one). */
  httpPort?: number;
  /** HTTP Events mode: the address to listen on, default 127.0.0.1 (a reverse proxy terminates TLS in front). */
  httpHost?: string;
  onError?: (e: unknown) => void;
}

export interface SlackAdapter extends ChannelAdapter {
  /** HTTP Events mode: the port actually listened on, once started. */
  readonly httpPort: number | undefined;
}

const DEFAULT_API_URL = "https://slack.com/api/";
const STOP_TIMEOUT_MS = 3000;
const OWN_THREADS_MAX = 2000;
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 30_000;
const MAX_CLOCK_SKEW_S = 5 * 60;

/** Message subtypes that are real user messages; everything else (edits, joins, bot posts...) is ignored. */
const ACCEPTED_SUBTYPES = new Set<string | undefined>([undefined, "thread_broadcast"]);

interface SlackMessageEvent {
  type?: string;
  subtype?: string;
  channel?: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  parent_user_id?: string;
}

/** bolt/web-api/socket-mode log through this: debug/info dropped, warn/error forwarded to onError. */
function quietLogger(onError: (e: unknown) => void): Logger {
  let level: LogLevel = LogLevel.WARN;
  const text = (msg: unknown[]) => msg.map((m) => (m instanceof Error ? m.message : typeof m === "string" ? m : String(m))).join(" ");
  return {
    debug() {},
    info() {},
    warn(...msg: unknown[]) {
      if (level === LogLevel.ERROR) return;
      onError(new Error(`slack: ${text(msg)}`));
    },
    error(...msg: unknown[]) {
      onError(new Error(`slack: ${text(msg)}`));
    },
    setLevel(l: LogLevel) {
      level = l;
    },
    getLevel() {
      return level;
    },
    setName() {},
  };
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Maps a Web API failure to ChannelSendError (429 with retry-after, HTTP status otherwise). */
function toSendError(e: unknown, method: string): Error {
  if (e instanceof webApi.WebAPIRateLimitedError) {
    return new ChannelSendError(`slack ${method}: rate limited (retry after ${e.retryAfter}s)`, 429, e.retryAfter * 1000);
  }
  if (e instanceof webApi.WebAPIHTTPError) {
    return new ChannelSendError(`slack ${method}: HTTP ${e.statusCode}`, e.statusCode);
  }
  if (e instanceof webApi.WebAPIPlatformError) {
    const code = (e.data as { error?: string } | undefined)?.error ?? "unknown_error";
    // Slack reports some transient failures as ok:false with 200.
    if (code === "ratelimited") return new ChannelSendError(`slack ${method}: ${code}`, 429);
    if (code === "internal_error" || code === "fatal_error" || code === "service_unavailable" || code === "request_timeout") {
      return new ChannelSendError(`slack ${method}: ${code}`, 503);
    }
    return new ChannelSendError(`slack ${method}: ${code}`);
  }
  if (e instanceof Error && /rate limit|Retry header/i.test(e.message)) return new ChannelSendError(`slack ${method}: rate limited`, 429);
  if (e instanceof webApi.WebAPIRequestError) return new ChannelSendError(`slack ${method}: request failed: ${errorMessage(e.original)}`);
  return new ChannelSendError(`slack ${method}: ${errorMessage(e)}`);
}

export function createSlackAdapter(opts: SlackAdapterOptions): SlackAdapter {
  const mode = opts.mode ?? "socket";
  const onError = opts.onError ?? (() => {});
  const apiUrl = opts.apiUrl ?? DEFAULT_API_URL;
  const logger = quietLogger(onError);
  if (mode === "socket" && !opts.appToken) throw new Error("Slack Socket Mode needs an app-level token (xapp-…)");
  if (mode === "http" && !opts.signingSecret) throw new Error("Slack HTTP events mode needs a signing secret");

  // The one client we send with: no built-in retries, 429s rejected with their Retry-After.
  const web = new webApi.WebClient(opts.botToken, {
    slackApiUrl: apiUrl,
    logger,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 30_000,
  });

  let app: InstanceType<typeof App> | undefined;
  let socketReceiver: InstanceType<typeof SocketModeReceiver> | undefined;
  let httpPort: number | undefined;
  let botUserId = "";
  let stopping = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let reconnecting = false;
  let reconnectAttempts = 0;
  /** ts of the bot's own posts: a thread reply under one of them counts as a mention. */
  const ownThreads = new Set<string>();

  function rememberOwn(ts: string | undefined): void {
    if (!ts) return;
    ownThreads.add(ts);
    if (ownThreads.size > OWN_THREADS_MAX) {
      const first = ownThreads.values().next().value;
      if (first !== undefined) ownThreads.delete(first);
    }
  }

  function normalize(ev: SlackMessageEvent, accountId: string): InboundMessage | undefined {
    if (ev.type !== "message") return undefined;
    if (!ACCEPTED_SUBTYPES.has(ev.subtype)) return undefined;
    if (ev.bot_id) return undefined;
    if (!ev.user || !ev.channel || !ev.ts) return undefined;
    if (ev.user === botUserId) return undefined;
    let text = ev.text ?? "";
    let mentioned = false;
    if (botUserId) {
      const re = new RegExp(`<@${botUserId}(?:\\|[^>]*)?>`, "g");
      if (re.test(text)) {
        mentioned = true;
        text = text.replace(re, " ").replace(/[ \t]{2,}/g, " ").trim();
      }
      if (!mentioned && ev.thread_ts && ev.thread_ts !== ev.ts && (ev.parent_user_id === botUserId || ownThreads.has(ev.thread_ts))) {
        mentioned = true;
      }
    }
    const m: InboundMessage = {
      channel: "slack",
      accountId,
      messageId: `${ev.channel}:${ev.ts}`,
      sender: { id: ev.user },
      chat: { type: ev.channel_type === "im" ? "direct" : "group", id: ev.channel },
      text,
      mentioned,
    };
    if (ev.thread_ts) m.chat.threadId = ev.thread_ts;
    return m;
  }

  function scheduleReconnect(): void {
    if (stopping || reconnectTimer || reconnecting || !socketReceiver) return;
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** reconnectAttempts);
    reconnectAttempts += 1;
    const sr = socketReceiver;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      if (stopping || socketReceiver !== sr) return;
      reconnecting = true;
      sr.client
        .start()
        .then(() => {
          reconnectAttempts = 0;
          reconnecting = false;
          // stop() raced this reconnect: don't leave a live socket behind.
          if (stopping) void sr.client.disconnect();
        })
        .catch((e: unknown) => {
          reconnecting = false;
          onError(new Error(`slack: reconnect failed: ${errorMessage(e)}`));
          scheduleReconnect();
        });
    }, delay);
    reconnectTimer.unref?.();
  }

  return {
    id: "slack",
    textLimit: 4000,
    get httpPort() {
      return httpPort;
    },

    async start(onMessage: (m: InboundMessage) => void): Promise<void> {
      if (app) throw new Error("slack adapter already started");
      stopping = false;
      let auth: { user_id?: string; bot_id?: string; team_id?: string };
      try {
        auth = await web.auth.test();
      } catch (e) {
        const code = e instanceof webApi.WebAPIPlatformError ? (e.data as { error?: string }).error : undefined;
        throw new Error(code ? `Slack rejected the bot token (auth.test: ${code})` : `Slack auth.test failed: ${errorMessage(e)}`);
      }
      if (!auth.user_id) throw new Error("Slack auth.test returned no bot user id");
      botUserId = auth.user_id;
      const accountId = auth.team_id ?? "default";

      const sr =
        mode === "socket"
          ? new SocketModeReceiver({
              appToken: opts.appToken as string,
              logger,
              // We reconnect ourselves (scheduleReconnect): bolt's own loop can leave an unhandled rejection.
              autoReconnectEnabled: false,
              // No retries inside apps.connections.open either: our reconnect loop backs off and stops on stop().
              installerOptions: { clientOptions: { slackApiUrl: apiUrl, retryConfig: { retries: 0 } } },
            })
          : undefined;
      socketReceiver = sr;
      const receiver =
        sr ??
        new HTTPReceiver({
          signingSecret: opts.signingSecret as string,
          endpoints: "/slack/events",
          logger,
          // Unknown paths: 404, not an error log per request.
          dispatchErrorHandler: ({ response }) => {
            response.writeHead(404);
            response.end();
          },
        });

      if (receiver instanceof HTTPReceiver) {
        // bolt rejects stale timestamps (> 5 min old) but accepts any future one; Slack's guidance
        // is |now - ts| <= 5 min, so refuse far-future timestamps too before bolt sees the request.
        const inner = receiver.requestListener;
        receiver.requestListener = (req, res) => {
          const raw = req.headers["x-slack-request-timestamp"];
          const ts = Number(Array.isArray(raw) ? raw[0] : raw);
          if (raw !== undefined && Number.isFinite(ts) && ts - Date.now() / 1000 > MAX_CLOCK_SKEW_S) {
            req.resume();
            res.writeHead(401);
            res.end();
            return;
          }
          inner(req, res);
        };
      }

      const a = new App({
        token: opts.botToken,
        botUserId: auth.user_id,
        ...(auth.bot_id ? { botId: auth.bot_id } : {}),
        tokenVerificationEnabled: false,
        receiver,
        logger,
        convoStore: false,
        ignoreSelf: true,
        clientOptions: { slackApiUrl: apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true },
      });
      a.error(async (e) => onError(e));
      a.event("message", async ({ event, body }) => {
        try {
          const teamId = (body as { team_id?: string }).team_id ?? accountId;
          const m = normalize(event as SlackMessageEvent, teamId);
          if (m) onMessage(m);
        } catch (e) {
          onError(e);
        }
      });

      try {
        if (mode === "socket") {
          await a.start();
          sr?.client.on("disconnected", () => {
            if (!stopping) scheduleReconnect();
          });
        } else {
          const server = await a.start({ port: opts.httpPort ?? 3000, host: opts.httpHost ?? "127.0.0.1" });
          httpPort = (server.address() as AddressInfo).port;
        }
      } catch (e) {
        void sr?.client.disconnect().catch(() => {});
        socketReceiver = undefined;
        const code = e instanceof webApi.WebAPIPlatformError ? (e.data as { error?: string }).error : undefined;
        throw new Error(
          code
            ? `Slack rejected the app-level token (apps.connections.open: ${code})`
            : `Slack ${mode === "socket" ? "Socket Mode" : "HTTP receiver"} failed to start: ${errorMessage(e)}`,
        );
      }
      if (stopping) {
        // stop() was called while we were connecting.
        await (sr ? sr.client.disconnect() : a.stop()).catch(() => {});
        socketReceiver = undefined;
        throw new Error("slack adapter stopped while starting");
      }
      app = a;
    },

    async stop(): Promise<void> {
      stopping = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = undefined;
      const a = app;
      const sr = socketReceiver;
      app = undefined;
      socketReceiver = undefined;
      if (!a) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_TIMEOUT_MS);
        timer.unref?.();
      });
      const stopping_ = sr ? sr.client.disconnect() : a.stop().then(() => undefined);
      try {
        await Promise.race([stopping_.catch((e: unknown) => onError(e)), timeout]);
      } finally {
        if (timer) clearTimeout(timer);
        httpPort = undefined;
      }
    },

    async sendText(target: OutboundTarget, text: string, opts?: SendOptions): Promise<void> {
      let res: { ts?: string };
      try {
        res = await web.chat.postMessage({
          channel: target.chatId,
          // literal: no mrkdwn, and < > & (links, mentions) as entities, which Slack shows as the characters
          ...(opts?.literal ? { text: text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"), mrkdwn: false } : { text }),
          ...(target.threadId ? { thread_ts: target.threadId } : {}),
        });
      } catch (e) {
        throw toSendError(e, "chat.postMessage");
      }
      rememberOwn(res.ts);
    },
  };
}
