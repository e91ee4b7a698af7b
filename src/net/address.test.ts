import { describe, expect, it } from "vitest";
import { hostOfHostHeader, isLocalNetworkHost, isLoopbackHost, isTailnetAddress, networkKey, parseHost } from "./address.js";

// One table, every spelling: the answers every reader of "is this loopback / local /
// tailnet?" gets (exposure, auth lockout, origin checks, browser CDP policy, devices).
// Where a spelling depends on a resolver, the answer is the safe one (not loopback).
const HOSTS: Array<[spelling: string, loopback: boolean, localNetwork: boolean, tailnet: boolean]> = [
  ["127.0.0.1", true, false, false],
  ["127.1", true, false, false], // inet_aton short form
  ["127.8.9.10", true, false, false],
  ["0x7f.1", true, false, false],
  ["2130706433", true, false, false],
  ["0177.0.0.01", true, false, false],
  ["::1", true, false, false],
  ["[::1]", true, false, false],
  ["0:0:0:0:0:0:0:1", true, false, false],
  ["::ffff:127.0.0.1", true, false, false], // IPv4-mapped loopback
  ["[::ffff:7f00:1]", true, false, false],
  ["localhost", true, false, false],
  ["LOCALHOST", true, false, false],
  ["localhost.", true, false, false],
  [" localhost ", true, false, false],
  ["foo.localhost", false, false, false], // resolver-dependent: not loopback
  ["localhost.localdomain", false, true, false],
  ["localhost.evil.com", false, false, false],
  ["127.0.0.1.nip.io", false, false, false],
  ["0.0.0.0", false, true, false], // unspecified: never loopback (it means "every interface")
  ["::", false, true, false],
  ["[::]", false, true, false],
  ["10.0.0.1", false, true, false],
  ["192.168.1.20", false, true, false],
  ["172.16.0.1", false, true, false],
  ["169.254.1.1", false, true, false],
  ["::ffff:10.0.0.1", false, true, false],
  ["fd00::1", false, true, false],
  ["fe80::1%eth0", false, true, false],
  ["100.64.0.1", false, true, true],
  ["100.100.100.100", false, true, true],
  ["100.127.255.255", false, true, true],
  ["100.63.255.255", false, false, false],
  ["100.128.0.0", false, false, false],
  ["203.0.113.7", false, false, false], // documentation range: not "local network"
  ["8.8.8.8", false, false, false],
  ["2606:4700::1111", false, false, false],
  ["nas", false, true, false],
  ["chrome.local", false, true, false],
  ["box.lan", false, true, false],
  ["example.com", false, false, false],
  ["", false, false, false],
  ["exa mple", false, false, false],
];

describe("net/address: one answer per host spelling", () => {
  it.each(HOSTS)("%j → loopback %s, local network %s, tailnet %s", (h, loopback, local, tailnet) => {
    expect(isLoopbackHost(h)).toBe(loopback);
    expect(isLocalNetworkHost(h)).toBe(local);
    expect(isTailnetAddress(h)).toBe(tailnet);
  });

  it("parses IP spellings to one canonical form and names to lower case without the trailing dot", () => {
    expect(parseHost("127.1")).toMatchObject({ kind: "ip", canonical: "127.0.0.1", family: 4, category: "loopback" });
    expect(parseHost("[0:0::1]")).toMatchObject({ kind: "ip", canonical: "::1", family: 6 });
    expect(parseHost("Example.COM.")).toEqual({ kind: "name", name: "example.com" });
    expect(parseHost("a/b")).toEqual({ kind: "invalid" });
    expect(isLoopbackHost(undefined)).toBe(false);
  });

  it("takes the host out of a Host header and refuses junk", () => {
    expect(hostOfHostHeader("127.0.0.1:18789")).toBe("127.0.0.1");
    expect(hostOfHostHeader("[::1]:18789")).toBe("[::1]");
    expect(hostOfHostHeader("LocalHost")).toBe("localhost");
    expect(hostOfHostHeader("127.1")).toBe("127.0.0.1");
    expect(hostOfHostHeader("evil.com/@127.0.0.1")).toBeUndefined();
    expect(hostOfHostHeader("user@127.0.0.1")).toBeUndefined();
    expect(hostOfHostHeader(undefined)).toBeUndefined();
  });

  it("keys clients by network: all of loopback is one, IPv4 by address, IPv6 by /64", () => {
    expect(networkKey("127.0.0.1")).toBe("loopback");
    expect(networkKey("127.0.3.9")).toBe("loopback");
    expect(networkKey("::1")).toBe("loopback");
    expect(networkKey("::ffff:127.0.0.2")).toBe("loopback");
    expect(networkKey("192.168.1.5")).toBe("192.168.1.5");
    expect(networkKey("::ffff:192.168.1.5")).toBe("192.168.1.5");
    expect(networkKey("2001:db8:1:2:aaaa::1")).toBe(networkKey("2001:db8:1:2:bbbb::9"));
    expect(networkKey("2001:db8:1:2::1")).not.toBe(networkKey("2001:db8:1:3::1"));
  });
});
