// The gateway wire protocol (docs/protocol.md): every frame and method params schema,
// shared by the server, the CLI client, and later the TUI, node host and web UI.
import { z } from "zod";
import type { ChatEvent } from "./results.js";

export const PROTOCOL_VERSION = 1;
export const PRE_AUTH_MAX_PAYLOAD = 64 * 1024;
export const HANDSHAKE_TIMEOUT_MS = 10_000;
export const TICK_INTERVAL_MS = 15_000;

export const ERROR_CODES = [
  "INVALID_REQUEST",
  "UNKNOWN_METHOD",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "RATE_LIMITED",
  "PAIRING_REQUIRED",
  "NOT_FOUND",
  "CONFLICT",
  "UNAVAILABLE",
  "TIMEOUT",
  "INTERNAL",
  "PROTOCOL_MISMATCH",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const errorShape = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  retryAfterMs: z.number().int().nonnegative().optional(),
  /** Machine-readable detail; `details.code` repeats `code` where a foreign client looks for it there. */
  details: z.object({ code: z.string() }).optional(),
});
export type ErrorShape = z.infer<typeof errorShape>;

const id = z.string().min(1).max(128);

export const requestFrame = z.strictObject({
  type: z.literal("req"),
  id,
  method: z.string().min(1).max(128),
  params: z.record(z.string(), z.unknown()).optional(),
});
export type RequestFrame = z.infer<typeof requestFrame>;

export const responseFrame = z.discriminatedUnion("ok", [
  z.object({ type: z.literal("res"), id: z.string(), ok: z.literal(true), payload: z.unknown() }),
  z.object({ type: z.literal("res"), id: z.string(), ok: z.literal(false), error: errorShape }),
]);
export type ResponseFrame = z.infer<typeof responseFrame>;

export const eventFrame = z.object({
  type: z.literal("event"),
  event: z.string(),
  payload: z.unknown(),
  seq: z.number().int().nonnegative(),
});
export type EventFrame = z.infer<typeof eventFrame>;

export const serverFrame = z.union([responseFrame, eventFrame]);

export const connectParams = z.strictObject({
  role: z.enum(["operator", "node"]),
  auth: z
    .strictObject({
      token: z.string().max(1024).optional(),
      password: z.string().max(1024).optional(),
      deviceToken: z.string().max(1024).optional(),
      /** A single-use code from `auth.signin.code` (`simpleclaw dashboard`), instead of the token or password. */
      signinCode: z.string().max(128).optional(),
      /** The browser session `hello-ok.signin` handed out after a sign-in code (the Control UI's reconnects). */
      session: z.string().max(256).optional(),
    })
    .default({}),
  client: z.strictObject({
    name: z.string().min(1).max(64),
    version: z.string().min(1).max(64),
    platform: z.string().min(1).max(64),
  }),
  device: z
    .strictObject({
      id: z.string().regex(/^[0-9a-f]{64}$/),
      publicKey: z.string().max(256),
      signature: z.string().max(256),
      signedAt: z.number().int(),
    })
    .optional(),
  /** Nodes: the commands this node offers (e.g. "system.run"). */
  commands: z.array(z.string().regex(/^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$/).max(64)).max(64).optional(),
});
export type ConnectParams = z.infer<typeof connectParams>;

export interface HelloOk {
  type: "hello-ok";
  protocol: number;
  server: { version: string; connId: string };
  role: "operator" | "node";
  methods: string[];
  events: string[];
  policy: { maxPayload: number; tickIntervalMs: number };
  /** Nodes only, on the first connect after approval: the device token to present from now on. */
  auth?: { deviceToken: string; role: "operator" | "node" };
  /** After a sign-in code: a browser session for the Control UI's reconnects (never the gateway secret). */
  signin?: { session: string; expiresAt: number };
}

export const challengePayload = z.object({ nonce: z.string(), ts: z.number() });

