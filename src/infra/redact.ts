// Secret redaction for logs and for anything shown back to a client (config.get): the
// one redactor (docs/security-model.md, "secrets"). By rule, not by a list of keys:
// known secret values are replaced wherever they appear; well-known secret shapes
// (Bearer headers, API keys, bot tokens), credentials inside URLs (user:password@) and
// secret-looking query parameters (?api-key=, ?token=…) are masked in every string;
// values under secret-looking key names, and under key paths a plugin's JSON Schema
// marks secret (writeOnly or format "password"), are masked in objects.

export const REDACTED = "[redacted]";

/**
 * Config/object keys whose values are always secret, read as words (camelCase, snake_case,
 * kebab-case and header spellings alike): the last word names a secret (token, secret,
 * password, passphrase, credentials, cookie, authorization…), or the last two words do
 * (api key, private key, access key, webhook url…). So accessToken, webhookSecret,
 * X-Api-Key, Proxy-Authorization, Set-Cookie and AWS_SECRET_ACCESS_KEY are secrets;
 * maxTokens, tokenCount and passwordMode are not.
 */
const SECRET_LAST = new Set(["token", "secret", "password", "passwd", "pwd", "passphrase", "credential", "credentials", "cookie", "authorization", "apikey", "privatekey", "dsn"]);
const SECRET_BEFORE_KEY = new Set(["api", "private", "access", "secret", "signing", "encryption", "master", "client", "license", "session", "auth", "app", "account", "service"]);

function keyWords(key: string): string[] {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase().split(/[^a-z0-9]+/).filter((w) => w !== "");
}

/**
 * The userinfo of a URL (`user:password@`, `token@`) as the WHATWG URL parser reads it: after
 * `scheme://`, or for the special schemes after `scheme:` and any run of `/` and `\` (the
 * parser takes `https:\\u:p@h`, `https:/u:p@h` and `https:u:p@h` as `https://u:p@h`); it runs
 * to the LAST `@` before the host ends, so a password holding a raw `@` is masked whole.
 */
const URL_USERINFO = /((?:https?|wss?|ftp):[/\\]*|[a-z][a-z0-9+.-]{0,63}:\/\/)[^\s/?#]+@/gi;
/** A run of characters that can sit in a URL's authority (userinfo and host). */
const AUTHORITY_RUN = /[^\s/?#]+/g;
/** The scheme before slashes that join it to a run (`https:` + `//` + `u:p@h`). */
const SCHEME_TAIL = /[a-z0-9+.-]{0,80}:$/i;

/**
 * URL_USERINFO applied in time linear in the text: only to a run of authority characters that
 * holds an `@`, up to its last `@`, with the scheme that slashes join to it. Run over a whole
 * text, the pattern tried every start (each letter, each `http:`) against the rest of the run:
 * 100,000 letters — a long word in a log line or a tool's output — took half a minute.
 * A match never crosses a space, `?`, `#` or a `/` other than those after the scheme, and
 * ends at the last `@` of its run, so the masked text is the same.
 */
function maskUrlUserinfo(s: string): string {
  if (!s.includes("@")) return s;
  let out = "";
  let done = 0;
  for (const m of s.matchAll(AUTHORITY_RUN)) {
    const start = m.index;
    const at = m[0].lastIndexOf("@");
    if (at < 0) continue;
    // The scheme may sit before the run, joined to it by slashes and backslashes (`https:\\/u@h`).
    let from = start;
    let j = start;
    while (j > done && (s[j - 1] === "/" || s[j - 1] === "\\")) j--;
    if (j < start && s[j - 1] === ":") {
      const tail = SCHEME_TAIL.exec(s.slice(Math.max(done, j - 81), j));
      if (tail) from = j - tail[0].length;
    }
    const end = start + at + 1;
    out += s.slice(done, from) + s.slice(from, end).replace(URL_USERINFO, (_m, scheme: string) => `${scheme}${REDACTED}@`);
    done = end;
  }
  return out + s.slice(done);
}
/** A query or fragment parameter (`?`, `&`, `;` or `#` before it): name and value. */
const URL_PARAM = /([?&;#])([^=&;#?\s"']+)=([^&#\s"']+)/g;
/** Parameter names (percent-decoded) whose value is a credential: `api-key`, `access_token`, `X-Amz-Signature`, `auth[token]`… */
const SECRET_PARAM_NAME = /(?:key|token|secret|password|passwd|pwd|signature|sig|auth|credential)s?\]?$/i;

function decodeParamName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, " "));
  } catch {
    return name;
  }
}

