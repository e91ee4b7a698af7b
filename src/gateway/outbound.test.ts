import { describe, expect, it } from "vitest";
import { eventFrameText, isDroppableEvent, outboundDecision } from "./outbound.js";

const MB = 1024 * 1024;

describe("outbound backpressure decision", () => {
  it("sends everything while the client keeps up", () => {
    for (const kind of ["reply", "event", "droppable"] as const) expect(outboundDecision(kind, 0, 1000, 8 * MB)).toBe("send");
  });

  it("drops droppable events once the unread backlog passes half the bound", () => {
    expect(outboundDecision("droppable", 4 * MB, 100, 8 * MB)).toBe("drop");
    expect(outboundDecision("event", 4 * MB, 100, 8 * MB)).toBe("send");
    expect(outboundDecision("reply", 4 * MB, 100, 8 * MB)).toBe("send");
  });

  it("closes instead of buffering an event or reply past the hard bound", () => {
    expect(outboundDecision("event", 8 * MB - 10, 100, 8 * MB)).toBe("close");
    expect(outboundDecision("reply", 5 * MB, 4 * MB, 8 * MB)).toBe("close");
  });

  it("lets one large reply through to a client that has read its backlog, but not a second one", () => {
    expect(outboundDecision("reply", 0, 30 * MB, 8 * MB)).toBe("send");
    expect(outboundDecision("reply", 30 * MB, 30 * MB, 8 * MB)).toBe("close");
    // a droppable event must fit under the bound
    expect(outboundDecision("droppable", 0, 30 * MB, 8 * MB)).toBe("drop");
  });
});

describe("droppable events", () => {
  it("are ticks and streaming chat states, never a run's end or approvals", () => {
    expect(isDroppableEvent("tick", { ts: 1 })).toBe(true);
    expect(isDroppableEvent("chat", { state: "delta" })).toBe(true);
    expect(isDroppableEvent("chat", { state: "final" })).toBe(false);
    expect(isDroppableEvent("chat", { state: "error" })).toBe(false);
    expect(isDroppableEvent("exec.approval.requested", { id: "x" })).toBe(false);
  });
});

it("an event frame built from a pre-serialised payload is the same JSON", () => {
  const payload = { a: "x\"y", n: [1, 2] };
  expect(JSON.parse(eventFrameText("chat", JSON.stringify(payload), 7))).toEqual({ type: "event", event: "chat", payload, seq: 7 });
});
