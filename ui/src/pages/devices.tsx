// Device pairing (nodes): pending requests to approve / reject, paired devices to revoke.
// Live through device.pair.requested / device.pair.resolved.
import { RevokeButton } from "../revoke-button";
import { useState } from "preact/hooks";
import type { Gateway } from "../gateway";
import { useAction, useClock, useEvents, useLoad } from "../hooks";
import { ago, until } from "../transcript";
import type { PairedDevice, PendingDevice } from "../../../src/protocol/results.js";

export function DevicesPage(props: { gw: Gateway }) {
  const { gw } = props;
  const now = useClock(5000);
  const data = useLoad(() => gw.call<{ pending: PendingDevice[]; paired: PairedDevice[] }>("device.pair.list"), [gw]);
  useEvents(gw, ["device.pair.requested", "device.pair.resolved"], () => void data.reload());
  const act = useAction();
  const [confirmRevoke, setConfirmRevoke] = useState<string | undefined>(undefined);
  const call = (method: string, deviceId: string) =>
    act.run(async () => {
      await gw.call(method, { deviceId });
      setConfirmRevoke(undefined);
      await data.reload();
    });
  const short = (id: string) => `${id.slice(0, 12)}…`;

  return (
    <div>
      <div class="page-head">
        <h2>Devices</h2>
        <button class="secondary small" onClick={() => void data.reload()}>
          Refresh
        </button>
      </div>
      <p class="muted">
        Nodes (other machines running <code>simpleclaw node</code>) must be approved before they connect. Check the
        address and device id against the machine you expect; revoking closes its connection at once.
      </p>
      {data.error && <p class="error">{data.error}</p>}
      {act.error && (
        <p class="error" role="alert">
          {act.error}
        </p>
      )}
      <section class="card">
        <h3>Pending</h3>
        {!data.data?.pending.length ? (
          <p class="muted small" id="no-pending-devices">No device waits for approval.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Device id</th>
                <th>Role</th>
                <th>From</th>
                <th>Expires</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.data.pending.map((d) => (
                <tr key={d.deviceId} data-device-id={d.deviceId}>
                  <td>
                    {d.name} <span class="muted small">{d.platform} {d.clientVersion}</span>
                  </td>
                  <td>
                    <code title={d.deviceId}>{short(d.deviceId)}</code>
                  </td>
                  <td>{d.role}</td>
                  <td>{d.remoteAddress}</td>
                  <td>{until(d.expiresAt, now)}</td>
                  <td class="actions">
                    <button class="small" data-action="approve" disabled={act.busy} onClick={() => void call("device.pair.approve", d.deviceId)}>
                      Approve
                    </button>
                    <button class="small danger" data-action="reject" disabled={act.busy} onClick={() => void call("device.pair.reject", d.deviceId)}>
                      Reject
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section class="card">
        <h3>Paired</h3>
        {!data.data?.paired.length ? (
          <p class="muted small">No paired devices.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Device id</th>
                <th>Role</th>
                <th>Status</th>
                <th>Approved</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.data.paired.map((d) => (
                <tr key={d.deviceId} data-device-id={d.deviceId}>
                  <td>
                    {d.name} <span class="muted small">{d.platform}</span>
                  </td>
                  <td>
                    <code title={d.deviceId}>{short(d.deviceId)}</code>
                  </td>
                  <td>{d.role}</td>
                  <td>{d.connected ? <span class="pill ok">connected</span> : <span class="muted">last seen {ago(d.lastSeenAt, now)}</span>}</td>
                  <td>{ago(d.approvedAt, now)}</td>
                  <td class="actions">
                    <RevokeButton
                      confirming={confirmRevoke === d.deviceId}
                      busy={act.busy}
                      onAsk={() => setConfirmRevoke(d.deviceId)}
                      onCancel={() => setConfirmRevoke(undefined)}
                      onConfirm={() => void call("device.revoke", d.deviceId)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
