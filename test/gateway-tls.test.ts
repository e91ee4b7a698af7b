// End-to-end TLS: an auto-generated self-signed certificate kept in <state>/tls, clients
// that pin its SHA-256 fingerprint, and what happens to clients that do not (or pin
// the wrong one, e.g. a man in the middle): they must never send the secret.
import { readFileSync, statSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { generate } from "selfsigned";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { startGateway } from "../src/gateway/start.js";
import { fingerprintOf } from "../src/net/tls.js";
import { GatewayClient, GatewayError } from "../src/protocol/client.js";
import { cleanupAll, onCleanup, rawHttp, rawWs, runCli, spawnGateway, startTestGateway, tempStateDir } from "./helpers/gateway.js";

afterEach(cleanupAll);

const TLS = { gateway: { tls: { enabled: true, autoGenerate: true } } };
const mode = (p: string) => statSync(p).mode & 0o777;
const FP = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;

describe("auto-generated TLS certificate", () => {
  it("listens on wss://, reports the fingerprint in the banner and ctx, and stores key 600 / dir 700", async () => {
    const t = await startTestGateway(TLS);
    expect(t.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/ws$/);
    const fp = t.gw.ctx.tls.fingerprint256!;
    expect(t.gw.ctx.tls.enabled).toBe(true);
    expect(fp).toMatch(FP);
    expect(t.said.join("\n")).toContain(`fingerprint: ${fp}`);
    expect(t.said.join("\n")).toMatch(/TLS/);

    const tlsDir = join(t.dir, "tls");
    expect(mode(tlsDir)).toBe(0o700);
    expect(mode(join(tlsDir, "gateway-key.pem"))).toBe(0o600);
    const cert = readFileSync(join(tlsDir, "gateway-cert.pem"), "utf8");
    expect(fingerprintOf(cert)).toBe(fp);
    expect(readFileSync(join(tlsDir, "gateway-key.pem"), "utf8")).toMatch(/PRIVATE KEY/);
  });

  it("GatewayClient with the right pin connects over wss and calls health (any pin notation)", async () => {
    const t = await startTestGateway(TLS);
    const fp = t.gw.ctx.tls.fingerprint256!;
    for (const pin of [fp, fp.toLowerCase(), fp.replace(/:/g, ""), `sha256/${fp}`]) {
      const client = await GatewayClient.connect({ url: t.url, token: t.token, tlsFingerprint: pin });
      expect(await client.call("health")).toMatchObject({ ok: true });
      const status = await client.call<{ tls: { enabled: boolean; fingerprint256: string } }>("status");
      expect(status.tls).toEqual({ enabled: true, fingerprint256: fp });
      await client.close();
    }
  });

  it("a wrong pin is refused with an error naming the fingerprint, before any connect is sent", async () => {
    const t = await startTestGateway({ ...TLS, gateway: { ...TLS.gateway, auth: { rateLimit: { maxAttempts: 1 } } } });
    const wrong = "AA:".repeat(31) + "AA";
    const err = await GatewayClient.connect({ url: t.url, token: t.token, tlsFingerprint: wrong, timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe("CONNECTION");
    expect((err as GatewayError).message).toMatch(/fingerprint/);
    expect((err as GatewayError).message).toContain(t.gw.ctx.tls.fingerprint256!);

    // The gateway saw no connect at all: nothing in its log, and no operator counted.
    const logs = readFileSync(t.gw.ctx.logger.filePath!, "utf8");
    expect(logs).not.toMatch(/connect refused|client connected/);
    expect(t.gw.ctx.connections.count("operator")).toBe(0);
    // and the right pin still works (a maxAttempts:1 limiter would be tripped by any failed attempt)
    const ok = await GatewayClient.connect({ url: t.url, token: t.token, tlsFingerprint: t.gw.ctx.tls.fingerprint256! });
    await ok.close();
  });

  it("a man in the middle with another certificate never receives the upgrade or the token", async () => {
    const t = await startTestGateway(TLS);
    const pems = await generate([{ name: "commonName", value: "simpleclaw-gateway" }], { keyType: "ec", curve: "P-256", algorithm: "sha256" } as never);
    const seen = { tlsSessions: 0, bytes: 0, upgrades: 0, frames: [] as string[] };
    const server = createHttpsServer({ cert: pems.cert, key: pems.private });
    server.on("secureConnection", (sock) => {
      seen.tlsSessions++;
      sock.on("data", (d: Buffer) => (seen.bytes += d.length));
    });
    const wss = new WebSocketServer({ server });
    server.on("upgrade", () => seen.upgrades++);
    wss.on("connection", (ws) => {
      ws.send(JSON.stringify({ type: "event", event: "connect.challenge", payload: { nonce: "x", ts: Date.now() }, seq: 0 }));
      ws.on("message", (m) => seen.frames.push(m.toString()));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    onCleanup(() => new Promise<void>((r) => { wss.close(); server.closeAllConnections(); server.close(() => r()); }));
    const port = (server.address() as AddressInfo).port;

    const err = await GatewayClient.connect({
      url: `wss://127.0.0.1:${port}/ws`,
      token: t.token,
      tlsFingerprint: t.gw.ctx.tls.fingerprint256!,
      timeoutMs: 5000,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).message).toMatch(/fingerprint/);
    await new Promise((r) => setTimeout(r, 200));
    expect(seen.frames).toEqual([]);
    expect(seen.upgrades).toBe(0);
    expect(seen.bytes).toBe(0);
  });

  it("without a pin, a default ws client (rejectUnauthorized) fails, and so does GatewayClient", async () => {
    const t = await startTestGateway(TLS);
    const h = await rawWs(t.url).handshake;
    expect(h.opened).toBe(false);
    expect(h.error).toMatch(/self[- ]signed|certificate/i);
    const err = await GatewayClient.connect({ url: t.url, token: t.token, timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).message).toMatch(/certificate/i);
  });

  it("plain ws:// and http:// to the TLS port get nowhere; https healthz works", async () => {
    const t = await startTestGateway(TLS);
    const h = await rawWs(`ws://127.0.0.1:${t.port}/ws`).handshake;
    expect(h.opened).toBe(false);
    const plain = await rawHttp(t.port, "/healthz").catch((e: Error) => e);
    if (!(plain instanceof Error)) expect(plain.status).not.toBe(200);
    const secure = await rawHttp(t.port, "/healthz", { tls: true });
    expect(secure.status).toBe(200);
    expect(JSON.parse(secure.body)).toEqual({ ok: true });
    const status = await rawHttp(t.port, "/api/status", { tls: true });
    expect(status.status).toBe(401);
  });

  it("a restart keeps the same certificate and fingerprint", async () => {
    const state = tempStateDir({ gateway: { auth: { token: "tls-restart-token" }, tls: { enabled: true, autoGenerate: true } } });
    const opts = { env: state.env, port: 0, pretty: null, say: () => {} };
    const gw1 = await startGateway(opts);
    const fp1 = gw1.ctx.tls.fingerprint256!;
    const key1 = readFileSync(join(state.dir, "tls", "gateway-key.pem"), "utf8");
    await gw1.close();
    const gw2 = await startGateway(opts);
    onCleanup(() => gw2.close());
    expect(gw2.ctx.tls.fingerprint256).toBe(fp1);
    expect(readFileSync(join(state.dir, "tls", "gateway-key.pem"), "utf8")).toBe(key1);
    const client = await GatewayClient.connect({ url: gw2.url, token: "tls-restart-token", tlsFingerprint: fp1 });
    expect(await client.call("health")).toMatchObject({ ok: true });
    await client.close();
  });

  it("the CLI pins the local auto-generated certificate by itself (gateway status over wss)", async () => {
    const state = tempStateDir({ gateway: { auth: { token: "tls-cli-token-1" }, tls: { enabled: true, autoGenerate: true } } });
    const gw = await spawnGateway(state.env);
    expect(gw.url).toMatch(/^wss:/);
    const fp = (await gw.waitFor(/fingerprint: ([0-9A-F:]{95})/))[1];
    expect(fp).toMatch(FP);
    const env = { ...state.env, SIMPLECLAW_GATEWAY_PORT: String(gw.port) };
    const r = await runCli(["gateway", "status"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`tls: on, SHA-256 fingerprint ${fp}`);
    const wrong = await runCli(["gateway", "status", "--tls-fingerprint", "00".repeat(32)], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/fingerprint/);
    expect(wrong.stderr).not.toMatch(/^\s+at\s/m);
  });
});
