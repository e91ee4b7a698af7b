import { describe, expect, it } from "vitest";
import { inCidr, parseCidr } from "../net/address.js";
import { clientAddress, ignoredForwarding, parseTrustedProxies, untrustedForwarders } from "./client-address.js";

describe("clientAddress", () => {
  const proxies = parseTrustedProxies(["127.0.0.1", "10.0.0.0/8"]);

  it("without trusted proxies the TCP peer is the client, whatever X-Forwarded-For says", () => {
    expect(clientAddress("198.51.100.1", "203.0.113.9", [])).toBe("198.51.100.1");
    expect(clientAddress("127.0.0.1", "203.0.113.9", [])).toBe("127.0.0.1");
  });

  it("a peer that is not a trusted proxy cannot pick its address with the header", () => {
    expect(clientAddress("198.51.100.1", "203.0.113.9", proxies)).toBe("198.51.100.1");
  });

  it("behind trusted proxies: the rightmost untrusted hop, never a forged hop to its left", () => {
    expect(clientAddress("127.0.0.1", "203.0.113.9", proxies)).toBe("203.0.113.9");
    expect(clientAddress("127.0.0.1", "1.1.1.1, 203.0.113.9, 10.1.2.3", proxies)).toBe("203.0.113.9");
    expect(clientAddress("127.0.0.1", ["1.1.1.1", "203.0.113.9"], proxies)).toBe("203.0.113.9");
    expect(clientAddress("::ffff:127.0.0.1", "2001:db8::5", proxies)).toBe("2001:db8::5");
  });

  it("reads a hop written with its source port as that address (each client behind such a proxy keeps its own lockout)", () => {
    expect(clientAddress("127.0.0.1", "203.0.113.9:51234", proxies)).toBe("203.0.113.9");
    expect(clientAddress("127.0.0.1", "[2001:db8::5]:51234", proxies)).toBe("2001:db8::5");
    expect(clientAddress("127.0.0.1", "[2001:db8::5]", proxies)).toBe("2001:db8::5");
    // a port does not make a made-up hop trusted: the walk still stops at the first untrusted one
    expect(clientAddress("127.0.0.1", "198.51.100.7, 127.0.0.1:8080", proxies)).toBe("198.51.100.7");
  });

  it("fails closed on a malformed hop or a missing header: the last trusted address", () => {
    expect(clientAddress("127.0.0.1", "203.0.113.9:99999999", proxies)).toBe("127.0.0.1");
    expect(clientAddress("127.0.0.1", "[evil]:80", proxies)).toBe("127.0.0.1");
    expect(clientAddress("127.0.0.1", "evil.example, 10.1.2.3", proxies)).toBe("10.1.2.3");
    expect(clientAddress("127.0.0.1", "not an ip", proxies)).toBe("127.0.0.1");
    expect(clientAddress("127.0.0.1", undefined, proxies)).toBe("127.0.0.1");
    expect(clientAddress("127.0.0.1", "", proxies)).toBe("127.0.0.1");
  });
});

describe("ignoredForwarding / untrustedForwarders", () => {
  const proxies = parseTrustedProxies(["127.0.0.1"]);
  it("names the forwarding headers a non-trusted peer sent (they are ignored, so every proxied client is that peer)", () => {
    expect(ignoredForwarding("127.0.0.1", { "x-forwarded-for": "203.0.113.9", forwarded: "for=203.0.113.9", host: "x" }, [])).toEqual(["forwarded", "x-forwarded-for"]);
    expect(ignoredForwarding("198.51.100.1", { "x-real-ip": "203.0.113.9" }, proxies)).toEqual(["x-real-ip"]);
    expect(ignoredForwarding("::ffff:198.51.100.1", { "x-forwarded-proto": "https" }, proxies)).toEqual(["x-forwarded-proto"]);
  });
  it("control: nothing from a trusted proxy, nothing without forwarding headers", () => {
    expect(ignoredForwarding("127.0.0.1", { "x-forwarded-for": "203.0.113.9" }, proxies)).toEqual([]);
    expect(ignoredForwarding("::ffff:127.0.0.1", { "x-forwarded-for": "203.0.113.9" }, proxies)).toEqual([]);
    expect(ignoredForwarding("198.51.100.1", { host: "gw", origin: "https://gw" }, [])).toEqual([]);
  });
  it("untrustedForwarders keeps the peers the current trustedProxies do not cover", () => {
    expect(untrustedForwarders(["127.0.0.1", "10.0.0.5"], proxies)).toEqual(["10.0.0.5"]);
    expect(untrustedForwarders(["127.0.0.1"], [])).toEqual(["127.0.0.1"]);
  });
});

describe("parseCidr / inCidr", () => {
  it("parses addresses and ranges, refuses names and bad prefixes", () => {
    expect(parseCidr("10.0.0.0/8")).toMatchObject({ family: 4, bits: 8 });
    expect(parseCidr("::1")).toMatchObject({ family: 6, bits: 128 });
    for (const bad of ["example.com", "10.0.0.0/33", "::/129", "10.0.0.0/x", ""]) expect(parseCidr(bad), bad).toBeUndefined();
  });
  it("matches by prefix, IPv4-mapped IPv6 as IPv4", () => {
    const r = parseCidr("192.168.0.0/16")!;
    expect(inCidr("192.168.44.1", r)).toBe(true);
    expect(inCidr("::ffff:192.168.1.1", r)).toBe(true);
    expect(inCidr("192.169.0.1", r)).toBe(false);
    expect(inCidr("fd00::1", parseCidr("fd00::/8")!)).toBe(true);
    expect(inCidr("fe00::1", parseCidr("fd00::/8")!)).toBe(false);
    expect(inCidr("10.0.0.1", parseCidr("0.0.0.0/0")!)).toBe(true);
  });
});
