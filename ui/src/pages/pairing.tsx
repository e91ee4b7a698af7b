// DM pairing per channel: pending requests (approve / reject by code) and approved
// senders (revoke). Live through pairing.requested / pairing.resolved.
import { RevokeButton } from "../revoke-button";
import { useState } from "preact/hooks";
import type { Gateway } from "../gateway";
import { useAction, useClock, useEvents, useLoad } from "../hooks";
import { ago, until } from "../transcript";
import type { ApprovedSenderRow as Approved, ChannelPairing, ChannelStatus, PairingApproveResult, PairingRequestRow as Pending } from "../../../src/protocol/results.js";

export function PairingPage(props: { gw: Gateway }) {
  const { gw } = props;
  const now = useClock(5000);
  const data = useLoad(async () => {
    const [p, s] = await Promise.all([
      gw.call<{ channels: ChannelPairing[] }>("pairing.list"),
      gw.call<{ channels: ChannelStatus[] }>("channels.status").catch(() => ({ channels: [] as ChannelStatus[] })),
    ]);
    return { channels: p.channels, status: s.channels };
  }, [gw]);
  useEvents(gw, ["pairing.requested", "pairing.resolved"], () => void data.reload());
  const act = useAction();
  const [confirmRevoke, setConfirmRevoke] = useState<string | undefined>(undefined);
  // What pairing.approve says about the approved sender's session (their own, or — with
  // session.dmScope "main" — yours), shown until the next action on the page.
  const [approvedNote, setApprovedNote] = useState<PairingApproveResult | undefined>(undefined);

  const call = (method: string, params: Record<string, unknown>) =>
    act.run(async () => {
      setApprovedNote(undefined);
      const res = await gw.call<unknown>(method, params);
      if (method === "pairing.approve") setApprovedNote(res as PairingApproveResult);
      setConfirmRevoke(undefined);
      await data.reload();
    });

  return (
    <div>
      <div class="page-head">
        <h2>DM pairing</h2>
        <button class="secondary small" onClick={() => void data.reload()}>
          Refresh
        </button>
      </div>
      <p class="muted">
        Unknown people who message the bot get a pairing code and are ignored until you approve the code here. Approved
        senders can talk to the assistant; revoking stops that at their next message.
      </p>
      {data.error && <p class="error">{data.error}</p>}
      {act.error && (
        <p class="error" role="alert">
          {act.error}
        </p>
      )}
      {data.data?.channels.map((c) => {
        const st = data.data?.status.find((s) => s.channel === c.channel);
        return (
          <section class="card" key={c.channel} data-channel={c.channel}>
            <h3>
              {c.channel}{" "}
              <span class={`pill ${st?.running ? "ok" : "off"}`}>
                {!st?.enabled ? "disabled" : st.running ? "connected" : `not connected${st.error ? `: ${st.error}` : ""}`}
              </span>
            </h3>
            {approvedNote?.channel === c.channel && (
              <p class={approvedNote.sharedSession ? "error" : "muted"} role="status" data-approved-message data-sender-id={approvedNote.senderId}>
                Approved {approvedNote.name ?? approvedNote.senderId}
                {approvedNote.owner ? " as the owner" : ""}. {approvedNote.message}
              </p>
            )}
            {c.full && (
              <p class="error" role="alert" data-queue-full>
                The pending queue is full ({c.pending.length} of {c.max}): new senders get no code
                {c.turnedAway ? ` — ${c.turnedAway.count} turned away, the last ${ago(c.turnedAway.lastAt, now)}` : ""}. Approve or reject
                below, or clear it.{" "}
                <button class="small danger" data-action="clear" disabled={act.busy} onClick={() => void call("pairing.clear", { channel: c.channel })}>
                  Clear pending requests
                </button>
              </p>
            )}
            <h4>Pending requests</h4>
            {c.pending.length === 0 ? (
              <p class="muted small">None.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th>Code</th>
                    <th>Sender</th>
                    <th>Asked</th>
                    <th>Expires</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {c.pending.map((p) => (
                    <tr key={p.code} data-code={p.code}>
                      <td>
                        <code>{p.code}</code>
                      </td>
                      <td>
                        {p.senderName ?? "(no name)"} <span class="muted small">id {p.senderId}</span>
                      </td>
                      <td>{ago(p.createdAt, now)}</td>
                      <td>{until(p.expiresAt, now)}</td>
                      <td class="actions">
                        <button class="small" data-action="approve" disabled={act.busy} onClick={() => void call("pairing.approve", { channel: c.channel, code: p.code })}>
                          Approve
                        </button>
                        <button class="small danger" data-action="reject" disabled={act.busy} onClick={() => void call("pairing.reject", { channel: c.channel, code: p.code })}>
                          Reject
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <h4>Approved senders</h4>
            {c.approved.length === 0 ? (
              <p class="muted small">Nobody yet.</p>
            ) : (
              <table>
                <tbody>
                  {c.approved.map((a) => {
                    const k = `${c.channel}:${a.id}`;
                    return (
                      <tr key={a.id} data-sender-id={a.id}>
                        <td>
                          {a.name ?? "(no name)"} <span class="muted small">id {a.id}</span> {a.owner && <span class="pill ok">owner</span>}
                        </td>
                        <td>approved {ago(a.approvedAt, now)}</td>
                        <td class="actions">
                          <RevokeButton
                            confirming={confirmRevoke === k}
                            busy={act.busy}
                            onAsk={() => setConfirmRevoke(k)}
                            onCancel={() => setConfirmRevoke(undefined)}
                            onConfirm={() => void call("pairing.revoke", { channel: c.channel, senderId: a.id })}
                          />
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
          </section>
        );
      })}
    </div>
  );
}
