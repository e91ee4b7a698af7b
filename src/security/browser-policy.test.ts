import { describe, expect, it } from "vitest";
import { configSchema } from "../config/schema.js";
import { validateConfig } from "../config/io.js";
import {
  describeCdpExposure,
  originDecision,
  schemeDecision,
  tunnelDecision,
  validateCdpUrl,
  type OriginLists,
} from "./browser-policy.js";
import { parseOriginList, parseOriginPattern } from "../net/origin-pattern.js";
import { toolDecision } from "./tool-policy.js";

const lists = (allowed: string[], blocked: string[] = []): OriginLists => ({
  allowed: parseOriginList(allowed).patterns,
  blocked: parseOriginList(blocked).patterns,
});
const u = (s: string) => new URL(s);

describe("parseOriginPattern", () => {
  it("accepts scheme://host[:port] and a leading wildcard", () => {
    expect(parseOriginPattern("https://example.com")).toMatchObject({ scheme: "https", host: "example.com", port: 443, wildcard: false });
    expect(parseOriginPattern("http://127.0.0.1:8080/")).toMatchObject({ scheme: "http", host: "127.0.0.1", port: 8080 });
    expect(parseOriginPattern("https://*.Example.COM")).toMatchObject({ host: "example.com", wildcard: true, port: 443 });
    expect(parseOriginPattern("http://[::1]:3000")).toMatchObject({ host: "::1", port: 3000 });
  });

  it("rejects anything that is not an origin", () => {
    for (const bad of ["example.com", "ftp://example.com", "https://example.com/path", "https://user:pw@example.com", "https://ex*ample.com", "*", "https://*.10.0.0.1", "file:///etc"]) {
      expect(typeof parseOriginPattern(bad), bad).toBe("string");
    }
  });

  it("config validation names a bad entry", () => {
    const r = validateConfig({ browser: { allowedOrigins: ["example.com"] } });
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).toContain("browser.allowedOrigins");
    expect(configSchema.safeParse({ browser: { blockedOrigins: ["https://*.evil.example"] } }).success).toBe(true);
  });
});

