// `simpleclaw devices list|approve|reject|revoke`: device pairing for nodes. Works on
// state.db directly, so it works with or without a running gateway; a running gateway
// picks changes up at once (a revoked node is disconnected within a second).
import type { Command } from "commander";

export function registerDeviceCommands(program: Command): void {
  const devices = program.command("devices").description("approve, reject and revoke nodes (device pairing)");
  devices
    .command("list")
    .description("pending pairing requests and paired devices")
    .option("--json", "print JSON")
    .action(async (opts) => (await import("./devices-actions.js")).devicesList(opts));
  devices
    .command("approve <device>")
    .description("pair a waiting device (by id, id prefix or name); it gets its device token on its next connect")
    .action(async (ref: string) => (await import("./devices-actions.js")).devicesApprove(ref));
  devices
    .command("reject <device>")
    .description("drop a pending pairing request")
    .action(async (ref: string) => (await import("./devices-actions.js")).devicesReject(ref));
  devices
    .command("revoke <device>")
    .description("unpair a device: its token stops working and a running gateway disconnects it")
    .action(async (ref: string) => (await import("./devices-actions.js")).devicesRevoke(ref));
}