const sessionKey = z.string().min(1).max(256);
/** A device by id, unique id prefix or name. */
const deviceRef = z.string().min(1).max(128);

/** DM pairing channels and codes (see channels/pairing.ts). */
const pairingChannel = z.string().regex(/^[a-z][a-z0-9-]{1,31}$/, "must be a channel id such as telegram");
const pairingCode = z.string().min(1).max(32);

/** Scheduled jobs (docs/cron.md). */
const jobId = z.string().min(1).max(64);
const cronTarget = z.strictObject({
  channel: pairingChannel,
  peer: z.string().min(1).max(256),
  chat: z.enum(["direct", "group"]).optional(),
});
const cronSchedule = {
  cron: z.string().min(1).max(200).optional(),
  tz: z.string().min(1).max(64).optional(),
  at: z.string().min(1).max(64).optional(),
  in: z.string().min(1).max(32).optional(),
  every: z.string().min(1).max(32).optional(),
};

/** Params of every post-handshake method. A method missing here is UNKNOWN_METHOD. */
export const methodParams = {
  health: z.strictObject({}),
  status: z.strictObject({}),
  "config.get": z.strictObject({ path: z.string().min(1).max(256).optional() }),
  /** Re-read simpleclaw.json now (what `config set` calls); see docs/configuration.md. */
  "config.reload": z.strictObject({}),
  /** Mint a single-use Control UI sign-in code, valid 60 s (`simpleclaw dashboard`). */
  "auth.signin.code": z.strictObject({}),
  "chat.send": z.strictObject({
    sessionKey: sessionKey.optional(),
    message: z.string().max(1_000_000),
    idempotencyKey: z.string().min(1).max(128),
  }),
  "chat.history": z.strictObject({ sessionKey: sessionKey.optional(), limit: z.number().int().min(1).max(1000).default(200) }),
  "chat.abort": z.strictObject({ sessionKey: sessionKey.optional(), runId: z.string().min(1).max(128).optional() }),
  "sessions.list": z.strictObject({}),
  "exec.approval.list": z.strictObject({}),
  "channels.status": z.strictObject({}),
  "exec.approval.resolve": z.strictObject({
    id: z.string().min(1).max(64),
    decision: z.enum(["allow-once", "allow-always", "deny"]),
  }),
  "sessions.reset": z.strictObject({ sessionKey: sessionKey.optional() }),
  "device.pair.list": z.strictObject({}),
  "device.pair.approve": z.strictObject({ deviceId: deviceRef }),
  "device.pair.reject": z.strictObject({ deviceId: deviceRef }),
  "device.revoke": z.strictObject({ deviceId: deviceRef }),
  "nodes.list": z.strictObject({}),
  "nodes.describe": z.strictObject({ nodeId: deviceRef }),
  "node.invoke": z.strictObject({
    nodeId: deviceRef,
    command: z.string().min(1).max(128),
    params: z.record(z.string(), z.unknown()).default({}),
    timeoutMs: z.number().int().min(1).max(600_000).optional(),
    idempotencyKey: z.string().min(1).max(128),
  }),
  /** DM pairing (channels/pairing.ts), operator only. */
  "pairing.list": z.strictObject({ channel: pairingChannel.optional() }),
  "pairing.approve": z.strictObject({ channel: pairingChannel, code: pairingCode }),
  "pairing.reject": z.strictObject({ channel: pairingChannel, code: pairingCode }),
  "pairing.revoke": z.strictObject({ channel: pairingChannel, senderId: z.string().min(1).max(256) }),
  "pairing.clear": z.strictObject({ channel: pairingChannel }),
  /** Every skill found, whether the agent sees it, and what the scanner found (docs/skills.md). */
  "skills.list": z.strictObject({}),
  /** Add a skill to / remove it from skills.allow (written to the config file, then reloaded). */
  "skills.allow": z.strictObject({ name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "must be a skill name") }),
  "skills.deny": z.strictObject({ name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "must be a skill name") }),
  /** Scheduled jobs (docs/cron.md), operator only: jobs added here are approved; the agent's are pending. */
  "cron.list": z.strictObject({}),
  "cron.add": z.strictObject({
    name: z.string().max(80).optional(),
    agentId: z.string().min(1).max(64).optional(),
    prompt: z.string().min(1).max(20_000),
    sessionKey: sessionKey.optional(),
    deliver: cronTarget.optional(),
    enabled: z.boolean().optional(),
    ...cronSchedule,
  }),
  "cron.edit": z.strictObject({
    id: jobId,
    name: z.string().max(80).optional(),
    prompt: z.string().min(1).max(20_000).optional(),
    sessionKey: sessionKey.optional(),
    deliver: cronTarget.nullable().optional(),
    ...cronSchedule,
  }),
  "cron.remove": z.strictObject({ id: jobId }),
  "cron.enable": z.strictObject({ id: jobId }),
  "cron.disable": z.strictObject({ id: jobId }),
  "cron.run": z.strictObject({ id: jobId }),
  "cron.runs": z.strictObject({ id: jobId.optional(), limit: z.number().int().min(1).max(500).default(50) }),
  "cron.approve": z.strictObject({ id: jobId }),
  "cron.reject": z.strictObject({ id: jobId }),
  /** The static security audit (never --fix or --deep over RPC). */
  "security.audit": z.strictObject({}),
  /** Node → gateway: the answer to a `node.invoke.request` event. */
  "node.invoke.result": z.strictObject({
    id: z.string().min(1).max(128),
    ok: z.boolean(),
    payload: z.unknown().optional(),
    error: errorShape.optional(),
  }),
} as const;
export type MethodName = keyof typeof methodParams;

