// The operator RPC methods behind the Control UI's Pairing and Security pages:
// pairing.list / approve / reject / revoke (same files and owner rule as the CLI) and
// security.audit (static checks only). Nodes and malformed params are the attackers.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PairingStore } from "../src/channels/pairing.js";
import { generateIdentity, signConnect } from "../src/devices/identity.js";
import { GatewayClient } from "../src/protocol/client.js";
import { cleanupAll, connectRequest, onCleanup, rawCall, rawWs, startTestGateway, type Json } from "./helpers/gateway.js";

afterEach(cleanupAll);

const NEW_METHODS = ["pairing.list", "pairing.approve", "pairing.reject", "pairing.revoke", "pairing.clear", "security.audit"];

async function operator(url: string, token: string | undefined) {
  const c = await GatewayClient.connect({ url, token });
  onCleanup(() => c.close());
  const events: Array<{ event: string; payload: Json }> = [];
  c.onEvent((event, payload) => events.push({ event, payload }));
  return { c, events };
}

async function errCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code: string }).code;
  }
  throw new Error("expected the call to fail");
}

function seed(dir: string, channel: string, senders: Array<{ id: string; name?: string }>) {
  const store = new PairingStore(join(dir, "credentials"));
  return senders.map((s) => {
    const r = store.request(channel, s);
    if (r.kind !== "issued") throw new Error(`no code for ${s.id}`);
    return r.request.code;
  });
}

