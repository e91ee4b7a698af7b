// One WebSocket client from challenge to close. Handshake: the server sends
// connect.challenge; the first frame must be `connect` within 10 s and pass
// auth.ts's `authenticate()`; anything else is answered (when it has an id) and closed.
// After that, frames are requests dispatched through the methods registry.
import { randomBytes, randomUUID } from "node:crypto";
import type { WebSocket } from "ws";
import {
  connectParams,
  HANDSHAKE_TIMEOUT_MS,
  methodParams,
  PROTOCOL_VERSION,
  requestFrame,
  TICK_INTERVAL_MS,
  EVENTS,
  NODE_EVENTS,
  NODE_METHODS,
  type ErrorShape,
  type HelloOk,
} from "../protocol/schema.js";
import { isOpenClawConnect, OPENCLAW_MISMATCH_MESSAGE } from "../protocol/foreign.js";
import { authenticate } from "../security/auth.js";
import { authenticateBrowserSession, authenticateSigninCode, mintBrowserSession, type SigninCredential } from "../security/signin-codes.js";
import type { GatewayContext } from "./context.js";
import { methods, type Caller } from "./methods.js";
import { MethodError } from "./method-error.js";
import { formatPath } from "../config/io.js";
import { CLOSE_SLOW_CONSUMER, eventFrameText, isDroppableEvent, outboundDecision, type FrameKind } from "./outbound.js";

export const CLOSE_POLICY = 1008;
/** RFC 6455 "protocol error": a client of another gateway protocol (OpenClaw). */
export const CLOSE_PROTOCOL = 1002;
/** How long a request waits for a client to read its backlog before the client is closed. */
export const SLOW_READER_GRACE_MS = 5_000;
/**
 * How long a socket the gateway decided to close may wait for the client's half of the close
 * handshake (or for its unread backlog to drain) before it is cut. Without it a client that
 * never answers kept the socket 30 s (the ws library's own timeout).
 */
export const CLOSE_GRACE_MS = 5_000;

/** Methods only a node may call. */
const NODE_ONLY = new Set<string>(["node.invoke.result"]);

type Role = "operator" | "node";

/**
 * An own `__proto__` key anywhere in a frame (JSON.parse makes one; zod would silently drop
 * it, or pass it on inside free-form params). Nesting deeper than 64 levels counts too: it
 * is not checked, so it is refused (fails closed).
 */
export function hasProtoKey(value: unknown, depth = 0): boolean {
  if (!value || typeof value !== "object") return false;
  if (depth > 64) return true;
  if (Object.hasOwn(value, "__proto__")) return true;
  for (const v of Object.values(value)) if (hasProtoKey(v, depth + 1)) return true;
  return false;
}

function readId(value: unknown): string | undefined {
  if (value && typeof value === "object" && "id" in value) {
    const id = (value as { id: unknown }).id;
    if (typeof id === "string" && id.length > 0 && id.length <= 128) return id;
  }
  return undefined;
}

export class Connection {
  readonly connId = randomUUID();
  readonly nonce = randomBytes(32).toString("base64url");
  role: Role | undefined;
  /** The verified, paired device behind this connection (nodes). */
  deviceId: string | undefined;
  /** What this connection signed in with (security/signin-codes.ts mayMintSigninCode asks). */
  credential: SigninCredential = "secret";
  private nonceUsed = false;
  private seq = 0;
  private closing = false;
  private terminated = false;
  private closeTimer: NodeJS.Timeout | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  /** True from the first dropped event until one goes out again (one `resync` per gap). */
  private dropping = false;
  readonly openedAt = Date.now();
  /** Requests pass this gate in order (see waitForRoom). */
  private gate: Promise<unknown> = Promise.resolve();

