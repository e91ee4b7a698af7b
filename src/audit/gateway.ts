// Audit family "gateway": network exposure and authentication of the gateway itself
// (bind × auth mode × secret strength × rate limit × TLS × Tailscale × browser origins).
import { gatewayReach } from "./exposure.js";
import { parseTrustedProxies, untrustedForwarders } from "../security/client-address.js";
import { isLoopbackHost } from "../net/address.js";
import { finding, type AuditInput, type CheckDef, type CheckFamily, type Finding } from "./types.js";

export const MIN_TOKEN_LENGTH = 32;
export { MIN_PASSWORD_LENGTH } from "../security/exposure.js";
import { MIN_PASSWORD_LENGTH } from "../security/exposure.js";

const c = {
  bindNoAuth: {
    id: "gateway.bind_no_auth",
    severity: ["critical"],
    fixable: false,
    title: "Gateway binds beyond loopback without authentication",
    meaning: "gateway.bind is not loopback while auth.mode is \"none\" or no token/password is set: anyone who can reach the port could drive the agent and its tools. The gateway refuses to start like this, so this config cannot run.",
    remedy: "Set gateway.auth.mode to \"token\" (a token is generated on first start) or set gateway.bind to \"loopback\".",
  },
  loopbackNoAuth: {
    id: "gateway.loopback_no_auth",
    severity: ["critical"],
    fixable: false,
    title: "Gateway accepts connections without authentication",
    meaning: "gateway.auth.mode is \"none\": every local process and every web page that can reach 127.0.0.1 (via a browser, a proxy or an SSH tunnel) can drive the agent and run its tools.",
    remedy: "Run `simpleclaw config unset gateway.auth.mode` (token auth; a token is generated on next start).",
  },
  tokenShort: {
    id: "gateway.token_too_short",
    severity: ["warn"],
    fixable: false,
    title: "Gateway token is short",
    meaning: `The gateway token has fewer than ${MIN_TOKEN_LENGTH} characters, which makes guessing it easier.`,
    remedy: "Generate a long random token (e.g. `openssl rand -base64 32`) and set it with `simpleclaw config set gateway.auth.token <token>` or SIMPLECLAW_GATEWAY_TOKEN, then restart the gateway.",
  },
  passwordWeak: {
    id: "gateway.password_weak",
    severity: ["warn", "critical"],
    fixable: false,
    title: "Gateway password is weak",
    meaning: `The gateway password has fewer than ${MIN_PASSWORD_LENGTH} characters. Critical on a non-loopback bind, where anyone on the network can guess it: the gateway refuses to start that way.`,
    remedy: `Use a password of at least ${MIN_PASSWORD_LENGTH} characters, or switch to token auth (gateway.auth.mode "token").`,
  },
  noRateLimit: {
    id: "gateway.auth_no_rate_limit",
    severity: ["warn"],
    fixable: false,
    title: "Failed-login rate limit is ineffective",
    meaning: "gateway.auth.rateLimit allows so many attempts (maxAttempts > 100, or lockoutMs < 10 s), or exempts loopback while a Tailscale proxy forwards remote clients from loopback, that secrets can be guessed without being locked out.",
    remedy: "Unset gateway.auth.rateLimit (defaults: 10 attempts per 60 s, 5 min lockout) and keep exemptLoopback false when using Tailscale serve/funnel.",
  },
  tlsOffRemote: {
    id: "gateway.tls_off_remote",
    severity: ["warn"],
    fixable: false,
    title: "Gateway reachable over the network without TLS",
    meaning: "The gateway listens on a non-loopback address with gateway.tls.enabled false: the token or password and every message cross the network in clear text.",
    remedy: "Set gateway.tls.enabled true (with certPath/keyPath or autoGenerate: true), or bind to loopback/tailnet and reach it through Tailscale or an SSH tunnel.",
  },
  funnel: {
    id: "gateway.tailscale_funnel",
    severity: ["critical"],
    fixable: false,
    title: "Gateway is published to the public internet with Tailscale Funnel",
    meaning: "gateway.tailscale.mode is \"funnel\": anyone on the internet can reach the gateway; only the gateway secret stands between them and your machine.",
    remedy: "Use `simpleclaw config set gateway.tailscale.mode serve` (tailnet only) or \"off\".",
  },
  serve: {
    id: "gateway.tailscale_serve",
    severity: ["info"],
    fixable: false,
    title: "Gateway is shared on your tailnet with Tailscale Serve",
    meaning: "gateway.tailscale.mode is \"serve\": devices on your tailnet can reach the gateway (still behind gateway auth).",
    remedy: "Nothing to do if that is intended; check your tailnet ACLs.",
  },
  originsWildcard: {
    id: "gateway.control_ui.allowed_origins_wildcard",
    severity: ["warn", "critical"],
    fixable: false,
    title: "Control UI accepts browser connections from any origin",
    meaning: "gateway.controlUi.allowedOrigins contains \"*\": any web page you visit may open the gateway WebSocket from your browser. Critical when the gateway is reachable beyond loopback or has no auth.",
    remedy: "List only the exact origins you use (e.g. \"https://gateway.example.ts.net\"), or leave allowedOrigins empty (the gateway's own origin is always allowed).",
  },
  trustedProxiesMissing: {
    id: "gateway.trusted_proxies_missing",
    severity: ["warn", "critical"],
    fixable: false,
    title: "Gateway is behind a proxy without gateway.trustedProxies",
    meaning:
      "A reverse proxy forwards clients to the gateway, but gateway.trustedProxies does not name it, so the gateway (rightly) ignores X-Forwarded-For and every client behind the proxy is the proxy's one address: one stranger's wrong guesses lock everyone out, and they share one unauthenticated-connection budget. Seen by the running gateway (requests with forwarding headers from a peer that is not a trusted proxy, recorded in gateway-runtime.json), or implied by the config (an https:// origin in gateway.controlUi.allowedOrigins while the gateway itself serves plain HTTP: something in front terminates TLS). Critical when that peer is loopback and loopback is exempt from the lockout or auth is off: then remote clients get the host's exemption.",
    remedy: "Set gateway.trustedProxies to the proxy's address (e.g. `simpleclaw config set gateway.trustedProxies '[\"127.0.0.1\"]'`) and restart the gateway.",
  },
} satisfies Record<string, CheckDef>;

