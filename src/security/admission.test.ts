import { describe, expect, it } from "vitest";
import { admitUpgrade, MAX_PENDING_PER_ADDRESS, MAX_PENDING_TOTAL } from "./admission.js";

describe("pre-auth admission", () => {
  it("admits until one address holds the per-address limit, then refuses that address only", () => {
    const pending = Array.from({ length: MAX_PENDING_PER_ADDRESS - 1 }, () => "10.0.0.9");
    expect(admitUpgrade("10.0.0.9", pending)).toEqual({ ok: true });
    pending.push("10.0.0.9");
    expect(admitUpgrade("10.0.0.9", pending)).toMatchObject({ ok: false, status: 429 });
    expect(admitUpgrade("10.0.0.10", pending)).toEqual({ ok: true });
  });

  it("caps the total across addresses (a spread-out flood)", () => {
    const pending = Array.from({ length: MAX_PENDING_TOTAL }, (_, i) => `10.1.${i >> 8}.${i & 255}`);
    expect(admitUpgrade("10.9.9.9", pending)).toMatchObject({ ok: false, status: 503 });
    expect(admitUpgrade("10.9.9.9", pending.slice(1))).toEqual({ ok: true });
  });
});
