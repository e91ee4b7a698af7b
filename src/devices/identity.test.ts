import { generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { connectMessage, decodeBase64Url, deviceIdFromPublicKey, generateIdentity, MAX_CLOCK_SKEW_MS, signConnect, verifyDeviceProof } from "./identity.js";

const NOW = 1_750_000_000_000;
const nonce = "bm9uY2Utb25l";

describe("device identity", () => {
  it("id is the lowercase hex SHA-256 of the raw 32-byte public key", () => {
    const id = generateIdentity();
    const raw = Buffer.from(id.publicKey, "base64url");
    expect(raw.length).toBe(32);
    expect(id.deviceId).toMatch(/^[0-9a-f]{64}$/);
    expect(id.deviceId).toBe(deviceIdFromPublicKey(raw));
  });

  it("signs exactly the documented message and verifies it", () => {
    const id = generateIdentity();
    expect(connectMessage({ nonce, role: "node", deviceId: "ab", signedAt: 5 })).toBe(`simpleclaw-connect-v1\n${nonce}\nnode\nab\n5`);
    const proof = signConnect(id, { nonce, role: "node", signedAt: NOW });
    expect(verifyDeviceProof(proof, { nonce, role: "node", now: NOW })).toEqual({ ok: true, deviceId: id.deviceId, publicKey: id.publicKey });
  });

  it("strict base64url: padding, standard alphabet and non-canonical encodings are refused", () => {
    expect(decodeBase64Url("AAE")).toEqual(Buffer.from([0, 1]));
    expect(decodeBase64Url("AAE=")).toBeUndefined();
    expect(decodeBase64Url("AA+/")).toBeUndefined();
    expect(decodeBase64Url("AAF")).toBeUndefined(); // decodes to the same bytes as AAE
    expect(decodeBase64Url("")).toBeUndefined();
  });
});

describe("verifyDeviceProof refuses attacks", () => {
  const id = generateIdentity();
  const good = signConnect(id, { nonce, role: "node", signedAt: NOW });
  const check = (p: typeof good, o: Partial<{ nonce: string; role: "node" | "operator"; now: number }> = {}) =>
    verifyDeviceProof(p, { nonce, role: "node", now: NOW, ...o });

  it("a signature over another challenge (replay onto a new connection)", () => {
    expect(check(good, { nonce: "b3RoZXItbm9uY2U" })).toMatchObject({ ok: false, reason: expect.stringMatching(/does not verify/) });
  });

  it("a signature made for role node presented as operator", () => {
    expect(check(good, { role: "operator" })).toMatchObject({ ok: false });
  });

  it("a forged signature (random bytes, flipped bit, another key's signature)", () => {
    expect(check({ ...good, signature: Buffer.alloc(64, 7).toString("base64url") }).ok).toBe(false);
    const sig = Buffer.from(good.signature, "base64url");
    sig[10]! ^= 1;
    expect(check({ ...good, signature: sig.toString("base64url") }).ok).toBe(false);
    const other = generateIdentity();
    const otherSig = signConnect(other, { nonce, role: "node", signedAt: NOW });
    expect(check({ ...good, signature: otherSig.signature }).ok).toBe(false);
  });

  it("someone else's id with my key, and my id with someone else's key", () => {
    const other = generateIdentity();
    // Attacker signs with their own key but claims the victim's id.
    const p = signConnect(other, { nonce, role: "node", signedAt: NOW });
    expect(check({ ...p, id: id.deviceId })).toMatchObject({ ok: false, reason: expect.stringMatching(/SHA-256/) });
    // Attacker presents the victim's public key and id but can only sign with their own key.
    const { privateKey } = generateKeyPairSync("ed25519");
    const forged = sign(null, Buffer.from(connectMessage({ nonce, role: "node", deviceId: id.deviceId, signedAt: NOW })), privateKey).toString("base64url");
    expect(check({ ...good, signature: forged }).ok).toBe(false);
  });

  it("stale and future timestamps (±120 s)", () => {
    for (const skew of [MAX_CLOCK_SKEW_MS + 1, -(MAX_CLOCK_SKEW_MS + 1), 3_600_000]) {
      const p = signConnect(id, { nonce, role: "node", signedAt: NOW + skew });
      expect(check(p)).toMatchObject({ ok: false, reason: expect.stringMatching(/signedAt/) });
    }
    for (const skew of [MAX_CLOCK_SKEW_MS, -MAX_CLOCK_SKEW_MS]) {
      expect(check(signConnect(id, { nonce, role: "node", signedAt: NOW + skew })).ok).toBe(true);
    }
  });

  it("malformed keys and signatures", () => {
    expect(check({ ...good, publicKey: "short" }).ok).toBe(false);
    expect(check({ ...good, publicKey: `${good.publicKey}=` }).ok).toBe(false);
    expect(check({ ...good, signature: good.signature.slice(0, 40) }).ok).toBe(false);
    expect(check({ ...good, signedAt: 1.5 }).ok).toBe(false);
    const zeroKey = Buffer.alloc(32).toString("base64url");
    expect(check({ ...good, publicKey: zeroKey, id: deviceIdFromPublicKey(Buffer.alloc(32)) }).ok).toBe(false);
  });
});
