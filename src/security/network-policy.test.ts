import { describe, expect, it } from "vitest";
import { checkUrl, type LookupFn } from "./network-policy.js";
import { classifyAddress, parseLooseIPv4 } from "../net/address.js";
import { ToolError } from "../infra/errors.js";
import { fakeLookup } from "../../test/helpers/dns.js";

// [address, expected category] — every one of these must be blocked by default.
const BLOCKED: Array<[string, string]> = [
  // loopback, every spelling
  ["127.0.0.1", "loopback"],
  ["127.255.255.254", "loopback"],
  ["127.1", "loopback"],
  ["0x7f.1", "loopback"],
  ["0x7f000001", "loopback"],
  ["2130706433", "loopback"],
  ["017700000001", "loopback"],
  ["0177.0.0.1", "loopback"],
  ["0x7f.0x0.0x0.0x1", "loopback"],
  ["127.0.1", "loopback"],
  ["::1", "loopback"],
  ["0:0:0:0:0:0:0:1", "loopback"],
  ["[::1]", "loopback"],
  // unspecified
  ["0.0.0.0", "unspecified"],
  ["0", "unspecified"],
  ["0.1.2.3", "unspecified"],
  ["::", "unspecified"],
  // private
  ["10.0.0.1", "private"],
  ["10.255.255.255", "private"],
  ["172.16.0.1", "private"],
  ["172.31.255.255", "private"],
  ["192.168.1.1", "private"],
  ["012.0.0.1", "private"], // octal 10.0.0.1
  ["0xc0a80101", "private"], // 192.168.1.1
  ["3232235777", "private"], // 192.168.1.1
  ["fc00::1", "unique-local"],
  ["fd12:3456:789a::1", "unique-local"],
  ["fec0::1", "private"],
  ["64:ff9b:1::a00:1", "private"],
  // link-local
  ["169.254.1.1", "link-local"],
  ["fe80::1", "link-local"],
  ["fe80::1%eth0", "link-local"],
  ["febf::1", "link-local"],
  // CGNAT, benchmarking
  ["100.64.0.1", "shared"],
  ["100.127.255.255", "shared"],
  ["198.18.0.1", "benchmarking"],
  ["198.19.255.255", "benchmarking"],
  // cloud metadata
  ["169.254.169.254", "metadata"],
  ["0xa9fea9fe", "metadata"],
  ["2852039166", "metadata"],
  ["169.254.43518", "metadata"],
  ["169.254.170.2", "metadata"],
  ["100.100.100.200", "metadata"],
  ["168.63.129.16", "metadata"],
  ["fd00:ec2::254", "metadata"],
  ["FD00:0EC2:0:0:0:0:0:0254", "metadata"],
  ["::ffff:169.254.169.254", "metadata"],
  ["64:ff9b::a9fe:a9fe", "metadata"],
  // multicast / broadcast / reserved / documentation
  ["224.0.0.1", "multicast"],
  ["239.255.255.250", "multicast"],
  ["255.255.255.255", "broadcast"],
  ["240.0.0.1", "reserved"],
  ["192.0.0.8", "reserved"],
  ["192.88.99.1", "reserved"],
  ["192.0.2.1", "documentation"],
  ["198.51.100.7", "documentation"],
  ["203.0.113.9", "documentation"],
  ["ff02::1", "multicast"],
  ["ff05::1:3", "multicast"],
  ["2001:db8::1", "documentation"],
  ["3fff::1", "documentation"],
  ["2001::1", "reserved"], // Teredo
  ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "reserved"],
  ["100::1", "reserved"], // discard-only
  ["1000::1", "reserved"], // outside 2000::/3
  ["::5db8:d822", "reserved"], // deprecated IPv4-compatible, even embedding a public v4
  // IPv6 forms embedding a non-public IPv4 take the embedded category
  ["::ffff:127.0.0.1", "loopback"],
  ["::ffff:7f00:1", "loopback"],
  ["0:0:0:0:0:ffff:7f00:0001", "loopback"],
  ["[::ffff:127.0.0.1]", "loopback"],
  ["::ffff:10.0.0.1", "private"],
  ["::ffff:0.0.0.0", "unspecified"],
  ["::127.0.0.1", "loopback"],
  ["::7f00:1", "loopback"],
  ["::ffff:0:127.0.0.1", "loopback"], // IPv4-translated
  ["64:ff9b::127.0.0.1", "loopback"],
  ["64:ff9b::7f00:1", "loopback"],
  ["64:ff9b::c0a8:101", "private"],
  ["2002:7f00:1::", "loopback"], // 6to4 of 127.0.0.1
  ["2002:c0a8:0101::1", "private"], // 6to4 of 192.168.1.1
  ["2002:a9fe:a9fe::", "metadata"],
  // not an address at all
  ["localhost", "invalid"],
  ["example.com", "invalid"],
  ["", "invalid"],
  ["1.2.3.4.5", "invalid"],
  ["256.1.1.1", "invalid"],
  ["08.0.0.1", "invalid"],
  ["127.0.0.1 ", "loopback"], // surrounding whitespace is trimmed, not a bypass
  ["::ffff:999.0.0.1", "invalid"],
  ["1::2::3", "invalid"],
];