export const EVENTS = ["connect.challenge", "tick", "shutdown", "resync", "chat", "exec.approval.requested", "exec.approval.resolved", "pairing.requested", "pairing.resolved", "device.pair.requested", "device.pair.resolved", "cron.changed"] as const;

/** The only methods a `node` connection may call; operators may call every other one. */
export const NODE_METHODS: readonly MethodName[] = ["health", "node.invoke.result"];
/** Events a node receives. */
export const NODE_EVENTS = ["connect.challenge", "tick", "shutdown", "resync", "node.invoke.request"] as const;

/** Payload of a `chat` event (one per delta, tool step, and end of run): the runtime check of protocol/results.ts's ChatEvent. */
const runRef = { runId: z.string(), sessionKey: z.string() };
export const chatEvent = z.discriminatedUnion("state", [
  z.object({ ...runRef, state: z.literal("delta"), delta: z.string() }),
  z.object({
    ...runRef,
    state: z.literal("tool"),
    phase: z.enum(["call", "result"]),
    callId: z.string(),
    name: z.string(),
    input: z.unknown().optional(),
    result: z.string().optional(),
    error: z.string().optional(),
  }),
  z.object({ ...runRef, state: z.literal("fallback"), from: z.string(), to: z.string(), reason: z.string() }),
  z.object({
    ...runRef,
    state: z.literal("status"),
    text: z.string(),
    approval: z.object({ id: z.string(), command: z.string(), expiresAt: z.number() }).optional(),
  }),
  z.object({
    ...runRef,
    state: z.literal("final"),
    text: z.string(),
    model: z.string().optional(),
    usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }).optional(),
    command: z.string().optional(),
  }),
  z.object({ ...runRef, state: z.literal("error"), message: z.string(), code: z.literal("TIMEOUT").optional() }),
  z.object({ ...runRef, state: z.literal("aborted"), text: z.string() }),
]);
export type ChatEventPayload = ChatEvent;
// The schema and the shared type must describe the same thing: a compile error here means they drifted.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const chatEventMatchesType: Same<z.output<typeof chatEvent>, ChatEvent> = true;
void chatEventMatchesType;