  constructor(
    private ctx: GatewayContext,
    readonly ws: WebSocket,
    readonly remoteAddress: string,
    /** The upgrade carried forwarding headers: a proxy stands between the client and us. */
    readonly forwarded = false,
  ) {
    ws.on("message", (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    ws.on("error", (err) => ctx.logger.debug("websocket error", { connId: this.connId, err: err.message }));
    ws.on("close", () => {
      clearTimeout(this.handshakeTimer);
      clearTimeout(this.closeTimer);
    });
    this.handshakeTimer = setTimeout(() => {
      if (!this.role) this.close(CLOSE_POLICY, `handshake timeout: send connect within ${HANDSHAKE_TIMEOUT_MS / 1000} s`);
    }, HANDSHAKE_TIMEOUT_MS);
    this.event("connect.challenge", { nonce: this.nonce, ts: Date.now() });
  }

  /** Closing or closed: takes no new work. */
  get closed(): boolean {
    return this.closing || this.ws.readyState === this.ws.CLOSED;
  }

  /**
   * Holds one of the unauthenticated slots admission counts (security/admission.ts): from
   * the upgrade until the socket is really gone — a socket being closed still holds its TCP
   * connection, so it counts until it is cut (at most CLOSE_GRACE_MS after the decision).
   */
  get pendingSlot(): boolean {
    return !this.authenticated && !this.terminated && this.ws.readyState !== this.ws.CLOSED;
  }

  /** Cuts the TCP connection now, without waiting for the close handshake. */
  terminate(): void {
    this.closing = true;
    this.terminated = true;
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.closeTimer);
    this.ws.terminate();
  }

  get authenticated(): boolean {
    return this.role !== undefined;
  }

  event(event: string, payload: unknown): void {
    this.eventJson(event, JSON.stringify(payload ?? null), isDroppableEvent(event, payload));
  }

  /** Sends an event whose payload is already JSON (broadcasts serialise once for every client). */
  eventJson(event: string, payloadJson: string, droppable = false): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const text = eventFrameText(event, payloadJson, this.seq);
    const kind: FrameKind = droppable ? "droppable" : "event";
    const decision = outboundDecision(kind, this.ws.bufferedAmount, Buffer.byteLength(text), this.ctx.config.gateway.maxBufferedBytes);
    if (decision === "drop") {
      if (!this.dropping) {
        this.dropping = true;
        const resync = { reason: "this client is not reading fast enough; events were dropped here: reload state (chat.history) before trusting deltas again." };
        this.transmit(eventFrameText("resync", JSON.stringify(resync), this.seq++), "event");
      }
      return;
    }
    if (droppable) this.dropping = false;
    this.seq++;
    this.transmit(text, kind, decision);
  }