const PUBLIC: string[] = [
  "93.184.216.34",
  "8.8.8.8",
  "1.1.1.1",
  "1572395042", // 93.184.216.34 in decimal: classified by value
  "100.63.255.255", // just below CGNAT
  "100.128.0.0", // just above CGNAT
  "172.15.255.255",
  "172.32.0.0",
  "169.253.255.255",
  "198.17.255.255",
  "198.20.0.0",
  "223.255.255.255",
  "2606:4700::1111",
  "2606:4700:4700::1111",
  "2001:4860:4860::8888",
  "2a00:1450:4001:82a::200e",
  "::ffff:93.184.216.34",
  "::ffff:5db8:d822",
  "64:ff9b::5db8:d822", // NAT64 of a public address
  "2002:5db8:d822::1", // 6to4 of a public address
];

describe("classifyAddress", () => {
  it.each(BLOCKED)("blocks %s as %s", (ip, category) => {
    const v = classifyAddress(ip);
    expect(v.category).toBe(category);
    expect(v.blocked).toBe(true);
    expect(v.reason).toBeTruthy();
  });

  it.each(PUBLIC)("allows public %s", (ip) => {
    const v = classifyAddress(ip);
    expect(v).toMatchObject({ blocked: false, category: "public" });
    expect(v.reason).toBeUndefined();
  });

  it("allowPrivateNetwork unlocks loopback, private, link-local, CGNAT, ULA — and nothing else", () => {
    const allow = { allowPrivateNetwork: true };
    for (const ip of ["127.0.0.1", "::1", "10.1.2.3", "192.168.0.10", "172.20.0.1", "169.254.10.10", "fe80::1", "100.101.102.103", "fd7a:115c:a1e0::1", "::ffff:127.0.0.1", "2130706433", "198.18.0.5"])
      expect(classifyAddress(ip, allow).blocked, ip).toBe(false);
    for (const ip of ["169.254.169.254", "fd00:ec2::254", "100.100.100.200", "::ffff:169.254.169.254", "0.0.0.0", "::", "224.0.0.1", "255.255.255.255", "240.0.0.1", "192.0.2.1", "2001:db8::1", "not-an-ip"])
      expect(classifyAddress(ip, allow).blocked, ip).toBe(true);
  });

  it("allowPrivateNetwork never unlocks a cloud's instance services, wherever the provider put them", () => {
    const allow = { allowPrivateNetwork: true };
    // AWS Nitro instance services: 169.254.169.0/24 (IMDS .254, DNS .253, NTP .123), 169.254.170.0/24 (ECS .2,
    // EKS Pod Identity .23, which hands out IAM credentials) and fd00:ec2::/32 (the same over IPv6); GCP's IPv6
    // metadata server; OpenStack's IPv6 metadata address; Tencent Cloud's metadata server.
    for (const ip of ["169.254.170.23", "fd00:ec2::23", "169.254.169.253", "169.254.169.123", "fd00:ec2::253", "fd20:ce::254", "fe80::a9fe:a9fe", "fe80::a9fe:a9fe%eth0", "169.254.0.23", "::ffff:169.254.170.23", "64:ff9b::a9fe:aa17"]) {
      const v = classifyAddress(ip, allow);
      expect(v.blocked, ip).toBe(true);
      expect(v.category, ip).toBe("metadata");
    }
    // Positive control: other link-local and ULA addresses (a LAN device, a tailnet) are still the owner's to allow.
    for (const ip of ["169.254.10.10", "169.254.171.1", "fe80::1", "fe80::a9fe:1", "fd00:ec3::23", "fd20:ce::253", "fd7a:115c:a1e0::1"])
      expect(classifyAddress(ip, allow).blocked, ip).toBe(false);
  });

  it("names the embedded address in the reason", () => {
    expect(classifyAddress("::ffff:7f00:1").reason).toBe("an IPv4-mapped IPv6 address embedding 127.0.0.1, a loopback address");
    expect(classifyAddress("2002:c0a8:0101::1").reason).toContain("embedding 192.168.1.1");
    expect(classifyAddress("0x7f.1").reason).toBe("127.0.0.1, a loopback address");
  });

  it("gives canonical spellings", () => {
    expect(classifyAddress("0x7f.1").canonical).toBe("127.0.0.1");
    expect(classifyAddress("0:0:0:0:0:ffff:7f00:0001").canonical).toBe("::ffff:7f00:1");
    expect(classifyAddress("FD00:0EC2:0:0:0:0:0:0254").canonical).toBe("fd00:ec2::254");
    expect(classifyAddress("2606:4700:0:0:0:0:0:1111").canonical).toBe("2606:4700::1111");
  });
});

