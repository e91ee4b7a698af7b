// The `http` tool (docs/agents.md, group "web"): one HTTP(S) request on the model's behalf.
// The model is untrusted, so every hop goes through network-policy's checkUrl and the socket is
// opened to the address that was checked (no second DNS lookup: no DNS rebinding).
// Redirects are followed by hand so each Location is re-checked; time and size are capped.
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { z } from "zod";
import { bodyMayFollowRedirect, checkUrl, headersAfterRedirect, type CheckedUrl, type LookupFn } from "../security/network-policy.js";
import { type ToolContext, type ToolDef } from "./types.js";
import { ToolError } from "../infra/errors.js";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] as const;
type Method = (typeof METHODS)[number];

export interface HttpInput {
  url: string;
  method?: Method;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpToolOptions {
  /** Resolver used for the check; the connection goes to the checked address. Default: OS resolver. */
  lookup?: LookupFn;
  /** Total budget for the whole exchange incl. redirects and body. Default 15 s. */
  timeoutMs?: number;
  /** Response body cap; reading stops there and the result is marked truncated. Default 1 MiB. */
  maxBytes?: number;
  /** Default 5. */
  maxRedirects?: number;
  /** INTERNAL, TEST-ONLY (see security/network-policy CheckUrlOptions.exemptAddresses). Not reachable from config or the model. */
  exemptAddresses?: readonly string[];
}

export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_BYTES = 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 5;

const inputSchema = z.object({
  url: z.string().min(1).max(8192).describe("Absolute http:// or https:// URL."),
  method: z.enum(METHODS).optional().describe("Default GET."),
  headers: z.record(z.string(), z.string()).optional().describe("Extra request headers."),
  body: z.string().optional().describe("Request body (POST, PUT, PATCH, DELETE)."),
});

/** Headers the model may not set: framing/connection control (request smuggling), the
 * target host (it is derived from the checked URL), and anything aimed at a proxy. */
const FORBIDDEN_HEADERS = new Set([
  "host",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "content-length",
  "expect",
  "http2-settings",
]);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function validateHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [rawName, value] of Object.entries(headers ?? {})) {
    const name = rawName.trim().toLowerCase();
    if (!TOKEN.test(name)) throw new ToolError(`refused: ${JSON.stringify(rawName)} is not a valid header name.`);
    if (FORBIDDEN_HEADERS.has(name) || name.startsWith("proxy-"))
      throw new ToolError(`refused: the ${rawName} header cannot be set by the http tool.`);
    if (/[\r\n\0]/.test(value)) throw new ToolError(`refused: the value of header ${rawName} contains a line break or NUL.`);
    out[name] = value;
  }
  return out;
}

interface RawResponse {
  status: number;
  statusText: string;
  httpVersion: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  truncated: boolean;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** One request to the checked address. Reads at most maxBytes of body (none for redirects). */
function send(
  target: CheckedUrl,
  method: Method,
  headers: Record<string, string>,
  body: Buffer | undefined,
  maxBytes: number,
  signal: AbortSignal,
): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    const secure = target.url.protocol === "https:";
    const mod = secure ? https : http;
    let settled = false;
    let req: http.ClientRequest | undefined;
    const finish = (err: unknown, res?: RawResponse) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      if (err) reject(err);
      else resolve(res!);
    };
    const onAbort = () => {
      finish(signal.reason ?? new Error("aborted"));
      req?.destroy();
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });

    const options: https.RequestOptions = {
      // Connect to the address that passed the guard. host is an IP literal, so node does
      // no DNS lookup; the pinned `lookup` below is belt and braces in case it ever did.
      host: target.address,
      family: target.family,
      port: target.url.port ? Number(target.url.port) : secure ? 443 : 80,
      method,
      path: `${target.url.pathname}${target.url.search}`,
      headers: { ...headers, host: target.url.host },
      setHost: false,
      agent: false,
      lookup: ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
        if (opts?.all) cb(null, [{ address: target.address, family: target.family }]);
        else cb(null, target.address, target.family);
      }) as unknown as https.RequestOptions["lookup"],
    };
    // TLS: SNI and certificate verification use the URL's host name, not the IP we dial.
    if (secure && isIP(target.hostname) === 0) options.servername = target.hostname;

    req = mod.request(options, (res) => {
      const status = res.statusCode ?? 0;
      const base = {
        status,
        statusText: res.statusMessage ?? "",
        httpVersion: res.httpVersion,
        headers: res.headers,
      };
      if ((REDIRECT_STATUSES.has(status) && res.headers.location) || method === "HEAD") {
        finish(null, { ...base, body: Buffer.alloc(0), truncated: false });
        res.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        if (settled) return;
        const room = maxBytes - size;
        if (chunk.length > room) {
          if (room > 0) chunks.push(chunk.subarray(0, room));
          size += Math.max(room, 0);
          finish(null, { ...base, body: Buffer.concat(chunks), truncated: true });
          res.destroy();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on("end", () => finish(null, { ...base, body: Buffer.concat(chunks), truncated: false }));
      res.on("error", (err) => finish(err));
      res.on("close", () => {
        if (!res.complete) finish(Object.assign(new Error("the connection closed before the response was complete"), { code: "ECONNRESET" }));
      });
    });
    req.on("error", (err) => finish(err));
    req.end(body);
  });
}

