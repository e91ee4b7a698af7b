// Connected nodes and the routing of `node.invoke`: the gateway sends a node a
// `node.invoke.request` event and the node answers with a `node.invoke.result`
// request. Owns the decisions on the way: is the command allowed at all
// (gateway.nodes.commands), does the node offer it, timeouts, idempotency keys, and
// failing every waiting call at once when its node disconnects.
import { randomUUID } from "node:crypto";
import type { ErrorCode } from "../protocol/schema.js";
import { escapeForDisplay } from "../infra/display.js";
import { findDevice } from "../security/device-pairing.js";

export const DEFAULT_INVOKE_TIMEOUT_MS = 30_000;
export const MAX_INVOKE_TIMEOUT_MS = 10 * 60 * 1000;
export const IDEMPOTENCY_TTL_MS = 10 * 60 * 1000;

export interface NodeSession {
  deviceId: string;
  name: string;
  platform: string;
  version: string;
  commands: string[];
  connId: string;
  connectedAt: number;
  remoteAddress: string;
  /** Sends `node.invoke.request` to this node. */
  sendInvoke(req: { id: string; command: string; params: unknown; timeoutMs: number }): void;
  close(code: number, reason: string): void;
}

export interface NodeInfo {
  nodeId: string;
  name: string;
  platform: string;
  version: string;
  commands: string[];
  connectedAt: number;
  remoteAddress: string;
}

export class NodeInvokeError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "NodeInvokeError";
  }
}

export interface CommandLists {
  allow: string[];
  deny: string[];
}

function commandMatches(entry: string, command: string): boolean {
  if (entry === "*") return true;
  if (entry.endsWith(".*")) return command.startsWith(entry.slice(0, -1));
  return entry === command;
}

/** gateway.nodes.commands, pure: deny wins; otherwise the command must be on allow. */
export function commandDecision(command: string, lists: CommandLists): { allowed: true } | { allowed: false; rule: string } {
  const denied = lists.deny.find((e) => commandMatches(e, command));
  if (denied) return { allowed: false, rule: `gateway.nodes.commands.deny contains "${denied}"` };
  if (!lists.allow.some((e) => commandMatches(e, command))) return { allowed: false, rule: `gateway.nodes.commands.allow does not include "${command}"` };
  return { allowed: true };
}

export const NODE_ERROR_MAX_CHARS = 1000;

/**
 * A node's error message as the gateway passes it on (operator CLI and UI, the agent's tool
 * error, which — unlike a result — nothing else cuts): the node wrote it, so it is one line with
 * control and bidi characters escaped, at most NODE_ERROR_MAX_CHARS characters.
 */
export function nodeErrorText(message: string | undefined): string {
  if (!message) return "the node reported a failure.";
  const chars = [...escapeForDisplay(message, { oneLine: true })];
  return chars.length > NODE_ERROR_MAX_CHARS ? `${chars.slice(0, NODE_ERROR_MAX_CHARS).join("")}… [${chars.length - NODE_ERROR_MAX_CHARS} more characters from the node not shown]` : chars.join("");
}

interface Waiting {
  connId: string;
  deviceId: string;
  resolve(v: unknown): void;
  reject(e: NodeInvokeError): void;
  timer: NodeJS.Timeout;
}

export class NodeRegistry {
  private nodes = new Map<string, NodeSession>();
  private waiting = new Map<string, Waiting>();
  private idempotency = new Map<string, { at: number; result: Promise<unknown> }>();