describe("parseLooseIPv4", () => {
  it.each([
    ["2130706433", "127.0.0.1"],
    ["0x7f.1", "127.0.0.1"],
    ["017700000001", "127.0.0.1"],
    ["127.1", "127.0.0.1"],
    ["127.0.1", "127.0.0.1"],
    ["0x7F000001", "127.0.0.1"],
    ["4294967295", "255.255.255.255"],
  ])("%s → %s", (input, out) => {
    const n = parseLooseIPv4(input);
    expect(n).not.toBeNull();
    expect([n! >>> 24, (n! >>> 16) & 255, (n! >>> 8) & 255, n! & 255].join(".")).toBe(out);
  });

  it.each(["4294967296", "1.2.3.4.5", "256.1", "1.256.1.1", "0x", "abc", "1..2", "09", "99999999999999999999999"])("rejects %s", (input) => {
    if (input === "0x") expect(parseLooseIPv4(input)).toBe(0); // inet_aton reads a bare 0x as 0
    else expect(parseLooseIPv4(input)).toBeNull();
  });
});


const lookup = fakeLookup({
  "public.test": ["93.184.216.34"],
  "v6.test": ["2606:4700::1111", "93.184.216.34"],
  "rebind.test": ["127.0.0.1"],
  localhost: ["127.0.0.1", "::1"],
  "lan.test": ["192.168.1.20"],
  "mixed.test": ["93.184.216.34", "10.0.0.5"],
  "mixed-late.test": ["93.184.216.34", "2606:4700::1111", "::ffff:169.254.169.254"],
  "metadata.google.internal": ["169.254.169.254"],
  "ula.test": ["fd00::5"],
  "empty.test": [],
  "loose.test": ["1572395042"],
  "loose-private.test": ["0x7f.1"],
});

async function refused(url: string, allowPrivateNetwork = false): Promise<string> {
  try {
    await checkUrl(url, { allowPrivateNetwork, lookup });
  } catch (err) {
    expect(err).toBeInstanceOf(ToolError);
    return (err as Error).message;
  }
  throw new Error(`expected ${url} to be refused`);
}

