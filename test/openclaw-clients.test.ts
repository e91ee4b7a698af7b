// OpenClaw clients pointed at a SimpleClaw gateway (docs/protocol.md, "Clients of other
// gateways"): their connect frame (minProtocol/maxProtocol, client.id) gets
// PROTOCOL_MISMATCH with one sentence naming SimpleClaw, the socket closes with 1002, and
// none of it counts toward the auth lockout. OpenClaw's Control UI config path gets JSON.
import { afterEach, describe, expect, it } from "vitest";
import { cleanupAll, connectRequest, nextId, rawConnect, rawHttp, rawWs, startTestGateway, type Json } from "./helpers/gateway.js";

afterEach(cleanupAll);

/** The connect OpenClaw's CLI/TUI/node host sends (its public protocol, version 3). */
function openClawConnect(token: string): Json {
  return {
    type: "req",
    id: nextId(),
    method: "connect",
    params: {
      minProtocol: 3,
      maxProtocol: 3,
      client: { id: "cli", version: "2026.9.6", platform: "linux", mode: "cli" },
      role: "operator",
      scopes: ["operator.read", "operator.write"],
      caps: [],
      commands: [],
      permissions: {},
      auth: { token },
      locale: "en-US",
    },
  };
}

async function openClawAttempt(url: string, token: string) {
  const c = rawWs(url);
  expect((await c.handshake).opened).toBe(true);
  const challenge = await c.next();
  expect(challenge.event).toBe("connect.challenge");
  const req = openClawConnect(token);
  c.send(req);
  const res = await c.nextWhere((f) => f.type === "res");
  const closed = await c.closed;
  return { req, res, closed };
}

describe("OpenClaw clients", () => {
  it("an OpenClaw connect gets PROTOCOL_MISMATCH naming SimpleClaw, and close 1002", async () => {
    const g = await startTestGateway({ gateway: { auth: { rateLimit: { maxAttempts: 3 } } } });
    const { req, res, closed } = await openClawAttempt(g.url, "wrong-token");
    expect(res.id).toBe(req.id);
    expect(res.ok).toBe(false);
    expect(res.error.code).toBe("PROTOCOL_MISMATCH");
    expect(res.error.details).toEqual({ code: "PROTOCOL_MISMATCH" });
    expect(res.error.message).toMatch(/SimpleClaw gateway, not OpenClaw/);
    expect(res.error.message).toMatch(/simpleclaw CLI/);
    expect(res.error.message).not.toMatch(/invalid connect params/);
    expect(closed.code).toBe(1002);
  });

  it("a client.id-only connect (no protocol range) is recognised too", async () => {
    const g = await startTestGateway();
    const c = rawWs(g.url);
    await c.handshake;
    await c.next();
    c.send(connectRequest({ token: g.token }, { client: { id: "openclaw-tui", version: "1", platform: "linux", mode: "ui" } }));
    const res = await c.nextWhere((f) => f.type === "res");
    expect(res.error.code).toBe("PROTOCOL_MISMATCH");
  });

  it("OpenClaw connects never count toward the lockout; wrong SimpleClaw secrets still do (control)", async () => {
    const g = await startTestGateway({ gateway: { auth: { rateLimit: { maxAttempts: 3 } } } });
    for (let i = 0; i < 6; i++) {
      const { res } = await openClawAttempt(g.url, `wrong-${i}`);
      expect(res.error.code).toBe("PROTOCOL_MISMATCH");
    }
    const ok = await rawConnect(g.url, { token: g.token });
    expect(ok.res.ok).toBe(true);
    ok.c.ws.close();
    // Control: the same number of wrong SimpleClaw connects does lock the address out.
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) codes.push((await rawConnect(g.url, { token: `wrong-${i}` })).res.error.code);
    expect(codes).toEqual(["UNAUTHORIZED", "UNAUTHORIZED", "UNAUTHORIZED", "RATE_LIMITED"]);
  });

  it("OpenClaw's Control UI config path gets a JSON answer naming SimpleClaw, without auth", async () => {
    const g = await startTestGateway();
    const r = await rawHttp(g.port, "/__openclaw/control-ui-config.json");
    expect(r.status).toBe(404);
    expect(r.headers["content-type"]).toMatch(/application\/json/);
    const body = JSON.parse(r.body);
    expect(body.error.code).toBe("PROTOCOL_MISMATCH");
    expect(body.error.message).toMatch(/SimpleClaw gateway, not OpenClaw/);
    // Nothing about this gateway leaks there: no version, no config.
    expect(r.body).not.toMatch(/version|token|port/i);
    // Other unknown paths still need auth (control).
    expect((await rawHttp(g.port, "/api/whatever")).status).toBe(401);
  });
});
