// What every part of a running gateway shares: resolved config, auth, limiter, logger.
import type { Config } from "../config/schema.js";
import type { Cidr } from "../net/address.js";
import type { Logger } from "../infra/log.js";
import type { AuthRateLimiter, ResolvedAuth } from "../security/auth.js";
import type { BindMode } from "../security/exposure.js";
import type { ChatService } from "../agents/chat.js";
import type { SessionStore } from "../agents/store.js";
import type { ApprovalManager } from "../exec/approvals.js";
import type { ChannelStatus } from "../channels/manager.js";
import type { Env } from "../config/paths.js";
import type { DeviceService } from "../devices/service.js";
import type { NodeRegistry } from "../nodes/registry.js";
import type { ReloadResult } from "./reload.js";
import type { SigninCodes } from "../security/signin-codes.js";
import type { CronScheduler } from "../agents/cron.js";

export interface GatewayContext {
  version: string;
  config: Config;
  configPath: string;
  stateDir: string;
  auth: ResolvedAuth;
  limiter: AuthRateLimiter;
  /** gateway.trustedProxies, parsed: whose X-Forwarded-For names the client (security/client-address.ts). */
  trustedProxies: readonly Cidr[];
  /** Note a request whose forwarding headers were ignored (peer not a trusted proxy); start.ts records it for the audit. */
  noteIgnoredForwarding?: (peer: string, headers: readonly string[]) => void;
  logger: Logger;
  startedAt: number;
  bind: { mode: BindMode; host: string; port: number };
  tls: { enabled: boolean; fingerprint256?: string };
  maxPayload: number;
  connections: { count(role: "operator" | "node"): number };
  /** Send an event to every authenticated operator client. */
  broadcast(event: string, payload: unknown): void;
  env: Env;
  store: SessionStore;
  chat: ChatService;
  approvals: ApprovalManager;
  channels: { status(): ChannelStatus[] };
  /** Device pairing (devices/service.ts) and connected nodes (nodes/registry.ts). */
  devices: DeviceService;
  nodes: NodeRegistry;
  /** Re-read the config file and apply what can apply live (gateway/reload.ts). */
  reloadConfig?: () => ReloadResult;
  /** Scheduled jobs (agents/cron.ts, gateway/cron.ts). */
  cron: CronScheduler;
  /** Single-use Control UI sign-in codes (security/signin-codes.ts). */
  signinCodes: SigninCodes;
}