describe("checkUrl", () => {
  it("returns the pinned address for a public host", async () => {
    const r = await checkUrl("https://public.test/a?b=1", { allowPrivateNetwork: false, lookup });
    expect(r).toMatchObject({ hostname: "public.test", address: "93.184.216.34", family: 4 });
    expect(r.url.href).toBe("https://public.test/a?b=1");
    const r6 = await checkUrl("http://v6.test/", { allowPrivateNetwork: false, lookup });
    expect(r6).toMatchObject({ address: "2606:4700::1111", family: 6 });
  });

  it("pins a canonical literal even when the resolver answers in a loose notation", async () => {
    expect(await checkUrl("http://loose.test/", { allowPrivateNetwork: false, lookup })).toMatchObject({ address: "93.184.216.34", family: 4 });
    expect(await refused("http://loose-private.test/")).toMatch(/resolves to 0x7f\.1, 127\.0\.0\.1, a loopback address/);
  });

  it("accepts public IP literals without a lookup", async () => {
    lookup.calls.length = 0;
    expect(await checkUrl("http://93.184.216.34/", { allowPrivateNetwork: false, lookup })).toMatchObject({ address: "93.184.216.34", family: 4 });
    expect(await checkUrl("http://[2606:4700::1111]:8080/", { allowPrivateNetwork: false, lookup })).toMatchObject({
      hostname: "2606:4700::1111",
      address: "2606:4700::1111",
      family: 6,
    });
    expect(lookup.calls).toEqual([]);
  });

  it.each([
    "http://127.0.0.1/",
    "http://127.0.0.1:8080/admin",
    "http://[::1]/",
    "http://0x7f000001/",
    "http://2130706433/",
    "http://017700000001/",
    "http://127.1/",
    "http://0x7f.1/",
    "http://0177.0.0.1/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[0:0:0:0:0:ffff:127.0.0.1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::]/",
    "HTTP://127.0.0.1/",
    "http://127.0.0.1./",
  ])("refuses loopback target %s", async (url) => {
    expect(await refused(url)).toMatch(/^refused: .* loopback address; set tools\.http\.allowPrivateNetwork to reach private networks\.$/);
  });

  it("writes the exact sentence for a literal loopback address", async () => {
    expect(await refused("http://127.0.0.1/")).toBe(
      "refused: 127.0.0.1 is a loopback address; set tools.http.allowPrivateNetwork to reach private networks.",
    );
  });

  it.each(["http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/", "http://2852039166/", "http://metadata.google.internal/computeMetadata/v1/", "http://100.100.100.200/"])(
    "refuses cloud metadata %s, even with allowPrivateNetwork",
    async (url) => {
      expect(await refused(url)).toMatch(/cloud metadata endpoint, which the http tool never contacts\.$/);
      expect(await refused(url, true)).toMatch(/cloud metadata endpoint/);
    },
  );

  it.each(["http://0.0.0.0/", "http://0/", "http://[::]/", "http://10.0.0.1/", "http://192.168.1.1/", "http://172.16.0.1/", "http://100.64.0.1/", "http://[fe80::1]/", "http://[fc00::1]/", "http://224.0.0.1/", "http://255.255.255.255/"])(
    "refuses non-public target %s",
    async (url) => {
      expect(await refused(url)).toMatch(/^refused: /);
    },
  );

  it("refuses a public-looking host name that resolves to a private address", async () => {
    expect(await refused("http://rebind.test/")).toBe(
      "refused: rebind.test resolves to 127.0.0.1, a loopback address; set tools.http.allowPrivateNetwork to reach private networks.",
    );
    expect(await refused("http://ula.test/")).toMatch(/ula\.test resolves to fd00::5, a unique-local/);
  });

  it("refuses when ANY resolved address is blocked, not just the first", async () => {
    expect(await refused("http://mixed.test/")).toMatch(/mixed\.test resolves to 10\.0\.0\.5, a private-network address/);
    expect(await refused("http://mixed-late.test/", true)).toMatch(/cloud metadata endpoint/);
  });

  it("refuses localhost through the real resolver", async () => {
    await expect(checkUrl("http://localhost:1/", { allowPrivateNetwork: false })).rejects.toThrow(/refused: localhost resolves to .*loopback address/);
  });

  it.each(["file:///etc/passwd", "gopher://127.0.0.1:6379/_FLUSHALL", "ftp://public.test/", "data:text/plain,hi", "javascript:alert(1)", "ws://public.test/", "dict://127.0.0.1:11211/"])(
    "refuses the non-http scheme of %s",
    async (url) => {
      expect(await refused(url, true)).toMatch(/^refused: only http and https URLs are allowed, not [a-z]+:\.$/);
    },
  );

  it.each(["http://user:pass@public.test/", "http://user@public.test/", "https://:secret@public.test/", "http://a%40b:c@127.0.0.1/"])(
    "refuses credentials in %s, even with allowPrivateNetwork",
    async (url) => {
      expect(await refused(url, true)).toMatch(/embedded credentials/);
    },
  );

  it("refuses garbage and reports unresolvable hosts", async () => {
    expect(await refused("not a url")).toMatch(/not a valid absolute URL/);
    expect(await refused("/relative/path")).toMatch(/not a valid absolute URL/);
    expect(await refused("http://nowhere.test/")).toBe("could not resolve host nowhere.test (ENOTFOUND).");
    expect(await refused("http://empty.test/")).toBe("could not resolve host empty.test.");
  });

  it("allowPrivateNetwork lets loopback and LAN through", async () => {
    expect(await checkUrl("http://127.0.0.1:9/", { allowPrivateNetwork: true, lookup })).toMatchObject({ address: "127.0.0.1" });
    expect(await checkUrl("http://rebind.test/", { allowPrivateNetwork: true, lookup })).toMatchObject({ address: "127.0.0.1" });
    expect(await checkUrl("http://[::1]/", { allowPrivateNetwork: true, lookup })).toMatchObject({ address: "::1", family: 6 });
  });

  it("exemptAddresses (test-only) exempts exactly the listed address", async () => {
    const opts = { allowPrivateNetwork: false, lookup, exemptAddresses: ["127.0.0.2"] };
    expect(await checkUrl("http://127.0.0.2:80/", opts)).toMatchObject({ address: "127.0.0.2" });
    await expect(checkUrl("http://127.0.0.1/", opts)).rejects.toThrow(/loopback/);
    await expect(checkUrl("http://127.0.0.3/", opts)).rejects.toThrow(/loopback/);
    await expect(checkUrl("http://[::ffff:127.0.0.2]/", opts)).rejects.toThrow(/loopback/);
  });

  describe("the gateway's own port", () => {
    // The gateway listens on 18789 (loopback, and with a LAN bind on 192.168.1.20 too).
    const own = { allowPrivateNetwork: true, lookup, ownPorts: [18789], localAddresses: ["127.0.0.1", "::1", "192.168.1.20", "fe80::1"] };

    it.each([
      "http://127.0.0.1:18789/",
      "http://localhost:18789/#/approvals",
      "http://127.1:18789/",
      "http://2130706433:18789/",
      "http://0x7f.0.0.1:18789/",
      "http://127.0.0.2:18789/",
      "http://[::1]:18789/",
      "http://[::ffff:127.0.0.1]:18789/",
      "http://[::ffff:7f00:1]:18789/",
      "http://0.0.0.0:18789/",
      "http://[::]:18789/",
      "https://127.0.0.1:18789/",
      "http://192.168.1.20:18789/",
      "http://[::ffff:192.168.1.20]:18789/",
      "http://rebind.test:18789/",
      "http://lan.test:18789/",
    ])("%s is refused even with allowPrivateNetwork", async (url) => {
      await expect(checkUrl(url, own)).rejects.toThrow(/the gateway's own port \(its Control UI and API\), which the http tool never contacts/);
    });

    it("is refused before the test-only exemption applies", async () => {
      await expect(checkUrl("http://127.0.0.2:18789/", { ...own, allowPrivateNetwork: false, exemptAddresses: ["127.0.0.2"] })).rejects.toThrow(/gateway's own port/);
    });

    it("the default port counts: a gateway on 443 or 80", async () => {
      await expect(checkUrl("https://localhost/", { ...own, ownPorts: [443] })).rejects.toThrow(/localhost:443 resolves to 127\.0\.0\.1, the gateway's own port/);
      await expect(checkUrl("http://127.0.0.1/", { ...own, ownPorts: [80] })).rejects.toThrow(/127\.0\.0\.1:80 is the gateway's own port/);
    });

    it("positive control: other local ports and other machines on that port still work with allowPrivateNetwork", async () => {
      expect(await checkUrl("http://127.0.0.1:8080/", own)).toMatchObject({ address: "127.0.0.1" });
      expect(await checkUrl("http://192.168.1.21:18789/", own)).toMatchObject({ address: "192.168.1.21" });
      expect(await checkUrl("https://public.test:18789/", own)).toMatchObject({ address: "93.184.216.34" });
      expect(await checkUrl("http://127.0.0.1:18789/", { allowPrivateNetwork: true, lookup })).toMatchObject({ address: "127.0.0.1" });
    });
  });

  it("a DNS lookup is cut short by the abort signal", async () => {
    const ac = new AbortController();
    const hang: LookupFn = () => new Promise(() => {});
    const p = checkUrl("http://slow.test/", { allowPrivateNetwork: false, lookup: hang, signal: ac.signal });
    ac.abort(new Error("stop"));
    await expect(p).rejects.toThrow("stop");
  });
});
