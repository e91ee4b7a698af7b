// Chat with the default agent's main session: history from chat.history, sending with
// chat.send, the reply streamed from `chat` events (text deltas, tool calls and results,
// status lines), and Stop → chat.abort.
import { useEffect, useRef, useState } from "preact/hooks";
import { randomId, type Gateway } from "../gateway";
import { useEvents } from "../hooks";
import { clip, describeInput, toItems, type HistoryEntry, type Item } from "../transcript";

type Segment =
  | { kind: "text"; text: string }
  | { kind: "tool-call"; name: string; detail: string }
  | { kind: "tool-result"; name: string; detail: string; error: boolean }
  | { kind: "note"; text: string };

interface LiveRun {
  runId: string;
  userText?: string;
  segments: Segment[];
  state: "running" | "final" | "error" | "aborted";
  error?: string;
}

const ENDS = new Set(["final", "error", "aborted"]);

export function ItemView(props: { item: Item }) {
  const it = props.item;
  if (it.kind === "user" || it.kind === "assistant") {
    return (
      <div class={`msg ${it.kind}`}>
        <div class="who">{it.kind === "user" ? "You" : "Assistant"}</div>
        <div class="text">{it.text}</div>
      </div>
    );
  }
  if (it.kind === "tool-call") {
    return (
      <div class="tool call">
        <span class="tool-name">⚙ {it.name}</span> <code>{it.detail}</code>
      </div>
    );
  }
  return (
    <div class={`tool result${it.error ? " error" : ""}`}>
      <span class="tool-name">↳ {it.name}</span> <code>{it.detail}</code>
    </div>
  );
}

