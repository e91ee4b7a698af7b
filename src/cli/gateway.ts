// `simpleclaw gateway [run] | status | call | install | uninstall | start | stop | restart`:
// run the gateway in the foreground, talk to a running one over the WebSocket protocol,
// or manage it as a user service (service-actions.ts).
import type { Command } from "commander";

interface ClientFlags {
  url?: string;
  token?: string;
  password?: string;
  tlsFingerprint?: string;
  json?: boolean;
}

export function clientOptions(cmd: Command): Command {
  return cmd
    .option("--url <url>", "gateway WebSocket URL (default: from config)")
    .option("--token <token>", "gateway token (default: SIMPLECLAW_GATEWAY_TOKEN or config)")
    .option("--password <password>", "gateway password (default: SIMPLECLAW_GATEWAY_PASSWORD or config)")
    .option("--tls-fingerprint <sha256>", "pin the gateway's TLS certificate");
}

export function registerGatewayCommands(program: Command): void {
  const gateway = program.command("gateway").description("run the gateway or query a running one");

  gateway
    .command("run", { isDefault: true })
    .description("run the gateway in the foreground (HTTP + WebSocket on one port)")
    .argument("[port]", "port to listen on, same as --port (so `npm start -- 18790` works)")
    .option("--port <port>", "port to listen on (beats SIMPLECLAW_GATEWAY_PORT and gateway.port)")
    .action(async (positional: string | undefined, opts: { port?: string }) => {
      const { runGatewayForeground } = await import("./gateway-run.js");
      // `npm start --port 18790` hands us "18790" alone (npm keeps --port for itself).
      await runGatewayForeground({ ...opts, ...(opts.port === undefined && positional !== undefined ? { port: positional } : {}) });
    });

  clientOptions(gateway.command("status").description("show whether the gateway runs, and its bind, port, TLS and auth"))
    .option("--json", "print the status as JSON")
    .action(async (opts: ClientFlags) => {
      const { gatewayStatus } = await import("./gateway-client.js");
      await gatewayStatus(opts);
    });

  const service: Array<[string, string]> = [
    ["install", "install and start the gateway as a user service (systemd on Linux, launchd on macOS)"],
    ["uninstall", "stop the service and remove its unit/plist"],
    ["start", "start the installed service"],
    ["stop", "stop the installed service"],
    ["restart", "restart the installed service (after an upgrade or a config change)"],
  ];
  for (const [name, description] of service) {
    gateway
      .command(name)
      .description(description)
      .action(async () => {
        const { serviceCommand } = await import("./service-actions.js");
        await serviceCommand(name as "install" | "uninstall" | "start" | "stop" | "restart");
      });
  }

  clientOptions(gateway.command("call <method>").description("call a gateway RPC method and print its result as JSON"))
    .option("--params <json>", "method params as a JSON object", "{}")
    .action(async (method: string, opts: ClientFlags & { params: string }) => {
      const { gatewayCall } = await import("./gateway-client.js");
      await gatewayCall(method, opts);
    });
}
