import { describe, expect, it } from "vitest";
import { AuthRateLimiter } from "./auth.js";
import { authenticateSigninCode, SIGNIN_CODE_TTL_MS, SigninCodes } from "./signin-codes.js";

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
