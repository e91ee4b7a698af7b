import { describe, expect, it } from "vitest";
import { AuthRateLimiter } from "./auth.js";
import { authenticateBrowserSession, authenticateSigninCode, BROWSER_SESSION_TTL_MS, browserSessionValid, mayMintSigninCode, mintBrowserSession, SIGNIN_CODE_TTL_MS, SigninCodes } from "./signin-codes.js";

describe("SigninCodes", () => {
  it("a code signs in once", () => {
    const codes = new SigninCodes();
    const { code } = codes.mint();
    expect(codes.redeem(code)).toBe(true);
    expect(codes.redeem(code)).toBe(false);
  });

  it("a code expires within a minute", () => {
    let t = 1_000;
    const codes = new SigninCodes(() => t);
    const { code, expiresAt } = codes.mint();
    expect(expiresAt - t).toBeLessThanOrEqual(60_000);
    t += SIGNIN_CODE_TTL_MS;
    expect(codes.redeem(code)).toBe(false);
  });

  it("an unknown code is refused and counts as a failed sign-in", () => {
    const codes = new SigninCodes();
    const limiter = new AuthRateLimiter({ maxAttempts: 2, windowMs: 60_000, lockoutMs: 60_000, exemptLoopback: false });
    expect(authenticateSigninCode(codes, "guess-1", "10.0.0.5", limiter)).toMatchObject({ ok: false, code: "UNAUTHORIZED" });
    expect(authenticateSigninCode(codes, "guess-2", "10.0.0.5", limiter)).toMatchObject({ ok: false });
    const { code } = codes.mint();
    // Locked out: even a good code waits (and is not spent).
    expect(authenticateSigninCode(codes, code, "10.0.0.5", limiter)).toMatchObject({ ok: false, code: "RATE_LIMITED" });
    expect(authenticateSigninCode(codes, code, "10.0.0.6", limiter)).toEqual({ ok: true });
  });
});

describe("browser sessions (what a sign-in code yields instead of the secret)", () => {
  const secret = "gateway-token-0123456789abcdef";
  const t0 = 1_800_000_000_000;

  it("a minted session signs in until it expires; it never contains the secret", () => {
    const { session, expiresAt } = mintBrowserSession(secret, t0);
    expect(session).not.toContain(secret);
    expect(expiresAt - t0).toBe(BROWSER_SESSION_TTL_MS);
    expect(browserSessionValid(secret, session, t0)).toBe(true);
    expect(browserSessionValid(secret, session, expiresAt - 1)).toBe(true);
    expect(browserSessionValid(secret, session, expiresAt)).toBe(false);
  });

  it("is void once the gateway secret changes", () => {
    const { session } = mintBrowserSession(secret, t0);
    expect(browserSessionValid("rotated-token-0123456789abcdef", session, t0)).toBe(false);
  });

  it("refuses forgeries: a changed expiry, id or MAC, a far-future expiry, junk", () => {
    const { session } = mintBrowserSession(secret, t0);
    const [v, id, exp, mac] = session.split(".");
    const later = String(Number(exp) + 1_000);
    expect(browserSessionValid(secret, [v, id, later, mac].join("."), t0)).toBe(false);
    const otherId = (id![0] === "A" ? "B" : "A") + id!.slice(1);
    expect(browserSessionValid(secret, [v, otherId, exp, mac].join("."), t0)).toBe(false);
    const otherMac = (mac![0] === "A" ? "B" : "A") + mac!.slice(1);
    expect(browserSessionValid(secret, [v, id, exp, otherMac].join("."), t0)).toBe(false);
    // A MAC made with the right secret but an expiry beyond the TTL (a leaked long-lived forgery path) is refused.
    const far = t0 + BROWSER_SESSION_TTL_MS * 10;
    const { session: future } = mintBrowserSession(secret, far - BROWSER_SESSION_TTL_MS);
    expect(browserSessionValid(secret, future, far - BROWSER_SESSION_TTL_MS)).toBe(true);
    expect(browserSessionValid(secret, future, t0)).toBe(false);
    for (const junk of ["", secret, "v1...", `v2.${id}.${exp}.${mac}`, `${session}.x`, session.toUpperCase()]) {
      expect(browserSessionValid(secret, junk, t0), junk).toBe(false);
    }
  });

  it("a bad session counts as a failed sign-in and is rate limited like a token", () => {
    const limiter = new AuthRateLimiter({ maxAttempts: 2, windowMs: 60_000, lockoutMs: 60_000, exemptLoopback: false });
    expect(authenticateBrowserSession(secret, "v1.guess", "10.0.0.5", limiter)).toMatchObject({ ok: false, code: "UNAUTHORIZED" });
    expect(authenticateBrowserSession(secret, "v1.guess2", "10.0.0.5", limiter)).toMatchObject({ ok: false });
    const { session } = mintBrowserSession(secret);
    expect(authenticateBrowserSession(secret, session, "10.0.0.5", limiter)).toMatchObject({ ok: false, code: "RATE_LIMITED" });
    expect(authenticateBrowserSession(secret, session, "10.0.0.6", limiter)).toEqual({ ok: true });
  });
});

describe("mayMintSigninCode", () => {
  it("only a client signed in with the gateway secret mints codes; a code or a session cannot renew itself", () => {
    expect(mayMintSigninCode("secret")).toEqual({ ok: true });
    expect(mayMintSigninCode("session").ok).toBe(false);
    expect(mayMintSigninCode("signin-code").ok).toBe(false);
  });
});
