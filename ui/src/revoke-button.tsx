// "Revoke" that asks once more before acting: used for paired devices and approved senders.

export function RevokeButton(props: { confirming: boolean; busy: boolean; onAsk(): void; onCancel(): void; onConfirm(): void }) {
  if (!props.confirming) {
    return (
      <button class="small secondary" data-action="revoke" onClick={props.onAsk}>
        Revoke
      </button>
    );
  }
  return (
    <>
      <button class="small danger" data-action="confirm-revoke" disabled={props.busy} onClick={props.onConfirm}>
        Really revoke
      </button>
      <button class="small secondary" onClick={props.onCancel}>
        Cancel
      </button>
    </>
  );
}
