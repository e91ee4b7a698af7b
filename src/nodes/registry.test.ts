import { describe, expect, it } from "vitest";
import { commandDecision, NodeInvokeError, NodeRegistry, type NodeSession } from "./registry.js";

const ALLOW = { allow: ["system.info", "system.run"], deny: [] as string[] };

function fakeNode(over: Partial<NodeSession> = {}) {
  const sent: Array<{ id: string; command: string; params: unknown; timeoutMs: number }> = [];
  const closed: string[] = [];
  const s: NodeSession = {
    deviceId: "a".repeat(64),
    name: "pi",
    platform: "linux",
    version: "1",
    commands: ["system.info", "system.run", "system.which"],
    connId: "c1",
    connectedAt: 0,
    remoteAddress: "127.0.0.1",
    sendInvoke: (r) => sent.push(r),
    close: (_c, reason) => closed.push(reason),
    ...over,
  };
  return { s, sent, closed };
}

describe("commandDecision (gateway.nodes.commands)", () => {
  it("deny wins, allow must list the command, prefix.* and * work", () => {
    expect(commandDecision("system.run", { allow: ["system.*"], deny: ["system.run"] })).toMatchObject({ allowed: false, rule: expect.stringMatching(/deny/) });
    expect(commandDecision("system.run", { allow: ["system.info"], deny: [] })).toMatchObject({ allowed: false });
    expect(commandDecision("system.run", { allow: ["system.*"], deny: [] })).toEqual({ allowed: true });
    expect(commandDecision("systemXrun", { allow: ["system.*"], deny: [] }).allowed).toBe(false);
    expect(commandDecision("x.y", { allow: ["*"], deny: [] }).allowed).toBe(true);
    expect(commandDecision("x.y", { allow: [], deny: [] }).allowed).toBe(false);
  });
});

