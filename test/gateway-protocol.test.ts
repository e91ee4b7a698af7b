// End-to-end wire-protocol attacks against a real gateway: malformed first frames,
// the handshake timeout, oversized pre-auth frames, the post-auth size limit, bad
// requests after auth (which must not kill the connection), roles, secrets in
// config.get, and the shutdown event.
import { MAX_PENDING_PER_ADDRESS } from "../src/security/admission.js";
import { afterEach, describe, expect, it } from "vitest";
import { GatewayClient, GatewayError } from "../src/protocol/client.js";
import { HANDSHAKE_TIMEOUT_MS, PRE_AUTH_MAX_PAYLOAD } from "../src/protocol/schema.js";
import { cleanupAll, connectRequest, nextId, rawCall, rawConnect, rawWs, runCli, startTestGateway, type RawWs } from "./helpers/gateway.js";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

afterEach(cleanupAll);

async function opened(url: string): Promise<RawWs> {
  const c = rawWs(url);
  const h = await c.handshake;
  if (!h.opened) throw new Error(`upgrade failed: ${JSON.stringify(h)}`);
  const challenge = await c.next();
  expect(challenge.event).toBe("connect.challenge");
  return c;
}

async function authed(url: string, token: string | undefined): Promise<RawWs> {
  const { c, res } = await rawConnect(url, { token });
  expect(res.ok).toBe(true);
  return c;
}

/** The gateway still answers a fresh client. */
async function stillServes(url: string, token: string | undefined): Promise<void> {
  const client = await GatewayClient.connect({ url, token, timeoutMs: 5000 });
  expect(await client.call("health")).toMatchObject({ ok: true });
  await client.close();
}

describe("challenge", () => {
  it("sends connect.challenge first, with a fresh base64url nonce per connection", async () => {
    const t = await startTestGateway();
    const nonces = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const c = await opened(t.url);
      const ch = c.received[0];
      expect(ch).toMatchObject({ type: "event", event: "connect.challenge", seq: 0 });
      expect(ch.payload.nonce).toMatch(/^[A-Za-z0-9_-]{22,}$/);
      expect(Math.abs(ch.payload.ts - Date.now())).toBeLessThan(10_000);
      nonces.add(ch.payload.nonce);
    }
    expect(nonces.size).toBe(5);
  });
});