describe("originDecision", () => {
  it("allows everything when both lists are empty", () => {
    expect(originDecision(u("https://example.com/x"), lists([]))).toEqual({ allowed: true });
  });

  it("admits only the listed origins when allowedOrigins is set (scheme, host and port must match)", () => {
    const l = lists(["https://example.com", "http://127.0.0.1:8080", "https://*.docs.example"]);
    expect(originDecision(u("https://example.com/a?b"), l).allowed).toBe(true);
    expect(originDecision(u("https://example.com:443/"), l).allowed).toBe(true);
    expect(originDecision(u("wss://example.com/socket"), l).allowed).toBe(true);
    expect(originDecision(u("https://a.b.docs.example/"), l).allowed).toBe(true);
    expect(originDecision(u("http://127.0.0.1:8080/"), l).allowed).toBe(true);
    for (const bad of ["http://example.com/", "https://example.com:8443/", "https://evil.example.com/", "https://docs.example/", "https://example.com.evil.test/", "http://127.0.0.1:8081/", "http://localhost:8080/"]) {
      const d = originDecision(u(bad), l);
      expect(d.allowed, bad).toBe(false);
      if (!d.allowed) expect(d.reason).toContain("browser.allowedOrigins");
    }
  });

  it("blockedOrigins wins over allowedOrigins", () => {
    const l = lists(["https://*.example.com"], ["https://admin.example.com"]);
    const d = originDecision(u("https://admin.example.com/"), l);
    expect(d).toEqual({ allowed: false, reason: 'https://admin.example.com is listed in browser.blockedOrigins ("https://admin.example.com")' });
    expect(originDecision(u("https://www.example.com/"), l).allowed).toBe(true);
  });

  it("a trailing dot or another spelling of the host does not get around the lists", () => {
    // Only a blocklist: everything else is allowed, so a spelling that slips past it gets in.
    const blockedOnly = lists([], ["https://admin.example.com", "https://*.evil.test", "http://10.0.0.5:8080"]);
    for (const bad of ["https://admin.example.com./", "https://ADMIN.EXAMPLE.COM./x", "wss://admin.example.com./socket", "https://a.evil.test./", "http://10.0.0.5.:8080/"]) {
      const d = originDecision(u(bad), blockedOnly);
      expect(d.allowed, bad).toBe(false);
      if (!d.allowed) expect(d.reason, bad).toContain("browser.blockedOrigins");
    }
    expect(tunnelDecision("admin.example.com.", 443, blockedOnly).allowed).toBe(false);
    expect(tunnelDecision("[ADMIN.example.com.]", 443, blockedOnly).allowed).toBe(false);
    expect(tunnelDecision("x.evil.test.", 443, blockedOnly).allowed).toBe(false);
    expect(originDecision(u("https://www.example.com./"), blockedOnly).allowed).toBe(true);
    const l = lists(["https://*.example.com", "http://[::1]:3000"], ["https://admin.example.com"]);
    expect(originDecision(u("https://admin.example.com./"), l).allowed).toBe(false);
    // Positive controls: the same spellings of an allowed host still match, others still do not.
    expect(originDecision(u("https://www.example.com./"), l).allowed).toBe(true);
    expect(originDecision(u("http://[0:0:0:0:0:0:0:1]:3000/"), l).allowed).toBe(true);
    expect(tunnelDecision("0:0::1", 3000, l).allowed).toBe(true);
    expect(tunnelDecision("www.example.com.", 443, l).allowed).toBe(true);
    expect(originDecision(u("https://example.com.evil.test./"), l).allowed).toBe(false);
    expect(parseOriginPattern("https://Example.COM.")).toMatchObject({ host: "example.com" });
  });

  it("tunnels (CONNECT host:port) match on host and port", () => {
    const l = lists(["https://example.com"], ["https://evil.test"]);
    expect(tunnelDecision("example.com", 443, l).allowed).toBe(true);
    expect(tunnelDecision("example.com", 8443, l).allowed).toBe(false);
    expect(tunnelDecision("evil.test", 443, lists([], ["https://evil.test"])).allowed).toBe(false);
    expect(tunnelDecision("other.test", 443, lists([], ["https://evil.test"])).allowed).toBe(true);
  });
});

describe("schemeDecision", () => {
  it("allows http and https only", () => {
    expect(schemeDecision("https://example.com/").allowed).toBe(true);
    expect(schemeDecision("http://example.com/").allowed).toBe(true);
  });

  it.each([
    ["file:///etc/passwd", "file:"],
    ["FILE:///etc/shadow", "file:"],
    ["javascript:alert(document.cookie)", "javascript:"],
    ["chrome://settings", "chrome:"],
    ["chrome://inspect/#devices", "chrome:"],
    ["devtools://devtools/bundled/inspector.html", "devtools:"],
    ["view-source:http://127.0.0.1/", "view-source:"],
    ["data:text/html,<script>fetch('http://169.254.169.254/')</script>", "data:"],
    ["about:blank", "about:"],
    ["ws://127.0.0.1:9222/devtools/browser", "ws:"],
    ["ftp://example.com/", "ftp:"],
    ["blob:https://example.com/uuid", "blob:"],
  ])("refuses %s", (url, scheme) => {
    const d = schemeDecision(url);
    expect(d.allowed).toBe(false);
    if (!d.allowed) expect(d.reason).toContain(scheme);
  });

  it("refuses garbage", () => {
    expect(schemeDecision("not a url").allowed).toBe(false);
  });
});

