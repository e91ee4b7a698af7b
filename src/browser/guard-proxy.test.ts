import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BLOCKED_HEADER, checkBrowserUrl, startGuardProxy, type BlockedRequest, type BrowserNetPolicy, type GuardProxy } from "./guard-proxy.js";
import { parseOriginList } from "../net/origin-pattern.js";

// A target on 127.0.0.2 (exempt from the address check, test-only) and a "secret" on 127.0.0.1.
let target: http.Server;
let targetPort = 0;
let secret: http.Server;
let secretPort = 0;
let secretHits = 0;
const blocked: BlockedRequest[] = [];
let proxy: GuardProxy;

const policy: BrowserNetPolicy = { allowPrivateNetwork: false, lists: { allowed: [], blocked: [] }, exemptAddresses: ["127.0.0.2"] };

function listen(server: http.Server, host: string): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as net.AddressInfo).port)));
}

beforeAll(async () => {
  target = http.createServer((req, res) => res.end(`target ${req.url} host=${req.headers.host} proxyauth=${req.headers["proxy-authorization"] ?? "none"}`));
  targetPort = await listen(target, "127.0.0.2");
  secret = http.createServer((_req, res) => {
    secretHits++;
    res.end("secret");
  });
  secretPort = await listen(secret, "127.0.0.1");
  proxy = await startGuardProxy(policy, (b) => blocked.push(b));
});

afterAll(async () => {
  await proxy.close();
  target.close();
  secret.close();
});

function viaProxy(url: string, auth: boolean): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: URL.canParse(url) ? new URL(url).host : "x" };
    if (auth) headers["proxy-authorization"] = `Basic ${Buffer.from(`${proxy.username}:${proxy.password}`).toString("base64")}`;
    const req = http.request({ host: "127.0.0.1", port: proxy.port, method: "GET", path: url, headers, agent: false }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

function connect(authority: string, auth: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(proxy.port, "127.0.0.1");
    let data = "";
    s.on("data", (c) => {
      data += c.toString();
      if (data.includes("\r\n\r\n")) {
        s.destroy();
        resolve(data.split("\r\n")[0]!);
      }
    });
    s.on("error", reject);
    s.on("end", () => resolve(data.split("\r\n")[0]!));
    const authLine = auth ? `Proxy-Authorization: Basic ${Buffer.from(`${proxy.username}:${proxy.password}`).toString("base64")}\r\n` : "";
    s.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${authLine}\r\n`);
  });
}

describe("checkBrowserUrl", () => {
  it("applies scheme, origin lists and network-policy's address verdict, naming the browser's setting", async () => {
    expect((await checkBrowserUrl("file:///etc/passwd", policy)).ok).toBe(false);
    const lo = await checkBrowserUrl(`http://127.0.0.1:${secretPort}/`, policy);
    expect(lo).toEqual({ ok: false, reason: "127.0.0.1 is a loopback address; set browser.allowPrivateNetwork to reach private networks" });
    const md = await checkBrowserUrl("http://169.254.169.254/", { ...policy, allowPrivateNetwork: true });
    expect(md).toEqual({ ok: false, reason: "169.254.169.254 is a cloud metadata endpoint, which the browser tool never contacts" });
    expect((await checkBrowserUrl(`http://127.0.0.1:${secretPort}/`, { ...policy, allowPrivateNetwork: true })).ok).toBe(true);
    const listed = { ...policy, lists: { allowed: parseOriginList(["https://example.com"]).patterns, blocked: [] } };
    expect(await checkBrowserUrl(`http://127.0.0.2:${targetPort}/`, listed)).toEqual({ ok: false, reason: `http://127.0.0.2:${targetPort} is not in browser.allowedOrigins` });
  });
});

