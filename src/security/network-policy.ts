// SSRF guard for the http tool (SPEC.md §7, group "web"). The model is untrusted: any
// URL it hands us may be aimed at loopback services, the LAN, or a cloud metadata
// endpoint. Two parts:
//   - classifyAddress: a pure verdict on one IP address (every IPv4/IPv6 special range,
//     IPv6 forms that embed an IPv4 address, and the loose inet_aton IPv4 notations).
//   - checkUrl: scheme/credential checks, one DNS resolution, a verdict on EVERY resolved
//     address, and the single address the caller must connect to. Connecting to that
//     pinned address (never resolving the name again) is what defeats DNS rebinding.
import { promises as dns } from "node:dns";
import { isIP, isIPv4, isIPv6 } from "node:net";
import { ToolError } from "../tools/types.js";
import { abortable } from "../infra/abort.js";

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

const REASONS: Record<AddressCategory, string> = {
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

const V4_METADATA = new Set([
  v4("169.254.169.254"), // AWS, GCP, Azure, OpenStack, Oracle, DigitalOcean IMDS
  v4("169.254.170.2"), // AWS ECS task credentials
  v4("100.100.100.200"), // Alibaba Cloud
  v4("168.63.129.16"), // Azure WireServer (a public-looking address)
  v4("192.0.0.192"), // Oracle Cloud (legacy)
]);

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
  if (V4_METADATA.has(n)) return "metadata";
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

const V6_METADATA = ["fd00:ec2::254"].map((s) => parseIPv6(s)!.join(":"));

interface V6Verdict {
  category: AddressCategory;
  /** For forms that embed an IPv4 address: which form, and the embedded address. */
  embedded?: { form: string; v4: number };
}

function categoryV6(h: number[]): V6Verdict {
  const [h0, h1, h2, h3, h4, h5, h6, h7] = h as [number, number, number, number, number, number, number, number];
  const low32 = ((h6 << 16) >>> 0) + h7;
  const zeroTo = (k: number) => h.slice(0, k).every((g) => g === 0);

  if (V6_METADATA.includes(h.join(":"))) return { category: "metadata" };
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
// URLs

export interface LookupAddress {
  address: string;
  family: number;
}

/** Resolve a host name to every address it has. Injected in tests; the default is the OS resolver. */
export type LookupFn = (hostname: string) => Promise<LookupAddress[]>;

export const defaultLookup: LookupFn = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

export interface CheckUrlOptions {
  allowPrivateNetwork: boolean;
  lookup?: LookupFn;
  /** Aborts a slow DNS resolution. */
  signal?: AbortSignal;
  /**
   * INTERNAL, TEST-ONLY: exact IP addresses treated as public. The test suite has no
   * public address to listen on, so it binds a server to 127.0.0.2 and lists that one
   * address here, leaving the guard itself untouched for every other address (e.g. a
   * redirect to 127.0.0.1 is still refused). Not reachable from config or the model.
   */
  exemptAddresses?: readonly string[];
  /** Who is asking, for refusal sentences (default: the http tool and tools.http.allowPrivateNetwork). */
  caller?: { tool: string; privateSetting: string };
}

export interface CheckedUrl {
  url: URL;
  /** Host name as written in the URL, without IPv6 brackets (already normalised by the URL parser). */
  hostname: string;
  /** The checked address to connect to. Connect to this, never resolve hostname again. */
  address: string;
  family: 4 | 6;
}

const HTTP_CALLER = { tool: "http", privateSetting: "tools.http.allowPrivateNetwork" };

function refusal(subject: string, v: AddressVerdict, allowPrivate: boolean, caller = HTTP_CALLER): ToolError {
  const tail =
    v.privateNetwork && !allowPrivate
      ? `; set ${caller.privateSetting} to reach private networks.`
      : `, which the ${caller.tool} tool never contacts.`;
  return new ToolError(`refused: ${subject} ${v.reason ?? REASONS[v.category]}${tail}`);
}

function canonicalOf(ip: string): string | undefined {
  return classifyAddress(ip).canonical;
}


/**
 * Validate a URL the model asked for and pick the address to connect to. Throws a
 * ToolError (one sentence) when the URL is refused or its host cannot be resolved.
 * IPv4 literals in loose notations ("http://0x7f000001/", "http://127.1/") are normalised
 * to dotted quads by the WHATWG URL parser before anything else looks at them.
 */
export async function checkUrl(input: string | URL, opts: CheckUrlOptions): Promise<CheckedUrl> {
  const allowPrivate = opts.allowPrivateNetwork;
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    throw new ToolError(`refused: ${JSON.stringify(String(input).slice(0, 200))} is not a valid absolute URL.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new ToolError(`refused: only http and https URLs are allowed, not ${url.protocol}.`);
  if (url.username !== "" || url.password !== "")
    throw new ToolError("refused: URLs with embedded credentials (user:pass@host) are not allowed; send an Authorization header instead.");

  let hostname = url.hostname;
  if (hostname.startsWith("[") && hostname.endsWith("]")) hostname = hostname.slice(1, -1);
  if (hostname === "") throw new ToolError("refused: the URL has no host.");

  const exempt = new Set((opts.exemptAddresses ?? []).map(canonicalOf).filter((s): s is string => s !== undefined));

  let addresses: LookupAddress[];
  if (isIP(hostname) !== 0) {
    addresses = [{ address: hostname, family: isIP(hostname) }];
  } else {
    // Defense in depth: the URL parser already turns numeric hosts into dotted quads for
    // http(s); a host that still looks numeric would be a parser disagreement, so refuse.
    if (parseLooseIPv4(hostname.replace(/\.$/, "")) !== null)
      throw new ToolError(`refused: ${hostname} is a numeric IPv4 notation; write the address as a dotted quad.`);
    const lookup = opts.lookup ?? defaultLookup;
    try {
      addresses = await abortable(lookup(hostname), opts.signal);
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      const code = (err as { code?: string }).code;
      throw new ToolError(`could not resolve host ${hostname}${code ? ` (${code})` : ""}.`);
    }
    if (addresses.length === 0) throw new ToolError(`could not resolve host ${hostname}.`);
  }

  const isLiteral = isIP(hostname) !== 0;
  for (const a of addresses) {
    const v = classifyAddress(a.address, { allowPrivateNetwork: allowPrivate });
    if (v.canonical !== undefined && exempt.has(v.canonical)) continue;
    if (v.blocked) {
      const subject = isLiteral ? `${hostname} is` : `${hostname} resolves to ${a.address},`;
      throw refusal(subject, v, allowPrivate, opts.caller);
    }
  }

  // Pin a literal the socket layer will not resolve again: a custom lookup could hand back
  // a loose IPv4 spelling ("1572395042") that net.connect would treat as a host name.
  const first = addresses[0]!.address;
  const address = isIP(first) !== 0 ? first : classifyAddress(first).canonical;
  if (address === undefined) throw new ToolError(`refused: ${hostname} resolves to ${first}, which is not a valid IP address.`);
  return { url, hostname, address, family: isIP(address) === 6 ? 6 : 4 };
}
