// `simpleclaw node run` (this machine joins a gateway as a node) and
// `simpleclaw nodes list|invoke` (the operator uses connected nodes through the gateway).
import type { Command } from "commander";
import { clientOptions } from "./gateway.js";

export function registerNodeCommands(program: Command): void {
  const node = program.command("node").description("run this machine as a node of a gateway");
  node
    .command("run")
    .description("connect to a gateway as a node, wait for approval, and serve system.run/which/info/notify")
    .requiredOption("--url <url>", "gateway WebSocket URL, ws[s]://host:port/ws")
    .option("--token <token>", "gateway token (default: SIMPLECLAW_GATEWAY_TOKEN)")
    .option("--password <password>", "gateway password (default: SIMPLECLAW_GATEWAY_PASSWORD)")
    .option("--name <name>", "name shown to the operator (default: the hostname)")
    .option("--tls-fingerprint <sha256>", "pin the gateway's TLS certificate")
    .option("--reconnect-max <seconds>", "longest wait between reconnect attempts", "30")
    .action(async (opts) => (await import("./nodes-actions.js")).nodeRun(opts));

  const nodes = program.command("nodes").description("list connected nodes and invoke their commands");
  clientOptions(nodes.command("list").description("connected nodes and the commands you may invoke").option("--json", "print JSON")).action(
    async (opts) => (await import("./nodes-actions.js")).nodesList(opts),
  );
  clientOptions(
    nodes
      .command("invoke <node> <command>")
      .description("run a node command (node by device id, id prefix or name) and print its result as JSON")
      .option("--params <json>", "command params as a JSON object", "{}")
      .option("--timeout <ms>", "how long to wait for the node", "30000"),
  ).action(async (nodeRef: string, command: string, opts) => (await import("./nodes-actions.js")).nodesInvoke(nodeRef, command, opts));
}
