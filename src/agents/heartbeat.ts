// The heartbeat (docs/cron.md "Heartbeat"): every N minutes, if the agent's workspace has
// HEARTBEAT.md, the agent gets one turn with it; a reply that is exactly HEARTBEAT_OK means
// nothing needs attention and is not delivered. Pure text helpers; the scheduler runs it.
import { mdFence } from "./commands.js";

export const HEARTBEAT_FILE = "HEARTBEAT.md";
export const HEARTBEAT_OK = "HEARTBEAT_OK";
export const HEARTBEAT_MAX_BYTES = 64 * 1024;

export function heartbeatPrompt(checklist: string, now: Date): string {
  return [
    `Heartbeat check (${now.toISOString()}). Go through the owner's checklist from ${HEARTBEAT_FILE} below and do what it asks.`,
    `If nothing needs the owner's attention, reply with exactly ${HEARTBEAT_OK} and nothing else — that reply is not delivered.`,
    "Otherwise reply with a short message for the owner.",
    "",
    mdFence(checklist, "markdown"),
  ].join("\n");
}

/** A reply that only says nothing needs attention. */
export function heartbeatIsQuiet(reply: string): boolean {
  return reply.trim() === HEARTBEAT_OK;
}
