// The one address module: every "what kind of address is this?" question in SimpleClaw is
// answered here (docs/architecture.md). It parses any host or IP spelling once — dotted
// quads, the loose inet_aton forms ("127.1", "0x7f000001"), IPv6 with brackets, zone ids
// and embedded IPv4, names with a trailing dot or in upper case — and classifies it.
// Pure: no DNS, no I/O. When a spelling is ambiguous the answer is the safe one: only a
// literal loopback address or the exact name "localhost" counts as loopback.
import { isIPv4, isIPv6 } from "node:net";

export type AddressCategory =
  | "public"
  | "loopback"
  | "private"
  | "link-local"
  | "shared"
  | "benchmarking"
  | "unique-local"
  | "metadata"
  | "unspecified"
  | "multicast"
  | "broadcast"
  | "reserved"
  | "documentation"
  | "invalid";

export interface AddressVerdict {
  blocked: boolean;
  /** Noun phrase for the model, e.g. "a loopback address". Set when not public. */
  reason?: string;
  category: AddressCategory;
  /** True when tools.http.allowPrivateNetwork would permit this address. */
  privateNetwork: boolean;
  /** Canonical spelling of the address (dotted quad, or lower-case IPv6); absent when invalid. */
  canonical?: string;
}

export interface ClassifyOptions {
  allowPrivateNetwork?: boolean;
}

/**
 * Categories that tools.http.allowPrivateNetwork unlocks: the ones a self-hosted user
 * legitimately reaches (their own machine, the LAN, a Tailscale tailnet in 100.64/10).
 * Everything else that is not public stays refused even then. In particular cloud
 * metadata endpoints (169.254.169.254, fd00:ec2::254, 100.100.100.200, ...) are ALWAYS
 * refused: allowPrivateNetwork is meant for home-lab services, and an injected prompt
 * must not be able to read instance credentials on a cloud VM just because the owner
 * wanted to reach a LAN printer. The unspecified address (0.0.0.0, ::), multicast,
 * broadcast, reserved and documentation ranges are never legitimate targets either.
 */
const PRIVATE_NETWORK_CATEGORIES: ReadonlySet<AddressCategory> = new Set([
  "loopback",
  "private",
  "link-local",
  "shared",
  "benchmarking",
  "unique-local",
]);

export const REASONS: Record<AddressCategory, string> = {
  public: "a public address",
  loopback: "a loopback address",
  private: "a private-network address",
  "link-local": "a link-local address",
  shared: "a carrier-grade NAT (100.64.0.0/10) address",
  benchmarking: "a benchmarking-network (198.18.0.0/15) address",
  "unique-local": "a unique-local (private) IPv6 address",
  metadata: "a cloud metadata endpoint",
  unspecified: "the unspecified address",
  multicast: "a multicast address",
  broadcast: "the broadcast address",
  reserved: "a reserved address",
  documentation: "a documentation-only address",
  invalid: "not a valid IP address",
};

// ---------------------------------------------------------------------------
// IPv4

/** Strict dotted quad ("127.0.0.1") → uint32, else null. */
function parseDottedQuad(s: string): number | null {
  if (!isIPv4(s)) return null;
  const p = s.split(".").map(Number);
  return (((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!) >>> 0;
}

/**
 * The loose notations inet_aton(3) (and the WHATWG URL parser) accept: 1 to 4 parts,
 * each decimal, octal (leading 0) or hex (0x); the last part fills the remaining bytes.
 * "2130706433", "0x7f.1", "017700000001", "127.1", "0177.0.0.01" all mean 127.0.0.1.
 */
export function parseLooseIPv4(s: string): number | null {
  if (s.length === 0 || s.length > 64) return null;
  const parts = s.split(".");
  if (parts.length > 4) return null;
  const nums: number[] = [];
  for (const part of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/i.test(part)) n = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]+$/.test(part)) n = parseInt(part, 8);
    else if (/^(0|[1-9][0-9]*)$/.test(part)) n = parseInt(part, 10);
    else return null;
    if (!Number.isSafeInteger(n)) return null;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255)) return null;
  const lastMax = 256 ** (4 - nums.length) - 1;
  if (last > lastMax) return null;
  let value = 0;
  nums.forEach((n, i) => (value += n * 256 ** (3 - i)));
  return (value + last) >>> 0;
}

