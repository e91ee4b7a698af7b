import { describe, expect, it } from "vitest";
import { browserHostTrusted, browserRequestAllowed, originAllowed } from "./origin.js";

const HOST = "127.0.0.1:18789";

describe("originAllowed", () => {
  it("allows a non-browser client that sends no Origin", () => {
    expect(originAllowed(undefined, HOST, [])).toBe(true);
    expect(originAllowed(undefined, undefined, [])).toBe(true);
  });

  it("allows the page the gateway itself served (same host:port)", () => {
    expect(originAllowed("http://127.0.0.1:18789", HOST, [])).toBe(true);
    expect(originAllowed("https://127.0.0.1:18789", HOST, [])).toBe(true);
    expect(originAllowed("http://localhost:18789", "localhost:18789", [])).toBe(true);
    expect(originAllowed("http://[::1]:18789", "[::1]:18789", [])).toBe(true);
  });

  it("compares hosts case-insensitively", () => {
    expect(originAllowed("http://LOCALHOST:18789", "localhost:18789", [])).toBe(true);
    expect(originAllowed("http://localhost:18789", "LocalHost:18789", [])).toBe(true);
    expect(originAllowed("HTTP://127.0.0.1:18789", HOST, [])).toBe(true);
  });

  it("refuses another site's page", () => {
    expect(originAllowed("https://evil.example", HOST, [])).toBe(false);
    expect(originAllowed("http://evil.example:18789", HOST, [])).toBe(false);
  });

  it("refuses a different port on the same host", () => {
    expect(originAllowed("http://127.0.0.1:8080", HOST, [])).toBe(false);
    expect(originAllowed("http://127.0.0.1", HOST, [])).toBe(false);
  });

  it("refuses host look-alikes", () => {
    for (const o of [
      "http://127.0.0.1:18789.evil.com",
      "http://127.0.0.1.evil.com:18789",
      "http://evil.com#127.0.0.1:18789",
      "http://127.0.0.1:18789@evil.com",
      "http://evil.com/127.0.0.1:18789",
      "http://evil.com?127.0.0.1:18789",
      "http://xn--127-0-0-1:18789",
    ]) {
      expect(originAllowed(o, HOST, []), o).toBe(false);
    }
  });

  it('refuses the opaque "null" origin and garbage', () => {
    for (const o of ["null", "", " ", "127.0.0.1:18789", "//127.0.0.1:18789", "http://", "not a url"]) {
      expect(originAllowed(o, HOST, []), JSON.stringify(o)).toBe(false);
    }
  });

  it("refuses non-http(s) schemes even with a matching host", () => {
    for (const o of ["file://127.0.0.1:18789", "ws://127.0.0.1:18789", "chrome-extension://abcdef", "javascript://127.0.0.1:18789", "data:text/html,hi"]) {
      expect(originAllowed(o, HOST, []), o).toBe(false);
    }
  });

  it("refuses when there is no Host header to compare with and no allow-list", () => {
    expect(originAllowed("http://127.0.0.1:18789", undefined, [])).toBe(false);
    expect(originAllowed("http://127.0.0.1:18789", "", [])).toBe(false);
  });

  describe("allowedOrigins", () => {
    const allowed = ["https://control.example.com", "http://10.0.0.5:3000/"];

    it("allows listed origins (trailing slash and case do not matter)", () => {
      expect(originAllowed("https://control.example.com", HOST, allowed)).toBe(true);
      expect(originAllowed("https://CONTROL.example.com", HOST, allowed)).toBe(true);
      expect(originAllowed("http://10.0.0.5:3000", HOST, allowed)).toBe(true);
      expect(originAllowed("https://control.example.com", HOST, ["HTTPS://Control.Example.com"])).toBe(true);
    });

    it("treats a default port as the same origin", () => {
      expect(originAllowed("https://control.example.com:443", HOST, allowed)).toBe(true);
    });

    it("refuses a scheme mismatch", () => {
      expect(originAllowed("http://control.example.com", HOST, allowed)).toBe(false);
      expect(originAllowed("https://10.0.0.5:3000", HOST, allowed)).toBe(false);
    });

    it("refuses a port mismatch", () => {
      expect(originAllowed("https://control.example.com:8443", HOST, allowed)).toBe(false);
      expect(originAllowed("http://10.0.0.5:3001", HOST, allowed)).toBe(false);
    });

    it("refuses subdomains, parent domains and suffix tricks", () => {
      for (const o of [
        "https://evil.control.example.com",
        "https://example.com",
        "https://control.example.com.evil.com",
        "https://control.example.comevil.com",
        "https://control-example.com",
      ]) {
        expect(originAllowed(o, HOST, allowed), o).toBe(false);
      }
    });

    it('refuses "null" even when it is listed', () => {
      expect(originAllowed("null", HOST, ["null"])).toBe(false);
    });

    it('"*" allows every origin (the audit flags it)', () => {
      expect(originAllowed("https://evil.example", HOST, ["*"])).toBe(true);
    });
  });
});

