// The Control UI's gateway client: one WebSocket to /ws on the page's own origin,
// speaking the frames of docs/protocol.md. The server sends connect.challenge; we answer
// with a `connect` request (role operator, the secret the operator typed), then match
// responses to requests by id and hand events to subscribers.
import type { Hello } from "../../src/protocol/results.js";
export type { Hello };

/** How the page signs in: a typed secret, a one-time dashboard code, or the session it yielded. */
export type Credential = { kind: "secret" | "code" | "session"; value: string };

export class GatewayError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "GatewayError";
  }
}

type Listener = (payload: any) => void;
interface Pending {
  resolve: (v: any) => void;
  reject: (e: Error) => void;
  timer: number;
}

/** A random request id; crypto.getRandomValues works on plain-http LAN origins too (randomUUID does not). */
export function randomId(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** ws(s)://<this host>/ws: the page and the socket always share one origin. */
export function gatewaySocketUrl(loc: Location = location): string {
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}/ws`;
}

function clientPlatform(): string {
  const p = (navigator.platform || "browser").slice(0, 64);
  return p.length ? p : "browser";
}

export class Gateway {
  private pending = new Map<string, Pending>();
  private listeners = new Map<string, Set<Listener>>();
  private closeListeners = new Set<(err: GatewayError) => void>();
  private closed: GatewayError | undefined;

  private constructor(
    private ws: WebSocket,
    readonly hello: Hello,
  ) {
    ws.onmessage = (ev) => this.onFrame(ev.data);
    ws.onclose = (ev) => {
      const err = new GatewayError("CONNECTION", `the connection to the gateway closed (${ev.code}${ev.reason ? `: ${ev.reason}` : ""}).`);
      this.closed = err;
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(err);
      }
      this.pending.clear();
      for (const fn of this.closeListeners) fn(err);
    };
  }

  /**
   * Opens the socket and signs in with `cred`: the gateway token or password typed by the
   * operator (sent in both fields: the gateway reads the one its auth mode uses), a dashboard
   * sign-in code, or the browser session a code yielded; undefined sends none, which only an
   * auth-mode "none" gateway accepts. Rejects with a GatewayError.
   */
  static connect(url: string, cred: Credential | undefined, timeoutMs = 10_000): Promise<Gateway> {
    return new Promise((resolve, reject) => {
      let ws: WebSocket;
      try {
        ws = new WebSocket(url);
      } catch (err) {
        reject(new GatewayError("CONNECTION", `cannot open ${url}: ${(err as Error).message}`));
        return;
      }
      const connectId = `connect-${randomId()}`;
      let settled = false;
      const fail = (err: GatewayError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ws.onmessage = null;
        ws.onclose = null;
        if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close();
        reject(err);
      };
      const timer = window.setTimeout(() => fail(new GatewayError("TIMEOUT", `the gateway did not answer within ${timeoutMs / 1000} s.`)), timeoutMs);
      ws.onmessage = (ev) => {
        let f: any;
        try {
          f = JSON.parse(String(ev.data));
        } catch {
          return;
        }
        if (f?.type === "event" && f.event === "connect.challenge") {
          // A sign-in code (single use) or browser session stands in for the secret; see docs/control-ui.md.
          const auth =
            cred?.kind === "code" ? { signinCode: cred.value } : cred?.kind === "session" ? { session: cred.value } : cred ? { token: cred.value, password: cred.value } : {};
          ws.send(
            JSON.stringify({
              type: "req",
              id: connectId,
              method: "connect",
              params: { role: "operator", auth, client: { name: "control-ui", version: "1", platform: clientPlatform() } },
            }),
          );
        } else if (f?.type === "res" && f.id === connectId) {
          if (f.ok) {
            settled = true;
            clearTimeout(timer);
            resolve(new Gateway(ws, f.payload as Hello));
          } else {
            fail(new GatewayError(String(f.error?.code ?? "INTERNAL"), String(f.error?.message ?? "connect failed."), f.error?.retryAfterMs));
          }
        }
      };
      ws.onclose = (ev) =>
        fail(
          new GatewayError(
            "CONNECTION",
            ev.code === 1006
              ? "cannot reach the gateway WebSocket (is the gateway running? a browser Origin it does not allow is refused too)."
              : `the gateway closed the connection (${ev.code}${ev.reason ? `: ${ev.reason}` : ""}).`,
          ),
        );
    });
  }

  get isClosed(): boolean {
    return this.closed !== undefined;
  }

  /** One request; resolves with the payload or rejects with the server's typed error. */
  call<T = any>(method: string, params: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<T> {
    if (this.closed) return Promise.reject(this.closed);
    const id = randomId();
    return new Promise<T>((resolve, reject) => {
      const timer = window.setTimeout(() => {
        this.pending.delete(id);
        reject(new GatewayError("TIMEOUT", `${method} got no answer within ${timeoutMs / 1000} s.`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ type: "req", id, method, params }));
    });
  }

  /** Subscribes to one event; returns the unsubscribe function. */
  on(event: string, fn: Listener): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  onClose(fn: (err: GatewayError) => void): () => void {
    this.closeListeners.add(fn);
    return () => this.closeListeners.delete(fn);
  }

  close(): void {
    this.closeListeners.clear();
    this.ws.close(1000, "signed out");
  }

  private onFrame(data: unknown): void {
    let f: any;
    try {
      f = JSON.parse(String(data));
    } catch {
      return;
    }
    if (f?.type === "res") {
      const p = this.pending.get(f.id);
      if (!p) return;
      this.pending.delete(f.id);
      clearTimeout(p.timer);
      if (f.ok) p.resolve(f.payload);
      else p.reject(new GatewayError(String(f.error?.code ?? "INTERNAL"), String(f.error?.message ?? "request failed."), f.error?.retryAfterMs));
    } else if (f?.type === "event" && typeof f.event === "string") {
      for (const fn of this.listeners.get(f.event) ?? []) {
        try {
          fn(f.payload);
        } catch (err) {
          console.warn(`listener for ${f.event} failed`, err);
        }
      }
    }
  }
}
