// Outbound backpressure for one WebSocket client (docs/operations.md#outbound-buffer-slow-clients).
// Every frame the gateway sends passes `outboundDecision` first: a client that stops
// reading first loses droppable events (chat deltas, ticks) and gets one `resync` event,
// and is disconnected (1013) once what it has not read would pass the hard bound.
// Replies to its own requests are never dropped: if one cannot be buffered, the socket closes.

/** Close code for a client that does not read what it is sent (RFC 6455 "try again later"). */
export const CLOSE_SLOW_CONSUMER = 1013;

export type FrameKind = "reply" | "event" | "droppable";

export type OutboundDecision = "send" | "drop" | "close";

/**
 * `buffered` = bytes already queued for the socket (ws.bufferedAmount); `size` = this frame.
 * Below the soft bound (half the hard one) everything is sent. Above it droppable events
 * are dropped; other frames are sent while the total stays within the hard bound. A reply
 * or event may be larger than the bound on its own (one big chat.history), but only when
 * the client has read (almost) everything before it, so large results cannot pile up.
 */
export function outboundDecision(kind: FrameKind, buffered: number, size: number, maxBuffered: number): OutboundDecision {
  const soft = maxBuffered / 2;
  if (kind === "droppable") return buffered < soft && buffered + size <= maxBuffered ? "send" : "drop";
  if (buffered < soft) return "send";
  return buffered + size <= maxBuffered ? "send" : "close";
}

/** Which events a slow client may lose: it recovers them with a resync (chat.history). */
export function isDroppableEvent(event: string, payload: unknown): boolean {
  if (event === "tick") return true;
  if (event !== "chat" || !payload || typeof payload !== "object") return false;
  const state = (payload as { state?: unknown }).state;
  return state === "delta" || state === "tool" || state === "status";
}

/** An event frame with an already serialised payload: one JSON.stringify per broadcast, not per client. */
export function eventFrameText(event: string, payloadJson: string, seq: number): string {
  return `{"type":"event","event":${JSON.stringify(event)},"payload":${payloadJson},"seq":${seq}}`;
}