describe("validateCdpUrl", () => {
  it("accepts loopback or wss endpoints that carry credentials", () => {
    expect(validateCdpUrl("ws://user:pw@127.0.0.1:9222/devtools/browser/abc")).toMatchObject({ ok: true, loopback: true, tls: false });
    expect(validateCdpUrl("wss://browser.example.com/chromium?token=s3cret")).toMatchObject({ ok: true, loopback: false, tls: true });
    expect(validateCdpUrl("https://browser.example.com/?apiKey=k")).toMatchObject({ ok: true, tls: true });
  });

  it.each([
    ["ws://127.0.0.1:9222/devtools/browser/abc", "no credentials"],
    ["http://localhost:9222", "no credentials"],
    ["wss://browser.example.com/", "no credentials"],
    ["wss://browser.example.com/?token=", "no credentials"],
    ["wss://browser.example.com/?page=1", "no credentials"],
    ["ws://user:pw@192.168.1.20:9222/devtools/browser/x", "wss://"],
    ["http://browser.example.com/?token=abc", "wss://"],
    ["wss://user:pw@0.0.0.0:9222/", "unspecified"],
    ["file:///tmp/cdp", "must be a ws://"],
    ["not a url", "not a valid URL"],
  ])("refuses %s", (url, why) => {
    const r = validateCdpUrl(url);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(why);
  });
});

describe("describeCdpExposure", () => {
  const cfg = (browser: Record<string, unknown>, enabled = true) => configSchema.parse({ tools: { browser: { enabled } }, browser });
  const ids = (c: ReturnType<typeof cfg>) => describeCdpExposure(c).findings.map((f) => `${f.checkId}:${f.severity}`).sort();

  it("a launched browser (pipe transport) has nothing to expose", () => {
    expect(describeCdpExposure(cfg({}))).toEqual({ transport: "pipe", usable: true, toolEnabled: true, findings: [] });
  });

  it("flags an unauthenticated LAN endpoint over ws:// three ways", () => {
    expect(ids(cfg({ cdpUrl: "ws://192.168.1.20:9222/devtools/browser/x" }))).toEqual([
      "browser.cdp_non_loopback:critical",
      "browser.control_no_auth:critical",
      "browser.remote_cdp_http:warn",
    ]);
    expect(ids(cfg({ cdpUrl: "http://0.0.0.0:9222" }))).toContain("browser.cdp_non_loopback:critical");
  });

  it("flags a loopback endpoint without credentials (any local process can drive it)", () => {
    const e = describeCdpExposure(cfg({ cdpUrl: "http://127.0.0.1:9222" }));
    expect(e.findings.map((f) => f.checkId)).toEqual(["browser.control_no_auth"]);
    expect(e.usable).toBe(false);
    expect(e.loopback).toBe(true);
  });

  it("accepts a hosted wss endpoint with a token and never shows the token", () => {
    const e = describeCdpExposure(cfg({ cdpUrl: "wss://chrome.example.net/?token=very-secret-token" }, false));
    expect(e).toMatchObject({ transport: "cdp", usable: true, tls: true, hasAuth: true, loopback: false, toolEnabled: false, findings: [] });
    expect(JSON.stringify(e)).not.toContain("very-secret-token");
  });

  it("warns about plain http to a public host even with credentials", () => {
    const e = describeCdpExposure(cfg({ cdpUrl: "http://u:p@chrome.example.net:9222" }));
    expect(e.findings.map((f) => f.checkId)).toEqual(["browser.remote_cdp_http"]);
    expect(e.usable).toBe(false);
    expect(JSON.stringify(e)).not.toContain("u:p@");
  });
});

describe("tool policy for the browser", () => {
  const browser = { name: "browser", group: "web" } as const;
  it("is off by default", () => {
    expect(toolDecision(browser, configSchema.parse({}))).toEqual({ allowed: false, rule: "tools.browser.enabled is false" });
  });
  it("can be denied by name or group even when enabled", () => {
    const on = { browser: { enabled: true } };
    expect(toolDecision(browser, configSchema.parse({ tools: on })).allowed).toBe(true);
    expect(toolDecision(browser, configSchema.parse({ tools: { ...on, deny: ["browser"] } }))).toEqual({ allowed: false, rule: 'tools.deny contains "browser"' });
    expect(toolDecision(browser, configSchema.parse({ tools: { ...on, deny: ["group:web"] } })).allowed).toBe(false);
    expect(toolDecision(browser, configSchema.parse({ tools: on }), { id: "x", tools: { allow: ["group:fs"] } }).allowed).toBe(false);
  });
});
