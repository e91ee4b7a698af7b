// The http tool under attack. Every refusal test also proves that the target server saw
// neither a request nor even a TCP connection.
//
// How "public" servers are simulated honestly: the suite has no public address to listen
// on, so the "allowed" server listens on 127.0.0.2 and the tool is built with the
// test-only exemptAddresses: ["127.0.0.2"]. The guard still runs unchanged on every other
// address, so the victims on 127.0.0.1 / ::1 stay protected, which is what these tests
// check. Host names like "public.test" come from an injected lookup that the tool uses
// exactly once per hop; the socket goes to the address that lookup returned.
import http from "node:http";
import https from "node:https";
import tls from "node:tls";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../config/schema.js";
import { createHttpTool, httpTool, type HttpInput } from "./http.js";
import type { LookupFn } from "../security/network-policy.js";
import { type ToolContext } from "./types.js";
import { ToolError } from "../infra/errors.js";
import { fakeLookup } from "../../test/helpers/dns.js";

interface TestServer {
  host: string;
  port: number;
  /** "http://host:port" */
  origin: string;
  requests: http.IncomingMessage[];
  connections: number;
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function startServer(host: string, handler: Handler, port = 0): Promise<TestServer> {
  const server = http.createServer();
  const state: TestServer = {
    host,
    port: 0,
    origin: "",
    requests: [],
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on("connection", () => state.connections++);
  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    state.requests.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port, ipv6Only: false }, () => resolve());
  });
  state.port = (server.address() as AddressInfo).port;
  state.origin = `http://${host.includes(":") ? `[${host}]` : host}:${state.port}`;
  return state;
}

function ctx(allowPrivateNetwork = false, signal: AbortSignal = new AbortController().signal): ToolContext {
  return {
    agentId: "main",
    sessionKey: "agent:main:main",
    workspace: "/tmp",
    config: configSchema.parse({ tools: { http: { allowPrivateNetwork } } }),
    signal,
    origin: { kind: "operator" }, sandbox: { mode: "off", required: false, backend: "auto", workspaceAccess: "rw", network: false }, notify: () => {},
  };
}


async function refusal(p: Promise<string>): Promise<string> {
  try {
    const out = await p;
    throw new Error(`expected a ToolError, got a result:\n${out.slice(0, 300)}`);
  } catch (err) {
    if (!(err instanceof ToolError)) throw err;
    return err.message;
  }
}

// The victim: listens on every loopback address (:: dual-stack when available, so
// 127.0.0.1 and ::1 both land here). It must never be reached in refusal tests.
let victim: TestServer;
let hasIPv6 = true;

beforeAll(async () => {
  try {
    victim = await startServer("::", (_req, res) => res.end("SECRET victim data"));
  } catch {
    hasIPv6 = false;
    victim = await startServer("127.0.0.1", (_req, res) => res.end("SECRET victim data"));
  }
});
afterAll(async () => {
  await victim.close();
});

function expectVictimUntouched() {
  expect(victim.requests.length).toBe(0);
  expect(victim.connections).toBe(0);
}