const TEXT_TYPE = /^text\/|json|xml|javascript|ecmascript|x-www-form-urlencoded|csv|yaml|toml|graphql|markdown/;
const BINARY_TYPE = /^(image|audio|video|font|model)\/|octet-stream|pdf|zip|gzip|compress|x-tar|protobuf|wasm|msword|vnd\.ms-|officedocument/;

function renderBody(buf: Buffer, contentType: string | undefined): string {
  if (buf.length === 0) return "(empty body)";
  const ct = (contentType ?? "").toLowerCase();
  const declaredText = TEXT_TYPE.test(ct);
  const binary = `<${buf.length} bytes of binary content${ct ? ` (${ct.split(";")[0]!.trim()})` : ""}>`;
  if (!declaredText && BINARY_TYPE.test(ct)) return binary;
  if (buf.subarray(0, 8192).includes(0)) return binary;
  const charset = /charset\s*=\s*"?([\w.:-]+)/.exec(ct)?.[1];
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset ?? "utf-8", { fatal: !declaredText });
  } catch {
    decoder = new TextDecoder("utf-8", { fatal: !declaredText });
  }
  try {
    // stream: true tolerates a multi-byte character cut off by truncation.
    return decoder.decode(buf, { stream: true });
  } catch {
    return binary;
  }
}

function renderResult(res: RawResponse, finalUrl: string, redirected: boolean, maxBytes: number): string {
  const lines = [`HTTP/${res.httpVersion} ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`];
  if (redirected) lines.push(`final-url: ${finalUrl}`);
  for (const name of ["content-type", "content-length", "location"]) {
    const value = res.headers[name];
    if (value !== undefined) lines.push(`${name}: ${Array.isArray(value) ? value.join(", ") : value}`);
  }
  lines.push("", renderBody(res.body, res.headers["content-type"]));
  if (res.truncated) lines.push(`[truncated: the response body exceeded ${maxBytes} bytes; only the first ${maxBytes} bytes are shown]`);
  return lines.join("\n");
}

function describeNetworkError(err: unknown, url: URL): ToolError {
  const e = err as { code?: string; message?: string };
  const code = e.code ?? "";
  const where = url.origin;
  if (code === "ECONNREFUSED") return new ToolError(`request to ${where} failed: connection refused.`);
  if (code === "ECONNRESET") return new ToolError(`request to ${where} failed: the connection was reset.`);
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return new ToolError(`request to ${where} failed: host unreachable.`);
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code))
    return new ToolError(`request to ${where} failed: its TLS certificate could not be verified (${code}).`);
  if (code === "HPE_HEADER_OVERFLOW") return new ToolError(`request to ${where} failed: the response headers are too large.`);
  const msg = (e.message ?? String(err)).split("\n")[0]!.replace(/\.$/, "");
  return new ToolError(`request to ${where} failed: ${msg}${code && !msg.includes(code) ? ` (${code})` : ""}.`);
}

