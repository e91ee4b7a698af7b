import { describe, expect, it } from "vitest";
import { configSchema } from "../config/schema.js";
import { decideAccess, strangerAccess, type AccessState, type ChannelConfig } from "./channel-access.js";
import type { InboundMessage } from "../channels/types.js";

const none: AccessState = { approved: new Set(), approvedOwners: new Set() };
const ch = (c: Record<string, unknown> = {}): ChannelConfig => configSchema.parse({ channels: { telegram: { enabled: true, ...c } } }).channels.telegram!;
const dm = (id: string, extra: Partial<InboundMessage> = {}): InboundMessage => ({
  channel: "telegram", accountId: "b", messageId: `m${Math.random()}`, sender: { id }, chat: { type: "direct", id }, text: "hi", mentioned: false, ...extra,
});
const group = (gid: string, id: string, mentioned: boolean): InboundMessage => ({ ...dm(id), chat: { type: "group", id: gid }, mentioned });

describe("DM policy", () => {
  it("pairing (default): unknown → pair, approved/allowFrom/owner → process", () => {
    expect(decideAccess(dm("1"), ch(), none)).toEqual({ action: "pair" });
    expect(decideAccess(dm("1"), ch(), { ...none, approved: new Set(["1"]) })).toEqual({ action: "process", owner: false });
    expect(decideAccess(dm("2"), ch({ allowFrom: ["2"] }), none).action).toBe("process");
    expect(decideAccess(dm("3"), ch({ owners: ["3"] }), none)).toEqual({ action: "process", owner: true });
  });
  it("allowlist: unlisted senders are dropped silently; empty list = nobody", () => {
    expect(decideAccess(dm("1"), ch({ dmPolicy: "allowlist" }), none).action).toBe("drop");
    expect(decideAccess(dm("1"), ch({ dmPolicy: "allowlist", allowFrom: ["1"] }), none).action).toBe("process");
  });
  it("allowlist admits exactly allowFrom: a pairing-approved sender (even the approved owner) is not enough", () => {
    const approved: AccessState = { approved: new Set(["7"]), approvedOwners: new Set(["7"]) };
    expect(decideAccess(dm("7"), ch({ dmPolicy: "allowlist" }), approved).action).toBe("drop");
    expect(decideAccess(dm("7"), ch({ dmPolicy: "allowlist", allowFrom: ["8"] }), approved).action).toBe("drop");
    // control: listed in allowFrom (or a configured owner) → processed; the same approval under pairing → processed
    expect(decideAccess(dm("7"), ch({ dmPolicy: "allowlist", allowFrom: ["7"] }), approved)).toEqual({ action: "process", owner: true });
    expect(decideAccess(dm("9"), ch({ dmPolicy: "allowlist", owners: ["9"] }), none)).toEqual({ action: "process", owner: true });
    expect(decideAccess(dm("7"), ch({ dmPolicy: "pairing" }), approved).action).toBe("process");
  });
  it('"*" in allowFrom is refused by config validation unless dmPolicy is "open"', () => {
    for (const dmPolicy of ["pairing", "allowlist", "disabled"]) {
      const r = configSchema.safeParse({ channels: { telegram: { dmPolicy, allowFrom: ["*"] } } });
      expect(r.success, dmPolicy).toBe(false);
      expect(JSON.stringify(r.error?.issues)).toMatch(/dmPolicy \\"open\\"/);
    }
    expect(configSchema.safeParse({ channels: { telegram: { dmPolicy: "open", allowFrom: ["*"] } } }).success).toBe(true);
  });
  it("strangerAccess asks decideAccess: a group wildcard is open, listed groups are not", () => {
    expect(strangerAccess(ch({ groups: { "*": {} } }))).toEqual({ dm: false, group: true });
    expect(strangerAccess(ch({ groupPolicy: "open" })).group).toBe(true);
    expect(strangerAccess(ch({ groupPolicy: "open", groups: { "*": { allow: false } } })).group).toBe(false);
    expect(strangerAccess(ch({ groups: { "-100": {} } }))).toEqual({ dm: false, group: false });
    expect(strangerAccess(ch({ dmPolicy: "open", allowFrom: ["*"] })).dm).toBe(true);
  });
  it("open needs \"*\" (enforced by the schema) and then lets anyone in", () => {
    expect(() => ch({ dmPolicy: "open" })).toThrow();
    expect(decideAccess(dm("x"), ch({ dmPolicy: "open", allowFrom: ["*"] }), none).action).toBe("process");
  });
  it("disabled drops everyone, even approved senders", () => {
    expect(decideAccess(dm("1"), ch({ dmPolicy: "disabled" }), { ...none, approved: new Set(["1"]) }).action).toBe("drop");
  });
  it("ids are compared exactly: a display name or a prefix is not an id", () => {
    expect(decideAccess(dm("12"), ch({ dmPolicy: "allowlist", allowFrom: ["123"] }), none).action).toBe("drop");
    expect(decideAccess({ ...dm("999"), sender: { id: "999", name: "123" } }, ch({ dmPolicy: "allowlist", allowFrom: ["123"] }), none).action).toBe("drop");
  });
  it("attack: once owners are configured, a sender made owner by an earlier pairing approval is no longer the owner (control: still approved; still owner while owners is empty)", () => {
    // The first pairing approval (owners empty then) wrote owner: true for sender 7; the operator
    // later named their own id in owners. 7 stays an approved sender, but not the owner: no main
    // session, no /approve, no /status, no pairing notices.
    const earlier: AccessState = { approved: new Set(["7"]), approvedOwners: new Set(["7"]) };
    expect(decideAccess(dm("7"), ch({ owners: ["1"] }), earlier)).toEqual({ action: "process", owner: false });
    expect(decideAccess(group("-100", "7", true), ch({ owners: ["1"], groups: { "-100": { allowFrom: ["5"] } } }), earlier).action).toBe("drop");
    // control: the configured owner is the owner; with owners empty the approved owner still is
    expect(decideAccess(dm("1"), ch({ owners: ["1"] }), earlier)).toEqual({ action: "process", owner: true });
    expect(decideAccess(dm("7"), ch(), earlier)).toEqual({ action: "process", owner: true });
  });
  it("bots are dropped", () => {
    expect(decideAccess({ ...dm("1"), sender: { id: "1", isBot: true } }, ch({ dmPolicy: "open", allowFrom: ["*"] }), none).action).toBe("drop");
  });
});