function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

function v4(s: string): number {
  return parseDottedQuad(s)!;
}

function inV4(n: number, base: number, bits: number): boolean {
  if (bits === 0) return true;
  const shift = 32 - bits;
  return n >>> shift === base >>> shift;
}

/**
 * Where clouds put the services an instance talks to (metadata, credentials, DNS, time): whole
 * ranges where a provider keeps several of them, so a new or less known one in the same block
 * (EKS Pod Identity's 169.254.170.23 next to ECS's 169.254.170.2) is covered too.
 */
const V4_METADATA: Array<[number, number]> = [
  [v4("169.254.169.0"), 24], // AWS (IMDS .254, DNS .253, NTP .123), GCP, Azure, OpenStack, Oracle, DigitalOcean IMDS at .254
  [v4("169.254.170.0"), 24], // AWS container credentials: ECS task role .2, EKS Pod Identity .23
  [v4("169.254.0.23"), 32], // Tencent Cloud metadata
  [v4("100.100.100.200"), 32], // Alibaba Cloud
  [v4("168.63.129.16"), 32], // Azure WireServer (a public-looking address)
  [v4("192.0.0.192"), 32], // Oracle Cloud (legacy)
];

// Order matters only for readability: the ranges do not overlap except where noted.
const V4_RANGES: Array<[number, number, AddressCategory]> = [
  [v4("0.0.0.0"), 8, "unspecified"], // "this network"; 0.0.0.0 connects to localhost on Linux
  [v4("10.0.0.0"), 8, "private"],
  [v4("100.64.0.0"), 10, "shared"], // CGNAT / Tailscale
  [v4("127.0.0.0"), 8, "loopback"],
  [v4("169.254.0.0"), 16, "link-local"],
  [v4("172.16.0.0"), 12, "private"],
  [v4("192.0.0.0"), 24, "reserved"], // IETF protocol assignments
  [v4("192.0.2.0"), 24, "documentation"],
  [v4("192.88.99.0"), 24, "reserved"], // deprecated 6to4 relay anycast
  [v4("192.168.0.0"), 16, "private"],
  [v4("198.18.0.0"), 15, "benchmarking"],
  [v4("198.51.100.0"), 24, "documentation"],
  [v4("203.0.113.0"), 24, "documentation"],
  [v4("224.0.0.0"), 4, "multicast"],
  [v4("255.255.255.255"), 32, "broadcast"],
  [v4("240.0.0.0"), 4, "reserved"],
];

function categoryV4(n: number): AddressCategory {
  if (V4_METADATA.some(([base, bits]) => inV4(n, base, bits))) return "metadata";
  for (const [base, bits, category] of V4_RANGES) if (inV4(n, base, bits)) return category;
  return "public";
}

// ---------------------------------------------------------------------------
// IPv6

