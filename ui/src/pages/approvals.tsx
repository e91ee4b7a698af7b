// Pending exec approvals (exec.approval.list, kept live by exec.approval.requested /
// exec.approval.resolved in the shell) answered with exec.approval.resolve.
import { useState } from "preact/hooks";
import type { Gateway } from "../gateway";
import { useAction, useClock, useEvents } from "../hooks";
import { escapeForDisplay } from "../../../src/infra/display";
import { ago, until } from "../transcript";
import type { ExecApproval as Approval, ExecApprovalResolved as Resolved } from "../../../src/protocol/results.js";
export type { Approval };

const DECISIONS = [
  { id: "allow-once", label: "Allow once", cls: "" },
  { id: "allow-always", label: "Always allow", cls: "secondary" },
  { id: "deny", label: "Deny", cls: "danger" },
] as const;

function ApprovalCard(props: { gw: Gateway; a: Approval; now: number }) {
  const { a } = props;
  const act = useAction();
  return (
    <article class="card approval" data-approval-id={a.id}>
      <pre class="command">{escapeForDisplay(a.command)}</pre>
      <dl class="meta">
        <dt>cwd</dt>
        <dd>
          <code>{a.cwd}</code>
        </dd>
        <dt>agent</dt>
        <dd>{a.agentId}</dd>
        <dt>session</dt>
        <dd>{a.sessionKey}</dd>
        <dt>asked</dt>
        <dd>{ago(a.createdAt, props.now)}</dd>
        <dt>expires</dt>
        <dd>{until(a.expiresAt, props.now)} (then denied)</dd>
      </dl>
      <div class="row">
        {DECISIONS.map((d) => (
          <button
            key={d.id}
            class={d.cls}
            data-decision={d.id}
            disabled={act.busy}
            onClick={() => void act.run(() => props.gw.call("exec.approval.resolve", { id: a.id, decision: d.id }))}
          >
            {d.label}
          </button>
        ))}
      </div>
      {act.error && <p class="error">{act.error}</p>}
    </article>
  );
}

export function ApprovalsPage(props: { gw: Gateway; pending: Approval[]; reload: () => Promise<void> }) {
  const now = useClock();
  const [recent, setRecent] = useState<Resolved[]>([]);
  useEvents(props.gw, ["exec.approval.resolved"], (_e, p) => {
    const a = props.pending.find((x) => x.id === p.id);
    setRecent((list) => [{ id: p.id, command: a?.command ?? p.id, decision: p.decision, by: p.by, at: Date.now() }, ...list].slice(0, 10));
  });
  return (
    <div>
      <div class="page-head">
        <h2>Exec approvals</h2>
        <button class="secondary small" onClick={() => void props.reload()}>
          Refresh
        </button>
      </div>
      <p class="muted">
        Commands the agent wants to run that are not on the allowlist. <b>Allow once</b> runs it this time,{" "}
        <b>Always allow</b> also adds it to the allowlist, <b>Deny</b> refuses it. No answer before it expires counts as deny.
      </p>
      {props.pending.length === 0 && <p class="muted" id="no-approvals">Nothing waits for approval.</p>}
      {props.pending.map((a) => (
        <ApprovalCard gw={props.gw} a={a} now={now} key={a.id} />
      ))}
      {recent.length > 0 && (
        <>
          <h3>Answered here recently</h3>
          <ul class="plain" id="approvals-recent">
            {recent.map((r) => (
              <li key={r.id}>
                <code>{escapeForDisplay(r.command, { oneLine: true })}</code> → <b>{r.decision}</b> by {r.by} ({ago(r.at, now)})
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
