// RPC methods an authenticated client may call, as a registry: name → handler.
// Params are validated against protocol/schema.ts before a handler runs.
import type { z } from "zod";
import { methodParams, type MethodName } from "../protocol/schema.js";
import type { GatewayContext } from "./context.js";
import { getAt, splitKeyPath } from "../config/io.js";
import { UserError } from "../infra/errors.js";
import { MethodError } from "./method-error.js";
import { ChatError } from "../agents/chat.js";

/** Chat failures a client caused become typed protocol errors. */
function chatCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ChatError) throw new MethodError(err.code, err.message);
    throw err;
  }
}

type Handler<M extends MethodName> = (ctx: GatewayContext, params: z.output<(typeof methodParams)[M]>) => unknown;

export function statusPayload(ctx: GatewayContext) {
  return {
    version: ctx.version,
    node: process.version,
    pid: process.pid,
    uptimeMs: Date.now() - ctx.startedAt,
    bind: ctx.bind,
    tls: ctx.tls,
    auth: { mode: ctx.auth.mode, source: ctx.auth.source },
    connections: { operator: ctx.connections.count("operator"), node: ctx.connections.count("node") },
  };
}

export const methods: { [M in MethodName]: Handler<M> } = {
  health: (ctx) => ({ ok: true, uptimeMs: Date.now() - ctx.startedAt }),
  status: (ctx) => statusPayload(ctx),
  "config.get": (ctx, params) => {
    const redacted = ctx.logger.redactor.value(ctx.config);
    if (!params.path) return { path: ctx.configPath, config: redacted };
    let parts: string[];
    try {
      parts = splitKeyPath(params.path);
    } catch (err) {
      throw new MethodError("INVALID_REQUEST", (err as UserError).message);
    }
    const value = getAt(redacted, parts);
    if (value === undefined) throw new MethodError("NOT_FOUND", `config has no key ${params.path}.`);
    return { path: ctx.configPath, key: params.path, value };
  },
  "chat.send": (ctx, params) =>
    chatCall(() =>
      ctx.chat.send({
        sessionKey: params.sessionKey,
        message: params.message,
        idempotencyKey: params.idempotencyKey,
        origin: { kind: "operator" },
      }),
    ),
  "chat.history": (ctx, params) =>
    chatCall(() => {
      const { key } = ctx.chat.resolveSession(params.sessionKey);
      const session = ctx.store.get(key);
      return {
        sessionKey: key,
        session: session ?? null,
        messages: ctx.store.entries(key, params.limit).map((e) => ({ id: e.id, runId: e.runId, role: e.role, createdAt: e.createdAt, message: e.message })),
      };
    }),
  "chat.abort": (ctx, params) =>
    chatCall(() => {
      const { key } = ctx.chat.resolveSession(params.sessionKey);
      return { sessionKey: key, ...ctx.chat.abort(key, params.runId) };
    }),
  "sessions.list": (ctx) => ({ sessions: ctx.store.list() }),
  "exec.approval.list": (ctx) => ({ pending: ctx.approvals.list() }),
  "channels.status": (ctx) => ({ channels: ctx.channels.status() }),
  "exec.approval.resolve": (ctx, params) => {
    if (!ctx.approvals.resolve(params.id, params.decision, "operator")) {
      throw new MethodError("NOT_FOUND", `no pending approval "${params.id}" (already answered, expired, or never asked).`);
    }
    return { id: params.id, decision: params.decision };
  },
  "sessions.reset": (ctx, params) =>
    chatCall(() => {
      const { key } = ctx.chat.resolveSession(params.sessionKey);
      const archived = ctx.store.reset(key);
      return { sessionKey: key, reset: archived !== undefined, archivedTranscriptId: archived ?? null };
    }),
};