describe("group policy", () => {
  it("allowlist (default): unknown groups are ignored, never paired", () => {
    expect(decideAccess(group("-100", "1", true), ch(), none)).toMatchObject({ action: "drop" });
  });
  it("an allowed group answers only when mentioned unless requireMention is false", () => {
    const c = ch({ groups: { "-100": {} } });
    expect(decideAccess(group("-100", "1", false), c, none).action).toBe("drop");
    expect(decideAccess(group("-100", "1", true), c, none).action).toBe("process");
    expect(decideAccess(group("-100", "1", false), ch({ groups: { "-100": { requireMention: false } } }), none).action).toBe("process");
  });
  it("per-group allowFrom narrows who may trigger it (owners always may)", () => {
    const c = ch({ groups: { "-100": { allowFrom: ["7"] } }, owners: ["9"] });
    expect(decideAccess(group("-100", "1", true), c, none).action).toBe("drop");
    expect(decideAccess(group("-100", "7", true), c, none).action).toBe("process");
    expect(decideAccess(group("-100", "9", true), c, none)).toEqual({ action: "process", owner: true });
  });
  it("allow: false and groupPolicy disabled drop", () => {
    expect(decideAccess(group("-100", "1", true), ch({ groups: { "-100": { allow: false } } }), none).action).toBe("drop");
    expect(decideAccess(group("-100", "1", true), ch({ groupPolicy: "disabled", groups: { "-100": {} } }), none).action).toBe("drop");
  });
  it("open accepts any group but still gates on mentions", () => {
    expect(decideAccess(group("-5", "1", false), ch({ groupPolicy: "open" }), none).action).toBe("drop");
    expect(decideAccess(group("-5", "1", true), ch({ groupPolicy: "open" }), none).action).toBe("process");
  });
});