describe("http tool: direct private targets", () => {
  afterEach(() => {
    victim.requests.length = 0;
    victim.connections = 0;
  });

  it("is the web-group tool named http", () => {
    expect(httpTool.name).toBe("http");
    expect(httpTool.group).toBe("web");
    expect(httpTool.inputSchema.parse({ url: "http://x.test/" })).toEqual({ url: "http://x.test/" });
    expect(() => httpTool.inputSchema.parse({ url: "http://x.test/", method: "TRACE" })).toThrow();
  });

  it("refuses 127.0.0.1 with one clear sentence and never connects", async () => {
    const msg = await refusal(httpTool.execute({ url: `http://127.0.0.1:${victim.port}/` }, ctx()));
    expect(msg).toBe("refused: 127.0.0.1 is a loopback address; set tools.http.allowPrivateNetwork to reach private networks.");
    expectVictimUntouched();
  });

  it.each([
    "http://localhost:PORT/",
    "http://[::1]:PORT/",
    "http://0x7f000001:PORT/",
    "http://2130706433:PORT/",
    "http://017700000001:PORT/",
    "http://127.1:PORT/",
    "http://0x7f.1:PORT/",
    "http://[::ffff:127.0.0.1]:PORT/",
    "http://[::ffff:7f00:1]:PORT/",
    "http://0.0.0.0:PORT/",
    "http://0:PORT/",
    "http://[::]:PORT/",
    "http://127.0.0.1.:PORT/",
    "HTTP://LOCALHOST:PORT/",
  ])("refuses %s and the server receives nothing", async (template) => {
    const url = template.replace("PORT", String(victim.port));
    const msg = await refusal(httpTool.execute({ url }, ctx()));
    expect(msg).toMatch(/^refused: /);
    expectVictimUntouched();
  });

  it("refuses the cloud metadata endpoint (also via numeric spellings)", async () => {
    for (const url of ["http://169.254.169.254/latest/meta-data/iam/security-credentials/", "http://2852039166/", "http://0xa9.0xfe.0xa9.0xfe/", "http://[::ffff:a9fe:a9fe]/", "http://[fd00:ec2::254]/"]) {
      const msg = await refusal(httpTool.execute({ url }, ctx()));
      expect(msg, url).toMatch(/cloud metadata endpoint, which the http tool never contacts\.$/);
      const msg2 = await refusal(httpTool.execute({ url }, ctx(true)));
      expect(msg2, url).toMatch(/cloud metadata endpoint/);
    }
  });

  it("refuses a cloud's other instance services too, even when private networks are allowed (EKS Pod Identity credentials, GCP and OpenStack over IPv6)", async () => {
    const lookup = fakeLookup({ "pod-identity.test": ["169.254.170.23"], "imds6.test": ["fd00:ec2::23"] });
    const tool = createHttpTool({ lookup });
    for (const url of ["http://169.254.170.23/v1/credentials", "http://[fd00:ec2::23]/v1/credentials", "http://pod-identity.test/v1/credentials", "http://imds6.test/", "http://[fd20:ce::254]/computeMetadata/v1/", "http://[fe80::a9fe:a9fe]/openstack/"]) {
      const msg = await refusal(tool.execute({ url }, ctx(true)));
      expect(msg, url).toMatch(/cloud metadata endpoint, which the http tool never contacts\.$/);
    }
  });

  it("refuses file:, gopher: and other schemes", async () => {
    for (const url of ["file:///etc/passwd", `gopher://127.0.0.1:${victim.port}/_GET%20/`, "ftp://example.com/", "data:text/plain,hello", `dict://127.0.0.1:${victim.port}/`]) {
      const msg = await refusal(httpTool.execute({ url }, ctx(true)));
      expect(msg, url).toMatch(/^refused: only http and https URLs are allowed, not [a-z]+:\.$/);
    }
    expectVictimUntouched();
  });

  it("refuses credentials in the URL even when private networks are allowed", async () => {
    for (const url of [`http://user:pass@127.0.0.1:${victim.port}/`, `http://admin@127.0.0.1:${victim.port}/`]) {
      const msg = await refusal(httpTool.execute({ url }, ctx(true)));
      expect(msg).toMatch(/embedded credentials/);
    }
    expectVictimUntouched();
  });

  it("refuses forbidden and malformed request headers before connecting", async () => {
    const url = `http://127.0.0.1:${victim.port}/`;
    for (const [headers, re] of [
      [{ Host: "internal.admin" }, /the Host header cannot be set/],
      [{ Connection: "keep-alive" }, /the Connection header/],
      [{ "Transfer-Encoding": "chunked" }, /Transfer-Encoding/],
      [{ "Content-Length": "5" }, /Content-Length/],
      [{ "Proxy-Authorization": "Basic eDp5" }, /Proxy-Authorization/],
      [{ "proxy-connection": "x" }, /proxy-connection/],
      [{ "X-Ok": "a\r\nHost: evil" }, /line break/],
      [{ "Bad Name": "x" }, /not a valid header name/],
      [{ "X-Bad\r\nInjected": "x" }, /not a valid header name/],
    ] as Array<[Record<string, string>, RegExp]>) {
      const msg = await refusal(httpTool.execute({ url, headers }, ctx(true)));
      expect(msg).toMatch(re);
    }
    const msg = await refusal(httpTool.execute({ url, method: "GET", body: "x" }, ctx(true)));
    expect(msg).toMatch(/body cannot be sent with GET/);
    expectVictimUntouched();
  });
});

