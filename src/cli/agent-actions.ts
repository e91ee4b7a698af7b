// Implementations of `simpleclaw agent` and `simpleclaw sessions …` (lazy-loaded).
import { escapeForDisplay } from "../infra/display.js";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { transcriptJson, transcriptMarkdown } from "../agents/commands.js";
import type { TranscriptEntry } from "../agents/store.js";
import { writeFileAtomic } from "../infra/atomic-fs.js";
import { EXIT, UserError } from "../infra/errors.js";
import { GatewayError, type GatewayClient } from "../protocol/client.js";
import { chatEvent } from "../protocol/schema.js";
import type { ChatEventView as ChatEventPayload } from "../protocol/results.js";
import { connect, type Flags } from "./gateway-client.js";

async function withClient<T>(flags: Flags, fn: (c: GatewayClient) => Promise<T>): Promise<T> {
  const client = await connect(flags);
  try {
    return await fn(client);
  } catch (err) {
    if (err instanceof GatewayError) throw new UserError(`${err.code}: ${err.message}`);
    throw err;
  } finally {
    await client.close();
  }
}

function sessionFor(opts: { agent?: string; session?: string }): string | undefined {
  if (opts.session && opts.agent) throw new UserError("pass either --agent or --session, not both.", EXIT.usage);
  if (opts.agent) return `agent:${opts.agent}:main`;
  return opts.session;
}

export async function agentSend(opts: Flags & { message: string; agent?: string; session?: string }): Promise<void> {
  const sessionKey = sessionFor(opts);
  await withClient(opts, async (client) => {
    const buffered: ChatEventPayload[] = [];
    let runId: string | undefined;
    let streamed = false;
    const tools: Array<{ name: string; input?: unknown; result?: string; error?: string }> = [];
    /** Approvals this run is waiting on: id → command. */
    const waiting = new Map<string, string>();
    const done = new Promise<ChatEventPayload>((resolveDone) => {
      const handle = (e: ChatEventPayload) => {
        if (e.state === "delta" && !opts.json) {
          process.stdout.write(escapeForDisplay(e.delta ?? ""));
          streamed = true;
        } else if (e.state === "tool") {
          if (e.phase === "call") tools.push({ name: e.name ?? "?", input: e.input });
          else {
            const t = tools.findLast((x) => x.name === e.name);
            if (t) Object.assign(t, { result: e.result, error: e.error });
            if (!opts.json && e.error) process.stderr.write(`\n[tool ${e.name} refused/failed: ${e.error}]\n`);
          }
        } else if (e.state === "status" && e.approval) {
          // Never wait silently: say what waits, for how long, and how to answer (docs/cli.md).
          const a = e.approval;
          waiting.set(a.id, a.command);
          const secs = Math.max(0, Math.round((a.expiresAt - Date.now()) / 1000));
          process.stderr.write(
            `${streamed ? "\n" : ""}[waiting for approval ${a.id} to run: ${escapeForDisplay(a.command, { oneLine: true })}]\n` +
              `[approve with \`simpleclaw approvals approve ${a.id}\` (or deny with \`simpleclaw approvals deny ${a.id}\`), or in the Control UI or TUI; denied in ${secs} s without an answer]\n`,
          );
        } else if (e.state === "fallback" && !opts.json) {
          process.stderr.write(`[falling back from ${e.from} to ${e.to}]\n`);
        } else if (e.state === "final" || e.state === "error" || e.state === "aborted") {
          resolveDone(e);
        }
      };
      client.onEvent((event, payload) => {
        if (event === "exec.approval.resolved") {
          const r = payload as { id?: unknown; decision?: unknown; by?: unknown };
          if (typeof r.id === "string" && waiting.delete(r.id)) {
            const what = r.decision === "allow-once" ? "allowed once" : r.decision === "allow-always" ? "allowed (and added to the allowlist)" : "denied";
            const by = r.by === "timeout" ? "nobody answered in time" : `by ${escapeForDisplay(String(r.by ?? "?"), { oneLine: true })}`;
            process.stderr.write(`[approval ${r.id}: ${what}, ${by}]\n`);
          }
          return;
        }
        if (event !== "chat") return;
        const parsed = chatEvent.safeParse(payload);
        if (!parsed.success) return;
        if (runId === undefined) buffered.push(parsed.data);
        else if (parsed.data.runId === runId) handle(parsed.data);
      });
      const onInterrupt = () => {
        if (runId) void client.call("chat.abort", { sessionKey: sessionKey ?? undefined, runId }).catch(() => {});
      };
      process.once("SIGINT", onInterrupt);
      void client
        .call<{ runId: string }>("chat.send", { message: opts.message, idempotencyKey: randomUUID(), ...(sessionKey ? { sessionKey } : {}) })
        .then((ack) => {
          runId = ack.runId;
          for (const e of buffered.splice(0)) if (e.runId === runId) handle(e);
        })
        .catch((err) => resolveDone({ runId: "", sessionKey: "", state: "error", message: err instanceof GatewayError ? `${err.code}: ${err.message}` : String(err) }));
    });
    // No per-call timeout for the reply itself: a run may take minutes.
    const end = await done;
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ runId: end.runId, sessionKey: end.sessionKey, state: end.state, text: end.text ?? "", message: end.message, model: end.model, usage: end.usage, tools }, null, 2)}\n`);
    } else if (end.state === "final") {
      if (!streamed) process.stdout.write(escapeForDisplay(end.text ?? ""));
      process.stdout.write("\n");
    } else if (end.state === "aborted") {
      process.stdout.write("\n");
      process.stderr.write("[stopped]\n");
    }
    if (end.state === "error") throw new UserError(end.message ?? "the run failed.");
    if (end.state === "aborted") process.exitCode = 130;
  });
}

interface SessionRow {
  key: string;
  agentId: string;
  updatedAt: number;
  messageCount: number;
  inputTokens: number;
  outputTokens: number;
  lastModel: string | null;
}

export async function sessionsList(opts: Flags & { json?: boolean }): Promise<void> {
  await withClient(opts, async (client) => {
    const { sessions } = await client.call<{ sessions: SessionRow[] }>("sessions.list");
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(sessions, null, 2)}\n`);
      return;
    }
    if (sessions.length === 0) {
      process.stdout.write("No sessions yet. Start one with: simpleclaw agent -m \"hello\"\n");
      return;
    }
    for (const s of sessions) {
      process.stdout.write(
        `${s.key}  ${s.messageCount} messages  ${s.inputTokens}/${s.outputTokens} tokens  ${s.lastModel ?? "-"}  updated ${new Date(s.updatedAt).toISOString()}\n`,
      );
    }
  });
}

