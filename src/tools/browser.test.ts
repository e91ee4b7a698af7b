// Which refusal an `open` reports: the navigation's own, latest hop first (docs/browser.md).
import { describe, expect, it } from "vitest";
import type { BlockedRequest } from "../browser/guard-proxy.js";
import { navigationBlock } from "./browser.js";

const b = (target: string, by: "route" | "proxy" = "proxy"): BlockedRequest => ({ at: 0, target, reason: `blocked ${target}`, by });

describe("navigationBlock", () => {
  it("names the redirect target, not a request blocked earlier that is not in the chain", () => {
    const blocked = [b("accounts.google.com:443"), b("http://10.0.0.1/bg", "route"), b("http://127.0.0.1:9/secret")];
    expect(navigationBlock(["http://site.test/", "http://127.0.0.1:9/secret"], blocked)?.target).toBe("http://127.0.0.1:9/secret");
  });
  it("an https hop refused as a CONNECT tunnel is matched by host:port (default ports too, IPv6 bracketed)", () => {
    expect(navigationBlock(["http://site.test/", "https://evil.test/x"], [b("other.test:443"), b("evil.test:443")])?.target).toBe("evil.test:443");
    expect(navigationBlock(["https://[::1]:8443/"], [b("[::1]:8443")])?.target).toBe("[::1]:8443");
    // a route refusal is by URL only
    expect(navigationBlock(["https://evil.test/x"], [b("evil.test:443", "route")])).toBeUndefined();
  });
  it("the latest hop wins; nothing in the chain blocked → undefined (never an unrelated refusal)", () => {
    expect(navigationBlock(["http://a.test/", "http://b.test/"], [b("http://a.test/"), b("http://b.test/")])?.target).toBe("http://b.test/");
    expect(navigationBlock(["http://a.test/"], [b("http://c.test/"), b("c.test:443")])).toBeUndefined();
  });
});