describe("pre-auth frames", () => {
  it("a first frame that is not connect → UNAUTHORIZED (echoing the id) and close 1008", async () => {
    const t = await startTestGateway();
    const c = await opened(t.url);
    c.send({ type: "req", id: "first-1", method: "health", params: {} });
    const res = await c.next();
    expect(res).toMatchObject({ type: "res", id: "first-1", ok: false, error: { code: "UNAUTHORIZED" } });
    expect((await c.closed).code).toBe(1008);
  });

  it("status/config.get before connect do not leak anything", async () => {
    const t = await startTestGateway();
    for (const method of ["status", "config.get"]) {
      const c = await opened(t.url);
      c.send({ type: "req", id: "x", method, params: {} });
      const res = await c.next();
      expect(res.ok).toBe(false);
      expect(res.error.code).toBe("UNAUTHORIZED");
      expect(JSON.stringify(res)).not.toContain(t.token!);
      expect(JSON.stringify(res)).not.toContain("127.0.0.1");
      await c.closed;
    }
  });

  it("invalid JSON → INVALID_REQUEST and close 1008", async () => {
    const t = await startTestGateway();
    const c = await opened(t.url);
    c.sendRaw("{not json");
    const res = await c.next();
    expect(res).toMatchObject({ type: "res", ok: false, error: { code: "INVALID_REQUEST" } });
    expect((await c.closed).code).toBe(1008);
  });

  it("a JSON value that is not a request frame → INVALID_REQUEST and close", async () => {
    const t = await startTestGateway();
    for (const bad of ["null", "[]", "42", '"connect"', '{"type":"res","id":"a","ok":true}', '{"type":"req","id":"","method":"connect"}']) {
      const c = await opened(t.url);
      c.sendRaw(bad);
      const res = await c.next();
      expect(res.error.code, bad).toBe("INVALID_REQUEST");
      expect((await c.closed).code, bad).toBe(1008);
    }
  });

  it("a connect frame with extra top-level keys or bad params → INVALID_REQUEST (id echoed) and close", async () => {
    const t = await startTestGateway();
    const cases = [
      { ...connectRequest({ token: t.token }, { id: "k1" }), extra: 1 },
      connectRequest({ token: t.token }, { id: "k2", role: "admin" }),
      connectRequest({ token: t.token }, { id: "k3", client: {} }),
      connectRequest({ token: t.token }, { id: "k4", isAdmin: true }),
      { type: "req", id: "k5", method: "connect", params: { role: "operator", auth: { token: t.token } } },
      { type: "req", id: "k6", method: "connect", params: "operator" },
    ];
    for (const frame of cases) {
      const c = await opened(t.url);
      c.send(frame);
      const res = await c.next();
      expect(res.ok, JSON.stringify(frame)).toBe(false);
      expect(res.error.code, JSON.stringify(frame)).toBe("INVALID_REQUEST");
      expect(res.id).toBe(frame.id);
      expect((await c.closed).code).toBe(1008);
    }
  });

  it("a binary first frame → INVALID_REQUEST and close 1008", async () => {
    const t = await startTestGateway();
    const c = await opened(t.url);
    c.sendRaw(Buffer.from(JSON.stringify(connectRequest({ token: t.token }))), { binary: true });
    const res = await c.next();
    expect(res.error.code).toBe("INVALID_REQUEST");
    expect(res.error.message).toMatch(/binary/);
    expect((await c.closed).code).toBe(1008);
  });

  it("frames after a refused connect are ignored (no second answer)", async () => {
    const t = await startTestGateway();
    const c = await opened(t.url);
    c.send(connectRequest({ token: "wrong" }, { id: "a" }));
    c.send(connectRequest({ token: t.token }, { id: "b" }));
    c.send({ type: "req", id: "c", method: "health" });
    await c.closed;
    const responses = c.received.filter((f) => f.type === "res");
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({ id: "a", ok: false, error: { code: "UNAUTHORIZED" } });
  });

  it(`a 1 MiB pre-auth frame closes the socket with 1009, and the gateway keeps serving`, async () => {
    const t = await startTestGateway();
    const c = await opened(t.url);
    const big = JSON.stringify(connectRequest({ token: t.token }, { client: { name: "x".repeat(1024 * 1024), version: "1", platform: "linux" } }));
    expect(big.length).toBeGreaterThan(1024 * 1024);
    c.sendRaw(big);
    const closed = await c.closed;
    expect(closed.code).toBe(1009);
    expect(c.received.filter((f) => f.type === "res")).toEqual([]);
    await stillServes(t.url, t.token);
  });

  it("a pre-auth frame just over 64 KiB is refused, one just under is parsed", async () => {
    const t = await startTestGateway();
    const over = await opened(t.url);
    over.sendRaw(`{"type":"req","id":"o","method":"connect","params":{"pad":"${"x".repeat(PRE_AUTH_MAX_PAYLOAD)}"}}`);
    expect((await over.closed).code).toBe(1009);

    const under = await opened(t.url);
    const pad = "x".repeat(PRE_AUTH_MAX_PAYLOAD - 200);
    under.sendRaw(`{"type":"req","id":"u","method":"connect","params":{"pad":"${pad}"}}`);
    const res = await under.next();
    expect(res).toMatchObject({ id: "u", ok: false, error: { code: "INVALID_REQUEST" } });
    expect((await under.closed).code).toBe(1008);
  });

  it("many oversized / garbage connections in parallel do not take the gateway down", async () => {
    const t = await startTestGateway();
    // As many as one address may hold pending at once (more are refused with 429: see gateway-auth).
    const socks = await Promise.all(Array.from({ length: MAX_PENDING_PER_ADDRESS }, () => opened(t.url)));
    socks.forEach((c, i) => (i % 2 ? c.sendRaw("x".repeat(200 * 1024)) : c.sendRaw("\u0000\u0001garbage")));
    const codes = await Promise.all(socks.map((c) => c.closed.then((x) => x.code)));
    expect(codes.filter((c) => c === 1009)).toHaveLength(MAX_PENDING_PER_ADDRESS / 2);
    expect(codes.filter((c) => c === 1008)).toHaveLength(MAX_PENDING_PER_ADDRESS / 2);
    await stillServes(t.url, t.token);
  });

  it("role node with the right token → PAIRING_REQUIRED and close", async () => {
    const t = await startTestGateway();
    const { c, res } = await rawConnect(t.url, { token: t.token }, { role: "node" });
    expect(res).toMatchObject({ ok: false, error: { code: "PAIRING_REQUIRED" } });
    expect((await c.closed).code).toBe(1008);
    const err = await GatewayClient.connect({ url: t.url, token: t.token, role: "node" }).catch((e: unknown) => e);
    expect((err as GatewayError).code).toBe("PAIRING_REQUIRED");
  });

  it("role node with a wrong token → UNAUTHORIZED (auth is checked before pairing)", async () => {
    const t = await startTestGateway();
    const { res } = await rawConnect(t.url, { token: "wrong" }, { role: "node" });
    expect(res.error.code).toBe("UNAUTHORIZED");
  });

  it(
    `closes a socket that sends nothing within the handshake timeout (${HANDSHAKE_TIMEOUT_MS / 1000} s)`,
    async () => {
      const t = await startTestGateway();
      const c = await opened(t.url);
      const started = Date.now();
      const closed = await c.closed;
      const waited = Date.now() - started;
      expect(closed.code).toBe(1008);
      expect(closed.reason).toMatch(/handshake/i);
      expect(waited).toBeGreaterThan(HANDSHAKE_TIMEOUT_MS - 1500);
      expect(waited).toBeLessThan(HANDSHAKE_TIMEOUT_MS + 3000);
    },
    HANDSHAKE_TIMEOUT_MS + 10_000,
  );
});

