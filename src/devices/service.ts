// The gateway's device layer: the one call (`authorizeDevice`) that every connect with a
// device or a node role goes through after gateway auth, plus the operator actions
// (approve, reject, revoke) and a watcher that applies changes other processes (the
// `devices` CLI) make to state.db — a revoked device's socket is closed at once.
import type { Logger } from "../infra/log.js";
import type { NodeRegistry } from "../nodes/registry.js";
import { verifyDeviceProof, type DeviceProof, type DeviceRole } from "./identity.js";
import { autoApproveAllowed, deviceClientText, deviceConnectDecision, findDevice, type PairedDevice, type PendingDevice } from "../security/device-pairing.js";
import type { DeviceStore } from "./store.js";

export type DeviceAuth =
  | { ok: true; deviceId?: string; name?: string; issuedToken?: string; client?: { name: string; platform: string; version: string } }
  | { ok: false; code: "UNAUTHORIZED" | "PAIRING_REQUIRED" | "INVALID_REQUEST"; message: string; countsAsFailure: boolean };

export const WATCH_INTERVAL_MS = 250;

export class DeviceService {
  private timer: NodeJS.Timeout | undefined;
  /** device id → token hash the live connection presented (or was issued). */
  private liveTokens = new Map<string, string>();

  constructor(
    readonly store: DeviceStore,
    private deps: {
      nodes: NodeRegistry;
      autoApproveLoopback: () => boolean;
      /** gateway.tailscale.mode: serve/funnel forward other machines from loopback. */
      tailscaleMode?: () => "off" | "serve" | "funnel";
      broadcast(event: string, payload: unknown): void;
      logger: Logger;
    },
  ) {}

  /**
   * Decides a connect that passed gateway auth. Nodes must carry a device proof; an
   * operator may carry one (then it must verify too). `nonce` is this connection's challenge.
   */
  authorizeDevice(input: {
    role: DeviceRole;
    device: DeviceProof | undefined;
    deviceToken: string | undefined;
    nonce: string;
    remoteAddress: string;
    /** The WebSocket upgrade carried forwarding headers (a proxy is in front). */
    forwarded?: boolean;
    client: { name: string; version: string; platform: string };
    now?: number;
  }): DeviceAuth {
    const now = input.now ?? Date.now();
    const { role, device, deviceToken } = input;
    // What the device says about itself is kept and shown escaped (security/device-pairing.ts).
    const client = deviceClientText(input.client);
    if (!device) {
      if (role === "node") {
        return { ok: false, code: "PAIRING_REQUIRED", message: "node connections need a signed device identity (device) that the operator approved; see docs/nodes.md.", countsAsFailure: false };
      }
      if (deviceToken) return { ok: false, code: "UNAUTHORIZED", message: "a device token is only valid together with a signed device identity.", countsAsFailure: true };
      return { ok: true };
    }
    const proof = verifyDeviceProof(device, { nonce: input.nonce, role, now });
    if (!proof.ok) return { ok: false, code: "UNAUTHORIZED", message: `${proof.reason}.`, countsAsFailure: true };
    const paired = this.store.get(proof.deviceId);
    const decision = deviceConnectDecision({ role, publicKey: proof.publicKey, paired, deviceToken });
    if (decision.kind === "refuse") return { ok: false, code: decision.code, message: decision.message, countsAsFailure: true };
    if (decision.kind === "accept") {
      if (role === "operator" && !paired) return { ok: true };
      let issuedToken: string | undefined;
      if (decision.issueToken) {
        issuedToken = this.store.issueToken(proof.deviceId, now);
        if (!issuedToken) return { ok: false, code: "UNAUTHORIZED", message: "this device's token was already issued; present it.", countsAsFailure: true };
      }
      this.store.touch(proof.deviceId, client.platform, now);
      const rec = this.store.get(proof.deviceId);
      this.liveTokens.set(proof.deviceId, rec?.tokenHash ?? "");
      // The name is the one the operator approved: a node cannot rename itself into another's.
      return { ok: true, deviceId: proof.deviceId, name: rec?.name ?? client.name, client, ...(issuedToken ? { issuedToken } : {}) };
    }
    // Unknown node: hold it for the operator (or approve at once on loopback when configured).
    const step = this.store.request(
      {
        deviceId: proof.deviceId,
        publicKey: proof.publicKey,
        role,
        name: client.name,
        platform: client.platform,
        clientVersion: client.version,
        remoteAddress: input.remoteAddress,
      },
      now,
    );
    if (step.kind === "full") {
      this.deps.logger.warn("device pairing queue full", { deviceId: proof.deviceId, addr: input.remoteAddress });
      return { ok: false, code: "PAIRING_REQUIRED", message: "this device is not paired and the pairing queue is full; try again when pending requests expire or are decided.", countsAsFailure: false };
    }
    if (autoApproveAllowed({ enabled: this.deps.autoApproveLoopback(), remoteAddress: input.remoteAddress, forwarded: input.forwarded ?? false, tailscale: this.deps.tailscaleMode?.() ?? "off" })) {
      this.store.approve(proof.deviceId, now);
      this.deps.logger.info("device auto-approved on loopback", { deviceId: proof.deviceId, name: client.name });
      return this.authorizeDevice({ ...input, now });
    }
    if (step.kind === "created") {
      this.deps.logger.info("device pairing requested", { deviceId: proof.deviceId, name: client.name, addr: input.remoteAddress });
      this.deps.broadcast("device.pair.requested", pendingEvent(step.request));
    }
    return {
      ok: false,
      code: "PAIRING_REQUIRED",
      message: `this device (${proof.deviceId.slice(0, 12)}) is waiting for approval: run simpleclaw devices approve ${proof.deviceId.slice(0, 12)} on the gateway.`,
      countsAsFailure: false,
    };
  }

