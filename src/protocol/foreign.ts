// Clients of another gateway protocol (docs/protocol.md, "Clients of other gateways"):
// OpenClaw's CLI, TUI, node host and Control UI speak a similar but incompatible
// protocol. Their connect is recognised by its shape and answered with PROTOCOL_MISMATCH
// and one sentence, instead of a schema error they would retry for ever. Pure.

/** OpenClaw's connect params carry `minProtocol`/`maxProtocol` and `client.id` (ours: `client.name`). */
export function isOpenClawConnect(params: Record<string, unknown>): boolean {
  if ("minProtocol" in params || "maxProtocol" in params) return true;
  const client = params.client;
  return client !== null && typeof client === "object" && "id" in client && !("name" in client);
}

export const OPENCLAW_MISMATCH_MESSAGE =
  "this is a SimpleClaw gateway, not OpenClaw: OpenClaw clients cannot connect to it; use the simpleclaw CLI, TUI or Control UI (and `simpleclaw node run` for nodes), and see docs/migrating-from-openclaw.md.";

/** HTTP paths only OpenClaw's Control UI requests (its runtime config lives under /__openclaw/). */
export function isOpenClawHttpPath(path: string): boolean {
  return path === "/__openclaw" || path.startsWith("/__openclaw/");
}
