import type { NetworkInterfaceInfo } from "node:os";
import { describe, expect, it } from "vitest";
import type { ResolvedAuth } from "./auth.js";
import { effectiveBindMode, exposureProblem, resolveBindHost, type Interfaces } from "./exposure.js";

function v4(address: string, internal = false): NetworkInterfaceInfo {
  return { address, netmask: "255.255.255.0", family: "IPv4", mac: "00:00:00:00:00:00", internal, cidr: `${address}/24` };
}
function v6(address: string): NetworkInterfaceInfo {
  return { address, netmask: "ffff:ffff:ffff:ffff::", family: "IPv6", mac: "00:00:00:00:00:00", internal: false, cidr: `${address}/64`, scopeid: 0 };
}

const plainHost: Interfaces = {
  lo: [v4("127.0.0.1", true)],
  eth0: [v4("192.168.1.20"), v6("fe80::1")],
};

describe("resolveBindHost", () => {
  it("loopback binds 127.0.0.1", () => {
    expect(resolveBindHost("loopback", undefined, plainHost)).toEqual({ ok: true, host: "127.0.0.1" });
  });

  it("lan binds every interface", () => {
    expect(resolveBindHost("lan", undefined, plainHost)).toEqual({ ok: true, host: "0.0.0.0" });
  });

  it("loopback ignores customBindHost", () => {
    expect(resolveBindHost("loopback", "0.0.0.0", plainHost)).toEqual({ ok: true, host: "127.0.0.1" });
  });

  it("tailnet picks the interface's 100.64.0.0/10 address", () => {
    const ifs: Interfaces = { ...plainHost, tailscale0: [v6("fd7a:115c:a1e0::5"), v4("100.101.102.103")] };
    expect(resolveBindHost("tailnet", undefined, ifs)).toEqual({ ok: true, host: "100.101.102.103" });
  });

  it("tailnet refuses when there is no tailnet address (and does not fall back to 0.0.0.0)", () => {
    const r = resolveBindHost("tailnet", undefined, plainHost);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/100\.64\.0\.0\/10/);
  });

  it("tailnet ignores addresses just outside the CGNAT range", () => {
    const ifs: Interfaces = { eth0: [v4("100.63.255.1")], eth1: [v4("100.128.0.1")], eth2: undefined };
    expect(resolveBindHost("tailnet", undefined, ifs).ok).toBe(false);
  });

  it("tailnet with no interfaces at all is refused", () => {
    expect(resolveBindHost("tailnet", undefined, {}).ok).toBe(false);
  });

  it("custom binds the given IP", () => {
    expect(resolveBindHost("custom", "192.168.1.20", plainHost)).toEqual({ ok: true, host: "192.168.1.20" });
    expect(resolveBindHost("custom", "::1", plainHost)).toEqual({ ok: true, host: "::1" });
    expect(resolveBindHost("custom", "localhost", plainHost)).toEqual({ ok: true, host: "localhost" });
  });

  it("custom without a host, or with a hostname, is refused", () => {
    const missing = resolveBindHost("custom", undefined, plainHost);
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.message).toContain("customBindHost");
    for (const h of ["example.com", "127.0.0.1.nip.io", "0.0.0.0 ", "1.2.3.4:80"]) {
      const r = resolveBindHost("custom", h, plainHost);
      expect(r.ok, h).toBe(false);
    }
  });
});

describe("exposureProblem", () => {
  const token: ResolvedAuth = { mode: "token", secret: "a-long-random-token", source: "config" };
  const password: ResolvedAuth = { mode: "password", secret: "correct horse battery", source: "env" };
  const none: ResolvedAuth = { mode: "none", secret: undefined, source: "none" };
  const tokenMissing: ResolvedAuth = { mode: "token", secret: undefined, source: "none" };
  const passwordMissing: ResolvedAuth = { mode: "password", secret: undefined, source: "none" };

  it("allows loopback with any auth, even none", () => {
    for (const host of ["127.0.0.1", "::1", "localhost"]) {
      for (const a of [token, password, none, tokenMissing]) expect(exposureProblem(host, a)).toBeNull();
    }
  });

  it("allows non-loopback hosts with a secret", () => {
    for (const host of ["0.0.0.0", "::", "192.168.1.20", "100.101.102.103"]) {
      expect(exposureProblem(host, token)).toBeNull();
      expect(exposureProblem(host, password)).toBeNull();
    }
  });

  it("refuses non-loopback with auth mode none", () => {
    for (const host of ["0.0.0.0", "::", "192.168.1.20", "100.101.102.103"]) {
      const msg = exposureProblem(host, none);
      expect(msg, host).toMatch(/refusing to listen/);
      expect(msg).toContain(host);
      expect(msg).toContain('"none"');
    }
  });

  it("refuses a password shorter than 12 characters on a non-loopback bind; loopback and long passwords are fine (control)", () => {
    const short: ResolvedAuth = { mode: "password", secret: "hunter2hunt", source: "config" };
    for (const host of ["0.0.0.0", "192.168.1.20"]) expect(exposureProblem(host, short), host).toMatch(/shorter than 12 characters/);
    expect(exposureProblem("127.0.0.1", short)).toBeNull();
    expect(exposureProblem("0.0.0.0", { ...short, secret: "twelve-chars" })).toBeNull();
  });

  it("refuses non-loopback without a secret and says how to set one", () => {
    expect(exposureProblem("0.0.0.0", tokenMissing)).toMatch(/SIMPLECLAW_GATEWAY_TOKEN/);
    expect(exposureProblem("0.0.0.0", passwordMissing)).toMatch(/SIMPLECLAW_GATEWAY_PASSWORD/);
  });
});

describe("effectiveBindMode (SIMPLECLAW_GATEWAY_BIND beats gateway.bind)", () => {
  it("uses the config when the variable is unset or empty", () => {
    expect(effectiveBindMode("loopback", {})).toEqual({ ok: true, mode: "loopback" });
    expect(effectiveBindMode("tailnet", { SIMPLECLAW_GATEWAY_BIND: "" })).toEqual({ ok: true, mode: "tailnet" });
  });

  it("lets the environment pick another mode (containers: lan)", () => {
    expect(effectiveBindMode("loopback", { SIMPLECLAW_GATEWAY_BIND: "lan" })).toEqual({ ok: true, mode: "lan" });
    expect(effectiveBindMode("lan", { SIMPLECLAW_GATEWAY_BIND: " loopback " })).toEqual({ ok: true, mode: "loopback" });
  });

  it("refuses an unknown mode instead of guessing", () => {
    for (const v of ["0.0.0.0", "LAN", "all", "public"]) {
      const r = effectiveBindMode("loopback", { SIMPLECLAW_GATEWAY_BIND: v });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toContain("SIMPLECLAW_GATEWAY_BIND must be one of loopback, lan, tailnet, custom");
    }
  });

  it("does not relax the exposure rule: lan from the environment still needs a secret", () => {
    const r = effectiveBindMode("loopback", { SIMPLECLAW_GATEWAY_BIND: "lan" });
    if (!r.ok) throw new Error("expected ok");
    const bind = resolveBindHost(r.mode, undefined, plainHost);
    if (!bind.ok) throw new Error("expected ok");
    expect(exposureProblem(bind.host, { mode: "none", secret: undefined, source: "none" })).toMatch(/refusing to listen on 0\.0\.0\.0/);
    expect(exposureProblem(bind.host, { mode: "token", secret: undefined, source: "none" })).toMatch(/refusing/);
    expect(exposureProblem(bind.host, { mode: "token", secret: "x".repeat(43), source: "env" })).toBeNull();
  });
});