describe("pairing.* methods", () => {
  it("list, approve (first becomes owner), reject and revoke, with events to other operators", async () => {
    const gw = await startTestGateway();
    const { c } = await operator(gw.url, gw.token);
    const watcher = await operator(gw.url, gw.token);
    expect(c.hello.methods).toEqual(expect.arrayContaining(NEW_METHODS));
    expect(c.hello.events).toContain("pairing.resolved");

    const empty = await c.call<Json>("pairing.list");
    expect(empty.channels.map((x: Json) => x.channel)).toEqual(["telegram", "discord", "slack"]);
    expect(empty.channels.every((x: Json) => x.pending.length === 0 && x.approved.length === 0)).toBe(true);

    const [codeA, codeB, codeC] = seed(gw.dir, "telegram", [{ id: "111", name: "Alice" }, { id: "222", name: "Bob" }, { id: "333" }]);
    const listed = await c.call<Json>("pairing.list", { channel: "telegram" });
    expect(listed.channels).toHaveLength(1);
    expect(listed.channels[0].pending.map((p: Json) => [p.code, p.senderId, p.senderName])).toEqual([
      [codeA, "111", "Alice"],
      [codeB, "222", "Bob"],
      [codeC, "333", undefined],
    ]);

    // Codes are case- and dash-insensitive, as on the CLI.
    const first = await c.call<Json>("pairing.approve", { channel: "telegram", code: `${codeA!.slice(0, 4).toLowerCase()}-${codeA!.slice(4)}` });
    expect(first).toMatchObject({ channel: "telegram", senderId: "111", name: "Alice", owner: true });
    const second = await c.call<Json>("pairing.approve", { channel: "telegram", code: codeB });
    expect(second).toMatchObject({ senderId: "222", owner: false });
    expect(await errCode(c.call("pairing.approve", { channel: "telegram", code: codeA }))).toBe("NOT_FOUND");
    expect(await errCode(c.call("pairing.approve", { channel: "discord", code: codeC }))).toBe("NOT_FOUND"); // another channel's code

    const onDisk = JSON.parse(readFileSync(join(gw.dir, "credentials", "telegram-allowFrom.json"), "utf8"));
    expect(onDisk.allowFrom.map((a: Json) => [a.id, !!a.owner])).toEqual([["111", true], ["222", false]]);

    expect(await c.call<Json>("pairing.reject", { channel: "telegram", code: codeC })).toEqual({ channel: "telegram", senderId: "333", rejected: true });
    expect(await errCode(c.call("pairing.reject", { channel: "telegram", code: codeC }))).toBe("NOT_FOUND");

    expect(await c.call<Json>("pairing.revoke", { channel: "telegram", senderId: "222" })).toEqual({ channel: "telegram", senderId: "222", revoked: true });
    expect(await errCode(c.call("pairing.revoke", { channel: "telegram", senderId: "222" }))).toBe("NOT_FOUND");

    const after = await c.call<Json>("pairing.list", { channel: "telegram" });
    expect(after.channels[0].pending).toEqual([]);
    expect(after.channels[0].approved.map((a: Json) => a.id)).toEqual(["111"]);

    await new Promise((r) => setTimeout(r, 50));
    expect(watcher.events.filter((e) => e.event === "pairing.resolved").map((e) => [e.payload.senderId, e.payload.decision])).toEqual([
      ["111", "approved"],
      ["222", "approved"],
      ["333", "rejected"],
      ["222", "revoked"],
    ]);
  });

  it("pairing.list says when the queue is full and who was turned away; pairing.clear empties it", async () => {
    const gw = await startTestGateway();
    const { c } = await operator(gw.url, gw.token);
    const watcher = await operator(gw.url, gw.token);
    const room = await c.call<Json>("pairing.list", { channel: "telegram" });
    expect(room.channels[0]).toMatchObject({ full: false, max: 3 });
    seed(gw.dir, "telegram", [{ id: "1" }, { id: "2" }, { id: "3" }]);
    const turned = new PairingStore(join(gw.dir, "credentials")).request("telegram", { id: "4" });
    expect(turned.kind).toBe("full");
    const full = await c.call<Json>("pairing.list", { channel: "telegram" });
    expect(full.channels[0]).toMatchObject({ full: true, max: 3, turnedAway: { count: 1 } });
    const status = await c.call<Json>("channels.status");
    expect(status.channels.find((x: Json) => x.channel === "telegram")).toMatchObject({ pairingQueueFull: true });
    expect(status.channels.find((x: Json) => x.channel === "discord").pairingQueueFull).toBeUndefined();
    expect(await c.call<Json>("pairing.clear", { channel: "telegram" })).toEqual({ channel: "telegram", cleared: 3 });
    const after = await c.call<Json>("pairing.list", { channel: "telegram" });
    expect(after.channels[0]).toMatchObject({ full: false, pending: [] });
    expect(after.channels[0].turnedAway).toBeUndefined();
    expect((await c.call<Json>("channels.status")).channels.find((x: Json) => x.channel === "telegram").pairingQueueFull).toBeUndefined();
    expect(await c.call<Json>("pairing.clear", { channel: "telegram" })).toEqual({ channel: "telegram", cleared: 0 });
    expect(await errCode(c.call("pairing.clear", { channel: "whatsapp" }))).toBe("INVALID_REQUEST");
    await new Promise((r) => setTimeout(r, 50));
    expect(watcher.events.filter((e) => e.event === "pairing.resolved").map((e) => e.payload.senderId)).toEqual(["1", "2", "3"]);
  });

  it("with owners in the config, an approved sender does not become owner (same rule as the CLI)", async () => {
    const gw = await startTestGateway({ channels: { telegram: { owners: ["999"] } } });
    const { c } = await operator(gw.url, gw.token);
    const [code] = seed(gw.dir, "telegram", [{ id: "111" }]);
    expect(await c.call<Json>("pairing.approve", { channel: "telegram", code })).toMatchObject({ senderId: "111", owner: false });
  });

  it("attack: a sender made owner by an earlier pairing is not listed as owner once owners are configured (control: the same file with no owners lists them as owner)", async () => {
    const earlier = (dir: string) => {
      const store = new PairingStore(join(dir, "credentials"));
      const [code] = seed(dir, "telegram", [{ id: "111" }]);
      store.approve("telegram", code!, { ownerIfFirst: true });
    };
    const gw = await startTestGateway({ channels: { telegram: { owners: ["999"] } } });
    earlier(gw.dir);
    const { c } = await operator(gw.url, gw.token);
    const listed = await c.call<Json>("pairing.list", { channel: "telegram" });
    expect(listed.channels[0].approved).toEqual([expect.objectContaining({ id: "111" })]);
    expect(listed.channels[0].approved[0].owner).toBeUndefined();

    const open = await startTestGateway();
    earlier(open.dir);
    const other = await operator(open.url, open.token);
    const control = await other.c.call<Json>("pairing.list", { channel: "telegram" });
    expect(control.channels[0].approved[0]).toMatchObject({ id: "111", owner: true });
  });

  it("malformed params are refused: unknown channels, path tricks, extra keys, oversized codes", async () => {
    const gw = await startTestGateway();
    const { c } = await operator(gw.url, gw.token);
    for (const params of [
      { channel: "../../etc/passwd", code: "ABCDEFGH" },
      { channel: "TELEGRAM", code: "ABCDEFGH" },
      { channel: "whatsapp", code: "ABCDEFGH" },
      { channel: "telegram" },
      { channel: "telegram", code: "A".repeat(33) },
      { channel: "telegram", code: "ABCDEFGH", ownerIfFirst: false },
    ]) {
      expect(await errCode(c.call("pairing.approve", params))).toBe("INVALID_REQUEST");
    }
    expect(await errCode(c.call("pairing.list", { channel: "x/../telegram" }))).toBe("INVALID_REQUEST");
    expect(await errCode(c.call("pairing.revoke", { channel: "telegram", senderId: "" }))).toBe("INVALID_REQUEST");
    expect(existsSync(join(gw.dir, "credentials", "telegram-allowFrom.json"))).toBe(false);
  });

  it("a paired node may call none of them", async () => {
    const gw = await startTestGateway();
    const identity = generateIdentity();
    const nodeConnect = async () => {
      const n = rawWs(gw.url);
      await n.handshake;
      const challenge = await n.next();
      const req = connectRequest({ token: gw.token }, { role: "node", client: { name: "sneaky-node", version: "1", platform: "linux" } });
      req.params.device = signConnect(identity, { nonce: challenge.payload.nonce, role: "node" });
      n.send(req);
      return { n, res: await n.nextWhere((f) => f.type === "res") };
    };
    expect((await nodeConnect()).res.error.code).toBe("PAIRING_REQUIRED");
    expect(gw.gw.ctx.devices.approve(identity.deviceId)).toBeTruthy();
    const { n, res } = await nodeConnect();
    expect(res.ok).toBe(true);
    expect(res.payload.methods).not.toEqual(expect.arrayContaining(["pairing.list"]));
    const [code] = seed(gw.dir, "telegram", [{ id: "666", name: "Mallory" }]);
    const calls: Array<[string, Json]> = [
      ["pairing.list", {}],
      ["pairing.approve", { channel: "telegram", code }],
      ["pairing.reject", { channel: "telegram", code }],
      ["pairing.revoke", { channel: "telegram", senderId: "666" }],
      ["security.audit", {}],
    ];
    for (const [method, params] of calls) {
      expect((await rawCall(n, method, params)).error.code, method).toBe("FORBIDDEN");
    }
    // Nothing changed: the request is still pending, nobody approved.
    const store = new PairingStore(join(gw.dir, "credentials"));
    expect(store.requests("telegram").map((r) => r.code)).toEqual([code]);
    expect(store.approved("telegram")).toEqual([]);
  });
});

describe("security.audit method", () => {
  it("returns the static report without fix actions; --fix / --deep cannot be asked for", async () => {
    const gw = await startTestGateway();
    const { c } = await operator(gw.url, gw.token);
    const report = await c.call<Json>("security.audit", {});
    expect(report.version).toBe(1);
    expect(Object.keys(report.summary).sort()).toEqual(["critical", "info", "warn"]);
    expect(report.summary.critical + report.summary.warn + report.summary.info).toBe(report.findings.length);
    for (const f of report.findings) {
      expect(["critical", "warn", "info"]).toContain(f.severity);
      expect(f).not.toHaveProperty("fixes");
    }
    // Nothing deep: no live-probe check ids.
    expect(report.findings.some((f: Json) => /probe_/.test(f.checkId))).toBe(false);
    expect(await errCode(c.call("security.audit", { fix: true }))).toBe("INVALID_REQUEST");
    expect(await errCode(c.call("security.audit", { deep: true }))).toBe("INVALID_REQUEST");
  });
});