type History = { sessionKey: string; messages: TranscriptEntry[] };

export async function sessionsShow(key: string | undefined, opts: Flags & { limit: string; json?: boolean }): Promise<void> {
  const limit = Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UserError("--limit must be a whole number from 1 to 1000.", EXIT.usage);
  await withClient(opts, async (client) => {
    const h = await client.call<History>("chat.history", { limit, ...(key ? { sessionKey: key } : {}) });
    process.stdout.write(opts.json ? transcriptJson(h.sessionKey, h.messages, new Date()) : transcriptMarkdown(h.sessionKey, h.messages, new Date()));
  });
}

export async function sessionsExport(key: string, path: string, opts: Flags & { force?: boolean }): Promise<void> {
  const target = resolve(path);
  if (existsSync(target) && !opts.force) throw new UserError(`${target} already exists; add --force to overwrite it.`);
  await withClient(opts, async (client) => {
    const h = await client.call<History>("chat.history", { sessionKey: key, limit: 1000 });
    const body = target.endsWith(".json") ? transcriptJson(h.sessionKey, h.messages, new Date()) : transcriptMarkdown(h.sessionKey, h.messages, new Date());
    writeFileAtomic(target, body, 0o600);
    process.stdout.write(`Exported ${h.messages.length} messages from ${h.sessionKey} to ${target}\n`);
  });
}

export async function sessionsReset(key: string | undefined, opts: Flags): Promise<void> {
  await withClient(opts, async (client) => {
    const r = await client.call<{ sessionKey: string; reset: boolean }>("sessions.reset", key ? { sessionKey: key } : {});
    process.stdout.write(r.reset ? `Reset ${r.sessionKey}; the old transcript is archived.\n` : `${r.sessionKey} has no transcript yet.\n`);
  });
}