  /** The live connection of this device ended. */
  forget(deviceId: string): void {
    this.liveTokens.delete(deviceId);
  }

  /** Whether the device may still act (checked before every invoke). */
  stillPaired(deviceId: string): boolean {
    const rec = this.store.get(deviceId);
    const live = this.liveTokens.get(deviceId);
    return !!rec && rec.tokenHash !== null && rec.tokenHash === live;
  }

  list(now = Date.now()): { pending: PendingDevice[]; paired: Array<Omit<PairedDevice, "tokenHash"> & { connected: boolean }> } {
    const connected = new Set(this.deps.nodes.connectedIds());
    return {
      pending: this.store.pending(now),
      paired: this.store.paired().map(({ tokenHash: _hash, ...d }) => ({ ...d, connected: connected.has(d.deviceId) })),
    };
  }

  approve(ref: string): PairedDevice | undefined {
    const found = findDevice(this.store.pending(), ref);
    if (!found.ok) return undefined;
    const rec = this.store.approve(found.device.deviceId);
    if (rec) this.deps.broadcast("device.pair.resolved", { deviceId: rec.deviceId, decision: "approved" });
    return rec;
  }

  reject(ref: string): PendingDevice | undefined {
    const found = findDevice(this.store.pending(), ref);
    if (!found.ok || !this.store.reject(found.device.deviceId)) return undefined;
    this.deps.broadcast("device.pair.resolved", { deviceId: found.device.deviceId, decision: "rejected" });
    return found.device;
  }

  revoke(ref: string): PairedDevice | undefined {
    const found = findDevice(this.store.paired(), ref);
    if (!found.ok || !this.store.revoke(found.device.deviceId)) return undefined;
    this.dropRevoked();
    this.deps.broadcast("device.pair.resolved", { deviceId: found.device.deviceId, decision: "revoked" });
    return found.device;
  }

  /** Closes every node connection whose device is no longer paired with the token it used. */
  private dropRevoked(): void {
    for (const id of this.deps.nodes.connectedIds()) {
      if (this.stillPaired(id)) continue;
      this.liveTokens.delete(id);
      if (this.deps.nodes.disconnect(id, "device revoked")) this.deps.logger.info("revoked device disconnected", { deviceId: id });
    }
  }

  /** Polls state.db for commits by other processes (the `devices` CLI) and applies revocations. */
  watch(): void {
    this.timer = setInterval(() => {
      try {
        if (this.store.changed()) this.dropRevoked();
      } catch (err) {
        this.deps.logger.warn("device store check failed", { err: (err as Error).message });
      }
    }, WATCH_INTERVAL_MS);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }
}

export function pendingEvent(p: PendingDevice) {
  return { deviceId: p.deviceId, name: p.name, platform: p.platform, role: p.role, remoteAddress: p.remoteAddress, createdAt: p.createdAt, expiresAt: p.expiresAt };
}

