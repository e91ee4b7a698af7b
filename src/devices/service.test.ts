import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStateDb } from "../infra/db.js";
import { NodeRegistry } from "../nodes/registry.js";
import { generateIdentity, signConnect } from "./identity.js";
import { DeviceService } from "./service.js";
import { DeviceStore } from "./store.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function service() {
  const dir = mkdtempSync(join(tmpdir(), "simpleclaw-devices-"));
  dirs.push(dir);
  const nodes = new NodeRegistry({ commands: () => ({ allow: ["*"], deny: [] }) });
  const quiet = { info() {}, warn() {}, error() {}, debug() {} } as never;
  return new DeviceService(new DeviceStore(openStateDb(join(dir, "state.db"))), { nodes, autoApproveLoopback: () => false, broadcast() {}, logger: quiet });
}

describe("DeviceService keeps what a device says about itself escaped", () => {
  it("a paired node that reconnects with a new platform string cannot put terminal escapes into devices list", () => {
    const svc = service();
    const id = generateIdentity();
    const connect = (platform: string, deviceToken?: string) => {
      const nonce = `n${Math.random()}`;
      return svc.authorizeDevice({ role: "node", device: signConnect(id, { nonce, role: "node" }), deviceToken, nonce, remoteAddress: "192.0.2.7", client: { name: "pi", version: "0.1.0", platform } });
    };
    expect(connect("linux")).toMatchObject({ ok: false, code: "PAIRING_REQUIRED" });
    expect(svc.approve(id.deviceId)).toBeDefined();
    const first = connect("linux");
    expect(first).toMatchObject({ ok: true, client: { platform: "linux" } });
    const token = (first as { issuedToken: string }).issuedToken;
    const again = connect("linux\x1b]0;owned\x07\n  fake line", token);
    expect(again).toMatchObject({ ok: true, client: { platform: "linux\\x1b]0;owned\\x07\\n  fake line" } });
    const listed = svc.list().paired[0]!;
    expect(listed.platform).toBe("linux\\x1b]0;owned\\x07\\n  fake line");
    expect(listed.name).toBe("pi");
  });
});

describe("gateway.nodes.autoApproveLoopback approves only devices that really connect from this machine", () => {
  function svcWith(tailscale: "off" | "serve" | "funnel") {
    const dir = mkdtempSync(join(tmpdir(), "simpleclaw-devices-"));
    dirs.push(dir);
    const nodes = new NodeRegistry({ commands: () => ({ allow: ["*"], deny: [] }) });
    const quiet = { info() {}, warn() {}, error() {}, debug() {} } as never;
    return new DeviceService(new DeviceStore(openStateDb(join(dir, "state.db"))), { nodes, autoApproveLoopback: () => true, tailscaleMode: () => tailscale, broadcast() {}, logger: quiet });
  }
  const connect = (svc: DeviceService, forwarded: boolean) => {
    const id = generateIdentity();
    const nonce = "n1";
    return svc.authorizeDevice({ role: "node", device: signConnect(id, { nonce, role: "node" }), deviceToken: undefined, nonce, remoteAddress: "127.0.0.1", forwarded, client: { name: "pi", version: "0.1.0", platform: "linux" } });
  };

  it("a connection a local reverse proxy forwarded (its peer is 127.0.0.1) waits for approval", () => {
    expect(connect(svcWith("off"), true)).toMatchObject({ ok: false, code: "PAIRING_REQUIRED" });
  });

  it("with Tailscale serve/funnel, which forwards other machines from loopback, every device waits for approval", () => {
    expect(connect(svcWith("serve"), false)).toMatchObject({ ok: false, code: "PAIRING_REQUIRED" });
    expect(connect(svcWith("funnel"), false)).toMatchObject({ ok: false, code: "PAIRING_REQUIRED" });
  });

  it("a node on this machine connecting directly is still approved at once", () => {
    expect(connect(svcWith("off"), false)).toMatchObject({ ok: true, issuedToken: expect.any(String) });
  });
});
