// The `nodes` tool (group "nodes"): list the owner's connected nodes and invoke a node
// command. Which commands exist at all is gateway.nodes.commands (enforced in
// nodes/registry.ts, the one call site); what actually runs on a node is decided by
// that node's own policy (its exec-approvals.json for system.run).
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { type ToolDef } from "./types.js";
import { ToolError } from "../infra/errors.js";

const input = z.strictObject({
  action: z.enum(["list", "invoke"]).describe('"list" shows connected nodes and the commands you may invoke; "invoke" runs one.'),
  node: z.string().min(1).max(128).optional().describe("Node name or device id (for invoke)."),
  command: z.string().min(1).max(128).optional().describe('Node command, e.g. "system.info" (for invoke).'),
  params: z.record(z.string(), z.unknown()).optional().describe("Command parameters, e.g. {\"name\":\"git\"} for system.which."),
  timeoutMs: z.number().int().min(1).max(600_000).optional(),
});
type Input = z.output<typeof input>;

const MAX_RESULT_CHARS = 100_000;

export const nodesTool: ToolDef<Input> = {
  name: "nodes",
  group: "nodes",
  description:
    "The owner's other machines (nodes) paired with this gateway: list them, or invoke an allowed command on one (system.info, system.which, system.notify, and system.run where the owner allows it; the node's own policy still decides).",
  inputSchema: input,
  async execute(args, ctx) {
    const nodes = ctx.services?.nodes;
    if (!nodes) throw new ToolError("nodes are unavailable outside a running gateway.");
    if (args.action === "list") {
      const list = nodes.list().map((n) => ({
        node: n.name,
        nodeId: n.nodeId,
        platform: n.platform,
        commands: n.commands.filter((c) => nodes.commandAllowed(c)),
      }));
      return list.length ? JSON.stringify(list, null, 2) : "No nodes are connected.";
    }
    if (!args.node || !args.command) throw new ToolError('invoke needs "node" and "command".');
    let result: unknown;
    try {
      result = await nodes.invoke({ node: args.node, command: args.command, params: args.params ?? {}, timeoutMs: args.timeoutMs, idempotencyKey: randomUUID() });
    } catch (err) {
      throw new ToolError(`${args.command} on ${args.node} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    const text = JSON.stringify(result, null, 2) ?? "null";
    return text.length > MAX_RESULT_CHARS ? `${text.slice(0, MAX_RESULT_CHARS)}\n[result cut at ${MAX_RESULT_CHARS} characters]` : text;
  },
};