describe("http tool: DNS", () => {
  afterEach(() => {
    victim.requests.length = 0;
    victim.connections = 0;
  });

  it("refuses a public-looking name that resolves to loopback / private / metadata", async () => {
    const lookup = fakeLookup({
      "public.test": ["127.0.0.1"],
      "also-public.test": ["93.184.216.34", "127.0.0.1"],
      "v6.test": ["::1"],
      "mapped.test": ["::ffff:7f00:1"],
      "meta.test": ["169.254.169.254"],
    });
    const tool = createHttpTool({ lookup });
    expect(await refusal(tool.execute({ url: `http://public.test:${victim.port}/` }, ctx()))).toBe(
      "refused: public.test resolves to 127.0.0.1, a loopback address; set tools.http.allowPrivateNetwork to reach private networks.",
    );
    expect(await refusal(tool.execute({ url: `http://also-public.test:${victim.port}/` }, ctx()))).toMatch(/resolves to 127\.0\.0\.1/);
    expect(await refusal(tool.execute({ url: `http://v6.test:${victim.port}/` }, ctx()))).toMatch(/resolves to ::1, a loopback/);
    expect(await refusal(tool.execute({ url: `http://mapped.test:${victim.port}/` }, ctx()))).toMatch(/embedding 127\.0\.0\.1/);
    expect(await refusal(tool.execute({ url: "http://meta.test/" }, ctx(true)))).toMatch(/cloud metadata endpoint/);
    expectVictimUntouched();
  });

  it("pins the checked address: a rebinding resolver cannot redirect the connection", async () => {
    // Same port on two loopback addresses: 127.0.0.2 (the "public" server) and 127.0.0.1 (victim).
    const good = await startServer("127.0.0.2", (req, res) => res.end(`hello from good, host=${req.headers.host}`));
    const bad = await startServer("127.0.0.1", (_req, res) => res.end("SECRET"), good.port);
    try {
      let n = 0;
      const calls: string[] = [];
      // First answer passes the check; every later answer points at the victim.
      const rebinding: LookupFn = async (host) => {
        calls.push(host);
        return [{ address: n++ === 0 ? "127.0.0.2" : "127.0.0.1", family: 4 }];
      };
      const tool = createHttpTool({ lookup: rebinding, exemptAddresses: ["127.0.0.2"] });
      const out = await tool.execute({ url: `http://flip.test:${good.port}/` }, ctx());
      expect(out).toContain(`hello from good, host=flip.test:${good.port}`);
      expect(calls).toEqual(["flip.test"]); // exactly one resolution per hop
      expect(bad.requests.length).toBe(0);
      expect(bad.connections).toBe(0);
    } finally {
      await good.close();
      await bad.close();
    }
  });

  it("reports an unresolvable host", async () => {
    const tool = createHttpTool({ lookup: fakeLookup({}) });
    expect(await refusal(tool.execute({ url: "http://nowhere.test/" }, ctx()))).toBe("could not resolve host nowhere.test (ENOTFOUND).");
  });
});