describe("guard proxy", () => {
  it("listens on loopback only", () => {
    expect(proxy.server).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("requires its credentials (407 otherwise), for requests and tunnels", async () => {
    const r = await viaProxy(`http://127.0.0.2:${targetPort}/x`, false);
    expect(r.status).toBe(407);
    expect(r.headers["proxy-authenticate"]).toMatch(/^Basic /);
    expect(await connect(`127.0.0.2:${targetPort}`, false)).toMatch(/^HTTP\/1\.1 407/);
  });

  it("forwards an allowed request to the checked address without leaking the proxy credentials", async () => {
    const r = await viaProxy(`http://127.0.0.2:${targetPort}/hello?x=1`, true);
    expect(r.status).toBe(200);
    expect(r.body).toBe(`target /hello?x=1 host=127.0.0.2:${targetPort} proxyauth=none`);
    expect(await connect(`127.0.0.2:${targetPort}`, true)).toBe("HTTP/1.1 200 Connection Established");
  });

  it("refuses loopback, metadata and private targets with a marked 403, and never connects", async () => {
    const before = secretHits;
    const r = await viaProxy(`http://127.0.0.1:${secretPort}/`, true);
    expect(r.status).toBe(403);
    expect(decodeURIComponent(String(r.headers[BLOCKED_HEADER]))).toMatch(/loopback/);
    expect((await viaProxy("http://169.254.169.254/latest/meta-data/", true)).status).toBe(403);
    expect(await connect(`127.0.0.1:${secretPort}`, true)).toMatch(/^HTTP\/1\.1 403/);
    expect(await connect("169.254.169.254:443", true)).toMatch(/^HTTP\/1\.1 403/);
    expect(await connect("[::1]:443", true)).toMatch(/^HTTP\/1\.1 403/);
    expect(await connect("10.0.0.1:22", true)).toMatch(/^HTTP\/1\.1 403/);
    expect(await connect("not-an-authority", true)).toMatch(/^HTTP\/1\.1 400/);
    expect((await viaProxy("/relative", true)).status).toBe(403);
    expect(secretHits).toBe(before);
    expect(blocked.map((b) => b.by)).toContain("proxy");
  });
});

describe("the gateway's own port", () => {
  // allowPrivateNetwork is on (a home-lab setup) and "secret" plays the gateway: with auth mode
  // "none" a page on its loopback origin is signed in as the operator.
  it("is refused for requests and tunnels (WebSocket) even with allowPrivateNetwork; other local ports still work", async () => {
    const own: BrowserNetPolicy = { ...policy, allowPrivateNetwork: true, ownPorts: [secretPort], localAddresses: ["127.0.0.1", "::1"] };
    const p = await startGuardProxy(own, () => {});
    const saved = proxy;
    proxy = p;
    try {
      const before = secretHits;
      const r = await viaProxy(`http://127.0.0.1:${secretPort}/`, true);
      expect(r.status).toBe(403);
      expect(decodeURIComponent(String(r.headers[BLOCKED_HEADER]))).toMatch(/the gateway's own port/);
      expect((await viaProxy(`http://localhost:${secretPort}/ws`, true)).status).toBe(403);
      expect((await viaProxy(`http://0.0.0.0:${secretPort}/`, true)).status).toBe(403);
      expect(await connect(`127.0.0.1:${secretPort}`, true)).toMatch(/^HTTP\/1\.1 403/);
      expect(await connect(`[::ffff:127.0.0.1]:${secretPort}`, true)).toMatch(/^HTTP\/1\.1 403/);
      // A CONNECT authority that is not a plain host: the port must not get lost on the way to the check.
      for (const odd of [`127.0.0.1/:${secretPort}`, `localhost/x:${secretPort}`, `127.0.0.1?:${secretPort}`, `127.0.0.1#:${secretPort}`, `a@127.0.0.1:${secretPort}`, `127.0.0.1\\:${secretPort}`])
        expect(await connect(odd, true), odd).toMatch(/^HTTP\/1\.1 4\d\d/);
      expect(secretHits).toBe(before);
      expect(await checkBrowserUrl(`http://127.1:${secretPort}/`, own)).toEqual({
        ok: false,
        reason: `127.0.0.1:${secretPort} is the gateway's own port (its Control UI and API), which the browser tool never contacts`,
      });
      // Positive control: another loopback service is reachable with allowPrivateNetwork.
      expect((await viaProxy(`http://127.0.0.2:${targetPort}/ok`, true)).status).toBe(200);
    } finally {
      proxy = saved;
      await p.close();
    }
  });
});
