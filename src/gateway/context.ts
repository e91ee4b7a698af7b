// What every part of a running gateway shares: resolved config, auth, limiter, logger.
import type { Config } from "../config/schema.js";
import type { Logger } from "../infra/log.js";
import type { AuthRateLimiter, ResolvedAuth } from "./auth.js";
import type { BindMode } from "./listen.js";

export interface GatewayContext {
  version: string;
  config: Config;
  configPath: string;
  stateDir: string;
  auth: ResolvedAuth;
  limiter: AuthRateLimiter;
  logger: Logger;
  startedAt: number;
  bind: { mode: BindMode; host: string; port: number };
  tls: { enabled: boolean; fingerprint256?: string };
  maxPayload: number;
  connections: { count(role: "operator" | "node"): number };
}
