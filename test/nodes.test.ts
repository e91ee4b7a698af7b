// Nodes end to end: a real gateway process and a real node host process (separate state
// dirs) on loopback, the devices/nodes CLI, and raw-socket attacks on device pairing.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { generateIdentity, signConnect, type DeviceIdentity } from "../src/devices/identity.js";
import { GatewayClient, GatewayError } from "../src/protocol/client.js";
import { methods } from "../src/gateway/methods.js";
import {
  BIN,
  childEnv,
  cleanupAll,
  connectRequest,
  onCleanup,
  randomToken,
  rawCall,
  rawWs,
  REPO_ROOT,
  runCli,
  sleep,
  spawnGateway,
  startTestGateway,
  tempStateDir,
  type Json,
} from "./helpers/gateway.js";

afterEach(cleanupAll);

const ALL_COMMANDS = ["system.which", "system.info", "system.notify", "system.run"];

interface NodeProc {
  child: ChildProcess;
  dir: string;
  out(): string;
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<unknown>;
}

function spawnNode(url: string, token: string, name: string, approvals?: unknown): NodeProc {
  const dir = mkdtempSync(join(tmpdir(), "simpleclaw-node-"));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  if (approvals) writeFileSync(join(dir, "exec-approvals.json"), JSON.stringify(approvals), { mode: 0o600 });
  const child = spawn(process.execPath, [BIN, "node", "run", "--url", url, "--token", token, "--name", name, "--reconnect-max", "1"], {
    cwd: REPO_ROOT,
    env: childEnv({ SIMPLECLAW_STATE_DIR: dir }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  onCleanup(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise((r) => child.on("exit", r));
  return {
    child,
    dir,
    out: () => out,
    exited,
    async waitFor(re, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!re.test(out)) {
        if (Date.now() > deadline) throw new Error(`no ${re} in node output:\n${out}`);
        await sleep(25);
      }
    },
  };
}

async function until<T>(fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(50);
  }
}

const errCode = (p: Promise<unknown>) => p.then(() => "resolved", (e: GatewayError) => e.code);

describe("node host ↔ gateway (two processes)", () => {
  it("pairs only on approval, runs commands under the node's own policy, and is cut off by revoke", async () => {
    const token = randomToken();
    const gwState = tempStateDir({ gateway: { auth: { token }, nodes: { commands: { allow: ALL_COMMANDS } } } });
    const gw = await spawnGateway(gwState.env);
    const op = await GatewayClient.connect({ url: gw.url, token, timeoutMs: 20_000 });
    onCleanup(() => op.close());
    const requested = new Promise<Json>((r) => op.onEvent((e, p) => e === "device.pair.requested" && r(p)));

    // The node's own policy: echo is allowlisted for agent "node"; anything else would ask, and nobody can answer.
    const node = spawnNode(gw.url, token, "pi", {
      version: 1,
      defaults: { security: "allowlist", ask: "on-miss", askFallback: "deny" },
      agents: { node: { allowlist: [{ id: "echo", pattern: "/usr/bin/echo" }, { id: "sleep", pattern: "/usr/bin/sleep" }] } },
    });
    await node.waitFor(/Waiting for approval/);
    const req = await requested;
    const ident = JSON.parse(readFileSync(join(node.dir, "identity", "device.json"), "utf8"));
    expect(statSync(join(node.dir, "identity", "device.json")).mode & 0o777).toBe(0o600);
    expect(req.deviceId).toBe(createHash("sha256").update(Buffer.from(ident.publicKey, "base64url")).digest("hex"));
    expect(req).toMatchObject({ name: "pi", role: "node" });

    // Unpaired: nothing invocable.
    expect((await op.call<Json>("nodes.list")).nodes).toEqual([]);
    expect(await errCode(op.call("node.invoke", { nodeId: req.deviceId, command: "system.info", idempotencyKey: "a" }))).toBe("NOT_FOUND");
    const list = await runCli(["devices", "list"], gwState.env);
    expect(list.stdout).toContain(req.deviceId.slice(0, 12));
    expect(list.stdout).toMatch(/Pending/);

    // Approve (CLI, on disk, while the gateway runs) → the node collects its token and is invocable.
    const approve = await runCli(["devices", "approve", req.deviceId.slice(0, 12)], gwState.env);
    expect(approve.code).toBe(0);
    await node.waitFor(/Connected to/);
    const nodes = await until(async () => {
      const l = (await op.call<Json>("nodes.list")).nodes;
      return l.length ? l : undefined;
    });
    expect(nodes[0]).toMatchObject({ nodeId: req.deviceId, name: "pi", commands: expect.arrayContaining(ALL_COMMANDS) });

    // The token is kept in clear only on the node (600); the gateway stores its SHA-256.
    const auth = JSON.parse(readFileSync(join(node.dir, "identity", "device-auth.json"), "utf8"));
    expect(statSync(join(node.dir, "identity", "device-auth.json")).mode & 0o777).toBe(0o600);
    const deviceToken: string = auth.gateways[gw.url].deviceToken;
    expect(Buffer.from(deviceToken, "base64url")).toHaveLength(32);
    const db = new DatabaseSync(join(gwState.dir, "state.db"), { readOnly: true });
    const row = db.prepare("SELECT token_hash FROM device_paired WHERE device_id = ?").get(req.deviceId) as Json;
    db.close();
    expect(row.token_hash).toBe(createHash("sha256").update(deviceToken).digest("hex"));

    // Operator CLI and RPC reach the node by name or id.
    const info = await runCli(["nodes", "invoke", "pi", "system.info", "--url", gw.url, "--token", token], gwState.env);
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ platform: process.platform, hostname: expect.any(String) });
    const which = await op.call<Json>("node.invoke", { nodeId: req.deviceId, command: "system.which", params: { name: "sh" }, idempotencyKey: "w1" });
    expect(which.result.path).toMatch(/\/sh$/);
    const listed = await runCli(["nodes", "list", "--url", gw.url, "--token", token], gwState.env);
    expect(listed.stdout).toContain("pi");

    // system.run: allowlisted on the node → runs; not allowlisted → the node refuses, even though the gateway allows system.run.
    const ran = await op.call<Json>("node.invoke", { nodeId: "pi", command: "system.run", params: { command: "echo hello from the node" }, idempotencyKey: "r1" });
    expect(ran.result).toMatchObject({ exitCode: 0, stdout: "hello from the node\n" });
    const marker = join(node.dir, "pwned");
    const denied = await runCli(["nodes", "invoke", "pi", "system.run", "--params", JSON.stringify({ command: `touch ${marker}` }), "--url", gw.url, "--token", token], gwState.env);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/FORBIDDEN: .*askFallback: deny/);
    expect(existsSync(marker)).toBe(false);
    expect(await errCode(op.call("node.invoke", { nodeId: "pi", command: "system.run", params: { command: "echo hi", env: { LD_PRELOAD: "/tmp/x.so" } }, idempotencyKey: "r2" }))).toBe("FORBIDDEN");

    // Revoke (CLI, on disk) → the running gateway drops the node at once; its token is refused from then on.
    const t0 = Date.now();
    expect((await runCli(["devices", "revoke", "pi"], gwState.env)).code).toBe(0);
    await until(async () => ((await op.call<Json>("nodes.list")).nodes.length === 0 ? true : undefined), 3000);
    expect(Date.now() - t0).toBeLessThan(3000 + 2000);
    await node.waitFor(/refused this device's token/);
    await node.waitFor(/Waiting for approval[\s\S]*Waiting for approval/); // back to asking, not connected
    expect(await errCode(op.call("node.invoke", { nodeId: req.deviceId, command: "system.info", idempotencyKey: "a2" }))).toBe("NOT_FOUND");

    // And a replay of the stolen token with the node's own (real) key is refused too.
    const keyObj = (await import("node:crypto")).createPrivateKey(ident.privateKeyPem);
    const realIdentity: DeviceIdentity = { deviceId: ident.deviceId, publicKey: ident.publicKey, privateKey: keyObj };
    const r = await nodeConnect(gw.url, { token, deviceToken, identity: realIdentity });
    expect(r.res.error.code).toBe("UNAUTHORIZED");
  });

  it("a node that disconnects mid-invoke fails the call promptly instead of hanging", async () => {
    const token = randomToken();
    const gwState = tempStateDir({ gateway: { auth: { token }, nodes: { autoApproveLoopback: true, commands: { allow: ALL_COMMANDS } } } });
    const gw = await spawnGateway(gwState.env);
    const op = await GatewayClient.connect({ url: gw.url, token, timeoutMs: 60_000 });
    onCleanup(() => op.close());
    const node = spawnNode(gw.url, token, "laptop", { version: 1, agents: { node: { allowlist: [{ id: "s", pattern: "/usr/bin/sleep" }] } } });
    await node.waitFor(/Connected to/); // auto-approved: loopback and autoApproveLoopback on
    const call = op.call("node.invoke", { nodeId: "laptop", command: "system.run", params: { command: "sleep 30" }, timeoutMs: 60_000, idempotencyKey: "s1" });
    await sleep(500);
    const t0 = Date.now();
    node.child.kill("SIGKILL");
    await expect(call).rejects.toMatchObject({ code: "UNAVAILABLE", message: expect.stringMatching(/disconnected/) });
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});

// ---- raw-socket attacks against an in-process gateway ----------------------------------

async function nodeConnect(
  url: string,
  o: { token?: string; deviceToken?: string; identity?: DeviceIdentity; role?: "node" | "operator"; tamper?: (params: Json, nonce: string) => void; name?: string },
) {
  const c = rawWs(url);
  await c.handshake;
  const challenge = await c.next();
  const role = o.role ?? "node";
  const req = connectRequest({ token: o.token, deviceToken: o.deviceToken }, { role, client: { name: o.name ?? "attacker", version: "1", platform: "linux" } });
  if (o.identity) req.params.device = signConnect(o.identity, { nonce: challenge.payload.nonce, role });
  o.tamper?.(req.params, challenge.payload.nonce);
  c.send(req);
  const res = await c.nextWhere((f) => f.type === "res");
  return { c, res, req, nonce: challenge.payload.nonce as string };
}

async function pairedDevice(gw: Awaited<ReturnType<typeof startTestGateway>>) {
  const identity = generateIdentity();
  const first = await nodeConnect(gw.url, { token: gw.token, identity });
  expect(first.res.error.code).toBe("PAIRING_REQUIRED");
  expect(gw.gw.ctx.devices.approve(identity.deviceId)).toBeTruthy();
  const ok = await nodeConnect(gw.url, { token: gw.token, identity });
  expect(ok.res.ok).toBe(true);
  const deviceToken: string = ok.res.payload.auth.deviceToken;
  ok.c.ws.close();
  await ok.c.closed;
  return { identity, deviceToken };
}

describe("device pairing refuses attacks", () => {
  const cfg = { gateway: { auth: { rateLimit: { maxAttempts: 1000 } }, nodes: { commands: { allow: ALL_COMMANDS } } } };

  it("unpaired node → PAIRING_REQUIRED and closed; nothing about it is invocable", async () => {
    const gw = await startTestGateway(cfg);
    const identity = generateIdentity();
    const r = await nodeConnect(gw.url, { token: gw.token, identity });
    expect(r.res).toMatchObject({ ok: false, error: { code: "PAIRING_REQUIRED" } });
    expect((await r.c.closed).code).toBe(1008);
    expect(gw.gw.ctx.nodes.list()).toEqual([]);
    expect(gw.gw.ctx.devices.list().pending.map((p) => p.deviceId)).toEqual([identity.deviceId]);
  });

  it("a node without gateway auth, or without a device proof, is refused and queues nothing", async () => {
    const gw = await startTestGateway(cfg);
    const r1 = await nodeConnect(gw.url, { token: "wrong", identity: generateIdentity() });
    expect(r1.res.error.code).toBe("UNAUTHORIZED");
    const r2 = await nodeConnect(gw.url, { token: gw.token });
    expect(r2.res.error).toMatchObject({ code: "PAIRING_REQUIRED", message: expect.stringMatching(/signed device identity/) });
    expect((await r2.c.closed).code).toBe(1008);
    expect(gw.gw.ctx.devices.list().pending).toEqual([]);
  });

  it("a forged signature and a stale timestamp are refused", async () => {
    const gw = await startTestGateway(cfg);
    const { identity, deviceToken } = await pairedDevice(gw);
    const forged = await nodeConnect(gw.url, {
      token: gw.token,
      deviceToken,
      identity,
      tamper: (p) => {
        const sig = Buffer.from(p.device.signature, "base64url");
        sig[0]! ^= 0xff;
        p.device.signature = sig.toString("base64url");
      },
    });
    expect(forged.res.error).toMatchObject({ code: "UNAUTHORIZED", message: expect.stringMatching(/signature/) });
    expect((await forged.c.closed).code).toBe(1008);
    const stale = await nodeConnect(gw.url, {
      token: gw.token,
      deviceToken,
      identity,
      tamper: (p, nonce) => (p.device = signConnect(identity, { nonce, role: "node", signedAt: Date.now() - 121_000 })),
    });
    expect(stale.res.error).toMatchObject({ code: "UNAUTHORIZED", message: expect.stringMatching(/signedAt/) });
    expect(gw.gw.ctx.nodes.list()).toEqual([]);
  });

  it("a replayed connect (captured on one connection, sent on another) is refused", async () => {
    const gw = await startTestGateway(cfg);
    const { identity, deviceToken } = await pairedDevice(gw);
    const good = await nodeConnect(gw.url, { token: gw.token, deviceToken, identity });
    expect(good.res.ok).toBe(true);
    good.c.ws.close();
    await good.c.closed;
    const c = rawWs(gw.url);
    await c.handshake;
    await c.next();
    c.send({ ...good.req, id: "replay" });
    const res = await c.nextWhere((f) => f.type === "res");
    expect(res.error).toMatchObject({ code: "UNAUTHORIZED", message: expect.stringMatching(/does not verify/) });
    // And the same challenge cannot be answered twice on one connection either (the socket is gone after one try).
    expect((await c.closed).code).toBe(1008);
  });

  it("a stolen device token used with a different key is refused", async () => {
    const gw = await startTestGateway(cfg);
    const { identity: victim, deviceToken } = await pairedDevice(gw);
    const thief = generateIdentity();
    // The thief's own identity with the victim's token.
    const own = await nodeConnect(gw.url, { token: gw.token, deviceToken, identity: thief });
    expect(own.res.error.code).toBe("UNAUTHORIZED");
    // The victim's id and public key, signed with the thief's key.
    const posing = await nodeConnect(gw.url, {
      token: gw.token,
      deviceToken,
      identity: thief,
      tamper: (p, nonce) => (p.device = { ...signConnect(thief, { nonce, role: "node" }), id: victim.deviceId, publicKey: victim.publicKey }),
    });
    expect(posing.res.error.code).toBe("UNAUTHORIZED");
    // The victim's id with the thief's public key.
    const mixed = await nodeConnect(gw.url, {
      token: gw.token,
      deviceToken,
      identity: thief,
      tamper: (p) => (p.device.id = victim.deviceId),
    });
    expect(mixed.res.error.code).toBe("UNAUTHORIZED");
    expect(gw.gw.ctx.nodes.list()).toEqual([]);
    expect(gw.gw.ctx.devices.list().pending).toEqual([]); // a token-bearing stranger is not queued for pairing
  });

  it("a node claiming role operator with its device token is refused, with or without the gateway token", async () => {
    const gw = await startTestGateway(cfg);
    const { identity, deviceToken } = await pairedDevice(gw);
    const onlyDevice = await nodeConnect(gw.url, { deviceToken, identity, role: "operator" });
    expect(onlyDevice.res.error.code).toBe("UNAUTHORIZED");
    const withSecret = await nodeConnect(gw.url, { token: gw.token, deviceToken, identity, role: "operator" });
    expect(withSecret.res.error).toMatchObject({ code: "UNAUTHORIZED", message: expect.stringMatching(/role node/) });
    const noProof = await nodeConnect(gw.url, { token: gw.token, deviceToken, role: "operator" });
    expect(noProof.res.error.code).toBe("UNAUTHORIZED");
  });

  it("nodes may call only node methods; operators may not answer invokes", async () => {
    const gw = await startTestGateway(cfg);
    const { identity, deviceToken } = await pairedDevice(gw);
    const n = await nodeConnect(gw.url, { token: gw.token, deviceToken, identity });
    expect(n.res.payload.methods).toEqual(["health", "node.invoke.result"]);
    for (const m of ["nodes.list", "config.get", "device.pair.approve", "node.invoke", "chat.send"]) {
      expect((await rawCall(n.c, m, {})).error.code).toBe("FORBIDDEN");
    }
    const op = await GatewayClient.connect({ url: gw.url, token: gw.token });
    onCleanup(() => op.close());
    expect(await errCode(op.call("node.invoke.result", { id: "x", ok: true }))).toBe("FORBIDDEN");
  });

  it("every method in the registry is refused to a node except the node methods (a new method is closed to nodes unless listed)", async () => {
    const gw = await startTestGateway(cfg);
    const { identity, deviceToken } = await pairedDevice(gw);
    const n = await nodeConnect(gw.url, { token: gw.token, deviceToken, identity });
    const all = Object.keys(methods);
    expect(all.length).toBeGreaterThan(30);
    for (const m of all) {
      const res = await rawCall(n.c, m, {});
      if (m === "health" || m === "node.invoke.result") expect(res.error?.code, m).not.toBe("FORBIDDEN");
      else expect(res.error?.code, m).toBe("FORBIDDEN");
    }
    expect((await rawCall(n.c, "health", {})).ok).toBe(true); // positive control
    const op = await GatewayClient.connect({ url: gw.url, token: gw.token });
    onCleanup(() => op.close());
    expect([...op.hello.methods].sort()).toEqual(all.filter((m) => m !== "node.invoke.result").sort());
  });

  it("a paired node keeps the name it was approved under (no renaming into another node)", async () => {
    const gw = await startTestGateway(cfg);
    const { identity, deviceToken } = await pairedDevice(gw); // approved as "attacker"
    const n = await nodeConnect(gw.url, { token: gw.token, deviceToken, identity, name: "pi" });
    expect(n.res.ok).toBe(true);
    expect(gw.gw.ctx.nodes.list().map((x) => x.name)).toEqual(["attacker"]);
    expect(() => gw.gw.ctx.nodes.find("pi")).toThrow(/no connected node/);
  });

  it("revoking over RPC closes the node's socket at once", async () => {
    const gw = await startTestGateway(cfg);
    const { identity, deviceToken } = await pairedDevice(gw);
    const n = await nodeConnect(gw.url, { token: gw.token, deviceToken, identity });
    expect(n.res.ok).toBe(true);
    const op = await GatewayClient.connect({ url: gw.url, token: gw.token });
    onCleanup(() => op.close());
    expect(await op.call("device.revoke", { deviceId: identity.deviceId })).toMatchObject({ revoked: true });
    expect((await n.c.closed).code).toBe(1008);
    const again = await nodeConnect(gw.url, { token: gw.token, deviceToken, identity });
    expect(again.res.error.code).toBe("UNAUTHORIZED");
  });

  it("at most 20 pending requests", async () => {
    const gw = await startTestGateway(cfg);
    for (let i = 0; i < 20; i++) expect((await nodeConnect(gw.url, { token: gw.token, identity: generateIdentity() })).res.error.code).toBe("PAIRING_REQUIRED");
    const full = await nodeConnect(gw.url, { token: gw.token, identity: generateIdentity() });
    expect(full.res.error).toMatchObject({ code: "PAIRING_REQUIRED", message: expect.stringMatching(/queue is full/) });
    expect(gw.gw.ctx.devices.list().pending).toHaveLength(20);
  });
});