/** Any valid IPv6 text form (zone id allowed) → 8 hextets, else null. */
function parseIPv6(input: string): number[] | null {
  let s = input;
  const pct = s.indexOf("%");
  if (pct !== -1) s = s.slice(0, pct);
  if (!isIPv6(s)) return null;
  s = s.toLowerCase();
  const lastColon = s.lastIndexOf(":");
  const tail = s.slice(lastColon + 1);
  if (tail.includes(".")) {
    const n = parseDottedQuad(tail);
    if (n === null) return null;
    s = `${s.slice(0, lastColon + 1)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0;
  if (fill < 0) return null;
  const groups = [...head, ...Array<string>(fill).fill("0"), ...rest];
  if (groups.length !== 8) return null;
  const out = groups.map((g) => parseInt(g, 16));
  return out.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? out : null;
}

/** RFC 5952-ish canonical text (lower case, longest zero run compressed). */
function formatIPv6(h: number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (h[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && h[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = h.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

/** The IPv6 side of the same: [prefix, bits]. */
const V6_METADATA: Array<[number[], number]> = [
  [parseIPv6("fd00:ec2::")!, 32], // AWS Nitro instance services over IPv6 (IMDS ::254, DNS ::253, NTP ::123, EKS Pod Identity ::23)
  [parseIPv6("fd20:ce::254")!, 128], // GCP metadata server over IPv6
  [parseIPv6("fe80::a9fe:a9fe")!, 128], // OpenStack metadata over IPv6 link-local (any zone)
];

function inV6(h: number[], prefix: number[], bits: number): boolean {
  for (let i = 0, left = bits; left > 0; i++, left -= 16) {
    const mask = left >= 16 ? 0xffff : (0xffff << (16 - left)) & 0xffff;
    if ((h[i]! & mask) !== (prefix[i]! & mask)) return false;
  }
  return true;
}

interface V6Verdict {
  category: AddressCategory;
  /** For forms that embed an IPv4 address: which form, and the embedded address. */
  embedded?: { form: string; v4: number };
}

function categoryV6(h: number[]): V6Verdict {
  const [h0, h1, h2, h3, h4, h5, h6, h7] = h as [number, number, number, number, number, number, number, number];
  const low32 = ((h6 << 16) >>> 0) + h7;
  const zeroTo = (k: number) => h.slice(0, k).every((g) => g === 0);

  if (V6_METADATA.some(([prefix, bits]) => inV6(h, prefix, bits))) return { category: "metadata" };
  if (zeroTo(8)) return { category: "unspecified" };
  if (zeroTo(7) && h7 === 1) return { category: "loopback" };
  if (zeroTo(5) && h5 === 0xffff) return { category: "public", embedded: { form: "an IPv4-mapped IPv6 address", v4: low32 } };
  if (zeroTo(6)) return { category: "reserved", embedded: { form: "an IPv4-compatible IPv6 address", v4: low32 } };
  if (zeroTo(4) && h4 === 0xffff && h5 === 0)
    return { category: "public", embedded: { form: "an IPv4-translated IPv6 address", v4: low32 } };
  if (h0 === 0x64 && h1 === 0xff9b && h2 === 0 && h3 === 0 && h4 === 0 && h5 === 0)
    return { category: "public", embedded: { form: "a NAT64 (64:ff9b::/96) address", v4: low32 } };
  if (h0 === 0x64 && h1 === 0xff9b && h2 === 1) return { category: "private" }; // local-use NAT64, RFC 8215
  if (h0 === 0x100 && h1 === 0 && h2 === 0 && h3 === 0) return { category: "reserved" }; // discard-only
  if ((h0 & 0xfe00) === 0xfc00) return { category: "unique-local" }; // fc00::/7
  if ((h0 & 0xffc0) === 0xfe80) return { category: "link-local" }; // fe80::/10
  if ((h0 & 0xffc0) === 0xfec0) return { category: "private" }; // deprecated site-local fec0::/10
  if ((h0 & 0xff00) === 0xff00) return { category: "multicast" };
  if (h0 === 0x2002) return { category: "public", embedded: { form: "a 6to4 (2002::/16) address", v4: ((h1 << 16) >>> 0) + h2 } };
  if (h0 === 0x2001 && h1 === 0xdb8) return { category: "documentation" };
  if ((h0 & 0xfff0) === 0x3ff0) return { category: "documentation" }; // 3fff::/20
  if (h0 === 0x2001 && h1 < 0x200) return { category: "reserved" }; // 2001::/23 incl. Teredo 2001::/32
  if ((h0 & 0xe000) === 0x2000) return { category: "public" }; // global unicast 2000::/3
  return { category: "reserved" }; // everything outside 2000::/3 is not global unicast
}

// ---------------------------------------------------------------------------

function verdict(category: AddressCategory, canonical: string | undefined, allowPrivate: boolean, reason?: string): AddressVerdict {
  const privateNetwork = PRIVATE_NETWORK_CATEGORIES.has(category);
  const blocked = category !== "public" && !(privateNetwork && allowPrivate);
  return {
    blocked,
    category,
    privateNetwork,
    ...(canonical !== undefined ? { canonical } : {}),
    ...(category !== "public" ? { reason: reason ?? REASONS[category] } : {}),
  };
}

/**
 * Pure verdict on one IP address. Accepts canonical IPv4/IPv6 (with optional brackets or
 * zone id) and the loose IPv4 notations (classified by the address they denote). Anything
 * that is not an IP address is blocked as "invalid".
 */
export function classifyAddress(ip: string, opts: ClassifyOptions = {}): AddressVerdict {
  const allowPrivate = opts.allowPrivateNetwork === true;
  let s = ip.trim();
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);

  const quad = parseDottedQuad(s);
  if (quad !== null) return verdict(categoryV4(quad), formatIPv4(quad), allowPrivate);

  const hextets = parseIPv6(s);
  if (hextets !== null) {
    const canonical = formatIPv6(hextets);
    const v6 = categoryV6(hextets);
    if (v6.embedded) {
      const inner = categoryV4(v6.embedded.v4);
      const innerText = formatIPv4(v6.embedded.v4);
      if (inner !== "public")
        return verdict(inner, canonical, allowPrivate, `${v6.embedded.form} embedding ${innerText}, ${REASONS[inner]}`);
      if (v6.category !== "public")
        return verdict(v6.category, canonical, allowPrivate, `${v6.embedded.form} (deprecated; embeds ${innerText})`);
    }
    return verdict(v6.category, canonical, allowPrivate);
  }

  const loose = parseLooseIPv4(s);
  if (loose !== null) {
    const canonical = formatIPv4(loose);
    const category = categoryV4(loose);
    return verdict(category, canonical, allowPrivate, category === "public" ? undefined : `${canonical}, ${REASONS[category]}`);
  }

  return verdict("invalid", undefined, allowPrivate);
}


// ---------------------------------------------------------------------------
// Hosts: any spelling of a host (URL host, Host header without port, bind address,
// socket peer address) parsed once.

export type ParsedHost =
  | { kind: "ip"; canonical: string; family: 4 | 6; category: AddressCategory }
  | { kind: "name"; name: string }
  | { kind: "invalid" };

/**
 * One host spelling → an IP (canonical text and category) or a lower-case DNS name without
 * a trailing dot. Brackets, zone ids, IPv4-mapped forms and the loose IPv4 notations that
 * URL parsers and inet_aton accept ("127.1", "0x7f.1", "2130706433") are all IPs here.
 */
export function parseHost(input: string): ParsedHost {
  let s = input.trim();
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  if (s === "") return { kind: "invalid" };
  const v = classifyAddress(s);
  if (v.category !== "invalid" && v.canonical !== undefined) {
    return { kind: "ip", canonical: v.canonical, family: v.canonical.includes(":") ? 6 : 4, category: v.category };
  }
  const name = s.toLowerCase().replace(/\.$/, "");
  if (!/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(name)) return { kind: "invalid" };
  return { kind: "name", name };
}

/**
 * True for a literal loopback address in any spelling (127.0.0.0/8, ::1, IPv4-mapped
 * loopback) and for the exact name "localhost". Other names — "foo.localhost",
 * "localhost.localdomain", "127.0.0.1.nip.io" — depend on a resolver and are not loopback.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const h = parseHost(host);
  if (h.kind === "ip") return h.category === "loopback";
  return h.kind === "name" && h.name === "localhost";
}

/** Tailscale's address range, 100.64.0.0/10 (IPv4 only: a tailnet's IPv6 range is not used for binding). */
export function isTailnetAddress(host: string): boolean {
  const h = parseHost(host);
  if (h.kind !== "ip" || h.family !== 4) return false;
  const n = parseLooseIPv4(h.canonical)!;
  return inV4(n, v4("100.64.0.0"), 10);
}

/**
 * A host on the owner's own network, not the internet: a private, link-local, CGNAT, ULA
 * or unspecified (0.0.0.0, ::) address, or a dot-less / .local / .lan / .internal /
 * .home.arpa name. Loopback, documentation, reserved and public addresses are not.
 */
export function isLocalNetworkHost(host: string): boolean {
  const h = parseHost(host);
  if (h.kind === "ip") return h.category === "unspecified" || (h.category !== "loopback" && PRIVATE_NETWORK_CATEGORIES.has(h.category));
  if (h.kind !== "name" || h.name === "localhost") return false;
  return !h.name.includes(".") || /\.(local|lan|internal|home\.arpa|localdomain)$/.test(h.name);
}

/** Host part of a Host header ("example.com:8080", "[::1]:18789", "127.0.0.1"), or undefined when malformed. */
export function hostOfHostHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  try {
    const u = new URL(`http://${header}`);
    if (u.username || u.password || u.pathname !== "/" || u.search || u.hash) return undefined;
    return u.hostname;
  } catch {
    return undefined;
  }
}

