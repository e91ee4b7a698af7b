import { describe, expect, it } from "vitest";
import { deviceClientText, deviceConnectDecision, findDevice, hashDeviceToken, MAX_PENDING, newDeviceToken, PENDING_TTL_MS, pendingStep, tokenMatches, type PairedDevice, type PendingDevice } from "./device-pairing.js";

const req = (n: number) => ({ deviceId: n.toString(16).padStart(64, "0"), publicKey: `pk${n}`, role: "node" as const, name: `n${n}`, platform: "linux", clientVersion: "1", remoteAddress: "127.0.0.1" });

describe("pendingStep", () => {
  it("queues a request for 10 minutes and keeps one per device", () => {
    const a = pendingStep([], req(1), 1000);
    expect(a).toMatchObject({ kind: "created", request: { createdAt: 1000, expiresAt: 1000 + PENDING_TTL_MS } });
    const again = pendingStep(a.pending, req(1), 2000);
    expect(again.kind).toBe("existing");
    expect(again.pending).toHaveLength(1);
  });

  it("caps the queue at 20 live requests; expired ones free room", () => {
    let pending: PendingDevice[] = [];
    for (let i = 0; i < MAX_PENDING; i++) pending = pendingStep(pending, req(i), 0).pending;
    expect(pendingStep(pending, req(99), 1).kind).toBe("full");
    expect(pendingStep(pending, req(99), PENDING_TTL_MS).kind).toBe("created");
  });
});

describe("device tokens", () => {
  it("32 random bytes, base64url, stored as SHA-256 and compared in constant time", () => {
    const t = newDeviceToken();
    expect(Buffer.from(t, "base64url")).toHaveLength(32);
    const h = hashDeviceToken(t);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(h).not.toContain(t);
    expect(tokenMatches(t, h)).toBe(true);
    expect(tokenMatches(newDeviceToken(), h)).toBe(false);
    expect(tokenMatches(t, "")).toBe(false);
  });
});

describe("deviceConnectDecision", () => {
  const token = newDeviceToken();
  const paired: PairedDevice = { deviceId: "d1", publicKey: "pk", role: "node", name: "pi", platform: "linux", approvedAt: 1, tokenHash: hashDeviceToken(token), tokenIssuedAt: 1, lastSeenAt: 1 };
  const decide = (o: Partial<Parameters<typeof deviceConnectDecision>[0]>) => deviceConnectDecision({ role: "node", publicKey: "pk", paired, deviceToken: token, ...o });

  it("unknown node → pairing; unknown node presenting a token (stolen or revoked) → refused", () => {
    expect(decide({ paired: undefined, deviceToken: undefined })).toEqual({ kind: "pair" });
    expect(decide({ paired: undefined })).toMatchObject({ kind: "refuse", code: "UNAUTHORIZED" });
  });

  it("paired node with its token → accepted; without, or with another token → refused", () => {
    expect(decide({})).toEqual({ kind: "accept", issueToken: false });
    expect(decide({ deviceToken: undefined })).toMatchObject({ kind: "refuse" });
    expect(decide({ deviceToken: newDeviceToken() })).toMatchObject({ kind: "refuse" });
  });

  it("a node's token used to claim role operator → refused", () => {
    expect(decide({ role: "operator" })).toMatchObject({ kind: "refuse", message: expect.stringMatching(/role node/) });
  });

  it("approved but token not yet collected → token issued once, only to a connect without a token", () => {
    const fresh = { ...paired, tokenHash: null, tokenIssuedAt: null };
    expect(decide({ paired: fresh, deviceToken: undefined })).toEqual({ kind: "accept", issueToken: true });
    expect(decide({ paired: fresh })).toMatchObject({ kind: "refuse" });
  });

  it("a different public key under a paired id → refused", () => {
    expect(decide({ publicKey: "other" })).toMatchObject({ kind: "refuse" });
  });

  it("operators need no pairing, but an operator presenting a token for an unknown device is refused", () => {
    expect(decide({ role: "operator", paired: undefined, deviceToken: undefined })).toEqual({ kind: "accept", issueToken: false });
    expect(decide({ role: "operator", paired: undefined })).toMatchObject({ kind: "refuse" });
  });
});

