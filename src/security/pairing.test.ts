import { describe, expect, it } from "vitest";
import { CODE_ALPHABET, CODE_TTL_MS, newCode, pairingStep } from "./pairing.js";
import { approvalMayMakeOwner } from "./principal.js";

describe("pairing codes", () => {
  it("are 8 characters from the unambiguous alphabet", () => {
    for (let i = 0; i < 200; i++) {
      const c = newCode();
      expect(c).toMatch(new RegExp(`^[${CODE_ALPHABET}]{8}$`));
      expect(c).not.toMatch(/[01OI]/);
    }
  });

  it("one code per sender per hour, at most 3 pending, expiry frees a slot", () => {
    const t = 1_000_000;
    let reqs = pairingStep([], { id: "a" }, t).requests;
    expect(pairingStep(reqs, { id: "a" }, t + 1000).kind).toBe("pending");
    reqs = pairingStep(reqs, { id: "b" }, t).requests;
    reqs = pairingStep(reqs, { id: "c" }, t).requests;
    expect(pairingStep(reqs, { id: "d" }, t).kind).toBe("full");
    const later = t + CODE_TTL_MS + 1;
    const after = pairingStep(reqs, { id: "d" }, later);
    expect(after.kind).toBe("issued");
    expect(pairingStep(reqs, { id: "a" }, later).kind).toBe("issued");
  });
});

describe("who becomes owner on approval", () => {
  it("only when the channel names no owners", () => {
    expect(approvalMayMakeOwner(undefined)).toBe(true);
    expect(approvalMayMakeOwner({ owners: [] })).toBe(true);
    expect(approvalMayMakeOwner({ owners: ["42"] })).toBe(false);
  });
});
