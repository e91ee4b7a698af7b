// Racing a promise against an AbortSignal: the caller stops waiting when the signal fires
// (the underlying work is the caller's to cancel).

/** Resolves or rejects like `p`, or rejects with `onAbort()` (default: the signal's reason) once `signal` aborts. */
export function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined, onAbort: () => unknown = () => signal?.reason): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(onAbort());
    signal.addEventListener("abort", abort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", abort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", abort);
        reject(e);
      },
    );
  });
}
