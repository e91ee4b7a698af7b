// Network (SSRF) policy for the http and browser tools (docs/agents.md, docs/browser.md).
// The model is untrusted: any URL it hands us may be aimed at loopback services, the
// LAN, or a cloud metadata endpoint. checkUrl does the scheme/credential checks, one DNS
// resolution, a verdict on EVERY resolved address (net/address.ts classifies each), and
// picks the single address the caller must connect to. Connecting to that pinned address
// (never resolving the name again) is what defeats DNS rebinding.
import { promises as dns } from "node:dns";
import { isIP } from "node:net";
import { networkInterfaces } from "node:os";
import { ToolError } from "../infra/errors.js";
import { abortable } from "../infra/abort.js";
import { classifyAddress, parseLooseIPv4, REASONS, type AddressVerdict } from "../net/address.js";
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
  /**
   * The ports the gateway itself listens on. A URL on one of them whose address is this
   * machine (loopback, the unspecified address, or an address of one of its interfaces) is
   * refused even with allowPrivateNetwork: see ownGatewayEndpoint.
   */
  ownPorts?: readonly number[];
  /** This machine's interface addresses (default: os.networkInterfaces()); injected in tests. */
  localAddresses?: readonly string[];
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

/** Every address of this machine's network interfaces, canonical. */
export function machineAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.push(a.address);
  return out;
}

/**
 * Whether (address, port) is the gateway's own listener: the port is one the gateway listens on
 * and the address is this machine — loopback, the unspecified address (which connects to this
 * machine) or one of its interface addresses, in any spelling. The agent's tools never talk to
 * their own gateway: with auth mode "none" a loopback page is signed in as the operator, so a
 * steered browser could open the Control UI and approve its own exec requests, pairing and jobs;
 * with a token it would only be guessing. Refused whatever allowPrivateNetwork says.
 */
export function ownGatewayEndpoint(address: string, port: number, ownPorts: readonly number[], localAddresses: readonly string[]): boolean {
  if (!ownPorts.includes(port)) return false;
  const v = classifyAddress(address);
  if (v.category === "loopback" || v.category === "unspecified") return true;
  if (v.canonical === undefined) return true; // not an address we can reason about: fail closed
  // An IPv4 interface address also answers as its IPv4-mapped IPv6 form (::ffff:a.b.c.d).
  return localAddresses.some((a) => canonicalOf(a) === v.canonical || (isIP(a) === 4 && canonicalOf(`::ffff:${a}`) === v.canonical));
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
  const port = url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  const ownPorts = opts.ownPorts ?? [];
  const local = ownPorts.includes(port) ? (opts.localAddresses ?? machineAddresses()) : [];
  for (const a of addresses) {
    // Before the test-only exemption: the gateway's own port is never a destination.
    if (ownGatewayEndpoint(a.address, port, ownPorts, local)) {
      const subject = isLiteral ? `${hostname}:${port} is` : `${hostname}:${port} resolves to ${a.address},`;
      throw new ToolError(`refused: ${subject} the gateway's own port (its Control UI and API), which the ${(opts.caller ?? HTTP_CALLER).tool} tool never contacts.`);
    }
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

// ---------------------------------------------------------------------------
// Redirects: which request headers may follow a redirect to another origin.

/**
 * Headers that say nothing about who the caller is, so they may go to the new origin of a
 * cross-origin redirect. Everything else — Authorization, Cookie, X-Api-Key, Private-Token,
 * X-Auth-Token and any custom header a credential might hide in — is dropped. Body headers
 * follow only when the body does (307/308).
 */
const SAFE_CROSS_ORIGIN_HEADERS = new Set(["accept", "accept-language", "accept-encoding", "user-agent", "cache-control", "pragma"]);
const BODY_HEADERS = new Set(["content-type", "content-language", "content-encoding"]);

/**
 * Whether a request body may follow a redirect (307/308 keep method and body): only to the
 * same origin. A body carries credentials as often as a header does (a token exchange's
 * client_secret, a login form, an API key in JSON), so a redirect to another origin is not
 * followed with it; the caller reports the redirect and the model may send the body there
 * itself, a request of its own that is checked like any other.
 */
export function bodyMayFollowRedirect(from: URL, to: URL): boolean {
  return from.origin === to.origin;
}

/** The headers (lower-case names) to send after a redirect from `from` to `to`. */
export function headersAfterRedirect(headers: Record<string, string>, from: URL, to: URL, bodyKept: boolean): Record<string, string> {
  if (from.origin === to.origin) return { ...headers };
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => {
      const n = name.toLowerCase();
      return SAFE_CROSS_ORIGIN_HEADERS.has(n) || (bodyKept && BODY_HEADERS.has(n));
    }),
  );
}
