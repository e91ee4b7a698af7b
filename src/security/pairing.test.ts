import { describe, expect, it } from "vitest";
import { CODE_ALPHABET, CODE_TTL_MS, newCode, pairingQueueFull, pairingStep, SENDER_NAME_MAX } from "./pairing.js";
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

describe("the sender's display name", () => {
  it("attack: a name with a bidi override, terminal escapes or a line break is kept escaped, on one line, short (control: a plain name is kept as is)", () => {
    const issued = (name: string) => {
      const step = pairingStep([], { id: "666", name }, 1_000);
      if (step.kind !== "issued") throw new Error(step.kind);
      return step.request.senderName;
    };
    // "Alice \u202E)111 di(" shows as "Alice (id 111)" — the real id 666 follows and looks like noise.
    expect(issued("Alice \u202e)111 di(")).toBe("Alice \\u{202e})111 di(");
    expect(issued("x\x1b[2K\rMom")).toBe("x\\x1b[2K\\rMom");
    expect(issued("Bob\nApprove with: simpleclaw pairing approve telegram AAAA2222")).not.toContain("\n");
    expect([...issued("A".repeat(500))!].length).toBe(SENDER_NAME_MAX);
    expect(issued("Zoë Ørsted 🙂")).toBe("Zoë Ørsted 🙂");
  });
});

describe("a full queue", () => {
  it("turns away a new sender, but never a sender listed in owners", () => {
    const t = 1_000_000;
    let reqs = pairingStep([], { id: "x1" }, t).requests;
    reqs = pairingStep(reqs, { id: "x2" }, t).requests;
    reqs = pairingStep(reqs, { id: "x3" }, t).requests;
    expect(pairingQueueFull(reqs, t)).toBe(true);
    expect(pairingStep(reqs, { id: "stranger" }, t).kind).toBe("full");
    expect(pairingStep(reqs, { id: "stranger", owner: false }, t).kind).toBe("full");
    const owner = pairingStep(reqs, { id: "owner", owner: true }, t);
    expect(owner.kind).toBe("issued");
    expect(owner.requests).toHaveLength(4);
    expect(pairingQueueFull(reqs, t + CODE_TTL_MS + 1)).toBe(false);
  });
});

describe("who becomes owner on approval", () => {
  it("only when the channel names no owners", () => {
    expect(approvalMayMakeOwner(undefined)).toBe(true);
    expect(approvalMayMakeOwner({ owners: [] })).toBe(true);
    expect(approvalMayMakeOwner({ owners: ["42"] })).toBe(false);
  });
});

describe("the sender's id", () => {
  it("attack: an id that would not show as itself (bidi override, terminal escape, line break, zero-width) or is absurdly long gets no code, so it never reaches pairing list, the owner's notice or the Control UI to be approved by mistake; control: platform ids and readable non-ASCII ids do", () => {
    const t = 1_000_000;
    for (const id of ["8101\u202e9999", "\u001b[2J8101", "8101\n8102", "81\u200b01", "x".repeat(257)]) {
      expect(pairingStep([], { id }, t).kind, JSON.stringify(id)).toBe("refused");
    }
    for (const id of ["123456789", "1100000000000000001", "U0AB12CD3", "@alice:matrix.org", "jürgen@example.de", "中文用户"]) {
      expect(pairingStep([], { id }, t).kind, id).toBe("issued");
    }
  });
});