describe("after auth", () => {
  it("hello-ok carries the protocol, methods, events and policy of docs/protocol.md", async () => {
    const t = await startTestGateway();
    const { res } = await rawConnect(t.url, { token: t.token });
    expect(res.payload).toMatchObject({
      type: "hello-ok",
      protocol: 1,
      role: "operator",
      policy: { maxPayload: 25 * 1024 * 1024, tickIntervalMs: 15_000 },
    });
    expect(res.payload.server.version).toBeTypeOf("string");
    expect(res.payload.server.connId).toBeTypeOf("string");
    expect(res.payload.methods).toEqual(expect.arrayContaining(["health", "status", "config.get"]));
    expect(res.payload.events).toEqual(expect.arrayContaining(["connect.challenge", "tick", "shutdown"]));
  });

  it("unknown methods → UNKNOWN_METHOD and the connection stays usable", async () => {
    const t = await startTestGateway();
    const c = await authed(t.url, t.token);
    for (const method of ["nope", "__proto__", "constructor", "toString", "hasOwnProperty", "connect.challenge", "HEALTH"]) {
      const res = await rawCall(c, method, {});
      expect(res.ok, method).toBe(false);
      expect(res.error.code, method).toBe("UNKNOWN_METHOD");
    }
    const ok = await rawCall(c, "health", {});
    expect(ok).toMatchObject({ ok: true, payload: { ok: true } });
    expect(c.isOpen()).toBe(true);
  });

  it("invalid params → INVALID_REQUEST and the connection stays usable", async () => {
    const t = await startTestGateway();
    const c = await authed(t.url, t.token);
    const cases: Array<[string, unknown]> = [
      ["health", { extra: 1 }],
      ["config.get", { path: 42 }],
      ["config.get", { path: "" }],
      ["config.get", { path: "a".repeat(1000) }],
      ["status", []],
      ["status", "x"],
    ];
    for (const [method, params] of cases) {
      const res = await rawCall(c, method, params);
      expect(res.ok, `${method} ${JSON.stringify(params).slice(0, 40)}`).toBe(false);
      expect(res.error.code).toBe("INVALID_REQUEST");
    }
    expect((await rawCall(c, "status")).ok).toBe(true); // params may be omitted
    expect(c.isOpen()).toBe(true);
  });

  it("invalid JSON and binary frames after auth are answered, not fatal", async () => {
    const t = await startTestGateway();
    const c = await authed(t.url, t.token);
    c.sendRaw("][");
    expect((await c.nextWhere((f) => f.type === "res")).error.code).toBe("INVALID_REQUEST");
    c.sendRaw(Buffer.from([1, 2, 3]), { binary: true });
    expect((await c.nextWhere((f) => f.type === "res")).error.code).toBe("INVALID_REQUEST");
    expect((await rawCall(c, "health")).ok).toBe(true);
  });

  it("connect twice → INVALID_REQUEST, the first session stays", async () => {
    const t = await startTestGateway();
    const c = await authed(t.url, t.token);
    c.send(connectRequest({ token: t.token }, { id: "again" }));
    const res = await c.nextWhere((f) => f.id === "again");
    expect(res).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST" } });
    // a second connect with a wrong token must not log the session out either
    c.send(connectRequest({ token: "wrong" }, { id: "again2", role: "node" }));
    expect((await c.nextWhere((f) => f.id === "again2")).ok).toBe(false);
    expect((await rawCall(c, "health")).ok).toBe(true);
  });

  it("accepts a frame bigger than 64 KiB but below maxPayloadBytes (answered, not closed)", async () => {
    const t = await startTestGateway();
    const c = await authed(t.url, t.token);
    const res = await rawCall(c, "config.get", { junk: "j".repeat(100 * 1024) });
    expect(res).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST" } });
    expect(c.isOpen()).toBe(true);
    const big = await rawCall(c, "config.get", { path: "x".repeat(300 * 1024) });
    expect(big.error.code).toBe("INVALID_REQUEST");
    expect((await rawCall(c, "health")).ok).toBe(true);
  });

  it("a frame over gateway.maxPayloadBytes closes with 1009", async () => {
    const t = await startTestGateway({ gateway: { maxPayloadBytes: 200_000 } });
    const c = await authed(t.url, t.token);
    expect((await rawCall(c, "health", { pad: "p".repeat(150_000) })).error.code).toBe("INVALID_REQUEST");
    c.sendRaw(JSON.stringify({ type: "req", id: "huge", method: "health", params: { pad: "p".repeat(250_000) } }));
    expect((await c.closed).code).toBe(1009);
    await stillServes(t.url, t.token);
  });

  it("config.get (RPC and CLI) masks URL credentials, secret query values and plugin fields its schema marks secret", async () => {
    const secrets = ["cdp-pass-123", "prov-pass-456", "qkey-789", "pin-secret-000", "at-secret-111", "wh-secret-222"];
    const t = await startTestGateway({
      browser: { cdpUrl: "ws://admin:cdp-pass-123@127.0.0.1:9222/devtools/browser" },
      models: { providers: { local: { api: "openai-completions", baseUrl: "http://user:prov-pass-456@127.0.0.1:11434/v1?api-key=qkey-789&mode=fast" } } },
      plugins: { allow: ["demo"], entries: { demo: { config: { pin: "pin-secret-000", accessToken: "at-secret-111", webhookSecret: "wh-secret-222", room: "lobby" } } } },
    });
    const pdir = join(t.dir, "plugins", "demo");
    mkdirSync(pdir, { recursive: true });
    writeFileSync(join(pdir, "index.js"), "export function register() {}\n");
    writeFileSync(
      join(pdir, "simpleclaw.plugin.json"),
      JSON.stringify({ id: "demo", name: "Demo", version: "1.0.0", entry: "index.js", configSchema: { type: "object", properties: { pin: { type: "string", writeOnly: true }, accessToken: { type: "string" }, webhookSecret: { type: "string" }, room: { type: "string" } } } }),
    );
    const c = await authed(t.url, t.token);
    const all = await rawCall(c, "config.get", {});
    const text = JSON.stringify(all.payload);
    for (const s of secrets) expect(text, s).not.toContain(s);
    // control: what is not secret stays readable
    expect(all.payload.config.browser.cdpUrl).toBe("ws://[redacted]@127.0.0.1:9222/devtools/browser");
    expect(all.payload.config.models.providers.local.baseUrl).toBe("http://[redacted]@127.0.0.1:11434/v1?api-key=[redacted]&mode=fast");
    expect(all.payload.config.plugins.entries.demo.config.room).toBe("lobby");

    const cli = await runCli(["config", "get"], t.env);
    expect(cli.code).toBe(0);
    for (const s of secrets) expect(cli.stdout, s).not.toContain(s);
    expect(cli.stdout).toContain("lobby");
    const cliOne = await runCli(["config", "get", "plugins.entries.demo.config"], t.env);
    expect(cliOne.stdout).not.toContain("pin-secret-000");
    // Asking for one secret key by name on the host prints it (how the operator reads the token).
    expect((await runCli(["config", "get", "gateway.auth.token"], t.env)).stdout.trim()).toBe(t.token);
  });

  it("health / status / config.get work and never return the token", async () => {
    const token = "tok-e2e-SECRET-abcdefghijklmnop";
    const t = await startTestGateway({ gateway: { auth: { token } } });
    const c = await authed(t.url, t.token);

    const health = await rawCall(c, "health");
    expect(health.payload).toMatchObject({ ok: true });
    expect(health.payload.uptimeMs).toBeGreaterThanOrEqual(0);

    const status = await rawCall(c, "status");
    expect(status.payload).toMatchObject({ auth: { mode: "token", source: "config" }, bind: { host: "127.0.0.1", port: t.port } });
    expect(status.payload.connections.operator).toBeGreaterThanOrEqual(1);

    const all = await rawCall(c, "config.get", {});
    expect(all.ok).toBe(true);
    expect(all.payload.config.gateway.port).toBe(18789);
    expect(all.payload.config.gateway.auth.token).toBe("[redacted]");

    const one = await rawCall(c, "config.get", { path: "gateway.auth.token" });
    expect(one.ok).toBe(true);
    expect(one.payload.value).toBe("[redacted]");
    const auth = await rawCall(c, "config.get", { path: "gateway.auth" });
    expect(auth.payload.value.token).toBe("[redacted]");

    for (const f of c.received) expect(JSON.stringify(f)).not.toContain(token);

    expect((await rawCall(c, "config.get", { path: "gateway.nope" })).error.code).toBe("NOT_FOUND");
    for (const path of ["__proto__", "gateway.__proto__", "constructor", "gateway..port", "."]) {
      const r = await rawCall(c, "config.get", { path });
      expect(r.ok, path).toBe(false);
      expect(["INVALID_REQUEST", "NOT_FOUND"], path).toContain(r.error.code);
    }
  });

  it("config.get hides the token even where it is copied into another key", async () => {
    const token = "tok-copied-into-other-key-1234567";
    const t = await startTestGateway({
      gateway: { auth: { token } },
      agents: { list: [{ id: "main", default: true, name: `agent ${token}` }] },
      memory: { extraPaths: [`/data/${token}`] },
    });
    const client = await GatewayClient.connect({ url: t.url, token });
    const all = await client.call("config.get");
    expect(JSON.stringify(all)).not.toContain(token);
    await client.close();
  });

  it("config.get hides the env token and other secrets", async () => {
    const t = await startTestGateway(
      {
        gateway: { auth: { mode: "token" } },
        models: { providers: { local: { api: "openai-completions", baseUrl: "http://127.0.0.1:11434/v1", apiKey: "sk-local-provider-key-xyz" } } },
        channels: { telegram: { botToken: "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" } },
      },
      { SIMPLECLAW_GATEWAY_TOKEN: "env-only-token-value-987654" },
    );
    const client = await GatewayClient.connect({ url: t.url, token: t.token });
    const text = JSON.stringify(await client.call("config.get"));
    expect(text).not.toContain("env-only-token-value-987654");
    expect(text).not.toContain("sk-local-provider-key-xyz");
    expect(text).not.toContain("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    await client.close();
  });

  it("request ids are echoed and responses match out-of-order pipelined requests", async () => {
    const t = await startTestGateway();
    const c = await authed(t.url, t.token);
    const ids = Array.from({ length: 50 }, () => nextId());
    ids.forEach((id, i) => c.send({ type: "req", id, method: i % 3 === 0 ? "nope" : "health", params: {} }));
    const got = new Set<string>();
    while (got.size < ids.length) {
      const f = await c.nextWhere((x) => x.type === "res");
      got.add(f.id);
    }
    expect([...got].sort()).toEqual([...ids].sort());
    expect(c.isOpen()).toBe(true);
  });

  it("GatewayClient: connect, call, typed errors, close", async () => {
    const t = await startTestGateway();
    const client = await GatewayClient.connect({ url: t.url, token: t.token });
    expect(client.hello.protocol).toBe(1);
    expect(await client.call("health")).toMatchObject({ ok: true });
    expect(await client.call("status")).toMatchObject({ auth: { mode: "token" } });
    const unknown = await client.call("no.such.method").catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(GatewayError);
    expect((unknown as GatewayError).code).toBe("UNKNOWN_METHOD");
    const invalid = await client.call("health", { x: 1 }).catch((e: unknown) => e);
    expect((invalid as GatewayError).code).toBe("INVALID_REQUEST");
    expect(await client.call("health")).toMatchObject({ ok: true });
    await client.close();
  });

  it("status counts connected operators", async () => {
    const t = await startTestGateway();
    const a = await GatewayClient.connect({ url: t.url, token: t.token });
    const b = await GatewayClient.connect({ url: t.url, token: t.token });
    await opened(t.url); // unauthenticated: not an operator
    const s = await a.call<{ connections: { operator: number; node: number } }>("status");
    expect(s.connections).toEqual({ operator: 2, node: 0 });
    await b.close();
    await a.close();
  });
});

describe("shutdown", () => {
  it("authenticated clients get a shutdown event, then close 1001; unauthenticated ones are just closed", async () => {
    const t = await startTestGateway();
    const c = await authed(t.url, t.token);
    const pending = await opened(t.url);
    const client = await GatewayClient.connect({ url: t.url, token: t.token });
    const events: Array<[string, unknown]> = [];
    client.onEvent((e, p) => events.push([e, p]));
    const afterClose = client.call("health").catch((e: unknown) => e);

    await t.close();

    const ev = await c.nextWhere((f) => f.type === "event" && f.event === "shutdown");
    expect(ev.payload.reason).toMatch(/stopping/);
    expect(ev.seq).toBeGreaterThan(0);
    expect((await c.closed).code).toBe(1001);

    expect((await pending.closed).code).toBe(1001);
    expect(pending.received.some((f) => f.event === "shutdown")).toBe(false);

    expect(events.map((e) => e[0])).toContain("shutdown");
    const err = await afterClose;
    if (err instanceof GatewayError) expect(["CONNECTION", "TIMEOUT"]).toContain(err.code);

    // The port is really released.
    const refused = await rawWs(t.url).handshake;
    expect(refused.opened).toBe(false);
  });
});