export function createHttpTool(options: HttpToolOptions = {}): ToolDef<HttpInput> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;

  return {
    name: "http",
    group: "web",
    description:
      "Make one HTTP(S) request (GET by default) and return the status, key headers and the body as text. " +
      "Redirects are followed; private, loopback and cloud-metadata addresses are refused unless the owner allowed private networks.",
    inputSchema,
    async execute(input: HttpInput, ctx: ToolContext): Promise<string> {
      const allowPrivateNetwork = ctx.config.tools.http.allowPrivateNetwork === true;
      let method: Method = input.method ?? "GET";
      let headers = validateHeaders(input.headers);
      if (input.body !== undefined && (method === "GET" || method === "HEAD"))
        throw new ToolError(`refused: a request body cannot be sent with ${method}; use POST, PUT, PATCH or DELETE.`);
      let body = input.body !== undefined ? Buffer.from(input.body, "utf8") : undefined;
      if (!("user-agent" in headers)) headers["user-agent"] = "SimpleClaw-http/1";
      if (!("accept-encoding" in headers)) headers["accept-encoding"] = "identity";

      let timedOut = false;
      const controller = new AbortController();
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort(new Error("timeout"));
      }, timeoutMs);
      const onOuterAbort = () => controller.abort(ctx.signal.reason);
      if (ctx.signal.aborted) onOuterAbort();
      else ctx.signal.addEventListener("abort", onOuterAbort, { once: true });
      const signal = controller.signal;

      let currentUrl = input.url;
      let redirects = 0;
      let target: CheckedUrl | undefined;
      try {
        for (;;) {
          target = await checkUrl(currentUrl, {
            allowPrivateNetwork,
            lookup: options.lookup,
            signal,
            exemptAddresses: options.exemptAddresses,
            ownPorts: ctx.services?.ownPorts,
          });
          if (body !== undefined) headers["content-length"] = String(body.length);
          const res = await send(target, method, headers, body, maxBytes, signal);
          delete headers["content-length"];

          const location = res.headers.location;
          if (!REDIRECT_STATUSES.has(res.status) || !location) {
            return renderResult(res, target.url.href, redirects > 0, maxBytes);
          }
          if (redirects >= maxRedirects)
            throw new ToolError(`refused: stopped after ${maxRedirects} redirects (the last one pointed to ${location}).`);
          let next: URL;
          try {
            next = new URL(location, target.url);
          } catch {
            throw new ToolError(`request to ${target.url.origin} returned an invalid redirect location ${JSON.stringify(location)}.`);
          }
          // Browser semantics: 303 (and 301/302 after POST) turn into a body-less GET.
          if ((res.status === 303 && method !== "HEAD") || ((res.status === 301 || res.status === 302) && method === "POST")) {
            method = "GET";
            body = undefined;
            delete headers["content-type"];
          }
          // A body goes to the origin the model named, never on to another one (security/network-policy.ts).
          if (body !== undefined && !bodyMayFollowRedirect(target.url, next)) {
            return `${renderResult(res, target.url.href, redirects > 0, maxBytes)}\n[redirect not followed: a ${res.status} would send the request body on to another origin (${next.origin}); send the request there yourself if that is intended]`;
          }
          redirects++;
          // Cross-origin: only headers on security/network-policy.ts's safe list follow.
          headers = headersAfterRedirect(headers, target.url, next, body !== undefined);
          currentUrl = next.href;
        }
      } catch (err) {
        if (timedOut) throw new ToolError(`request to ${safeOrigin(currentUrl)} timed out after ${formatSeconds(timeoutMs)}.`);
        if (ctx.signal.aborted) throw new ToolError("request cancelled.");
        if (err instanceof ToolError) throw err;
        throw describeNetworkError(err, target?.url ?? new URL(currentUrl));
      } finally {
        clearTimeout(timer);
        ctx.signal.removeEventListener("abort", onOuterAbort);
      }
    },
  };
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

export const httpTool: ToolDef<HttpInput> = createHttpTool();
