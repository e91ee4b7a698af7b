// Sessions: the list (sessions.list), one transcript at a time (chat.history), reset
// (sessions.reset: the old transcript is archived, not deleted) and export as a
// JSON or Markdown download made in the browser.
import { useState } from "preact/hooks";
import type { Gateway } from "../gateway";
import { useAction, useClock, useLoad } from "../hooks";
import { ago, download, toItems, transcriptJson, transcriptMarkdown, type HistoryEntry } from "../transcript";
import { ItemView } from "./chat";
import type { SessionRow } from "../../../src/protocol/results.js";

function fileName(key: string, ext: string): string {
  return `${key.replace(/[^A-Za-z0-9._-]+/g, "_")}.${ext}`;
}

function Transcript(props: { gw: Gateway; sessionKey: string; onChanged: () => void }) {
  const { gw, sessionKey } = props;
  const hist = useLoad(() => gw.call<{ messages: HistoryEntry[] }>("chat.history", { sessionKey, limit: 1000 }), [gw, sessionKey]);
  const act = useAction();
  const [confirmReset, setConfirmReset] = useState(false);
  const messages = hist.data?.messages ?? [];
  return (
    <section class="card" id="session-view" data-session-key={sessionKey}>
      <div class="page-head">
        <h3>{sessionKey}</h3>
        <span class="spacer" />
        <button class="small secondary" id="export-json" disabled={!hist.data} onClick={() => download(fileName(sessionKey, "json"), "application/json", transcriptJson(sessionKey, messages))}>
          Export JSON
        </button>
        <button class="small secondary" id="export-md" disabled={!hist.data} onClick={() => download(fileName(sessionKey, "md"), "text/markdown", transcriptMarkdown(sessionKey, messages))}>
          Export Markdown
        </button>
        {confirmReset ? (
          <>
            <button
              class="small danger"
              id="reset-confirm"
              disabled={act.busy}
              onClick={() =>
                void act.run(async () => {
                  await gw.call("sessions.reset", { sessionKey });
                  setConfirmReset(false);
                  await hist.reload();
                  props.onChanged();
                })
              }
            >
              Really reset
            </button>
            <button class="small secondary" onClick={() => setConfirmReset(false)}>
              Cancel
            </button>
          </>
        ) : (
          <button class="small danger" id="reset" onClick={() => setConfirmReset(true)}>
            Reset
          </button>
        )}
      </div>
      <p class="muted small">Reset starts a fresh transcript; the old one is archived in the state database.</p>
      {hist.error && <p class="error">{hist.error}</p>}
      {act.error && <p class="error">{act.error}</p>}
      <div class="log">
        {hist.data && messages.length === 0 && <p class="muted">Empty transcript.</p>}
        {toItems(messages).map((it) => (
          <ItemView item={it} key={it.key} />
        ))}
      </div>
    </section>
  );
}

export function SessionsPage(props: { gw: Gateway }) {
  const { gw } = props;
  const now = useClock(10_000);
  const list = useLoad(() => gw.call<{ sessions: SessionRow[] }>("sessions.list"), [gw]);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  return (
    <div>
      <div class="page-head">
        <h2>Sessions</h2>
        <button class="secondary small" onClick={() => void list.reload()}>
          Refresh
        </button>
      </div>
      {list.error && <p class="error">{list.error}</p>}
      {list.data && list.data.sessions.length === 0 && <p class="muted">No sessions yet.</p>}
      {!!list.data?.sessions.length && (
        <table id="sessions-table">
          <thead>
            <tr>
              <th>Session</th>
              <th>Agent</th>
              <th>Messages</th>
              <th>Tokens in / out</th>
              <th>Model</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {list.data.sessions.map((s) => (
              <tr key={s.key} class={selected === s.key ? "selected" : ""} data-session-key={s.key}>
                <td>
                  <a
                    href="#/sessions"
                    onClick={(e) => {
                      e.preventDefault();
                      setSelected(s.key);
                    }}
                  >
                    {s.key}
                  </a>
                </td>
                <td>{s.agentId}</td>
                <td>{s.messageCount}</td>
                <td>
                  {s.inputTokens} / {s.outputTokens}
                </td>
                <td>{s.lastModel ?? "—"}</td>
                <td>{ago(s.updatedAt, now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {selected && <Transcript gw={gw} sessionKey={selected} onChanged={() => void list.reload()} key={selected} />}
    </div>
  );
}