/**
 * The network a client address belongs to, for limits keyed by "who": all of loopback is
 * one network, an IPv4 address is itself (IPv4-mapped IPv6 counts as IPv4), IPv6 is its /64.
 * An unparseable address is its own key.
 */
export function networkKey(addr: string | undefined): string {
  if (!addr) return "unknown";
  const h = parseHost(addr);
  if (h.kind !== "ip") return `other:${addr}`;
  if (h.category === "loopback") return "loopback";
  if (h.family === 4) return h.canonical;
  const hextets = parseIPv6(h.canonical)!;
  if (hextets.slice(0, 5).every((g) => g === 0) && hextets[5] === 0xffff) return formatIPv4(((hextets[6]! << 16) >>> 0) + hextets[7]!);
  return `${hextets.slice(0, 4).map((g) => g.toString(16)).join(":")}::/64`;
}

// ---------------------------------------------------------------------------
// Ranges: "10.0.0.0/8", "fd00::/8", or a single address (a /32 or /128).

export interface Cidr {
  family: 4 | 6;
  /** 4 bytes (IPv4) or 16 bytes (IPv6) of the network. */
  bytes: number[];
  bits: number;
}

/** An address in canonical form → its bytes, IPv4-mapped IPv6 as IPv4. */
function addressBytes(addr: string): { family: 4 | 6; bytes: number[] } | undefined {
  const h = parseHost(addr);
  if (h.kind !== "ip") return undefined;
  if (h.family === 4) {
    const n = parseLooseIPv4(h.canonical)!;
    return { family: 4, bytes: [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255] };
  }
  const hx = parseIPv6(h.canonical)!;
  if (hx.slice(0, 5).every((g) => g === 0) && hx[5] === 0xffff) return { family: 4, bytes: [hx[6]! >>> 8, hx[6]! & 255, hx[7]! >>> 8, hx[7]! & 255] };
  return { family: 6, bytes: hx.flatMap((g) => [g >>> 8, g & 255]) };
}

/** "addr" or "addr/bits" → a range, or undefined when it is neither (names are not ranges). */
export function parseCidr(spec: string): Cidr | undefined {
  const s = spec.trim();
  const slash = s.lastIndexOf("/");
  const addrPart = slash === -1 ? s : s.slice(0, slash);
  const a = addressBytes(addrPart);
  if (!a) return undefined;
  const max = a.family === 4 ? 32 : 128;
  if (slash === -1) return { ...a, bits: max };
  const bitsText = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > max) return undefined;
  return { ...a, bits };
}

/** Whether `addr` (any spelling) lies inside `range`. A name or invalid address is never inside. */
export function inCidr(addr: string, range: Cidr): boolean {
  const a = addressBytes(addr);
  if (!a || a.family !== range.family) return false;
  let left = range.bits;
  for (let i = 0; left > 0; i++, left -= 8) {
    const mask = left >= 8 ? 0xff : (0xff << (8 - left)) & 0xff;
    if ((a.bytes[i]! & mask) !== (range.bytes[i]! & mask)) return false;
  }
  return true;
}
