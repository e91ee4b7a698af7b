import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PairingStore } from "./pairing.js";
import { CODE_TTL_MS, newCode } from "../security/pairing.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const store = () => {
  const d = mkdtempSync(join(tmpdir(), "sc-pair-"));
  dirs.push(d);
  return { dir: join(d, "credentials"), s: new PairingStore(join(d, "credentials")) };
};

describe("PairingStore", () => {
  it("approve moves the sender to allowFrom (600 files, 700 dir); the first approval is the owner", () => {
    const { s, dir } = store();
    const a = s.request("telegram", { id: "42", name: "Ann" });
    const b = s.request("telegram", { id: "43" });
    if (a.kind !== "issued" || b.kind !== "issued") throw new Error("expected codes");
    expect(s.approve("telegram", a.request.code.toLowerCase(), { ownerIfFirst: true })).toMatchObject({ id: "42", owner: true });
    expect(s.approve("telegram", b.request.code, { ownerIfFirst: true })?.owner).toBeUndefined();
    expect(s.approved("telegram").map((x) => x.id)).toEqual(["42", "43"]);
    expect(s.requests("telegram")).toEqual([]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "telegram-allowFrom.json")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "telegram-pairing.json")).mode & 0o777).toBe(0o600);
  });

  it("expired or wrong codes approve nobody; brute-forcing the code space is not a path in", () => {
    const { s } = store();
    const r = s.request("telegram", { id: "42" }, 0);
    if (r.kind !== "issued") throw new Error("expected a code");
    expect(s.approve("telegram", r.request.code, { ownerIfFirst: false }, CODE_TTL_MS + 1)).toBeUndefined();
    const fresh = s.request("telegram", { id: "42" });
    if (fresh.kind !== "issued") throw new Error("expected a code");
    for (let i = 0; i < 500; i++) {
      const guess = newCode();
      if (guess !== fresh.request.code) expect(s.approve("telegram", guess, { ownerIfFirst: false })).toBeUndefined();
    }
    expect(s.approved("telegram")).toEqual([]);
  });

  it("reject and revoke", () => {
    const { s } = store();
    const r = s.request("slack", { id: "U1" });
    if (r.kind !== "issued") throw new Error("expected a code");
    expect(s.reject("slack", r.request.code)?.senderId).toBe("U1");
    expect(s.requests("slack")).toEqual([]);
    const r2 = s.request("slack", { id: "U1" });
    if (r2.kind !== "issued") throw new Error("expected a code");
    s.approve("slack", r2.request.code, { ownerIfFirst: false });
    expect(s.revoke("slack", "U1")).toBe(true);
    expect(s.revoke("slack", "U1")).toBe(false);
    expect(s.approved("slack")).toEqual([]);
  });

  it("refuses channel names that would escape the credentials dir", () => {
    const { s } = store();
    expect(() => s.requests("../../etc")).toThrow(/invalid channel/);
  });
});
