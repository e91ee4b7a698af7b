// Scheduled jobs (docs/cron.md): jobs the agent created wait here for approval; every job
// can be enabled, disabled, run now or removed, and its run history opened. Live through
// the `cron.changed` event. Prompts may come from the model: shown as text, escaped.
import { useState } from "preact/hooks";
import type { Gateway } from "../gateway";
import { useAction, useClock, useEvents, useLoad } from "../hooks";
import { escapeForDisplay } from "../../../src/infra/display";
import { ago } from "../transcript";
import type { CronJobRow, CronRunRow } from "../../../src/protocol/results.js";

const when = (t: number | null, now: number) => {
  if (t === null) return "—";
  const d = new Date(t);
  const mins = Math.round((t - now) / 60_000);
  return `${d.toLocaleString()}${mins > 0 && mins < 24 * 60 ? ` (in ${mins < 60 ? `${mins} min` : `${Math.round(mins / 60)} h`})` : ""}`;
};

function target(j: CronJobRow): string {
  if (!j.deliver) return "not delivered";
  // An agent-created job's recipient is whoever asked, their id as the channel gave it: escaped like the prompt.
  return escapeForDisplay(`${j.deliver.channel} ${j.deliver.chat === "group" ? "group " : ""}${j.deliver.peer}`, { oneLine: true });
}

function Runs(props: { gw: Gateway; id: string; now: number }) {
  const runs = useLoad(() => props.gw.call<{ runs: CronRunRow[] }>("cron.runs", { id: props.id, limit: 20 }), [props.gw, props.id]);
  useEvents(props.gw, ["cron.changed"], (_e, p) => {
    if (p?.jobId === props.id) void runs.reload();
  });
  if (runs.error) return <p class="error">{runs.error}</p>;
  if (!runs.data) return <p class="muted small">Loading…</p>;
  if (!runs.data.runs.length) return <p class="muted small">No runs yet.</p>;
  return (
    <table class="runs" data-runs-for={props.id}>
      <thead>
        <tr>
          <th>Started</th>
          <th>Status</th>
          <th>Took</th>
          <th>Delivery</th>
          <th>Detail</th>
        </tr>
      </thead>
      <tbody>
        {runs.data.runs.map((r) => (
          <tr key={r.id} data-status={r.status}>
            <td>{ago(r.startedAt, props.now)}</td>
            <td>
              {r.status} <span class="muted small">{r.trigger}</span>
            </td>
            <td>{r.durationMs === null ? "" : `${(r.durationMs / 1000).toFixed(1)} s`}</td>
            <td>
              {r.delivery}
              {r.deliveryError && <span class="muted small"> — {escapeForDisplay(r.deliveryError)}</span>}
            </td>
            <td class="small">{escapeForDisplay((r.error ?? r.output ?? "").slice(0, 300))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function JobCard(props: { gw: Gateway; j: CronJobRow; now: number; reload: () => Promise<void> }) {
  const { gw, j } = props;
  const act = useAction();
  const [history, setHistory] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const call = (method: string) =>
    act.run(async () => {
      await gw.call(method, { id: j.id });
      await props.reload();
    });
  const pending = j.approval === "pending";
  return (
    <article class={`card cron-job${pending ? " pending" : ""}`} data-job-id={j.id}>
      <div class="page-head">
        <h3>
          {j.name ? escapeForDisplay(j.name) : <code>{j.id}</code>}{" "}
          <span class="muted small">
            {pending ? "waiting for your approval" : j.running ? "running" : j.enabled ? "enabled" : "disabled"}
          </span>
        </h3>
      </div>
      <pre class="command">{escapeForDisplay(j.prompt)}</pre>
      <dl class="meta">
        <dt>schedule</dt>
        <dd>{j.schedule}</dd>
        <dt>next run</dt>
        <dd>{when(j.nextRunAt, props.now)}</dd>
        <dt>last run</dt>
        <dd>{j.lastRunAt ? ago(j.lastRunAt, props.now) : "never"}</dd>
        <dt>session</dt>
        <dd>
          <code>{j.sessionKey}</code>
        </dd>
        <dt>delivers to</dt>
        <dd>{target(j)}</dd>
        <dt>created by</dt>
        <dd>{j.heartbeat ? "config (agents.list[].heartbeat)" : j.createdBy === "agent" ? `the agent, in ${j.createdFrom ?? "?"}` : "you"}</dd>
      </dl>
      {act.error && (
        <p class="error" role="alert">
          {act.error}
        </p>
      )}
      <div class="row">
        {pending ? (
          <>
            <button class="small" data-action="approve" disabled={act.busy} onClick={() => void call("cron.approve")}>
              Approve
            </button>
            <button class="small danger" data-action="reject" disabled={act.busy} onClick={() => void call("cron.reject")}>
              Reject
            </button>
          </>
        ) : (
          !j.heartbeat && (
            <>
              <button class="small" data-action="run" disabled={act.busy || j.running || !j.enabled} onClick={() => void call("cron.run")}>
                Run now
              </button>
              <button class="small secondary" data-action={j.enabled ? "disable" : "enable"} disabled={act.busy} onClick={() => void call(j.enabled ? "cron.disable" : "cron.enable")}>
                {j.enabled ? "Disable" : "Enable"}
              </button>
              {confirmRemove ? (
                <button class="small danger" data-action="confirm-remove" disabled={act.busy} onClick={() => void call("cron.remove")}>
                  Really remove
                </button>
              ) : (
                <button class="small danger" data-action="remove" onClick={() => setConfirmRemove(true)}>
                  Remove
                </button>
              )}
            </>
          )
        )}
        <button class="small secondary" data-action="history" onClick={() => setHistory(!history)}>
          {history ? "Hide history" : "History"}
        </button>
      </div>
      {history && <Runs gw={gw} id={j.id} now={props.now} />}
    </article>
  );
}

export function CronPage(props: { gw: Gateway }) {
  const { gw } = props;
  const now = useClock(15_000);
  const data = useLoad(() => gw.call<{ jobs: CronJobRow[] }>("cron.list"), [gw]);
  useEvents(gw, ["cron.changed"], () => void data.reload());
  const jobs = data.data?.jobs ?? [];
  const pending = jobs.filter((j) => j.approval === "pending");
  const rest = jobs.filter((j) => j.approval !== "pending");
  return (
    <div>
      <div class="page-head">
        <h2>Scheduled jobs</h2>
        <button class="secondary small" onClick={() => void data.reload()}>
          Refresh
        </button>
      </div>
      <p class="muted">
        Jobs run the agent on a schedule in their own session (sandboxed under <code>non-main</code>), and deliver only to you
        or to senders the channel already admits. Jobs the agent creates wait for your approval. Add jobs with{" "}
        <code>simpleclaw cron add</code>.
      </p>
      {data.error && <p class="error">{data.error}</p>}
      <section>
        <h3>Waiting for approval</h3>
        {pending.length === 0 ? (
          <p class="muted small" id="no-pending-jobs">
            No job waits for approval.
          </p>
        ) : (
          pending.map((j) => <JobCard key={j.id} gw={gw} j={j} now={now} reload={data.reload} />)
        )}
      </section>
      <section>
        <h3>Jobs</h3>
        {rest.length === 0 ? (
          <p class="muted small" id="no-jobs">
            No scheduled jobs.
          </p>
        ) : (
          rest.map((j) => <JobCard key={j.id} gw={gw} j={j} now={now} reload={data.reload} />)
        )}
      </section>
    </div>
  );
}
