// Gateway auth, the dashboard path (docs/control-ui.md, "Opening it signed in"): an operator
// already signed in mints a single-use sign-in code (`auth.signin.code`); the browser presents
// it once in its WebSocket connect instead of the token, so the token never rides in a URL.
// The rule: a code is good once, for at most 60 s; a wrong, used or expired code is a failed
// sign-in for the rate limiter like a wrong token.
//
// A redeemed code yields a browser session credential for the tab's reconnects — never the
// gateway secret itself. It is stateless: `v1.<id>.<expiresAt>.<HMAC-SHA256(secret, …)>`, good
// for 12 h, across gateway restarts, and void as soon as the gateway secret changes.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { AuthDecision, AuthRateLimiter } from "./auth.js";

export const SIGNIN_CODE_TTL_MS = 60_000;
/** At most this many codes wait at once (the oldest is dropped): minting cannot grow memory. */
const MAX_OUTSTANDING = 16;

export class SigninCodes {
  private codes = new Map<string, number>();

  constructor(private now: () => number = Date.now) {}

  mint(): { code: string; expiresAt: number } {
    this.sweep();
    while (this.codes.size >= MAX_OUTSTANDING) this.codes.delete(this.codes.keys().next().value!);
    const code = randomBytes(24).toString("base64url");
    const expiresAt = this.now() + SIGNIN_CODE_TTL_MS;
    this.codes.set(code, expiresAt);
    return { code, expiresAt };
  }

  /** True once per minted code, before it expires; the code is gone afterwards either way. */
  redeem(code: string): boolean {
    const expiresAt = this.codes.get(code);
    if (expiresAt === undefined) return false;
    this.codes.delete(code);
    return this.now() < expiresAt;
  }

  private sweep(): void {
    const t = this.now();
    for (const [code, exp] of this.codes) if (exp <= t) this.codes.delete(code);
  }
}

/** The connect-time decision for a presented sign-in code (rate limit first, as for a token). */
export function authenticateSigninCode(codes: SigninCodes, code: string, addr: string, limiter: AuthRateLimiter): AuthDecision {
  const wait = limiter.retryAfter(addr);
  if (wait > 0) {
    return { ok: false, code: "RATE_LIMITED", message: `too many failed attempts from this address; retry in ${Math.ceil(wait / 1000)} s.`, retryAfterMs: wait };
  }
  if (!codes.redeem(code)) {
    limiter.recordFailure(addr);
    return { ok: false, code: "UNAUTHORIZED", message: "the sign-in code is wrong, already used or expired; run `simpleclaw dashboard` again or sign in with the token." };
  }
  limiter.recordSuccess(addr);
  return { ok: true };
}

/** What an operator connection signed in with: the gateway secret (or auth mode none), a sign-in code, or a browser session. */
export type SigninCredential = "secret" | "signin-code" | "session";

/**
 * Whether a connection may mint sign-in codes (`auth.signin.code`): only one that signed in
 * with the gateway secret (or under auth mode none). A code yields a fresh 12 h session, so a
 * connection signed in with a code or a session that could mint one would renew itself for
 * ever: a stolen session would outlive its expiry.
 */
export function mayMintSigninCode(credential: SigninCredential): { ok: true } | { ok: false; reason: string } {
  if (credential === "secret") return { ok: true };
  return {
    ok: false,
    reason: "a Control UI sign-in code can be minted only by a client signed in with the gateway token or password (e.g. `simpleclaw dashboard`), not with a sign-in code or browser session.",
  };
}

export const BROWSER_SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const SESSION_CONTEXT = "simpleclaw-browser-session-v1";

function sessionMac(secret: string, id: string, expiresAt: number): Buffer {
  return createHmac("sha256", secret).update(`${SESSION_CONTEXT}\n${id}\n${expiresAt}`).digest();
}

/** A browser session credential bound to the current gateway secret (operators only). */
export function mintBrowserSession(secret: string, now: number = Date.now()): { session: string; expiresAt: number } {
  const id = randomBytes(16).toString("base64url");
  const expiresAt = now + BROWSER_SESSION_TTL_MS;
  return { session: `v1.${id}.${expiresAt}.${sessionMac(secret, id, expiresAt).toString("base64url")}`, expiresAt };
}

/** True for a session minted with this secret that has not expired (and does not claim to outlive its TTL). */
export function browserSessionValid(secret: string, session: string, now: number = Date.now()): boolean {
  const m = /^v1\.([A-Za-z0-9_-]{22})\.([0-9]{1,15})\.([A-Za-z0-9_-]{43})$/.exec(session);
  if (!m) return false;
  const expiresAt = Number(m[2]);
  if (!(expiresAt > now) || expiresAt > now + BROWSER_SESSION_TTL_MS) return false;
  const given = Buffer.from(m[3]!, "base64url");
  const want = sessionMac(secret, m[1]!, expiresAt);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** The connect-time decision for a presented browser session (rate limit first, as for a token). */
export function authenticateBrowserSession(secret: string, session: string, addr: string, limiter: AuthRateLimiter, now: number = Date.now()): AuthDecision {
  const wait = limiter.retryAfter(addr);
  if (wait > 0) {
    return { ok: false, code: "RATE_LIMITED", message: `too many failed attempts from this address; retry in ${Math.ceil(wait / 1000)} s.`, retryAfterMs: wait };
  }
  if (!browserSessionValid(secret, session, now)) {
    limiter.recordFailure(addr);
    return { ok: false, code: "UNAUTHORIZED", message: "the browser session is invalid or expired (or the gateway token changed); run `simpleclaw dashboard` again or sign in with the token." };
  }
  limiter.recordSuccess(addr);
  return { ok: true };
}
