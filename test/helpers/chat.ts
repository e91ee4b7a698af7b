// Test helpers for chat through a real gateway: a GatewayClient that records every
// `chat` event and can wait for a run to end.
import { randomUUID } from "node:crypto";
import { GatewayClient } from "../../src/protocol/client.js";
import type { ChatEventView as ChatEventPayload } from "../../src/protocol/results.js";
import { onCleanup } from "./gateway.js";

export interface ChatClient {
  client: GatewayClient;
  events: ChatEventPayload[];
  send(message: string, opts?: { sessionKey?: string; idempotencyKey?: string }): Promise<{ runId: string; sessionKey: string; status: string; duplicate?: boolean }>;
  /** Resolves with the run's last event (final / error / aborted). */
  end(runId: string, timeoutMs?: number): Promise<ChatEventPayload>;
  /** Send and wait for the end. */
  ask(message: string, opts?: { sessionKey?: string }): Promise<ChatEventPayload>;
  of(runId: string): ChatEventPayload[];
}

export async function chatClient(url: string, token: string | undefined): Promise<ChatClient> {
  const client = await GatewayClient.connect({ url, token, timeoutMs: 20_000 });
  onCleanup(() => client.close());
  const events: ChatEventPayload[] = [];
  const waiters = new Set<() => void>();
  client.onEvent((event, payload) => {
    if (event !== "chat") return;
    events.push(payload as ChatEventPayload);
    for (const w of [...waiters]) w();
  });
  const ended = (runId: string) => events.find((e) => e.runId === runId && ["final", "error", "aborted"].includes(e.state));
  const api: ChatClient = {
    client,
    events,
    send: (message, opts = {}) =>
      client.call("chat.send", { message, idempotencyKey: opts.idempotencyKey ?? randomUUID(), ...(opts.sessionKey ? { sessionKey: opts.sessionKey } : {}) }),
    end: (runId, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const e = ended(runId);
          if (e) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(e);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`run ${runId} did not end within ${timeoutMs} ms; events: ${JSON.stringify(events.filter((e) => e.runId === runId))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    ask: async (message, opts) => api.end((await api.send(message, opts)).runId),
    of: (runId) => events.filter((e) => e.runId === runId),
  };
  return api;
}