describe("DNS rebinding: a browser reaches the gateway only by a name nobody outside can point at it", () => {
  it("attack: a public DNS name re-pointed at 127.0.0.1 (Host and Origin agree) is not same-origin", () => {
    for (const name of ["evil.example", "127.0.0.1.nip.io", "localhost.evil.com", "gateway.example.com"]) {
      expect(originAllowed(`http://${name}:18789`, `${name}:18789`, []), name).toBe(false);
      expect(originAllowed(`http://${name.toUpperCase()}:18789`, `${name}:18789`, []), name).toBe(false);
    }
  });

  it("control: IP literals, localhost, LAN-only names and .ts.net names stay same-origin", () => {
    for (const host of ["127.0.0.1:18789", "[::1]:18789", "localhost:18789", "192.168.1.20:18789", "[fd00::5]:18789", "203.0.113.9:18789", "mypi:18789", "mypi.local:18789", "box.lan:18789", "gw.home.arpa:18789", "gw.tail1234.ts.net"]) {
      expect(originAllowed(`http://${host}`, host, []), host).toBe(true);
    }
  });

  it("attack: a gateway on loopback only does not trust LAN-only names either (anyone on the LAN can answer mDNS/LLMNR for them with 127.0.0.1)", () => {
    for (const host of ["mypi:18789", "evil.local:18789", "box.lan:18789"]) {
      expect(originAllowed(`http://${host}`, host, [], true), host).toBe(false);
      expect(browserRequestAllowed({ host, "sec-fetch-mode": "cors" }, [], true), host).toBe(false);
    }
    // control: loopback names, IPs and a .ts.net name (tailscale serve in front) still work; a listed name too
    for (const host of ["127.0.0.1:18789", "localhost:18789", "[::1]:18789", "gw.tail1234.ts.net"]) {
      expect(originAllowed(`http://${host}`, host, [], true), host).toBe(true);
    }
    expect(originAllowed("http://mypi:18789", "mypi:18789", ["http://mypi:18789"], true)).toBe(true);
  });

  it("control: a DNS name listed in allowedOrigins (a reverse proxy passing its Host on) is same-origin again", () => {
    expect(originAllowed("https://gw.example.com", "gw.example.com", ["https://gw.example.com"])).toBe(true);
    expect(browserHostTrusted("gw.example.com", ["https://gw.example.com"])).toBe(true);
    expect(browserHostTrusted("evil.gw.example.com", ["https://gw.example.com"])).toBe(false);
    expect(browserHostTrusted("gw.example.com.evil.com", ["https://gw.example.com"])).toBe(false);
    expect(browserHostTrusted("anything.example", ["*"])).toBe(true);
  });

  it("attack: an HTTP request a browser sent (Origin or Sec-Fetch-*) under a rebound name is refused; garbage Host too", () => {
    expect(browserRequestAllowed({ host: "evil.example:18789", "sec-fetch-site": "same-origin", "sec-fetch-mode": "cors" }, [])).toBe(false);
    expect(browserRequestAllowed({ host: "evil.example:18789", origin: "http://evil.example:18789" }, [])).toBe(false);
    expect(browserRequestAllowed({ host: "evil.example:18789", "sec-fetch-mode": "navigate" }, [])).toBe(false);
    expect(browserRequestAllowed({ "sec-fetch-mode": "cors" }, [])).toBe(false);
    expect(browserRequestAllowed({ host: "a@evil.example", "sec-fetch-mode": "cors" }, [])).toBe(false);
  });

  it("control: browsers on a trusted name, and clients that are not browsers (no Origin, no Sec-Fetch-*), pass", () => {
    expect(browserRequestAllowed({ host: "127.0.0.1:18789", "sec-fetch-site": "same-origin", "sec-fetch-mode": "cors" }, [])).toBe(true);
    expect(browserRequestAllowed({ host: "localhost:18789", origin: "http://localhost:18789" }, [])).toBe(true);
    expect(browserRequestAllowed({ host: "gw.example.com" }, [])).toBe(true);
    expect(browserRequestAllowed({}, [])).toBe(true);
  });
});
