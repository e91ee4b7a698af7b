// Network exposure: which address the gateway binds, and whether it may start at all.
// Decision only (pure); server.ts calls it once before listening.
import type { NetworkInterfaceInfo } from "node:os";
import { isIP } from "node:net";
import type { ResolvedAuth } from "./auth.js";
import { isLoopbackHost, isTailnetAddress } from "../net/address.js";

/** Shortest gateway password accepted on a non-loopback bind (docs/security-model.md). */
export const MIN_PASSWORD_LENGTH = 12;

export type BindMode = "loopback" | "lan" | "tailnet" | "custom";

export type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

export type BindResult = { ok: true; host: string } | { ok: false; message: string };

const BIND_MODES: readonly BindMode[] = ["loopback", "lan", "tailnet", "custom"];

/**
 * The bind mode in force: SIMPLECLAW_GATEWAY_BIND beats gateway.bind (containers set
 * "lan", since a published port cannot reach a loopback listener). Auth rules are unchanged.
 */
export function effectiveBindMode(configured: BindMode, env: Record<string, string | undefined>): { ok: true; mode: BindMode } | { ok: false; message: string } {
  const v = env.SIMPLECLAW_GATEWAY_BIND?.trim();
  if (!v) return { ok: true, mode: configured };
  if ((BIND_MODES as readonly string[]).includes(v)) return { ok: true, mode: v as BindMode };
  return { ok: false, message: `SIMPLECLAW_GATEWAY_BIND must be one of ${BIND_MODES.join(", ")}, got "${v}".` };
}

export function resolveBindHost(bind: BindMode, customHost: string | undefined, interfaces: Interfaces): BindResult {
  switch (bind) {
    case "loopback":
      return { ok: true, host: "127.0.0.1" };
    case "lan":
      return { ok: true, host: "0.0.0.0" };
    case "tailnet": {
      for (const list of Object.values(interfaces)) {
        for (const info of list ?? []) {
          if (info.family === "IPv4" && isTailnetAddress(info.address)) return { ok: true, host: info.address };
        }
      }
      return {
        ok: false,
        message: 'gateway.bind is "tailnet" but this host has no Tailscale address (100.64.0.0/10); start Tailscale or choose another gateway.bind.',
      };
    }
    case "custom": {
      if (!customHost) return { ok: false, message: 'gateway.bind is "custom" but gateway.customBindHost is not set.' };
      if (isIP(customHost) === 0 && customHost !== "localhost") {
        return { ok: false, message: `gateway.customBindHost "${customHost}" is not an IP address; give the address to listen on.` };
      }
      return { ok: true, host: customHost };
    }
  }
}

/** Refuse a non-loopback listener that anyone could use without a secret. */
export function exposureProblem(host: string, auth: ResolvedAuth): string | null {
  if (isLoopbackHost(host)) return null;
  if (auth.mode === "none") {
    return `refusing to listen on ${host} with gateway.auth.mode "none": anyone on the network could control this machine; set gateway.auth.mode to "token" or bind to loopback.`;
  }
  if (!auth.secret) {
    return `refusing to listen on ${host} without a gateway ${auth.mode}; set SIMPLECLAW_GATEWAY_${auth.mode.toUpperCase()} or gateway.auth.${auth.mode}.`;
  }
  if (auth.mode === "password" && [...auth.secret].length < MIN_PASSWORD_LENGTH) {
    return `refusing to listen on ${host} with a gateway password shorter than ${MIN_PASSWORD_LENGTH} characters: anyone on the network can guess it; set a longer one, use gateway.auth.mode "token", or bind to loopback.`;
  }
  return null;
}
