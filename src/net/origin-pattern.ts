// Origin patterns as written in config ("https://example.com", "http://127.0.0.1:8080",
// "https://*.example.com"): parsed once here, matched against URLs. Used by the config
// schema (to validate browser.allowedOrigins / blockedOrigins) and the browser policy.

export interface OriginPattern {
  /** The entry as written in the config. */
  source: string;
  scheme: "http" | "https";
  /** Lower-case host (punycode), IPv6 without brackets; for a wildcard, the suffix after "*.". */
  host: string;
  wildcard: boolean;
  port: number;
}

import { parseHost } from "./address.js";

const DEFAULT_PORT = { http: 80, https: 443 } as const;

/**
 * One spelling per host, for patterns and candidates alike: lower case, no brackets, no
 * trailing dot ("accounts.example.com." is the same host to DNS, TLS and the site, so it must
 * meet the same entry), an IP in its canonical form.
 */
function normalHost(h: string): string {
  const p = parseHost(h);
  if (p.kind === "ip") return p.canonical;
  if (p.kind === "name") return p.name;
  return stripBrackets(h).toLowerCase();
}

function stripBrackets(h: string): string {
  return h.startsWith("[") && h.endsWith("]") ? h.slice(1, -1) : h;
}

/** Parse one browser.allowedOrigins / blockedOrigins entry; a string is the reason it is invalid. */
export function parseOriginPattern(entry: string): OriginPattern | string {
  const m = /^(https?):\/\/(\*\.)?([^/?#]+?)\/?$/i.exec(entry.trim());
  if (!m) return `"${entry}" is not an origin; write scheme://host[:port], e.g. "https://example.com" or "https://*.example.com"`;
  const scheme = m[1]!.toLowerCase() as "http" | "https";
  const wildcard = m[2] !== undefined;
  let url: URL;
  try {
    url = new URL(`${scheme}://${m[3]}/`);
  } catch {
    return `"${entry}" is not a valid origin`;
  }
  if (url.username || url.password) return `"${entry}" must not contain credentials`;
  if (url.hostname === "" || url.hostname.includes("*")) return `"${entry}" has an invalid host ("*" is only allowed as a leading "*.")`;
  const host = normalHost(url.hostname);
  if (wildcard && (host.includes(":") || /^[\d.]+$/.test(host))) return `"${entry}": a wildcard needs a domain name, not an IP address`;
  return { source: entry, scheme, host, wildcard, port: url.port ? Number(url.port) : DEFAULT_PORT[scheme] };
}

/** Parse a whole list; throws nothing, returns the valid patterns and the problems. */
export function parseOriginList(entries: readonly string[]): { patterns: OriginPattern[]; errors: string[] } {
  const patterns: OriginPattern[] = [];
  const errors: string[] = [];
  for (const e of entries) {
    const p = parseOriginPattern(e);
    if (typeof p === "string") errors.push(p);
    else patterns.push(p);
  }
  return { patterns, errors };
}

function hostMatches(p: OriginPattern, raw: string): boolean {
  const host = normalHost(raw);
  if (!p.wildcard) return host === p.host;
  return host.endsWith(`.${p.host}`);
}

/** ws:/wss: share the policy of http:/https: (a WebSocket's handshake is an HTTP request). */
function schemeOf(url: URL): "http" | "https" | undefined {
  switch (url.protocol) {
    case "http:":
    case "ws:":
      return "http";
    case "https:":
    case "wss:":
      return "https";
    default:
      return undefined;
  }
}

/** An entry matches a bare host and port (a CONNECT tunnel), whatever its scheme. */
export function hostPortMatches(p: OriginPattern, host: string, port: number): boolean {
  return p.port === port && hostMatches(p, host);
}

export function originMatches(p: OriginPattern, url: URL): boolean {
  const scheme = schemeOf(url);
  if (!scheme || scheme !== p.scheme) return false;
  const port = url.port ? Number(url.port) : DEFAULT_PORT[scheme];
  return port === p.port && hostMatches(p, url.hostname);
}
