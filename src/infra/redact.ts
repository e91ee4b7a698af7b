// Secret redaction for logs and for anything shown back to a client (config.get): the
// one redactor (docs/security-model.md, "secrets"). By rule, not by a list of keys:
// known secret values are replaced wherever they appear; well-known secret shapes
// (Bearer headers, API keys, bot tokens), credentials inside URLs (user:password@) and
// secret-looking query parameters (?api-key=, ?token=…) are masked in every string;
// values under secret-looking key names, and under key paths a plugin's JSON Schema
// marks secret (writeOnly or format "password"), are masked in objects.

export const REDACTED = "[redacted]";

/**
 * Config/object keys whose values are always secret: the exact names, and any name that
 * ends in Token / Secret / Password / ApiKey / PrivateKey (accessToken, webhookSecret,
 * refreshToken, dbPassword…). Plural counts such as maxTokens are not secrets.
 */
const SECRET_KEY = /^(token|password|passwd|apikey|api_key|api-key|secret|authorization|cookie|credentials?)$|(token|secret|password|passwd|apikey|api_key|privatekey|private_key)$/i;

/** scheme://user:password@ or scheme://token@ : the userinfo of a URL. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s?#@]+@/gi;
/** Query parameters whose value is a credential. */
const SECRET_QUERY = /([?&;](?:[a-z0-9_-]*(?:key|token|secret|password|passwd|pwd|signature|sig|auth|credential)s?)=)[^&#\s"']+/gi;

const PATTERNS: RegExp[] = [
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi,
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}/g, // OpenAI / Anthropic API keys
  /(?<!\d)\d{6,12}:[A-Za-z0-9_-]{30,}/g, // Telegram bot tokens (also inside ".../bot<token>/getMe" URLs)
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack tokens
  /\bxapp-[A-Za-z0-9-]{10,}/g,
];

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export class Redactor {
  private secrets: string[] = [];

  constructor(secrets: Iterable<string | undefined> = []) {
    this.add(secrets);
  }

  add(secrets: Iterable<string | undefined>): void {
    for (const s of secrets) if (s && s.length >= 4 && !this.secrets.includes(s)) this.secrets.push(s);
    this.secrets.sort((a, b) => b.length - a.length);
  }

  text(s: string): string {
    let out = s;
    for (const secret of this.secrets) out = out.split(secret).join(REDACTED);
    for (const p of PATTERNS) {
      out = out.replace(p, (m, scheme?: string) =>
        typeof scheme === "string" && /^(bearer|basic)$/i.test(scheme) ? `${scheme} ${REDACTED}` : REDACTED,
      );
    }
    out = out.replace(URL_USERINFO, (_m, scheme: string) => `${scheme}${REDACTED}@`);
    out = out.replace(SECRET_QUERY, (_m, name: string) => `${name}${REDACTED}`);
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