describe("http tool: redirects", () => {
  let good: TestServer;
  let lastLocation = "";
  const lookup = fakeLookup({ "public.test": ["127.0.0.2"], "rebind.test": ["127.0.0.1"], localhost: ["127.0.0.1", "::1"] });
  const tool = createHttpTool({ lookup, exemptAddresses: ["127.0.0.2"] });

  beforeAll(async () => {
    good = await startServer("127.0.0.2", (req, res) => {
      const u = new URL(req.url ?? "/", "http://x");
      if (u.pathname === "/to") {
        lastLocation = u.searchParams.get("l") ?? "";
        res.writeHead(Number(u.searchParams.get("s") ?? 302), { location: lastLocation });
        res.end("redirecting");
      } else if (u.pathname === "/loop") {
        res.writeHead(302, { location: "/loop" });
        res.end();
      } else if (u.pathname === "/echo") {
        let body = "";
        req.setEncoding("utf8");
        req.on("data", (c: string) => (body += c));
        req.on("end", () => {
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify({ method: req.method, url: req.url, host: req.headers.host, auth: req.headers.authorization ?? null, body, headers: req.headers }));
        });
      } else {
        res.end("not found");
      }
    });
  });
  afterAll(async () => {
    await good.close();
  });
  afterEach(() => {
    victim.requests.length = 0;
    victim.connections = 0;
    good.requests.length = 0;
  });

  const via = (location: string, status = 302) => `http://public.test:${good.port}/to?s=${status}&l=${encodeURIComponent(location)}`;

  it.each([
    "http://127.0.0.1:PORT/admin",
    "http://localhost:PORT/",
    "http://[::1]:PORT/",
    "http://0x7f000001:PORT/",
    "http://rebind.test:PORT/",
    "http://[::ffff:127.0.0.1]:PORT/",
  ])("refuses a redirect to the private target %s; the victim sees nothing", async (template) => {
    for (const status of [301, 302, 303, 307, 308]) {
      const msg = await refusal(tool.execute({ url: via(template.replace("PORT", String(victim.port)), status) }, ctx()));
      expect(msg).toMatch(/^refused: .*loopback address; set tools\.http\.allowPrivateNetwork/);
    }
    expect(good.requests.length).toBe(5);
    expectVictimUntouched();
  });

  it("refuses a redirect to the metadata endpoint, even when private networks are allowed", async () => {
    for (const allow of [false, true]) {
      const msg = await refusal(tool.execute({ url: via("http://169.254.169.254/latest/meta-data/") }, ctx(allow)));
      expect(msg).toBe("refused: 169.254.169.254 is a cloud metadata endpoint, which the http tool never contacts.");
    }
  });

  it("refuses a redirect to file: or gopher:", async () => {
    expect(await refusal(tool.execute({ url: via("file:///etc/passwd") }, ctx()))).toMatch(/not file:/);
    expect(await refusal(tool.execute({ url: via(`gopher://127.0.0.1:${victim.port}/_x`) }, ctx()))).toMatch(/not gopher:/);
    expectVictimUntouched();
  });

  it("follows an allowed redirect and shows the final URL", async () => {
    const out = await tool.execute({ url: via("/echo?x=1") }, ctx());
    expect(out).toMatch(/^HTTP\/1\.1 200 OK\n/);
    expect(out).toContain(`final-url: http://public.test:${good.port}/echo?x=1`);
    expect(out).toContain("content-type: application/json");
    expect(out).toContain(`"host":"public.test:${good.port}"`);
  });

  it("303 and POST-after-302 become a body-less GET; 307 keeps method and body", async () => {
    const a = await tool.execute({ url: via("/echo", 303), method: "POST", body: "data", headers: { "content-type": "text/plain" } }, ctx());
    expect(a).toContain('"method":"GET"');
    expect(a).toContain('"body":""');
    const b = await tool.execute({ url: via("/echo", 302), method: "POST", body: "data" }, ctx());
    expect(b).toContain('"method":"GET"');
    const c = await tool.execute({ url: via("/echo", 307), method: "PUT", body: "data" }, ctx());
    expect(c).toContain('"method":"PUT"');
    expect(c).toContain('"body":"data"');
  });

  it("attack: a 307/308 to another origin does not carry the request body there; control: 303 to another origin follows as a body-less GET", async () => {
    const seen: string[] = [];
    const other = await startServer("127.0.0.2", (req, res) => {
      let data = "";
      req.on("data", (c: Buffer) => (data += c.toString()));
      req.on("end", () => {
        seen.push(`${req.method} ${data}`);
        res.end(`got ${req.method}`);
      });
    });
    try {
      for (const status of [307, 308]) {
        const out = await tool.execute({ url: via(`http://127.0.0.2:${other.port}/collect`, status), method: "POST", body: "client_secret=s3cr3t", headers: { "content-type": "application/x-www-form-urlencoded" } }, ctx());
        expect(out).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
        expect(out).toContain(`location: http://127.0.0.2:${other.port}/collect`);
        expect(out).toMatch(/redirect not followed: .*another origin \(http:\/\/127\.0\.0\.2:\d+\)/);
      }
      expect(seen).toEqual([]);
      const get = await tool.execute({ url: via(`http://127.0.0.2:${other.port}/collect`, 303), method: "POST", body: "client_secret=s3cr3t" }, ctx());
      expect(get).toContain("got GET");
      expect(seen).toEqual(["GET "]);
    } finally {
      await other.close();
    }
  });

  it("caps a redirect loop at 5 redirects", async () => {
    const msg = await refusal(tool.execute({ url: `http://public.test:${good.port}/loop` }, ctx()));
    expect(msg).toBe("refused: stopped after 5 redirects (the last one pointed to /loop).");
    expect(good.requests.length).toBe(6); // the first request plus 5 follows
  });

  it("a cross-origin redirect carries no credential header of any name; the same origin keeps them (control)", async () => {
    const other = await startServer("127.0.0.2", (req, res) => res.end(`got=${JSON.stringify(req.headers)}`));
    const creds = { "X-Api-Key": "k-111", "Private-Token": "p-222", Cookie2: "c-333", "X-Auth-Token": "a-444", "X-Custom-Sig": "s-555", Cookie: "c-666" };
    try {
      const out = await tool.execute({ url: via(`http://127.0.0.2:${other.port}/`), headers: { ...creds, Accept: "text/plain", "Accept-Language": "de" } }, ctx());
      for (const v of Object.values(creds)) expect(out, v).not.toContain(v);
      expect(out).toContain('"accept":"text/plain"');
      expect(out).toContain('"accept-language":"de"');
      expect(out).toContain('"user-agent":"SimpleClaw-http/1"');
      const same = await tool.execute({ url: via("/echo"), headers: creds }, ctx());
      for (const v of Object.values(creds)) expect(same, v).toContain(v);
    } finally {
      await other.close();
    }
  });

  it("drops Authorization when a redirect changes origin", async () => {
    const other = await startServer("127.0.0.2", (req, res) => res.end(`auth=${req.headers.authorization ?? "none"}`));
    try {
      const out = await tool.execute({ url: via(`http://127.0.0.2:${other.port}/`), headers: { Authorization: "Bearer t0ken" } }, ctx());
      expect(out).toContain("auth=none");
      const same = await tool.execute({ url: via("/echo"), headers: { Authorization: "Bearer t0ken" } }, ctx());
      expect(same).toContain('"auth":"Bearer t0ken"');
    } finally {
      await other.close();
    }
  });
});

