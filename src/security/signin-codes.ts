// Gateway auth, the dashboard path (docs/control-ui.md, "Opening it signed in"): an operator
// already signed in mints a single-use sign-in code (`auth.signin.code`); the browser presents
// it once in its WebSocket connect instead of the token, so the token never rides in a URL.
// The rule: a code is good once, for at most 60 s; a wrong, used or expired code is a failed
// sign-in for the rate limiter like a wrong token.
import { randomBytes } from "node:crypto";
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
