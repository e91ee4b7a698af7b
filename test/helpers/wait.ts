// Polling helpers for tests: wait for something to become true, or let time pass to show
// that something did NOT happen.

/** Polls `fn` until it returns a truthy value and resolves with it; rejects after `ms`. */
export async function waitFor<T>(fn: () => T | undefined | false | null, ms = 10_000, everyMs = 20): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Lets `ms` pass, for assertions that something stayed quiet. */
export const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));