describe("http tool: limits and rendering", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer("127.0.0.1", (req, res) => {
      const u = new URL(req.url ?? "/", "http://x");
      switch (u.pathname) {
        case "/big": {
          res.setHeader("content-type", "text/plain");
          const chunk = Buffer.alloc(64 * 1024, "a");
          let sent = 0;
          const pump = () => {
            while (sent < 4 * 1024 * 1024) {
              sent += chunk.length;
              if (!res.write(chunk)) return void res.once("drain", pump);
            }
            res.end();
          };
          res.on("error", () => {});
          pump();
          return;
        }
        case "/slow-headers":
          return; // never answers
        case "/slow-body":
          res.writeHead(200, { "content-type": "text/plain" });
          res.write("partial");
          return; // never ends
        case "/binary":
          res.setHeader("content-type", "image/png");
          res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
          return;
        case "/untyped-binary":
          res.end(Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x02, 0x80]));
          return;
        case "/utf8":
          res.setHeader("content-type", "text/html; charset=utf-8");
          res.end("<p>héllo wörld ✓</p>");
          return;
        case "/latin1":
          res.setHeader("content-type", "text/plain; charset=iso-8859-1");
          res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
          return;
        case "/empty":
          res.writeHead(204);
          res.end();
          return;
        default: {
          let body = "";
          req.setEncoding("utf8");
          req.on("data", (c: string) => (body += c));
          req.on("end", () => {
            res.setHeader("content-type", "application/json");
            res.setHeader("x-secret-header", "not shown");
            res.end(JSON.stringify({ method: req.method, ua: req.headers["user-agent"], ct: req.headers["content-type"] ?? null, body }));
          });
        }
      }
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it("allowPrivateNetwork=true reaches the loopback server", async () => {
    const out = await httpTool.execute({ url: `${server.origin}/hello` }, ctx(true));
    const [head, body] = out.split("\n\n");
    expect(head).toBe(`HTTP/1.1 200 OK\ncontent-type: application/json\ncontent-length: ${body!.length}`);
    expect(JSON.parse(body!)).toEqual({ method: "GET", ua: "SimpleClaw-http/1", ct: null, body: "" });
    expect(out).not.toContain("x-secret-header");
  });

  it("sends method, headers and body", async () => {
    const input: HttpInput = { url: `${server.origin}/post`, method: "POST", headers: { "Content-Type": "text/plain", "User-Agent": "me" }, body: "ping ✓" };
    const out = await httpTool.execute(input, ctx(true));
    expect(JSON.parse(out.split("\n\n")[1]!)).toEqual({ method: "POST", ua: "me", ct: "text/plain", body: "ping ✓" });
  });

  it("HEAD returns headers only", async () => {
    const out = await httpTool.execute({ url: `${server.origin}/x`, method: "HEAD" }, ctx(true));
    expect(out).toMatch(/^HTTP\/1\.1 200 OK\ncontent-type: application\/json/);
    expect(out.endsWith("\n\n(empty body)")).toBe(true);
  });

  it("truncates a body larger than the cap (default 1 MiB) with a marker", async () => {
    const out = await httpTool.execute({ url: `${server.origin}/big` }, ctx(true));
    const body = out.split("\n\n")[1]!;
    expect(body.startsWith("a".repeat(1000))).toBe(true);
    expect(body).toContain("\n[truncated: the response body exceeded 1048576 bytes; only the first 1048576 bytes are shown]");
    expect(body.split("\n")[0]!.length).toBe(1024 * 1024);
  });

  it("honours a smaller cap", async () => {
    const tool = createHttpTool({ maxBytes: 10 });
    const out = await tool.execute({ url: `${server.origin}/big` }, ctx(true));
    expect(out.split("\n\n")[1]).toBe("aaaaaaaaaa\n[truncated: the response body exceeded 10 bytes; only the first 10 bytes are shown]");
  });

  it("times out a server that never answers", async () => {
    const tool = createHttpTool({ timeoutMs: 300 });
    const t0 = Date.now();
    const msg = await refusal(tool.execute({ url: `${server.origin}/slow-headers` }, ctx(true)));
    expect(msg).toBe(`request to ${server.origin} timed out after 0.3 s.`);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it("times out a body that never ends", async () => {
    const tool = createHttpTool({ timeoutMs: 300 });
    expect(await refusal(tool.execute({ url: `${server.origin}/slow-body` }, ctx(true)))).toMatch(/timed out after 0\.3 s\.$/);
  });

  it("stops when the run is aborted", async () => {
    const ac = new AbortController();
    const p = httpTool.execute({ url: `${server.origin}/slow-headers` }, ctx(true, ac.signal));
    setTimeout(() => ac.abort(), 50);
    expect(await refusal(p)).toBe("request cancelled.");
    const pre = new AbortController();
    pre.abort();
    expect(await refusal(httpTool.execute({ url: `${server.origin}/` }, ctx(true, pre.signal)))).toBe("request cancelled.");
  });

  it("renders binary content as a byte count", async () => {
    expect((await httpTool.execute({ url: `${server.origin}/binary` }, ctx(true))).split("\n\n")[1]).toBe("<12 bytes of binary content (image/png)>");
    expect((await httpTool.execute({ url: `${server.origin}/untyped-binary` }, ctx(true))).split("\n\n")[1]).toBe("<6 bytes of binary content>");
  });

  it("decodes text in its declared charset", async () => {
    expect(await httpTool.execute({ url: `${server.origin}/utf8` }, ctx(true))).toContain("<p>héllo wörld ✓</p>");
    expect(await httpTool.execute({ url: `${server.origin}/latin1` }, ctx(true))).toContain("café");
  });

  it("shows an empty body", async () => {
    expect(await httpTool.execute({ url: `${server.origin}/empty` }, ctx(true))).toBe("HTTP/1.1 204 No Content\n\n(empty body)");
  });

  it("reports a refused connection in one sentence", async () => {
    const s = await startServer("127.0.0.1", () => {});
    const port = s.port;
    await s.close();
    expect(await refusal(httpTool.execute({ url: `http://127.0.0.1:${port}/` }, ctx(true)))).toBe(`request to http://127.0.0.1:${port} failed: connection refused.`);
  });
});

describe("http tool: IPv6 loopback with allowPrivateNetwork", () => {
  it("reaches [::1] when allowed", async (t) => {
    if (!hasIPv6) t.skip();
    const out = await httpTool.execute({ url: `http://[::1]:${victim.port}/` }, ctx(true));
    expect(out).toContain("SECRET victim data");
    victim.requests.length = 0;
    victim.connections = 0;
  });
});

describe("http tool: https", () => {
  it("dials the pinned IP but sends SNI for the URL host and verifies the certificate", async () => {
    const { generate } = await import("selfsigned");
    const pems = await generate([{ name: "commonName", value: "public.test" }], {
      keyType: "ec",
      curve: "P-256",
      algorithm: "sha256",
      extensions: [{ name: "subjectAltName", altNames: [{ type: 2, value: "public.test" }] }],
    });
    const sni: string[] = [];
    let requests = 0;
    const ctxTls = tls.createSecureContext({ key: pems.private, cert: pems.cert });
    const server = https.createServer(
      {
        key: pems.private,
        cert: pems.cert,
        SNICallback: (name, cb) => {
          sni.push(name);
          cb(null, ctxTls);
        },
      },
      (_req, res) => {
        requests++;
        res.end("tls ok");
      },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.2", () => resolve()));
    const port = (server.address() as AddressInfo).port;
    try {
      const tool = createHttpTool({ lookup: fakeLookup({ "public.test": ["127.0.0.2"] }), exemptAddresses: ["127.0.0.2"] });
      const msg = await refusal(tool.execute({ url: `https://public.test:${port}/` }, ctx()));
      // A self-signed certificate is rejected: verification is on, nothing was sent.
      expect(msg).toBe(`request to https://public.test:${port} failed: its TLS certificate could not be verified (DEPTH_ZERO_SELF_SIGNED_CERT).`);
      expect(sni).toEqual(["public.test"]);
      expect(requests).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