  close(code: number, reason: string): void {
    this.closing = true;
    clearTimeout(this.handshakeTimer);
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason.slice(0, 120));
    // A client that never answers the close handshake (or never reads) is cut off.
    this.closeTimer ??= setTimeout(() => this.terminate(), CLOSE_GRACE_MS).unref();
  }

  private send(frame: unknown): void {
    if (this.ws.readyState === this.ws.OPEN) this.transmit(JSON.stringify(frame), "reply");
  }

  /**
   * Requests start one after another only while this client's unread backlog is under half
   * of gateway.maxBufferedBytes; one that stays over it for SLOW_READER_GRACE_MS is closed.
   */
  private waitForRoom(): Promise<boolean> {
    const turn = this.gate.then(() => this.drained());
    this.gate = turn.then(() => undefined);
    return turn;
  }

  private async drained(): Promise<boolean> {
    const soft = this.ctx.config.gateway.maxBufferedBytes / 2;
    const deadline = Date.now() + SLOW_READER_GRACE_MS;
    await new Promise((r) => setImmediate(r)); // let the previous request's reply be queued first
    while (this.ws.bufferedAmount >= soft) {
      if (this.closed) return false;
      if (Date.now() > deadline) {
        this.slowConsumer();
        return false;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    return !this.closed;
  }

  private slowConsumer(): void {
    if (this.closing) return;
    const max = this.ctx.config.gateway.maxBufferedBytes;
    this.ctx.logger.warn("closing a client that does not read", { connId: this.connId, addr: this.remoteAddress, buffered: this.ws.bufferedAmount });
    // The close frame waits behind the unread bytes; close() cuts a client that never reads.
    this.close(CLOSE_SLOW_CONSUMER, `client too slow: more than ${max} bytes unread; reconnect and resync`);
  }

  /** The one place a frame is handed to the socket, after the backpressure decision (outbound.ts). */
  private transmit(text: string, kind: FrameKind, decided?: "send" | "close"): void {
    const max = this.ctx.config.gateway.maxBufferedBytes;
    const decision = decided ?? outboundDecision(kind, this.ws.bufferedAmount, Buffer.byteLength(text), max);
    if (decision === "send") {
      this.ws.send(text);
      return;
    }
    this.slowConsumer();
  }

  private ok(id: string, payload: unknown): void {
    this.send({ type: "res", id, ok: true, payload });
  }

  private fail(id: string | undefined, error: ErrorShape): void {
    this.send({ type: "res", id: id ?? "", ok: false, error });
  }

  /** Errors before auth end the connection; after auth they are just answered. */
  private reject(id: string | undefined, error: ErrorShape): void {
    this.fail(id, error);
    if (!this.authenticated) this.close(CLOSE_POLICY, error.message);
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closing) return; // nothing counts once we decided to close
    if (isBinary) {
      this.reject(undefined, { code: "INVALID_REQUEST", message: "frames must be JSON text messages, not binary." });
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString("utf8"));
    } catch {
      this.reject(undefined, { code: "INVALID_REQUEST", message: "frame is not valid JSON." });
      return;
    }
    const id = readId(parsed);
    if (hasProtoKey(parsed)) {
      this.reject(id, { code: "INVALID_REQUEST", message: "frames may not contain a \"__proto__\" key or nest deeper than 64 levels." });
      return;
    }
    const frame = requestFrame.safeParse(parsed);
    if (!frame.success) {
      const issue = frame.error.issues[0]!;
      this.reject(id, { code: "INVALID_REQUEST", message: `not a request frame: ${formatPath(issue.path)} ${issue.message}.` });
      return;
    }
    const { method, params } = frame.data;
    if (!this.authenticated) {
      if (method !== "connect") {
        this.reject(id, { code: "UNAUTHORIZED", message: "the first frame must be a connect request." });
        return;
      }
      this.handleConnect(frame.data.id, params ?? {});
      return;
    }
    if (method === "connect") {
      this.fail(id, { code: "INVALID_REQUEST", message: "already connected; connect is only valid as the first frame." });
      return;
    }
    void this.dispatch(frame.data.id, method, params ?? {});
  }

  private handleConnect(id: string, rawParams: Record<string, unknown>): void {
    // An OpenClaw client gets a clear answer before any auth check, so it never counts
    // toward the lockout (docs/protocol.md, "Clients of other gateways").
    if (isOpenClawConnect(rawParams)) {
      this.ctx.logger.info("OpenClaw client refused", { connId: this.connId, addr: this.remoteAddress });
      this.fail(id, { code: "PROTOCOL_MISMATCH", message: OPENCLAW_MISMATCH_MESSAGE, details: { code: "PROTOCOL_MISMATCH" } });
      this.close(CLOSE_PROTOCOL, "protocol mismatch: this is a SimpleClaw gateway");
      return;
    }
    const p = connectParams.safeParse(rawParams);
    if (!p.success) {
      const issue = p.error.issues[0]!;
      this.reject(id, { code: "INVALID_REQUEST", message: `invalid connect params: ${formatPath(issue.path)} ${issue.message}.` });
      return;
    }
    const { role, auth, client } = p.data;
    // The challenge nonce is good for exactly one connect attempt.
    if (this.nonceUsed) {
      this.reject(id, { code: "UNAUTHORIZED", message: "this challenge was already used; open a new connection." });
      return;
    }
    this.nonceUsed = true;
    const presented = this.ctx.auth.mode === "password" ? auth.password : auth.token;
    // A dashboard sign-in code, or the browser session it yielded (security/signin-codes.ts),
    // stands in for the secret, for operators only.
    const byCode = auth.signinCode !== undefined && this.ctx.auth.mode !== "none";
    const bySession = !byCode && auth.session !== undefined && this.ctx.auth.mode !== "none" && !!this.ctx.auth.secret;
    if ((byCode || bySession) && role !== "operator") {
      this.reject(id, { code: "UNAUTHORIZED", message: "a sign-in code or browser session is for the Control UI (role operator) only." });
      return;
    }
    const decision = byCode
      ? authenticateSigninCode(this.ctx.signinCodes, auth.signinCode!, this.remoteAddress, this.ctx.limiter)
      : bySession
        ? authenticateBrowserSession(this.ctx.auth.secret!, auth.session!, this.remoteAddress, this.ctx.limiter)
        : authenticate(this.ctx.auth, presented, this.remoteAddress, this.ctx.limiter);
    if (!decision.ok) {
      this.ctx.logger.warn("connect refused", { connId: this.connId, addr: this.remoteAddress, code: decision.code, client: client.name });
      this.reject(id, decision.code === "RATE_LIMITED"
        ? { code: decision.code, message: decision.message, retryAfterMs: decision.retryAfterMs }
        : { code: decision.code, message: decision.message });
      return;
    }
    // Device identity (docs/nodes.md): nodes must prove a paired device; see devices/service.ts.
    const device = this.ctx.devices.authorizeDevice({
      role,
      device: p.data.device,
      deviceToken: auth.deviceToken,
      nonce: this.nonce,
      remoteAddress: this.remoteAddress,
      forwarded: this.forwarded,
      client,
    });
    if (!device.ok) {
      if (device.countsAsFailure) this.ctx.limiter.recordFailure(this.remoteAddress);
      this.ctx.logger.warn("connect refused", { connId: this.connId, addr: this.remoteAddress, code: device.code, role, device: p.data.device?.id, client: client.name });
      this.reject(id, { code: device.code, message: device.message });
      return;
    }
    this.role = role;
    this.credential = byCode ? "signin-code" : bySession ? "session" : "secret";
    if (role === "node" && device.deviceId) {
      const deviceId = device.deviceId;
      this.deviceId = deviceId;
      this.ctx.nodes.attach({
        deviceId,
        name: device.name ?? device.client?.name ?? client.name,
        platform: device.client?.platform ?? client.platform,
        version: device.client?.version ?? client.version,
        commands: p.data.commands ?? [],
        connId: this.connId,
        connectedAt: Date.now(),
        remoteAddress: this.remoteAddress,
        sendInvoke: (req) => this.event("node.invoke.request", req),
        close: (code, reason) => this.close(code, reason),
      });
      this.ws.on("close", () => {
        this.ctx.nodes.detach(this.connId);
        if (!this.ctx.nodes.connectedIds().includes(deviceId)) this.ctx.devices.forget(deviceId);
      });
    }
    clearTimeout(this.handshakeTimer);
    this.raisePayloadLimit(this.ctx.maxPayload);
    this.ctx.logger.info("client connected", { connId: this.connId, addr: this.remoteAddress, role, client: client.name });
    const hello: HelloOk = {
      type: "hello-ok",
      protocol: PROTOCOL_VERSION,
      server: { version: this.ctx.version, connId: this.connId },
      role,
      methods: role === "node" ? [...NODE_METHODS] : Object.keys(methods).filter((m) => !NODE_ONLY.has(m)),
      events: role === "node" ? [...NODE_EVENTS] : [...EVENTS],
      policy: { maxPayload: this.ctx.maxPayload, tickIntervalMs: TICK_INTERVAL_MS },
      ...(device.issuedToken ? { auth: { deviceToken: device.issuedToken, role } } : {}),
      ...(byCode && this.ctx.auth.secret ? { signin: mintBrowserSession(this.ctx.auth.secret) } : {}),
    };
    this.ok(id, hello);
  }

  /**
   * The server accepts at most 64 KiB per frame until a client authenticates (the ws
   * server's maxPayload). Afterwards this connection's receiver takes the configured
   * limit. If ws internals ever change, the 64 KiB cap simply stays (fails closed).
   */
  private raisePayloadLimit(max: number): void {
    const receiver = (this.ws as unknown as { _receiver?: { _maxPayload?: number } })._receiver;
    if (receiver && typeof receiver._maxPayload === "number") receiver._maxPayload = max;
  }

  private async dispatch(id: string, method: string, params: Record<string, unknown>): Promise<void> {
    if (!Object.hasOwn(methods, method)) {
      this.fail(id, { code: "UNKNOWN_METHOD", message: `unknown method "${method}".` });
      return;
    }
    const name = method as keyof typeof methods;
    if (this.role === "node" ? !NODE_METHODS.includes(name) : NODE_ONLY.has(name)) {
      this.fail(id, { code: "FORBIDDEN", message: `a ${this.role} connection may not call ${method}.` });
      return;
    }
    // A client that is not reading its replies gets no new work done (docs/operations.md).
    if (!(await this.waitForRoom())) return;
    const parsed = methodParams[name].safeParse(params);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      this.fail(id, { code: "INVALID_REQUEST", message: `invalid params for ${method}: ${formatPath(issue.path)} ${issue.message}.` });
      return;
    }
    try {
      const handler = methods[name] as (ctx: GatewayContext, p: unknown, caller: Caller) => unknown;
      this.ok(id, await handler(this.ctx, parsed.data, { connId: this.connId, role: this.role!, deviceId: this.deviceId, credential: this.credential }));
    } catch (err) {
      if (err instanceof MethodError) {
        this.fail(id, { code: err.code, message: err.message, ...(err.retryAfterMs ? { retryAfterMs: err.retryAfterMs } : {}) });
      } else {
        this.ctx.logger.error("method failed", { method, err: err instanceof Error ? err.message : String(err) });
        this.fail(id, { code: "INTERNAL", message: `${method} failed inside the gateway; see the gateway log.` });
      }
    }
  }
}