export function ChatPage(props: { gw: Gateway; pendingApprovals: number }) {
  const { gw } = props;
  const [sessionKey, setSessionKey] = useState<string | undefined>(undefined);
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const [runs, setRuns] = useState<LiveRun[]>([]);
  const [error, setError] = useState<string | undefined>(undefined);
  const [draft, setDraft] = useState("");
  const keyRef = useRef<string | undefined>(undefined);
  const logRef = useRef<HTMLDivElement>(null);

  const loadHistory = async () => {
    try {
      const r = await gw.call<{ sessionKey: string; messages: HistoryEntry[] }>("chat.history", { limit: 200 });
      keyRef.current = r.sessionKey;
      setSessionKey(r.sessionKey);
      setHistory(r.messages);
      const stored = new Set(r.messages.map((m) => m.runId));
      // Finished runs now in the transcript are shown from it; others (e.g. command replies) stay.
      // A failed run stays too: the transcript keeps the user's message but not the error, and
      // the error (model down, key refused) is what the operator needs to see.
      setRuns((list) =>
        list
          .filter((run) => run.state === "running" || run.state === "error" || !stored.has(run.runId))
          .map((run) => (run.state === "error" && stored.has(run.runId) ? { ...run, userText: undefined } : run)),
      );
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useEffect(() => {
    void loadHistory();
  }, [gw]);

  const update = (runId: string, fn: (r: LiveRun) => LiveRun) =>
    setRuns((list) => {
      const i = list.findIndex((r) => r.runId === runId);
      if (i < 0) return [...list, fn({ runId, segments: [], state: "running" })];
      const next = list.slice();
      next[i] = fn(list[i]!);
      return next;
    });

  useEvents(gw, ["chat"], (_e, p) => {
    if (!p || (keyRef.current && p.sessionKey !== keyRef.current)) return;
    const runId = String(p.runId);
    const push = (seg: Segment) => update(runId, (r) => ({ ...r, segments: [...r.segments, seg] }));
    switch (p.state) {
      case "delta":
        update(runId, (r) => {
          const last = r.segments[r.segments.length - 1];
          if (last?.kind === "text") return { ...r, segments: [...r.segments.slice(0, -1), { kind: "text", text: last.text + (p.delta ?? "") }] };
          return { ...r, segments: [...r.segments, { kind: "text", text: p.delta ?? "" }] };
        });
        break;
      case "tool":
        if (p.phase === "call") push({ kind: "tool-call", name: String(p.name), detail: clip(describeInput(p.input)) });
        else push({ kind: "tool-result", name: String(p.name), detail: clip(p.error ?? p.result ?? ""), error: p.error !== undefined });
        break;
      case "status":
        push({ kind: "note", text: String(p.text ?? "") });
        break;
      case "fallback":
        push({ kind: "note", text: `model ${p.from} failed (${p.reason ?? "error"}); using ${p.to}` });
        break;
      default:
        if (ENDS.has(p.state)) {
          update(runId, (r) => {
            const hasText = r.segments.some((s) => s.kind === "text" && s.text.length);
            const segments: Segment[] = !hasText && p.text ? [...r.segments, { kind: "text", text: String(p.text) }] : r.segments;
            return { ...r, segments, state: p.state, error: p.state === "error" ? String(p.message ?? "the run failed") : undefined };
          });
          void loadHistory();
        }
    }
  });

  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [history, runs]);

  const send = async () => {
    const message = draft.trim();
    if (!message) return;
    setDraft("");
    setError(undefined);
    try {
      const ack = await gw.call<{ runId: string; sessionKey: string; status: string }>("chat.send", {
        message,
        idempotencyKey: randomId(),
        ...(keyRef.current ? { sessionKey: keyRef.current } : {}),
      });
      if (!keyRef.current) {
        keyRef.current = ack.sessionKey;
        setSessionKey(ack.sessionKey);
      }
      if (ack.status === "done") {
        void loadHistory();
        return;
      }
      update(ack.runId, (r) => ({ ...r, userText: message, segments: ack.status === "queued" && !r.segments.length ? [{ kind: "note", text: "queued behind the current run" }] : r.segments }));
    } catch (err) {
      setDraft(message);
      setError((err as Error).message);
    }
  };

  const running = runs.some((r) => r.state === "running");
  const stop = async () => {
    try {
      await gw.call("chat.abort", keyRef.current ? { sessionKey: keyRef.current } : {});
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <div class="chat">
      <div class="page-head">
        <h2>Chat</h2>
        <span class="muted small">{sessionKey ?? "…"}</span>
      </div>
      {props.pendingApprovals > 0 && (
        <p class="banner" id="chat-approval-banner">
          {props.pendingApprovals === 1 ? "A command waits" : `${props.pendingApprovals} commands wait`} for your approval.{" "}
          <a href="#/approvals">Review</a>
        </p>
      )}
      <div class="log" ref={logRef} id="chat-log" aria-live="polite">
        {history.length === 0 && runs.length === 0 && <p class="muted">No messages yet. Say hello.</p>}
        {toItems(history).map((it) => (
          <ItemView item={it} key={it.key} />
        ))}
        {runs.map((run) => (
          <div class={`run ${run.state}`} key={run.runId} data-run-id={run.runId}>
            {run.userText && (
              <div class="msg user">
                <div class="who">You</div>
                <div class="text">{run.userText}</div>
              </div>
            )}
            {run.segments.map((s, i) => {
              const last = i === run.segments.length - 1;
              if (s.kind === "text") {
                return (
                  <div class="msg assistant" key={i} data-streaming={run.state === "running" && last ? "true" : undefined}>
                    <div class="who">Assistant</div>
                    <div class="text">{s.text}</div>
                  </div>
                );
              }
              if (s.kind === "note") return <div class="note" key={i}>{s.text}</div>;
              return <ItemView key={i} item={{ ...s, key: String(i) }} />;
            })}
            {run.state === "running" && <div class="typing muted small">working…</div>}
            {run.state === "aborted" && <div class="note">stopped</div>}
            {run.state === "error" && (
              <div class="note error" role="alert">
                error: {run.error}
              </div>
            )}
          </div>
        ))}
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <form
        class="composer"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <textarea
          id="chat-input"
          rows={2}
          placeholder="Message the assistant (Enter sends, Shift+Enter for a new line)"
          value={draft}
          onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              void send();
            }
          }}
        />
        <div class="col">
          <button type="submit" id="chat-send" disabled={!draft.trim()}>
            Send
          </button>
          <button type="button" class="danger" id="chat-stop" disabled={!running} onClick={() => void stop()}>
            Stop
          </button>
        </div>
      </form>
    </div>
  );
}