  constructor(
    private deps: {
      commands: () => CommandLists;
      /** Re-checks the device against the pairing store right before a call (a revoke wins even if not yet noticed). */
      stillPaired?: (deviceId: string) => boolean;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** A node finished its handshake. A second connection of the same device replaces the first. */
  attach(session: NodeSession): void {
    const old = this.nodes.get(session.deviceId);
    this.nodes.set(session.deviceId, session);
    if (old && old.connId !== session.connId) {
      this.failWaiting((w) => w.connId === old.connId, "the node reconnected before answering");
      old.close(1008, "replaced by a newer connection of the same device");
    }
  }

  /** The node's socket closed: every call waiting on it fails now. */
  detach(connId: string): void {
    for (const [id, s] of this.nodes) if (s.connId === connId) this.nodes.delete(id);
    this.failWaiting((w) => w.connId === connId, "the node disconnected before answering");
  }

  /** Revocation: close the device's socket at once. Returns whether it was connected. */
  disconnect(deviceId: string, reason: string): boolean {
    const s = this.nodes.get(deviceId);
    if (!s) return false;
    this.detach(s.connId);
    s.close(1008, reason);
    return true;
  }

  private failWaiting(pred: (w: Waiting) => boolean, message: string): void {
    for (const [id, w] of this.waiting) {
      if (!pred(w)) continue;
      this.waiting.delete(id);
      clearTimeout(w.timer);
      w.reject(new NodeInvokeError("UNAVAILABLE", message));
    }
  }

  commandAllowed(command: string): boolean {
    return commandDecision(command, this.deps.commands()).allowed;
  }

  connectedIds(): string[] {
    return [...this.nodes.keys()];
  }

  list(): NodeInfo[] {
    return [...this.nodes.values()].map((s) => ({
      nodeId: s.deviceId,
      name: s.name,
      platform: s.platform,
      version: s.version,
      commands: [...s.commands],
      connectedAt: s.connectedAt,
      remoteAddress: s.remoteAddress,
    }));
  }

  /** A connected node by device id, unique id prefix (≥ 6 hex characters) or name. */
  find(ref: string): NodeSession {
    // The same reference rule as devices approve/revoke (security/device-pairing.ts).
    const found = findDevice([...this.nodes.values()], ref);
    if (found.ok) return found.device;
    if (found.reason === "ambiguous") throw new NodeInvokeError("CONFLICT", `"${ref}" matches more than one connected node; use the device id.`);
    throw new NodeInvokeError("NOT_FOUND", `no connected node "${ref}"; see nodes.list.`);
  }

  invoke(req: { node: string; command: string; params?: unknown; timeoutMs?: number; idempotencyKey?: string }): Promise<unknown> {
    const verdict = commandDecision(req.command, this.deps.commands());
    if (!verdict.allowed) return Promise.reject(new NodeInvokeError("FORBIDDEN", `node command ${req.command} is not allowed: ${verdict.rule}.`));
    let session: NodeSession;
    try {
      session = this.find(req.node);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.deps.stillPaired && !this.deps.stillPaired(session.deviceId)) {
      this.disconnect(session.deviceId, "device revoked");
      return Promise.reject(new NodeInvokeError("NOT_FOUND", `node "${req.node}" is no longer paired.`));
    }
    if (!session.commands.includes(req.command)) {
      return Promise.reject(new NodeInvokeError("NOT_FOUND", `node ${session.name} does not offer ${req.command} (it offers: ${session.commands.join(", ") || "nothing"}).`));
    }
    const now = this.now();
    for (const [k, v] of this.idempotency) if (now - v.at > IDEMPOTENCY_TTL_MS) this.idempotency.delete(k);
    const key = req.idempotencyKey ? `${session.deviceId}\0${req.idempotencyKey}` : undefined;
    if (key) {
      const seen = this.idempotency.get(key);
      if (seen) return seen.result;
    }
    const timeoutMs = Math.min(Math.max(1, req.timeoutMs ?? DEFAULT_INVOKE_TIMEOUT_MS), MAX_INVOKE_TIMEOUT_MS);
    const id = randomUUID();
    const result = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.waiting.delete(id)) return;
        reject(new NodeInvokeError("TIMEOUT", `node ${session.name} did not answer ${req.command} within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.waiting.set(id, { connId: session.connId, deviceId: session.deviceId, resolve, reject, timer });
      try {
        session.sendInvoke({ id, command: req.command, params: req.params ?? {}, timeoutMs });
      } catch {
        this.waiting.delete(id);
        clearTimeout(timer);
        reject(new NodeInvokeError("UNAVAILABLE", `could not send ${req.command} to node ${session.name}.`));
      }
    });
    if (key) {
      this.idempotency.set(key, { at: now, result });
      // Only a result is remembered: a failed call may be retried with the same key.
      result.catch(() => {
        if (this.idempotency.get(key)?.result === result) this.idempotency.delete(key);
      });
    }
    return result;
  }

  /** A node's answer. Only the connection that was asked may answer; anything else is ignored. */
  handleResult(connId: string, res: { id: string; ok: boolean; payload?: unknown; error?: { code: ErrorCode; message: string } }): boolean {
    const w = this.waiting.get(res.id);
    if (!w || w.connId !== connId) return false;
    this.waiting.delete(res.id);
    clearTimeout(w.timer);
    if (res.ok) w.resolve(res.payload ?? null);
    else w.reject(new NodeInvokeError(res.error?.code ?? "INTERNAL", nodeErrorText(res.error?.message)));
    return true;
  }

  /** Shutdown: fail everything still waiting. */
  close(): void {
    this.failWaiting(() => true, "the gateway is stopping");
  }
}