describe("findDevice", () => {
  const list = [
    { deviceId: "abcdef0123", name: "pi" },
    { deviceId: "abcdef9999", name: "laptop" },
  ];
  it("by id, unique prefix (≥ 6) or name; ambiguous and short prefixes refused", () => {
    expect(findDevice(list, "abcdef0123")).toMatchObject({ ok: true, device: { name: "pi" } });
    expect(findDevice(list, "abcdef0")).toMatchObject({ ok: true, device: { name: "pi" } });
    expect(findDevice(list, "LAPTOP")).toMatchObject({ ok: true, device: { name: "laptop" } });
    expect(findDevice(list, "abcdef")).toEqual({ ok: false, reason: "ambiguous" });
    expect(findDevice(list, "abc")).toEqual({ ok: false, reason: "none" });
  });
});

describe("device-chosen text (name, platform, version) is kept escaped, one line, bounded", () => {
  // A device that holds only the gateway secret chooses these; `devices list`, `nodes list`, the
  // approve/revoke messages and the Control UI show them to the operator deciding on it.
  const fake = "pi\n  3f2a9c01be77  laptop  node  linux  from 192.168.1.20";
  it("a pending request cannot fake a second line in devices list, reorder itself or carry terminal escapes", () => {
    const step = pendingStep([], { ...req(1), name: fake, platform: "linux\x1b[2K\r", clientVersion: "1\u202e" }, 0);
    expect(step.kind).toBe("created");
    const r = (step as { request: PendingDevice }).request;
    for (const v of [r.name, r.platform, r.clientVersion]) expect(v).not.toMatch(/[\x00-\x1f\x7f\u202e]/);
    expect(r.name).toBe("pi\\n  3f2a9c01be77  laptop  node  linux  from 192.168.1.20");
    expect(r.platform).toBe("linux\\x1b[2K\\r");
    expect(r.clientVersion).toBe("1\\u{202e}");
  });

  it("escaping cannot make it longer than 64 characters", () => {
    const t = deviceClientText({ name: "\x1b".repeat(64), platform: "darwin", version: "0.1.0" });
    expect([...t.name].length).toBeLessThanOrEqual(64);
    expect(t.name.endsWith("…")).toBe(true);
  });

  it("ordinary names stay as they are (a name in another script too)", () => {
    expect(deviceClientText({ name: "pi", platform: "linux", version: "0.1.0" })).toEqual({ name: "pi", platform: "linux", version: "0.1.0" });
    const r = (pendingStep([], { ...req(2), name: "Küche-Pi 🍓" }, 0) as { request: PendingDevice }).request;
    expect(r.name).toBe("Küche-Pi 🍓");
  });
});

describe("findDevice: a reference that reads as a device id is only ever an id", () => {
  const legit = "3f2a9c01be77".padEnd(64, "0");
  it("a device named like another device's id prefix is not picked by that prefix (even when the real one is not in the list)", () => {
    // The real node printed "simpleclaw devices approve 3f2a9c01be77"; its request has expired,
    // and a device holding only the gateway secret asked to pair under that name.
    const pending = [{ deviceId: "9".repeat(64), name: "3f2a9c01be77" }];
    expect(findDevice(pending, "3f2a9c01be77")).toEqual({ ok: false, reason: "none" });
    expect(findDevice(pending, "3F2A9C")).toEqual({ ok: false, reason: "none" });
    // With the real one there too, the prefix picks the real one, not "ambiguous".
    expect(findDevice([...pending, { deviceId: legit, name: "pi" }], "3f2a9c01be77")).toMatchObject({ ok: true, device: { name: "pi" } });
  });

  it("names that do not read as an id (and short hex names) are still found by name", () => {
    const list = [{ deviceId: legit, name: "pi" }, { deviceId: "b".repeat(64), name: "cafe" }, { deviceId: "c".repeat(64), name: "build-01" }];
    expect(findDevice(list, "pi")).toMatchObject({ ok: true, device: { deviceId: legit } });
    expect(findDevice(list, "cafe")).toMatchObject({ ok: true, device: { name: "cafe" } });
    expect(findDevice(list, "Build-01")).toMatchObject({ ok: true, device: { name: "build-01" } });
    expect(findDevice(list, "3f2a9c")).toMatchObject({ ok: true, device: { name: "pi" } });
  });
});
