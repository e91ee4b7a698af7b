// Secret redaction for logs and for anything shown back to a client (config.get).
// Two layers: known secret values are replaced wherever they appear, and
// well-known secret shapes (Bearer headers, API keys, bot tokens) are masked.

export const REDACTED = "[redacted]";

/** Config/object keys whose values are always secret. */
const SECRET_KEY = /^(token|password|apikey|api_key|secret|botToken|appToken|signingSecret|authorization|privateKey|deviceToken|clientSecret)$/i;

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
    return out;
  }

  /** Deep copy with secret-named keys masked and every string scrubbed. */
  value<T>(v: T): T {
    return this.walk(v, 0) as T;
  }

  private walk(v: unknown, depth: number): unknown {
    if (depth > 20) return "[…]";
    if (typeof v === "string") return this.text(v);
    if (Array.isArray(v)) return v.map((x) => this.walk(x, depth + 1));
    if (v instanceof Error) return { name: v.name, message: this.text(v.message) };
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        out[k] = isSecretKey(k) && x !== undefined && x !== null && x !== "" ? REDACTED : this.walk(x, depth + 1);
      }
      return out;
    }
    return v;
  }
}