describe("NodeRegistry.invoke", () => {
  it("routes to the node and resolves with the answer from that connection only", async () => {
    const reg = new NodeRegistry({ commands: () => ALLOW });
    const { s, sent } = fakeNode();
    reg.attach(s);
    const p = reg.invoke({ node: "pi", command: "system.info", params: {} });
    expect(sent).toHaveLength(1);
    expect(reg.handleResult("other-conn", { id: sent[0]!.id, ok: true, payload: { forged: true } })).toBe(false);
    expect(reg.handleResult("c1", { id: sent[0]!.id, ok: true, payload: { hostname: "pi" } })).toBe(true);
    await expect(p).resolves.toEqual({ hostname: "pi" });
  });

  it("refuses commands outside gateway.nodes.commands and ones the node does not offer", async () => {
    const reg = new NodeRegistry({ commands: () => ALLOW });
    reg.attach(fakeNode().s);
    await expect(reg.invoke({ node: "pi", command: "system.which" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const reg2 = new NodeRegistry({ commands: () => ({ allow: ["*"], deny: [] }) });
    reg2.attach(fakeNode({ commands: ["system.info"] }).s);
    await expect(reg2.invoke({ node: "pi", command: "system.run" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(reg2.invoke({ node: "nope", command: "system.info" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("a disconnect mid-invoke fails the call at once", async () => {
    const reg = new NodeRegistry({ commands: () => ALLOW });
    reg.attach(fakeNode().s);
    const p = reg.invoke({ node: "pi", command: "system.run", timeoutMs: 60_000 });
    const t0 = Date.now();
    reg.detach("c1");
    await expect(p).rejects.toMatchObject({ code: "UNAVAILABLE" });
    expect(Date.now() - t0).toBeLessThan(100);
    expect(reg.list()).toEqual([]);
  });

  it("times out", async () => {
    const reg = new NodeRegistry({ commands: () => ALLOW });
    reg.attach(fakeNode().s);
    await expect(reg.invoke({ node: "pi", command: "system.info", timeoutMs: 20 })).rejects.toMatchObject({ code: "TIMEOUT" });
  });

  it("a repeated idempotencyKey returns the first result without asking the node again; failures may be retried", async () => {
    const reg = new NodeRegistry({ commands: () => ALLOW });
    const { s, sent } = fakeNode();
    reg.attach(s);
    const a = reg.invoke({ node: "pi", command: "system.info", idempotencyKey: "k" });
    const b = reg.invoke({ node: "pi", command: "system.info", idempotencyKey: "k" });
    expect(sent).toHaveLength(1);
    reg.handleResult("c1", { id: sent[0]!.id, ok: true, payload: 1 });
    await expect(a).resolves.toBe(1);
    await expect(b).resolves.toBe(1);
    const f = reg.invoke({ node: "pi", command: "system.info", idempotencyKey: "f" });
    reg.handleResult("c1", { id: sent[1]!.id, ok: false, error: { code: "FORBIDDEN", message: "no" } });
    await expect(f).rejects.toBeInstanceOf(NodeInvokeError);
    void reg.invoke({ node: "pi", command: "system.info", idempotencyKey: "f" }).catch(() => {});
    expect(sent).toHaveLength(3);
    reg.close();
  });

  it("a device that is no longer paired is disconnected instead of invoked", async () => {
    const reg = new NodeRegistry({ commands: () => ALLOW, stillPaired: () => false });
    const { s, sent, closed } = fakeNode();
    reg.attach(s);
    await expect(reg.invoke({ node: "pi", command: "system.info" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(sent).toHaveLength(0);
    expect(closed).toEqual(["device revoked"]);
  });

  it("a second connection of the same device replaces the first and fails its waiting calls", async () => {
    const reg = new NodeRegistry({ commands: () => ALLOW });
    const first = fakeNode();
    reg.attach(first.s);
    const p = reg.invoke({ node: "pi", command: "system.info" });
    reg.attach(fakeNode({ connId: "c2" }).s);
    await expect(p).rejects.toMatchObject({ code: "UNAVAILABLE" });
    expect(first.closed).toHaveLength(1);
    expect(reg.list()).toHaveLength(1);
  });
});

describe("NodeRegistry.find: a reference that reads as a device id is only ever an id", () => {
  it("a node named like an offline node's id prefix does not receive that node's calls", async () => {
    const reg = new NodeRegistry({ commands: () => ALLOW });
    const { s, sent } = fakeNode({ deviceId: "9".repeat(64), name: "3f2a9c01be77" });
    reg.attach(s);
    await expect(reg.invoke({ node: "3f2a9c01be77", command: "system.run", params: { command: "cat ~/.ssh/id_ed25519.pub" } })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(sent).toEqual([]);
    // By its id, and by a name that is not an id, nodes are still found.
    expect(reg.find("999999").name).toBe("3f2a9c01be77");
    const pi = fakeNode({ deviceId: "3f2a9c01be77".padEnd(64, "0"), name: "pi", connId: "c2" });
    reg.attach(pi.s);
    expect(reg.find("3f2a9c01be77").name).toBe("pi");
    expect(reg.find("PI").deviceId).toBe(pi.s.deviceId);
  });
});

describe("NodeRegistry.handleResult: a node's error text is the node's, shown escaped and bounded", () => {
  it("terminal escapes and line breaks in a node's error reach the operator's terminal escaped; a huge one is cut", async () => {
    const reg = new NodeRegistry({ commands: () => ALLOW });
    const { s, sent } = fakeNode();
    reg.attach(s);
    const p = reg.invoke({ node: "pi", command: "system.info" });
    const message = "denied\x1b]0;owned\x07\r\n\x1b[2KFORBIDDEN: the gateway token is \u202e" + "x".repeat(100_000);
    expect(reg.handleResult("c1", { id: sent[0]!.id, ok: false, error: { code: "FORBIDDEN", message } })).toBe(true);
    const err = (await p.catch((e: unknown) => e)) as NodeInvokeError;
    expect(err).toBeInstanceOf(NodeInvokeError);
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).not.toMatch(/[\x00-\x1f\x7f\u202e]/);
    expect(err.message).toContain("denied\\x1b]0;owned\\x07\\r\\n\\x1b[2KFORBIDDEN");
    expect(err.message.length).toBeLessThanOrEqual(1100);
  });

  it("an ordinary error message is passed on as the node wrote it", async () => {
    const reg = new NodeRegistry({ commands: () => ALLOW });
    const { s, sent } = fakeNode();
    reg.attach(s);
    const p = reg.invoke({ node: "pi", command: "system.run", params: { command: "x" } });
    reg.handleResult("c1", { id: sent[0]!.id, ok: false, error: { code: "FORBIDDEN", message: "this node's exec policy refused the command: not on the allowlist" } });
    await expect(p).rejects.toMatchObject({ code: "FORBIDDEN", message: "this node's exec policy refused the command: not on the allowlist" });
  });
});