/**
 * Secret-named values written out as text, read by the same word rule as object keys
 * (isSecretKey): a JSON member inside a string (`"api_key":"…"`), an assignment
 * (`password=…`, `--token=…`, `AWS_SECRET_ACCESS_KEY=…`) and a header line — a line that starts with the name (`X-Api-Key: …`,
 * `Authorization: Token …`, keeping the scheme word). A dotted path before the name
 * (`gateway.auth.token: expected string`) is a config path in a message, not a header.
 */
const JSON_MEMBER = /("([^"\\\n]{1,80})"\s*:\s*")((?:[^"\\\n]|\\.)+)"/g;
const ASSIGNMENT = /(?<![\w.$])([A-Za-z_][A-Za-z0-9_.-]{0,80})=(?!=|\[redacted\])([^\s"'&;,)\]}]+)/g;
const HEADER_LINE = /^([ \t]*)([A-Za-z][A-Za-z0-9_-]{0,60}):[ \t]+([^\r\n"']+)/gm;

function maskNamedValues(s: string): string {
  let out = s.replace(JSON_MEMBER, (m, head: string, name: string) => (isSecretKey(name) ? `${head}${REDACTED}"` : m));
  out = out.replace(ASSIGNMENT, (m, name: string) => (isSecretKey(name) ? `${name}=${REDACTED}` : m));
  out = out.replace(HEADER_LINE, (m, indent: string, name: string, value: string) => {
    if (!isSecretKey(name)) return m;
    const scheme = /^([A-Za-z][A-Za-z0-9-]*)[ \t]+\S/.exec(value)?.[1];
    return `${indent}${name}: ${scheme ? `${scheme} ` : ""}${REDACTED}`;
  });
  return out;
}

/**
 * The spellings a known secret takes in text: as is, percent-encoded (in a URL) and
 * JSON-escaped (in a log line read raw). Each is masked.
 */
function spellings(secret: string): string[] {
  const out = [secret];
  try {
    out.push(encodeURIComponent(secret));
  } catch {
    // a lone surrogate has no percent-encoding
  }
  out.push(JSON.stringify(secret).slice(1, -1));
  return [...new Set(out)];
}

/**
 * A whole string that is one URL with credentials, masked through the URL parser itself, so
 * what the parser would send (tabs and newlines inside the URL are dropped by it) is what is
 * masked. Other strings are returned as they are.
 */
function maskWholeUrl(s: string): string {
  const t = s.trim();
  // One URL, not a sentence: the parser would take a whole message as a URL with a long path.
  if (!t.includes("@") || !t.includes(":") || /[^\S\t\n]/.test(t)) return s;
  const u = URL.parse(t);
  if (!u || (u.username === "" && u.password === "") || u.host === "") return s;
  return `${u.protocol}//${REDACTED}@${u.host}${u.pathname}${u.search}${u.hash}`;
}

const PATTERNS: RegExp[] = [
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi,
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}/g, // OpenAI / Anthropic API keys
  /(?<!\d)\d{6,12}:[A-Za-z0-9_-]{30,}/g, // Telegram bot tokens (also inside ".../bot<token>/getMe" URLs)
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack tokens
  /\bxapp-[A-Za-z0-9-]{10,}/g,
  /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})/g, // GitHub tokens
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bAIza[0-9A-Za-z_-]{35}/g, // Google API keys
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWTs
  /\b[MNO][A-Za-z\d_-]{23,27}\.[\w-]{6}\.[\w-]{27,}/g, // Discord bot tokens
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, // PEM private keys
];
/** Webhook URLs whose path is the credential (Discord, Slack): the path is masked, the host kept. */
const WEBHOOK_URL = /\b(https:\/\/(?:(?:canary\.|ptb\.)?discord(?:app)?\.com\/api\/webhooks|hooks\.slack\.com\/(?:services|workflows|triggers)))\/[\w/-]+/gi;

export function isSecretKey(key: string): boolean {
  const w = keyWords(key);
  const last = w.at(-1);
  if (last === undefined) return false;
  if (SECRET_LAST.has(last)) return true;
  const before = w.at(-2);
  if (before === undefined) return false;
  return (last === "key" && SECRET_BEFORE_KEY.has(before)) || (before === "webhook" && last === "url");
}

export class Redactor {
  private secrets: string[] = [];

  constructor(secrets: Iterable<string | undefined> = []) {
    this.add(secrets);
  }

  add(secrets: Iterable<string | undefined>): void {
    for (const s of secrets) {
      if (!s || s.length < 4) continue;
      for (const form of spellings(s)) if (!this.secrets.includes(form)) this.secrets.push(form);
    }
    this.secrets.sort((a, b) => b.length - a.length);
  }

  text(s: string): string {
    let out = maskWholeUrl(s);
    for (const secret of this.secrets) out = out.split(secret).join(REDACTED);
    for (const p of PATTERNS) {
      out = out.replace(p, (m, scheme?: string) =>
        typeof scheme === "string" && /^(bearer|basic)$/i.test(scheme) ? `${scheme} ${REDACTED}` : REDACTED,
      );
    }
    out = out.replace(WEBHOOK_URL, (_m, base: string) => `${base}/${REDACTED}`);
    out = maskUrlUserinfo(out);
    out = out.replace(URL_PARAM, (m, sep: string, name: string) => (SECRET_PARAM_NAME.test(decodeParamName(name)) ? `${sep}${name}=${REDACTED}` : m));
    out = maskNamedValues(out);
    return out;
  }

  /**
   * Deep copy with secret-named keys masked and every string scrubbed. `secretPaths` are
   * more key paths to mask whatever their name ("*" matches any key or index), e.g. the
   * fields a plugin's config schema marks secret.
   */
  value<T>(v: T, secretPaths: readonly (readonly string[])[] = []): T {
    return this.walk(v, 0, [], secretPaths) as T;
  }

  private walk(v: unknown, depth: number, path: string[], secretPaths: readonly (readonly string[])[]): unknown {
    if (depth > 20) return "[…]";
    if (typeof v === "string") return this.text(v);
    if (Array.isArray(v)) return v.map((x, i) => this.walk(x, depth + 1, [...path, String(i)], secretPaths));
    if (v instanceof Error) return { name: v.name, message: this.text(v.message) };
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        const here = [...path, k];
        const secret = isSecretKey(k) || secretPaths.some((p) => pathMatches(p, here));
        out[k] = secret && x !== undefined && x !== null && x !== "" ? REDACTED : this.walk(x, depth + 1, here, secretPaths);
      }
      return out;
    }
    return v;
  }
}

function pathMatches(pattern: readonly string[], path: readonly string[]): boolean {
  return pattern.length === path.length && pattern.every((p, i) => p === "*" || p === path[i]);
}

/**
 * Key paths a JSON Schema marks secret: properties with `writeOnly: true` or
 * `format: "password"`, found through `properties`, `items` ("*") and
 * `additionalProperties` ("*"). Pure; the schema is a plugin manifest's configSchema.
 */
export function secretPathsOfJsonSchema(schema: unknown, prefix: readonly string[] = [], depth = 0): string[][] {
  if (depth > 20 || !schema || typeof schema !== "object") return [];
  const s = schema as Record<string, unknown>;
  const out: string[][] = [];
  if (prefix.length > 0 && (s.writeOnly === true || s.format === "password")) out.push([...prefix]);
  if (s.properties && typeof s.properties === "object") {
    for (const [k, sub] of Object.entries(s.properties as Record<string, unknown>)) out.push(...secretPathsOfJsonSchema(sub, [...prefix, k], depth + 1));
  }
  if (s.items && typeof s.items === "object") out.push(...secretPathsOfJsonSchema(s.items, [...prefix, "*"], depth + 1));
  if (s.additionalProperties && typeof s.additionalProperties === "object") out.push(...secretPathsOfJsonSchema(s.additionalProperties, [...prefix, "*"], depth + 1));
  return out;
}
