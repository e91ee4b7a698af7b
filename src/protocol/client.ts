// A small typed gateway client (used by the CLI, and later the TUI and node host):
// waits for the challenge, sends connect, then matches responses to requests by id.
// With `tlsFingerprint` set, the server certificate must match it or nothing is sent.
import { randomUUID } from "node:crypto";
import tls from "node:tls";
import WebSocket from "ws";
import { challengePayload, serverFrame, type ErrorShape, type HelloOk } from "./schema.js";
import { normalizeFingerprint } from "../net/tls.js";

export interface ClientOptions {
  url: string;
  token?: string;
  password?: string;
  role?: "operator" | "node";
  client?: { name: string; version: string; platform: string };
  /** Pin the gateway's certificate (SHA-256, any common notation). Required for wss:// with a self-signed cert. */
  tlsFingerprint?: string;
  timeoutMs?: number;
  /** Device token from an earlier approval (sent as auth.deviceToken). */
  deviceToken?: string;
  /** Signs this connection's challenge with the device key; returns the connect `device` field. */
  signChallenge?: (nonce: string, role: "operator" | "node") => { id: string; publicKey: string; signature: string; signedAt: number };
  /** Nodes: the commands offered. */
  commands?: string[];
}

export class GatewayError extends Error {
  constructor(
    readonly code: ErrorShape["code"] | "CONNECTION",
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "GatewayError";
  }
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

export class GatewayClient {
  hello!: HelloOk;
  private pending = new Map<string, Pending>();
  private listeners = new Set<(event: string, payload: unknown) => void>();
  private closeListeners = new Set<(err: GatewayError) => void>();
  private closedError: GatewayError | undefined;

  private constructor(
    private ws: WebSocket,
    private timeoutMs: number,
  ) {}

  static async connect(opts: ClientOptions): Promise<GatewayClient> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const secure = opts.url.startsWith("wss:");
    const wsOpts: WebSocket.ClientOptions = { handshakeTimeout: timeoutMs, perMessageDeflate: false };
    if (secure && opts.tlsFingerprint) {
      const want = normalizeFingerprint(opts.tlsFingerprint);
      // Self-signed gateway certs are trusted by pin, not by CA: check the pin as soon as
      // the TLS handshake completes, before the HTTP upgrade or any frame goes out.
      wsOpts.createConnection = ((options: tls.ConnectionOptions) => {
        const socket = tls.connect({ ...options, rejectUnauthorized: false });
        socket.once("secureConnect", () => {
          const got = socket.getPeerCertificate().fingerprint256 ?? "";
          if (normalizeFingerprint(got) !== want) {
            socket.destroy(new Error(`gateway TLS certificate fingerprint ${got} does not match the pinned ${want}`));
          }
        });
        return socket;
      }) as unknown as WebSocket.ClientOptions["createConnection"];
    }
    const ws = new WebSocket(opts.url, wsOpts);
    const client = new GatewayClient(ws, timeoutMs);
    const connectId = randomUUID();

    const hello = await new Promise<HelloOk>((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new GatewayError("TIMEOUT", `no answer from the gateway at ${opts.url} within ${timeoutMs} ms.`));
      }, timeoutMs);
      const fail = (e: GatewayError) => {
        clearTimeout(timer);
        reject(e);
      };
      ws.on("error", (err) => fail(new GatewayError("CONNECTION", `cannot reach the gateway at ${opts.url}: ${err.message}.`)));
      ws.on("unexpected-response", (_req, res) =>
        fail(new GatewayError("CONNECTION", `the gateway refused the WebSocket upgrade with HTTP ${res.statusCode}.`)),
      );
      ws.on("close", (code, reason) =>
        fail(new GatewayError("CONNECTION", `the gateway closed the connection (${code}${reason.length ? `: ${reason.toString()}` : ""}).`)),
      );
      ws.on("message", (data) => {
        let frame;
        try {
          frame = serverFrame.parse(JSON.parse(data.toString()));
        } catch {
          fail(new GatewayError("INVALID_REQUEST", "the gateway sent a frame this client does not understand."));
          ws.terminate();
          return;
        }
        if (frame.type === "event" && frame.event === "connect.challenge") {
          const challenge = challengePayload.parse(frame.payload);
          const role = opts.role ?? "operator";
          const auth: Record<string, string> = {};
          if (opts.token) auth.token = opts.token;
          if (opts.password) auth.password = opts.password;
          if (opts.deviceToken) auth.deviceToken = opts.deviceToken;
          const extra: Record<string, unknown> = {};
          if (opts.signChallenge) extra.device = opts.signChallenge(challenge.nonce, role);
          if (opts.commands) extra.commands = opts.commands;
          ws.send(
            JSON.stringify({
              type: "req",
              id: connectId,
              method: "connect",
              params: {
                role,
                auth,
                client: opts.client ?? { name: "simpleclaw-cli", version: "0", platform: process.platform },
                ...extra,
              },
            }),
          );
          return;
        }
        if (frame.type === "res" && frame.id === connectId) {
          clearTimeout(timer);
          if (frame.ok) resolve(frame.payload as HelloOk);
          else reject(new GatewayError(frame.error.code, frame.error.message, frame.error.retryAfterMs));
        }
      });
    });
    ws.removeAllListeners();
    client.hello = hello;
    client.attach();
    return client;
  }

  private attach(): void {
    this.ws.on("message", (data) => {
      let frame;
      try {
        frame = serverFrame.parse(JSON.parse(data.toString()));
      } catch {
        return;
      }
      if (frame.type === "event") {
        for (const l of this.listeners) l(frame.event, frame.payload);
        return;
      }
      const p = this.pending.get(frame.id);
      if (!p) return;
      this.pending.delete(frame.id);
      clearTimeout(p.timer);
      if (frame.ok) p.resolve(frame.payload);
      else p.reject(new GatewayError(frame.error.code, frame.error.message, frame.error.retryAfterMs));
    });
    this.ws.on("error", () => {});
    this.ws.on("close", (code, reason) => {
      this.closedError = new GatewayError("CONNECTION", `connection closed (${code}${reason.length ? `: ${reason.toString()}` : ""}).`);
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(this.closedError);
      }
      this.pending.clear();
      for (const l of this.closeListeners) l(this.closedError);
    });
  }

  /** Called once when the connection ends (after every pending call was failed). */
  onClose(listener: (err: GatewayError) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  onEvent(listener: (event: string, payload: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  call<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = randomUUID();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new GatewayError("TIMEOUT", `${method} got no answer within ${this.timeoutMs} ms.`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.ws.send(JSON.stringify({ type: "req", id, method, params }));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once("close", () => resolve());
      this.ws.close(1000);
    });
  }
}
