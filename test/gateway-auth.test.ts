// End-to-end auth attacks against a real gateway on 127.0.0.1: missing/wrong secrets on
// the WebSocket and HTTP, brute force lockout, env-over-config precedence, browser
// Origin checks, HTML security headers, and static path traversal.
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_PENDING_PER_ADDRESS } from "../src/security/admission.js";
import { runChecks } from "../src/audit/audit.js";
import { gatherAuditInput } from "../src/audit/gather.js";
import { readRuntimeRecord } from "../src/config/runtime-record.js";
import { GatewayClient, GatewayError } from "../src/protocol/client.js";
import {
  cleanupAll,
  rawConnect,
  rawCall,
  rawHttp,
  rawWs,
  REPO_ROOT,
  sleep,
  spawnGateway,
  startTestGateway,
  tempStateDir,
} from "./helpers/gateway.js";

afterEach(cleanupAll);

async function expectRefused(url: string, auth: Record<string, string | undefined>, code: string) {
  const { c, res } = await rawConnect(url, auth);
  expect(res.ok).toBe(false);
  expect(res.error.code).toBe(code);
  expect(typeof res.error.message).toBe("string");
  const closed = await c.closed;
  expect(closed.code).toBe(1008);
  return res;
}

describe("WebSocket auth (token mode)", () => {
  it("refuses a connect without a token: UNAUTHORIZED, then closes 1008", async () => {
    const t = await startTestGateway();
    const res = await expectRefused(t.url, {}, "UNAUTHORIZED");
    expect(res.error.message).toMatch(/missing/i);
  });

  it("refuses an empty token the same way as a missing one", async () => {
    const t = await startTestGateway();
    await expectRefused(t.url, { token: "" }, "UNAUTHORIZED");
  });

  it("refuses a wrong token: UNAUTHORIZED, then closes 1008", async () => {
    const t = await startTestGateway();
    const res = await expectRefused(t.url, { token: "definitely-not-the-token" }, "UNAUTHORIZED");
    expect(res.error.message).toMatch(/wrong/i);
    expect(JSON.stringify(res)).not.toContain(t.token!);
  });

  it("refuses a token that is a prefix / extension of the real one", async () => {
    const t = await startTestGateway();
    await expectRefused(t.url, { token: t.token!.slice(0, -1) }, "UNAUTHORIZED");
    await expectRefused(t.url, { token: `${t.token!}x` }, "UNAUTHORIZED");
  });

  it("does not accept the token in the password field", async () => {
    const t = await startTestGateway();
    await expectRefused(t.url, { password: t.token }, "UNAUTHORIZED");
  });

  it("accepts the right token with hello-ok", async () => {
    const t = await startTestGateway();
    const { c, res } = await rawConnect(t.url, { token: t.token });
    expect(res.ok).toBe(true);
    expect(res.payload.type).toBe("hello-ok");
    expect(res.payload.role).toBe("operator");
    expect(c.isOpen()).toBe(true);
  });

  it("GatewayClient reports UNAUTHORIZED as a GatewayError", async () => {
    const t = await startTestGateway();
    const err = await GatewayClient.connect({ url: t.url, token: "nope-nope", timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe("UNAUTHORIZED");
  });

  it("never writes the token or a presented wrong token into the gateway log", async () => {
    const t = await startTestGateway();
    const wrong = "wrong-secret-0123456789";
    await expectRefused(t.url, { token: wrong }, "UNAUTHORIZED");
    const ok = await GatewayClient.connect({ url: t.url, token: t.token });
    await ok.call("health");
    await ok.close();
    const logs = readdirSync(join(t.dir, "logs")).map((f) => readFileSync(join(t.dir, "logs", f), "utf8")).join("\n");
    expect(logs).toContain("connect refused");
    expect(logs).not.toContain(t.token!);
    expect(logs).not.toContain(wrong);
  });
});

describe("dashboard sign-in codes and browser sessions", () => {
  // A browser session is good for 12 h and "cannot be stretched past its expiry"
  // (docs/control-ui.md): minting sign-in codes needs the gateway secret itself.
  async function browserSession(t: { url: string; token?: string }): Promise<string> {
    const { c, res } = await rawConnect(t.url, { token: t.token });
    expect(res.ok).toBe(true);
    const minted = await rawCall(c, "auth.signin.code", {});
    expect(minted.ok).toBe(true); // positive control: the token's holder (the CLI's `dashboard`) mints codes
    c.ws.close();
    const byCode = await rawConnect(t.url, { signinCode: minted.payload.code });
    expect(byCode.res.ok).toBe(true);
    expect(byCode.res.payload.signin.session).toMatch(/^v1\./);
    byCode.c.ws.close();
    return byCode.res.payload.signin.session;
  }

  it("a connection signed in with a browser session cannot mint a sign-in code (a stolen session renewed itself for ever)", async () => {
    const t = await startTestGateway();
    const session = await browserSession(t);
    const { c, res } = await rawConnect(t.url, { session });
    expect(res.ok).toBe(true);
    const minted = await rawCall(c, "auth.signin.code", {});
    expect(minted.ok).toBe(false);
    expect(minted.error.code).toBe("FORBIDDEN");
    expect(minted.error.message).toMatch(/token|password/);
    // the session still does what the Control UI needs
    expect((await rawCall(c, "sessions.list", {})).ok).toBe(true);
  });

  it("nor can the connection that redeemed a sign-in code", async () => {
    const t = await startTestGateway();
    const { c, res } = await rawConnect(t.url, { token: t.token });
    expect(res.ok).toBe(true);
    const minted = await rawCall(c, "auth.signin.code", {});
    const byCode = await rawConnect(t.url, { signinCode: minted.payload.code });
    expect(byCode.res.ok).toBe(true);
    const again = await rawCall(byCode.c, "auth.signin.code", {});
    expect(again.ok).toBe(false);
    expect(again.error.code).toBe("FORBIDDEN");
    expect((await rawCall(byCode.c, "status", {})).ok).toBe(true);
  });
});

describe("WebSocket auth (password mode)", () => {
  const cfg = { gateway: { auth: { mode: "password", password: "correct horse battery staple" } } };

  it("refuses a missing password", async () => {
    const t = await startTestGateway(cfg);
    await expectRefused(t.url, {}, "UNAUTHORIZED");
  });

  it("refuses a wrong password", async () => {
    const t = await startTestGateway(cfg);
    await expectRefused(t.url, { password: "Tr0ub4dor&3" }, "UNAUTHORIZED");
  });

  it("does not accept the password in the token field", async () => {
    const t = await startTestGateway(cfg);
    await expectRefused(t.url, { token: "correct horse battery staple" }, "UNAUTHORIZED");
  });

  it("accepts the right password (raw and via GatewayClient) and as an HTTP bearer", async () => {
    const t = await startTestGateway(cfg);
    const { res } = await rawConnect(t.url, { password: t.token });
    expect(res.ok).toBe(true);
    const client = await GatewayClient.connect({ url: t.url, password: t.token });
    expect(client.hello.type).toBe("hello-ok");
    await client.close();
    const r = await fetch(`${t.httpUrl}/api/status`, { headers: { Authorization: `Bearer ${t.token}` } });
    expect(r.status).toBe(200);
  });

  it("SIMPLECLAW_GATEWAY_PASSWORD beats the config password", async () => {
    const t = await startTestGateway(cfg, { SIMPLECLAW_GATEWAY_PASSWORD: "from-env-password" });
    await expectRefused(t.url, { password: "correct horse battery staple" }, "UNAUTHORIZED");
    const { res } = await rawConnect(t.url, { password: "from-env-password" });
    expect(res.ok).toBe(true);
  });
});

describe("env token beats config token", () => {
  it("SIMPLECLAW_GATEWAY_TOKEN replaces gateway.auth.token", async () => {
    const t = await startTestGateway(
      { gateway: { auth: { mode: "token", token: "config-token-value" } } },
      { SIMPLECLAW_GATEWAY_TOKEN: "env-token-value" },
    );
    expect(t.token).toBe("env-token-value");
    await expectRefused(t.url, { token: "config-token-value" }, "UNAUTHORIZED");
    const { res } = await rawConnect(t.url, { token: "env-token-value" });
    expect(res.ok).toBe(true);

    const r1 = await fetch(`${t.httpUrl}/api/status`, { headers: { Authorization: "Bearer config-token-value" } });
    expect(r1.status).toBe(401);
    const r2 = await fetch(`${t.httpUrl}/api/status`, { headers: { Authorization: "Bearer env-token-value" } });
    expect(r2.status).toBe(200);
    const body = (await r2.json()) as { auth: { mode: string; source: string } };
    expect(body.auth).toEqual({ mode: "token", source: "env" });
  });
});

describe("HTTP auth", () => {
  it("GET /api/status: no Authorization → 401 with WWW-Authenticate", async () => {
    const t = await startTestGateway();
    const r = await fetch(`${t.httpUrl}/api/status`);
    expect(r.status).toBe(401);
    expect(r.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const text = await r.text();
    expect(text).not.toContain(t.token!);
  });

  it("GET /api/status: wrong bearer, wrong scheme, empty bearer → 401", async () => {
    const t = await startTestGateway();
    for (const h of ["Bearer wrong-token", `Basic ${Buffer.from(`x:${t.token}`).toString("base64")}`, "Bearer ", t.token!, `Token ${t.token}`]) {
      const r = await fetch(`${t.httpUrl}/api/status`, { headers: { Authorization: h } });
      expect(r.status, `Authorization: ${h.slice(0, 12)}…`).toBe(401);
    }
  });

  it("GET /api/status with the right bearer → 200 JSON status without secrets", async () => {
    const t = await startTestGateway();
    const r = await fetch(`${t.httpUrl}/api/status`, { headers: { Authorization: `Bearer ${t.token}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/application\/json/);
    expect(r.headers.get("cache-control")).toBe("no-store");
    const text = await r.text();
    expect(text).not.toContain(t.token!);
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(body.version).toBeTypeOf("string");
    expect(body.bind).toMatchObject({ mode: "loopback", host: "127.0.0.1", port: t.port });
    expect(body.auth).toEqual({ mode: "token", source: "config" });
  });

  it("unknown routes need auth too (401 before 404)", async () => {
    const t = await startTestGateway();
    expect((await fetch(`${t.httpUrl}/api/secret-stuff`)).status).toBe(401);
    expect((await fetch(`${t.httpUrl}/api/status`, { method: "POST" })).status).toBe(401);
    const r = await fetch(`${t.httpUrl}/api/secret-stuff`, { headers: { Authorization: `Bearer ${t.token}` } });
    expect(r.status).toBe(404);
  });

  it("GET /healthz → 200 {ok:true} without auth, and nothing else", async () => {
    const t = await startTestGateway({ gateway: { auth: { token: "healthz-must-not-leak-this" } } });
    const r = await fetch(`${t.httpUrl}/healthz`);
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(JSON.parse(text)).toEqual({ ok: true });
    expect(text).not.toContain("healthz-must-not-leak-this");
    expect(text).not.toContain(String(t.port));
    expect(text).not.toContain(t.dir);
    expect(text).not.toMatch(/version|pid|token|bind/i);
    const head = await fetch(`${t.httpUrl}/healthz`, { method: "HEAD" });
    expect(head.status).toBe(200);
  });
});

describe("brute force lockout", () => {
  const limited = (token: string, rl: Record<string, unknown> = {}) => ({
    gateway: { auth: { mode: "token", token, rateLimit: { maxAttempts: 3, windowMs: 60_000, lockoutMs: 60_000, ...rl } } },
  });

  it("locks the address out after maxAttempts wrong tokens; then even the right token gets RATE_LIMITED", async () => {
    const t = await startTestGateway(limited("the-right-token-123"));
    const codes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const { res } = await rawConnect(t.url, { token: `wrong-${i}` });
      codes.push(res.error.code);
      if (res.error.code === "RATE_LIMITED") break;
    }
    expect(codes).toEqual(["UNAUTHORIZED", "UNAUTHORIZED", "UNAUTHORIZED", "RATE_LIMITED"]);

    const { c, res } = await rawConnect(t.url, { token: "the-right-token-123" });
    expect(res.ok).toBe(false);
    expect(res.error.code).toBe("RATE_LIMITED");
    expect(res.error.retryAfterMs).toBeGreaterThan(0);
    expect(res.error.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect((await c.closed).code).toBe(1008);

    const viaClient = await GatewayClient.connect({ url: t.url, token: "the-right-token-123" }).catch((e: unknown) => e);
    expect(viaClient).toBeInstanceOf(GatewayError);
    expect((viaClient as GatewayError).code).toBe("RATE_LIMITED");
    expect((viaClient as GatewayError).retryAfterMs).toBeGreaterThan(0);

    // HTTP shares the lockout: 429 with Retry-After, even with the right bearer.
    const r = await fetch(`${t.httpUrl}/api/status`, { headers: { Authorization: "Bearer the-right-token-123" } });
    expect(r.status).toBe(429);
    const retryAfter = Number(r.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);

    // Liveness stays public during a lockout.
    expect((await fetch(`${t.httpUrl}/healthz`)).status).toBe(200);
  });

  it("wrong HTTP bearers count toward the same limit as WebSocket connects", async () => {
    const t = await startTestGateway(limited("the-right-token-123"));
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${t.httpUrl}/api/status`, { headers: { Authorization: `Bearer wrong-${i}` } });
      expect(r.status).toBe(401);
    }
    const r = await fetch(`${t.httpUrl}/api/status`, { headers: { Authorization: "Bearer the-right-token-123" } });
    expect(r.status).toBe(429);
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    const { res } = await rawConnect(t.url, { token: "the-right-token-123" });
    expect(res.error.code).toBe("RATE_LIMITED");
  });

  it("missing tokens do not count toward the limit", async () => {
    const t = await startTestGateway(limited("the-right-token-123"));
    for (let i = 0; i < 6; i++) {
      const { res } = await rawConnect(t.url, {});
      expect(res.error.code).toBe("UNAUTHORIZED");
      expect((await fetch(`${t.httpUrl}/api/status`)).status).toBe(401);
    }
    const { res } = await rawConnect(t.url, { token: "the-right-token-123" });
    expect(res.ok).toBe(true);
  });

  it("a success resets the failure counter", async () => {
    const t = await startTestGateway(limited("the-right-token-123"));
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++) expect((await rawConnect(t.url, { token: "bad" })).res.error.code).toBe("UNAUTHORIZED");
      expect((await rawConnect(t.url, { token: "the-right-token-123" })).res.ok).toBe(true);
    }
  });

  it("rotating loopback source addresses buys no extra guesses: 300 wrong tokens from 127.0.x.y, then the right one is still refused", async () => {
    if (process.platform !== "linux") return; // only Linux routes all of 127/8 to lo
    const t = await startTestGateway({ gateway: { auth: { mode: "token", token: "the-right-token-123" } } });
    const codes = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const localAddress = `127.0.${Math.floor(i / 250) + 1}.${(i % 250) + 1}`;
      const { res } = await rawConnect(t.url, { token: `guess-${i}` }, { ws: { localAddress } });
      codes.set(res.error.code, (codes.get(res.error.code) ?? 0) + 1);
    }
    expect(codes.get("UNAUTHORIZED")).toBe(10); // the default maxAttempts, then every address is locked out
    expect(codes.get("RATE_LIMITED")).toBe(290);
    const right = await rawConnect(t.url, { token: "the-right-token-123" }, { ws: { localAddress: "127.0.9.9" } });
    expect(right.res.error.code).toBe("RATE_LIMITED");
    const r = await rawHttp(t.port, "/api/status", { headers: { Authorization: "Bearer the-right-token-123" }, localAddress: "127.1.2.3" });
    expect(r.status).toBe(429);
  });

  it("control: without guessing, any loopback source address signs in", async () => {
    if (process.platform !== "linux") return;
    const t = await startTestGateway({ gateway: { auth: { mode: "token", token: "the-right-token-123" } } });
    for (const localAddress of ["127.0.0.2", "127.3.4.5"]) {
      expect((await rawConnect(t.url, { token: "the-right-token-123" }, { ws: { localAddress } })).res.ok).toBe(true);
    }
  });

  it("the lockout ends after lockoutMs", async () => {
    const t = await startTestGateway(limited("the-right-token-123", { maxAttempts: 2, lockoutMs: 1000 }));
    await rawConnect(t.url, { token: "bad1" });
    await rawConnect(t.url, { token: "bad2" });
    const locked = await rawConnect(t.url, { token: "the-right-token-123" });
    expect(locked.res.error.code).toBe("RATE_LIMITED");
    expect(locked.res.error.retryAfterMs).toBeLessThanOrEqual(1000);
    await sleep(1100);
    expect((await rawConnect(t.url, { token: "the-right-token-123" })).res.ok).toBe(true);
  });

  it("default policy (no rateLimit config) locks out after 10 failures", async () => {
    const t = await startTestGateway();
    const codes: string[] = [];
    for (let i = 0; i < 11; i++) codes.push((await rawConnect(t.url, { token: `bad-${i}` })).res.error.code);
    expect(codes.slice(0, 10).every((c) => c === "UNAUTHORIZED")).toBe(true);
    expect(codes[10]).toBe("RATE_LIMITED");
    const { res } = await rawConnect(t.url, { token: t.token });
    expect(res.error.code).toBe("RATE_LIMITED");
    // default lockoutMs is 5 minutes
    expect(res.error.retryAfterMs).toBeGreaterThan(290_000);
    expect(res.error.retryAfterMs).toBeLessThanOrEqual(300_000);
  });
});

describe("gateway.trustedProxies: which address is the client", () => {
  const xff = (v: string) => ({ ws: { headers: { "X-Forwarded-For": v } } });

  it("without trusted proxies, X-Forwarded-For is ignored: forging a new client per guess does not escape the lockout", async () => {
    const t = await startTestGateway({ gateway: { auth: { mode: "token", token: "the-right-token-123", rateLimit: { maxAttempts: 3 } } } });
    for (let i = 0; i < 3; i++) expect((await rawConnect(t.url, { token: "bad" }, xff(`198.51.100.${i + 1}`))).res.error.code).toBe("UNAUTHORIZED");
    expect((await rawConnect(t.url, { token: "the-right-token-123" }, xff("203.0.113.99"))).res.error.code).toBe("RATE_LIMITED");
  });

  it("behind a trusted proxy each forwarded client has its own lockout; a forged hop left of the real client changes nothing", async () => {
    const t = await startTestGateway({ gateway: { trustedProxies: ["127.0.0.1"], auth: { mode: "token", token: "the-right-token-123", rateLimit: { maxAttempts: 3 } } } });
    // The attacker at 198.51.100.7 prepends made-up hops; the proxy appends the real peer.
    for (let i = 0; i < 3; i++) expect((await rawConnect(t.url, { token: "bad" }, xff(`10.9.9.${i}, 198.51.100.7`))).res.error.code).toBe("UNAUTHORIZED");
    expect((await rawConnect(t.url, { token: "the-right-token-123" }, xff("1.2.3.4, 198.51.100.7"))).res.error.code).toBe("RATE_LIMITED");
    // control: another client behind the same proxy is not locked out
    expect((await rawConnect(t.url, { token: "the-right-token-123" }, xff("198.51.100.8"))).res.ok).toBe(true);
    const r = await rawHttp(t.port, "/api/status", { headers: { Authorization: "Bearer the-right-token-123", "X-Forwarded-For": "198.51.100.8" } });
    expect(r.status).toBe(200);
    // a peer that is not a trusted proxy cannot choose its address with the header
    if (process.platform === "linux") {
      for (let i = 0; i < 3; i++) await rawConnect(t.url, { token: "bad" }, { ws: { localAddress: "127.0.0.9", headers: { "X-Forwarded-For": `198.51.100.${50 + i}` } } });
      expect((await rawConnect(t.url, { token: "the-right-token-123" }, { ws: { localAddress: "127.0.0.9", headers: { "X-Forwarded-For": "198.51.100.60" } } })).res.error.code).toBe("RATE_LIMITED");
    }
  });

  it("password mode: a global ceiling stops guesses spread over many clients; loopback keeps its way in", async () => {
    const t = await startTestGateway({
      gateway: { trustedProxies: ["127.0.0.1"], auth: { mode: "password", password: "correct horse battery", rateLimit: { maxAttempts: 3, globalMaxAttempts: 5 } } },
    });
    for (let i = 0; i < 5; i++) expect((await rawConnect(t.url, { password: "guess" }, xff(`198.51.100.${i + 1}`))).res.error.code).toBe("UNAUTHORIZED");
    expect((await rawConnect(t.url, { password: "correct horse battery" }, xff("198.51.100.200"))).res.error.code).toBe("RATE_LIMITED");
    // control: the host itself (no forwarded client) still signs in
    expect((await rawConnect(t.url, { password: "correct horse battery" })).res.ok).toBe(true);
  });
});

describe("audit: a proxy in front of the gateway without gateway.trustedProxies", () => {
  const audit = async (env: Record<string, string | undefined>) =>
    runChecks(await gatherAuditInput({ env, probeBackend: async () => ({ name: "bwrap" as const }) })).filter((f) => f.checkId === "gateway.trusted_proxies_missing");

  it("the gateway records forwarded headers it had to ignore, and the audit reports them (loopback exempt → critical)", async () => {
    const t = await startTestGateway({ gateway: { auth: { rateLimit: { exemptLoopback: true } } } });
    expect(await audit(t.env)).toEqual([]); // nothing forwarded yet
    // A local reverse proxy would add these; the gateway ignores them (the peer is not trusted).
    await rawHttp(t.port, "/healthz", { headers: { "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https" } });
    await rawConnect(t.url, { token: t.token }, { ws: { headers: { Forwarded: "for=203.0.113.8" } } });
    const rec = readRuntimeRecord(t.dir)!;
    expect(rec.ignoredForwarding?.peers).toEqual(["127.0.0.1"]);
    expect(rec.ignoredForwarding?.headers.sort()).toEqual(["forwarded", "x-forwarded-for", "x-forwarded-proto"]);
    const f = await audit(t.env);
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe("critical");
    expect(f[0]!.detail).toContain("127.0.0.1");
  });

  it("control: with the proxy in gateway.trustedProxies nothing is recorded or reported; after the gateway stops neither", async () => {
    const t = await startTestGateway({ gateway: { trustedProxies: ["127.0.0.1"] } });
    await rawHttp(t.port, "/healthz", { headers: { "X-Forwarded-For": "203.0.113.7" } });
    expect(readRuntimeRecord(t.dir)?.ignoredForwarding).toBeUndefined();
    expect(await audit(t.env)).toEqual([]);
    const u = await startTestGateway();
    await rawHttp(u.port, "/healthz", { headers: { "X-Forwarded-For": "203.0.113.7" } });
    expect(await audit(u.env)).toHaveLength(1);
    await u.close();
    expect(await audit(u.env)).toEqual([]);
  });
});

describe("browser Origin check on the WebSocket upgrade", () => {
  it("refuses a foreign Origin with HTTP 403 before any frame", async () => {
    const t = await startTestGateway();
    const c = rawWs(t.url, { headers: { Origin: "http://evil.example" } });
    const h = await c.handshake;
    expect(h.opened).toBe(false);
    expect(h.status).toBe(403);
    expect(c.received).toEqual([]);
  });

  it("refuses Origin: null and non-http origins", async () => {
    const t = await startTestGateway();
    for (const origin of ["null", "file://", "chrome-extension://abcdef", `http://127.0.0.1:${t.port}.evil.example`]) {
      const h = await rawWs(t.url, { headers: { Origin: origin } }).handshake;
      expect(h.status, origin).toBe(403);
    }
  });

  it("refuses a look-alike origin on another port of the same host", async () => {
    const t = await startTestGateway();
    const h = await rawWs(t.url, { headers: { Origin: `http://127.0.0.1:${t.port + 1}` } }).handshake;
    expect(h.status).toBe(403);
  });

  it("allows the same origin the gateway is served from", async () => {
    const t = await startTestGateway();
    const c = rawWs(t.url, { headers: { Origin: `http://127.0.0.1:${t.port}` } });
    expect((await c.handshake).opened).toBe(true);
    const challenge = await c.next();
    expect(challenge.event).toBe("connect.challenge");
  });

  it("allows an origin listed in gateway.controlUi.allowedOrigins (and only that one)", async () => {
    const t = await startTestGateway({ gateway: { controlUi: { allowedOrigins: ["https://ui.example.com"] } } });
    expect((await rawWs(t.url, { headers: { Origin: "https://ui.example.com" } }).handshake).opened).toBe(true);
    expect((await rawWs(t.url, { headers: { Origin: "https://UI.example.com" } }).handshake).opened).toBe(true);
    expect((await rawWs(t.url, { headers: { Origin: "http://ui.example.com" } }).handshake).status).toBe(403);
    expect((await rawWs(t.url, { headers: { Origin: "https://evil.example" } }).handshake).status).toBe(403);
  });

  it("a non-browser client (no Origin) is judged by auth alone", async () => {
    const t = await startTestGateway();
    const { res } = await rawConnect(t.url, { token: t.token });
    expect(res.ok).toBe(true);
  });

  it("upgrades on any path other than /ws are refused", async () => {
    const t = await startTestGateway();
    const h = await rawWs(`ws://127.0.0.1:${t.port}/`).handshake;
    expect(h.status).toBe(404);
    for (const p of ["/api/status", "/healthz", "/ws/", "/WS", "/ws%2f"]) {
      const h2 = await rawWs(`ws://127.0.0.1:${t.port}${p}`).handshake;
      expect(h2.status, p).toBe(404);
    }
  });
});

describe("DNS rebinding (a website whose name resolves to 127.0.0.1)", () => {
  // The browser believes it talks to evil.example, so Host and Origin agree with each other.
  const rebound = (port: number) => ({ Host: `evil.example:${port}`, Origin: `http://evil.example:${port}` });

  it("attack: token mode: a rebound page gets no socket, and its guesses never lock the owner out", async () => {
    // Before: Host and Origin agreed, so the page opened /ws and every wrong token counted
    // against loopback — ten of them locked the owner's own CLI out for five minutes.
    const t = await startTestGateway();
    for (let i = 0; i < 12; i++) {
      const h = await rawWs(t.url, { headers: rebound(t.port) }).handshake;
      expect(h.opened).toBe(false);
      expect(h.status).toBe(403);
      const r = await rawHttp(t.port, "/api/status", {
        headers: { Host: `evil.example:${t.port}`, Authorization: `Bearer guess-${i}`, "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors" },
      });
      expect(r.status).toBe(403);
    }
    // control: the owner is not locked out, and a browser on the gateway's own address still gets in
    const { res } = await rawConnect(t.url, { token: t.token });
    expect(res.ok).toBe(true);
    const own = rawWs(t.url, { headers: { Origin: `http://127.0.0.1:${t.port}` } });
    expect((await own.handshake).opened).toBe(true);
    const api = await rawHttp(t.port, "/api/status", { headers: { Authorization: `Bearer ${t.token}`, "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors" } });
    expect(api.status).toBe(200);
  });

  it("attack: a loopback gateway refuses a LAN-only name (spoofable over mDNS/LLMNR) too", async () => {
    const t = await startTestGateway();
    const h = await rawWs(t.url, { headers: { Host: `evil.local:${t.port}`, Origin: `http://evil.local:${t.port}` } }).handshake;
    expect(h.status).toBe(403);
    const own = await rawWs(t.url, { headers: { Host: `localhost:${t.port}`, Origin: `http://localhost:${t.port}` } }).handshake;
    expect(own.opened).toBe(true);
  });

  it("control: a name listed in allowedOrigins (reverse proxy passing Host on) and non-browser clients on any name still work", async () => {
    const t = await startTestGateway({ gateway: { controlUi: { allowedOrigins: ["https://gw.example.com"] } } });
    const proxied = rawWs(t.url, { headers: { Host: "gw.example.com", Origin: "https://gw.example.com" } });
    expect((await proxied.handshake).opened).toBe(true);
    // curl / the CLI through a DNS name: no Origin, no Sec-Fetch-* → judged by auth alone
    const { res } = await rawConnect(t.url, { token: t.token }, { ws: { headers: { Host: `other.example:${t.port}` } } });
    expect(res.ok).toBe(true);
    const api = await rawHttp(t.port, "/api/status", { headers: { Host: `other.example:${t.port}`, Authorization: `Bearer ${t.token}` } });
    expect(api.status).toBe(200);
  });

  it('auth "none": a rebound page gets neither the WebSocket nor the HTTP API', async () => {
    const t = await startTestGateway({ gateway: { auth: { mode: "none" } } });
    const c = rawWs(t.url, { headers: rebound(t.port) });
    const h = await c.handshake;
    expect(h.opened).toBe(false);
    expect(h.status).toBe(403);
    const r = await rawHttp(t.port, "/api/status", { headers: { Host: `evil.example:${t.port}` } });
    expect(r.status).toBe(403);
    expect(r.body).not.toContain(String(process.pid));
    // Local clients using a loopback name still work.
    for (const host of [`127.0.0.1:${t.port}`, `localhost:${t.port}`, `LOCALHOST:${t.port}`]) {
      const ok = await rawHttp(t.port, "/api/status", { headers: { Host: host } });
      expect(ok.status, host).toBe(200);
      const w = rawWs(t.url, { headers: { Host: host, Origin: `http://${host}` } });
      expect((await w.handshake).opened, host).toBe(true);
    }
    const client = await GatewayClient.connect({ url: t.url });
    await client.close();
  });
});

describe("HTML security headers", () => {
  it("GET / carries CSP, X-Frame-Options DENY, nosniff and no-referrer, without auth", async () => {
    const t = await startTestGateway();
    const r = await fetch(`${t.httpUrl}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = r.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(r.headers.get("x-frame-options")).toBe("DENY");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(r.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await r.text();
    expect(html).not.toContain(t.token!);
  });

  it("JSON responses (401, healthz) also carry nosniff / no-referrer / DENY", async () => {
    const t = await startTestGateway();
    for (const p of ["/healthz", "/api/status"]) {
      const r = await fetch(`${t.httpUrl}${p}`);
      expect(r.headers.get("x-content-type-options")).toBe("nosniff");
      expect(r.headers.get("referrer-policy")).toBe("no-referrer");
      expect(r.headers.get("x-frame-options")).toBe("DENY");
    }
  });
});

const TRAVERSALS = [
  "/../../etc/passwd",
  "/../../../../../../../../etc/passwd",
  "/%2e%2e/%2e%2e/etc/passwd",
  "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
  "/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
  "/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
  "/..%5c..%5c..%5cetc%5cpasswd",
  "/%252e%252e/%252e%252e/etc/passwd",
  "/./../.././../etc/passwd",
  "//etc/passwd",
  "/etc/passwd%00.html",
];

describe("static path traversal", () => {
  it("never returns /etc/passwd (gateway without a built UI), with or without auth", async () => {
    const t = await startTestGateway();
    for (const p of TRAVERSALS) {
      for (const headers of [{}, { Authorization: `Bearer ${t.token}` }] as Array<Record<string, string>>) {
        const r = await rawHttp(t.port, p, { headers });
        expect(r.body, p).not.toMatch(/root:.*:0:0:/);
        expect([400, 401, 404], `${p} → ${r.status}`).toContain(r.status);
      }
    }
  });

  it("serves a built UI's files but nothing outside ui/dist (real CLI, copied install)", async () => {
    // A throw-away install: dist/ + bin/ + package.json copied, node_modules linked,
    // plus ui/dist with an index.html and an app.js, and secrets right next to ui/dist.
    const install = tempStateDir().dir;
    cpSync(join(REPO_ROOT, "dist"), join(install, "dist"), { recursive: true });
    cpSync(join(REPO_ROOT, "bin"), join(install, "bin"), { recursive: true });
    cpSync(join(REPO_ROOT, "package.json"), join(install, "package.json"));
    symlinkSync(join(REPO_ROOT, "node_modules"), join(install, "node_modules"), "dir");
    mkdirSync(join(install, "ui", "dist", "assets"), { recursive: true });
    writeFileSync(join(install, "ui", "dist", "index.html"), "<!doctype html><title>ui</title>");
    writeFileSync(join(install, "ui", "dist", "assets", "app.js"), "console.log('ui');");
    writeFileSync(join(install, "ui", "SECRET-ONE-UP.txt"), "TOP-SECRET-ONE-UP");
    writeFileSync(join(install, "SECRET-TWO-UP.txt"), "TOP-SECRET-TWO-UP");

    const state = tempStateDir({ gateway: { auth: { token: "static-test-token-1" } } });
    const gw = await spawnGateway(state.env, { bin: join(install, "bin", "simpleclaw.mjs") });

    const index = await rawHttp(gw.port, "/");
    expect(index.status).toBe(200);
    expect(index.body).toContain("<title>ui</title>");
    expect(index.headers["content-security-policy"]).toContain("default-src 'self'");
    const js = await rawHttp(gw.port, "/assets/app.js");
    expect(js.status).toBe(200);
    expect(js.headers["content-type"]).toMatch(/javascript/);
    expect(js.headers["x-content-type-options"]).toBe("nosniff");

    const attempts = [
      ...TRAVERSALS,
      "/../SECRET-ONE-UP.txt",
      "/%2e%2e/SECRET-ONE-UP.txt",
      "/..%2fSECRET-ONE-UP.txt",
      "/assets/../../SECRET-ONE-UP.txt",
      "/assets/%2e%2e/%2e%2e/SECRET-ONE-UP.txt",
      "/assets/..%2f..%2fSECRET-ONE-UP.txt",
      "/..%2f..%2f..%2fSECRET-TWO-UP.txt",
      "/%2e%2e/%2e%2e/SECRET-TWO-UP.txt",
      "/%2e%2e/%2e%2e/package.json",
      "/..%5cSECRET-ONE-UP.txt",
      "/assets/..%00/../SECRET-ONE-UP.txt",
      "/%2e%2e",
      "/assets/..",
    ];
    for (const p of attempts) {
      for (const headers of [{}, { Authorization: "Bearer static-test-token-1" }] as Array<Record<string, string>>) {
        const r = await rawHttp(gw.port, p, { headers });
        expect(r.body, p).not.toContain("TOP-SECRET");
        expect(r.body, p).not.toMatch(/root:.*:0:0:/);
        expect(r.body, p).not.toContain('"name": "simpleclaw"');
      }
    }
  });
});

describe("unauthenticated connection flood", () => {
  it("one address can hold at most 16 pending handshakes; other addresses still get in; slots free on close", async () => {
    const t = await startTestGateway();
    const flood = Array.from({ length: MAX_PENDING_PER_ADDRESS }, () => rawWs(t.url));
    for (const f of flood) expect((await f.handshake).opened).toBe(true);
    for (const f of flood) expect(await f.next()).toMatchObject({ type: "event", event: "connect.challenge" });

    const extra = rawWs(t.url);
    expect(await extra.handshake).toMatchObject({ opened: false, status: 429 });

    // Another source address is not locked out by the flood.
    const other = rawWs(t.url, { localAddress: "127.0.0.2" });
    expect((await other.handshake).opened).toBe(true);
    expect(await other.next()).toMatchObject({ type: "event", event: "connect.challenge" });

    for (const f of flood) f.ws.terminate();
    await Promise.all(flood.map((f) => f.closed));
    const again = await GatewayClient.connect({ url: t.url, token: t.token });
    expect(await again.call("health")).toMatchObject({ ok: true });
    await again.close();
  });
});