export const gatewayChecks: readonly CheckDef[] = Object.values(c);

export function auditGateway(input: AuditInput): Finding[] {
  const { config, env } = input;
  const g = config.gateway;
  const reach = gatewayReach(config, env);
  const auth = reach.auth;
  const out: Finding[] = [];
  const bindDesc = `gateway.bind=${reach.bind}${reach.bind === "custom" ? ` (${g.customBindHost})` : ""}${env.SIMPLECLAW_GATEWAY_BIND ? " (from SIMPLECLAW_GATEWAY_BIND)" : ""}`;

  if (reach.nonLoopbackBind && (auth.mode === "none" || !auth.secret)) {
    out.push(
      finding(c.bindNoAuth, {
        detail: `The gateway is configured to listen on ${reach.host} with ${auth.mode === "none" ? 'auth.mode "none"' : `no ${auth.mode} set`}.`,
        evidence: `${bindDesc}, gateway.auth.mode=${auth.mode}, secret: ${auth.secret ? "set" : "none"}`,
      }),
    );
  } else if (auth.mode === "none") {
    out.push(
      finding(c.loopbackNoAuth, {
        detail: `gateway.auth.mode is "none" on ${reach.host}${g.tailscale.mode !== "off" ? `, and Tailscale ${g.tailscale.mode} forwards other machines to it` : ""}.`,
        evidence: `${bindDesc}, gateway.auth.mode=none, gateway.tailscale.mode=${g.tailscale.mode}`,
      }),
    );
  }

  if (auth.mode === "token" && auth.secret && auth.secret.length < MIN_TOKEN_LENGTH) {
    out.push(
      finding(c.tokenShort, {
        detail: `The gateway token in force (from ${auth.source === "env" ? "SIMPLECLAW_GATEWAY_TOKEN" : "gateway.auth.token"}) has ${auth.secret.length} characters; use at least ${MIN_TOKEN_LENGTH}.`,
        evidence: `token length ${auth.secret.length} (source: ${auth.source})`,
      }),
    );
  }
  if (auth.mode === "password" && auth.secret && auth.secret.length < MIN_PASSWORD_LENGTH) {
    out.push(
      finding(c.passwordWeak, {
        severity: reach.nonLoopbackBind ? "critical" : "warn",
        detail: `The gateway password in force (from ${auth.source === "env" ? "SIMPLECLAW_GATEWAY_PASSWORD" : "gateway.auth.password"}) has ${auth.secret.length} characters${reach.nonLoopbackBind ? `, and the gateway listens on ${reach.host}${g.tls.enabled ? "" : " without TLS"}: it refuses to start like this` : ""}.`,
        evidence: `password length ${auth.secret.length} (source: ${auth.source})`,
      }),
    );
  }

  if (auth.mode !== "none") {
    const rl = g.auth.rateLimit;
    const why: string[] = [];
    if (rl.maxAttempts > 100) why.push(`maxAttempts=${rl.maxAttempts} (> 100)`);
    if (rl.lockoutMs < 10_000) why.push(`lockoutMs=${rl.lockoutMs} (< 10000)`);
    if (rl.exemptLoopback && g.tailscale.mode !== "off") why.push(`exemptLoopback=true while Tailscale ${g.tailscale.mode} forwards remote clients from loopback`);
    if (why.length) {
      out.push(finding(c.noRateLimit, { detail: `Wrong secrets are barely limited: ${why.join("; ")}.`, evidence: `gateway.auth.rateLimit: ${why.join(", ")}` }));
    }
  }

  if (reach.nonLoopbackBind && reach.bind !== "tailnet" && !g.tls.enabled) {
    out.push(
      finding(c.tlsOffRemote, {
        detail: `The gateway listens on ${reach.host} and serves plain HTTP/WebSocket.`,
        evidence: `${bindDesc}, gateway.tls.enabled=false`,
      }),
    );
  }

  if (g.tailscale.mode === "funnel") {
    out.push(finding(c.funnel, { detail: "Tailscale Funnel publishes the gateway on a public https://*.ts.net address.", evidence: "gateway.tailscale.mode=funnel" }));
  } else if (g.tailscale.mode === "serve") {
    out.push(finding(c.serve, { detail: "Tailscale Serve makes the gateway reachable from your tailnet.", evidence: "gateway.tailscale.mode=serve" }));
  }

  // Behind a proxy without trustedProxies: what the running gateway saw, else what the config implies.
  const proxies = parseTrustedProxies(g.trustedProxies);
  const seen = input.gatewayRuntime?.ignoredForwarding;
  const peers = seen ? untrustedForwarders(seen.peers, proxies) : [];
  if (peers.length) {
    const loopPeer = peers.some((p) => isLoopbackHost(p));
    const critical = loopPeer && (g.auth.rateLimit.exemptLoopback || auth.mode === "none");
    out.push(
      finding(c.trustedProxiesMissing, {
        severity: critical ? "critical" : "warn",
        detail: `The running gateway (pid ${input.gatewayRuntime!.pid}) received ${seen!.headers.join(", ")} from ${peers.join(", ")}, which ${peers.length === 1 ? "is" : "are"} not in gateway.trustedProxies: a proxy forwards clients, and all of them count as ${peers.length === 1 ? "that one address" : "those addresses"}${critical ? (auth.mode === "none" ? ", with no auth at all" : ", which is exempt from the lockout (gateway.auth.rateLimit.exemptLoopback): remote clients may guess secrets without limit") : " for the lockout and the connection budget"}.`,
        evidence: `gateway-runtime.json ignoredForwarding: peers ${seen!.peers.join(", ")}, headers ${seen!.headers.join(", ")}, since ${new Date(seen!.since).toISOString()}; gateway.trustedProxies=${JSON.stringify(g.trustedProxies)}; ${bindDesc}`,
      }),
    );
  } else if (!g.trustedProxies.length && !g.tls.enabled && g.tailscale.mode === "off") {
    // An https page may open the WebSocket only if something serves the gateway over TLS: a proxy.
    const tlsOrigins = g.controlUi.allowedOrigins.filter((o) => {
      try {
        const u = new URL(o.trim());
        return u.protocol === "https:" && !isLoopbackHost(u.hostname);
      } catch {
        return false;
      }
    });
    if (tlsOrigins.length) {
      out.push(
        finding(c.trustedProxiesMissing, {
          severity: "warn",
          detail: `gateway.controlUi.allowedOrigins allows ${tlsOrigins.join(", ")} while the gateway serves plain HTTP, so a TLS-terminating proxy is in front of it; without gateway.trustedProxies all its clients count as the proxy's one address.`,
          evidence: `gateway.controlUi.allowedOrigins=${JSON.stringify(g.controlUi.allowedOrigins)}, gateway.tls.enabled=false, gateway.trustedProxies=[]; ${bindDesc}`,
        }),
      );
    }
  }

  const wild = g.controlUi.allowedOrigins.filter((o) => o.trim() === "*");
  if (wild.length) {
    const severe = reach.remote || auth.mode === "none";
    out.push(
      finding(c.originsWildcard, {
        severity: severe ? "critical" : "warn",
        detail: `Browser pages from any origin may connect to the gateway${severe ? (auth.mode === "none" ? ", and the gateway has no auth" : ", and the gateway is reachable beyond loopback") : ""}.`,
        evidence: `gateway.controlUi.allowedOrigins=${JSON.stringify(g.controlUi.allowedOrigins)}`,
      }),
    );
  }
  return out;
}

export const gatewayFamily: CheckFamily = { name: "gateway", checks: gatewayChecks, run: auditGateway };
